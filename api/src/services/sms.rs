//! Texts (短信) through a transactional outbox: a text to send is an `sms.send` job written in the
//! transaction of the change that asks for it, and the background worker sends it through the
//! configured [`SmsSender`] after the request has answered. The jobs runner gives the retries
//! with backoff, the give-up state (`failed`) and the claims that never overlap (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL); this module adds what is particular to texts:
//!
//! - every text is recorded in `sms_deliveries` under its job's id once handled, so a job claimed
//!   again after a crash does not send it a second time, and the gateway is given that id too
//!   (a gateway that saw it already can drop the repeat);
//! - a phone gets at most `sms.daily_cap_per_phone` texts per Beijing day;
//! - non-essential texts (progress, reminders) respect the person's preference; codes always go;
//! - every text starts with the platform's signature 【…】 (`sms.signature`).
//!
//! Gateways: [`OutboxSms`] (development and tests: the `sms_outbox` table) and [`HttpSms`] (a real
//! HTTP gateway, `sms.gateway = "http"`).

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Statement,
};
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::config::SmsSettings;
use crate::crypto::FieldCrypto;
use crate::db;
use crate::domain::Phone;
use crate::entities::{account, notification_preference, sms_delivery, sms_outbox};
use crate::error::AppResult;
use crate::jobs::schedule::beijing_day;
use crate::jobs::{self, Job, JobContext, JobError, JobResult};
use crate::state::AppState;

#[async_trait::async_trait]
pub trait SmsSender: Send + Sync {
    /// Sends `body` to `phone`. `id` names this text: the same text retried carries the same id.
    async fn send(&self, id: &str, phone: &Phone, body: &str) -> anyhow::Result<()>;
}

/// The gateway the settings name.
pub fn sender(
    settings: &SmsSettings,
    db: DatabaseConnection,
    crypto: Arc<FieldCrypto>,
) -> anyhow::Result<Arc<dyn SmsSender>> {
    Ok(match (settings.gateway.as_str(), &settings.http_url) {
        ("http", Some(url)) => Arc::new(HttpSms::new(url, settings.http_token.clone(), settings.timeout_ms)?),
        _ => Arc::new(OutboxSms::new(db, crypto)),
    })
}

/// Writes each message to `sms_outbox` instead of a real gateway (development and tests).
pub struct OutboxSms {
    db: DatabaseConnection,
    crypto: Arc<FieldCrypto>,
}

impl OutboxSms {
    pub fn new(db: DatabaseConnection, crypto: Arc<FieldCrypto>) -> Self {
        Self { db, crypto }
    }
}

#[async_trait::async_trait]
impl SmsSender for OutboxSms {
    async fn send(&self, id: &str, phone: &Phone, body: &str) -> anyhow::Result<()> {
        let written = sms_outbox::Entity::insert(sms_outbox::ActiveModel {
            id: Set(id.to_string()),
            phone_hash: Set(self.crypto.index("phone", phone.as_str())),
            phone_masked: Set(phone.masked()),
            body: Set(body.to_string()),
            created_at: Set(db::now()),
        })
        // The same text again (a retry) is not a second text.
        .on_conflict(OnConflict::column(sms_outbox::Column::Id).do_nothing().to_owned())
        .exec_without_returning(&self.db)
        .await;
        match written {
            Ok(_) | Err(DbErr::RecordNotInserted) => {}
            Err(other) => return Err(other.into()),
        }
        // Never the body: it may carry a one-time code.
        tracing::info!(phone = %phone.masked(), "sms written to the development outbox");
        Ok(())
    }
}

/// A real gateway over HTTP: `POST {id, phone, content}` as JSON (with a bearer token when
/// configured); any 2xx is success, anything else or no answer within the timeout is a failure
/// the worker retries.
pub struct HttpSms {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl HttpSms {
    pub fn new(url: &str, token: Option<String>, timeout_ms: u64) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { client, url: url.to_string(), token })
    }
}

#[async_trait::async_trait]
impl SmsSender for HttpSms {
    async fn send(&self, id: &str, phone: &Phone, body: &str) -> anyhow::Result<()> {
        let mut request =
            self.client.post(&self.url).json(&serde_json::json!({"id": id, "phone": phone.as_str(), "content": body}));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        // The error names neither the phone nor the text.
        let response =
            request.send().await.map_err(|e| anyhow::anyhow!("sms gateway unreachable: {}", e.without_url()))?;
        let status = response.status();
        if !status.is_success() {
            anyhow::bail!("sms gateway answered {status}");
        }
        tracing::info!(phone = %phone.masked(), "sms handed to the gateway");
        Ok(())
    }
}

