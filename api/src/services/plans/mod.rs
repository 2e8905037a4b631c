//! 申报计划: the year's plans a bureau publishes — which series, levels and kind are open, the
//! window for individuals, each level's deadline, the 诚信承诺书 — and their extensions (延期).
//!
//! Other services ask this module, never the tables:
//! - [`window::resolve`] finds the plan a new declaration belongs to (or the 422 naming the window);
//! - [`window::check_declare`] says whether its applicant may submit or resubmit now;
//! - [`window::deadline_for`] gives an organisation's review/report deadline for a declaration
//!   (with extensions), and [`window::check_review`] refuses work after it;
//! - [`open_for`] lists the plans open at an instant for a year, kind, series and level;
//! - [`window::org_deadlines`] lists an organisation's deadlines across the current plans
//!   (reminders, dashboards), and [`window::overdue`] the declarations still held past theirs.
//!
//! Every rule reads `state.clock`, never the client's time.

pub mod eligibility;
pub mod extensions;
pub mod window;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde_json::json;

use crate::auth::AuthUser;
use crate::db;
use crate::domain::plan::{DEFAULT_PLEDGE, Timeline, beijing_text, pledge_hash};
use crate::domain::{DeclarationKind, Level, OrgKind, Role};
use crate::entities::{
    attachment, declaration, eligibility_rule_set, org, plan, plan_extension, plan_scope, pledge_text, series,
    series_level,
};
use crate::error::{AppError, AppResult, FieldError};
use crate::services::audit::{self, AuditEntry};
use crate::state::AppState;

/// Longest notice text (申报通知), in characters.
pub const MAX_NOTICE_CHARS: usize = 20_000;
/// Longest pledge text, in characters.
pub const MAX_PLEDGE_CHARS: usize = 5_000;

/// What a bureau publishes. `bureau_org_id` is the caller's own bureau for its admin; the platform
/// admin names it.
pub struct PlanInput {
    pub bureau_org_id: Option<String>,
    pub year: i32,
    pub kind: DeclarationKind,
    pub name: String,
    pub notice: String,
    pub notice_attachment_id: Option<String>,
    pub series: Vec<String>,
    pub levels: Vec<Level>,
    pub timeline: Timeline,
    /// None: the platform's default 诚信承诺书.
    pub pledge_text: Option<String>,
    pub exceptional_allowed: bool,
}

/// Changes to a plan; `None` keeps a value. Year, kind and bureau never change.
#[derive(Default)]
pub struct PlanPatch {
    pub name: Option<String>,
    pub notice: Option<String>,
    /// `Some(None)` removes the attachment.
    pub notice_attachment_id: Option<Option<String>>,
    pub series: Option<Vec<String>>,
    pub levels: Option<Vec<Level>>,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub return_closes_at: Option<DateTime<Utc>>,
    pub employer_closes_at: Option<DateTime<Utc>>,
    pub authority_closes_at: Option<DateTime<Utc>>,
    pub bureau_closes_at: Option<DateTime<Utc>>,
    pub pledge_text: Option<String>,
    pub exceptional_allowed: Option<bool>,
}

/// A plan with what a screen shows about it.
pub struct PlanView {
    pub plan: plan::Model,
    pub bureau: Option<org::Model>,
    /// (series code, series name, level, title name) pairs the plan opens.
    pub scopes: Vec<(String, String, Level, String)>,
    pub pledge_text: String,
    pub notice_attachment: Option<attachment::Model>,
    /// Extensions with the organisation each was given to.
    pub extensions: Vec<(plan_extension::Model, Option<org::Model>)>,
    /// How many declarations were made in it.
    pub declarations: u64,
}

impl PlanView {
    pub fn timeline(&self) -> Timeline {
        timeline_of(&self.plan)
    }

    /// The series codes, in the catalogue's order.
    pub fn series(&self) -> Vec<String> {
        let mut seen = Vec::new();
        for (code, ..) in &self.scopes {
            if !seen.contains(code) {
                seen.push(code.clone());
            }
        }
        seen
    }

    pub fn levels(&self) -> Vec<Level> {
        Level::ALL.iter().copied().filter(|l| self.scopes.iter().any(|(_, _, level, _)| level == l)).collect()
    }
}

