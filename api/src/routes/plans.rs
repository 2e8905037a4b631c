//! 申报计划: the year's plans of a bureau, their extensions (延期), and an organisation's deadlines.
//! Every instant in an answer is given in Beijing time (`+08:00`); requests may use any offset.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::domain::eligibility::{Rule, RuleSet};
use crate::domain::plan::{Stage, Timeline, Window, in_beijing};
use crate::domain::{DeclarationKind, Level, Role};
use crate::entities::eligibility_rule_set;
use crate::error::{AppError, AppResult, Problem};
use crate::routes::attachments::AttachmentDto;
use crate::routes::json::Json;
use crate::routes::paths::{OrgRef, org_ref};
use crate::routes::{Check, Page, PageQuery};
use crate::services::plans::extensions::{self, ExtensionInput, ExtensionView};
use crate::services::plans::window::OrgDeadline;
use crate::services::plans::{self, PlanFilter, PlanInput, PlanPatch, PlanView};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_plans)
        .service(create_plan)
        .service(get_plan)
        .service(update_plan)
        .service(delete_plan)
        .service(list_extensions)
        .service(create_extension)
        .service(revoke_extension)
        .service(org_deadlines)
        .service(list_eligibility_rules)
        .service(put_eligibility_rules)
        .service(delete_eligibility_rules);
}

/// Where a window stands at the server's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WindowState {
    /// 未开始.
    NotYet,
    /// 申报中.
    Open,
    /// 已截止.
    Closed,
}

impl WindowState {
    fn of(window: Window) -> Self {
        match window {
            Window::NotYet(_) => WindowState::NotYet,
            Window::Open => WindowState::Open,
            Window::Closed(_) => WindowState::Closed,
        }
    }

