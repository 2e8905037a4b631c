//! 职称申报数据审核: the review list, the review page, 审核通过 and 审核不通过/退回.

use crate::domain::plan::{Stage, in_beijing};
use actix_web::{HttpRequest, get, post, web};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::checked;
use crate::domain::{DeclarationKind, DeclarationStatus, Level};
use crate::error::{AppError, AppResult, Problem};
use crate::routes::declarations::{DeclarationDto, EventDto};
use crate::routes::json::Json;
use crate::routes::{Check, PageQuery};
use crate::services::access_log;
use crate::services::reviews::{
    self, Count, Cursor, PageStart, ReturnDecision, ReviewFilter, ReviewRow, ReviewSort, ReviewView, SortOrder,
    Standing,
};
use crate::services::snapshots::{Snapshot, SnapshotFile, SnapshotItem};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_reviews)
        .service(review_summary)
        .service(get_review)
        .service(approve_review)
        .service(return_review);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// 审核状态 as seen from the caller's organisation; `approved` is 通过未上报.
    pub status: Option<Standing>,
    pub year: Option<i32>,
    pub level: Option<Level>,
    /// Series code.
    pub series: Option<String>,
    /// Part of the applicant's name.
    pub q: Option<String>,
    /// 排序: `updated_at` unless said.
    #[param(inline)]
    pub sort: Option<ReviewSort>,
    /// `desc` unless said.
    #[param(inline)]
    pub order: Option<SortOrder>,
    /// The employer (申报单位) id.
    pub org_id: Option<String>,
}

impl ReviewQuery {
    pub fn into_filter(self) -> ReviewFilter {
        ReviewFilter {
            standing: self.status,
            year: self.year,
            level: self.level,
            series: self.series,
            q: self.q,
            org_id: self.org_id,
            sort: self.sort.unwrap_or_default(),
            order: self.order.unwrap_or_default(),
        }
    }
}

/// Keyset paging: the next page after the one that gave this cursor.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AfterQuery {
    /// The `next` of the page before (opaque). With it, `page` is not sent: the page is the one after.
    pub after: Option<String>,
}

/// One page of the review list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewPageDto {
    pub items: Vec<ReviewRowDto>,
    /// Rows under the filter, counted up to 10,000.
    pub total: u64,
    /// More rows match than `total` (shown as 10000+): the count stops there so that no page
    /// counts a whole province.
    pub total_capped: bool,
    /// The page number asked (1 when `after` was sent).
    pub page: u64,
    pub page_size: u64,
    /// Send as `after` for the next page (fast at any depth); absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewRowDto {
    pub id: String,
    pub year: i32,
    pub kind: DeclarationKind,
    pub kind_label: String,
    pub series: String,
    pub series_name: String,
    pub level: Level,
    pub level_label: String,
    pub title_name: String,
    pub specialty: String,
    pub applicant_name: String,
    /// Masked, e.g. `110105********002X`.
    pub id_number_masked: String,
    /// Masked, e.g. `138****8000`.
    pub phone_masked: String,
    pub org_id: String,
    pub org_name: String,
    pub status: DeclarationStatus,
    /// Where it stands for the caller's organisation.
    pub standing: Standing,
    pub standing_label: String,
    pub holder_org_id: Option<String>,
    pub holder_org_name: Option<String>,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Submitted again after a return (重新申报): the review page shows what changed.
    pub resubmitted: bool,
}

