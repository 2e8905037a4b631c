//! 延期: a bureau gives one organisation, and everything that reports through it, a later
//! deadline — for individuals (create, submit, resubmit) and/or for reviewing and reporting.
//! Audited, and told to the people it concerns.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use super::window::{bureau_of, chain_up};
use super::{PlanView, managed, view_of, when};
use crate::auth::AuthUser;
use crate::db;
use crate::domain::{DeclarationStatus, PathStatus, Role};
use crate::entities::{account, declaration, org, path, plan, plan_extension, plan_scope};
use crate::error::{AppError, AppResult, FieldError};
use crate::services::audit::{self, AuditEntry};
use crate::services::messages::{self, Note};
use crate::state::AppState;

pub struct ExtensionInput {
    pub org_id: String,
    pub declare_until: Option<DateTime<Utc>>,
    pub review_until: Option<DateTime<Utc>>,
    pub reason: String,
}

/// An extension with the organisation it was given to.
pub struct ExtensionView {
    pub extension: plan_extension::Model,
    pub org: Option<org::Model>,
}

/// The organisations below `top` (those reporting to it, directly or not) by approved paths of
/// the plan's series and levels, `top` included.
pub async fn subtree(db: &impl ConnectionTrait, plan_id: &str, top: &str) -> AppResult<Vec<String>> {
    let scopes: HashSet<(String, String)> = plan_scope::Entity::find()
        .filter(plan_scope::Column::PlanId.eq(plan_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.series_code, s.level))
        .collect();
    let mut found = vec![top.to_string()];
    let mut seen: HashSet<String> = HashSet::from([top.to_string()]);
    let mut frontier = vec![top.to_string()];
    while !frontier.is_empty() && found.len() < 100_000 {
        let children: Vec<String> = path::Entity::find()
            .filter(path::Column::ParentOrgId.is_in(frontier.clone()))
            .filter(path::Column::Status.eq(PathStatus::Approved.as_str()))
            .all(db)
            .await?
            .into_iter()
            .filter(|p| scopes.contains(&(p.series_code.clone(), p.level.clone())))
            .map(|p| p.org_id)
            .filter(|id| seen.insert(id.clone()))
            .collect();
        found.extend(children.iter().cloned());
        frontier = children;
    }
    Ok(found)
}

