//! 公示 and 职称电子证书: the working-day calendar, publishing a session's results, the public 公示
//! page, objections (异议) and the committee's desk, the decision, the holder's certificates,
//! public verification and revocation (撤销). The public endpoints (`/public/…`, `/verify/…`) need
//! no login and are rate limited per client IP.

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::checked;
use crate::domain::Level;
use crate::entities::{calendar_day, certificate, certificate_check, objection};
use crate::error::{AppError, AppResult, Problem};
use crate::routes::Check;
use crate::routes::json::Json;
use crate::services::certificates;
use crate::services::publicity::{self, PublicityView};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config.service(
        utoipa_actix_web::scope("/public")
            .wrap(actix_web::middleware::from_fn(crate::rate_limit::per_client_ip))
            .default_service(web::to(crate::spa::api_fallback))
            .service(public_publicities)
            .service(public_publicity),
    );
    config.service(
        utoipa_actix_web::scope("/verify")
            .wrap(actix_web::middleware::from_fn(crate::rate_limit::per_client_ip))
            .default_service(web::to(crate::spa::api_fallback))
            .service(public_key)
            .service(verify)
            .service(verify_pdf),
    );
    config
        .service(calendar_year)
        .service(set_calendar_day)
        .service(clear_calendar_day)
        .service(publish)
        .service(raise_objection)
        .service(objection_desk)
        .service(answer_objection)
        .service(my_objections)
        .service(finalise)
        .service(my_certificates)
        .service(certificate_pdf)
        .service(certificate_checks)
        .service(revoke);
}

fn parse_day(value: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| AppError::NotFound)
}

// ------------------------------------------------------------------------------------------
// The calendar

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDayDto {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// `holiday` (法定节假日) or `workday` (调休上班).
    pub kind: String,
    pub note: Option<String>,
}

impl From<calendar_day::Model> for CalendarDayDto {
    fn from(m: calendar_day::Model) -> Self {
        Self { day: m.day, kind: m.kind, note: m.note }
    }
}

/// The days of a year that differ from their weekday (weekends are rest days by default).
#[utoipa::path(tag = "publicity", security(("bearer" = [])),
    responses((status = 200, body = Vec<CalendarDayDto>), (status = 401, body = Problem), (status = 404, body = Problem)))]
#[get("/calendar/{year}")]
pub async fn calendar_year(
    state: web::Data<AppState>,
    _user: AuthUser,
    year: web::Path<i32>,
) -> AppResult<web::Json<Vec<CalendarDayDto>>> {
    let year = year.into_inner();
    if !(2000..=2100).contains(&year) {
        return Err(AppError::NotFound);
    }
    Ok(web::Json(publicity::calendar_year(&state, year).await?.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarDayRequest {
    /// `holiday` or `workday`.
    pub kind: String,
    pub note: Option<String>,
}

/// Marks a day as an official holiday or a make-up working day (platform admin, or the admin of
/// an organisation forming an approved committee).
#[utoipa::path(tag = "publicity", security(("bearer" = [])),
    responses((status = 200, body = CalendarDayDto), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, description = "Not a date", body = Problem), (status = 422, body = Problem)))]
#[put("/calendar/days/{day}")]
pub async fn set_calendar_day(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    day: web::Path<String>,
    body: Json<CalendarDayRequest>,
) -> AppResult<web::Json<CalendarDayDto>> {
    let day = parse_day(&day)?;
    let body = body.into_inner();
    let mut check = Check::default();
    let kind = match body.kind.as_str() {
        "holiday" => Some(publicity::HOLIDAY),
        "workday" => Some(publicity::WORKDAY),
        _ => {
            check.fail("/kind", "类型须为 holiday（节假日）或 workday（调休上班）");
            None
        }
    };
    let note = match &body.note {
        Some(n) if !n.trim().is_empty() => check.text("/note", n, "说明", 1, 100).map(Some),
        _ => Some(None),
    };
    check.finish()?;
    checked!(kind, note);
    Ok(web::Json(publicity::set_day(&state, &user, day, kind, note, ip.0).await?.into()))
}

