//! Who am I, and changing my own password.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::checked;
use crate::domain::{OrgKind, OrgVerification, Password, Role};
use crate::error::{AppResult, Problem};
use crate::rate_limit::Costly;
use crate::routes::Check;
use crate::routes::json::Json;
use crate::services::accounts::{self, Profile};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config.service(me).service(change_password);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgSummary {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub uscc: String,
    pub region_code: String,
    /// 单位认证: an unverified 主管部门 or 乡镇（街道） cannot approve paths or receive reports yet.
    pub verification: OrgVerification,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub real_name: String,
    /// Masked, e.g. `110105********002X`.
    pub id_number_masked: Option<String>,
    /// Masked, e.g. `138****8000`.
    pub phone_masked: Option<String>,
    pub org: Option<OrgSummary>,
    /// True when the password is older than the configured maximum age and must be changed.
    pub password_expired: bool,
    /// True when login asks for a code of an authenticator app (动态口令).
    pub totp_enabled: bool,
}

impl From<Profile> for MeResponse {
    fn from(profile: Profile) -> Self {
        Self {
            totp_enabled: profile.account.totp_enabled_at.is_some(),
            id: profile.account.id,
            username: profile.account.username,
            role: profile.role,
            real_name: profile.account.real_name,
            id_number_masked: profile.id_number.map(|id| id.masked()),
            phone_masked: profile.phone.map(|phone| phone.masked()),
            org: profile.org.map(|org| OrgSummary {
                id: org.id,
                name: org.name,
                kind: OrgKind::parse(&org.kind).unwrap_or(OrgKind::Enterprise),
                verification: OrgVerification::parse(&org.verification).unwrap_or(OrgVerification::Unverified),
                uscc: org.uscc,
                region_code: org.region_code,
            }),
            password_expired: profile.password_expired,
        }
    }
}

/// The calling account: its role and, for organisation accounts, the organisation.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = Problem))
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<MeResponse>> {
    let profile = accounts::profile(&state, &user.id).await?;
    Ok(web::Json(profile.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's password; every session, this one included, ends.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 204),
        (status = 401, body = Problem),
        (status = 422, body = Problem),
        (status = 429, description = "Too many password changes from this account; see `Retry-After`", body = Problem),
    )
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    body: Json<ChangePasswordRequest>,
) -> AppResult<HttpResponse> {
    state.rate_limits.check(Costly::PasswordHash, &user.id).await?;
    let body = body.into_inner();
    let mut check = Check::default();
    let password = check.parse("/new_password", Password::parse_for(&body.new_password, &[&user.username]));
    if body.new_password == body.current_password {
        check.fail("/new_password", "新密码不能与当前密码相同");
    }
    check.finish()?;
    checked!(password);
    accounts::change_password(&state, &user.id, body.current_password, password, ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
