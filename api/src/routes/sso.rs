//! Unified government platform login (山东省政务统一平台登录): the browser redirects, the SPA's
//! code exchange and registration, and the caller's binding.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header::{CACHE_CONTROL, LOCATION};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::checked;
use crate::domain::{IdCardNumber, OrgKind, Password, Phone, Username};
use crate::error::{AppError, AppResult, Problem};
use crate::routes::Check;
use crate::routes::auth::{RegisterOrgRequest, parse_org};
use crate::routes::json::Json;
use crate::services::sso::{self, CallbackOutcome, CallbackParams, SsoError, SsoRegistration, SsoSession};
use crate::state::AppState;

/// Mounts `/auth/sso/*` (rate limited like the rest of `/auth`) and `/me/sso-binding`.
/// Registered before the `/auth` scope, which would otherwise claim these paths.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(
            utoipa_actix_web::scope("/auth/sso")
                .wrap(actix_web::middleware::from_fn(crate::rate_limit::per_client_ip))
                .default_service(web::to(crate::spa::api_fallback))
                .service(sso_config)
                .service(sso_login)
                .service(sso_callback)
                .service(sso_exchange)
                .service(sso_registration)
                .service(sso_register)
                .service(sso_register_org),
        )
        .service(get_binding)
        .service(delete_binding);
}

/// Where the browser goes, as a `302 Found` nobody caches.
fn redirect(location: String) -> HttpResponse {
    HttpResponse::Found().insert_header((LOCATION, location)).insert_header((CACHE_CONTROL, "no-store")).finish()
}

/// A path of the SPA, behind `sso.frontend_url` when the SPA is served elsewhere.
fn spa(state: &AppState, path_and_query: &str) -> String {
    format!("{}{path_and_query}", state.settings.sso.frontend_url.trim_end_matches('/'))
}

/// Ties a started login to the browser that started it (login CSRF defence). Sent back only to
/// our `/auth/sso/*` paths, never readable by scripts.
const BROWSER_COOKIE: &str = "zc_sso_browser";

/// The browser's `zc_sso_browser` cookie, if it sent one.
fn browser_of(request: &HttpRequest) -> Option<String> {
    request.cookie(BROWSER_COOKIE).map(|cookie| cookie.value().to_string())
}

/// The cookie lives as long as the login may stay at the provider, and is renewed by the callback
/// for as long as the code or ticket it issued.
fn browser_cookie(state: &AppState, value: String, max_age_secs: i64) -> Cookie<'static> {
    let secure = state.settings.sso.redirect_url.as_deref().is_some_and(|url| url.starts_with("https://"));
    Cookie::build(BROWSER_COOKIE, value)
        .path("/api/v1/auth/sso")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::seconds(max_age_secs))
        .finish()
}