/// Whether `org` reports (for some series and level of the plan) up to the plan's bureau.
async fn under_bureau(db: &impl ConnectionTrait, plan: &plan::Model, org: &org::Model) -> AppResult<bool> {
    if org.id == plan.bureau_org_id {
        return Ok(true);
    }
    let scopes = plan_scope::Entity::find().filter(plan_scope::Column::PlanId.eq(plan.id.clone())).all(db).await?;
    for scope in scopes {
        let chain = chain_up(db, org, &scope.series_code, &scope.level).await?;
        if bureau_of(&chain).is_some_and(|b| b.id == plan.bureau_org_id) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// 延期: gives `org_id` and everything below it later deadlines. Each given deadline must be
/// later than the plan's (for individuals: its close; for reviewing: the employer's deadline).
pub async fn extend(
    state: &AppState,
    user: &AuthUser,
    plan_id: &str,
    input: ExtensionInput,
    ip: Option<String>,
) -> AppResult<(ExtensionView, PlanView)> {
    let tx = db::begin_write(&state.db).await?;
    let plan = managed(&tx, user, plan_id).await?;
    let mut errors = Vec::new();
    let target = org::Entity::find_by_id(input.org_id.clone()).one(&tx).await?.filter(|o| o.status == "active");
    match &target {
        None => errors.push(FieldError::new("/org_id", "单位不存在")),
        Some(target) if !under_bureau(&tx, &plan, target).await? => {
            errors.push(FieldError::new("/org_id", "该单位的上报路径不通往本计划的人社局，不能为其延期"))
        }
        Some(_) => {}
    }
    if input.declare_until.is_none() && input.review_until.is_none() {
        errors.push(FieldError::new("/declare_until", "请至少设置个人申报或审核上报的延期截止时间"));
    }
    if let Some(until) = input.declare_until
        && until <= plan.closes_at
    {
        errors.push(FieldError::new("/declare_until", format!("延期须晚于原申报截止时间（{}）", when(plan.closes_at))));
    }
    if let Some(until) = input.review_until
        && until <= plan.employer_closes_at
    {
        errors.push(FieldError::new(
            "/review_until",
            format!("延期须晚于原单位审核截止时间（{}）", when(plan.employer_closes_at)),
        ));
    }
    let reason_length = input.reason.trim().chars().count();
    if !(2..=500).contains(&reason_length) {
        errors.push(FieldError::new("/reason", "请填写延期原因（2到500个字）"));
    }
    let Some(target) = target.filter(|_| errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    let model = plan_extension::Model {
        id: db::new_id(),
        plan_id: plan.id.clone(),
        org_id: target.id.clone(),
        declare_until: input.declare_until,
        review_until: input.review_until,
        reason: input.reason.trim().to_string(),
        created_by: user.id.clone(),
        created_by_name: user.real_name.clone(),
        created_at: db::now(),
    };
    plan_extension::Entity::insert(plan_extension::ActiveModel::from(model.clone()))
        .exec_without_returning(&tx)
        .await?;
    let below = subtree(&tx, &plan.id, &target.id).await?;
    tell_affected(&tx, &plan, &target, &model, &below).await?;
    audit::record(
        &tx,
        AuditEntry::new("plan_extended", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("plan", &plan.id)
            .ip(ip)
            .detail(json!({"extension_id": model.id, "org_id": target.id, "declare_until": model.declare_until,
                "review_until": model.review_until, "reason": model.reason, "organisations": below.len()})),
    )
    .await?;
    let view = view_of(&tx, plan).await?;
    tx.commit().await?;
    Ok((ExtensionView { extension: model, org: Some(target) }, view))
}

/// 站内信 to the people an extension concerns: the admins and reviewers of every organisation
/// it covers, and — when individuals get more time — the applicants of the plan at those
/// organisations whose declaration still waits for them (a draft, or returned).
async fn tell_affected(
    db: &impl ConnectionTrait,
    plan: &plan::Model,
    target: &org::Model,
    extension: &plan_extension::Model,
    below: &[String],
) -> AppResult<()> {
    let mut lines = Vec::new();
    if let Some(until) = extension.declare_until {
        lines.push(format!("个人申报（含退回修改）延期至{}", when(until)));
    }
    if let Some(until) = extension.review_until {
        lines.push(format!("审核上报延期至{}", when(until)));
    }
    let body =
        format!("“{}”对{}及其下级单位：{}。原因：{}", plan.name, target.name, lines.join("；"), extension.reason);
    let note = Note::new("plan_extended", format!("申报计划延期：{}", plan.name), body)
        .link(format!("/plans/{}", plan.id))
        .object("plan", &plan.id);
    let mut recipients: Vec<String> = account::Entity::find()
        .filter(account::Column::OrgId.is_in(below.to_vec()))
        .filter(account::Column::Role.is_in([Role::OrgAdmin.as_str(), Role::Reviewer.as_str()]))
        .filter(account::Column::Status.eq("active"))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    if extension.declare_until.is_some() {
        recipients.extend(
            declaration::Entity::find()
                .filter(declaration::Column::PlanId.eq(plan.id.clone()))
                .filter(declaration::Column::OrgId.is_in(below.to_vec()))
                .filter(
                    declaration::Column::Status
                        .is_in([DeclarationStatus::Draft.as_str(), DeclarationStatus::Returned.as_str()]),
                )
                .all(db)
                .await?
                .into_iter()
                .map(|d| d.person_id),
        );
    }
    messages::post(db, &recipients, &note).await?;
    Ok(())
}

/// The plan's extensions, oldest first: for the plan's bureau and the platform admin.
pub async fn list(state: &AppState, user: &AuthUser, plan_id: &str) -> AppResult<Vec<ExtensionView>> {
    managed(&state.db, user, plan_id).await?;
    let rows = plan_extension::Entity::find()
        .filter(plan_extension::Column::PlanId.eq(plan_id))
        .order_by_asc(plan_extension::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let orgs = crate::services::orgs::by_ids(&state.db, rows.iter().map(|r| r.org_id.clone())).await?;
    Ok(rows
        .into_iter()
        .map(|extension| ExtensionView { org: orgs.get(&extension.org_id).cloned(), extension })
        .collect())
}

/// Withdraws an extension given by mistake; audited, and the people it covered are told.
pub async fn revoke(
    state: &AppState,
    user: &AuthUser,
    plan_id: &str,
    extension_id: &str,
    ip: Option<String>,
) -> AppResult<()> {
    let tx = db::begin_write(&state.db).await?;
    let plan = managed(&tx, user, plan_id).await?;
    let extension = plan_extension::Entity::find_by_id(extension_id.to_string())
        .one(&tx)
        .await?
        .filter(|e| e.plan_id == plan.id)
        .ok_or(AppError::NotFound)?;
    plan_extension::Entity::delete_by_id(extension_id.to_string()).exec(&tx).await?;
    let below = subtree(&tx, &plan.id, &extension.org_id).await?;
    let target = org::Entity::find_by_id(extension.org_id.clone()).one(&tx).await?;
    let recipients: Vec<String> = account::Entity::find()
        .filter(account::Column::OrgId.is_in(below.clone()))
        .filter(account::Column::Role.is_in([Role::OrgAdmin.as_str(), Role::Reviewer.as_str()]))
        .filter(account::Column::Status.eq("active"))
        .all(&tx)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let name = target.map(|t| t.name).unwrap_or_default();
    let note = Note::new(
        "plan_extension_revoked",
        format!("申报计划延期已撤销：{}", plan.name),
        format!("“{}”对{name}的延期已撤销，截止时间恢复为计划规定的时间。", plan.name),
    )
    .link(format!("/plans/{}", plan.id))
    .object("plan", &plan.id);
    messages::post(&tx, &recipients, &note).await?;
    audit::record(
        &tx,
        AuditEntry::new("plan_extension_revoked", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("plan", &plan.id)
            .ip(ip)
            .detail(json!({"extension_id": extension.id, "org_id": extension.org_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
