//! The OpenID Connect relying party: discovery, the authorization URL (state, nonce, PKCE S256),
//! the code exchange and ID token verification, over the workspace's reqwest.
//!
//! The protocol work is the `openidconnect` crate's; this module adapts its HTTP client trait to
//! reqwest 0.13 (the crate's own adapter is for reqwest 0.12) and maps its errors onto stable codes.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClientAuthMethod, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse, CoreSubjectIdentifierType,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::url;
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AsyncHttpClient, AuthType, AuthUrl, AuthorizationCode, ClaimsVerificationError,
    Client, ClientId, ClientSecret, CsrfToken, EmptyAdditionalProviderMetadata, EmptyExtraTokenFields,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpClientError, HttpRequest, HttpResponse, IdTokenFields,
    IssuerUrl, JsonWebKeySet, JsonWebKeySetUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RequestTokenError, ResponseTypes, Scope, SignatureVerificationError, StandardErrorResponse,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::Mutex;

use super::{SsoError, SsoFailure};
use crate::config::SsoSettings;
use crate::crypto::random_token;

/// Claims beyond the standard ones (the ID number, the credit code …), kept as they came.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraClaims {
    #[serde(flatten)]
    claims: Map<String, Value>,
}

impl AdditionalClaims for ExtraClaims {}

type IdTokenFieldsWithExtra = IdTokenFields<
    ExtraClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type OidcTokenResponse = StandardTokenResponse<IdTokenFieldsWithExtra, CoreTokenType>;
type OidcClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    OidcTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Asymmetric algorithms only: an ID token "signed" with `none` or with the client secret
/// (HS256) is refused whatever the provider's metadata advertises.
const ALLOWED_ALGS: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];
/// Provider responses larger than this are refused (a JWKS or token answer is a few KiB).
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// An unknown signing key refreshes the JWKS, but not more often than this.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(10);
/// Clock skew tolerated on `iat`.
const MAX_IAT_SKEW_SECS: i64 = 300;

/// reqwest 0.13 as `openidconnect`'s HTTP client: never follows redirects (SSRF), caps the
/// response size, and times out.
#[derive(Clone)]
pub struct OidcHttp(reqwest::Client);

impl OidcHttp {
    pub fn new(timeout: Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent("zhicheng-sso/1")
            .build()?;
        Ok(Self(client))
    }

    async fn execute(&self, request: HttpRequest) -> Result<HttpResponse, HttpClientError<reqwest::Error>> {
        let request = reqwest::Request::try_from(request).map_err(Box::new)?;
        let mut response = self.0.execute(request).await.map_err(Box::new)?;
        let mut builder = openidconnect::http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(Box::new)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(HttpClientError::Other("the provider's response is too large".into()));
            }
            body.extend_from_slice(&chunk);
        }
        builder.body(body).map_err(HttpClientError::Http)
    }
}

impl<'c> AsyncHttpClient<'c> for OidcHttp {
    type Error = HttpClientError<reqwest::Error>;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.execute(request))
    }
}

/// Where the provider's metadata comes from.
// One per process; the size of the biggest variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Metadata {
    Discovery(url::Url),
    Explicit { authorization: AuthUrl, token: TokenUrl, jwks: JsonWebKeySetUrl },
}

