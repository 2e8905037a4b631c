//! 上级或主管单位名称 search: organisations by name, public fields only; and the bureau's
//! 单位认证审核 / 单位权限管理 of the organisations of its region.

use actix_web::{get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::checked;
use crate::domain::{Level, OrgKind, OrgVerification};
use crate::entities::org;
use crate::error::{AppResult, Problem};
use crate::routes::json::Json;
use crate::routes::{Check, Page, PageQuery};
use crate::services::{org_verification, orgs};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(search_orgs)
        .service(org_reporting)
        .service(list_bureau_orgs)
        .service(verify_org)
        .service(refuse_org)
        .service(disable_org)
        .service(reset_org_password);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgSearchQuery {
    /// Part of the organisation's name.
    pub q: Option<String>,
    pub kind: Option<OrgKind>,
    /// Only organisations that may be chosen as a parent (上级或主管单位): verified 主管部门,
    /// 乡镇（街道） and 人社局.
    pub as_parent: Option<bool>,
}

/// The public face of an organisation: what a clerk checks before choosing it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicOrg {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub kind_label: String,
    pub region_code: String,
    /// 统一社会信用代码, in full: it is public.
    pub uscc: String,
    pub address: String,
    pub verification: OrgVerification,
    /// Vouched for by a bureau (or provisioned by the platform): 已认证.
    pub verified: bool,
}

impl From<org::Model> for PublicOrg {
    fn from(org: org::Model) -> Self {
        let kind = OrgKind::parse(&org.kind).unwrap_or(OrgKind::Enterprise);
        Self {
            verification: OrgVerification::parse(&org.verification).unwrap_or(OrgVerification::Unverified),
            verified: orgs::is_verified(&org),
            id: org.id,
            name: org.name,
            kind,
            kind_label: kind.label().into(),
            region_code: org.region_code,
            uscc: org.uscc,
            address: org.address,
        }
    }
}

