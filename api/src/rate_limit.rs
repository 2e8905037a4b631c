//! Rate limits: per client IP on the unauthenticated endpoints (login, registration, codes), and
//! per account on the costly actions of signed-in callers (hashing a password, storing a file).
//!
//! Both are GCRA (a token bucket kept as one "theoretical arrival time" per key): `burst` at once,
//! then one per `60 s / per_minute`. Where they are kept depends on the database:
//! - **PostgreSQL**: in the `rate_limits` table, one atomic `INSERT … ON CONFLICT DO UPDATE … WHERE`
//!   per check, so every instance on that database counts towards one limit (no crate keeps GCRA
//!   state in PostgreSQL; the statement is the whole algorithm).
//! - **SQLite** (one instance by nature): in memory, with `governor`'s keyed GCRA (MIT).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::config::RateLimitSettings;
use crate::error::AppError;
use crate::state::AppState;

/// A costly action, limited per account: each has its own allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Costly {
    /// argon2 of a new password (a reviewer's account, a password change, a provisioned admin).
    PasswordHash,
    /// An evidence file written to storage.
    FileWrite,
}

impl Costly {
    fn key_prefix(self) -> &'static str {
        match self {
            Costly::PasswordHash => "password_hash",
            Costly::FileWrite => "file_write",
        }
    }
}

/// One allowance: `burst` at once, then one every `interval`.
#[derive(Debug, Clone, Copy)]
struct Rate {
    interval: Duration,
    burst: NonZeroU32,
}

impl Rate {
    fn new(per_minute: u32, burst: u32) -> anyhow::Result<Self> {
        let per_minute = u64::from(per_minute.max(1));
        let burst = NonZeroU32::new(burst.max(1)).ok_or_else(|| anyhow::anyhow!("invalid rate limit"))?;
        Ok(Self { interval: Duration::from_nanos((60_000_000_000 / per_minute).max(1)), burst })
    }

    fn quota(self) -> anyhow::Result<Quota> {
        Ok(Quota::with_period(self.interval)
            .ok_or_else(|| anyhow::anyhow!("invalid rate limit"))?
            .allow_burst(self.burst))
    }

    /// The interval in whole milliseconds (at least one), as the shared store counts.
    fn interval_ms(self) -> i64 {
        i64::try_from(self.interval.as_millis()).unwrap_or(i64::MAX).max(1)
    }

    /// How far ahead of now the arrival time may run and a request still pass: `burst - 1` intervals.
    fn tolerance_ms(self) -> i64 {
        self.interval_ms().saturating_mul(i64::from(self.burst.get() - 1))
    }
}

enum Store {
    Memory {
        clients: DefaultKeyedRateLimiter<(ClientScope, IpAddr)>,
        accounts: DefaultKeyedRateLimiter<(Costly, String)>,
    },
    Shared(DatabaseConnection),
}

/// The platform's limits: per client IP ([`per_client_ip`]) and per account ([`Costly`]).
pub struct RateLimits {
    client: Rate,
    account: Rate,
    store: Store,
}

/// In-memory keys kept before idle ones are dropped (an idle key is the same as a fresh one).
const RETAIN_AFTER: usize = 10_000;

impl RateLimits {
    /// Shared through the database on PostgreSQL, in this process's memory on SQLite.
    pub fn new(settings: &RateLimitSettings, db: &DatabaseConnection) -> anyhow::Result<Self> {
        if db.get_database_backend() == DbBackend::Postgres {
            Self::shared(settings, db.clone())
        } else {
            Self::in_memory(settings)
        }
    }

    pub fn in_memory(settings: &RateLimitSettings) -> anyhow::Result<Self> {
        let (client, account) = rates(settings)?;
        let store = Store::Memory {
            clients: RateLimiter::keyed(client.quota()?),
            accounts: RateLimiter::keyed(account.quota()?),
        };
        Ok(Self { client, account, store })
    }

    pub fn shared(settings: &RateLimitSettings, db: DatabaseConnection) -> anyhow::Result<Self> {
        let (client, account) = rates(settings)?;
        Ok(Self { client, account, store: Store::Shared(db) })
    }

    /// Whether the counts are shared by every instance on the database.
    pub fn is_shared(&self) -> bool {
        matches!(self.store, Store::Shared(_))
    }

