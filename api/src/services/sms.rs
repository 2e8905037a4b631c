//! The SMS gateway port. Development and tests use the outbox: a table the tests read, plus a log line.

use std::sync::Arc;

use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

use crate::crypto::FieldCrypto;
use crate::db;
use crate::domain::Phone;
use crate::entities::sms_outbox;

#[async_trait::async_trait]
pub trait SmsSender: Send + Sync {
    async fn send(&self, phone: &Phone, body: &str) -> anyhow::Result<()>;
}

/// Writes each message to `sms_outbox` instead of a real gateway. A deployment plugs a gateway
/// (the province's SMS platform) in behind `SmsSender`; the server warns on start in production
/// while only the outbox is there.
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
    async fn send(&self, phone: &Phone, body: &str) -> anyhow::Result<()> {
        sms_outbox::Entity::insert(sms_outbox::ActiveModel {
            id: Set(db::new_id()),
            phone_hash: Set(self.crypto.index("phone", phone.as_str())),
            phone_masked: Set(phone.masked()),
            body: Set(body.to_string()),
            created_at: Set(db::now()),
        })
        .exec_without_returning(&self.db)
        .await?;
        // Never the body: it carries a one-time code.
        tracing::info!(phone = %phone.masked(), "sms written to the development outbox");
        Ok(())
    }
}
