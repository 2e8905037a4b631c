//! 导出Excel: the review list with its filters and a report batch's 上报花名册, streamed as `.xlsx`;
//! and the batch itself, so that 上报记录 open to their names.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::error::{AppError, AppResult, Problem};
use crate::routes::attachments::content_disposition;
use crate::routes::reviews::{ReviewQuery, ReviewRowDto};
use crate::services::exports::{self, Export};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config.service(export_reviews).service(get_report).service(export_report_roster);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnmaskQuery {
    /// `true`: full ID numbers and phones on the rows the caller's organisation holds now
    /// (others stay masked). Audited either way.
    pub unmasked: Option<bool>,
}

fn stream(export: Export) -> AppResult<HttpResponse> {
    let length = export.file.metadata().map_err(|e| AppError::Unexpected(e.into()))?.len();
    let file = tokio::fs::File::from_std(export.file);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(exports::XLSX)))
        .insert_header((header::CONTENT_LENGTH, length.to_string()))
        .insert_header((header::CONTENT_DISPOSITION, content_disposition(&export.filename)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .insert_header(("X-Row-Count", export.rows.to_string()))
        .streaming(tokio_util::io::ReaderStream::new(file)))
}

/// 导出Excel of the review list: exactly the rows `GET /reviews` gives under the same filters,
/// all pages. ID numbers and phones are masked unless `unmasked=true`.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(ReviewQuery, UnmaskQuery),
    responses(
        (status = 200, description = "The sheet, as an attachment",
            content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
            headers(("X-Row-Count" = u64, description = "Declarations in the sheet"))),
        (status = 401, body = Problem),
        (status = 403, description = "Not an organisation account", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/exports/reviews")]
pub async fn export_reviews(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    query: web::Query<ReviewQuery>,
    unmask: web::Query<UnmaskQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    if query.q.as_deref().is_some_and(|q| q.chars().count() > 50) {
        return Err(AppError::field("/q", "搜索内容过长"));
    }
    if query.series.as_deref().is_some_and(|s| s.len() > 32) {
        return Err(AppError::field("/series", "职称系列不存在"));
    }
    if query.org_id.as_deref().is_some_and(|s| s.len() > 64) {
        return Err(AppError::field("/org_id", "单位不存在"));
    }
    let filter = query.into_filter();
    stream(exports::review_list(&state, &user, filter, unmask.unmasked.unwrap_or(false), ip.0).await?)
}

/// One 上报记录 with the declarations it carried.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDetailDto {
    pub id: String,
    pub from_org_id: String,
    pub from_org_name: String,
    pub to_org_id: String,
    pub to_org_name: String,
    pub count: i32,
    pub actor_name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The declarations, masked, as the caller's organisation sees them now.
    pub declarations: Vec<ReviewRowDto>,
}

/// 上报记录详情: a batch with its declarations, for the organisation that sent it and the one
/// it went to; anyone else gets 404.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The report")),
    responses(
        (status = 200, body = ReportDetailDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/reports/{id}")]
pub async fn get_report(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<ReportDetailDto>> {
    let batch = exports::report_batch(&state, &user, &id).await?;
    let r = batch.report;
    Ok(web::Json(ReportDetailDto {
        id: r.id,
        from_org_id: r.from_org_id,
        from_org_name: batch.from_org.map(|o| o.name).unwrap_or_default(),
        to_org_id: r.to_org_id,
        to_org_name: batch.to_org.map(|o| o.name).unwrap_or_default(),
        count: r.count,
        actor_name: r.actor_name,
        created_at: r.created_at,
        declarations: batch.rows.into_iter().map(ReviewRowDto::from).collect(),
    }))
}

/// 导出上报花名册: the batch's organisations, date and count to stamp, and its declarations.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The report"), UnmaskQuery),
    responses(
        (status = 200, description = "The sheet, as an attachment",
            content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
            headers(("X-Row-Count" = u64, description = "Declarations in the sheet"))),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/reports/{id}/roster")]
pub async fn export_report_roster(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
    unmask: web::Query<UnmaskQuery>,
) -> AppResult<HttpResponse> {
    stream(exports::report_roster(&state, &user, &id, unmask.unmasked.unwrap_or(false), ip.0).await?)
}
