//! Refused object access, audited without letting one account flood the log (ASVS 16.3.2).
//!
//! Each refusal is counted in `access_refusals`, one row per subject (the account, or the IP when
//! nobody is signed in), kind and minute of the server clock. The first refusal of a row also
//! appends one `access_denied` entry to the hash-chained audit log; repeats only raise the count.
//! The chain cannot hold the count itself: it is append-only and every entry's hash is fixed once
//! written, so a count that grows lives beside it.

use chrono::{DateTime, DurationRound, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, ExprTrait, QueryFilter};

use crate::db;
use crate::entities::access_refusal;
use crate::services::audit::{self, AuditEntry};

/// What was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// A signed-in caller asked for an object that is not theirs (or does not exist): 404.
    NotFound,
    /// A signed-in caller lacked the role or right: 403.
    Forbidden,
    /// A genuine token that no longer holds (logged out, password changed, disabled): 401.
    RevokedToken,
    /// A bearer token that is not ours (bad signature, malformed, expired): 401.
    ForgedToken,
}

impl RefusalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalKind::NotFound => "not_found",
            RefusalKind::Forbidden => "forbidden",
            RefusalKind::RevokedToken => "revoked_token",
            RefusalKind::ForgedToken => "forged_token",
        }
    }
}

/// One refused request.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub kind: RefusalKind,
    /// The account refused, when the token named one.
    pub account_id: Option<String>,
    pub actor_name: Option<String>,
    pub org_id: Option<String>,
    pub ip: Option<String>,
    pub method: String,
    /// The route template (`/api/v1/declarations/{id}`), never the ids the caller tried.
    pub path: String,
    pub status: u16,
}

/// Counts the refusal; the first of its row in a minute is also appended to the audit chain.
/// Returns the row's count after this refusal.
pub async fn record(db: &DatabaseConnection, now: DateTime<Utc>, refusal: Refusal) -> Result<i64, sea_orm::DbErr> {
    let subject = match (&refusal.account_id, &refusal.ip) {
        (Some(account), _) => format!("account:{account}"),
        (None, Some(ip)) => format!("ip:{ip}"),
        (None, None) => "unknown".to_string(),
    };
    let window_start = now.duration_trunc(chrono::Duration::minutes(1)).unwrap_or(now);
    let tx = db::begin_write(db).await?;
    access_refusal::Entity::insert(access_refusal::ActiveModel {
        id: Set(db::new_id()),
        subject: Set(subject.clone()),
        account_id: Set(refusal.account_id.clone()),
        ip: Set(refusal.ip.clone()),
        kind: Set(refusal.kind.as_str().to_string()),
        window_start: Set(window_start),
        first_at: Set(now),
        last_at: Set(now),
        count: Set(1),
        method: Set(refusal.method.chars().take(16).collect()),
        path: Set(refusal.path.chars().take(255).collect()),
        status: Set(i16::try_from(refusal.status).unwrap_or(0)),
    })
    .on_conflict(
        OnConflict::columns([
            access_refusal::Column::Subject,
            access_refusal::Column::Kind,
            access_refusal::Column::WindowStart,
        ])
        .value(access_refusal::Column::Count, Expr::col((access_refusal::Entity, access_refusal::Column::Count)).add(1))
        .value(access_refusal::Column::LastAt, Expr::value(now))
        .to_owned(),
    )
    .exec_without_returning(&tx)
    .await?;
    // Read back in the same transaction: whether this refusal opened the row.
    let row = access_refusal::Entity::find()
        .filter(access_refusal::Column::Subject.eq(subject))
        .filter(access_refusal::Column::Kind.eq(refusal.kind.as_str()))
        .filter(access_refusal::Column::WindowStart.eq(window_start))
        .one(&tx)
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("access refusal after upsert".into()))?;
    if row.count == 1 {
        let mut entry = AuditEntry::new("access_denied", false)
            .ip(refusal.ip)
            .object("access_refusal", &row.id)
            .detail(serde_json::json!({
                "kind": refusal.kind.as_str(),
                "method": refusal.method,
                "path": refusal.path,
                "status": refusal.status,
            }));
        entry.actor_id = refusal.account_id;
        entry.actor_name = refusal.actor_name;
        entry.org_id = refusal.org_id;
        audit::record(&tx, entry).await?;
    }
    tx.commit().await?;
    Ok(row.count)
}