/// The job that sends one text after the request that asked for it has answered: the answer
/// never waits for the gateway, so its time does not tell whether a text went out.
pub const SEND: &str = "sms.send";

/// How the worker handled a text (`sms_deliveries.status`).
pub mod delivery {
    /// Reserved and being handed to the gateway (counts towards the cap).
    pub const SENDING: &str = "sending";
    pub const SENT: &str = "sent";
    pub const CAPPED: &str = "capped";
    pub const OPTED_OUT: &str = "opted_out";
    pub const FAILED: &str = "failed";
}

#[derive(Serialize, Deserialize)]
struct Queued {
    /// The recipient, encrypted as stored on the account; `None` when nobody is to receive it
    /// (an account that does not exist gets a job all the same).
    phone_enc: Option<String>,
    /// The text without the signature, encrypted: it may carry a one-time code.
    body_enc: String,
    /// What the text is about (`code`, `declaration_returned` …).
    #[serde(default)]
    kind: Option<String>,
    /// Codes are essential; a non-essential text goes only if its account has not turned them off.
    #[serde(default = "essential")]
    essential: bool,
    #[serde(default)]
    account_id: Option<String>,
}

fn essential() -> bool {
    true
}

/// Queues an essential text (a one-time code) in the caller's transaction; it is sent only if
/// that transaction commits. `phone_enc` is the recipient encrypted with the field key (`None`:
/// send nothing).
pub async fn enqueue(
    crypto: &FieldCrypto,
    tx: &impl ConnectionTrait,
    phone_enc: Option<String>,
    body: &str,
) -> anyhow::Result<()> {
    let queued = Queued {
        phone_enc,
        body_enc: crypto.encrypt(body)?,
        kind: Some("code".into()),
        essential: true,
        account_id: None,
    };
    jobs::enqueue(tx, Job::new(SEND, serde_json::to_value(queued)?)).await?;
    Ok(())
}

/// Queues a non-essential text to an account's phone (nothing when it has none). Whether it goes
/// is decided when it is sent: the person's preference then, and the phone's daily cap.
pub async fn enqueue_notice(
    crypto: &FieldCrypto,
    tx: &impl ConnectionTrait,
    account_id: &str,
    kind: &str,
    body: &str,
) -> anyhow::Result<()> {
    let Some(phone_enc) = account::Entity::find_by_id(account_id.to_string()).one(tx).await?.and_then(|a| a.phone_enc)
    else {
        return Ok(());
    };
    let queued = Queued {
        phone_enc: Some(phone_enc),
        body_enc: crypto.encrypt(body)?,
        kind: Some(kind.to_string()),
        essential: false,
        account_id: Some(account_id.to_string()),
    };
    jobs::enqueue(tx, Job::new(SEND, serde_json::to_value(queued)?)).await?;
    Ok(())
}

/// `【签名】text`: the signature the gateway and the recipient expect first.
pub fn signed(signature: &str, body: &str) -> String {
    let prefix = format!("【{}】", signature.trim());
    if body.starts_with(&prefix) { body.to_string() } else { format!("{prefix}{body}") }
}

/// Sends a queued text (the `sms.send` job).
pub async fn send_queued(ctx: JobContext) -> JobResult {
    let queued: Queued = ctx.payload()?;
    let Some(phone_enc) = queued.phone_enc else {
        return Ok(());
    };
    let state = &ctx.state;
    let id = ctx.job.id.as_str();
    // Handled already by a worker that stopped before it could mark the job done.
    if sms_delivery::Entity::find_by_id(id.to_string())
        .one(&state.db)
        .await?
        .is_some_and(|d| d.status != delivery::SENDING)
    {
        return Ok(());
    }
    let handled = sms_delivery::Entity::find_by_id(id.to_string()).one(&state.db).await?;
    let crypto = &state.crypto;
    let phone = Phone::parse(&crypto.decrypt(&phone_enc)?).map_err(|_| JobError::give_up("stored phone unreadable"))?;
    let phone_hash = crypto.index("phone", phone.as_str());
    let kind = queued.kind.as_deref().unwrap_or("code");
    let day = beijing_day(state.clock.now());
    // `sending`: a worker stopped between the reservation and the gateway's answer; the text may
    // or may not have gone, so it goes again under the same id (the gateway can drop a repeat).
    if handled.is_none() {
        if !queued.essential
            && let Some(account_id) = &queued.account_id
            && !sms_enabled(&state.db, account_id).await?
        {
            record(&state.db, id, &phone_hash, kind, delivery::OPTED_OUT, &day).await?;
            return Ok(());
        }
        if !reserve(state, id, &phone_hash, kind, &day).await? {
            tracing::warn!(phone = %phone.masked(), kind, "sms dropped: the phone had its texts for the day");
            return Ok(());
        }
    }
    let body = signed(&state.settings.sms.signature, &crypto.decrypt(&queued.body_enc)?);
    if let Err(error) = state.sms.send(id, &phone, &body).await {
        if ctx.last_attempt() {
            // Given up: it no longer counts towards the cap; the job keeps the last error.
            set_status(&state.db, id, delivery::FAILED).await?;
        }
        return Err(JobError::Retry(error));
    }
    set_status(&state.db, id, delivery::SENT).await?;
    Ok(())
}

