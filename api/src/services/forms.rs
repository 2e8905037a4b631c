//! Form templates per series: the current version for new declarations, the pinned version of
//! an existing one, and publishing a new version.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::form::FormBody;
use crate::entities::{form_template, series};
use crate::error::{AppError, AppResult, FieldError};
use crate::services::audit::{self, AuditEntry};
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct Template {
    pub id: String,
    pub version: i32,
    pub body: FormBody,
}

fn parse(row: form_template::Model) -> AppResult<Template> {
    let body =
        serde_json::from_value(row.body).map_err(|e| anyhow::anyhow!("template {} is unreadable: {e}", row.id))?;
    Ok(Template { id: row.id, version: row.version, body })
}

/// The template a new declaration of `series_code` starts with: the series' latest, else the default's.
pub async fn current(db: &impl ConnectionTrait, series_code: &str) -> AppResult<Template> {
    let own = form_template::Entity::find()
        .filter(form_template::Column::SeriesCode.eq(series_code))
        .order_by_desc(form_template::Column::Version)
        .one(db)
        .await?;
    let row = match own {
        Some(row) => row,
        None => form_template::Entity::find()
            .filter(form_template::Column::SeriesCode.is_null())
            .order_by_desc(form_template::Column::Version)
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no default form template"))?,
    };
    parse(row)
}

pub async fn by_id(db: &impl ConnectionTrait, id: &str) -> AppResult<Template> {
    let row = form_template::Entity::find_by_id(id.to_string()).one(db).await?.ok_or(AppError::NotFound)?;
    parse(row)
}

/// Publishes a new version of a series' form; declarations already started keep theirs.
pub async fn publish(state: &AppState, admin: &AuthUser, series_code: &str, body: FormBody) -> AppResult<Template> {
    let problems = body.check();
    if !problems.is_empty() {
        return Err(AppError::fields(problems.into_iter().map(|(f, m)| FieldError::new(f, m)).collect()));
    }
    let tx = db::begin_write(&state.db).await?;
    series::Entity::find_by_id(series_code.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let version = current(&tx, series_code).await?.version + 1;
    let id = db::new_id();
    form_template::Entity::insert(form_template::ActiveModel {
        id: Set(id.clone()),
        series_code: Set(Some(series_code.to_string())),
        version: Set(version),
        body: Set(serde_json::to_value(&body).map_err(anyhow::Error::from)?),
        created_by: Set(Some(admin.id.clone())),
        created_at: Set(db::now()),
    })
    .exec_without_returning(&tx)
    .await?;
    audit::record(
        &tx,
        AuditEntry::new("form_published", true)
            .actor(&admin.id, &admin.real_name, None)
            .object("series", series_code)
            .detail(serde_json::json!({"version": version, "template_id": id})),
    )
    .await?;
    tx.commit().await?;
    Ok(Template { id, version, body })
}
