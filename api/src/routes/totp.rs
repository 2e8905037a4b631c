//! The caller's second factor (动态口令, TOTP): add it, confirm it with a first code, remove it.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::checked;
use crate::error::{AppResult, Problem};
use crate::routes::Check;
use crate::routes::json::Json;
use crate::services::totp;
use crate::state::AppState;

/// Mounts `/me/totp*`, rate limited per client IP like the login it guards.
pub fn configure(config: &mut ServiceConfig) {
    config.service(
        utoipa_actix_web::scope("/me/totp")
            .wrap(actix_web::middleware::from_fn(crate::rate_limit::per_client_ip))
            .default_service(web::to(crate::spa::api_fallback))
            .service(begin)
            .service(confirm)
            .service(disable),
    );
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpBeginRequest {
    /// The account's current password.
    pub password: String,
}

/// What an authenticator app needs. Shown once; keep it secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrollment {
    /// The shared secret, base32, for typing into the app.
    #[schema(example = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")]
    pub secret: String,
    /// The `otpauth://totp/…` URL to show as a QR code.
    pub otpauth_url: String,
}

fn password(check: &mut Check, field: &str, value: &str) {
    if value.is_empty() || value.chars().count() > 128 {
        check.fail(field, "请输入当前密码");
    }
}

/// Starts adding a second factor: a new secret for the authenticator app, in force only once
/// confirmed with a code. Starting again replaces an unconfirmed secret.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 201, body = TotpEnrollment),
        (status = 401, body = Problem),
        (status = 409, description = "`totp_already_enabled`", body = Problem),
        (status = 422, description = "Wrong current password (`/password`)", body = Problem),
        (status = 423, description = "Locked after repeated wrong passwords", body = Problem),
        (status = 429, body = Problem),
    )
)]
#[post("")]
pub async fn begin(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    body: Json<TotpBeginRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut check = Check::default();
    password(&mut check, "/password", &body.password);
    check.finish()?;
    let enrollment = totp::begin(&state, &user.id, body.password, ip.0).await?;
    let answer = TotpEnrollment { secret: enrollment.secret, otpauth_url: enrollment.otpauth_url };
    Ok(HttpResponse::Created().insert_header((CACHE_CONTROL, "no-store")).json(answer))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpConfirmRequest {
    /// The 6-digit code the app shows now.
    #[schema(example = "123456")]
    pub code: String,
}

/// Confirms the second factor with a code from the app; from now on login asks for a code. Every
/// session ends, this one included: log in again with a code.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 204),
        (status = 401, body = Problem),
        (status = 409, description = "`totp_already_enabled`, `totp_not_started` or `totp_changed`", body = Problem),
        (status = 422, description = "A wrong code (`/code`)", body = Problem),
        (status = 429, body = Problem),
    )
)]
#[post("/confirm")]
pub async fn confirm(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    body: Json<TotpConfirmRequest>,
) -> AppResult<HttpResponse> {
    let mut check = Check::default();
    let code = check.totp_code("/code", &body.code);
    check.finish()?;
    checked!(code);
    totp::confirm(&state, &user.id, &code, ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpDisableRequest {
    /// The account's current password.
    pub password: String,
    /// A current code of the app.
    #[schema(example = "123456")]
    pub code: String,
}

/// Removes the second factor, with the current password and a current code (a wrong code counts
/// towards the lock like a wrong password). Every session ends, this one included. (A lost
/// authenticator is removed by an operator: `zhicheng admin reset-totp`.)
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 204),
        (status = 401, body = Problem),
        (status = 409, description = "`totp_not_enabled`", body = Problem),
        (status = 422, description = "Wrong password (`/password`) or code (`/code`)", body = Problem),
        (status = 423, description = "Locked after repeated wrong passwords or codes", body = Problem),
        (status = 429, body = Problem),
    )
)]
#[post("/disable")]
pub async fn disable(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    body: Json<TotpDisableRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut check = Check::default();
    password(&mut check, "/password", &body.password);
    let code = check.totp_code("/code", &body.code);
    check.finish()?;
    checked!(code);
    totp::disable(&state, &user.id, body.password, &code, ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