/// A started login: send the browser to `url`; keep the rest server-side.
pub struct AuthorizeRequest {
    pub url: url::Url,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// What a verified ID token says.
#[derive(Debug, Clone)]
pub struct VerifiedIdentity {
    pub issuer: String,
    pub subject: String,
    /// Every claim of the token, standard and extra, by name.
    pub claims: Map<String, Value>,
}

impl VerifiedIdentity {
    /// A claim as trimmed text; numbers are accepted too (some platforms send codes as numbers).
    pub fn text(&self, claim: &str) -> Option<String> {
        let text = match self.claims.get(claim)? {
            Value::String(text) => text.trim().to_string(),
            Value::Number(number) => number.to_string(),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    }
}

/// One configured issuer.
pub struct SsoProvider {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    redirect: RedirectUrl,
    scopes: Vec<Scope>,
    source: Metadata,
    http: OidcHttp,
    metadata_ttl: Duration,
    cache: Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

impl SsoProvider {
    /// The provider of the settings, or `None` when SSO is not configured. Does no I/O: the
    /// provider is first contacted when somebody logs in, so the API starts while it is down.
    pub fn from_settings(settings: &SsoSettings) -> anyhow::Result<Option<Self>> {
        if !settings.enabled() {
            return Ok(None);
        }
        let required = |value: &Option<String>, name: &str| {
            value.as_deref().map(str::trim).map(str::to_string).ok_or_else(|| anyhow::anyhow!("sso.{name} is missing"))
        };
        let issuer = IssuerUrl::new(required(&settings.issuer, "issuer")?)?;
        let source = match (&settings.authorization_endpoint, &settings.token_endpoint, &settings.jwks_uri) {
            (Some(authorization), Some(token), Some(jwks)) => Metadata::Explicit {
                authorization: AuthUrl::new(authorization.clone())?,
                token: TokenUrl::new(token.clone())?,
                jwks: JsonWebKeySetUrl::new(jwks.clone())?,
            },
            _ => Metadata::Discovery(match &settings.discovery_url {
                Some(url) => url::Url::parse(url)?,
                None => url::Url::parse(&format!(
                    "{}/.well-known/openid-configuration",
                    issuer.as_str().trim_end_matches('/')
                ))?,
            }),
        };
        let mut scopes: Vec<Scope> = settings
            .scopes
            .split([' ', ','])
            .filter(|scope| !scope.is_empty() && *scope != "openid")
            .map(|scope| Scope::new(scope.to_string()))
            .collect();
        scopes.dedup();
        Ok(Some(Self {
            issuer,
            client_id: ClientId::new(required(&settings.client_id, "client_id")?),
            client_secret: settings.client_secret.clone().filter(|s| !s.is_empty()).map(ClientSecret::new),
            redirect: RedirectUrl::new(required(&settings.redirect_url, "redirect_url")?)?,
            scopes,
            source,
            http: OidcHttp::new(Duration::from_secs(settings.http_timeout_secs))?,
            metadata_ttl: Duration::from_secs(settings.metadata_ttl_secs),
            cache: Mutex::new(None),
        }))
    }

    pub fn issuer(&self) -> &str {
        self.issuer.as_str()
    }