/// Makes a day an ordinary day again.
#[utoipa::path(tag = "publicity", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[delete("/calendar/days/{day}")]
pub async fn clear_calendar_day(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    day: web::Path<String>,
) -> AppResult<HttpResponse> {
    let day = parse_day(&day)?;
    publicity::clear_day(&state, &user, day, ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ------------------------------------------------------------------------------------------
// 公示

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicityEntryDto {
    pub declaration_id: String,
    pub applicant_name: String,
    /// Only the region and the last four characters.
    pub id_number_masked: String,
    pub org_name: String,
    pub series_name: String,
    pub level: Level,
    pub level_label: String,
    pub specialty: String,
    /// The session's result: `passed` or `failed`.
    pub result: String,
    /// `publicized`, `certified`, `failed`, or `reopened` (an upheld objection).
    pub state: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicityDto {
    pub id: String,
    pub session_id: String,
    pub session_name: String,
    pub committee_name: String,
    pub published_on: String,
    pub working_days: i32,
    /// The last day of the period (objections are taken until its end, Beijing time).
    pub ends_on: String,
    /// `open` or `final`.
    pub status: String,
    pub entries: Vec<PublicityEntryDto>,
}

impl From<PublicityView> for PublicityDto {
    fn from(v: PublicityView) -> Self {
        Self {
            id: v.publicity.id,
            session_id: v.publicity.session_id,
            session_name: v.session_name,
            committee_name: v.committee_name,
            published_on: v.publicity.published_on,
            working_days: v.publicity.working_days,
            ends_on: v.publicity.ends_on,
            status: v.publicity.status,
            entries: v
                .entries
                .into_iter()
                .map(|e| PublicityEntryDto {
                    declaration_id: e.declaration_id,
                    applicant_name: e.applicant_name,
                    id_number_masked: e.id_number_masked,
                    org_name: e.org_name,
                    series_name: e.series_name,
                    level_label: e.level.label().to_string(),
                    level: e.level,
                    specialty: e.specialty,
                    result: e.result,
                    state: e.state,
                })
                .collect(),
        }
    }
}

/// The 公示 list, open ones first: no login, rate limited per client IP.
#[utoipa::path(tag = "publicity",
    responses((status = 200, body = Vec<PublicityDto>), (status = 429, body = Problem)))]
#[get("/publicities")]
pub async fn public_publicities(state: web::Data<AppState>) -> AppResult<web::Json<Vec<PublicityDto>>> {
    Ok(web::Json(publicity::list_public(&state).await?.into_iter().map(Into::into).collect()))
}

/// One 公示: no login, rate limited per client IP.
#[utoipa::path(tag = "publicity",
    responses((status = 200, body = PublicityDto), (status = 404, body = Problem), (status = 429, body = Problem)))]
#[get("/publicities/{id}")]
pub async fn public_publicity(state: web::Data<AppState>, id: web::Path<String>) -> AppResult<web::Json<PublicityDto>> {
    Ok(web::Json(publicity::get_public(&state, &id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// The period in working days (5–30); 5 when absent.
    pub working_days: Option<u32>,
}

/// 发布公示 of a closed session's results (the committee's admin).
#[utoipa::path(tag = "publicity", security(("bearer" = [])),
    responses((status = 201, body = PublicityDto), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Already published", body = Problem),
        (status = 422, description = "The session is not closed, or a bad period", body = Problem)))]
#[post("/review-sessions/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: Json<PublishRequest>,
) -> AppResult<HttpResponse> {
    let view = publicity::publish(&state, &user, &id, body.into_inner().working_days, ip.0).await?;
    Ok(HttpResponse::Created().json(PublicityDto::from(view)))
}

// ------------------------------------------------------------------------------------------
// 异议

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionRequest {
    pub declaration_id: String,
    /// 异议理由 (5–2000 characters).
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// `upheld` (异议成立: the declaration goes back for another review) or `dismissed`.
    pub decision: String,
    /// 处理意见 (2–2000 characters).
    pub answer: String,
}

/// An objection as its objector, or the committee's desk, sees it. Never names the objector.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectionDto {
    pub id: String,
    pub publicity_id: String,
    pub declaration_id: String,
    pub reason: String,
    /// `open`, `upheld` or `dismissed`.
    pub status: String,
    pub answer: Option<String>,
    pub answered_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<objection::Model> for ObjectionDto {
    fn from(m: objection::Model) -> Self {
        Self {
            id: m.id,
            publicity_id: m.publicity_id,
            declaration_id: m.declaration_id,
            reason: m.reason,
            status: m.status,
            answer: m.answer,
            answered_at: m.answered_at,
            created_at: m.created_at,
        }
    }
}

/// 提出异议 during the period (any logged-in account).
#[utoipa::path(tag = "publicity", security(("bearer" = [])),
    responses((status = 201, body = ObjectionDto), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "The caller's objection to it is still open", body = Problem),
        (status = 422, description = "After the period (`publicity_ended`), a declaration not in it, a bad reason", body = Problem)))]
#[post("/publicities/{id}/objections")]
pub async fn raise_objection(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<ObjectionRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut check = Check::default();
    let reason = check.free_text("/reason", &body.reason, "异议理由", 5, 2000);
    check.finish()?;
    checked!(reason);
    let saved = publicity::object(&state, &user, &id, &body.declaration_id, reason).await?;
    Ok(HttpResponse::Created().json(ObjectionDto::from(saved)))
}