impl From<ReviewRow> for ReviewRowDto {
    fn from(row: ReviewRow) -> Self {
        let d = row.declaration;
        let kind = DeclarationKind::parse(&d.kind).unwrap_or(DeclarationKind::Title);
        let level = Level::parse(&d.level).unwrap_or(Level::Intermediate);
        Self {
            id: d.id,
            year: d.year,
            kind,
            kind_label: kind.label().into(),
            series: d.series_code,
            series_name: row.series_name,
            level,
            level_label: level.label().into(),
            title_name: row.title_name,
            specialty: d.specialty,
            applicant_name: d.applicant_name,
            id_number_masked: row.id_number.map(|id| id.masked()).unwrap_or_default(),
            phone_masked: row.phone.map(|p| p.masked()).unwrap_or_default(),
            org_id: d.org_id,
            org_name: row.employer.map(|o| o.name).unwrap_or_default(),
            status: DeclarationStatus::parse(&d.status).unwrap_or(DeclarationStatus::Draft),
            standing: row.standing,
            standing_label: row.standing.label().into(),
            holder_org_id: d.holder_org_id,
            holder_org_name: row.holder.map(|o| o.name),
            submitted_at: d.submitted_at,
            updated_at: d.updated_at,
            resubmitted: row.resubmitted,
        }
    }
}

