//! The title catalogue: series, the levels each has, and their specialties. Data, not code:
//! the platform admin adds, renames and retires entries through the API.

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::Level;
use crate::entities::{series, series_level, specialty};
use crate::error::{AppError, AppResult};
use crate::services::audit::{self, AuditEntry};
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct SeriesView {
    pub series: series::Model,
    pub levels: Vec<series_level::Model>,
    pub specialties: Vec<specialty::Model>,
}

/// Every series with its levels and specialties in three queries; retired entries only when asked.
pub async fn list(db: &impl ConnectionTrait, include_retired: bool) -> AppResult<Vec<SeriesView>> {
    let mut series_query =
        series::Entity::find().order_by_asc(series::Column::SortOrder).order_by_asc(series::Column::Code);
    let mut level_query = series_level::Entity::find();
    let mut specialty_query =
        specialty::Entity::find().order_by_asc(specialty::Column::SortOrder).order_by_asc(specialty::Column::Name);
    if !include_retired {
        series_query = series_query.filter(series::Column::Active.eq(true));
        level_query = level_query.filter(series_level::Column::Active.eq(true));
        specialty_query = specialty_query.filter(specialty::Column::Active.eq(true));
    }
    let mut levels: HashMap<String, Vec<series_level::Model>> = HashMap::new();
    for level in level_query.all(db).await? {
        levels.entry(level.series_code.clone()).or_default().push(level);
    }
    let mut specialties: HashMap<String, Vec<specialty::Model>> = HashMap::new();
    for item in specialty_query.all(db).await? {
        specialties.entry(item.series_code.clone()).or_default().push(item);
    }
    Ok(series_query
        .all(db)
        .await?
        .into_iter()
        .map(|series| {
            let mut series_levels = levels.remove(&series.code).unwrap_or_default();
            series_levels.sort_by_key(|level| Level::parse(&level.level).map(level_rank).unwrap_or(usize::MAX));
            let series_specialties = specialties.remove(&series.code).unwrap_or_default();
            SeriesView { series, levels: series_levels, specialties: series_specialties }
        })
        .collect())
}

fn level_rank(level: Level) -> usize {
    Level::ALL.iter().position(|l| *l == level).unwrap_or(usize::MAX)
}

/// Checks that `series` is active and has `level`, naming the field that is wrong.
pub async fn require_series_level(
    db: &impl ConnectionTrait,
    series_code: &str,
    level: Level,
    series_field: &str,
    level_field: &str,
) -> AppResult<series::Model> {
    let found = series::Entity::find_by_id(series_code.to_string()).one(db).await?.filter(|s| s.active);
    let Some(series) = found else {
        return Err(AppError::field(series_field, "职称系列不存在或已停用"));
    };
    let has_level = series_level::Entity::find_by_id((series_code.to_string(), level.as_str().to_string()))
        .one(db)
        .await?
        .is_some_and(|l| l.active);
    if !has_level {
        return Err(AppError::field(level_field, format!("{}系列没有{}职称", series.name, level.label())));
    }
    Ok(series)
}

pub struct NewSeries {
    pub code: String,
    pub name: String,
    pub levels: Vec<(Level, String)>,
    pub specialties: Vec<String>,
}

