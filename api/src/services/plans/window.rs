//! When a plan lets people act: the window for individuals (create, submit, resubmit after a
//! return) and each level's review/report deadline, both moved by extensions (延期) given to an
//! organisation on the declaration's chain.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{closed_error, covering, describe, when};
use crate::domain::plan::{Stage, Window};
use crate::domain::{DeclarationKind, DeclarationStatus, Level, OrgKind, PathStatus};
use crate::entities::{declaration, org, path, plan, plan_extension, series};
use crate::error::{AppError, AppResult, FieldError};

/// Longest chain walked upwards; real chains have two or three levels.
const MAX_CHAIN: usize = 8;

/// The organisation and those it reports to for a series and level, by approved paths, ending at
/// a bureau when the paths reach one.
pub async fn chain_up(
    db: &impl ConnectionTrait,
    start: &org::Model,
    series_code: &str,
    level: &str,
) -> AppResult<Vec<org::Model>> {
    let mut chain = vec![start.clone()];
    let mut seen = HashSet::from([start.id.clone()]);
    while chain.len() < MAX_CHAIN {
        let Some(current) = chain.last() else { break };
        if current.kind == OrgKind::Hrss.as_str() {
            break;
        }
        let Some(parent_id) = crate::services::paths::approved_parent(db, &current.id, series_code, level).await?
        else {
            break;
        };
        if !seen.insert(parent_id.clone()) {
            break;
        }
        let Some(parent) = org::Entity::find_by_id(parent_id).one(db).await? else { break };
        chain.push(parent);
    }
    Ok(chain)
}

/// The bureau a chain ends at, if it reaches one.
pub fn bureau_of(chain: &[org::Model]) -> Option<&org::Model> {
    chain.last().filter(|o| o.kind == OrgKind::Hrss.as_str())
}

async fn extensions_of(db: &impl ConnectionTrait, plan_id: &str) -> AppResult<Vec<plan_extension::Model>> {
    Ok(plan_extension::Entity::find().filter(plan_extension::Column::PlanId.eq(plan_id)).all(db).await?)
}

/// The latest extension for individuals at an employer whose chain is `chain` (an extension of
/// any organisation on it covers everything below).
fn declare_extension<'a>(
    extensions: &'a [plan_extension::Model],
    chain: &[org::Model],
) -> Option<&'a plan_extension::Model> {
    extensions
        .iter()
        .filter(|e| e.declare_until.is_some() && chain.iter().any(|o| o.id == e.org_id))
        .max_by_key(|e| e.declare_until)
}

fn review_extension<'a>(
    extensions: &'a [plan_extension::Model],
    chain: &[org::Model],
) -> Option<&'a plan_extension::Model> {
    extensions
        .iter()
        .filter(|e| e.review_until.is_some() && chain.iter().any(|o| o.id == e.org_id))
        .max_by_key(|e| e.review_until)
}

/// The window for individuals at one employer: the plan's, or later under an extension.
#[derive(Debug, Clone)]
pub struct DeclareWindow {
    pub opens_at: DateTime<Utc>,
    /// When first submissions (and new declarations) close for this employer.
    pub closes_at: DateTime<Utc>,
    /// When resubmissions after a return close for this employer.
    pub return_closes_at: DateTime<Utc>,
    /// The extension that moved them, if any.
    pub extension: Option<plan_extension::Model>,
}

impl DeclareWindow {
    /// The window at `now` for a first submission (or a new declaration).
    pub fn first(&self, now: DateTime<Utc>) -> Window {
        Window::at(now, self.opens_at, self.closes_at)
    }

    /// The window at `now` for a resubmission after a return.
    pub fn again(&self, now: DateTime<Utc>) -> Window {
        Window::at(now, self.opens_at, self.closes_at.max(self.return_closes_at))
    }
}

/// The window of `plan` for individuals at the employer starting `chain`.
pub async fn declare_window(
    db: &impl ConnectionTrait,
    plan: &plan::Model,
    chain: &[org::Model],
) -> AppResult<DeclareWindow> {
    let extensions = extensions_of(db, &plan.id).await?;
    Ok(window_with(plan, &extensions, chain))
}