    /// The provider's metadata with its JWKS, cached; `refresh` fetches again (rate-limited).
    async fn metadata(&self, refresh: bool) -> Result<CoreProviderMetadata, SsoFailure> {
        let mut cache = self.cache.lock().await;
        if let Some((fetched, metadata)) = cache.as_ref() {
            let age = fetched.elapsed();
            if age < self.metadata_ttl && (!refresh || age < MIN_REFRESH_INTERVAL) {
                return Ok(metadata.clone());
            }
        }
        let metadata = self.fetch_metadata().await?;
        *cache = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    async fn fetch_metadata(&self) -> Result<CoreProviderMetadata, SsoFailure> {
        let unavailable =
            |what: &str, error: String| SsoFailure::new(SsoError::ProviderUnavailable, format!("{what}: {error}"));
        let metadata = match &self.source {
            Metadata::Discovery(url) => {
                let request = openidconnect::http::Request::builder()
                    .uri(url.as_str())
                    .header(openidconnect::http::header::ACCEPT, "application/json")
                    .body(Vec::new())
                    .map_err(|e| unavailable("discovery request", e.to_string()))?;
                let response =
                    self.http.execute(request).await.map_err(|e| unavailable("discovery", error_chain(&e)))?;
                if !response.status().is_success() {
                    return Err(unavailable("discovery", format!("status {}", response.status())));
                }
                let metadata: CoreProviderMetadata = serde_json::from_slice(response.body())
                    .map_err(|e| unavailable("discovery document", e.to_string()))?;
                // OpenID Connect Discovery §4.3: the document must name the issuer we trust.
                if metadata.issuer() != &self.issuer {
                    return Err(unavailable(
                        "discovery document",
                        format!("issuer {} is not the configured {}", metadata.issuer().as_str(), self.issuer.as_str()),
                    ));
                }
                metadata
            }
            Metadata::Explicit { authorization, token, jwks } => CoreProviderMetadata::new(
                self.issuer.clone(),
                authorization.clone(),
                jwks.clone(),
                vec![ResponseTypes::new(vec![CoreResponseType::Code])],
                vec![CoreSubjectIdentifierType::Public],
                vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
                EmptyAdditionalProviderMetadata {},
            )
            .set_token_endpoint(Some(token.clone())),
        };
        let jwks = JsonWebKeySet::fetch_async(metadata.jwks_uri(), &self.http)
            .await
            .map_err(|e| unavailable("jwks", error_chain(&e)))?;
        Ok(metadata.set_jwks(jwks))
    }

    fn client(&self, metadata: CoreProviderMetadata) -> OidcClient {
        let auth_type = auth_type(&metadata);
        OidcClient::from_provider_metadata(metadata, self.client_id.clone(), self.client_secret.clone())
            .set_redirect_uri(self.redirect.clone())
            .set_auth_type(auth_type)
    }

    /// Starts a login: fresh `state`, `nonce` and PKCE verifier, and the provider's URL carrying them.
    pub async fn authorize(&self) -> Result<AuthorizeRequest, SsoFailure> {
        let client = self.client(self.metadata(false).await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let state = random_token(32);
        let nonce = random_token(32);
        let (url, _, _) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                {
                    let state = state.clone();
                    move || CsrfToken::new(state)
                },
                {
                    let nonce = nonce.clone();
                    move || Nonce::new(nonce)
                },
            )
            .add_scopes(self.scopes.iter().cloned())
            .set_pkce_challenge(challenge)
            .url();
        Ok(AuthorizeRequest { url, state, nonce, pkce_verifier: verifier.secret().clone() })
    }

    /// Exchanges the code (with the PKCE verifier) and verifies the ID token: signature by the
    /// provider's JWKS, `iss`, `aud == client_id` (and `azp`), `exp`, `iat`, `nonce`, `at_hash`.
    pub async fn redeem(&self, code: &str, pkce_verifier: &str, nonce: &str) -> Result<VerifiedIdentity, SsoFailure> {
        let client = self.client(self.metadata(false).await?);
        let request = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| SsoFailure::new(SsoError::ProviderError, format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()));
        let response = request.request_async(&self.http).await.map_err(token_failure)?;
        let nonce = Nonce::new(nonce.to_string());
        match verify(&client, &response, &nonce) {
            Err(failure) if failure.key_unknown => {
                // The provider may have rotated its keys since we cached them.
                let client = self.client(self.metadata(true).await?);
                verify(&client, &response, &nonce).map_err(|failure| failure.failure)
            }
            other => other.map_err(|failure| failure.failure),
        }
    }
}

/// `client_secret_basic` (the default of OpenID Connect) unless the provider says it only takes
/// `client_secret_post`.
fn auth_type(metadata: &CoreProviderMetadata) -> AuthType {
    match metadata.token_endpoint_auth_methods_supported() {
        Some(methods)
            if !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
                && methods.contains(&CoreClientAuthMethod::ClientSecretPost) =>
        {
            AuthType::RequestBody
        }
        _ => AuthType::BasicAuth,
    }
}

struct VerifyFailure {
    failure: SsoFailure,
    key_unknown: bool,
}

fn verify(client: &OidcClient, response: &OidcTokenResponse, nonce: &Nonce) -> Result<VerifiedIdentity, VerifyFailure> {
    let plain = |failure: SsoFailure| VerifyFailure { failure, key_unknown: false };
    let id_token = response
        .id_token()
        .ok_or_else(|| plain(SsoFailure::new(SsoError::MissingIdToken, "the token response has no id_token")))?;
    let verifier = client.id_token_verifier().set_allowed_algs(ALLOWED_ALGS).set_issue_time_verifier_fn(
        |issued: chrono::DateTime<chrono::Utc>| {
            if issued > chrono::Utc::now() + chrono::Duration::seconds(MAX_IAT_SKEW_SECS) {
                Err(format!("issued in the future ({issued})"))
            } else {
                Ok(())
            }
        },
    );
    let claims = id_token.claims(&verifier, nonce).map_err(|error| VerifyFailure {
        key_unknown: matches!(
            error,
            ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)
        ),
        failure: claims_failure(error),
    })?;
    // OpenID Connect Core §3.1.3.6: when the ID token binds the access token, it must match.
    if let Some(expected) = claims.access_token_hash() {
        let invalid = |reason: String| plain(SsoFailure::new(SsoError::InvalidIdToken, reason));
        let alg = id_token.signing_alg().map_err(|e| invalid(e.to_string()))?;
        let key = id_token.signing_key(&verifier).map_err(|e| invalid(e.to_string()))?;
        let actual =
            AccessTokenHash::from_token(response.access_token(), alg, key).map_err(|e| invalid(e.to_string()))?;
        if actual != *expected {
            return Err(invalid("at_hash does not match the access token".into()));
        }
    }
    let Ok(Value::Object(all)) = serde_json::to_value(claims) else {
        return Err(plain(SsoFailure::new(SsoError::InvalidIdToken, "claims are not an object")));
    };
    Ok(VerifiedIdentity {
        issuer: claims.issuer().as_str().to_string(),
        subject: claims.subject().as_str().to_string(),
        claims: all,
    })
}

fn claims_failure(error: ClaimsVerificationError) -> SsoFailure {
    let reason = error_chain(&error);
    let code = match &error {
        ClaimsVerificationError::Expired(_) => SsoError::TokenExpired,
        ClaimsVerificationError::InvalidAudience(_) => SsoError::WrongAudience,
        ClaimsVerificationError::InvalidIssuer(_) => SsoError::WrongIssuer,
        ClaimsVerificationError::InvalidNonce(_) => SsoError::WrongNonce,
        ClaimsVerificationError::SignatureVerification(_) => SsoError::BadSignature,
        _ => SsoError::InvalidIdToken,
    };
    SsoFailure::new(code, reason)
}

fn token_failure(
    error: RequestTokenError<HttpClientError<reqwest::Error>, StandardErrorResponse<CoreErrorResponseType>>,
) -> SsoFailure {
    let reason = error_chain(&error);
    let code = match &error {
        // The provider refused the code: unknown, used before, expired, or the PKCE verifier is wrong.
        RequestTokenError::ServerResponse(_) => SsoError::CodeRejected,
        RequestTokenError::Request(_) => SsoError::ProviderUnavailable,
        RequestTokenError::Parse(..) | RequestTokenError::Other(_) => SsoError::ProviderError,
    };
    SsoFailure::new(code, reason)
}

/// An error with its sources, for the log and the audit trail (never for the user).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use sha2::{Digest, Sha256};