/// Takes one of the phone's texts for the day (`sending`), or records the text `capped` when
/// they are taken. Serialised per phone: SQLite's write lock, PostgreSQL's advisory lock on the
/// phone's hash, so concurrent workers cannot both take the last one.
async fn reserve(state: &AppState, id: &str, phone_hash: &str, kind: &str, day: &str) -> Result<bool, DbErr> {
    let tx = db::begin_write(&state.db).await?;
    if db::is_postgres(&tx) {
        tx.query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            [phone_hash.into()],
        ))
        .await?;
    }
    let taken = sms_delivery::Entity::find()
        .filter(sms_delivery::Column::PhoneHash.eq(phone_hash))
        .filter(sms_delivery::Column::Day.eq(day))
        .filter(sms_delivery::Column::Status.is_in([delivery::SENT, delivery::SENDING]))
        .count(&tx)
        .await?;
    let allowed = taken < state.settings.sms.daily_cap_per_phone;
    let status = if allowed { delivery::SENDING } else { delivery::CAPPED };
    record(&tx, id, phone_hash, kind, status, day).await?;
    tx.commit().await?;
    Ok(allowed)
}

async fn set_status(db: &DatabaseConnection, id: &str, status: &str) -> Result<(), DbErr> {
    sms_delivery::Entity::update_many()
        .col_expr(sms_delivery::Column::Status, Expr::value(status))
        .filter(sms_delivery::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

async fn record(
    db: &impl ConnectionTrait,
    id: &str,
    phone_hash: &str,
    kind: &str,
    status: &str,
    day: &str,
) -> Result<(), DbErr> {
    let written = sms_delivery::Entity::insert(sms_delivery::ActiveModel {
        id: Set(id.to_string()),
        phone_hash: Set(phone_hash.to_string()),
        kind: Set(kind.chars().take(50).collect()),
        status: Set(status.to_string()),
        day: Set(day.to_string()),
        created_at: Set(db::now()),
    })
    .on_conflict(OnConflict::column(sms_delivery::Column::Id).do_nothing().to_owned())
    .exec_without_returning(db)
    .await;
    match written {
        Ok(_) | Err(DbErr::RecordNotInserted) => Ok(()),
        Err(other) => Err(other),
    }
}

/// Whether the account takes non-essential texts (no preference stored: yes).
pub async fn sms_enabled(db: &impl ConnectionTrait, account_id: &str) -> Result<bool, DbErr> {
    Ok(notification_preference::Entity::find_by_id(account_id.to_string()).one(db).await?.is_none_or(|p| p.sms_enabled))
}

/// The caller's notification preferences (账号设置).
pub async fn preferences(state: &AppState, user: &AuthUser) -> AppResult<bool> {
    Ok(sms_enabled(&state.db, &user.id).await?)
}

/// Turns the caller's non-essential texts on or off; codes are sent regardless.
pub async fn set_preferences(state: &AppState, user: &AuthUser, sms_enabled: bool) -> AppResult<bool> {
    notification_preference::Entity::insert(notification_preference::ActiveModel {
        account_id: Set(user.id.clone()),
        sms_enabled: Set(sms_enabled),
        updated_at: Set(db::now()),
    })
    .on_conflict(
        OnConflict::column(notification_preference::Column::AccountId)
            .update_columns([notification_preference::Column::SmsEnabled, notification_preference::Column::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(&state.db)
    .await?;
    Ok(sms_enabled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_starts_with_the_signature_once() {
        assert_eq!(signed("职称平台", "您的验证码为123456"), "【职称平台】您的验证码为123456");
        assert_eq!(signed("职称平台", "【职称平台】您好"), "【职称平台】您好");
    }
}
