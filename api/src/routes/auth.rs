//! Registration, login, token rotation and account recovery (注册开户 / 找回用户名/密码).

use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::ClientIp;
use crate::checked;
use crate::domain::division;
use crate::domain::{ContactPhone, IdCardNumber, OrgKind, Password, Phone, Uscc, Username, text};
use crate::error::{AppResult, Problem};
use crate::routes::Check;
use crate::routes::json::Json;
use crate::services::accounts::{self, NewOrg, NewPerson, TokenPair};
use crate::state::AppState;

/// Mounts the unauthenticated account endpoints under `/auth`, rate limited per client IP.
pub fn configure(config: &mut ServiceConfig) {
    config.service(
        utoipa_actix_web::scope("/auth")
            .wrap(actix_web::middleware::from_fn(crate::rate_limit::per_client_ip))
            .default_service(web::to(crate::spa::api_fallback))
            .service(register_person)
            .service(register_org)
            .service(login)
            .service(refresh)
            .service(logout)
            .service(forgot_password)
            .service(reset_password)
            .service(forgot_username)
            .service(recover_username),
    );
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterPersonRequest {
    #[schema(example = "nurse_li")]
    pub username: String,
    pub password: String,
    #[schema(example = "李护士")]
    pub real_name: String,
    #[schema(example = "11010519491231002X")]
    pub id_number: String,
    #[schema(example = "13800138000")]
    pub phone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredAccount {
    pub id: String,
    pub username: String,
}

/// 个人注册: an applicant's account. The name and ID number cannot be changed later.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 201, body = RegisteredAccount),
        (status = 409, description = "Username, ID number or phone already registered", body = Problem),
        (status = 422, description = "A field is invalid; `errors` names each", body = Problem),
        (status = 429, description = "Too many requests from this address", body = Problem),
    )
)]
#[post("/register/person")]
pub async fn register_person(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: Json<RegisterPersonRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut check = Check::default();
    let username = check.parse("/username", Username::parse(&body.username));
    let context = [body.username.as_str(), &body.phone, &body.id_number];
    let password = check.parse("/password", Password::parse_for(&body.password, &context));
    let real_name = check.real_name("/real_name", &body.real_name);
    let id_number = check.parse("/id_number", IdCardNumber::parse(&body.id_number));
    let phone = check.parse("/phone", Phone::parse(&body.phone));
    check.finish()?;
    checked!(username, password, real_name, id_number, phone);
    let input = NewPerson { username, password, real_name, id_number, phone };
    let account = accounts::register_person(&state, input, ip.0).await?;
    Ok(HttpResponse::Created().json(RegisteredAccount { id: account.id, username: account.username }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterOrgRequest {
    #[schema(example = "济南市济阳区人民医院")]
    pub name: String,
    /// 统一社会信用代码
    #[schema(example = "12370126MB00000046")]
    pub uscc: String,
    pub kind: OrgKind,
    /// 行政区划: a 区县 code of GB/T 2260 (`GET /divisions`); a 人社局 may also have a 市 code.
    #[schema(example = "370126")]
    pub region_code: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub admin_username: String,
    pub admin_password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredOrg {
    pub org_id: String,
    pub admin_id: String,
    pub admin_username: String,
}

/// An organisation's 行政区划 is a 区县级 division of GB/T 2260 (what the 省/市/区县 cascader ends
/// at); a 人社局, provisioned by the admin, may instead oversee a whole 市.
fn org_region(code: &str, kind: OrgKind) -> Result<(), String> {
    match division::check_county(code, "行政区划") {
        Ok(_) => Ok(()),
        Err(_) if kind == OrgKind::Hrss && division::path(code).is_some_and(|path| path.len() == 2) => Ok(()),
        Err(message) => Err(message),
    }
}

/// Parses an organisation registration, shared by self-registration and admin provisioning.
pub fn parse_org(body: RegisterOrgRequest) -> AppResult<NewOrg> {
    let mut check = Check::default();
    let name = check.text("/name", &body.name, "单位名称", 2, 100);
    let uscc = check.parse("/uscc", Uscc::parse(&body.uscc));
    let region = text::compatible(&body.region_code).trim().to_string();
    if let Err(message) = org_region(&region, body.kind) {
        check.fail("/region_code", message);
    }
    let address = check.text("/address", &body.address, "单位地址", 2, 200);
    let contact_name = check.real_name("/contact_name", &body.contact_name);
    let contact_phone = check.parse("/contact_phone", ContactPhone::parse(&body.contact_phone));
    let admin_username = check.parse("/admin_username", Username::parse(&body.admin_username));
    let context = [body.admin_username.as_str(), &body.contact_phone];
    let admin_password = check.parse("/admin_password", Password::parse_for(&body.admin_password, &context));
    check.finish()?;
    checked!(name, uscc, address, contact_name, contact_phone, admin_username, admin_password);
    Ok(NewOrg {
        name,
        uscc,
        kind: body.kind,
        region_code: region,
        address,
        contact_name,
        contact_phone,
        admin_username,
        admin_password,
    })
}

/// 单位注册: an organisation (enterprise, institution, authority or township) with its admin account.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 201, body = RegisteredOrg),
        (status = 409, description = "Credit code or username already registered", body = Problem),
        (status = 422, description = "A field is invalid, or the kind is `hrss`", body = Problem),
        (status = 429, body = Problem),
    )
)]
#[post("/register/org")]
pub async fn register_org(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: Json<RegisterOrgRequest>,
) -> AppResult<HttpResponse> {
    let input = parse_org(body.into_inner())?;
    let (org, admin) = accounts::register_org(&state, input, ip.0).await?;
    Ok(HttpResponse::Created().json(RegisteredOrg {
        org_id: org.id,
        admin_id: admin.id,
        admin_username: admin.username,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Username, ID number or mobile phone.
    #[schema(example = "nurse_zhang")]
    pub account: String,
    pub password: String,
    /// The 6-digit code of the account's authenticator app, when it has added a second factor
    /// (a login without it answers 401 `totp_required`).
    #[schema(example = json!(null))]
    pub totp_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Lifetime of the access token in seconds.
    #[schema(example = 900)]
    pub expires_in: i64,
}

impl From<TokenPair> for TokenResponse {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
            token_type: "Bearer".into(),
            expires_in: pair.expires_in,
        }
    }
}

/// Login by username, ID number or phone. An ID number or phone shared by several accounts of one
/// person (a reviewer who also declares) signs in the one whose password matches. Five failures
/// lock the account for 15 minutes.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Wrong account or password (never says which): `invalid_credentials`, \
            with `remaining_attempts` before the lock; the password is right and the account's second factor needs `totp_code`: `totp_required`; \
            a wrong or used code: `invalid_totp`", body = Problem),
        (status = 403, description = "The account is disabled", body = Problem),
        (status = 422, body = Problem),
        (status = 423, description = "Locked after repeated failures; `Retry-After` says for how long", body = Problem),
        (status = 429, body = Problem),
    )
)]
#[post("/login")]
pub async fn login(state: web::Data<AppState>, ip: ClientIp, body: Json<LoginRequest>) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut check = Check::default();
    let account = check.text("/account", &body.account, "账号", 1, 64);
    if body.password.is_empty() || body.password.chars().count() > 128 {
        check.fail("/password", "请输入密码");
    }
    let totp_code = body.totp_code.as_deref().map(|code| check.totp_code("/totp_code", code));
    check.finish()?;
    checked!(account);
    let tokens = accounts::login(&state, &account, body.password, totp_code.flatten().as_deref(), ip.0).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(TokenResponse::from(tokens)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Rotates a refresh token: the old one stops working. Reusing an old one revokes the session.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token; `session_expired` \
            past the session's absolute end (`auth.session_max_secs` after login)", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/refresh")]
pub async fn refresh(state: web::Data<AppState>, ip: ClientIp, body: Json<RefreshRequest>) -> AppResult<HttpResponse> {
    let tokens = accounts::refresh(&state, body.refresh_token.trim(), ip.0).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(TokenResponse::from(tokens)))
}