fn window_with(plan: &plan::Model, extensions: &[plan_extension::Model], chain: &[org::Model]) -> DeclareWindow {
    let extension = declare_extension(extensions, chain).cloned();
    let until = extension.as_ref().and_then(|e| e.declare_until);
    DeclareWindow {
        opens_at: plan.opens_at,
        closes_at: until.map_or(plan.closes_at, |u| u.max(plan.closes_at)),
        return_closes_at: until.map_or(plan.return_closes_at, |u| u.max(plan.return_closes_at)),
        extension,
    }
}

/// The refusal for a window that is not open.
fn refusal(window: Window, what: &str) -> AppResult<()> {
    match window {
        Window::Open => Ok(()),
        Window::NotYet(opens) => Err(closed_error("plan_not_open", format!("{what}将于{}开始", when(opens)))),
        Window::Closed(closes) => Err(closed_error("plan_closed", format!("{what}已于{}截止", when(closes)))),
    }
}

/// The plan a new (or re-chosen) declaration belongs to: one that covers its year, kind, series
/// and level, whose bureau is the one the employer's chain ends at (when it reaches one), and
/// that is open now for the employer. `requested` is the plan the applicant picked.
/// Refusals are 422s naming the window ("申报已于2026年12月15日17:00截止").
#[allow(clippy::too_many_arguments)]
pub async fn resolve(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    year: i32,
    kind: DeclarationKind,
    series_code: &str,
    level: Level,
    employer: &org::Model,
    requested: Option<&str>,
) -> AppResult<plan::Model> {
    let chain = chain_up(db, employer, series_code, level.as_str()).await?;
    let bureau = bureau_of(&chain);
    let series_name = series::Entity::find_by_id(series_code.to_string())
        .one(db)
        .await?
        .map(|s| s.name)
        .unwrap_or_else(|| series_code.to_string());
    let what = describe(year, kind, &series_name, level);
    let all = covering(db, year, kind, series_code, level).await?;
    let candidates: Vec<plan::Model> =
        all.iter().filter(|p| bureau.is_none_or(|b| b.id == p.bureau_org_id)).cloned().collect();
    if let Some(requested) = requested {
        let Some(chosen) = candidates.iter().find(|p| p.id == requested) else {
            let message = if all.iter().any(|p| p.id == requested) {
                format!(
                    "所选申报计划不属于申报单位上报路径所至的{}",
                    bureau.map(|b| b.name.as_str()).unwrap_or("人社局")
                )
            } else {
                format!("所选申报计划不包含{what}")
            };
            return Err(AppError::Unprocessable {
                code: "plan_mismatch",
                detail: message.clone(),
                errors: vec![FieldError::new("/plan_id", message)],
            });
        };
        let window = declare_window(db, chosen, &chain).await?;
        refusal(window.first(now), "申报")?;
        return Ok(chosen.clone());
    }
    if candidates.is_empty() {
        let by = bureau.map(|b| b.name.clone()).unwrap_or_default();
        let message = format!("{by}尚未发布{what}的申报计划");
        return Err(AppError::Unprocessable {
            code: "no_plan",
            detail: message.clone(),
            errors: vec![FieldError::new("/plan_id", message)],
        });
    }
    let mut windows = Vec::with_capacity(candidates.len());
    for plan in &candidates {
        windows.push((plan, declare_window(db, plan, &chain).await?.first(now)));
    }
    let open: Vec<&plan::Model> = windows.iter().filter(|(_, w)| *w == Window::Open).map(|(p, _)| *p).collect();
    match open[..] {
        [only] => Ok(only.clone()),
        [] => {
            // Say the nearest thing: the latest close already passed, else the next opening.
            let closed =
                windows.iter().filter_map(|(_, w)| if let Window::Closed(at) = w { Some(*at) } else { None }).max();
            let next =
                windows.iter().filter_map(|(_, w)| if let Window::NotYet(at) = w { Some(*at) } else { None }).min();
            Err(match (next, closed) {
                (Some(opens), _) => closed_error("plan_not_open", format!("申报将于{}开始", when(opens))),
                (None, Some(closes)) => closed_error("plan_closed", format!("申报已于{}截止", when(closes))),
                (None, None) => AppError::Unexpected(anyhow::anyhow!("a plan is neither open nor closed")),
            })
        }
        _ => {
            // Before the employer's paths reach a bureau several bureaus may fit; the one of the
            // employer's own region is meant, else the applicant picks.
            let local: Vec<&&plan::Model> = {
                let bureaus = crate::services::orgs::by_ids(db, open.iter().map(|p| p.bureau_org_id.clone())).await?;
                open.iter()
                    .filter(|p| bureaus.get(&p.bureau_org_id).is_some_and(|b| b.region_code == employer.region_code))
                    .collect()
            };
            match local[..] {
                [only] => Ok((*only).clone()),
                _ => {
                    let message = "有多个申报计划可选，请选择申报计划".to_string();
                    Err(AppError::Unprocessable {
                        code: "plan_required",
                        detail: message.clone(),
                        errors: vec![FieldError::new("/plan_id", message)],
                    })
                }
            }
        }
    }
}

