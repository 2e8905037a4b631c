//! Organisation lookups: search by name (public fields only) and loading by id.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::domain::OrgKind;
use crate::entities::org;
use crate::error::AppResult;

/// Active organisations whose name contains `q`, optionally of one kind, ordered by name.
pub async fn search(
    db: &impl ConnectionTrait,
    q: Option<&str>,
    kind: Option<OrgKind>,
    page: u64,
    page_size: u64,
) -> AppResult<(Vec<org::Model>, u64)> {
    let mut query = org::Entity::find().filter(org::Column::Status.eq("active"));
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        query = query.filter(Expr::col(org::Column::Name).like(LikeExpr::new(pattern).escape('\\')));
    }
    if let Some(kind) = kind {
        query = query.filter(org::Column::Kind.eq(kind.as_str()));
    }
    let paginator = query.order_by_asc(org::Column::Name).order_by_asc(org::Column::Id).paginate(db, page_size);
    let total = paginator.num_items().await?;
    Ok((paginator.fetch_page(page - 1).await?, total))
}

/// Loads the named organisations in one query, keyed by id.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = String>,
) -> AppResult<HashMap<String, org::Model>> {
    let mut ids: Vec<String> = ids.into_iter().collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(org::Entity::find()
        .filter(org::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect())
}
