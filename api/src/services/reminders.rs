//! Reminders and 催办. The daily job (`reminders.daily`, 09:00 Beijing) tells applicants whose
//! draft's plan closes soon, reviewers whose files have waited too long, and each bureau which
//! organisations still hold files of its plans. 催办: an organisation a file passed through urges
//! the organisation holding it now; its reviewers are told.
//!
//! Every reminder and every 催办 is recorded in `reminders_sent` under (kind, object, Beijing
//! day) in the same transaction as its message, so running the job twice on one day (two
//! instances, an operator, a retry) tells nobody twice, and a second 催办 of one file on one day
//! is refused.

use std::collections::{BTreeMap, HashMap};

use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, FromQueryResult, JoinType,
    QueryFilter, QuerySelect,
};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::{DeclarationStatus, Role};
use crate::entities::{declaration, declaration_holder, org, plan, reminder_sent};
use crate::error::{AppError, AppResult};
use crate::jobs::schedule::{beijing_day, beijing_midnight};
use crate::jobs::{JobContext, JobResult};
use crate::services::audit::{self, AuditEntry};
use crate::services::messages::{self, Note, notes};
use crate::services::sms;
use crate::state::AppState;

/// The daily reminders' job kind.
pub const DAILY: &str = "reminders.daily";

/// Records that `kind` was given for `object_id` on `day`; false when it already was.
pub async fn mark_once(
    db: &impl ConnectionTrait,
    kind: &str,
    object_id: &str,
    day: &str,
    actor_id: Option<&str>,
) -> Result<bool, DbErr> {
    let written = reminder_sent::Entity::insert(reminder_sent::ActiveModel {
        kind: Set(kind.to_string()),
        object_id: Set(object_id.to_string()),
        day: Set(day.to_string()),
        actor_id: Set(actor_id.map(str::to_string)),
        created_at: Set(db::now()),
    })
    .on_conflict(
        OnConflict::columns([reminder_sent::Column::Kind, reminder_sent::Column::ObjectId, reminder_sent::Column::Day])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await;
    match written {
        Ok(rows) => Ok(rows == 1),
        Err(DbErr::RecordNotInserted) => Ok(false),
        Err(other) => Err(other),
    }
}

/// What one run of the daily reminders told.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Told {
    pub drafts: usize,
    pub waiting_orgs: usize,
    pub bureaus: usize,
}

/// The `reminders.daily` job.
pub async fn daily(ctx: JobContext) -> JobResult {
    let told = run_daily(&ctx.state).await?;
    tracing::info!(?told, "daily reminders sent");
    Ok(())
}

/// Runs every daily reminder for the day of `state.clock`; each is given at most once a day.
pub async fn run_daily(state: &AppState) -> AppResult<Told> {
    Ok(Told {
        drafts: drafts_near_close(state).await?,
        waiting_orgs: files_waiting(state).await?,
        bureaus: orgs_not_reported(state).await?,
    })
}

/// Applicants with a draft (or a returned file) in a plan that closes within the configured days.
async fn drafts_near_close(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let day = beijing_day(now);
    let horizon = now + Duration::days(state.settings.reminders.draft_days_before_close);
    let closing: HashMap<String, plan::Model> = plan::Entity::find()
        .filter(plan::Column::ClosesAt.gt(now))
        .filter(plan::Column::ClosesAt.lte(horizon))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    if closing.is_empty() {
        return Ok(0);
    }
    let drafts = declaration::Entity::find()
        .filter(declaration::Column::PlanId.is_in(closing.keys().cloned()))
        .filter(
            declaration::Column::Status
                .is_in([DeclarationStatus::Draft.as_str(), DeclarationStatus::Returned.as_str()]),
        )
        .all(&state.db)
        .await?;
    let mut told = 0;
    for draft in drafts {
        let Some(plan) = draft.plan_id.as_ref().and_then(|id| closing.get(id)) else {
            continue;
        };
        let tx = db::begin_write(&state.db).await?;
        if !mark_once(&tx, "draft_deadline", &draft.id, &day, None).await? {
            continue;
        }
        let closes = crate::domain::plan::beijing_text(plan.closes_at);
        let name = notes::declaration_name(&draft);
        let note = Note::new(
            "draft_deadline",
            format!("{name}尚未确认申报"),
            format!("“{}”将于{closes}截止，您的{name}尚未确认申报，请尽快完善并确认申报。", plan.name),
        )
        .link(format!("/declarations/{}", draft.id))
        .object("declaration", &draft.id);
        messages::post(&tx, std::slice::from_ref(&draft.person_id), &note).await?;
        let text = format!("您的{name}尚未确认申报，申报将于{closes}截止，请及时登录平台确认申报。");
        sms::enqueue_notice(&state.crypto, &tx, &draft.person_id, "draft_deadline", &text).await?;
        tx.commit().await?;
        told += 1;
    }
    Ok(told)
}