    use super::*;

    fn settings() -> SsoSettings {
        SsoSettings {
            issuer: Some("https://op.example".into()),
            authorization_endpoint: Some("https://op.example/authorize".into()),
            token_endpoint: Some("https://op.example/token".into()),
            jwks_uri: Some("https://op.example/jwks".into()),
            client_id: Some("zhicheng".into()),
            redirect_url: Some("https://zc.example/api/v1/auth/sso/callback".into()),
            scopes: "openid profile, idcard".into(),
            ..SsoSettings::default()
        }
    }

    #[test]
    fn nothing_configured_means_disabled() {
        assert!(SsoProvider::from_settings(&SsoSettings::default()).unwrap().is_none());
    }

    #[tokio::test]
    async fn the_authorize_url_carries_state_nonce_and_an_s256_challenge_of_the_kept_verifier() {
        let provider = SsoProvider::from_settings(&settings()).unwrap().unwrap();
        // Explicit endpoints: seed the cache so no JWKS fetch happens.
        let metadata = CoreProviderMetadata::new(
            provider.issuer.clone(),
            AuthUrl::new("https://op.example/authorize".into()).unwrap(),
            JsonWebKeySetUrl::new("https://op.example/jwks".into()).unwrap(),
            vec![ResponseTypes::new(vec![CoreResponseType::Code])],
            vec![CoreSubjectIdentifierType::Public],
            vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
            EmptyAdditionalProviderMetadata {},
        );
        *provider.cache.lock().await = Some((Instant::now(), metadata));

        let first = provider.authorize().await.unwrap();
        let second = provider.authorize().await.unwrap();
        let query: std::collections::HashMap<String, String> = first.url.query_pairs().into_owned().collect();
        assert_eq!(first.url.as_str().split('?').next(), Some("https://op.example/authorize"));
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["client_id"], "zhicheng");
        assert_eq!(query["redirect_uri"], "https://zc.example/api/v1/auth/sso/callback");
        assert_eq!(query["scope"], "openid profile idcard");
        assert_eq!(query["state"], first.state);
        assert_eq!(query["nonce"], first.nonce);
        assert_eq!(query["code_challenge_method"], "S256");
        // RFC 7636 §4.2: challenge = BASE64URL(SHA256(verifier)); the verifier never leaves us.
        let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(first.pkce_verifier.as_bytes()));
        assert_eq!(query["code_challenge"], expected);
        assert!(!first.url.as_str().contains(&first.pkce_verifier));
        assert!((43..=128).contains(&first.pkce_verifier.len()));
        // Every login gets its own secrets.
        assert_ne!(first.state, second.state);
        assert_ne!(first.nonce, second.nonce);
        assert_ne!(first.pkce_verifier, second.pkce_verifier);
        assert!(first.state.len() >= 43, "256 bits of state");
    }

    #[test]
    fn verification_errors_map_to_stable_codes() {
        let cases = [
            (ClaimsVerificationError::Expired("x".into()), "token_expired"),
            (ClaimsVerificationError::InvalidAudience("x".into()), "wrong_audience"),
            (ClaimsVerificationError::InvalidIssuer("x".into()), "wrong_issuer"),
            (ClaimsVerificationError::InvalidNonce("x".into()), "wrong_nonce"),
            (
                ClaimsVerificationError::SignatureVerification(SignatureVerificationError::CryptoError("x".into())),
                "bad_signature",
            ),
            (ClaimsVerificationError::Unsupported("x".into()), "invalid_id_token"),
        ];
        for (error, code) in cases {
            assert_eq!(claims_failure(error).error.code(), code);
        }
    }

    #[test]
    fn the_client_authenticates_the_way_the_provider_takes() {
        let metadata = |methods: Option<Vec<CoreClientAuthMethod>>| {
            CoreProviderMetadata::new(
                IssuerUrl::new("https://op.example".into()).unwrap(),
                AuthUrl::new("https://op.example/authorize".into()).unwrap(),
                JsonWebKeySetUrl::new("https://op.example/jwks".into()).unwrap(),
                vec![ResponseTypes::new(vec![CoreResponseType::Code])],
                vec![CoreSubjectIdentifierType::Public],
                vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
                EmptyAdditionalProviderMetadata {},
            )
            .set_token_endpoint_auth_methods_supported(methods)
        };
        let basic = CoreClientAuthMethod::ClientSecretBasic;
        let post = CoreClientAuthMethod::ClientSecretPost;
        assert!(matches!(auth_type(&metadata(None)), AuthType::BasicAuth));
        assert!(matches!(auth_type(&metadata(Some(vec![basic.clone(), post.clone()]))), AuthType::BasicAuth));
        assert!(matches!(auth_type(&metadata(Some(vec![post]))), AuthType::RequestBody));
        assert!(matches!(auth_type(&metadata(Some(vec![basic]))), AuthType::BasicAuth));
    }

    #[test]
    fn claims_read_as_text() {
        let mut claims = Map::new();
        claims.insert("id_number".into(), Value::String(" 370126199003050024 ".into()));
        claims.insert("level".into(), Value::Number(3.into()));
        claims.insert("empty".into(), Value::String("  ".into()));
        let identity = VerifiedIdentity { issuer: "i".into(), subject: "s".into(), claims };
        assert_eq!(identity.text("id_number").as_deref(), Some("370126199003050024"));
        assert_eq!(identity.text("level").as_deref(), Some("3"));
        assert_eq!(identity.text("empty"), None);
        assert_eq!(identity.text("missing"), None);
    }
}