/// Logs out: the session of this refresh token is revoked, its access tokens included.
#[utoipa::path(tag = "auth", responses((status = 204), (status = 422, body = Problem)))]
#[post("/logout")]
pub async fn logout(state: web::Data<AppState>, ip: ClientIp, body: Json<RefreshRequest>) -> AppResult<HttpResponse> {
    accounts::logout(&state, body.refresh_token.trim(), ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    /// Username, ID number or phone of the account.
    pub account: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedResponse {
    pub message: String,
}

/// 找回密码, step 1: a one-time code goes to the account's registered phone.
/// The answer is the same whether or not the account exists.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 202, body = AcceptedResponse),
        (status = 422, body = Problem),
        (status = 429, description = "A code was asked for too recently (`code_requested_too_soon`, nothing \
            sent; `retry_after` and `Retry-After` say when to ask again), or too many requests", body = Problem),
    )
)]
#[post("/password/forgot")]
pub async fn forgot_password(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: Json<ForgotPasswordRequest>,
) -> AppResult<HttpResponse> {
    let mut check = Check::default();
    let account = check.text("/account", &body.account, "账号", 1, 64);
    check.finish()?;
    checked!(account);
    accounts::forgot_password(&state, &account, ip.0).await?;
    Ok(HttpResponse::Accepted().json(AcceptedResponse {
        message: "如账号存在，验证码已发送至注册手机，10分钟内有效".into(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    pub account: String,
    #[schema(example = "123456")]
    pub code: String,
    pub new_password: String,
}

/// 找回密码, step 2: the code sets a new password; every session of the account ends.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 204),
        (status = 422, description = "Wrong, expired or used-up code, or a weak password", body = Problem),
        (status = 429, body = Problem),
    )
)]
#[post("/password/reset")]
pub async fn reset_password(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: Json<ResetPasswordRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut check = Check::default();
    let account = check.text("/account", &body.account, "账号", 1, 64);
    let code = check.text("/code", &body.code, "验证码", 6, 6);
    let password = check.parse("/new_password", Password::parse_for(&body.new_password, &[&body.account]));
    check.finish()?;
    checked!(account, code, password);
    accounts::reset_password(&state, &account, &code, password, ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotUsernameRequest {
    pub phone: String,
}

/// 找回用户名, step 1: a one-time code goes to the phone if any account is registered with it.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 202, body = AcceptedResponse),
        (status = 422, body = Problem),
        (status = 429, description = "A code was asked for too recently (`code_requested_too_soon`, nothing \
            sent; `retry_after` and `Retry-After` say when to ask again), or too many requests", body = Problem),
    )
)]
#[post("/username/forgot")]
pub async fn forgot_username(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: Json<ForgotUsernameRequest>,
) -> AppResult<HttpResponse> {
    let mut check = Check::default();
    let phone = check.parse("/phone", Phone::parse(&body.phone));
    check.finish()?;
    checked!(phone);
    accounts::forgot_username(&state, &phone, ip.0).await?;
    Ok(HttpResponse::Accepted()
        .json(AcceptedResponse { message: "如该手机号已注册，验证码已发送，10分钟内有效".into() }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverUsernameRequest {
    pub phone: String,
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveredUsernames {
    pub usernames: Vec<String>,
}

/// 找回用户名, step 2: the code shows the usernames registered with the phone.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, body = RecoveredUsernames), (status = 422, body = Problem), (status = 429, body = Problem))
)]
#[post("/username/recover")]
pub async fn recover_username(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: Json<RecoverUsernameRequest>,
) -> AppResult<HttpResponse> {
    let mut check = Check::default();
    let phone = check.parse("/phone", Phone::parse(&body.phone));
    let code = check.text("/code", &body.code, "验证码", 6, 6);
    check.finish()?;
    checked!(phone, code);
    let usernames = accounts::recover_username(&state, &phone, &code, ip.0).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(RecoveredUsernames { usernames }))
}