/// Whether the applicant may submit (`again`: resubmit after a return) now, given the plan and
/// the employer's chain; refusals name the window.
pub async fn check_declare(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    plan: &plan::Model,
    chain: &[org::Model],
    again: bool,
) -> AppResult<()> {
    let window = declare_window(db, plan, chain).await?;
    if again { refusal(window.again(now), "退回修改后重新申报") } else { refusal(window.first(now), "申报") }
}

/// An organisation's review/report deadline for one declaration.
#[derive(Debug, Clone)]
pub struct Deadline {
    pub plan_id: String,
    pub stage: Stage,
    /// The plan's deadline for the stage.
    pub planned: DateTime<Utc>,
    /// The deadline in force: later when extended.
    pub at: DateTime<Utc>,
    pub extension: Option<plan_extension::Model>,
}

impl Deadline {
    pub fn passed(&self, now: DateTime<Utc>) -> bool {
        now >= self.at
    }
}

/// The deadline `org` must finish reviewing and reporting `declaration` by; None for a
/// declaration older than plans.
pub async fn deadline_for(
    db: &impl ConnectionTrait,
    declaration: &declaration::Model,
    org: &org::Model,
) -> AppResult<Option<Deadline>> {
    let Some(plan_id) = &declaration.plan_id else { return Ok(None) };
    let Some(plan) = plan::Entity::find_by_id(plan_id.clone()).one(db).await? else { return Ok(None) };
    let chain = chain_up(db, org, &declaration.series_code, &declaration.level).await?;
    let extensions = extensions_of(db, plan_id).await?;
    Ok(Some(deadline_with(&plan, &extensions, &chain, org, &declaration.org_id)))
}

fn deadline_with(
    plan: &plan::Model,
    extensions: &[plan_extension::Model],
    chain: &[org::Model],
    org: &org::Model,
    employer_id: &str,
) -> Deadline {
    let stage = Stage::of(org.kind == OrgKind::Hrss.as_str(), org.id == employer_id);
    let planned = super::timeline_of(plan).deadline(stage);
    let extension =
        review_extension(extensions, chain).filter(|e| e.review_until.is_some_and(|u| u > planned)).cloned();
    Deadline {
        plan_id: plan.id.clone(),
        stage,
        planned,
        at: extension.as_ref().and_then(|e| e.review_until).unwrap_or(planned),
        extension,
    }
}

/// Refuses reviewing (审核通过, 退回, 受理) or reporting after the organisation's deadline.
pub async fn check_review(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    declaration: &declaration::Model,
    org: &org::Model,
) -> AppResult<()> {
    match deadline_for(db, declaration, org).await? {
        Some(deadline) if deadline.passed(now) => Err(AppError::Unprocessable {
            code: "review_closed",
            detail: format!("{}已于{}截止", deadline.stage.work_label(), when(deadline.at)),
            errors: Vec::new(),
        }),
        _ => Ok(()),
    }
}