fn refused(state: &AppState, error: SsoError) -> HttpResponse {
    redirect(spa(state, &format!("/login?sso_error={}", error.code())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SsoConfigResponse {
    /// Whether the login button should be shown.
    pub enabled: bool,
    #[schema(example = "山东省政务统一平台")]
    pub display_name: String,
}

/// Whether unified platform login is available, and what to call it.
#[utoipa::path(
    tag = "sso",
    responses((status = 200, body = SsoConfigResponse), (status = 429, body = Problem))
)]
#[get("/config")]
pub async fn sso_config(state: web::Data<AppState>) -> web::Json<SsoConfigResponse> {
    web::Json(SsoConfigResponse { enabled: state.sso.is_some(), display_name: state.settings.sso.display_name.clone() })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SsoLoginQuery {
    /// A path of the SPA to return to after signing in (e.g. `/declarations`); anything that is
    /// not a local path becomes `/`.
    pub return_to: Option<String>,
}

/// Starts a unified platform login (a browser navigation, not an XHR).
///
/// Answers `302` to the provider's authorization endpoint with `state`, `nonce` and a PKCE
/// `S256` challenge; the pending login is kept server-side for `sso.login_ttl_secs` and can be
/// used once, in this browser only: the answer sets an HttpOnly `zc_sso_browser` cookie
/// (path `/api/v1/auth/sso`, SameSite=Lax) that the callback must bring back. When SSO is off or the provider cannot be reached, the `302` goes to
/// `/login?sso_error=sso_disabled` or `/login?sso_error=provider_unavailable` instead.
#[utoipa::path(
    tag = "sso",
    params(SsoLoginQuery),
    responses(
        (status = 302, description = "To the provider's authorization endpoint, or to `/login?sso_error=<code>`",
            headers(
                ("Location" = String, description = "Where the browser goes next"),
                ("Set-Cookie" = String, description = "`zc_sso_browser`: ties the login to this browser"),
            )),
        (status = 429, body = Problem),
    )
)]
#[get("/login")]
pub async fn sso_login(
    state: web::Data<AppState>,
    request: HttpRequest,
    ip: ClientIp,
    query: web::Query<SsoLoginQuery>,
) -> HttpResponse {
    let browser = browser_of(&request);
    match sso::begin_login(&state, query.return_to.as_deref(), browser.as_deref(), ip.0).await {
        Ok(started) => {
            let mut response = redirect(started.url);
            if let Err(error) =
                response.add_cookie(&browser_cookie(&state, started.browser, state.settings.sso.login_ttl_secs))
            {
                tracing::error!(error = %error, "could not set the sso browser cookie");
            }
            response
        }
        Err(failure) => refused(&state, failure.error),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SsoCallbackQuery {
    /// The authorization code.
    pub code: Option<String>,
    /// The `state` this login was started with.
    pub state: Option<String>,
    /// An OAuth error code instead of a code, e.g. `access_denied`.
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// The issuer (RFC 9207), when the provider sends it: must be the configured issuer.
    pub iss: Option<String>,
}

/// The provider's redirect back to us (the registered `redirect_uri`).
///
/// Verifies `state` (single use, unexpired, same browser as the login), exchanges the code with the PKCE verifier, and
/// verifies the ID token: signature by the provider's JWKS, `iss`, `aud == client_id`, `exp`, `nonce`.
/// Then it answers `302` to one of:
///
/// - `/sso/complete?code=<login code>`: signed in. The identity was bound to an account before, or
///   this first login bound it (a person by the verified ID number, an organisation's admin account
///   by the verified credit code). The SPA exchanges the one-time code at `POST /auth/sso/exchange`
///   within `sso.code_ttl_secs` (120 s by default).
/// - `/sso/register?ticket=<ticket>`: a verified identity with no account. The SPA reads it with
///   `GET /auth/sso/registration` and registers within 5 minutes: a person with
///   `POST /auth/sso/register`, an organisation with `POST /auth/sso/register/org`.
/// - `/login?sso_error=<code>`: refused, no session. Codes: `sso_disabled`, `invalid_state` (missing,
///   unknown or reused state, or another browser), `state_expired`, `access_denied` (cancelled at the provider),
///   `provider_error`, `provider_unavailable`, `code_rejected` (the provider refused the code: replayed,
///   expired or PKCE mismatch), `missing_id_token`, `bad_signature`, `wrong_issuer`, `wrong_audience`,
///   `token_expired`, `wrong_nonce`, `invalid_id_token`, `identity_incomplete` (no valid ID number or
///   credit code, or no usable name to register with), `already_bound` (the matching account is bound
///   to another identity), `account_disabled`, `internal_error`. Each refusal is in the audit log
///   as `sso_login_failed`.
#[utoipa::path(
    tag = "sso",
    params(SsoCallbackQuery),
    responses(
        (status = 302, description = "To `/sso/complete?code=…`, `/sso/register?ticket=…` or `/login?sso_error=<code>`",
            headers(("Location" = String, description = "Where the browser goes next"))),
        (status = 429, body = Problem),
    )
)]
#[get("/callback")]
pub async fn sso_callback(
    state: web::Data<AppState>,
    request: HttpRequest,
    ip: ClientIp,
    query: web::Query<SsoCallbackQuery>,
) -> HttpResponse {
    let query = query.into_inner();
    let params = CallbackParams {
        code: query.code,
        state: query.state,
        error: query.error,
        issuer: query.iss,
        browser: browser_of(&request),
    };
    let browser = params.browser.clone();
    let mut response = match sso::complete_login(&state, params, ip.0).await {
        Ok(CallbackOutcome::SignedIn { login_code }) => {
            redirect(spa(&state, &format!("/sso/complete?code={login_code}")))
        }
        Ok(CallbackOutcome::Register { ticket }) => redirect(spa(&state, &format!("/sso/register?ticket={ticket}"))),
        Err(failure) => return refused(&state, failure.error),
    };
    // The code or ticket works only in this browser: keep its cookie as long as they live.
    if let Some(browser) = browser {
        let settings = &state.settings.sso;
        let max_age = settings.code_ttl_secs.max(settings.ticket_ttl_secs);
        if let Err(error) = response.add_cookie(&browser_cookie(&state, browser, max_age)) {
            tracing::error!(error = %error, "could not renew the sso browser cookie");
        }
    }
    response
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoExchangeRequest {
    /// The one-time code from `/sso/complete?code=…`.
    pub code: String,
}

/// The usual login answer, plus where the SPA should go.
#[derive(Debug, Serialize, ToSchema)]
pub struct SsoLoginResponse {
    pub access_token: String,
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Lifetime of the access token in seconds.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// The `return_to` the login was started with (a local path).
    #[schema(example = "/")]
    pub return_to: String,
}

impl From<SsoSession> for SsoLoginResponse {
    fn from(session: SsoSession) -> Self {
        Self {
            access_token: session.tokens.access_token,
            refresh_token: session.tokens.refresh_token,
            token_type: "Bearer".into(),
            expires_in: session.tokens.expires_in,
            return_to: session.return_to,
        }
    }
}

/// Exchanges the one-time login code of a unified platform login for tokens. Single use, and only
/// in the browser that made the login (it sends its `zc_sso_browser` cookie).
#[utoipa::path(
    tag = "sso",
    responses(
        (status = 200, body = SsoLoginResponse),
        (status = 401, description = "`invalid_login_code`: unknown, used or expired code, or another browser's", body = Problem),
        (status = 403, description = "`account_disabled`", body = Problem),
        (status = 422, body = Problem),
        (status = 429, body = Problem),
    )
)]
#[post("/exchange")]
pub async fn sso_exchange(
    state: web::Data<AppState>,
    request: HttpRequest,
    ip: ClientIp,
    body: Json<SsoExchangeRequest>,
) -> AppResult<HttpResponse> {
    let mut check = Check::default();
    let code = check.text("/code", &body.code, "登录凭证", 1, 256);
    check.finish()?;
    checked!(code);
    let session = sso::exchange(&state, &code, browser_of(&request).as_deref(), ip.0).await?;
    Ok(HttpResponse::Ok().insert_header((CACHE_CONTROL, "no-store")).json(SsoLoginResponse::from(session)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SsoTicketQuery {
    /// The ticket from `/sso/register?ticket=…`.
    pub ticket: String,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SsoIdentityKind {
    /// A natural person (个人).
    Person,
    /// A legal person (法人): an organisation.
    Org,
}

/// The verified identity a registration starts from; these fields cannot be changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SsoRegistrationView {
    pub kind: SsoIdentityKind,
    /// The person's verified name (for an organisation: who logged in, possibly empty).
    #[schema(example = "张护士")]
    pub real_name: String,
    #[schema(example = "370126********0024")]
    pub id_number_masked: Option<String>,
    #[schema(example = "12370126MB00000046")]
    pub uscc: Option<String>,
    pub org_name: Option<String>,
}

/// The verified identity behind a registration ticket (does not use the ticket up). A ticket works
/// only in the browser that made the login, as do the two registrations below.
#[utoipa::path(
    tag = "sso",
    params(SsoTicketQuery),
    responses(
        (status = 200, body = SsoRegistrationView),
        (status = 422, description = "`invalid_ticket`: unknown, used or expired ticket, or another browser's", body = Problem),
        (status = 429, body = Problem),
    )
)]
#[get("/registration")]
pub async fn sso_registration(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<SsoTicketQuery>,
) -> AppResult<HttpResponse> {
    let identity = sso::registration(&state, query.ticket.trim(), browser_of(&request).as_deref()).await?;
    let view = SsoRegistrationView {
        kind: if identity.kind == "org" { SsoIdentityKind::Org } else { SsoIdentityKind::Person },
        real_name: identity.real_name,
        id_number_masked: identity
            .id_number
            .as_deref()
            .and_then(|id| IdCardNumber::parse(id).ok())
            .map(|id| id.masked()),
        uscc: identity.uscc,
        org_name: identity.org_name,
    };
    Ok(HttpResponse::Ok().insert_header((CACHE_CONTROL, "no-store")).json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoRegisterRequest {
    pub ticket: String,
    #[schema(example = "nurse_li")]
    pub username: String,
    pub password: String,
    #[schema(example = "13800138000")]
    pub phone: String,
}

/// Opens a person account from a registration ticket: the verified name and ID number are taken
/// from the platform and locked; the account is bound to the platform identity and signed in.
#[utoipa::path(
    tag = "sso",
    responses(
        (status = 201, body = SsoLoginResponse),
        (status = 409, description = "Username, ID number or phone already registered, or the identity already bound", body = Problem),
        (status = 422, description = "A field is invalid; `invalid_ticket`; or `org_registration_required` \
            for an organisation's identity (register it with `POST /auth/sso/register/org`)", body = Problem),
        (status = 429, body = Problem),
    )
)]
#[post("/register")]
pub async fn sso_register(
    state: web::Data<AppState>,
    request: HttpRequest,
    ip: ClientIp,
    body: Json<SsoRegisterRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut check = Check::default();
    let ticket = check.text("/ticket", &body.ticket, "注册凭证", 1, 256);
    let username = check.parse("/username", Username::parse(&body.username));
    let password = check.parse("/password", Password::parse_for(&body.password, &[&body.username, &body.phone]));
    let phone = check.parse("/phone", Phone::parse(&body.phone));
    check.finish()?;
    checked!(ticket, username, password, phone);
    let browser = browser_of(&request);
    let input = SsoRegistration { username, password, phone };
    let session = sso::register(&state, &ticket, browser.as_deref(), input, ip.0).await?;
    Ok(HttpResponse::Created().insert_header((CACHE_CONTROL, "no-store")).json(SsoLoginResponse::from(session)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoRegisterOrgRequest {
    pub ticket: String,
    /// Only when the platform sent no organisation name; a verified name cannot be replaced.
    pub name: Option<String>,
    pub kind: OrgKind,
    /// 行政区划: a 区县 code of GB/T 2260 (`GET /divisions`).
    #[schema(example = "370126")]
    pub region_code: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub admin_username: String,
    pub admin_password: String,
}

/// 单位注册 from an organisation's registration ticket: the verified credit code (and name, when
/// the platform sent one) are locked; the new admin account is bound to the platform identity and
/// signed in. The credit code cannot be supplied.
#[utoipa::path(
    tag = "sso",
    responses(
        (status = 201, body = SsoLoginResponse),
        (status = 409, description = "Credit code or username already registered, or the identity already bound", body = Problem),
        (status = 422, description = "A field is invalid (the kind `hrss` included); `invalid_ticket`; or \
            `person_registration_required` for a person's ticket", body = Problem),
        (status = 429, body = Problem),
    )
)]
#[post("/register/org")]
pub async fn sso_register_org(
    state: web::Data<AppState>,
    request: HttpRequest,
    ip: ClientIp,
    body: Json<SsoRegisterOrgRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut check = Check::default();
    let ticket = check.text("/ticket", &body.ticket, "注册凭证", 1, 256);
    check.finish()?;
    checked!(ticket);
    let browser = browser_of(&request);
    let identity = sso::registration(&state, &ticket, browser.as_deref()).await?;
    if identity.kind != "org" {
        return Err(AppError::rule("person_registration_required", "该注册凭证属于个人身份，请进行个人注册"));
    }
    if identity.org_name.is_some() && body.name.is_some() {
        return Err(AppError::field("/name", "单位名称已由政务统一平台核验，不能修改"));
    }
    let input = parse_org(RegisterOrgRequest {
        name: identity.org_name.or(body.name).unwrap_or_default(),
        uscc: identity.uscc.unwrap_or_default(),
        kind: body.kind,
        region_code: body.region_code,
        address: body.address,
        contact_name: body.contact_name,
        contact_phone: body.contact_phone,
        admin_username: body.admin_username,
        admin_password: body.admin_password,
    })?;
    if !input.kind.can_self_register() {
        return Err(AppError::field("/kind", "人社局账号由平台管理员开通，不能自行注册"));
    }
    let session = sso::register_org(&state, &ticket, browser.as_deref(), input, ip.0).await?;
    Ok(HttpResponse::Created().insert_header((CACHE_CONTROL, "no-store")).json(SsoLoginResponse::from(session)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SsoBindingView {
    #[schema(example = "https://tyrz.shandong.gov.cn")]
    pub issuer: String,
    /// The platform's identifier of the user (`sub`).
    pub subject: String,
    pub bound_at: chrono::DateTime<chrono::Utc>,
}

/// The caller's binding to the unified platform.
#[utoipa::path(
    tag = "sso",
    security(("bearer" = [])),
    responses(
        (status = 200, body = SsoBindingView),
        (status = 401, body = Problem),
        (status = 404, description = "Not bound", body = Problem),
    )
)]
#[get("/me/sso-binding")]
pub async fn get_binding(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<SsoBindingView>> {
    let binding = sso::binding(&state, &user.id).await?;
    Ok(web::Json(SsoBindingView { issuer: binding.issuer, subject: binding.subject, bound_at: binding.created_at }))
}

/// Removes the caller's binding. The next unified platform login binds again by the verified
/// ID number or credit code.
#[utoipa::path(
    tag = "sso",
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 404, description = "Not bound", body = Problem))
)]
#[delete("/me/sso-binding")]
pub async fn delete_binding(state: web::Data<AppState>, user: AuthUser, ip: ClientIp) -> AppResult<HttpResponse> {
    sso::unbind(&state, &user.id, ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
