//! 单位路径申请 and 单位路径审核.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::checked;
use crate::domain::{Level, OrgKind, OrgVerification, PathStatus};
use crate::error::{AppResult, Problem};
use crate::routes::json::Json;
use crate::routes::{Check, Page, PageQuery};
use crate::services::paths::{self, PathSide, PathView};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(apply_path)
        .service(apply_paths)
        .service(withdraw_path)
        .service(list_paths)
        .service(list_path_audits)
        .service(approve_path)
        .service(reject_path);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyPathRequest {
    /// 职称系列 code.
    #[schema(example = "health")]
    pub series: String,
    /// 职称级别.
    pub level: Level,
    /// 上级或主管单位: the organisation this one reports to, which also audits the path.
    pub parent_org_id: String,
}

/// An organisation on a path row, with what a clerk checks it against (单位认证).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgRef {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    /// 统一社会信用代码, in full: it is public.
    pub uscc: String,
    pub region_code: String,
    pub address: String,
    pub verification: OrgVerification,
    /// Vouched for by a bureau (or provisioned by the platform).
    pub verified: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PathDto {
    pub id: String,
    pub org: OrgRef,
    /// 上报路径审核单位: the parent, which audits the application.
    pub parent: OrgRef,
    pub series: String,
    pub series_name: String,
    pub level: Level,
    pub level_label: String,
    pub title_name: String,
    pub status: PathStatus,
    pub status_label: String,
    /// Why it was rejected (审核不通过).
    pub reason: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The row of `org`, or an empty one named by `id` when it is gone.
pub fn org_ref(org: Option<crate::entities::org::Model>, id: &str) -> OrgRef {
    match org {
        Some(org) => OrgRef {
            kind: OrgKind::parse(&org.kind).unwrap_or(OrgKind::Enterprise),
            verification: OrgVerification::parse(&org.verification).unwrap_or(OrgVerification::Unverified),
            verified: crate::services::orgs::is_verified(&org),
            id: org.id,
            name: org.name,
            uscc: org.uscc,
            region_code: org.region_code,
            address: org.address,
        },
        None => OrgRef {
            id: id.to_string(),
            name: String::new(),
            kind: OrgKind::Enterprise,
            uscc: String::new(),
            region_code: String::new(),
            address: String::new(),
            verification: OrgVerification::Unverified,
            verified: false,
        },
    }
}

impl From<PathView> for PathDto {
    fn from(view: PathView) -> Self {
        let level = Level::parse(&view.path.level).unwrap_or(Level::Intermediate);
        let status = PathStatus::parse(&view.path.status).unwrap_or(PathStatus::Pending);
        Self {
            org: org_ref(view.org, &view.path.org_id),
            parent: org_ref(view.parent, &view.path.parent_org_id),
            id: view.path.id,
            series: view.path.series_code,
            series_name: view.series_name,
            level,
            level_label: level.label().into(),
            title_name: view.title_name,
            status,
            status_label: status.label().into(),
            reason: view.path.reason,
            created_at: view.path.created_at,
            decided_at: view.path.decided_at,
        }
    }
}

/// 新增路径: apply to report a series and level to a parent organisation.
#[utoipa::path(
    tag = "paths",
    security(("bearer" = [])),
    responses(
        (status = 201, body = PathDto),
        (status = 401, body = Problem),
        (status = 403, description = "Not an org admin", body = Problem),
        (status = 409, description = "A pending or approved path exists (之前已开通路径的不再重复申请)", body = Problem),
        (status = 422, description = "Unknown series, a level the series lacks, unknown or unverified parent, wrong parent kind", body = Problem),
    )
)]
#[post("/paths")]
pub async fn apply_path(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    body: Json<ApplyPathRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut check = Check::default();
    let series = check.text("/series", &body.series, "职称系列", 1, 32);
    let parent = check.text("/parent_org_id", &body.parent_org_id, "上级或主管单位", 1, 64);
    check.finish()?;
    checked!(series, parent);
    let created = paths::apply(&state, &user, &series, body.level, &parent, ip.0).await?;
    let view = paths::views(&state.db, vec![created]).await?.pop().ok_or(crate::error::AppError::NotFound)?;
    Ok(HttpResponse::Created().json(PathDto::from(view)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyPathsRequest {
    /// 职称系列 code.
    #[schema(example = "health")]
    pub series: String,
    /// 职称级别: one or more, each once.
    pub levels: Vec<Level>,
    /// 上级或主管单位, the same for every level.
    pub parent_org_id: String,
}

/// 新增路径 for several levels of one series at once: every level's application is made, or none
/// is; a level already open or pending is named by its pointer (`/levels/1`).
#[utoipa::path(
    tag = "paths",
    security(("bearer" = [])),
    responses(
        (status = 201, body = Vec<PathDto>),
        (status = 401, body = Problem),
        (status = 403, description = "Not an org admin", body = Problem),
        (status = 409, description = "A level has a pending or approved path", body = Problem),
        (status = 422, description = "No level, a repeated level, a level the series lacks, unknown or unverified parent", body = Problem),
    )
)]
#[post("/paths/batch")]
pub async fn apply_paths(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    body: Json<ApplyPathsRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut check = Check::default();
    let series = check.text("/series", &body.series, "职称系列", 1, 32);
    let parent = check.text("/parent_org_id", &body.parent_org_id, "上级或主管单位", 1, 64);
    if body.levels.is_empty() {
        check.fail("/levels", "请选择至少一个职称级别");
    }
    for (i, level) in body.levels.iter().enumerate() {
        if body.levels[..i].contains(level) {
            check.fail(&format!("/levels/{i}"), format!("{}重复选择", level.label()));
        }
    }
    check.finish()?;
    checked!(series, parent);
    let levels: Vec<(Level, String)> =
        body.levels.iter().enumerate().map(|(i, level)| (*level, format!("/levels/{i}"))).collect();
    let created = paths::apply_levels(&state, &user, &series, &levels, &parent, ip.0).await?;
    let views = paths::views(&state.db, created).await?;
    Ok(HttpResponse::Created().json(views.into_iter().map(PathDto::from).collect::<Vec<_>>()))
}

/// 撤回: takes back the caller's organisation's application while the parent has not decided it.
#[utoipa::path(
    tag = "paths",
    security(("bearer" = [])),
    responses(
        (status = 200, body = PathDto),
        (status = 401, body = Problem),
        (status = 403, description = "Not an org admin", body = Problem),
        (status = 404, description = "No such application of the caller's organisation", body = Problem),
        (status = 409, description = "Already decided or withdrawn", body = Problem),
    )
)]
#[post("/paths/{id}/withdraw")]
pub async fn withdraw_path(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<web::Json<PathDto>> {
    Ok(web::Json(paths::withdraw(&state, &user, &id, ip.0).await?.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PathStatusQuery {
    pub status: Option<PathStatus>,
}

/// The caller's organisation's path applications with their status and any rejection reason.
#[utoipa::path(
    tag = "paths",
    security(("bearer" = [])),
    params(PathStatusQuery, PageQuery),
    responses(
        (status = 200, body = Page<PathDto>),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/paths")]
pub async fn list_paths(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<PathStatusQuery>,
    paging: web::Query<PageQuery>,
) -> AppResult<web::Json<Page<PathDto>>> {
    let (page, page_size) = paging.resolve()?;
    let (rows, total) = paths::list(&state, &user, PathSide::Applicant, query.status, page, page_size).await?;
    Ok(web::Json(Page { items: rows.into_iter().map(PathDto::from).collect(), total, page, page_size }))
}

/// 单位路径审核: applications whose parent is the caller's organisation.
#[utoipa::path(
    tag = "paths",
    security(("bearer" = [])),
    params(PathStatusQuery, PageQuery),
    responses(
        (status = 200, body = Page<PathDto>),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/path-audits")]
pub async fn list_path_audits(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<PathStatusQuery>,
    paging: web::Query<PageQuery>,
) -> AppResult<web::Json<Page<PathDto>>> {
    let (page, page_size) = paging.resolve()?;
    let (rows, total) = paths::list(&state, &user, PathSide::Auditor, query.status, page, page_size).await?;
    Ok(web::Json(Page { items: rows.into_iter().map(PathDto::from).collect(), total, page, page_size }))
}

/// 审核通过: opens the path. Only the parent's org admin, only while pending.
#[utoipa::path(
    tag = "paths",
    security(("bearer" = [])),
    responses(
        (status = 200, body = PathDto),
        (status = 401, body = Problem),
        (status = 403, description = "Not an org admin, or the organisation is not verified (单位认证)", body = Problem),
        (status = 404, description = "No such path awaiting this organisation's audit", body = Problem),
        (status = 409, description = "Already decided", body = Problem),
    )
)]
#[post("/paths/{id}/approve")]
pub async fn approve_path(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<web::Json<PathDto>> {
    let view = paths::decide(&state, &user, &id, true, None, ip.0).await?;
    Ok(web::Json(view.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectPathRequest {
    /// Why the application is wrong; shown to the applicant.
    pub reason: String,
}

/// 审核不通过: rejects with a mandatory reason; the applicant may apply again.
#[utoipa::path(
    tag = "paths",
    security(("bearer" = [])),
    responses(
        (status = 200, body = PathDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem),
        (status = 422, description = "Missing reason", body = Problem),
    )
)]
#[post("/paths/{id}/reject")]
pub async fn reject_path(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: Json<RejectPathRequest>,
) -> AppResult<web::Json<PathDto>> {
    let mut check = Check::default();
    let reason = check.free_text("/reason", &body.reason, "不通过原因", 1, 500);
    check.finish()?;
    checked!(reason);
    let view = paths::decide(&state, &user, &id, false, Some(reason), ip.0).await?;
    Ok(web::Json(view.into()))
}