/// For a batch (数据上报) at `org`: the declarations whose deadline there has passed, with the
/// words of the refusal. Plans, extensions and chains are read once per plan and per series and
/// level, not per declaration.
pub async fn review_closed_reasons(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    org: &org::Model,
    declarations: &[&declaration::Model],
) -> AppResult<HashMap<String, String>> {
    let plan_ids: HashSet<String> = declarations.iter().filter_map(|d| d.plan_id.clone()).collect();
    if plan_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let plans: HashMap<String, plan::Model> = plan::Entity::find()
        .filter(plan::Column::Id.is_in(plan_ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let mut extensions: HashMap<String, Vec<plan_extension::Model>> = HashMap::new();
    for extension in
        plan_extension::Entity::find().filter(plan_extension::Column::PlanId.is_in(plan_ids)).all(db).await?
    {
        extensions.entry(extension.plan_id.clone()).or_default().push(extension);
    }
    let mut chains: HashMap<(String, String), Vec<org::Model>> = HashMap::new();
    let mut reasons = HashMap::new();
    for declaration in declarations {
        let Some(plan) = declaration.plan_id.as_ref().and_then(|id| plans.get(id)) else { continue };
        let key = (declaration.series_code.clone(), declaration.level.clone());
        if !chains.contains_key(&key) {
            chains.insert(key.clone(), chain_up(db, org, &key.0, &key.1).await?);
        }
        let chain = chains.get(&key).map(Vec::as_slice).unwrap_or_default();
        let list = extensions.get(&plan.id).map(Vec::as_slice).unwrap_or_default();
        let deadline = deadline_with(plan, list, chain, org, &declaration.org_id);
        if deadline.passed(now) {
            reasons.insert(
                declaration.id.clone(),
                format!("{}已于{}截止", deadline.stage.work_label(), when(deadline.at)),
            );
        }
    }
    Ok(reasons)
}

/// One organisation's deadline in one plan (for screens, reminders and dashboards).
#[derive(Debug, Clone)]
pub struct OrgDeadline {
    pub plan: plan::Model,
    pub stage: Stage,
    pub planned: DateTime<Utc>,
    pub at: DateTime<Utc>,
    pub extension: Option<plan_extension::Model>,
}

/// The organisation's deadlines in the plans whose last deadline has not long passed (within 30
/// days), soonest first. Its stage follows its kind: a bureau accepts; 主管部门 and 乡镇 report
/// upwards; every other kind is an employer. Extensions count when given to the organisation
/// or to one it reports to for a series and level of the plan.
pub async fn org_deadlines(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    org: &org::Model,
) -> AppResult<Vec<OrgDeadline>> {
    let recent = now - chrono::Duration::days(30);
    let plans = plan::Entity::find().filter(plan::Column::BureauClosesAt.gt(recent)).all(db).await?;
    if plans.is_empty() {
        return Ok(Vec::new());
    }
    let stage = match OrgKind::parse(&org.kind) {
        Some(OrgKind::Hrss) => Stage::Bureau,
        Some(OrgKind::Authority | OrgKind::Township) => Stage::Authority,
        _ => Stage::Employer,
    };
    // The organisations above this one for any series and level: an extension given to any of
    // them reaches here.
    let mut above: HashSet<String> = HashSet::from([org.id.clone()]);
    let mut frontier = vec![org.id.clone()];
    for _ in 0..MAX_CHAIN {
        if frontier.is_empty() {
            break;
        }
        let parents: Vec<String> = path::Entity::find()
            .filter(path::Column::OrgId.is_in(frontier.clone()))
            .filter(path::Column::Status.eq(PathStatus::Approved.as_str()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.parent_org_id)
            .filter(|id| above.insert(id.clone()))
            .collect();
        frontier = parents;
    }
    let mut extensions: HashMap<String, Vec<plan_extension::Model>> = HashMap::new();
    for extension in plan_extension::Entity::find()
        .filter(plan_extension::Column::PlanId.is_in(plans.iter().map(|p| p.id.clone())))
        .filter(plan_extension::Column::OrgId.is_in(above.iter().cloned()))
        .all(db)
        .await?
    {
        extensions.entry(extension.plan_id.clone()).or_default().push(extension);
    }
    let mut deadlines: Vec<OrgDeadline> = plans
        .into_iter()
        .filter(|p| stage != Stage::Bureau || p.bureau_org_id == org.id)
        .map(|plan| {
            let planned = super::timeline_of(&plan).deadline(stage);
            let extension = extensions
                .get(&plan.id)
                .and_then(|list| list.iter().filter(|e| e.review_until.is_some()).max_by_key(|e| e.review_until))
                .filter(|e| e.review_until.is_some_and(|u| u > planned))
                .cloned();
            OrgDeadline {
                at: extension.as_ref().and_then(|e| e.review_until).unwrap_or(planned),
                stage,
                planned,
                extension,
                plan,
            }
        })
        .collect();
    deadlines.sort_by_key(|d| d.at);
    Ok(deadlines)
}

/// A declaration still held (待审核 or 通过未上报) by an organisation after its deadline there.
#[derive(Debug, Clone)]
pub struct Overdue {
    pub declaration_id: String,
    pub holder_org_id: String,
    pub stage: Stage,
    pub deadline: DateTime<Utc>,
}

/// The declarations of a plan held past their holder's deadline at `now` (who is late).
pub async fn overdue(db: &impl ConnectionTrait, plan_id: &str, now: DateTime<Utc>) -> AppResult<Vec<Overdue>> {
    let Some(plan) = plan::Entity::find_by_id(plan_id.to_string()).one(db).await? else { return Ok(Vec::new()) };
    let held = declaration::Entity::find()
        .filter(declaration::Column::PlanId.eq(plan_id))
        .filter(
            declaration::Column::Status
                .is_in([DeclarationStatus::Pending.as_str(), DeclarationStatus::Approved.as_str()]),
        )
        .all(db)
        .await?;
    let extensions = extensions_of(db, plan_id).await?;
    let holders = crate::services::orgs::by_ids(db, held.iter().filter_map(|d| d.holder_org_id.clone())).await?;
    let mut late = Vec::new();
    let mut chains: HashMap<(String, String, String), Vec<org::Model>> = HashMap::new();
    for declaration in held {
        let Some(holder) = declaration.holder_org_id.as_ref().and_then(|id| holders.get(id)) else { continue };
        let key = (holder.id.clone(), declaration.series_code.clone(), declaration.level.clone());
        if !chains.contains_key(&key) {
            let chain = chain_up(db, holder, &declaration.series_code, &declaration.level).await?;
            chains.insert(key.clone(), chain);
        }
        let chain = chains.get(&key).map(Vec::as_slice).unwrap_or_default();
        let deadline = deadline_with(&plan, &extensions, chain, holder, &declaration.org_id);
        if deadline.passed(now) {
            late.push(Overdue {
                declaration_id: declaration.id,
                holder_org_id: holder.id.clone(),
                stage: deadline.stage,
                deadline: deadline.at,
            });
        }
    }
    Ok(late)
}

/// The window shown with a declaration: the plan's, moved for the declaration's employer.
pub async fn window_for_declaration(
    db: &impl ConnectionTrait,
    plan: &plan::Model,
    declaration: &declaration::Model,
) -> AppResult<DeclareWindow> {
    let Some(employer) = org::Entity::find_by_id(declaration.org_id.clone()).one(db).await? else {
        return Ok(window_with(plan, &[], &[]));
    };
    let chain = chain_up(db, &employer, &declaration.series_code, &declaration.level).await?;
    declare_window(db, plan, &chain).await
}

/// [`org_deadlines`] for the caller's own organisation (its admin or reviewers).
pub async fn deadlines_of_caller(
    state: &crate::state::AppState,
    user: &crate::auth::AuthUser,
    now: DateTime<Utc>,
) -> AppResult<Vec<OrgDeadline>> {
    user.require(&[crate::domain::Role::OrgAdmin, crate::domain::Role::Reviewer])?;
    let org = org::Entity::find_by_id(user.org()?.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)?;
    org_deadlines(&state.db, now, &org).await
}
