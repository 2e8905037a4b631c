//! 职称申报数据上报: batch reports up the path, and their history.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::error::{AppResult, Problem};
use crate::routes::json::Json;
use crate::routes::{Check, Page, PageQuery};
use crate::services::reports::{self, MAX_BATCH, ReportView};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config.service(create_report).service(list_reports);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// The ticked declarations, 1 to 1000.
    pub declaration_ids: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    pub id: String,
    pub to_org_id: String,
    pub to_org_name: String,
    pub count: i32,
    pub declaration_ids: Vec<String>,
    pub actor_name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<ReportView> for ReportDto {
    fn from(view: ReportView) -> Self {
        Self {
            id: view.report.id,
            to_org_id: view.report.to_org_id,
            to_org_name: view.to_org.map(|o| o.name).unwrap_or_default(),
            count: view.report.count,
            declaration_ids: view.declaration_ids,
            actor_name: view.report.actor_name,
            created_at: view.report.created_at,
        }
    }
}

/// 数据上报: all ticked declarations move, in one transaction, to the parent of the approved path
/// for their series and level, where they are `pending`. If any is not eligible nothing moves and
/// `errors` names each (`/declaration_ids/<index>`). Send an `Idempotency-Key` header to make
/// retries safe; retrying exactly the same batch without one also returns the first report (200).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request return the first answer")),
    responses(
        (status = 201, body = ReportDto),
        (status = 200, description = "A retry of a report already made", body = ReportDto),
        (status = 401, body = Problem),
        (status = 403, description = "No real-name reviewer registered (提示1), or not an org account", body = Problem),
        (status = 409, description = "A declaration changed during the report", body = Problem),
        (status = 422, description = "Some declarations are not eligible; nothing moved", body = Problem),
    )
)]
#[post("/reports")]
pub async fn create_report(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    request: HttpRequest,
    body: Json<ReportRequest>,
) -> AppResult<HttpResponse> {
    let ids = body.into_inner().declaration_ids;
    let mut check = Check::default();
    if ids.is_empty() || ids.len() > MAX_BATCH {
        check.fail("/declaration_ids", format!("请勾选1到{MAX_BATCH}条申报"));
    }
    for (index, id) in ids.iter().enumerate() {
        if id.len() > 64 {
            check.fail(&format!("/declaration_ids/{index}"), "申报编号无效");
        } else if ids[..index].contains(id) {
            check.fail(&format!("/declaration_ids/{index}"), "重复勾选");
        }
    }
    let key = request.headers().get("idempotency-key").map(|v| v.to_str().unwrap_or("").trim().to_string());
    if key.as_deref().is_some_and(|k| k.is_empty() || k.len() > 100) {
        check.fail("/idempotency_key", "Idempotency-Key 须为1到100个可见字符");
    }
    check.finish()?;
    let (view, created) = reports::report(&state, &user, ids, key, ip.0).await?;
    let mut response = if created { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response.json(ReportDto::from(view)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `sent` (default): reports this organisation made; `received`: reports made to it.
    #[param(inline)]
    pub direction: Option<Direction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Sent,
    Received,
}

/// The organisation's report history, newest first.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(ReportQuery, PageQuery),
    responses(
        (status = 200, body = Page<ReportDto>),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/reports")]
pub async fn list_reports(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ReportQuery>,
    paging: web::Query<PageQuery>,
) -> AppResult<web::Json<Page<ReportDto>>> {
    let (page, page_size) = paging.resolve()?;
    let received = query.direction == Some(Direction::Received);
    let (rows, total) = reports::list(&state, &user, received, page, page_size).await?;
    Ok(web::Json(Page { items: rows.into_iter().map(ReportDto::from).collect(), total, page, page_size }))
}
