//! Short-lived HS256 access tokens with pinned algorithm and checked `exp`, `nbf`, `iss`, `aud`, `typ`.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::config::AuthSettings;
use crate::error::AppError;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    pub jti: String,
    /// Issue time in milliseconds, compared with the account's last password change or revocation.
    pub iat_ms: i64,
    /// Always `access`: a token of any other type is refused.
    pub typ: String,
    /// The session (login) the token belongs to: when it is revoked or over, so is the token.
    pub sid: String,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    pub access_ttl_secs: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], settings: &AuthSettings) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_nbf = true;
        validation.leeway = 5;
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            access_ttl_secs: settings.access_ttl_secs,
        }
    }

    pub fn issue_access(&self, account_id: &str, session_id: &str) -> anyhow::Result<String> {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let now = now_ms / 1000;
        let claims = Claims {
            sub: account_id.to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + self.access_ttl_secs,
            nbf: now,
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
            iat_ms: now_ms,
            typ: "access".into(),
            sid: session_id.to_string(),
        };
        Ok(encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    pub fn verify_access(&self, token: &str) -> Result<Claims, AppError> {
        let invalid = || AppError::unauthorized("invalid_token", "登录已失效，请重新登录");
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|_| invalid())?;
        if data.claims.typ != "access" {
            return Err(invalid());
        }
        Ok(data.claims)
    }
}