    /// 429 with `Retry-After` when the client at `ip` has used up its allowance in `scope`.
    pub async fn check_client(&self, scope: ClientScope, ip: IpAddr) -> Result<(), AppError> {
        let wait = match &self.store {
            Store::Memory { clients, .. } => {
                if clients.len() > RETAIN_AFTER {
                    clients.retain_recent();
                }
                memory_wait(clients.check_key(&(scope, ip)))
            }
            Store::Shared(db) => shared_wait(db, &format!("ip:{}:{ip}", scope.key()), self.client).await?,
        };
        match wait {
            None => Ok(()),
            Some(secs) => Err(AppError::RateLimited {
                detail: format!("请求过于频繁，请{secs}秒后再试"),
                retry_after_secs: secs,
            }),
        }
    }

    /// 429 with `Retry-After` when the account has used up its allowance for `action`.
    pub async fn check(&self, action: Costly, account_id: &str) -> Result<(), AppError> {
        let wait = match &self.store {
            Store::Memory { accounts, .. } => {
                if accounts.len() > RETAIN_AFTER {
                    accounts.retain_recent();
                }
                memory_wait(accounts.check_key(&(action, account_id.to_string())))
            }
            Store::Shared(db) => {
                shared_wait(db, &format!("{}:{account_id}", action.key_prefix()), self.account).await?
            }
        };
        match wait {
            None => Ok(()),
            Some(secs) => Err(AppError::RateLimited {
                detail: format!("操作过于频繁，请{secs}秒后再试"),
                retry_after_secs: secs,
            }),
        }
    }
}

fn rates(settings: &RateLimitSettings) -> anyhow::Result<(Rate, Rate)> {
    Ok((
        Rate::new(settings.auth_per_minute, settings.auth_burst)?,
        Rate::new(settings.account_per_minute, settings.account_burst)?,
    ))
}

/// Seconds to wait (at least one) when refused.
fn memory_wait(outcome: Result<(), governor::NotUntil<governor::clock::QuantaInstant>>) -> Option<u64> {
    outcome.err().map(|negative| negative.wait_time_from(DefaultClock::default().now()).as_secs().max(1))
}

/// GCRA in one statement: the arrival time moves on by one interval if it is not more than the
/// tolerance ahead of now, else nothing changes and the statement returns no new time. The
/// outer `SELECT` reads the snapshot before the upsert, so a refusal knows how long to wait.
/// The database's clock is the only one used: instances with skewed clocks agree.
const GCRA: &str = r#"
WITH attempt AS (
    INSERT INTO rate_limits AS r (key, tat)
    VALUES ($1, (EXTRACT(EPOCH FROM now()) * 1000)::bigint + $2)
    ON CONFLICT (key) DO UPDATE SET tat = GREATEST(r.tat, EXCLUDED.tat - $2) + $2
    WHERE GREATEST(r.tat, EXCLUDED.tat - $2) - (EXCLUDED.tat - $2) <= $3
    RETURNING tat
)
SELECT (SELECT tat FROM attempt) AS allowed,
       (SELECT tat FROM rate_limits WHERE key = $1) - (EXTRACT(EPOCH FROM now()) * 1000)::bigint - $3 AS wait_ms
"#;

async fn shared_wait(db: &DatabaseConnection, key: &str, rate: Rate) -> Result<Option<u64>, AppError> {
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        GCRA,
        [key.into(), rate.interval_ms().into(), rate.tolerance_ms().into()],
    );
    let row = db
        .query_one_raw(statement)
        .await
        .map_err(|error| AppError::Unexpected(error.into()))?
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("the rate limit statement returned no row")))?;
    let allowed: Option<i64> = row.try_get("", "allowed").map_err(|error| AppError::Unexpected(error.into()))?;
    if allowed.is_some() {
        return Ok(None);
    }
    let wait_ms: Option<i64> = row.try_get("", "wait_ms").map_err(|error| AppError::Unexpected(error.into()))?;
    let wait_ms = u64::try_from(wait_ms.unwrap_or(0)).unwrap_or(0);
    Ok(Some(wait_ms.div_ceil(1000).max(1)))
}

/// Deletes the keys whose arrival time has passed (they are the same as no row); the daily
/// `jobs.prune` calls it.
pub async fn prune_shared(db: &DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(0);
    }
    let done =
        db.execute_unprepared("DELETE FROM rate_limits WHERE tat < (EXTRACT(EPOCH FROM now()) * 1000)::bigint").await?;
    Ok(done.rows_affected())
}

