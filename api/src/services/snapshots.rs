//! 本次修改: what a declaration held when it was returned (退回), kept in the return's transaction,
//! so that whoever reviews the resubmission sees each changed item's values before and after and
//! the evidence added and removed. A snapshot is never changed (the table refuses UPDATE and
//! DELETE); a declaration returned twice has two, and the latest is the one that counts.

use std::collections::HashSet;

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::db;
use crate::entities::declaration_snapshot;
use crate::error::AppResult;
use crate::services::declarations::DeclarationView;

/// An evidence file as it was: enough to name it and open it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotFile {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// One item as it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotItem {
    pub id: String,
    pub section: String,
    pub data: Value,
    pub attachments: Vec<SnapshotFile>,
}

/// The declaration as it was returned.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub org_id: String,
    pub taken_at: chrono::DateTime<chrono::Utc>,
    pub info: Map<String, Value>,
    pub items: Vec<SnapshotItem>,
}

/// Keeps what `view` holds now, as returned by `org_id`. Called inside the return's transaction.
pub async fn take(db: &impl ConnectionTrait, view: &DeclarationView, org_id: &str) -> AppResult<()> {
    let items: Vec<SnapshotItem> = view
        .items
        .iter()
        .map(|item| SnapshotItem {
            id: item.item.id.clone(),
            section: item.item.section.clone(),
            data: item.item.data.clone(),
            attachments: item
                .attachments
                .iter()
                .map(|a| SnapshotFile {
                    id: a.id.clone(),
                    filename: a.filename.clone(),
                    content_type: a.content_type.clone(),
                    size: a.size,
                })
                .collect(),
        })
        .collect();
    declaration_snapshot::Entity::insert(declaration_snapshot::ActiveModel {
        id: Set(db::new_id()),
        declaration_id: Set(view.declaration.id.clone()),
        org_id: Set(org_id.to_string()),
        taken_at: Set(db::now()),
        info: Set(view.declaration.info.clone()),
        items: Set(serde_json::to_value(items).map_err(anyhow::Error::from)?),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The latest snapshot of a declaration, if it was ever returned.
pub async fn latest(db: &impl ConnectionTrait, declaration_id: &str) -> AppResult<Option<Snapshot>> {
    let Some(row) = declaration_snapshot::Entity::find()
        .filter(declaration_snapshot::Column::DeclarationId.eq(declaration_id))
        .order_by_desc(declaration_snapshot::Column::TakenAt)
        .order_by_desc(declaration_snapshot::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Snapshot {
        org_id: row.org_id,
        taken_at: row.taken_at,
        info: row.info.as_object().cloned().unwrap_or_default(),
        items: serde_json::from_value(row.items).map_err(anyhow::Error::from)?,
    }))
}

/// Which of `ids` were ever returned: one query for a page of a list.
pub async fn ever_returned(db: &impl ConnectionTrait, ids: Vec<String>) -> AppResult<HashSet<String>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(declaration_snapshot::Entity::find()
        .select_only()
        .column(declaration_snapshot::Column::DeclarationId)
        .filter(declaration_snapshot::Column::DeclarationId.is_in(ids))
        .distinct()
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}