pub async fn create_series(state: &AppState, admin: &AuthUser, input: NewSeries) -> AppResult<()> {
    let tx = db::begin_write(&state.db).await?;
    if series::Entity::find_by_id(input.code.clone()).one(&tx).await?.is_some() {
        return Err(AppError::conflict_field("series_exists", "/code", "该职称系列代码已存在"));
    }
    let sort_order = series::Entity::find().all(&tx).await?.iter().map(|s| s.sort_order).max().unwrap_or(0) + 10;
    series::ActiveModel {
        code: Set(input.code.clone()),
        name: Set(input.name.clone()),
        active: Set(true),
        sort_order: Set(sort_order),
    }
    .insert(&tx)
    .await?;
    for (level, title_name) in &input.levels {
        series_level::ActiveModel {
            series_code: Set(input.code.clone()),
            level: Set(level.as_str().to_string()),
            title_name: Set(title_name.clone()),
            active: Set(true),
        }
        .insert(&tx)
        .await?;
    }
    for (position, name) in input.specialties.iter().enumerate() {
        insert_specialty(&tx, &input.code, name, position as i32).await?;
    }
    audit::record(&tx, catalogue_entry(admin, "series_created", &input.code)).await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_specialty(
    tx: &impl ConnectionTrait,
    series_code: &str,
    name: &str,
    sort_order: i32,
) -> AppResult<String> {
    let id = db::new_id();
    specialty::ActiveModel {
        id: Set(id.clone()),
        series_code: Set(series_code.to_string()),
        name: Set(name.to_string()),
        active: Set(true),
        sort_order: Set(sort_order),
    }
    .insert(tx)
    .await?;
    Ok(id)
}

fn catalogue_entry(admin: &AuthUser, action: &'static str, code: &str) -> AuditEntry {
    AuditEntry::new(action, true).actor(&admin.id, &admin.real_name, None).object("series", code)
}

/// Renames and/or retires (or restores) a series.
pub async fn update_series(
    state: &AppState,
    admin: &AuthUser,
    code: &str,
    name: Option<String>,
    active: Option<bool>,
) -> AppResult<()> {
    let tx = db::begin_write(&state.db).await?;
    let existing = series::Entity::find_by_id(code.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let mut model: series::ActiveModel = existing.into();
    if let Some(name) = name {
        model.name = Set(name);
    }
    if let Some(active) = active {
        model.active = Set(active);
    }
    model.update(&tx).await?;
    audit::record(&tx, catalogue_entry(admin, "series_updated", code)).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a level to a series, or renames / retires / restores one it has.
pub async fn upsert_level(
    state: &AppState,
    admin: &AuthUser,
    code: &str,
    level: Level,
    title_name: Option<String>,
    active: Option<bool>,
) -> AppResult<bool> {
    let tx = db::begin_write(&state.db).await?;
    series::Entity::find_by_id(code.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let existing = series_level::Entity::find_by_id((code.to_string(), level.as_str().to_string())).one(&tx).await?;
    let created = existing.is_none();
    match existing {
        Some(row) => {
            let mut model: series_level::ActiveModel = row.into();
            if let Some(title_name) = title_name {
                model.title_name = Set(title_name);
            }
            if let Some(active) = active {
                model.active = Set(active);
            }
            model.update(&tx).await?;
        }
        None => {
            let title_name = title_name.ok_or_else(|| AppError::field("/title_name", "新增级别须填写职称名称"))?;
            series_level::ActiveModel {
                series_code: Set(code.to_string()),
                level: Set(level.as_str().to_string()),
                title_name: Set(title_name),
                active: Set(active.unwrap_or(true)),
            }
            .insert(&tx)
            .await?;
        }
    }
    audit::record(
        &tx,
        catalogue_entry(admin, "series_level_changed", code).detail(serde_json::json!({"level": level})),
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

pub async fn add_specialty(state: &AppState, admin: &AuthUser, code: &str, name: &str) -> AppResult<String> {
    let tx = db::begin_write(&state.db).await?;
    series::Entity::find_by_id(code.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let duplicate = specialty::Entity::find()
        .filter(specialty::Column::SeriesCode.eq(code))
        .filter(specialty::Column::Name.eq(name))
        .one(&tx)
        .await?;
    if duplicate.is_some() {
        return Err(AppError::conflict_field("specialty_exists", "/name", "该专业已存在"));
    }
    let count = specialty::Entity::find().filter(specialty::Column::SeriesCode.eq(code)).all(&tx).await?.len();
    let id = insert_specialty(&tx, code, name, count as i32).await?;
    audit::record(&tx, catalogue_entry(admin, "specialty_added", code).detail(serde_json::json!({"specialty": id})))
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_specialty(
    state: &AppState,
    admin: &AuthUser,
    code: &str,
    id: &str,
    name: Option<String>,
    active: Option<bool>,
) -> AppResult<()> {
    let tx = db::begin_write(&state.db).await?;
    let existing = specialty::Entity::find_by_id(id.to_string())
        .one(&tx)
        .await?
        .filter(|s| s.series_code == code)
        .ok_or(AppError::NotFound)?;
    let mut model: specialty::ActiveModel = existing.into();
    if let Some(name) = name {
        model.name = Set(name);
    }
    if let Some(active) = active {
        model.active = Set(active);
    }
    model.update(&tx).await?;
    audit::record(&tx, catalogue_entry(admin, "specialty_updated", code).detail(serde_json::json!({"specialty": id})))
        .await?;
    tx.commit().await?;
    Ok(())
}