/// The committee's objection desk for one 公示 (its admin): reasons and answers, no objector.
#[utoipa::path(tag = "publicity", security(("bearer" = [])),
    responses((status = 200, body = Vec<ObjectionDto>), (status = 401, body = Problem), (status = 404, body = Problem)))]
#[get("/publicities/{id}/objections")]
pub async fn objection_desk(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<Vec<ObjectionDto>>> {
    Ok(web::Json(publicity::desk(&state, &user, &id).await?.into_iter().map(Into::into).collect()))
}

/// 处理异议 (the committee's admin); the objector is told.
#[utoipa::path(tag = "publicity", security(("bearer" = [])),
    responses((status = 200, body = ObjectionDto), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Already answered", body = Problem), (status = 422, body = Problem)))]
#[post("/objections/{id}/answer")]
pub async fn answer_objection(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: Json<AnswerRequest>,
) -> AppResult<web::Json<ObjectionDto>> {
    let body = body.into_inner();
    let mut check = Check::default();
    let upheld = match body.decision.as_str() {
        "upheld" => Some(true),
        "dismissed" => Some(false),
        _ => {
            check.fail("/decision", "处理结果须为 upheld（异议成立）或 dismissed（异议不成立）");
            None
        }
    };
    let answer = check.free_text("/answer", &body.answer, "处理意见", 2, 2000);
    check.finish()?;
    checked!(upheld, answer);
    Ok(web::Json(publicity::answer(&state, &user, &id, upheld, answer, ip.0).await?.into()))
}

/// The caller's own objections and their answers.
#[utoipa::path(tag = "publicity", security(("bearer" = [])),
    responses((status = 200, body = Vec<ObjectionDto>), (status = 401, body = Problem)))]
