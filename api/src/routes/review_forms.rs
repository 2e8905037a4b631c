//! 评审表: the declaration as a PDF (打印/下载评审表) and the public check of a printed one.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::error::{AppResult, Problem};
use crate::routes::attachments::content_disposition;
use crate::services::{access_log, review_forms};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config.service(download_review_form).service(verify_review_form);
}

/// 打印/下载评审表: the declaration's 《专业技术职务任职资格评审表》 as a PDF — every section with
/// its items, the evidence list, every level's opinion with the real-name reviewer, organisation
/// and date — with a QR code to `/verify/forms/{hash}`. For the applicant (a draft gives her a
/// preview) and every organisation the declaration reached; anyone else gets 404.
#[utoipa::path(
    tag = "declarations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The declaration")),
    responses(
        (status = 200, description = "The form, as an attachment",
            content(("application/pdf")),
            headers(("X-Content-Hash" = String, description = "SHA-256 of the form's content, as its QR code carries it"))),
        (status = 401, body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/declarations/{id}/review-form")]
pub async fn download_review_form(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let form = review_forms::render(&state, &user, &id, ip.0).await?;
    // The form carries the whole file: an organisation printing it opened it (访问记录).
    access_log::record_view(&state, &user, &id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/pdf")))
        .insert_header((header::CONTENT_DISPOSITION, content_disposition(&form.filename)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .insert_header(("X-Content-Hash", form.content_hash))
        .body(form.pdf))
}

/// What a printed 评审表's QR code tells anyone who scans it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormVerificationDto {
    /// The printed content still matches the platform's current record; false once anything
    /// on the form changed (an item, an opinion, the status).
    pub current: bool,
    /// 张** — the applicant's name, masked.
    pub applicant: String,
    pub year: i32,
    /// Series, title and kind, e.g. `2026年度 卫生系列 主管护师（职称申报）`.
    pub subtitle: String,
    /// When this content was first generated.
    pub printed_at: chrono::DateTime<chrono::Utc>,
    /// A sentence to show.
    pub message: String,
}

/// 评审表核验 (public, no login, limited per client IP like the other public pages): whether a
/// printed form's content hash matches the platform's current record. A hash the platform never
/// generated is 404.
#[utoipa::path(
    tag = "declarations",
    params(("hash" = String, Path, description = "SHA-256 (hex) from the form's QR code")),
    responses(
        (status = 200, body = FormVerificationDto),
        (status = 404, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/verify/forms/{hash}", wrap = "actix_web::middleware::from_fn(crate::rate_limit::per_client_ip)")]
pub async fn verify_review_form(
    state: web::Data<AppState>,
    hash: web::Path<String>,
) -> AppResult<web::Json<FormVerificationDto>> {
    let v = review_forms::verify(&state, &hash).await?;
    let message = if v.current {
        "该评审表与平台当前记录一致".to_string()
    } else {
        "该评审表生成后申报记录已有变更，请以平台当前记录为准".to_string()
    };
    Ok(web::Json(FormVerificationDto {
        current: v.current,
        applicant: v.applicant,
        year: v.year,
        subtitle: v.subtitle,
        printed_at: v.printed_at,
        message,
    }))
}
