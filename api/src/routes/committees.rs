//! 评委会: forming and approving committees (评委会参数设置), 评委会路径, and the expert library
//! (评委专家库建设).

use std::collections::HashMap;

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::checked;
use crate::domain::committee::Fraction;
use crate::domain::{IdCardNumber, Level, Password, PathStatus, Phone, Role, Username};
use crate::error::{AppResult, Problem};
use crate::rate_limit::Costly;
use crate::routes::Check;
use crate::routes::json::Json;
use crate::routes::paths::{OrgRef, org_ref};
use crate::services::committees::{self, CommitteeView, ExpertView, NewCommittee, NewExpert, RouteView};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(form_committee)
        .service(list_committees)
        .service(get_committee)
        .service(approve_committee)
        .service(reject_committee)
        .service(apply_route)
        .service(list_routes)
        .service(approve_route)
        .service(reject_route)
        .service(add_expert)
        .service(list_experts)
        .service(remove_expert);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    pub numerator: u32,
    pub denominator: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormCommitteeRequest {
    /// 评委会名称, e.g. 济阳区卫生系列中级职称评审委员会.
    pub name: String,
    /// 职称系列 code.
    pub series: String,
    /// The levels it reviews.
    pub levels: Vec<Level>,
    /// 学科组 (optional).
    pub specialty_group: Option<String>,
    /// The `hrss` bureau that approves the committee.
    pub bureau_org_id: String,
    /// Per-level member minimums; default and floor the national ones (25 / 17 / 11), odd.
    #[serde(default)]
    pub min_members: HashMap<Level, u32>,
    /// Share of the drawn experts that must take part; default and floor 2/3.
    pub quorum: Option<ShareInput>,
    /// Share of those present whose 同意 passes a declaration; default and floor 2/3.
    pub pass: Option<ShareInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LevelMinimum {
    pub level: Level,
    pub level_label: String,
    pub min_members: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommitteeDto {
    pub id: String,
    pub name: String,
    /// 组建单位: its org admin is the committee's admin.
    pub org: OrgRef,
    /// The bureau that approves it.
    pub bureau: OrgRef,
    pub series: String,
    pub levels: Vec<LevelMinimum>,
    pub specialty_group: Option<String>,
    pub quorum: Fraction,
    pub pass: Fraction,
    pub status: PathStatus,
    pub status_label: String,
    pub reason: Option<String>,
    /// The caller is the committee's admin.
    pub managed: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<CommitteeView> for CommitteeDto {
    fn from(view: CommitteeView) -> Self {
        let levels = view
            .levels()
            .into_iter()
            .map(|level| LevelMinimum {
                level,
                level_label: level.label().into(),
                min_members: committees::minimum_of(&view.committee, level),
            })
            .collect();
        let status = PathStatus::parse(&view.committee.status).unwrap_or(PathStatus::Pending);
        let c = view.committee;
        Self {
            org: org_ref(view.org, &c.org_id),
            bureau: org_ref(view.bureau, &c.bureau_org_id),
            quorum: committees::quorum_of(&c),
            pass: committees::pass_of(&c),
            id: c.id,
            name: c.name,
            series: c.series_code,
            levels,
            specialty_group: c.specialty_group,
            status,
            status_label: match status {
                PathStatus::Pending => "待审批",
                PathStatus::Approved => "已批准",
                PathStatus::Rejected => "不予批准",
                PathStatus::Withdrawn => "已撤回",
            }
            .into(),
            reason: c.reason,
            managed: view.managed,
            created_at: c.created_at,
            decided_at: c.decided_at,
        }
    }
}

/// 组建评委会: the caller's organisation forms a committee; a bureau approves it.
#[utoipa::path(
    tag = "committees",
    security(("bearer" = [])),
    responses(
        (status = 201, body = CommitteeDto),
        (status = 401, body = Problem),
        (status = 403, description = "Not an org admin", body = Problem),
        (status = 422, description = "Unknown series or level, a minimum below the national one or even, a share below 2/3, no such bureau", body = Problem),
    )
)]
#[post("/committees")]
pub async fn form_committee(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    body: Json<FormCommitteeRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut check = Check::default();
    let name = check.text("/name", &body.name, "评委会名称", 2, 100);
    let series = check.text("/series", &body.series, "职称系列", 1, 32);
    let bureau = check.text("/bureau_org_id", &body.bureau_org_id, "审批单位", 1, 64);
    let group = match &body.specialty_group {
        Some(group) if !group.trim().is_empty() => check.text("/specialty_group", group, "学科组", 1, 100).map(Some),
        _ => Some(None),
    };
    if body.levels.is_empty() || body.levels.len() > 5 {
        check.fail("/levels", "请选择评审级别");
    }
    let mut distinct: Vec<&str> = body.levels.iter().map(|l| l.as_str()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() != body.levels.len() {
        check.fail("/levels", "评审级别不能重复");
    }
    check.finish()?;
    checked!(name, series, bureau, group);
    let input = NewCommittee {
        name,
        series,
        levels: body.levels,
        specialty_group: group,
        bureau_org_id: bureau,
        min_members: body.min_members,
        quorum: body.quorum.map(|s| (s.numerator, s.denominator)),
        pass: body.pass.map(|s| (s.numerator, s.denominator)),
    };
    let view = committees::form(&state, &user, input, ip.0).await?;
    Ok(HttpResponse::Created().json(CommitteeDto::from(view)))
}

/// The committees the caller may see: its own, those awaiting its approval, and (for a bureau)
/// every approved one.
#[utoipa::path(
    tag = "committees",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CommitteeDto>), (status = 401, body = Problem), (status = 403, body = Problem))
)]
#[get("/committees")]
pub async fn list_committees(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<Vec<CommitteeDto>>> {
    let rows = committees::list(&state, &user).await?;
    Ok(web::Json(rows.into_iter().map(CommitteeDto::from).collect()))
}

#[utoipa::path(
    tag = "committees",
    security(("bearer" = [])),
    responses((status = 200, body = CommitteeDto), (status = 401, body = Problem), (status = 404, body = Problem))
)]
#[get("/committees/{id}")]
pub async fn get_committee(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<CommitteeDto>> {
    Ok(web::Json(committees::get(&state, &user, &id).await?.into()))
}

/// 批准组建: the bureau the committee named (unless it formed it itself) or the platform admin.
#[utoipa::path(
    tag = "committees",
    security(("bearer" = [])),
    responses(
        (status = 200, body = CommitteeDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Already decided", body = Problem),
    )
)]
#[post("/committees/{id}/approve")]
pub async fn approve_committee(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<web::Json<CommitteeDto>> {
    Ok(web::Json(committees::decide(&state, &user, &id, true, None, ip.0).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
}

fn reason_of(reason: &str, label: &str) -> AppResult<String> {
    let mut check = Check::default();
    let reason = check.free_text("/reason", reason, label, 1, 500);
    check.finish()?;
    checked!(reason);
    Ok(reason)
}

/// 不予批准, with a reason.
#[utoipa::path(
    tag = "committees",
    security(("bearer" = [])),
    responses(
        (status = 200, body = CommitteeDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/committees/{id}/reject")]
pub async fn reject_committee(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: Json<ReasonRequest>,
) -> AppResult<web::Json<CommitteeDto>> {
    let reason = reason_of(&body.reason, "不予批准原因")?;
    Ok(web::Json(committees::decide(&state, &user, &id, false, Some(reason), ip.0).await?.into()))
}

// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyRouteRequest {
    pub committee_id: String,
    pub series: String,
    pub level: Level,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommitteeRouteDto {
    pub id: String,
    pub bureau: OrgRef,
    pub committee_id: String,
    pub committee_name: String,
    pub series: String,
    pub level: Level,
    pub level_label: String,
    pub status: PathStatus,
    pub status_label: String,
    pub reason: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<RouteView> for CommitteeRouteDto {
    fn from(view: RouteView) -> Self {
        let level = Level::parse(&view.route.level).unwrap_or(Level::Intermediate);
        let status = PathStatus::parse(&view.route.status).unwrap_or(PathStatus::Pending);
        let r = view.route;
        Self {
            bureau: org_ref(view.bureau, &r.bureau_org_id),
            committee_name: view.committee.map(|c| c.name).unwrap_or_default(),
            id: r.id,
            committee_id: r.committee_id,
            series: r.series_code,
            level,
            level_label: level.label().into(),
            status,
            status_label: status.label().into(),
            reason: r.reason,
            created_at: r.created_at,
            decided_at: r.decided_at,
        }
    }
}

/// 评委会路径申请: a bureau asks for its accepted declarations of a series and level to go to an
/// approved committee; the committee's admin approves.
#[utoipa::path(
    tag = "committees",
    security(("bearer" = [])),
    responses(
        (status = 201, body = CommitteeRouteDto),
        (status = 401, body = Problem),
        (status = 403, description = "Not a bureau's org admin", body = Problem),
        (status = 409, description = "A pending or approved route exists", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/committee-routes")]
pub async fn apply_route(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    body: Json<ApplyRouteRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut check = Check::default();
    let committee = check.text("/committee_id", &body.committee_id, "评委会", 1, 64);
    let series = check.text("/series", &body.series, "职称系列", 1, 32);
    check.finish()?;
    checked!(committee, series);
    let view = committees::apply_route(&state, &user, &committee, &series, body.level, ip.0).await?;
    Ok(HttpResponse::Created().json(CommitteeRouteDto::from(view)))
}

/// The caller's routes: those its bureau applied for and those to committees it administers.
#[utoipa::path(
    tag = "committees",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CommitteeRouteDto>), (status = 401, body = Problem), (status = 403, body = Problem))
)]
#[get("/committee-routes")]
pub async fn list_routes(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<Vec<CommitteeRouteDto>>> {
    let rows = committees::list_routes(&state, &user).await?;
    Ok(web::Json(rows.into_iter().map(CommitteeRouteDto::from).collect()))
}

#[utoipa::path(
    tag = "committees",
    security(("bearer" = [])),
    responses(
        (status = 200, body = CommitteeRouteDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem),
    )
)]
#[post("/committee-routes/{id}/approve")]
pub async fn approve_route(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<web::Json<CommitteeRouteDto>> {
    Ok(web::Json(committees::decide_route(&state, &user, &id, true, None, ip.0).await?.into()))
}

#[utoipa::path(
    tag = "committees",
    security(("bearer" = [])),
    responses(
        (status = 200, body = CommitteeRouteDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/committee-routes/{id}/reject")]
pub async fn reject_route(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: Json<ReasonRequest>,
) -> AppResult<web::Json<CommitteeRouteDto>> {
    let reason = reason_of(&body.reason, "不通过原因")?;
    Ok(web::Json(committees::decide_route(&state, &user, &id, false, Some(reason), ip.0).await?.into()))
}

// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddExpertRequest {
    pub real_name: String,
    pub id_number: String,
    pub phone: String,
    /// The expert's own login (an `expert` account; a second factor is required before reviewing).
    pub username: String,
    pub password: String,
    /// 所在单位.
    pub org_id: String,
    pub series: String,
    /// 专业.
    pub specialty: String,
    /// The expert's own title level.
    pub level: Level,
    /// 入库理由.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpertDto {
    pub id: String,
    pub username: String,
    pub real_name: String,
    pub id_number_masked: String,
    pub phone_masked: String,
    pub org_id: String,
    pub org_name: String,
    pub series: String,
    pub specialty: String,
    pub level: Level,
    pub level_label: String,
    /// `active` (在库) or `removed` (出库).
    pub status: String,
    pub entry_reason: String,
    pub exit_reason: Option<String>,
    /// The account has its second factor (动态口令).
    pub second_factor: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub removed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<ExpertView> for ExpertDto {
    fn from(view: ExpertView) -> Self {
        let level = Level::parse(&view.expert.level).unwrap_or(Level::Intermediate);
        let e = view.expert;
        Self {
            id: e.id,
            username: view.username,
            real_name: e.real_name,
            id_number_masked: view.id_number.map(|id| id.masked()).unwrap_or_default(),
            phone_masked: view.phone.map(|phone| phone.masked()).unwrap_or_default(),
            org_name: view.org.map(|o| o.name).unwrap_or_default(),
            org_id: e.org_id,
            series: e.series_code,
            specialty: e.specialty,
            level,
            level_label: level.label().into(),
            status: e.status,
            entry_reason: e.entry_reason,
            exit_reason: e.exit_reason,
            second_factor: view.second_factor,
            created_at: e.created_at,
            removed_at: e.removed_at,
        }
    }
}

/// 入库: adds an expert with an `expert` account to the committee's library.
#[utoipa::path(
    tag = "committees",
    security(("bearer" = [])),
    responses(
        (status = 201, body = ExpertDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Username taken, phone of someone else, or already in the library", body = Problem),
        (status = 422, body = Problem),
        (status = 429, body = Problem),
    )
)]
#[post("/committees/{id}/experts")]
pub async fn add_expert(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: Json<AddExpertRequest>,
) -> AppResult<HttpResponse> {
    user.require(&[Role::OrgAdmin])?;
    state.rate_limits.check(Costly::PasswordHash, &user.id).await?;
    let body = body.into_inner();
    let mut check = Check::default();
    let real_name = check.real_name("/real_name", &body.real_name);
    let id_number = check.parse("/id_number", IdCardNumber::parse(&body.id_number));
    let phone = check.parse("/phone", Phone::parse(&body.phone));
    let username = check.parse("/username", Username::parse(&body.username));
    let context = [body.username.as_str(), &body.phone, &body.id_number];
    let password = check.parse("/password", Password::parse_for(&body.password, &context));
    let org_id = check.text("/org_id", &body.org_id, "所在单位", 1, 64);
    let series = check.text("/series", &body.series, "职称系列", 1, 32);
    let specialty = check.text("/specialty", &body.specialty, "专业", 1, 100);
    let reason = check.free_text("/reason", &body.reason, "入库理由", 1, 500);
    check.finish()?;
    checked!(real_name, id_number, phone, username, password, org_id, series, specialty, reason);
    let input = NewExpert {
        real_name,
        id_number,
        phone,
        username,
        password,
        org_id,
        series,
        specialty,
        level: body.level,
        reason,
    };
    let view = committees::add_expert(&state, &user, &id, input, ip.0).await?;
    Ok(HttpResponse::Created().json(ExpertDto::from(view)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpertQuery {
    /// Include experts who left the library (出库).
    pub include_removed: Option<bool>,
}

/// 评委专家库: the committee's experts, ID numbers and phones masked.
#[utoipa::path(
    tag = "committees",
    security(("bearer" = [])),
    params(ExpertQuery),
    responses(
        (status = 200, body = Vec<ExpertDto>),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/committees/{id}/experts")]
pub async fn list_experts(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    query: web::Query<ExpertQuery>,
) -> AppResult<web::Json<Vec<ExpertDto>>> {
    let rows = committees::list_experts(&state, &user, &id, query.include_removed.unwrap_or(false)).await?;
    Ok(web::Json(rows.into_iter().map(ExpertDto::from).collect()))
}

/// 出库: the expert leaves the library, with a reason; the account stops working at once.
#[utoipa::path(
    tag = "committees",
    security(("bearer" = [])),
    responses(
        (status = 200, body = ExpertDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Already removed", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/committees/{id}/experts/{expert_id}/remove")]
pub async fn remove_expert(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    path: web::Path<(String, String)>,
    body: Json<ReasonRequest>,
) -> AppResult<web::Json<ExpertDto>> {
    let (id, expert_id) = path.into_inner();
    let reason = reason_of(&body.reason, "出库理由")?;
    Ok(web::Json(committees::remove_expert(&state, &user, &id, &expert_id, reason, ip.0).await?.into()))
}
