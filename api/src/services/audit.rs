//! The append-only, hash-chained audit log of security events and workflow actions.
//!
//! Each row's hash is an HMAC-SHA256, keyed with the audit key from configuration, over its fields
//! and the previous row's hash: changing or removing any row breaks the chain after it, and
//! whoever can write the database but lacks the key cannot forge a new chain either (dropping the
//! triggers is not enough). `zhicheng admin verify-audit` walks the chain. The database refuses
//! UPDATE and DELETE on the table outright (triggers in the migration).
//!
//! The key is one per process ([`install_key`], called by `AppState::new`): every call site
//! appends through [`record`] with only a connection in hand, and a process serves one database.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use serde_json::Value;

use std::sync::RwLock;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db;
use crate::entities::{account, audit_log};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Serialises appends on PostgreSQL so the chain stays linear across servers.
const CHAIN_LOCK: i64 = 0x7a68_6963_6865_6e67;

/// The key of the chain; `None` until [`install_key`] (tests of pure functions only).
static AUDIT_KEY: RwLock<Option<[u8; 32]>> = RwLock::new(None);

/// Sets the key every later append and verification uses.
pub fn install_key(key: [u8; 32]) {
    if let Ok(mut slot) = AUDIT_KEY.write() {
        *slot = Some(key);
    }
}

fn key() -> Result<[u8; 32], sea_orm::DbErr> {
    AUDIT_KEY
        .read()
        .ok()
        .and_then(|slot| *slot)
        .ok_or_else(|| sea_orm::DbErr::Custom("the audit key is not installed".into()))
}

/// Where the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first entry that is missing or does not fit.
    pub id: i64,
    /// True when the entry is gone (the next one found has a higher id).
    pub missing: bool,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.missing {
            write!(f, "entry {} is missing", self.id)
        } else {
            write!(f, "entry {} was changed (its hash does not match its fields, key or predecessor)", self.id)
        }
    }
}

/// One thing that happened. `actor` is the account id and its real name, where known.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub org_id: Option<String>,
    pub action: &'static str,
    pub object_type: Option<&'static str>,
    pub object_id: Option<String>,
    pub success: bool,
    pub ip: Option<String>,
    pub detail: Option<Value>,
}

impl AuditEntry {
    pub fn new(action: &'static str, success: bool) -> Self {
        Self { action, success, ..Default::default() }
    }

    pub fn actor(mut self, id: &str, name: &str, org_id: Option<&str>) -> Self {
        self.actor_id = Some(id.to_string());
        self.actor_name = Some(name.to_string());
        self.org_id = org_id.map(str::to_string);
        self
    }

    /// The account acted on its own account (login, password, second factor, binding …).
    pub fn of_account(self, account: &account::Model) -> Self {
        self.actor(&account.id, &account.real_name, account.org_id.as_deref()).object("account", &account.id)
    }

    pub fn object(mut self, kind: &'static str, id: &str) -> Self {
        self.object_type = Some(kind);
        self.object_id = Some(id.to_string());
        self
    }

    pub fn ip(mut self, ip: Option<String>) -> Self {
        self.ip = ip;
        self
    }

    pub fn detail(mut self, detail: Value) -> Self {
        self.detail = Some(detail);
        self
    }
}

/// Appends inside the caller's write transaction, so the entry commits or rolls back with the action.
pub async fn record<C: ConnectionTrait>(tx: &C, entry: AuditEntry) -> Result<(), sea_orm::DbErr> {
    if db::is_postgres(tx) {
        tx.execute_raw(Statement::from_sql_and_values(
            tx.get_database_backend(),
            "SELECT pg_advisory_xact_lock($1)",
            [CHAIN_LOCK.into()],
        ))
        .await?;
    }
    let last = audit_log::Entity::find().order_by_desc(audit_log::Column::Id).limit(1).one(tx).await?;
    let (id, prev_hash) = last.map(|row| (row.id + 1, row.hash)).unwrap_or((1, GENESIS.to_string()));
    let mut row = audit_log::Model {
        id,
        at: db::now(),
        actor_id: entry.actor_id,
        actor_name: entry.actor_name,
        org_id: entry.org_id,
        action: entry.action.to_string(),
        object_type: entry.object_type.map(str::to_string),
        object_id: entry.object_id,
        result: if entry.success { "success" } else { "failure" }.to_string(),
        ip: entry.ip,
        detail: entry.detail,
        prev_hash,
        hash: String::new(),
    };
    row.hash = row_hash(&key()?, &row);
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(row.id),
        at: Set(row.at),
        actor_id: Set(row.actor_id),
        actor_name: Set(row.actor_name),
        org_id: Set(row.org_id),
        action: Set(row.action),
        object_type: Set(row.object_type),
        object_id: Set(row.object_id),
        result: Set(row.result),
        ip: Set(row.ip),
        detail: Set(row.detail),
        prev_hash: Set(row.prev_hash),
        hash: Set(row.hash),
    })
    .exec_without_returning(tx)
    .await?;
    Ok(())
}