/// The files held (pending) at each organisation that arrived there more than N days ago: one
/// grouped query, whatever the number of files.
async fn waiting_by_org(state: &AppState, older_than_days: i64) -> AppResult<BTreeMap<String, usize>> {
    let before = state.clock.now() - Duration::days(older_than_days);
    let rows = declaration_holder::Entity::find()
        .select_only()
        .column(declaration_holder::Column::OrgId)
        .column_as(declaration_holder::Column::DeclarationId.count(), "count")
        .join(
            JoinType::InnerJoin,
            declaration_holder::Entity::belongs_to(declaration::Entity)
                .from(declaration_holder::Column::DeclarationId)
                .to(declaration::Column::Id)
                .into(),
        )
        .filter(
            Expr::col((declaration::Entity, declaration::Column::HolderOrgId))
                .equals((declaration_holder::Entity, declaration_holder::Column::OrgId)),
        )
        .filter(declaration::Column::Status.eq(DeclarationStatus::Pending.as_str()))
        .filter(declaration_holder::Column::ArrivedAt.lt(before))
        .group_by(declaration_holder::Column::OrgId)
        .into_model::<OrgCount>()
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.org_id, r.count as usize)).collect())
}

#[derive(Debug, FromQueryResult)]
struct OrgCount {
    org_id: String,
    count: i64,
}

#[derive(Debug, FromQueryResult)]
struct HeldCount {
    plan_id: Option<String>,
    holder_org_id: Option<String>,
    count: i64,
}

/// Reviewers of organisations where files have waited more than the configured days.
async fn files_waiting(state: &AppState) -> AppResult<usize> {
    let days = state.settings.reminders.files_waiting_days;
    let day = beijing_day(state.clock.now());
    let mut told = 0;
    for (org_id, count) in waiting_by_org(state, days).await? {
        let tx = db::begin_write(&state.db).await?;
        if !mark_once(&tx, "files_waiting", &org_id, &day, None).await? {
            continue;
        }
        let reviewers = messages::recipients::reviewers(&tx, &org_id).await?;
        let note = Note::new(
            "files_waiting",
            format!("{count}份职称申报等待审核已超过{days}天"),
            format!("本单位有{count}份职称申报等待审核已超过{days}天，请及时审核。"),
        )
        .link("/reviews?status=pending")
        .object("org", &org_id);
        messages::post(&tx, &reviewers, &note).await?;
        tx.commit().await?;
        told += 1;
    }
    Ok(told)
}

