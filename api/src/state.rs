//! What every handler may reach: the database, settings, keys and outbound ports.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::tokens::JwtKeys;
use crate::config::Settings;
use crate::crypto::FieldCrypto;
use crate::services::sms::SmsSender;
use crate::services::sso::SsoProvider;
use crate::storage::{LocalStorage, Storage};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub jwt: Arc<JwtKeys>,
    pub crypto: Arc<FieldCrypto>,
    pub sms: Arc<dyn SmsSender>,
    pub storage: Arc<dyn Storage>,
    /// The unified platform's OpenID provider; `None` when SSO is not configured.
    pub sso: Option<Arc<SsoProvider>>,
}

impl AppState {
    pub fn new(settings: Settings, db: DatabaseConnection) -> anyhow::Result<Self> {
        let jwt = JwtKeys::new(&settings.jwt_secret()?, &settings.auth);
        let crypto = Arc::new(FieldCrypto::new(&settings.data_key()?)?);
        let sms = Arc::new(crate::services::sms::OutboxSms::new(db.clone(), crypto.clone()));
        let storage = Arc::new(LocalStorage::new(&settings.storage.dir)?);
        let sso = SsoProvider::from_settings(&settings.sso)?.map(Arc::new);
        Ok(Self { db, settings: Arc::new(settings), jwt: Arc::new(jwt), crypto, sms, storage, sso })
    }
}
