//! What every handler may reach: the database, settings, keys and outbound ports.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::tokens::JwtKeys;
use crate::clock::Clock;
use crate::config::Settings;
use crate::crypto::FieldCrypto;
use crate::rate_limit::RateLimits;
use crate::services::sms::SmsSender;
use crate::services::sso::SsoProvider;
use crate::storage::Storage;

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
    /// Per-IP limits of the `/auth` endpoints and per-account limits of costly actions
    /// (`rate_limit::Costly`): shared through PostgreSQL, in memory on SQLite.
    pub rate_limits: Arc<RateLimits>,
    /// The clock the rules read (deadlines, periods, reminders); tests move it, and
    /// `clock.offset_days` starts it ahead.
    pub clock: Clock,
}

impl AppState {
    pub fn new(settings: Settings, db: DatabaseConnection) -> anyhow::Result<Self> {
        let jwt = JwtKeys::new(&settings.jwt_secret()?, &settings.auth);
        let crypto = Arc::new(FieldCrypto::new(&settings.data_key()?)?);
        crate::services::audit::install_key(settings.audit_key()?);
        let sms = crate::services::sms::sender(&settings.sms, db.clone(), crypto.clone())?;
        let storage = crate::storage::from_settings(&settings.storage)?;
        let sso = SsoProvider::from_settings(&settings.sso)?.map(Arc::new);
        let rate_limits = Arc::new(RateLimits::new(&settings.rate_limit, &db)?);
        let clock = Clock::offset_by(chrono::Duration::days(settings.clock.offset_days));
        Ok(Self { db, rate_limits, settings: Arc::new(settings), jwt: Arc::new(jwt), crypto, sms, storage, sso, clock })
    }
}