/// Declarations held by, or reported from, the caller's organisation. ID numbers and phones are masked.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(ReviewQuery, PageQuery, AfterQuery),
    responses(
        (status = 200, body = ReviewPageDto),
        (status = 401, body = Problem),
        (status = 403, description = "Not an organisation account", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/reviews")]
pub async fn list_reviews(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ReviewQuery>,
    paging: web::Query<PageQuery>,
    after: web::Query<AfterQuery>,
) -> AppResult<web::Json<ReviewPageDto>> {
    let (page, page_size) = paging.resolve()?;
    let query = query.into_inner();
    let mut check = Check::default();
    if query.q.as_deref().is_some_and(|q| q.chars().count() > 50) {
        check.fail("/q", "搜索内容过长");
    }
    if query.series.as_deref().is_some_and(|s| s.len() > 32) {
        check.fail("/series", "职称系列不存在");
    }
    if query.org_id.as_deref().is_some_and(|s| s.len() > 64) {
        check.fail("/org_id", "单位不存在");
    }
    let start = match after.into_inner().after {
        None => Some(PageStart::Number(page)),
        Some(_) if paging.page.is_some() => {
            check.fail("/after", "翻页位置与页码只能给一个");
            None
        }
        Some(text) => {
            let cursor = Cursor::decode(&text);
            if cursor.is_none() {
                check.fail("/after", "翻页位置无效，请回到第一页");
            }
            cursor.map(PageStart::After)
        }
    };
    check.finish()?;
    let start = start.unwrap_or(PageStart::Number(1));
    let page = if let PageStart::Number(n) = start { n } else { 1 };
    let found = reviews::list(&state, &user, query.into_filter(), start, page_size).await?;
    Ok(web::Json(ReviewPageDto {
        items: found.rows.into_iter().map(ReviewRowDto::from).collect(),
        total: found.total,
        total_capped: found.total_capped,
        page,
        page_size,
        next: found.next.map(|c| c.encode()),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    pub year: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountDto {
    pub series: String,
    pub series_name: String,
    pub level: String,
    pub standing: Standing,
    pub standing_label: String,
    pub count: i64,
}

/// Counts of the declarations that reached the caller's organisation, by series, level and standing
/// (the bureau's overview of what it accepted).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(SummaryQuery),
    responses((status = 200, body = Vec<CountDto>), (status = 401, body = Problem), (status = 403, body = Problem))
)]
#[get("/reviews/summary")]
pub async fn review_summary(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<SummaryQuery>,
) -> AppResult<web::Json<Vec<CountDto>>> {
    let counts = reviews::summary(&state, &user, query.year).await?;
    Ok(web::Json(
        counts
            .into_iter()
            .map(|c: Count| CountDto {
                series: c.series,
                series_name: c.series_name,
                level: c.level,
                standing_label: c.standing.label().into(),
                standing: c.standing,
                count: c.count,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDto {
    pub declaration: DeclarationDto,
    pub standing: Standing,
    pub standing_label: String,
    /// Whether the caller may approve or return it now.
    pub can_review: bool,
    /// Whether the caller's organisation may report it now.
    pub can_report: bool,
    /// The whole history, oldest first.
    pub events: Vec<EventDto>,
    /// What the declaration held when it was last returned, once it has been submitted again
    /// (本次修改): compare with `declaration` for each changed item's values before and after and
    /// the evidence added and removed. `null` when it was never returned or is with the applicant.
    pub since_return: Option<ReturnSnapshotDto>,
    /// This level's deadline for it (申报计划; later when extended); null before plans.
    pub deadline: Option<ReviewDeadlineDto>,
}

/// An evidence file as it was at the return.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotFileDto {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// An item as it was at the return.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotItemDto {
    pub id: String,
    pub section: String,
    pub data: serde_json::Value,
    pub attachments: Vec<SnapshotFileDto>,
}

/// The declaration as it was returned: 申报信息 and every item with its evidence.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnSnapshotDto {
    /// When it was returned.
    pub returned_at: chrono::DateTime<chrono::Utc>,
    /// The organisation that returned it.
    pub org_id: String,
    pub info: serde_json::Map<String, serde_json::Value>,
    pub items: Vec<SnapshotItemDto>,
}

impl From<Snapshot> for ReturnSnapshotDto {
    fn from(snapshot: Snapshot) -> Self {
        let file = |f: SnapshotFile| SnapshotFileDto {
            id: f.id,
            filename: f.filename,
            content_type: f.content_type,
            size: f.size,
        };
        let item = |i: SnapshotItem| SnapshotItemDto {
            id: i.id,
            section: i.section,
            data: i.data,
            attachments: i.attachments.into_iter().map(file).collect(),
        };
        Self {
            returned_at: snapshot.taken_at,
            org_id: snapshot.org_id,
            info: snapshot.info,
            items: snapshot.items.into_iter().map(item).collect(),
        }
    }
}

/// The caller organisation's deadline for one declaration.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDeadlineDto {
    pub plan_id: String,
    pub stage: Stage,
    #[schema(example = "单位审核截止")]
    pub label: String,
    /// The deadline in force, Beijing time.
    pub at: DateTime<FixedOffset>,
    /// The plan's own deadline for the level.
    pub planned_at: DateTime<FixedOffset>,
    pub extended: bool,
    pub extension_reason: Option<String>,
    /// Seconds from now (server clock); 0 once passed.
    pub seconds_left: i64,
    /// Past it, approve, return and report are refused.
    pub passed: bool,
}

impl From<ReviewView> for ReviewDto {
    fn from(view: ReviewView) -> Self {
        let now = view.now;
        let deadline = view.deadline.map(|d| ReviewDeadlineDto {
            plan_id: d.plan_id.clone(),
            stage: d.stage,
            label: d.stage.deadline_label().into(),
            at: in_beijing(d.at),
            planned_at: in_beijing(d.planned),
            extended: d.extension.is_some(),
            extension_reason: d.extension.as_ref().map(|e| e.reason.clone()),
            seconds_left: (d.at - now).num_seconds().max(0),
            passed: d.passed(now),
        });
        Self {
            deadline,
            standing: view.standing,
            standing_label: view.standing.label().into(),
            can_review: view.can_review,
            can_report: view.can_report,
            events: view.events.into_iter().map(EventDto::from).collect(),
            since_return: view.since_return.map(ReturnSnapshotDto::from),
            declaration: view.view.into(),
        }
    }
}

/// The declaration as a reviewer sees it: items, evidence, the changes since a return, the history.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    responses(
        (status = 200, body = ReviewDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, description = "Never reached the caller's organisation", body = Problem),
    )
)]
#[get("/reviews/{id}")]
pub async fn get_review(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<ReviewDto>> {
    let review = reviews::get(&state, &user, &id).await?;
    access_log::record_view(&state, &user, &id).await?;
    Ok(web::Json(review.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    pub opinion: Option<String>,
}

/// The version an `If-Match` header expects (`"7"` or `7`), if one was sent.
fn expected_version(request: &HttpRequest) -> AppResult<Option<i32>> {
    let Some(value) = request.headers().get("if-match") else { return Ok(None) };
    let text = value.to_str().unwrap_or("").trim().trim_start_matches("W/").trim_matches('"');
    text.parse().map(Some).map_err(|_| AppError::field("/if_match", "If-Match 须为申报的 version"))
}

/// 审核通过: `approved` here (通过未上报; not sent anywhere yet), or `accepted` (受理) at the bureau.
/// Only a real-name reviewer of the organisation holding it; only while `pending`. Send
/// `If-Match: <version>` to decide only if nobody changed it since it was read (else 412).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, description = "The declaration `version` the reviewer saw")),
    responses(
        (status = 200, body = ReviewDto),
        (status = 401, body = Problem),
        (status = 403, description = "Not a real-name reviewer, or the organisation has none (提示1)", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Already reviewed, or no longer held here", body = Problem),
        (status = 412, description = "Changed since the version in If-Match", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/reviews/{id}/approve")]
pub async fn approve_review(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    request: HttpRequest,
    id: web::Path<String>,
    body: Json<ApproveRequest>,
) -> AppResult<web::Json<ReviewDto>> {
    let expected = expected_version(&request)?;
    let mut check = Check::default();
    let opinion = match body.opinion.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        Some(text) => check.free_text("/opinion", text, "审核意见", 1, 2000),
        None => None,
    };
    check.finish()?;
    Ok(web::Json(reviews::approve(&state, &user, &id, opinion, expected, ip.0).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemOpinion {
    pub item_id: String,
    /// What must be modified (修改).
    pub opinion: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    /// 审核不通过的原因 (required).
    pub opinion: String,
    /// Items the applicant must modify, each with its opinion.
    #[serde(default)]
    pub items: Vec<ItemOpinion>,
    /// Section codes the applicant may add items to (新增).
    #[serde(default)]
    pub add_sections: Vec<String>,
    /// When given, 申报信息 is unlocked too, with this opinion.
    pub info_opinion: Option<String>,
}

/// 审核不通过 + 退回: straight back to the applicant (直接退回到申报人个人账号), from `pending` or from
/// `approved` not yet reported (提示3). `If-Match` works as for approve.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, description = "The declaration `version` the reviewer saw")),
    responses(
        (status = 200, body = ReviewDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem),
        (status = 412, description = "Changed since the version in If-Match", body = Problem),
        (status = 422, description = "No opinion, an item of another declaration, an unknown section", body = Problem),
    )
)]
#[post("/reviews/{id}/return")]
pub async fn return_review(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    request: HttpRequest,
    id: web::Path<String>,
    body: Json<ReturnRequest>,
) -> AppResult<web::Json<ReviewDto>> {
    let expected = expected_version(&request)?;
    let body = body.into_inner();
    let mut check = Check::default();
    let opinion = check.free_text("/opinion", &body.opinion, "审核意见", 1, 2000);
    if body.items.len() > 200 || body.add_sections.len() > 50 {
        return Err(AppError::field("/items", "退回条目或栏目过多"));
    }
    let mut items = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (index, item) in body.items.iter().enumerate() {
        if !seen.insert(item.item_id.as_str()) {
            check.fail(&format!("/items/{index}/item_id"), "条目重复");
        }
        if let Some(text) = check.free_text(&format!("/items/{index}/opinion"), &item.opinion, "修改意见", 1, 1000)
        {
            items.push((item.item_id.clone(), text));
        }
    }
    let mut add_sections: Vec<String> = Vec::new();
    for (index, code) in body.add_sections.iter().enumerate() {
        if add_sections.contains(code) || code.len() > 32 {
            check.fail(&format!("/add_sections/{index}"), "栏目重复或无效");
        } else {
            add_sections.push(code.clone());
        }
    }
    let info_opinion = body
        .info_opinion
        .as_deref()
        .and_then(|text| check.free_text("/info_opinion", text, "申报信息修改意见", 1, 1000));
    check.finish()?;
    checked!(opinion);
    let decision = ReturnDecision { opinion, items, add_sections, info_opinion };
    Ok(web::Json(reviews::return_declaration(&state, &user, &id, decision, expected, ip.0).await?.into()))
}
