//! 职称评审申报: a person's declarations, their items, 确认申报 and 申报进度.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Datelike, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::checked;
use crate::domain::plan::in_beijing;
use crate::domain::{DeclarationKind, DeclarationStatus, Level};
use crate::entities::{declaration_access, declaration_event};
use crate::error::{AppResult, Problem};
use crate::routes::attachments::AttachmentDto;
use crate::routes::json::Json;
use crate::routes::{Check, Page, PageQuery};
use crate::services::declarations::{
    self, DeclarationPatch, DeclarationView, ItemChange, ItemView, NewDeclaration, NewItem, PlanBrief,
};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_declaration)
        .service(list_declarations)
        .service(get_declaration)
        .service(update_declaration)
        .service(add_item)
        .service(update_item)
        .service(delete_item)
        .service(submit_declaration)
        .service(declaration_events)
        .service(declaration_access_log);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicantDto {
    pub name: String,
    /// In full on a single declaration (for the owner and the reviewers it reached); masked in lists.
    pub id_number: Option<String>,
    pub phone: Option<String>,
}

/// The reviewer's mark on an item after a return.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemReviewDto {
    pub opinion: Option<String>,
    /// Always `modify`: the applicant may change this item (修改).
    #[schema(example = "modify")]
    pub flag: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDto {
    pub id: String,
    #[schema(example = "education")]
    pub section: String,
    pub data: Value,
    pub attachment_ids: Vec<String>,
    pub attachments: Vec<AttachmentDto>,
    pub review: Option<ItemReviewDto>,
    /// Whether the applicant may change it now.
    pub editable: bool,
    pub deletable: bool,
    /// Changed by the applicant since the last return.
    pub changed_after_return: bool,
    /// Added by the applicant after the last return (新增).
    pub added_after_return: bool,
}

impl From<ItemView> for ItemDto {
    fn from(view: ItemView) -> Self {
        let review = view
            .item
            .flagged
            .then(|| ItemReviewDto { opinion: view.item.review_opinion.clone(), flag: "modify".into() });
        Self {
            attachment_ids: view.attachments.iter().map(|a| a.id.clone()).collect(),
            attachments: view.attachments.into_iter().map(AttachmentDto::from).collect(),
            id: view.item.id,
            section: view.item.section,
            data: view.item.data,
            review,
            editable: view.editable,
            deletable: view.deletable,
            changed_after_return: view.item.changed_after_return,
            added_after_return: view.item.added_after_return,
        }
    }
}

/// The 申报计划 a declaration belongs to, with its window for the declaration's employer.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationPlanDto {
    pub id: String,
    pub name: String,
    pub bureau_org_id: String,
    pub bureau_name: String,
    pub year: i32,
    pub opens_at: DateTime<FixedOffset>,
    /// The close for this employer: the plan's, later when extended (延期).
    pub closes_at: DateTime<FixedOffset>,
    /// Until then a returned declaration may be resubmitted (for this employer).
    pub return_closes_at: DateTime<FixedOffset>,
    /// The plan's own close, before any extension.
    pub planned_closes_at: DateTime<FixedOffset>,
    pub extended: bool,
    pub extension_reason: Option<String>,
    /// Until when this declaration can be submitted now: the close, or for a returned one the
    /// later of the close and the return deadline.
    pub submit_until: DateTime<FixedOffset>,
    /// Seconds from now (server clock) to `submit_until`; 0 once passed.
    pub seconds_to_submit_until: i64,
    /// 诚信承诺书 accepted at 确认申报, and its SHA-256 (hex) to send back.
    pub pledge_text: String,
    pub pledge_sha256: String,
    pub exceptional_allowed: bool,
}

