use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use sea_orm::EntityTrait;

use crate::domain::Role;
use crate::entities::{account, org, session};
use crate::error::AppError;
use crate::state::AppState;

/// The caller, re-read from the database on every request: a disabled account, a disabled
/// organisation, an ended session or a token older than the last password change loses access at once.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub real_name: String,
    pub org_id: Option<String>,
}

impl AuthUser {
    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::forbidden("forbidden_role", "当前账号无权进行此操作"))
        }
    }

    /// The caller's organisation, for org admins and reviewers.
    pub fn org(&self) -> Result<&str, AppError> {
        self.org_id.as_deref().ok_or_else(|| AppError::forbidden("not_an_org_member", "仅单位账号可进行此操作"))
    }
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = request.app_data::<web::Data<AppState>>().cloned();
        let header = request.headers().get(AUTHORIZATION).and_then(|value| value.to_str().ok()).map(str::to_owned);
        let request = request.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("AppState missing")))?;
            let missing = || AppError::unauthorized("unauthenticated", "请先登录");
            let header = header.ok_or_else(missing)?;
            let token =
                header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")).ok_or_else(missing)?;
            let claims = state.jwt.verify_access(token.trim())?;
            // A genuine token refused later (disabled account, ended session) is audited as the
            // account's; garbage is audited by IP (`services::refusals` folds the repeats).
            request.extensions_mut().insert(VerifiedToken { account_id: claims.sub.clone() });
            let expired = || AppError::unauthorized("invalid_token", "登录已失效，请重新登录");
            let account = account::Entity::find_by_id(claims.sub.clone()).one(&state.db).await?.ok_or_else(expired)?;
            if account.status != "active" || claims.iat_ms < account.tokens_valid_after.timestamp_millis() {
                return Err(expired());
            }
            // Logout, a reused refresh token and the session's absolute end stop the access token too.
            let session = session::Entity::find_by_id(claims.sid.clone()).one(&state.db).await?.ok_or_else(expired)?;
            if session.account_id != account.id
                || session.revoked_at.is_some()
                || session.expires_at <= state.clock.now()
            {
                return Err(expired());
            }
            if let Some(org_id) = &account.org_id {
                let org = org::Entity::find_by_id(org_id.clone()).one(&state.db).await?.ok_or_else(expired)?;
                if org.status != "active" {
                    return Err(expired());
                }
            }
            let role = Role::parse(&account.role).ok_or_else(expired)?;
            let user = AuthUser {
                id: account.id,
                username: account.username,
                role,
                real_name: account.real_name,
                org_id: account.org_id,
            };
            // Lets the denial audit name who was refused.
            request.extensions_mut().insert(user.clone());
            Ok(user)
        })
    }
}

/// Marks a request whose bearer token had a valid signature, naming the account it was issued to.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub account_id: String,
}

/// The client's address as the audit log records it and the per-IP limit counts it: the socket
/// peer, never a spoofable header — unless the peer is one of `server.trusted_proxies`.
#[derive(Debug, Clone)]
pub struct ClientIp(pub Option<String>);

impl FromRequest for ClientIp {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(ClientIp(client_address(request).map(|ip| ip.to_string()))))
    }
}

/// The client's address. Behind a trusted balancer (`server.trusted_proxies`, the peer is one of
/// them) it is the right-most `X-Forwarded-For` address that is not itself a trusted proxy:
/// the left-hand entries are whatever the client wrote, only those the proxies appended count.
pub fn client_address(request: &HttpRequest) -> Option<std::net::IpAddr> {
    let peer = request.peer_addr()?.ip();
    let trusted = request
        .app_data::<web::Data<AppState>>()
        .map(|state| state.settings.server.trusted_proxy_ips.clone())
        .unwrap_or_default();
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let entries: Vec<&str> = request
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    // From the right: skip the proxies' own addresses; the first other entry is the client. An
    // entry that is not an address (`unknown`, or junk the client put there) ends the walk at the
    // last proxy: nothing to its left can be trusted, and junk must not hide the client behind it.
    let mut client = peer;
    for entry in entries.iter().rev() {
        let Ok(ip) = entry.parse::<std::net::IpAddr>() else { break };
        client = ip;
        if !trusted.contains(&ip) {
            break;
        }
    }
    Some(client)
}