#[get("/me/objections")]
pub async fn my_objections(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<Vec<ObjectionDto>>> {
    Ok(web::Json(publicity::my_objections(&state, &user).await?.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionDto {
    pub certified: Vec<String>,
    pub failed: Vec<String>,
}

/// 确定评审结果 once the period ended with no open objection (the committee's admin; a periodic
/// job does the same).
#[utoipa::path(tag = "publicity", security(("bearer" = [])),
    responses((status = 200, body = DecisionDto), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Already final, or open objections", body = Problem),
        (status = 422, description = "The period has not ended", body = Problem)))]
#[post("/publicities/{id}/finalise")]
pub async fn finalise(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<web::Json<DecisionDto>> {
    let decision = publicity::finalise_by_admin(&state, &user, &id, ip.0).await?;
    Ok(web::Json(DecisionDto { certified: decision.certified, failed: decision.failed }))
}

// ------------------------------------------------------------------------------------------
// Certificates

/// A certificate's facts, with the ID number masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateDto {
    pub number: String,
    pub holder_name: String,
    pub id_number_masked: String,
    pub series_name: String,
    pub specialty: String,
    pub level: String,
    pub level_label: String,
    pub title_name: String,
    pub committee_name: String,
    pub issued_on: String,
    /// `valid` or `revoked`.
    pub status: String,
    pub revoked_reason: Option<String>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The public verification address (the QR code's).
    pub verify_url: String,
    /// Base64 Ed25519 signature over the PDF's bytes.
    pub signature: String,
}

fn certificate_dto(state: &AppState, m: certificate::Model) -> CertificateDto {
    CertificateDto {
        verify_url: certificates::verify_url(state, &m.number),
        level_label: Level::parse(&m.level).map(|l| l.label()).unwrap_or("").to_string(),
        number: m.number,
        holder_name: m.holder_name,
        id_number_masked: m.id_number_masked,
        series_name: m.series_name,
        specialty: m.specialty,
        level: m.level,
        title_name: m.title_name,
        committee_name: m.committee_name,
        issued_on: m.issued_on,
        status: m.status,
        revoked_reason: m.revoked_reason,
        revoked_at: m.revoked_at,
        signature: m.signature,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicKeyDto {
    /// `Ed25519`.
    pub algorithm: String,
    /// Base64 of the 32-byte public key.
    pub public_key: String,
}

/// The platform's public key that checks certificate signatures.
#[utoipa::path(tag = "publicity", responses((status = 200, body = PublicKeyDto), (status = 429, body = Problem)))]
#[get("/public-key")]
pub async fn public_key(state: web::Data<AppState>) -> AppResult<web::Json<PublicKeyDto>> {
    Ok(web::Json(PublicKeyDto { algorithm: "Ed25519".into(), public_key: certificates::public_key(&state)? }))
}

/// 证书核验: a certificate's masked facts and whether it is valid or revoked. No login; when the
/// checker is logged in, the holder sees the checker's organisation.
#[utoipa::path(tag = "publicity",
    responses((status = 200, body = CertificateDto), (status = 404, body = Problem), (status = 429, body = Problem)))]
#[get("/{number}")]
pub async fn verify(
    state: web::Data<AppState>,
    user: Option<AuthUser>,
    number: web::Path<String>,
) -> AppResult<web::Json<CertificateDto>> {
    let found = certificates::verify(&state, &number, user.as_ref()).await?;
    Ok(web::Json(certificate_dto(&state, found)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PdfCheckDto {
    /// The uploaded bytes carry the platform's signature for this certificate.
    pub genuine: bool,
    pub certificate: CertificateDto,
}

/// Checks an uploaded certificate PDF (the request body, `application/pdf`) against the
/// certificate's signature: one changed byte fails.
#[utoipa::path(tag = "publicity",
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses((status = 200, body = PdfCheckDto), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
#[post("/{number}/pdf")]
pub async fn verify_pdf(
    state: web::Data<AppState>,
    user: Option<AuthUser>,
    number: web::Path<String>,
    body: web::Bytes,
) -> AppResult<web::Json<PdfCheckDto>> {
    if body.is_empty() {
        return Err(AppError::field("/", "请上传证书PDF文件"));
    }
    let (found, genuine) = certificates::verify_pdf(&state, &number, &body, user.as_ref()).await?;
    Ok(web::Json(PdfCheckDto { genuine, certificate: certificate_dto(&state, found) }))
}

/// The caller's certificates.
#[utoipa::path(tag = "publicity", security(("bearer" = [])),
    responses((status = 200, body = Vec<CertificateDto>), (status = 401, body = Problem)))]
#[get("/me/certificates")]
pub async fn my_certificates(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<Vec<CertificateDto>>> {
    let rows = certificates::mine(&state, &user).await?;
    Ok(web::Json(rows.into_iter().map(|m| certificate_dto(&state, m)).collect()))
}

/// Downloads the holder's certificate PDF; its detached signature is in `X-Signature`
/// (base64 Ed25519) and in the certificate's JSON.
#[utoipa::path(tag = "publicity", security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
#[get("/me/certificates/{number}/pdf")]
pub async fn certificate_pdf(
    state: web::Data<AppState>,
    user: AuthUser,
    number: web::Path<String>,
) -> AppResult<HttpResponse> {
    let found = certificates::own(&state, &user, &number).await?;
    let bytes = certificates::pdf_of(&found)?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}.pdf\"", found.number)))
        .insert_header(("X-Signature", found.signature.clone()))
        .body(bytes))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateCheckDto {
    pub checked_at: chrono::DateTime<chrono::Utc>,
    /// `lookup` or `pdf`.
    pub via: String,
    /// The checker's organisation when the checker was logged in as its member.
    pub checker_org_name: Option<String>,
}

impl From<certificate_check::Model> for CertificateCheckDto {
    fn from(m: certificate_check::Model) -> Self {
        Self { checked_at: m.checked_at, via: m.via, checker_org_name: m.checker_org_name }
    }
}

/// 谁查询了我: every verification of the holder's certificate.
#[utoipa::path(tag = "publicity", security(("bearer" = [])),
    responses((status = 200, body = Vec<CertificateCheckDto>), (status = 401, body = Problem), (status = 404, body = Problem)))]
#[get("/me/certificates/{number}/checks")]
pub async fn certificate_checks(
    state: web::Data<AppState>,
    user: AuthUser,
    number: web::Path<String>,
) -> AppResult<web::Json<Vec<CertificateCheckDto>>> {
    Ok(web::Json(certificates::checks(&state, &user, &number).await?.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// 撤销理由 (2–500 characters).
    pub reason: String,
}

/// 撤销 a certificate (a member of the bureau the committee reports to), with a reason.
#[utoipa::path(tag = "publicity", security(("bearer" = [])),
    responses((status = 200, body = CertificateDto), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Already revoked", body = Problem), (status = 422, body = Problem)))]
#[post("/certificates/{number}/revoke")]
pub async fn revoke(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    number: web::Path<String>,
    body: Json<RevokeRequest>,
) -> AppResult<web::Json<CertificateDto>> {
    let body = body.into_inner();
    let mut check = Check::default();
    let reason = check.free_text("/reason", &body.reason, "撤销理由", 2, 500);
    check.finish()?;
    checked!(reason);
    let saved = certificates::revoke(&state, &user, &number, reason, ip.0).await?;
    Ok(web::Json(certificate_dto(&state, saved)))
}