    fn label(self) -> &'static str {
        match self {
            WindowState::NotYet => "未开始",
            WindowState::Open => "申报中",
            WindowState::Closed => "已截止",
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanScopeDto {
    pub series: String,
    pub series_name: String,
    pub level: Level,
    pub level_label: String,
    pub title_name: String,
}

/// One level's deadline (单位审核截止, 主管部门上报截止, 人社局受理截止).
#[derive(Debug, Serialize, ToSchema)]
pub struct StageDeadlineDto {
    pub stage: Stage,
    #[schema(example = "单位审核截止")]
    pub label: String,
    pub at: DateTime<FixedOffset>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionDto {
    pub id: String,
    /// The organisation given more time; everything below it is covered too.
    pub org: OrgRef,
    /// Individuals at or below it may create, submit and resubmit until then.
    pub declare_until: Option<DateTime<FixedOffset>>,
    /// It and the organisations below it may review and report until then.
    pub review_until: Option<DateTime<FixedOffset>>,
    pub reason: String,
    pub created_by_name: String,
    pub created_at: DateTime<FixedOffset>,
}

impl From<ExtensionView> for ExtensionDto {
    fn from(view: ExtensionView) -> Self {
        let e = view.extension;
        Self {
            org: org_ref(view.org, &e.org_id),
            id: e.id,
            declare_until: e.declare_until.map(in_beijing),
            review_until: e.review_until.map(in_beijing),
            reason: e.reason,
            created_by_name: e.created_by_name,
            created_at: in_beijing(e.created_at),
        }
    }
}

/// 申报计划 as everyone reads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDto {
    pub id: String,
    /// The bureau that published it; declarations must report up to it.
    pub bureau: OrgRef,
    pub year: i32,
    pub kind: DeclarationKind,
    pub kind_label: String,
    #[schema(example = "2026年度卫生系列职称申报")]
    pub name: String,
    /// 申报通知 (plain text).
    pub notice: String,
    pub notice_attachment: Option<AttachmentDto>,
    pub series: Vec<String>,
    pub levels: Vec<Level>,
    /// Every series × level pair it opens.
    pub scopes: Vec<PlanScopeDto>,
    /// Individuals may create and submit from here …
    pub opens_at: DateTime<FixedOffset>,
    /// … until here (exclusive, to the second).
    pub closes_at: DateTime<FixedOffset>,
    /// A returned declaration may be resubmitted until here.
    pub return_closes_at: DateTime<FixedOffset>,
    /// Each level's review/report deadline, lowest level first.
    pub deadlines: Vec<StageDeadlineDto>,
    /// For individuals, at the server's clock (extensions aside).
    pub window: WindowState,
    pub window_label: String,
    /// Seconds from now (server clock) until the close; 0 once closed. Count down from this,
    /// not from the client's clock.
    pub seconds_to_close: i64,
    /// Seconds until it opens; 0 once open.
    pub seconds_to_open: i64,
    /// 诚信承诺书: what an applicant accepts at 确认申报.
    pub pledge_text: String,
    /// SHA-256 (hex) of `pledge_text`, sent back with the acceptance.
    pub pledge_sha256: String,
    /// Whether declarations in it may be 破格 (exceptional).
    pub exceptional_allowed: bool,
    /// Extensions (延期); listed for the plan's bureau and the platform admin only.
    pub extensions: Vec<ExtensionDto>,
    /// How many declarations were made in it.
    pub declarations: u64,
    pub version: i32,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

fn may_manage(user: &AuthUser, view: &PlanView) -> bool {
    user.role == Role::Admin
        || (user.role == Role::OrgAdmin && user.org_id.as_deref() == Some(view.plan.bureau_org_id.as_str()))
}

impl PlanDto {
    pub fn of(view: PlanView, now: DateTime<Utc>, user: &AuthUser) -> Self {
        let timeline = view.timeline();
        let window = WindowState::of(Window::at(now, timeline.opens_at, timeline.closes_at));
        let manager = may_manage(user, &view);
        let kind = DeclarationKind::parse(&view.plan.kind).unwrap_or(DeclarationKind::Title);
        let series = view.series();
        let levels = view.levels();
        let extensions = if manager {
            view.extensions
                .into_iter()
                .map(|(extension, org)| ExtensionDto::from(ExtensionView { extension, org }))
                .collect()
        } else {
            Vec::new()
        };
        let p = view.plan;
        Self {
            bureau: org_ref(view.bureau, &p.bureau_org_id),
            year: p.year,
            kind,
            kind_label: kind.label().into(),
            name: p.name,
            notice: p.notice,
            notice_attachment: view.notice_attachment.map(AttachmentDto::from),
            series,
            levels,
            scopes: view
                .scopes
                .into_iter()
                .map(|(series, series_name, level, title_name)| PlanScopeDto {
                    series,
                    series_name,
                    level,
                    level_label: level.label().into(),
                    title_name,
                })
                .collect(),
            opens_at: in_beijing(p.opens_at),
            closes_at: in_beijing(p.closes_at),
            return_closes_at: in_beijing(p.return_closes_at),
            deadlines: Stage::ALL
                .iter()
                .map(|stage| StageDeadlineDto {
                    stage: *stage,
                    label: stage.deadline_label().into(),
                    at: in_beijing(timeline.deadline(*stage)),
                })
                .collect(),
            window,
            window_label: window.label().into(),
            seconds_to_close: (p.closes_at - now).num_seconds().max(0),
            seconds_to_open: (p.opens_at - now).num_seconds().max(0),
            pledge_text: view.pledge_text,
            pledge_sha256: p.pledge_sha256,
            exceptional_allowed: p.exceptional_allowed,
            extensions,
            declarations: view.declarations,
            version: p.version,
            created_at: in_beijing(p.created_at),
            updated_at: in_beijing(p.updated_at),
            id: p.id,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlanRequest {
    /// The bureau publishing it: the platform admin names one; a bureau's admin may omit it.
    pub bureau_org_id: Option<String>,
    #[schema(example = 2026)]
    pub year: i32,
    pub kind: DeclarationKind,
    #[schema(example = "2026年度卫生系列职称申报")]
    pub name: String,
    /// 申报通知 (plain text, at most 20,000 characters).
    #[serde(default)]
    pub notice: String,
    /// An uploaded file (`POST /attachments`) of the caller's: the notice as issued.
    pub notice_attachment_id: Option<String>,
    /// 职称系列 codes (one or many).
    pub series: Vec<String>,
    /// 职称级别; the plan opens every pair of a listed series and level that the catalogue has.
    pub levels: Vec<Level>,
    /// Instants with an offset, e.g. `2026-12-01T09:00:00+08:00` (Beijing time).
    pub opens_at: DateTime<FixedOffset>,
    #[schema(example = "2026-12-15T17:00:00+08:00")]
    pub closes_at: DateTime<FixedOffset>,
    /// Returned declarations may be resubmitted until then (no earlier than `closes_at`).
    pub return_closes_at: DateTime<FixedOffset>,
    /// 单位审核截止 (no earlier than `return_closes_at`).
    pub employer_closes_at: DateTime<FixedOffset>,
    /// 主管部门上报截止 (no earlier than the employer's).
    pub authority_closes_at: DateTime<FixedOffset>,
    /// 人社局受理截止 (no earlier than the authority's).
    pub bureau_closes_at: DateTime<FixedOffset>,
    /// 诚信承诺书; the platform's default text when omitted.
    pub pledge_text: Option<String>,
    /// Whether declarations may be 破格.
    #[serde(default)]
    pub exceptional_allowed: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    pub year: Option<i32>,
    /// One bureau's plans.
    pub bureau_org_id: Option<String>,
    /// `true`: only plans open now for individuals (or still open under an extension).
    pub open: Option<bool>,
    /// `true`: only the caller bureau's own plans.
    pub mine: Option<bool>,
}

/// The plans, newest year first: public notices every signed-in account may read.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(PlanQuery, PageQuery),
    responses(
        (status = 200, body = Page<PlanDto>),
        (status = 401, body = Problem),
        (status = 403, description = "`mine` from an account without an organisation", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/plans")]
pub async fn list_plans(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<PlanQuery>,
    paging: web::Query<PageQuery>,
) -> AppResult<web::Json<Page<PlanDto>>> {
    let (page, page_size) = paging.resolve()?;
    let query = query.into_inner();
    let filter = PlanFilter {
        year: query.year,
        bureau_org_id: query.bureau_org_id,
        open: query.open.unwrap_or(false),
        mine: query.mine.unwrap_or(false),
    };
    let (rows, total) = plans::list(&state, &user, filter, page, page_size).await?;
    let now = state.clock.now();
    let items = rows.into_iter().map(|view| PlanDto::of(view, now, &user)).collect();
    Ok(web::Json(Page { items, total, page, page_size }))
}

fn utc(at: DateTime<FixedOffset>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    at.with_timezone(&Utc).trunc_subsecs(6)
}

/// 发布申报计划: a bureau's admin for its bureau, or the platform admin for a named bureau.
/// Another plan of the same bureau may not open the same year, kind, series and level (409).
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    responses(
        (status = 201, body = PlanDto),
        (status = 401, body = Problem),
        (status = 403, description = "Not a bureau's admin or the platform admin", body = Problem),
        (status = 409, description = "Overlaps another plan of the bureau", body = Problem),
        (status = 422, description = "Every invalid field: texts, year, series, levels, instants out of order", body = Problem),
    )
)]
#[post("/plans")]
pub async fn create_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    body: Json<CreatePlanRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let input = PlanInput {
        bureau_org_id: body.bureau_org_id,
        year: body.year,
        kind: body.kind,
        name: body.name,
        notice: body.notice,
        notice_attachment_id: body.notice_attachment_id,
        series: body.series,
        levels: body.levels,
        timeline: Timeline {
            opens_at: utc(body.opens_at),
            closes_at: utc(body.closes_at),
            return_closes_at: utc(body.return_closes_at),
            employer_closes_at: utc(body.employer_closes_at),
            authority_closes_at: utc(body.authority_closes_at),
            bureau_closes_at: utc(body.bureau_closes_at),
        },
        pledge_text: body.pledge_text,
        exceptional_allowed: body.exceptional_allowed,
    };
    let view = plans::create(&state, &user, input, ip.0).await?;
    Ok(HttpResponse::Created().json(PlanDto::of(view, state.clock.now(), &user)))
}

/// One plan with its notice, pledge and deadlines.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    responses((status = 200, body = PlanDto), (status = 401, body = Problem), (status = 404, body = Problem))
)]
#[get("/plans/{id}")]
pub async fn get_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<PlanDto>> {
    let view = plans::get(&state, &user, &id).await?;
    Ok(web::Json(PlanDto::of(view, state.clock.now(), &user)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePlanRequest {
    pub name: Option<String>,
    pub notice: Option<String>,
    /// A new notice file of the caller's.
    pub notice_attachment_id: Option<String>,
    /// `true` removes the notice file.
    pub remove_notice_attachment: Option<bool>,
    pub series: Option<Vec<String>>,
    pub levels: Option<Vec<Level>>,
    pub opens_at: Option<DateTime<FixedOffset>>,
    pub closes_at: Option<DateTime<FixedOffset>>,
    pub return_closes_at: Option<DateTime<FixedOffset>>,
    pub employer_closes_at: Option<DateTime<FixedOffset>>,
    pub authority_closes_at: Option<DateTime<FixedOffset>>,
    pub bureau_closes_at: Option<DateTime<FixedOffset>>,
    /// A new 诚信承诺书; submissions from then on accept the new text (its hash).
    pub pledge_text: Option<String>,
    pub exceptional_allowed: Option<bool>,
}

fn expected_version(request: &HttpRequest) -> AppResult<Option<i32>> {
    let Some(value) = request.headers().get("if-match") else { return Ok(None) };
    let text = value.to_str().unwrap_or("").trim().trim_start_matches("W/").trim_matches('"');
    text.parse().map(Some).map_err(|_| AppError::field("/if_match", "If-Match 须为申报计划的 version"))
}

/// Changes a plan (its bureau's admin or the platform admin). Year, kind and bureau never change;
/// a series and level that declarations were made in cannot be removed (409). Send
/// `If-Match: <version>` to change only what was read (else 412).
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, description = "The plan `version` the editor saw")),
    responses(
        (status = 200, body = PlanDto),
        (status = 401, body = Problem),
        (status = 403, description = "Not the plan's bureau", body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem),
        (status = 412, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[patch("/plans/{id}")]
pub async fn update_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    request: HttpRequest,
    id: web::Path<String>,
    body: Json<UpdatePlanRequest>,
) -> AppResult<web::Json<PlanDto>> {
    let expected = expected_version(&request)?;
    let body = body.into_inner();
    let mut check = Check::default();
    if body.remove_notice_attachment == Some(true) && body.notice_attachment_id.is_some() {
        check.fail("/notice_attachment_id", "不能同时上传和删除申报通知附件");
    }
    check.finish()?;
    let patch = PlanPatch {
        name: body.name,
        notice: body.notice,
        notice_attachment_id: if body.remove_notice_attachment == Some(true) {
            Some(None)
        } else {
            body.notice_attachment_id.map(Some)
        },
        series: body.series,
        levels: body.levels,
        opens_at: body.opens_at.map(utc),
        closes_at: body.closes_at.map(utc),
        return_closes_at: body.return_closes_at.map(utc),
        employer_closes_at: body.employer_closes_at.map(utc),
        authority_closes_at: body.authority_closes_at.map(utc),
        bureau_closes_at: body.bureau_closes_at.map(utc),
        pledge_text: body.pledge_text,
        exceptional_allowed: body.exceptional_allowed,
    };
    let view = plans::update(&state, &user, &id, patch, expected, ip.0).await?;
    Ok(web::Json(PlanDto::of(view, state.clock.now(), &user)))
}

/// Withdraws a plan nobody has declared in (409 otherwise).
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    responses(
        (status = 204),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Declarations use it", body = Problem),
    )
)]
#[delete("/plans/{id}")]
pub async fn delete_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    plans::delete(&state, &user, &id, ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The plan's extensions (延期), oldest first: its bureau's admin and the platform admin.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<ExtensionDto>),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
    )
)]
#[get("/plans/{id}/extensions")]
pub async fn list_extensions(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<Vec<ExtensionDto>>> {
    let rows = extensions::list(&state, &user, &id).await?;
    Ok(web::Json(rows.into_iter().map(ExtensionDto::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    /// The organisation given more time; everything that reports through it is covered too.
    pub org_id: String,
    /// Later than the plan's `closes_at`: individuals there may create, submit and resubmit until then.
    pub declare_until: Option<DateTime<FixedOffset>>,
    /// Later than the plan's employer deadline: they may review and report until then.
    pub review_until: Option<DateTime<FixedOffset>>,
    /// 延期原因 (2–500 characters), shown to the people concerned.
    pub reason: String,
}

/// 延期: a later deadline for one organisation and everything below it. Audited; the people it
/// concerns (the organisations' admins and reviewers, and applicants still working on a
/// declaration there) get a 站内信 with the new date.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    responses(
        (status = 201, body = ExtensionDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, description = "Unknown organisation or one outside the plan's bureau; no or too early a date; no reason", body = Problem),
    )
)]
#[post("/plans/{id}/extensions")]
pub async fn create_extension(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: Json<ExtensionRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let input = ExtensionInput {
        org_id: body.org_id,
        declare_until: body.declare_until.map(utc),
        review_until: body.review_until.map(utc),
        reason: body.reason,
    };
    let (view, _) = extensions::extend(&state, &user, &id, input, ip.0).await?;
    Ok(HttpResponse::Created().json(ExtensionDto::from(view)))
}

/// Withdraws an extension; the organisations it covered are told.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[delete("/plans/{id}/extensions/{extension_id}")]
pub async fn revoke_extension(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, extension_id) = path.into_inner();
    extensions::revoke(&state, &user, &id, &extension_id, ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One of the caller organisation's deadlines.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgDeadlineDto {
    pub plan_id: String,
    pub plan_name: String,
    pub year: i32,
    pub stage: Stage,
    #[schema(example = "单位审核截止")]
    pub stage_label: String,
    /// The plan's deadline for this level.
    pub planned_at: DateTime<FixedOffset>,
    /// The deadline in force (later when extended).
    pub at: DateTime<FixedOffset>,
    pub extended: bool,
    pub extension_reason: Option<String>,
    /// Seconds from now (server clock) until it; 0 once passed.
    pub seconds_left: i64,
    pub passed: bool,
}

impl OrgDeadlineDto {
    pub fn of(deadline: OrgDeadline, now: DateTime<Utc>) -> Self {
        Self {
            plan_id: deadline.plan.id,
            plan_name: deadline.plan.name,
            year: deadline.plan.year,
            stage: deadline.stage,
            stage_label: deadline.stage.deadline_label().into(),
            planned_at: in_beijing(deadline.planned),
            at: in_beijing(deadline.at),
            extended: deadline.extension.is_some(),
            extension_reason: deadline.extension.map(|e| e.reason),
            seconds_left: (deadline.at - now).num_seconds().max(0),
            passed: now >= deadline.at,
        }
    }
}

/// The caller organisation's review/report deadlines in the current plans, soonest first (shown
/// on the review and report pages).
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<OrgDeadlineDto>),
        (status = 401, body = Problem),
        (status = 403, description = "Not an organisation's account", body = Problem),
    )
)]
#[get("/org/deadlines")]
pub async fn org_deadlines(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<Vec<OrgDeadlineDto>>> {
    let now = state.clock.now();
    let deadlines = plans::window::deadlines_of_caller(&state, &user, now).await?;
    Ok(web::Json(deadlines.into_iter().map(|d| OrgDeadlineDto::of(d, now)).collect()))
}

/// A 资格条件 rule set and the declarations it is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityRuleSetDto {
    pub id: String,
    /// Only for this plan (a notice's own conditions); null: every plan.
    pub plan_id: Option<String>,
    /// Only for this series; null: every series.
    pub series: Option<String>,
    pub level: Level,
    pub rules: Vec<Rule>,
    /// The rules in words, for the plan's (or the current) year.
    pub words: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

impl EligibilityRuleSetDto {
    fn of(model: eligibility_rule_set::Model, year: i32) -> Self {
        let rules = plans::eligibility::rules_of(&model).rules;
        Self {
            words: rules.iter().map(|r| r.words(year)).collect(),
            id: model.id,
            plan_id: model.plan_id,
            series: model.series_code,
            level: Level::parse(&model.level).unwrap_or(Level::Intermediate),
            rules,
            updated_at: model.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct EligibilityQuery {
    /// Only this plan's own sets.
    pub plan_id: Option<String>,
}

/// 资格条件: every rule set (general ones, and plans' own), for anyone signed in.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(EligibilityQuery),
    responses((status = 200, body = Vec<EligibilityRuleSetDto>), (status = 401, body = Problem))
)]
#[get("/eligibility-rules")]
pub async fn list_eligibility_rules(
    state: web::Data<AppState>,
    _user: AuthUser,
    query: web::Query<EligibilityQuery>,
) -> AppResult<web::Json<Vec<EligibilityRuleSetDto>>> {
    let year = chrono::Datelike::year(&state.clock.now().with_timezone(&crate::domain::plan::beijing()));
    let sets = plans::eligibility::list(&state.db, query.plan_id.as_deref()).await?;
    Ok(web::Json(sets.into_iter().map(|s| EligibilityRuleSetDto::of(s, year)).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutEligibilityRulesRequest {
    /// A plan's own set (its bureau's admin); omitted: the general set (platform admin).
    pub plan_id: Option<String>,
    /// One series; omitted: every series at the level.
    pub series: Option<String>,
    pub level: Level,
    /// The rules; each kind at most once. Empty: no conditions for the scope.
    pub rules: Vec<Rule>,
}

/// Sets (creates or replaces) the 资格条件 of a scope. The most specific set applies to a
/// declaration whole: the plan's for its series, the plan's, the series', the level's.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    responses(
        (status = 200, body = EligibilityRuleSetDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[put("/eligibility-rules")]
pub async fn put_eligibility_rules(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    body: Json<PutEligibilityRulesRequest>,
) -> AppResult<web::Json<EligibilityRuleSetDto>> {
    let body = body.into_inner();
    if body.rules.len() > 10 {
        return Err(AppError::field("/rules", "资格条件最多10条"));
    }
    let scope = plans::eligibility::Scope { plan_id: body.plan_id, series_code: body.series, level: body.level };
    let model = plans::eligibility::put(&state, &user, scope, RuleSet { rules: body.rules }, ip.0).await?;
    let year = chrono::Datelike::year(&state.clock.now().with_timezone(&crate::domain::plan::beijing()));
    Ok(web::Json(EligibilityRuleSetDto::of(model, year)))
}

/// Removes a rule set (the next general one applies again).
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    responses(
        (status = 204),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
    )
)]
#[delete("/eligibility-rules/{id}")]
pub async fn delete_eligibility_rules(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    plans::eligibility::delete(&state, &user, &id, ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