pub fn timeline_of(plan: &plan::Model) -> Timeline {
    Timeline {
        opens_at: plan.opens_at,
        closes_at: plan.closes_at,
        return_closes_at: plan.return_closes_at,
        employer_closes_at: plan.employer_closes_at,
        authority_closes_at: plan.authority_closes_at,
        bureau_closes_at: plan.bureau_closes_at,
    }
}

/// The plan's year, kind, series and level as people read them: 2026年度卫生系列副高级职称申报.
pub fn describe(year: i32, kind: DeclarationKind, series_name: &str, level: Level) -> String {
    format!("{year}年度{series_name}系列{}{}", level.label(), kind.label())
}

/// The bureau a caller acts for: its own `hrss` organisation, or — for the platform admin — the
/// one named. Anyone else is refused.
async fn acting_bureau(db: &impl ConnectionTrait, user: &AuthUser, named: Option<&str>) -> AppResult<org::Model> {
    user.require(&[Role::OrgAdmin, Role::Admin])?;
    let id = match user.role {
        Role::Admin => named.ok_or_else(|| AppError::field("/bureau_org_id", "请选择发布计划的人社局"))?.to_string(),
        _ => {
            let own = user.org()?;
            if named.is_some_and(|n| n != own) {
                return Err(AppError::field("/bureau_org_id", "只能为本人社局发布申报计划"));
            }
            own.to_string()
        }
    };
    let bureau = org::Entity::find_by_id(id).one(db).await?.filter(|o| o.status == "active");
    match bureau {
        Some(bureau) if bureau.kind == OrgKind::Hrss.as_str() => Ok(bureau),
        _ if user.role == Role::Admin => Err(AppError::field("/bureau_org_id", "所选单位不是人社局")),
        _ => Err(AppError::forbidden("bureau_only", "仅人社局可发布和维护申报计划")),
    }
}

/// The plan, for the platform admin or its bureau's admin; 404 when it does not exist, 403 for
/// any other organisation (plans are public, so their existence is no secret).
pub(crate) async fn managed(tx: &impl ConnectionTrait, user: &AuthUser, id: &str) -> AppResult<plan::Model> {
    user.require(&[Role::OrgAdmin, Role::Admin])?;
    let plan = plan::Entity::find_by_id(id.to_string()).one(tx).await?.ok_or(AppError::NotFound)?;
    if user.role == Role::Admin || user.org_id.as_deref() == Some(plan.bureau_org_id.as_str()) {
        Ok(plan)
    } else {
        Err(AppError::forbidden("not_plan_bureau", "仅发布该计划的人社局可维护此申报计划"))
    }
}

