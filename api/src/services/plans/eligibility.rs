//! 资格条件 as data: rule sets per level, optionally per series and per plan (a notice that
//! changes the conditions). The most specific set applies whole: plan+series, plan, series, level.
//! The platform admin keeps the general sets; a plan's bureau (or the platform admin) its own.

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::OnConflict};
use serde_json::json;

use crate::auth::AuthUser;
use crate::db;
use crate::domain::Level;
use crate::domain::eligibility::RuleSet;
use crate::entities::{eligibility_rule_set, plan, series};
use crate::error::{AppError, AppResult, FieldError};
use crate::services::audit::{self, AuditEntry};
use crate::services::plans::managed;
use crate::state::AppState;

/// Which declarations a set is for.
pub struct Scope {
    pub plan_id: Option<String>,
    pub series_code: Option<String>,
    pub level: Level,
}

impl Scope {
    fn key(&self) -> String {
        format!(
            "{}/{}/{}",
            self.plan_id.as_deref().unwrap_or("*"),
            self.series_code.as_deref().unwrap_or("*"),
            self.level.as_str()
        )
    }
}

/// A stored set, read.
pub fn rules_of(model: &eligibility_rule_set::Model) -> RuleSet {
    serde_json::from_value(model.rules.clone()).unwrap_or_default()
}

/// The set that applies to a declaration of `plan_id`, `series_code` and `level`, if any.
pub async fn applying(
    db: &impl ConnectionTrait,
    plan_id: Option<&str>,
    series_code: &str,
    level: &str,
) -> AppResult<Option<eligibility_rule_set::Model>> {
    let plan_match = match plan_id {
        Some(plan_id) => Condition::any()
            .add(eligibility_rule_set::Column::PlanId.eq(plan_id))
            .add(eligibility_rule_set::Column::PlanId.is_null()),
        None => Condition::any().add(eligibility_rule_set::Column::PlanId.is_null()),
    };
    let candidates = eligibility_rule_set::Entity::find()
        .filter(eligibility_rule_set::Column::Level.eq(level))
        .filter(plan_match)
        .filter(
            Condition::any()
                .add(eligibility_rule_set::Column::SeriesCode.eq(series_code))
                .add(eligibility_rule_set::Column::SeriesCode.is_null()),
        )
        .all(db)
        .await?;
    // Plan before series: a notice's own conditions replace the general ones.
    Ok(candidates.into_iter().max_by_key(|s| (s.plan_id.is_some(), s.series_code.is_some())))
}

/// Every set, general first; with `plan_id` only that plan's.
pub async fn list(db: &impl ConnectionTrait, plan_id: Option<&str>) -> AppResult<Vec<eligibility_rule_set::Model>> {
    let mut query = eligibility_rule_set::Entity::find();
    if let Some(plan_id) = plan_id {
        query = query.filter(eligibility_rule_set::Column::PlanId.eq(plan_id));
    }
    Ok(query.order_by_asc(eligibility_rule_set::Column::ScopeKey).all(db).await?)
}

/// Who may keep a scope's set: the platform admin any; a bureau's admin its own plans'.
async fn authorize(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    plan_id: Option<&str>,
) -> AppResult<Option<plan::Model>> {
    match plan_id {
        Some(plan_id) => Ok(Some(managed(db, user, plan_id).await?)),
        None => {
            user.require(&[crate::domain::Role::Admin])?;
            Ok(None)
        }
    }
}

/// Creates or replaces the set of a scope.
pub async fn put(
    state: &AppState,
    user: &AuthUser,
    scope: Scope,
    rules: RuleSet,
    ip: Option<String>,
) -> AppResult<eligibility_rule_set::Model> {
    let tx = db::begin_write(&state.db).await?;
    authorize(&tx, user, scope.plan_id.as_deref()).await?;
    let mut errors: Vec<FieldError> = rules.check().into_iter().map(|(f, m)| FieldError::new(f, m)).collect();
    if let Some(code) = &scope.series_code
        && series::Entity::find_by_id(code.clone()).one(&tx).await?.is_none()
    {
        errors.push(FieldError::new("/series", "没有这个职称系列"));
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let key = scope.key();
    let existing = eligibility_rule_set::Entity::find()
        .filter(eligibility_rule_set::Column::ScopeKey.eq(key.clone()))
        .one(&tx)
        .await?;
    let model = eligibility_rule_set::Model {
        id: existing.as_ref().map(|e| e.id.clone()).unwrap_or_else(db::new_id),
        scope_key: key.clone(),
        plan_id: scope.plan_id.clone(),
        series_code: scope.series_code.clone(),
        level: scope.level.as_str().to_string(),
        rules: serde_json::to_value(&rules).map_err(|e| anyhow::anyhow!(e))?,
        updated_by: Some(user.id.clone()),
        updated_at: db::now(),
    };
    eligibility_rule_set::Entity::insert(eligibility_rule_set::ActiveModel::from(model.clone()))
        .on_conflict(
            OnConflict::column(eligibility_rule_set::Column::ScopeKey)
                .update_columns([
                    eligibility_rule_set::Column::Rules,
                    eligibility_rule_set::Column::UpdatedBy,
                    eligibility_rule_set::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&tx)
        .await?;
    audit::record(
        &tx,
        AuditEntry::new("eligibility_rules_set", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("eligibility_rule_set", &model.id)
            .ip(ip)
            .detail(json!({"scope": key, "before": existing.map(|e| e.rules), "rules": model.rules})),
    )
    .await?;
    tx.commit().await?;
    Ok(model)
}

/// Stores a set unless its scope has one (demo data, no audit).
pub async fn seed(db: &impl ConnectionTrait, scope: Scope, rules: RuleSet) -> AppResult<()> {
    let key = scope.key();
    let model = eligibility_rule_set::Model {
        id: db::new_id(),
        scope_key: key,
        plan_id: scope.plan_id,
        series_code: scope.series_code,
        level: scope.level.as_str().to_string(),
        rules: serde_json::to_value(&rules).map_err(|e| anyhow::anyhow!(e))?,
        updated_by: None,
        updated_at: db::now(),
    };
    eligibility_rule_set::Entity::insert(eligibility_rule_set::ActiveModel::from(model))
        .on_conflict(OnConflict::column(eligibility_rule_set::Column::ScopeKey).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Removes a set (the next general one applies again).
pub async fn delete(state: &AppState, user: &AuthUser, id: &str, ip: Option<String>) -> AppResult<()> {
    let tx = db::begin_write(&state.db).await?;
    let existing =
        eligibility_rule_set::Entity::find_by_id(id.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    authorize(&tx, user, existing.plan_id.as_deref()).await?;
    eligibility_rule_set::Entity::delete_by_id(id.to_string()).exec(&tx).await?;
    audit::record(
        &tx,
        AuditEntry::new("eligibility_rules_removed", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("eligibility_rule_set", id)
            .ip(ip)
            .detail(json!({"scope": existing.scope_key, "rules": existing.rules})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