impl DeclarationPlanDto {
    fn of(brief: PlanBrief, returned: bool) -> Self {
        let window = brief.window;
        let submit_until = if returned { window.closes_at.max(window.return_closes_at) } else { window.closes_at };
        let p = brief.plan;
        Self {
            id: p.id,
            name: p.name,
            bureau_org_id: p.bureau_org_id,
            bureau_name: brief.bureau_name,
            year: p.year,
            opens_at: in_beijing(window.opens_at),
            closes_at: in_beijing(window.closes_at),
            return_closes_at: in_beijing(window.return_closes_at),
            planned_closes_at: in_beijing(p.closes_at),
            extended: window.extension.is_some(),
            extension_reason: window.extension.map(|e| e.reason),
            submit_until: in_beijing(submit_until),
            seconds_to_submit_until: (submit_until - brief.now).num_seconds().max(0),
            pledge_text: brief.pledge_text,
            pledge_sha256: p.pledge_sha256,
            exceptional_allowed: p.exceptional_allowed,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationDto {
    pub id: String,
    pub year: i32,
    pub kind: DeclarationKind,
    pub kind_label: String,
    pub series: String,
    pub series_name: String,
    pub level: Level,
    pub level_label: String,
    /// The title applied for, e.g. 主治（管）医（药、护、技）师.
    pub title_name: String,
    pub specialty: String,
    /// The employer (申报单位).
    pub org_id: String,
    pub org_name: String,
    pub status: DeclarationStatus,
    pub status_label: String,
    /// Where it is now; null while a draft or returned to the applicant.
    pub holder_org_id: Option<String>,
    pub holder_org_name: Option<String>,
    pub applicant: ApplicantDto,
    /// The applicant confirmed name, ID number and phone (基本信息).
    pub basic_confirmed: bool,
    /// 申报信息, keyed by the form's `info_fields`.
    pub info: Value,
    pub items: Vec<ItemDto>,
    /// Sections the last return opened for new items (新增).
    pub open_sections: Vec<String>,
    /// Whether the last return unlocked 申报信息.
    pub info_unlocked: bool,
    pub return_opinion: Option<String>,
    pub template_id: String,
    pub template_version: i32,
    pub copied_from: Option<String>,
    /// Whether the applicant can change anything now.
    pub editable: bool,
    pub version: i32,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// The 申报计划 it belongs to (null only for declarations older than plans).
    pub plan: Option<DeclarationPlanDto>,
    /// 破格: failed 资格条件 are warnings the applicant explains (every reviewer sees them).
    pub exceptional: bool,
    /// The 资格条件 of its series and level (empty when none apply), each checked now.
    pub eligibility: Vec<EligibilityDto>,
}

/// One 资格条件 and how the declaration meets it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityDto {
    /// `title_years`, `profession_years`, `annual_review` or `continuing_education`.
    pub code: String,
    /// The rule in words.
    pub rule: String,
    pub passed: bool,
    /// The field it failed on (`/info/…`, `/sections/…`, `/items/<index>/data/…`).
    pub field: Option<String>,
    /// Why it failed.
    pub reason: Option<String>,
    /// The applicant's 破格 explanation of this rule.
    pub explanation: Option<String>,
}

impl From<DeclarationView> for DeclarationDto {
    fn from(view: DeclarationView) -> Self {
        let status = view.status();
        let explanations = view.explanations();
        let plan = view.plan.map(|brief| DeclarationPlanDto::of(brief, status == DeclarationStatus::Returned));
        let eligibility = view
            .eligibility
            .map(|e| {
                e.outcomes
                    .into_iter()
                    .map(|o| EligibilityDto {
                        explanation: explanations.get(&o.code).and_then(Value::as_str).map(str::to_string),
                        code: o.code,
                        rule: o.rule,
                        passed: o.passed,
                        field: o.field,
                        reason: o.reason,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let d = view.declaration;
        let kind = DeclarationKind::parse(&d.kind).unwrap_or(DeclarationKind::Title);
        let level = Level::parse(&d.level).unwrap_or(Level::Intermediate);
        let open_sections: Vec<String> = serde_json::from_value(d.open_sections).unwrap_or_default();
        let editable = status == DeclarationStatus::Draft
            || (status == DeclarationStatus::Returned
                && (d.info_unlocked || !open_sections.is_empty() || view.items.iter().any(|i| i.editable)));
        Self {
            id: d.id,
            year: d.year,
            kind,
            kind_label: kind.label().into(),
            series: d.series_code,
            series_name: view.series_name,
            level,
            level_label: level.label().into(),
            title_name: view.title_name,
            specialty: d.specialty,
            org_name: view.org.map(|o| o.name).unwrap_or_default(),
            org_id: d.org_id,
            status,
            status_label: status.label().into(),
            holder_org_id: d.holder_org_id,
            holder_org_name: view.holder.map(|o| o.name),
            applicant: ApplicantDto {
                name: view.applicant.name,
                id_number: view.applicant.id_number.map(|id| id.as_str().to_string()),
                phone: view.applicant.phone.map(|p| p.as_str().to_string()),
            },
            basic_confirmed: d.basic_confirmed,
            info: d.info,
            items: view.items.into_iter().map(ItemDto::from).collect(),
            open_sections,
            info_unlocked: d.info_unlocked,
            return_opinion: d.return_opinion,
            template_id: d.template_id,
            template_version: view.template.version,
            copied_from: d.copied_from,
            editable,
            version: d.version,
            submitted_at: d.submitted_at,
            created_at: d.created_at,
            updated_at: d.updated_at,
            plan,
            exceptional: d.exceptional,
            eligibility,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDeclarationRequest {
    #[schema(example = 2026)]
    pub year: i32,
    pub kind: DeclarationKind,
    #[schema(example = "health")]
    pub series: String,
    pub level: Level,
    /// A specialty (专业) name of the series.
    #[schema(example = "护理学")]
    pub specialty: String,
    /// The employer (申报单位).
    pub org_id: String,
    /// An earlier declaration of the same person to copy (采用往年申报信息).
    pub copy_from: Option<String>,
    /// The 申报计划 to declare in (`GET /plans?open=true`). When omitted, the plan open now for the
    /// year, kind, series and level whose bureau the employer's reporting paths end at.
    pub plan_id: Option<String>,
}

fn check_year(check: &mut Check, field: &str, year: i32) {
    let latest = chrono::Utc::now().year() + 1;
    if !(2000..=latest).contains(&year) {
        check.fail(field, format!("申报年度须在2000到{latest}之间"));
    }
}

/// 新增申报信息: a draft for a year, optionally copying an earlier one. One per person per year.
#[utoipa::path(
    tag = "declarations",
    security(("bearer" = [])),
    responses(
        (status = 201, body = DeclarationDto),
        (status = 401, body = Problem),
        (status = 403, description = "Not a person", body = Problem),
        (status = 404, description = "`copy_from` is not one of the caller's declarations", body = Problem),
        (status = 409, description = "A declaration exists for the year (同一年度只能选择一项)", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/declarations")]
pub async fn create_declaration(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    body: Json<CreateDeclarationRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut check = Check::default();
    check_year(&mut check, "/year", body.year);
    let series = check.text("/series", &body.series, "职称系列", 1, 32);
    let specialty = check.text("/specialty", &body.specialty, "专业", 1, 50);
    let org_id = check.text("/org_id", &body.org_id, "申报单位", 1, 64);
    check.finish()?;
    checked!(series, specialty, org_id);
    let input = NewDeclaration {
        year: body.year,
        kind: body.kind,
        series,
        level: body.level,
        specialty,
        org_id,
        copy_from: body.copy_from,
        plan_id: body.plan_id,
    };
    let view = declarations::create(&state, &user, input, ip.0).await?;
    Ok(HttpResponse::Created().json(DeclarationDto::from(view)))
}

/// The caller's own declarations, newest year first.
#[utoipa::path(
    tag = "declarations",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<DeclarationDto>),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/declarations")]
pub async fn list_declarations(
    state: web::Data<AppState>,
    user: AuthUser,
    paging: web::Query<PageQuery>,
) -> AppResult<web::Json<Page<DeclarationDto>>> {
    let (page, page_size) = paging.resolve()?;
    let (rows, total) = declarations::list_own(&state, &user, page, page_size).await?;
    let items = rows
        .into_iter()
        .map(|view| {
            // Masked in every list, even the owner's own (SECURITY: personal data).
            let mut dto = DeclarationDto::from(view);
            dto.applicant.id_number = dto.applicant.id_number.map(|id| crate::domain::mask_id_number(&id));
            dto.applicant.phone = dto.applicant.phone.map(|phone| crate::domain::mask_phone(&phone));
            dto
        })
        .collect();
    Ok(web::Json(Page { items, total, page, page_size }))
}

/// One of the caller's declarations with its items, evidence and where it is.
#[utoipa::path(
    tag = "declarations",
    security(("bearer" = [])),
    responses((status = 200, body = DeclarationDto), (status = 401, body = Problem), (status = 404, body = Problem))
)]
#[get("/declarations/{id}")]
pub async fn get_declaration(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<DeclarationDto>> {
    Ok(web::Json(declarations::get(&state, &user, &id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDeclarationRequest {
    /// Merged into 申报信息; `null` clears a key.
    #[schema(value_type = Option<Object>)]
    pub info: Option<Map<String, Value>>,
    /// Confirms name, ID number and phone (基本信息).
    pub basic_confirmed: Option<bool>,
    pub year: Option<i32>,
    pub kind: Option<DeclarationKind>,
    pub series: Option<String>,
    pub level: Option<Level>,
    pub specialty: Option<String>,
    pub org_id: Option<String>,
    /// Another open 申报计划 for the draft.
    pub plan_id: Option<String>,
    /// 破格 (only where the plan's `exceptional_allowed`).
    pub exceptional: Option<bool>,
    /// 破格 explanations by rule code (`eligibility[].code`), merged; `null` clears one.
    #[schema(value_type = Option<Object>)]
    pub exceptional_explanations: Option<Map<String, Value>>,
}

/// Edits a draft (all fields), or after a return the info if the reviewer unlocked it.
#[utoipa::path(
    tag = "declarations",
    security(("bearer" = [])),
    responses(
        (status = 200, body = DeclarationDto),
        (status = 401, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Submitted (locked), or not opened by the return", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[patch("/declarations/{id}")]
pub async fn update_declaration(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<UpdateDeclarationRequest>,
) -> AppResult<web::Json<DeclarationDto>> {
    let body = body.into_inner();
    let mut check = Check::default();
    if let Some(year) = body.year {
        check_year(&mut check, "/year", year);
    }
    let series = body.series.as_deref().and_then(|s| check.text("/series", s, "职称系列", 1, 32));
    let specialty = body.specialty.as_deref().and_then(|s| check.text("/specialty", s, "专业", 1, 50));
    let org_id = body.org_id.as_deref().and_then(|s| check.text("/org_id", s, "申报单位", 1, 64));
    if body.info.as_ref().is_some_and(|info| info.len() > 100) {
        check.fail("/info", "申报信息项过多");
    }
    check.finish()?;
    let patch = DeclarationPatch {
        info: body.info,
        basic_confirmed: body.basic_confirmed,
        year: body.year,
        kind: body.kind,
        series,
        level: body.level,
        specialty,
        org_id,
        plan_id: body.plan_id,
        exceptional: body.exceptional,
        exceptional_explanations: body.exceptional_explanations,
    };
    Ok(web::Json(declarations::update(&state, &user, &id, patch).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItemRequest {
    #[schema(example = "education")]
    pub section: String,
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
    #[serde(default)]
    pub attachment_ids: Vec<String>,
}

/// Adds an item to a section (after a return, only to sections opened for 新增).
#[utoipa::path(
    tag = "declarations",
    security(("bearer" = [])),
    responses(
        (status = 201, body = DeclarationDto),
        (status = 401, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/declarations/{id}/items")]
pub async fn add_item(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<NewItemRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let view = declarations::add_item(
        &state,
        &user,
        &id,
        NewItem { section: body.section, data: body.data, attachment_ids: body.attachment_ids },
    )
    .await?;
    Ok(HttpResponse::Created().json(DeclarationDto::from(view)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateItemRequest {
    /// Replaces the item's data.
    #[schema(value_type = Option<Object>)]
    pub data: Option<Map<String, Value>>,
    /// Replaces the item's evidence.
    pub attachment_ids: Option<Vec<String>>,
}

/// Changes an item (after a return, only flagged 修改 items or ones added since).
#[utoipa::path(
    tag = "declarations",
    security(("bearer" = [])),
    responses(
        (status = 200, body = DeclarationDto),
        (status = 401, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[patch("/declarations/{id}/items/{item_id}")]
pub async fn update_item(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<UpdateItemRequest>,
) -> AppResult<web::Json<DeclarationDto>> {
    let (id, item_id) = path.into_inner();
    let body = body.into_inner();
    let change = ItemChange { data: body.data, attachment_ids: body.attachment_ids };
    Ok(web::Json(declarations::update_item(&state, &user, &id, &item_id, change).await?.into()))
}

/// Deletes an item of a draft (after a return, only ones added since).
#[utoipa::path(
    tag = "declarations",
    security(("bearer" = [])),
    responses(
        (status = 200, body = DeclarationDto),
        (status = 401, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem),
    )
)]
#[delete("/declarations/{id}/items/{item_id}")]
pub async fn delete_item(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> AppResult<web::Json<DeclarationDto>> {
    let (id, item_id) = path.into_inner();
    Ok(web::Json(declarations::delete_item(&state, &user, &id, &item_id).await?.into()))
}

/// 确认申报: checks everything at once. Success: `pending` at the employer and locked. Otherwise
/// 422 `declaration_incomplete` listing **every** problem; each `field` is a JSON pointer into
/// this declaration: `/basic_confirmed`, `/info/<key>`, `/sections/<code>` (too few items),
/// `/items/<index>/data/<key>` and `/items/<index>/attachments` (index into `items` as served),
/// `/series`, `/level`, `/specialty`, `/org_id` (no approved path of the employer), the failed
/// 资格条件 at their field (for a 破格 declaration a missing explanation at
/// `/exceptional_explanations/<code>`), and `/pledge_sha256` (诚信承诺书 not accepted, or not the
/// plan's current text). The submit event records the accepted text's hash and when.
/// Submitting again after success answers 200 with the declaration and changes nothing.
#[utoipa::path(
    tag = "declarations",
    security(("bearer" = [])),
    responses(
        (status = 200, body = DeclarationDto),
        (status = 401, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Already with a reviewer", body = Problem),
        (status = 422, description = "Every problem, with pointers", body = Problem),
    )
)]
#[post("/declarations/{id}/submit")]
pub async fn submit_declaration(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: Json<SubmitRequest>,
) -> AppResult<web::Json<DeclarationDto>> {
    let body = body.into_inner();
    let mut check = Check::default();
    let pledge = match (body.pledge_accepted, body.pledge_sha256) {
        (Some(false), _) => {
            check.fail("/pledge_accepted", "请勾选同意《诚信承诺书》");
            None
        }
        (_, Some(hash)) if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            check.fail("/pledge_sha256", "诚信承诺书的摘要须为64位十六进制");
            None
        }
        (_, hash) => hash.map(|h| h.to_ascii_lowercase()),
    };
    check.finish()?;
    Ok(web::Json(declarations::submit(&state, &user, &id, pledge.as_deref(), ip.0).await?.into()))
}

/// 确认申报 with the 诚信承诺书 accepted.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// SHA-256 (hex) of the 诚信承诺书 the applicant read and accepted: `plan.pledge_sha256`.
    /// Missing or not the plan's current text: 422 at `/pledge_sha256`.
    #[schema(example = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    pub pledge_sha256: Option<String>,
    /// The tick itself; `false` is refused.
    pub pledge_accepted: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    pub id: String,
    pub at: chrono::DateTime<chrono::Utc>,
    /// create, submit, resubmit, approve, return, report, accept.
    pub action: String,
    pub action_label: String,
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    /// The real-name actor.
    pub actor_name: String,
    pub opinion: Option<String>,
    /// Item opinions of a return, the target of a report, …
    pub detail: Option<Value>,
}

impl From<declaration_event::Model> for EventDto {
    fn from(event: declaration_event::Model) -> Self {
        Self {
            action_label: crate::domain::lifecycle::event_label(&event.action).into(),
            id: event.id,
            at: event.at,
            action: event.action,
            org_id: event.org_id,
            org_name: event.org_name,
            actor_name: event.actor_name,
            opinion: event.opinion,
            detail: event.detail,
        }
    }
}

/// 申报进度: who did what when, oldest first — for the owner and the organisations it reached.
#[utoipa::path(
    tag = "declarations",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<EventDto>), (status = 401, body = Problem), (status = 404, body = Problem))
)]
#[get("/declarations/{id}/events")]
pub async fn declaration_events(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<Vec<EventDto>>> {
    let events = declarations::events(&state, &user, &id).await?;
    Ok(web::Json(events.into_iter().map(EventDto::from).collect()))
}

/// One line of 访问记录: an organisation's account opened the declaration or downloaded a file;
/// repeats by the same account within ten minutes are one line with a count.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogEntryDto {
    pub id: String,
    pub org_id: String,
    /// The organisation, e.g. `济阳区人民医院`.
    pub org_name: String,
    /// The account's real name (实名).
    pub account_name: String,
    pub username: String,
    /// `view` (查看申报) or `download` (下载材料).
    pub action: String,
    #[schema(example = "查看申报")]
    pub action_label: String,
    /// The file's name, for downloads.
    pub attachment_name: Option<String>,
    pub first_at: chrono::DateTime<chrono::Utc>,
    pub last_at: chrono::DateTime<chrono::Utc>,
    /// How many times within the line's span.
    pub count: i32,
}

impl From<declaration_access::Model> for AccessLogEntryDto {
    fn from(row: declaration_access::Model) -> Self {
        let action_label = if row.action == "download" { "下载材料" } else { "查看申报" };
        Self {
            id: row.id,
            org_id: row.org_id,
            org_name: row.org_name,
            account_name: row.account_name,
            username: row.username,
            action_label: action_label.into(),
            action: row.action,
            attachment_name: row.attachment_name,
            first_at: row.first_at,
            last_at: row.last_at,
            count: row.count,
        }
    }
}

/// 访问记录: who at which organisation opened the caller's declaration or downloaded its files,
/// newest first. Only the applicant herself: other persons get 404, other roles 403.
#[utoipa::path(
    tag = "declarations",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<AccessLogEntryDto>),
        (status = 401, body = Problem),
        (status = 403, description = "Not a person's account", body = Problem),
        (status = 404, description = "Not the caller's declaration", body = Problem),
    )
)]
#[get("/declarations/{id}/access-log")]
pub async fn declaration_access_log(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<Vec<AccessLogEntryDto>>> {
    let rows = crate::services::access_log::for_owner(&state, &user, &id).await?;
    Ok(web::Json(rows.into_iter().map(AccessLogEntryDto::from).collect()))
}