/// Stores a pledge text under its hash (once) and returns the hash.
async fn store_pledge(db: &impl ConnectionTrait, text: &str) -> AppResult<String> {
    let hash = pledge_hash(text);
    if pledge_text::Entity::find_by_id(hash.clone()).one(db).await?.is_none() {
        pledge_text::Entity::insert(pledge_text::ActiveModel {
            sha256: Set(hash.clone()),
            text: Set(text.to_string()),
            created_at: Set(db::now()),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(hash)
}

/// The text accepted under a hash, for showing what a person pledged.
pub async fn pledge_of(db: &impl ConnectionTrait, sha256: &str) -> AppResult<Option<String>> {
    Ok(pledge_text::Entity::find_by_id(sha256.to_string()).one(db).await?.map(|p| p.text))
}

fn check_texts(name: &str, notice: &str, pledge: Option<&str>, errors: &mut Vec<FieldError>) {
    let name_len = name.chars().count();
    if name_len == 0 || name_len > 100 {
        errors.push(FieldError::new("/name", "计划名称须为1到100个字"));
    }
    if notice.chars().count() > MAX_NOTICE_CHARS {
        errors.push(FieldError::new("/notice", format!("申报通知不能超过{MAX_NOTICE_CHARS}个字")));
    }
    if let Some(pledge) = pledge {
        let length = pledge.trim().chars().count();
        if !(10..=MAX_PLEDGE_CHARS).contains(&length) {
            errors.push(FieldError::new("/pledge_text", format!("诚信承诺书须为10到{MAX_PLEDGE_CHARS}个字")));
        }
    }
}

fn check_year(year: i32, now: DateTime<Utc>, errors: &mut Vec<FieldError>) {
    let latest = now.year() + 2;
    if !(2000..=latest).contains(&year) {
        errors.push(FieldError::new("/year", format!("计划年度须在2000到{latest}之间")));
    }
}

/// The catalogue pairs of `series` × `levels`; each series must have at least one of the levels.
async fn scope_pairs(
    db: &impl ConnectionTrait,
    series_codes: &[String],
    levels: &[Level],
    errors: &mut Vec<FieldError>,
) -> AppResult<Vec<(String, Level)>> {
    if series_codes.is_empty() {
        errors.push(FieldError::new("/series", "请至少选择一个职称系列"));
    }
    if levels.is_empty() {
        errors.push(FieldError::new("/levels", "请至少选择一个职称级别"));
    }
    if series_codes.len() > 100 {
        errors.push(FieldError::new("/series", "职称系列过多"));
        return Ok(Vec::new());
    }
    let known: HashMap<String, series::Model> = series::Entity::find()
        .filter(series::Column::Code.is_in(series_codes.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    let offered: Vec<series_level::Model> = series_level::Entity::find()
        .filter(series_level::Column::SeriesCode.is_in(series_codes.to_vec()))
        .filter(series_level::Column::Active.eq(true))
        .all(db)
        .await?;
    let mut pairs = Vec::new();
    let mut seen = BTreeSet::new();
    for (index, code) in series_codes.iter().enumerate() {
        if !seen.insert(code.clone()) {
            errors.push(FieldError::new(format!("/series/{index}"), "职称系列重复"));
            continue;
        }
        match known.get(code) {
            Some(s) if s.active => {}
            _ => {
                errors.push(FieldError::new(format!("/series/{index}"), "职称系列不存在或已停用"));
                continue;
            }
        }
        let here: Vec<(String, Level)> = levels
            .iter()
            .filter(|l| offered.iter().any(|o| &o.series_code == code && o.level == l.as_str()))
            .map(|l| (code.clone(), *l))
            .collect();
        if here.is_empty() && !levels.is_empty() {
            errors.push(FieldError::new(format!("/series/{index}"), "该系列没有所选的任何职称级别"));
        }
        pairs.extend(here);
    }
    Ok(pairs)
}

/// Another plan of the same bureau must not open the same year, kind, series and level: a
/// declaration would not know which plan it belongs to.
async fn ensure_no_overlap(
    db: &impl ConnectionTrait,
    bureau_org_id: &str,
    year: i32,
    kind: &str,
    pairs: &[(String, Level)],
    except: Option<&str>,
) -> AppResult<()> {
    let mut query = plan::Entity::find()
        .filter(plan::Column::BureauOrgId.eq(bureau_org_id))
        .filter(plan::Column::Year.eq(year))
        .filter(plan::Column::Kind.eq(kind));
    if let Some(except) = except {
        query = query.filter(plan::Column::Id.ne(except));
    }
    let others = query.all(db).await?;
    if others.is_empty() {
        return Ok(());
    }
    let scopes = plan_scope::Entity::find()
        .filter(plan_scope::Column::PlanId.is_in(others.iter().map(|p| p.id.clone())))
        .all(db)
        .await?;
    for scope in scopes {
        if pairs.iter().any(|(s, l)| s == &scope.series_code && l.as_str() == scope.level)
            && let Some(other) = others.iter().find(|p| p.id == scope.plan_id)
        {
            return Err(AppError::conflict(
                "plan_overlaps",
                format!("本局“{}”已包含同一年度、类别的相同系列和级别，请修改该计划而非重复发布", other.name),
            ));
        }
    }
    Ok(())
}

async fn check_notice_attachment(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    id: &str,
    errors: &mut Vec<FieldError>,
) -> AppResult<()> {
    let own = attachment::Entity::find_by_id(id.to_string()).one(db).await?.filter(|a| a.owner_id == user.id);
    if own.is_none() {
        errors.push(FieldError::new("/notice_attachment_id", "附件不存在，请重新上传"));
    }
    Ok(())
}

async fn write_scopes(tx: &DatabaseTransaction, plan_id: &str, pairs: &[(String, Level)]) -> AppResult<()> {
    plan_scope::Entity::delete_many().filter(plan_scope::Column::PlanId.eq(plan_id)).exec(tx).await?;
    if pairs.is_empty() {
        return Ok(());
    }
    plan_scope::Entity::insert_many(pairs.iter().map(|(series_code, level)| plan_scope::ActiveModel {
        plan_id: Set(plan_id.to_string()),
        series_code: Set(series_code.clone()),
        level: Set(level.as_str().to_string()),
    }))
    .exec_without_returning(tx)
    .await?;
    Ok(())
}

/// 发布申报计划.
pub async fn create(state: &AppState, user: &AuthUser, input: PlanInput, ip: Option<String>) -> AppResult<PlanView> {
    let tx = db::begin_write(&state.db).await?;
    let bureau = acting_bureau(&tx, user, input.bureau_org_id.as_deref()).await?;
    let mut errors = Vec::new();
    check_year(input.year, state.clock.now(), &mut errors);
    check_texts(&input.name, &input.notice, input.pledge_text.as_deref(), &mut errors);
    errors.extend(input.timeline.problems().into_iter().map(|(f, m)| FieldError::new(f, m)));
    if let Some(id) = &input.notice_attachment_id {
        check_notice_attachment(&tx, user, id, &mut errors).await?;
    }
    let pairs = scope_pairs(&tx, &input.series, &input.levels, &mut errors).await?;
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    ensure_no_overlap(&tx, &bureau.id, input.year, input.kind.as_str(), &pairs, None).await?;
    let pledge = input.pledge_text.as_deref().map(str::trim).unwrap_or(DEFAULT_PLEDGE);
    let pledge_sha256 = store_pledge(&tx, pledge).await?;
    let now = db::now();
    let t = input.timeline;
    let model = plan::Model {
        id: db::new_id(),
        bureau_org_id: bureau.id.clone(),
        year: input.year,
        kind: input.kind.as_str().to_string(),
        name: input.name.trim().to_string(),
        notice: input.notice,
        notice_attachment_id: input.notice_attachment_id,
        opens_at: t.opens_at,
        closes_at: t.closes_at,
        return_closes_at: t.return_closes_at,
        employer_closes_at: t.employer_closes_at,
        authority_closes_at: t.authority_closes_at,
        bureau_closes_at: t.bureau_closes_at,
        pledge_sha256,
        exceptional_allowed: input.exceptional_allowed,
        created_by: user.id.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    plan::Entity::insert(plan::ActiveModel::from(model.clone())).exec_without_returning(&tx).await?;
    write_scopes(&tx, &model.id, &pairs).await?;
    audit::record(
        &tx,
        AuditEntry::new("plan_published", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("plan", &model.id)
            .ip(ip)
            .detail(json!({"bureau_org_id": bureau.id, "year": model.year, "kind": model.kind,
                "opens_at": model.opens_at, "closes_at": model.closes_at, "scopes": pairs.len()})),
    )
    .await?;
    let view = view_of(&tx, model).await?;
    tx.commit().await?;
    Ok(view)
}

/// Changes a plan. A series and level pair that declarations were made in cannot be removed.
pub async fn update(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    patch: PlanPatch,
    expected_version: Option<i32>,
    ip: Option<String>,
) -> AppResult<PlanView> {
    let tx = db::begin_write(&state.db).await?;
    let current = managed(&tx, user, id).await?;
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(AppError::PreconditionFailed("申报计划已被修改，请刷新后再试".into()));
    }
    let mut errors = Vec::new();
    let name = patch.name.clone().unwrap_or_else(|| current.name.clone());
    let notice = patch.notice.clone().unwrap_or_else(|| current.notice.clone());
    check_texts(&name, &notice, patch.pledge_text.as_deref(), &mut errors);
    let timeline = Timeline {
        opens_at: patch.opens_at.unwrap_or(current.opens_at),
        closes_at: patch.closes_at.unwrap_or(current.closes_at),
        return_closes_at: patch.return_closes_at.unwrap_or(current.return_closes_at),
        employer_closes_at: patch.employer_closes_at.unwrap_or(current.employer_closes_at),
        authority_closes_at: patch.authority_closes_at.unwrap_or(current.authority_closes_at),
        bureau_closes_at: patch.bureau_closes_at.unwrap_or(current.bureau_closes_at),
    };
    errors.extend(timeline.problems().into_iter().map(|(f, m)| FieldError::new(f, m)));
    if let Some(Some(attachment_id)) = &patch.notice_attachment_id
        && current.notice_attachment_id.as_deref() != Some(attachment_id.as_str())
    {
        check_notice_attachment(&tx, user, attachment_id, &mut errors).await?;
    }
    let old_view = view_of(&tx, current.clone()).await?;
    let new_pairs = if patch.series.is_some() || patch.levels.is_some() {
        let series_codes = patch.series.clone().unwrap_or_else(|| old_view.series());
        let levels = patch.levels.clone().unwrap_or_else(|| old_view.levels());
        Some(scope_pairs(&tx, &series_codes, &levels, &mut errors).await?)
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    if let Some(pairs) = &new_pairs {
        ensure_no_overlap(&tx, &current.bureau_org_id, current.year, &current.kind, pairs, Some(id)).await?;
        let used: Vec<(String, String)> = declaration::Entity::find()
            .select_only()
            .column(declaration::Column::SeriesCode)
            .column(declaration::Column::Level)
            .distinct()
            .filter(declaration::Column::PlanId.eq(id))
            .into_tuple()
            .all(&tx)
            .await?;
        if let Some((series_code, level)) =
            used.iter().find(|(s, l)| !pairs.iter().any(|(ps, pl)| ps == s && pl.as_str() == l))
        {
            return Err(AppError::conflict(
                "plan_scope_in_use",
                format!("已有{series_code}/{level}的申报使用本计划，不能移除该系列和级别"),
            ));
        }
        write_scopes(&tx, id, pairs).await?;
    }
    let mut model: plan::ActiveModel = current.clone().into();
    model.name = Set(name.trim().to_string());
    model.notice = Set(notice);
    if let Some(attachment) = patch.notice_attachment_id {
        model.notice_attachment_id = Set(attachment);
    }
    model.opens_at = Set(timeline.opens_at);
    model.closes_at = Set(timeline.closes_at);
    model.return_closes_at = Set(timeline.return_closes_at);
    model.employer_closes_at = Set(timeline.employer_closes_at);
    model.authority_closes_at = Set(timeline.authority_closes_at);
    model.bureau_closes_at = Set(timeline.bureau_closes_at);
    if let Some(text) = &patch.pledge_text {
        model.pledge_sha256 = Set(store_pledge(&tx, text.trim()).await?);
    }
    if let Some(allowed) = patch.exceptional_allowed {
        model.exceptional_allowed = Set(allowed);
    }
    model.version = Set(current.version + 1);
    model.updated_at = Set(db::now());
    let saved = sea_orm::ActiveModelTrait::update(model, &tx).await?;
    audit::record(
        &tx,
        AuditEntry::new("plan_updated", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("plan", id)
            .ip(ip)
            .detail(json!({
                "closes_at": {"from": current.closes_at, "to": saved.closes_at},
                "pledge_sha256": {"from": current.pledge_sha256, "to": saved.pledge_sha256},
                "version": saved.version,
            })),
    )
    .await?;
    let view = view_of(&tx, saved).await?;
    tx.commit().await?;
    Ok(view)
}

/// Withdraws a plan nobody has declared in yet.
pub async fn delete(state: &AppState, user: &AuthUser, id: &str, ip: Option<String>) -> AppResult<()> {
    let tx = db::begin_write(&state.db).await?;
    let current = managed(&tx, user, id).await?;
    let used = declaration::Entity::find().filter(declaration::Column::PlanId.eq(id)).count(&tx).await?;
    if used > 0 {
        return Err(AppError::conflict("plan_in_use", format!("已有{used}份申报使用本计划，不能撤销")));
    }
    eligibility_rule_set::Entity::delete_many().filter(eligibility_rule_set::Column::PlanId.eq(id)).exec(&tx).await?;
    plan_extension::Entity::delete_many().filter(plan_extension::Column::PlanId.eq(id)).exec(&tx).await?;
    plan_scope::Entity::delete_many().filter(plan_scope::Column::PlanId.eq(id)).exec(&tx).await?;
    plan::Entity::delete_by_id(id.to_string()).exec(&tx).await?;
    audit::record(
        &tx,
        AuditEntry::new("plan_withdrawn", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("plan", id)
            .ip(ip)
            .detail(json!({"name": current.name, "year": current.year})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Everything a screen shows about one plan.
pub async fn view_of(db: &impl ConnectionTrait, plan: plan::Model) -> AppResult<PlanView> {
    let mut views = views_of(db, vec![plan]).await?;
    views.pop().ok_or(AppError::NotFound)
}

/// The views of several plans in a fixed number of queries.
pub async fn views_of(db: &impl ConnectionTrait, plans: Vec<plan::Model>) -> AppResult<Vec<PlanView>> {
    if plans.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = plans.iter().map(|p| p.id.clone()).collect();

    let mut scopes: HashMap<String, Vec<plan_scope::Model>> = HashMap::new();
    for scope in plan_scope::Entity::find().filter(plan_scope::Column::PlanId.is_in(ids.clone())).all(db).await? {
        scopes.entry(scope.plan_id.clone()).or_default().push(scope);
    }
    let series_rows = series::Entity::find().order_by_asc(series::Column::SortOrder).all(db).await?;
    let titles: HashMap<(String, String), String> = series_level::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|l| ((l.series_code, l.level), l.title_name))
        .collect();
    let pledges: HashMap<String, String> = pledge_text::Entity::find()
        .filter(pledge_text::Column::Sha256.is_in(plans.iter().map(|p| p.pledge_sha256.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.sha256, p.text))
        .collect();
    let attachment_ids: Vec<String> = plans.iter().filter_map(|p| p.notice_attachment_id.clone()).collect();
    let attachments: HashMap<String, attachment::Model> = if attachment_ids.is_empty() {
        HashMap::new()
    } else {
        attachment::Entity::find()
            .filter(attachment::Column::Id.is_in(attachment_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id.clone(), a))
            .collect()
    };
    let mut extensions: HashMap<String, Vec<plan_extension::Model>> = HashMap::new();
    for extension in plan_extension::Entity::find()
        .filter(plan_extension::Column::PlanId.is_in(ids.clone()))
        .order_by_asc(plan_extension::Column::CreatedAt)
        .all(db)
        .await?
    {
        extensions.entry(extension.plan_id.clone()).or_default().push(extension);
    }
    let org_ids = plans
        .iter()
        .map(|p| p.bureau_org_id.clone())
        .chain(extensions.values().flatten().map(|e| e.org_id.clone()))
        .collect::<Vec<_>>();
    let orgs = crate::services::orgs::by_ids(db, org_ids).await?;
    let counts: HashMap<String, i64> = declaration::Entity::find()
        .select_only()
        .column(declaration::Column::PlanId)
        .column_as(declaration::Column::Id.count(), "count")
        .filter(declaration::Column::PlanId.is_in(ids))
        .group_by(declaration::Column::PlanId)
        .into_tuple::<(Option<String>, i64)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(id, count)| id.map(|id| (id, count)))
        .collect();
    Ok(plans
        .into_iter()
        .map(|plan| {
            let own = scopes.remove(&plan.id).unwrap_or_default();
            let mut ordered = Vec::new();
            for s in &series_rows {
                for level in Level::ALL {
                    if own.iter().any(|o| o.series_code == s.code && o.level == level.as_str()) {
                        let title =
                            titles.get(&(s.code.clone(), level.as_str().to_string())).cloned().unwrap_or_default();
                        ordered.push((s.code.clone(), s.name.clone(), *level, title));
                    }
                }
            }
            PlanView {
                bureau: orgs.get(&plan.bureau_org_id).cloned(),
                scopes: ordered,
                pledge_text: pledges.get(&plan.pledge_sha256).cloned().unwrap_or_default(),
                notice_attachment: plan.notice_attachment_id.as_ref().and_then(|id| attachments.get(id).cloned()),
                extensions: extensions
                    .remove(&plan.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|e| {
                        let org = orgs.get(&e.org_id).cloned();
                        (e, org)
                    })
                    .collect(),
                declarations: counts.get(&plan.id).copied().unwrap_or(0) as u64,
                plan,
            }
        })
        .collect())
}

/// One plan; any signed-in account may read plans (they are public notices).
pub async fn get(state: &AppState, _user: &AuthUser, id: &str) -> AppResult<PlanView> {
    let plan = plan::Entity::find_by_id(id.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)?;
    view_of(&state.db, plan).await
}

#[derive(Debug, Default)]
pub struct PlanFilter {
    pub year: Option<i32>,
    pub bureau_org_id: Option<String>,
    /// Only plans individuals may declare in now (or, after the close, under an extension).
    pub open: bool,
    /// Only the caller bureau's own plans.
    pub mine: bool,
}

/// The plans, newest year first, then by their close.
pub async fn list(
    state: &AppState,
    user: &AuthUser,
    filter: PlanFilter,
    page: u64,
    page_size: u64,
) -> AppResult<(Vec<PlanView>, u64)> {
    let mut query = plan::Entity::find();
    if let Some(year) = filter.year {
        query = query.filter(plan::Column::Year.eq(year));
    }
    if let Some(bureau) = &filter.bureau_org_id {
        query = query.filter(plan::Column::BureauOrgId.eq(bureau.as_str()));
    }
    if filter.mine {
        query = query.filter(plan::Column::BureauOrgId.eq(user.org()?));
    }
    if filter.open {
        let now = state.clock.now();
        let extended = plan_extension::Entity::find()
            .select_only()
            .column(plan_extension::Column::PlanId)
            .filter(plan_extension::Column::DeclareUntil.gt(now))
            .into_query();
        query = query.filter(plan::Column::OpensAt.lte(now)).filter(
            Condition::any().add(plan::Column::ClosesAt.gt(now)).add(Expr::col(plan::Column::Id).in_subquery(extended)),
        );
    }
    let paginator = query
        .order_by_desc(plan::Column::Year)
        .order_by_asc(plan::Column::ClosesAt)
        .order_by_asc(plan::Column::Id)
        .paginate(&state.db, page_size);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page - 1).await?;
    Ok((views_of(&state.db, rows).await?, total))
}

/// The plans open at `now` for individuals of any organisation (without extensions) that cover a
/// year, kind, series and level.
pub async fn open_for(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    year: i32,
    kind: DeclarationKind,
    series_code: &str,
    level: Level,
) -> AppResult<Vec<plan::Model>> {
    Ok(covering(db, year, kind, series_code, level)
        .await?
        .into_iter()
        .filter(|p| p.opens_at <= now && now < p.closes_at)
        .collect())
}

/// Every plan, open or not, covering a year, kind, series and level.
pub async fn covering(
    db: &impl ConnectionTrait,
    year: i32,
    kind: DeclarationKind,
    series_code: &str,
    level: Level,
) -> AppResult<Vec<plan::Model>> {
    let scoped = plan_scope::Entity::find()
        .select_only()
        .column(plan_scope::Column::PlanId)
        .filter(plan_scope::Column::SeriesCode.eq(series_code))
        .filter(plan_scope::Column::Level.eq(level.as_str()))
        .into_query();
    Ok(plan::Entity::find()
        .filter(plan::Column::Year.eq(year))
        .filter(plan::Column::Kind.eq(kind.as_str()))
        .filter(Expr::col(plan::Column::Id).in_subquery(scoped))
        .order_by_asc(plan::Column::ClosesAt)
        .all(db)
        .await?)
}

/// Whether the plan opens a series and level.
pub async fn covers(db: &impl ConnectionTrait, plan_id: &str, series_code: &str, level: &str) -> AppResult<bool> {
    Ok(plan_scope::Entity::find_by_id((plan_id.to_string(), series_code.to_string(), level.to_string()))
        .one(db)
        .await?
        .is_some())
}

/// "申报已于2026年12月15日17:00截止" with the field it belongs to.
pub fn closed_error(code: &'static str, detail: String) -> AppError {
    AppError::Unprocessable { code, detail: detail.clone(), errors: vec![FieldError::new("/plan_id", detail)] }
}

/// Words for an instant in a refusal.
pub fn when(at: DateTime<Utc>) -> String {
    beijing_text(at)
}