/// Which allowance a per-IP check draws on: browsing the public 公示 and verification pages
/// (many people behind one hospital's NAT) must not use up the login allowance, nor the reverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientScope {
    /// `/auth`, `/auth/sso`, `/me/totp`: what hashes a password, sends a text or checks a code.
    Auth,
    /// `/public`, `/verify`, `/divisions`: anonymous reads.
    Public,
}

impl ClientScope {
    fn key(self) -> &'static str {
        match self {
            ClientScope::Auth => "auth",
            ClientScope::Public => "public",
        }
    }

    /// The scope of a request by its path under `/api/v1`.
    fn of(path: &str) -> Self {
        let under = path.strip_prefix("/api/v1").unwrap_or(path);
        if under.starts_with("/public/") || under.starts_with("/verify/") || under.starts_with("/divisions") {
            ClientScope::Public
        } else {
            ClientScope::Auth
        }
    }
}

/// Middleware (`from_fn`) limiting a scope per client IP: the `/auth` endpoints, the second
/// factor, and (with an allowance of their own) the public pages and the 行政区划 list. A refusal is the same
/// problem+json as every other error, with `Retry-After`.
pub async fn per_client_ip(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = request.app_data::<web::Data<AppState>>().cloned();
    if let (Some(state), Some(client)) = (state, crate::auth::client_address(request.request()))
        && let Err(refused) = state.rate_limits.check_client(ClientScope::of(request.path()), client).await
    {
        return Ok(request.into_response(refused.error_response()));
    }
    Ok(next.call(request).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(per_minute: u32, burst: u32) -> RateLimitSettings {
        RateLimitSettings {
            auth_per_minute: per_minute,
            auth_burst: burst,
            account_per_minute: per_minute,
            account_burst: burst,
        }
    }

    #[tokio::test]
    async fn an_account_is_limited_apart_from_others_and_per_action() {
        let limiter = RateLimits::in_memory(&settings(1, 2)).unwrap();
        assert!(limiter.check(Costly::PasswordHash, "a").await.is_ok());
        assert!(limiter.check(Costly::PasswordHash, "a").await.is_ok());
        let refused = limiter.check(Costly::PasswordHash, "a").await.unwrap_err();
        assert!(matches!(refused, AppError::RateLimited { retry_after_secs, .. } if retry_after_secs >= 1));
        assert!(limiter.check(Costly::PasswordHash, "b").await.is_ok());
        assert!(limiter.check(Costly::FileWrite, "a").await.is_ok());
    }

    #[tokio::test]
    async fn a_client_ip_is_limited_apart_from_others() {
        let limiter = RateLimits::in_memory(&settings(1, 1)).unwrap();
        let (one, other) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!(limiter.check_client(ClientScope::Auth, one).await.is_ok());
        assert!(limiter.check_client(ClientScope::Auth, one).await.is_err());
        assert!(limiter.check_client(ClientScope::Auth, other).await.is_ok());
        // The public pages have an allowance of their own.
        assert!(limiter.check_client(ClientScope::Public, one).await.is_ok());
        assert!(limiter.check_client(ClientScope::Public, one).await.is_err());
        assert_eq!(ClientScope::of("/api/v1/verify/ZC2026/pdf"), ClientScope::Public);
        assert_eq!(ClientScope::of("/api/v1/public/publicities"), ClientScope::Public);
        assert_eq!(ClientScope::of("/api/v1/divisions"), ClientScope::Public);
        assert_eq!(ClientScope::of("/api/v1/divisions/370115"), ClientScope::Public);
        assert_eq!(ClientScope::of("/api/v1/auth/login"), ClientScope::Auth);
    }

    #[test]
    fn any_positive_rate_makes_a_limiter() {
        for per_minute in [1, 60, 60_000, 600_000, u32::MAX] {
            assert!(RateLimits::in_memory(&settings(per_minute, 10)).is_ok(), "{per_minute}");
        }
    }

    #[test]
    fn the_shared_tolerance_lets_the_burst_through_at_once() {
        let rate = Rate::new(60, 3).unwrap();
        assert_eq!(rate.interval_ms(), 1000);
        // Arrival times now, now+1 s, now+2 s pass; now+3 s is one interval too far.
        assert_eq!(rate.tolerance_ms(), 2000);
        assert_eq!(Rate::new(u32::MAX, 1).unwrap().interval_ms(), 1);
    }
}