/// Searches organisations by name, e.g. to pick the parent of a reporting path.
#[utoipa::path(
    tag = "orgs",
    security(("bearer" = [])),
    params(OrgSearchQuery, PageQuery),
    responses((status = 200, body = Page<PublicOrg>), (status = 401, body = Problem), (status = 422, body = Problem))
)]
#[get("/orgs")]
pub async fn search_orgs(
    state: web::Data<AppState>,
    _user: AuthUser,
    query: web::Query<OrgSearchQuery>,
    paging: web::Query<PageQuery>,
) -> AppResult<web::Json<Page<PublicOrg>>> {
    let (page, page_size) = paging.resolve()?;
    let mut check = Check::default();
    if query.q.as_deref().is_some_and(|q| q.chars().count() > 100) {
        check.fail("/q", "搜索内容过长");
    }
    check.finish()?;
    let as_parent = query.as_parent.unwrap_or(false);
    let (rows, total) = orgs::search(&state.db, query.q.as_deref(), query.kind, as_parent, page, page_size).await?;
    Ok(web::Json(Page { items: rows.into_iter().map(PublicOrg::from).collect(), total, page, page_size }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportingQuery {
    /// 职称系列 code.
    pub series: String,
    pub level: Level,
}

/// Whether the organisation can report declarations of a series and level upwards.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportingDto {
    pub org_id: String,
    pub series: String,
    pub level: Level,
    /// An approved reporting path exists (a bureau needs none). Without one, 确认申报 is refused.
    pub open: bool,
}

/// 申报单位的上报路径: tells a person, before she fills a declaration, whether her employer can
/// send it up for that series and level. Any account may ask; an unknown organisation is 404.
#[utoipa::path(
    tag = "orgs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The organisation"), ReportingQuery),
    responses(
        (status = 200, body = ReportingDto),
        (status = 401, body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/orgs/{id}/reporting")]
pub async fn org_reporting(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<String>,
    query: web::Query<ReportingQuery>,
) -> AppResult<web::Json<ReportingDto>> {
    let query = query.into_inner();
    let mut check = Check::default();
    if query.series.is_empty() || query.series.len() > 32 {
        check.fail("/series", "职称系列不存在");
    }
    check.finish()?;
    let open = orgs::can_report(&state.db, &id, &query.series, query.level).await?;
    Ok(web::Json(ReportingDto { org_id: id.into_inner(), series: query.series, level: query.level, open }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BureauOrgsQuery {
    /// Only organisations in this state, e.g. `unverified` for those awaiting 单位认证审核.
    pub verification: Option<OrgVerification>,
}

/// An organisation as its bureau sees it in 单位认证审核.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverseenOrg {
    pub id: String,
    pub name: String,
    pub uscc: String,
    pub kind: OrgKind,
    pub kind_label: String,
    pub region_code: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// `active` or `disabled` (停用).
    pub status: String,
    pub verification: OrgVerification,
    pub verification_label: String,
    /// Why the bureau refused it (认证不通过).
    pub verification_reason: Option<String>,
    pub verified_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

fn overseen_org(state: &AppState, org: org::Model) -> AppResult<OverseenOrg> {
    let kind = OrgKind::parse(&org.kind).unwrap_or(OrgKind::Enterprise);
    let verification = OrgVerification::parse(&org.verification).unwrap_or(OrgVerification::Unverified);
    Ok(OverseenOrg {
        contact_phone: state.crypto.decrypt(&org.contact_phone_enc)?,
        id: org.id,
        name: org.name,
        uscc: org.uscc,
        kind,
        kind_label: kind.label().into(),
        region_code: org.region_code,
        address: org.address,
        contact_name: org.contact_name,
        status: org.status,
        verification,
        verification_label: verification.label().into(),
        verification_reason: org.verification_reason,
        verified_at: org.verified_at,
        created_at: org.created_at,
    })
}

/// 单位认证审核: the 主管部门 and 乡镇（街道） of the bureau's region, oldest first. Only an
/// `hrss` bureau's admin may ask.
#[utoipa::path(
    tag = "orgs",
    security(("bearer" = [])),
    params(BureauOrgsQuery, PageQuery),
    responses(
        (status = 200, body = Page<OverseenOrg>),
        (status = 401, body = Problem),
        (status = 403, description = "Not a bureau's admin", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/bureau/orgs")]
pub async fn list_bureau_orgs(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<BureauOrgsQuery>,
    paging: web::Query<PageQuery>,
) -> AppResult<web::Json<Page<OverseenOrg>>> {
    let (page, page_size) = paging.resolve()?;
    let (rows, total) = org_verification::list(&state, &user, query.verification, page, page_size).await?;
    let items = rows.into_iter().map(|org| overseen_org(&state, org)).collect::<AppResult<Vec<_>>>()?;
    Ok(web::Json(Page { items, total, page, page_size }))
}

/// 认证通过: the bureau vouches for a 主管部门 or 乡镇（街道） of its region, which may then approve
/// paths, receive reports and be chosen as a parent.
#[utoipa::path(
    tag = "orgs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The organisation")),
    responses(
        (status = 200, body = OverseenOrg),
        (status = 401, body = Problem),
        (status = 403, description = "Not a bureau's admin", body = Problem),
        (status = 404, description = "Not an organisation of the bureau's region", body = Problem),
        (status = 409, description = "Already verified, or a verified org of the region has the same name", body = Problem),
        (status = 422, description = "An enterprise or institution (vouched for by its parent's path approval)", body = Problem),
    )
)]
#[post("/bureau/orgs/{id}/verify")]
pub async fn verify_org(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<web::Json<OverseenOrg>> {
    let org = org_verification::decide(&state, &user, &id, None, ip.0).await?;
    Ok(web::Json(overseen_org(&state, org)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseOrgRequest {
    /// Why the organisation is not vouched for; shown to it.
    pub reason: String,
}

/// 认证不通过: refuses (or withdraws) the verification with a reason the organisation reads.
#[utoipa::path(
    tag = "orgs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The organisation")),
    responses(
        (status = 200, body = OverseenOrg),
        (status = 401, body = Problem),
        (status = 403, description = "Not a bureau's admin", body = Problem),
        (status = 404, description = "Not an organisation of the bureau's region", body = Problem),
        (status = 409, description = "Already refused", body = Problem),
        (status = 422, description = "Missing reason, or not a kind the bureau verifies", body = Problem),
    )
)]
#[post("/bureau/orgs/{id}/refuse")]
pub async fn refuse_org(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: Json<RefuseOrgRequest>,
) -> AppResult<web::Json<OverseenOrg>> {
    let mut check = Check::default();
    let reason = check.free_text("/reason", &body.reason, "不通过原因", 1, 500);
    check.finish()?;
    checked!(reason);
    let org = org_verification::decide(&state, &user, &id, Some(reason), ip.0).await?;
    Ok(web::Json(overseen_org(&state, org)?))
}

/// 停用单位: the organisation and all its accounts stop at once; their sessions end and they
/// cannot sign in.
#[utoipa::path(
    tag = "orgs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The organisation")),
    responses(
        (status = 200, body = OverseenOrg),
        (status = 401, body = Problem),
        (status = 403, description = "Not a bureau's admin", body = Problem),
        (status = 404, description = "Not an organisation of the bureau's region", body = Problem),
        (status = 409, description = "Already disabled", body = Problem),
    )
)]
#[post("/bureau/orgs/{id}/disable")]
pub async fn disable_org(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<web::Json<OverseenOrg>> {
    let org = org_verification::disable(&state, &user, &id, ip.0).await?;
    Ok(web::Json(overseen_org(&state, org)?))
}

/// A one-time password for an organisation's admin, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemporaryPasswordDto {
    pub username: String,
    /// Give it to the organisation's admin, who changes it after signing in.
    pub temporary_password: String,
}

/// 单位密码重置: a new random password for the organisation's admin; its sessions end and any
/// lockout is cleared.
#[utoipa::path(
    tag = "orgs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The organisation")),
    responses(
        (status = 200, body = TemporaryPasswordDto),
        (status = 401, body = Problem),
        (status = 403, description = "Not a bureau's admin", body = Problem),
        (status = 404, description = "Not an organisation of the bureau's region", body = Problem),
    )
)]
#[post("/bureau/orgs/{id}/reset-password")]
pub async fn reset_org_password(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<web::Json<TemporaryPasswordDto>> {
    let reset = org_verification::reset_admin_password(&state, &user, &id, ip.0).await?;
    Ok(web::Json(TemporaryPasswordDto { username: reset.username, temporary_password: reset.password }))
}