/// Appends in a transaction of its own: for events with no other write, such as a failed login.
pub async fn record_alone(db: &DatabaseConnection, entry: AuditEntry) -> Result<(), sea_orm::DbErr> {
    let tx = db::begin_write(db).await?;
    record(&tx, entry).await?;
    tx.commit().await
}

/// Walks the whole chain; `Ok(rows)` when intact, otherwise the first entry missing or changed.
///
/// Every entry must carry the keyed hash: a chain recomputed without the key (plain SHA-256, as
/// the chain was before it was keyed) is reported broken at its first entry. A removed *last*
/// entry leaves no gap and cannot be told from a shorter log.
pub async fn verify_chain(db: &DatabaseConnection) -> anyhow::Result<Result<u64, ChainBreak>> {
    let key = key()?;
    let mut expected_prev = GENESIS.to_string();
    let mut expected_id = 1i64;
    let mut checked = 0u64;
    loop {
        let page = audit_log::Entity::find()
            .filter(audit_log::Column::Id.gte(expected_id))
            .order_by_asc(audit_log::Column::Id)
            .limit(1000)
            .all(db)
            .await?;
        if page.is_empty() {
            return Ok(Ok(checked));
        }
        for row in page {
            if row.id != expected_id {
                return Ok(Err(ChainBreak { id: expected_id, missing: true }));
            }
            if row.prev_hash != expected_prev || row.hash != row_hash(&key, &row) {
                return Ok(Err(ChainBreak { id: row.id, missing: false }));
            }
            expected_prev = row.hash.clone();
            expected_id += 1;
            checked += 1;
        }
    }
}

fn row_hash(key: &[u8; 32], row: &audit_log::Model) -> String {
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(row_text(row).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn row_text(row: &audit_log::Model) -> String {
    let detail = row.detail.as_ref().map(canonical_json).unwrap_or_default();
    [
        row.id.to_string(),
        row.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        row.actor_id.clone().unwrap_or_default(),
        row.actor_name.clone().unwrap_or_default(),
        row.org_id.clone().unwrap_or_default(),
        row.action.clone(),
        row.object_type.clone().unwrap_or_default(),
        row.object_id.clone().unwrap_or_default(),
        row.result.clone(),
        row.ip.clone().unwrap_or_default(),
        detail,
        row.prev_hash.clone(),
    ]
    .join("\u{1f}")
}

/// JSON with object keys sorted at every depth, whatever order the database hands them back in.
fn canonical_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|key| format!("{}:{}", Value::String(key.clone()), canonical_json(&map[key])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical_json).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// The log newest first, optionally only one action or one object.
pub async fn list(
    db: &DatabaseConnection,
    action: Option<&str>,
    object_id: Option<&str>,
    page: u64,
    page_size: u64,
) -> Result<(Vec<audit_log::Model>, u64), sea_orm::DbErr> {
    use sea_orm::PaginatorTrait;
    let mut query = audit_log::Entity::find().order_by_desc(audit_log::Column::Id);
    if let Some(action) = action {
        query = query.filter(audit_log::Column::Action.eq(action));
    }
    if let Some(object_id) = object_id {
        query = query.filter(audit_log::Column::ObjectId.eq(object_id));
    }
    let paginator = query.paginate(db, page_size);
    let total = paginator.num_items().await?;
    Ok((paginator.fetch_page(page - 1).await?, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_ignores_key_order() {
        let a: Value = serde_json::from_str(r#"{"b":1,"a":{"d":[1,2],"c":"x"}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":{"c":"x","d":[1,2]},"b":1}"#).unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
    }
}