/// Each bureau's list of the organisations that still hold files of its plans (not yet reported
/// or accepted), for its admins.
async fn orgs_not_reported(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let day = beijing_day(now);
    let plans: HashMap<String, plan::Model> = plan::Entity::find()
        .filter(plan::Column::BureauClosesAt.gt(now))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    if plans.is_empty() {
        return Ok(0);
    }
    let held = declaration::Entity::find()
        .select_only()
        .column(declaration::Column::PlanId)
        .column(declaration::Column::HolderOrgId)
        .column_as(declaration::Column::Id.count(), "count")
        .filter(declaration::Column::PlanId.is_in(plans.keys().cloned()))
        .filter(
            declaration::Column::Status
                .is_in([DeclarationStatus::Pending.as_str(), DeclarationStatus::Approved.as_str()]),
        )
        .group_by(declaration::Column::PlanId)
        .group_by(declaration::Column::HolderOrgId)
        .into_model::<HeldCount>()
        .all(&state.db)
        .await?;
    // bureau → holder org → files
    let mut by_bureau: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for row in held {
        let (Some(plan), Some(holder)) = (row.plan_id.as_ref().and_then(|id| plans.get(id)), row.holder_org_id) else {
            continue;
        };
        if holder == plan.bureau_org_id {
            continue;
        }
        *by_bureau.entry(plan.bureau_org_id.clone()).or_default().entry(holder).or_insert(0) += row.count as usize;
    }
    let names = crate::services::orgs::by_ids(&state.db, by_bureau.values().flat_map(|m| m.keys().cloned())).await?;
    let mut told = 0;
    for (bureau_id, holders) in by_bureau {
        let tx = db::begin_write(&state.db).await?;
        if !mark_once(&tx, "orgs_not_reported", &bureau_id, &day, None).await? {
            continue;
        }
        let list: Vec<String> = holders
            .iter()
            .map(|(org_id, count)| {
                let name = names.get(org_id).map(|o| o.name.clone()).unwrap_or_default();
                format!("{name}（{count}份）")
            })
            .collect();
        let admins = messages::recipients::org_admins(&tx, &bureau_id).await?;
        let note = Note::new(
            "orgs_not_reported",
            format!("{}个单位尚有申报未上报", holders.len()),
            format!("以下单位尚有本局申报计划内的申报未审核上报：{}。", list.join("、")),
        )
        .link("/bureau")
        .object("org", &bureau_id);
        messages::post(&tx, &admins, &note).await?;
        tx.commit().await?;
        told += 1;
    }
    Ok(told)
}

/// 催办: a member of an organisation the file passed through urges the organisation holding it
/// now. Once per file per Beijing day (a second answers 429 with when to try again); audited.
pub async fn urge(
    state: &AppState,
    user: &AuthUser,
    declaration_id: &str,
    ip: Option<String>,
) -> AppResult<org::Model> {
    user.require(&[Role::OrgAdmin, Role::Reviewer])?;
    let own_org = user.org()?.to_string();
    let tx = db::begin_write(&state.db).await?;
    let passed = declaration_holder::Entity::find()
        .filter(declaration_holder::Column::DeclarationId.eq(declaration_id))
        .filter(declaration_holder::Column::OrgId.eq(own_org.clone()))
        .one(&tx)
        .await?;
    let declaration = match passed {
        Some(_) => declaration::Entity::find_by_id(declaration_id.to_string()).one(&tx).await?,
        None => None,
    }
    .ok_or(AppError::NotFound)?;
    let held_elsewhere = matches!(
        DeclarationStatus::parse(&declaration.status),
        Some(DeclarationStatus::Pending | DeclarationStatus::Approved)
    ) && declaration.holder_org_id.as_deref().is_some_and(|h| h != own_org);
    let Some(holder_id) = declaration.holder_org_id.clone().filter(|_| held_elsewhere) else {
        return Err(AppError::conflict("nothing_to_urge", "该申报不在上级单位审核中，无需催办"));
    };
    let now = state.clock.now();
    if !mark_once(&tx, "urge", &declaration.id, &beijing_day(now), Some(&user.id)).await? {
        let tomorrow = beijing_midnight(now) + Duration::days(1);
        return Err(AppError::RetryLater {
            code: "urged_today",
            detail: "该申报今天已催办过，请明天再催办".into(),
            retry_after_secs: Ord::max((tomorrow - now).num_seconds(), 1),
        });
    }
    let holder = org::Entity::find_by_id(holder_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let from = org::Entity::find_by_id(own_org.clone()).one(&tx).await?.map(|o| o.name).unwrap_or_default();
    let name = notes::declaration_name(&declaration);
    let note = Note::new(
        "urged",
        format!("{from}催办：{}的{name}", declaration.applicant_name),
        format!("{from}催办{}的{name}，请尽快审核。", declaration.applicant_name),
    )
    .link(format!("/reviews/{}", declaration.id))
    .object("declaration", &declaration.id);
    let reviewers = messages::recipients::reviewers(&tx, &holder.id).await?;
    messages::post(&tx, &reviewers, &note).await?;
    audit::record(
        &tx,
        AuditEntry::new("declaration_urged", true)
            .actor(&user.id, &user.real_name, Some(&own_org))
            .object("declaration", &declaration.id)
            .ip(ip)
            .detail(serde_json::json!({"holder_org_id": holder.id})),
    )
    .await?;
    tx.commit().await?;
    Ok(holder)
}
