//! Background jobs: work done after the response (SMS, reminders, cleanup, rendering), from rows
//! in the `jobs` table. One mechanism for the whole platform.
//!
//! # Why a table of our own
//!
//! A job is written **in the same transaction as the change that asks for it**, so it exists
//! exactly when the change was committed: a crash right after the commit loses nothing, a rolled
//! back request leaves no job behind. Job libraries that share our sqlx (apalis 1.0) enqueue
//! through their own pool and schema; sea-orm's transaction does not expose its sqlx connection,
//! so enqueueing in our transaction would mean writing the library's internal tables by hand.
//! The table here is small and both databases claim from it safely:
//!
//! - PostgreSQL: `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING …`, so any
//!   number of workers in any number of instances take disjoint jobs without waiting on each other.
//! - SQLite: the same `UPDATE … RETURNING` inside `BEGIN IMMEDIATE`, which holds the database's
//!   one write lock: claims are serialised, so they are disjoint too.
//!
//! A claim is a lease (`jobs.lease_secs`): a worker that dies with a job in hand leaves it
//! `running` until the lease runs out, then any worker claims it again. A handler therefore
//! must tolerate running twice for one job after a crash (check its own row's state first);
//! it never runs twice at the same time.
//!
//! # Enqueueing work in a transaction
//!
//! ```ignore
//! let tx = db::begin_write(&state.db).await?;
//! // … the change itself …
//! jobs::enqueue(&tx, Job::new("uploads.remove", json!({"attachment_id": id}))).await?;
//! tx.commit().await?; // the job exists from here on, and only if this commit happened
//! ```
//!
//! `Job` takes `.run_at(instant)` (not before; default now), `.max_attempts(n)` (default
//! [`DEFAULT_MAX_ATTEMPTS`]) and `.unique_key(key)` (a second job with the same key is silently
//! not written: use it for "at most once per X"). Then register the handler (below).
//!
//! # Writing a handler
//!
//! ```ignore
//! pub async fn remove_upload(ctx: JobContext) -> JobResult {
//!     #[derive(serde::Deserialize)]
//!     struct Payload { attachment_id: String }
//!     let payload: Payload = ctx.payload()?;       // a malformed payload gives up at once
//!     do_the_work(&ctx.state, &payload.attachment_id).await?; // any error: retried with backoff
//!     Ok(())
//! }
//! ```
//!
//! Returning `Err(JobError::Retry(..))` (what `?` on a database or `anyhow` error gives) runs it
//! again after `jobs.retry_base_secs × 2^(attempt−1)` (at most `jobs.retry_max_secs`) until the
//! job's `max_attempts`; then, or at once with `Err(JobError::GiveUp(..))`, it is `failed` and
//! kept with its last error. `ctx.last_attempt()` tells a handler to record the give-up on its own
//! rows (the SMS outbox marks the text `failed`).
//!
//! # Registering a handler or a periodic job
//!
//! Add one line to [`kinds::registry`]:
//!
//! ```ignore
//! Registry::new()
//!     .handle("uploads.remove", attachments::remove_upload)              // enqueued by services
//!     .every("uploads.orphans", Schedule::daily_at(3, 30), attachments::remove_orphans) // 03:30 Beijing
//!     .every("publicity.close", Schedule::every(Duration::minutes(10)), publicity::close_due)
//! ```
//!
//! A periodic job runs once per slot (a Beijing day for `daily_at`, a period of the epoch for
//! `every`) across all instances: every instance's scheduler inserts the slot's job with the unique
//! key `kind@slot` and only the first insert succeeds. Its handler reads the slot with
//! `ctx.slot()`. Slots follow `state.clock` (the rules' clock), so a test that moves the clock to
//! the next day gets the next day's run. A handler whose effects must happen once per day even
//! if it is run by hand twice (reminders) keeps its own record of what it did.
//!
//! # Running
//!
//! `Application::build` starts one [`runner::Runner`] per process (`jobs.enabled`), which
//! enqueues due periodic jobs (`jobs.periodic`), claims up to `jobs.batch_size` due jobs, runs
//! them concurrently, and looks again after `jobs.poll_interval_ms` when it found nothing. On
//! SIGTERM it takes no new work and finishes the jobs in hand before the process exits. Tests
//! drive a runner directly: `Runner::new(state, registry).drain().await` runs everything due.

pub mod kinds;
pub mod runner;
pub mod schedule;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use serde::de::DeserializeOwned;

use crate::db;
use crate::entities::job;
use crate::state::AppState;

pub use runner::Runner;
pub use schedule::Schedule;

/// Tries per job unless the job says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 5;

/// The stored spellings of a job's status.
pub mod status {
    pub const PENDING: &str = "pending";
    pub const RUNNING: &str = "running";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
}

/// Work to enqueue: a handler's kind and its JSON payload.
#[derive(Debug, Clone)]
pub struct Job {
    kind: String,
    payload: serde_json::Value,
    run_at: Option<DateTime<Utc>>,
    max_attempts: i32,
    unique_key: Option<String>,
}

impl Job {
    pub fn new(kind: impl Into<String>, payload: serde_json::Value) -> Self {
        Self { kind: kind.into(), payload, run_at: None, max_attempts: DEFAULT_MAX_ATTEMPTS, unique_key: None }
    }

    /// Not before `at` (default: at once).
    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    /// How many claims before it is given up (at least 1).
    pub fn max_attempts(mut self, attempts: i32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// At most one job with this key is ever written; later ones are dropped silently.
    pub fn unique_key(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }

    fn into_row(self, now: DateTime<Utc>) -> job::ActiveModel {
        job::ActiveModel {
            id: Set(db::new_id()),
            kind: Set(self.kind),
            payload: Set(self.payload.to_string()),
            status: Set(status::PENDING.to_string()),
            run_at: Set(self.run_at.unwrap_or(now)),
            attempts: Set(0),
            max_attempts: Set(self.max_attempts),
            unique_key: Set(self.unique_key),
            locked_by: Set(None),
            locked_until: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            finished_at: Set(None),
        }
    }
}

/// Writes `job` in the caller's transaction (or connection). Returns false when a job with the
/// same unique key already exists and nothing was written.
pub async fn enqueue(db: &impl ConnectionTrait, job: Job) -> Result<bool, DbErr> {
    Ok(enqueue_many(db, vec![job]).await? == 1)
}

/// Writes several jobs in one statement; returns how many were written (keys already taken are
/// skipped).
pub async fn enqueue_many(db: &impl ConnectionTrait, jobs: Vec<Job>) -> Result<u64, DbErr> {
    if jobs.is_empty() {
        return Ok(0);
    }
    let now = db::now();
    let result = job::Entity::insert_many(jobs.into_iter().map(|j| j.into_row(now)))
        .on_conflict(OnConflict::column(job::Column::UniqueKey).do_nothing().to_owned())
        .exec_without_returning(db)
        .await;
    match result {
        Ok(written) => Ok(written),
        // Every row hit the unique key: sea-orm reports "nothing inserted" as this error.
        Err(DbErr::RecordNotInserted) => Ok(0),
        Err(other) => Err(other),
    }
}

/// Why a job did not finish.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Try again later (with backoff) until the job's attempts are used up.
    #[error("{0:#}")]
    Retry(anyhow::Error),
    /// Give up now: retrying cannot help (a malformed payload, a row that is gone).
    #[error("{0:#}")]
    GiveUp(anyhow::Error),
}

impl JobError {
    pub fn give_up(message: impl std::fmt::Display) -> Self {
        Self::GiveUp(anyhow::anyhow!("{message}"))
    }
}

impl From<anyhow::Error> for JobError {
    fn from(error: anyhow::Error) -> Self {
        Self::Retry(error)
    }
}

impl From<DbErr> for JobError {
    fn from(error: DbErr) -> Self {
        Self::Retry(error.into())
    }
}

impl From<crate::error::AppError> for JobError {
    fn from(error: crate::error::AppError) -> Self {
        Self::Retry(anyhow::anyhow!("{error}"))
    }
}

pub type JobResult = Result<(), JobError>;

/// A claimed job as its handler sees it.
#[derive(Clone)]
pub struct JobContext {
    pub state: AppState,
    pub job: job::Model,
}

impl JobContext {
    /// The payload as `T`; a payload that does not parse gives the job up.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, JobError> {
        serde_json::from_str(&self.job.payload).map_err(|e| JobError::GiveUp(anyhow::anyhow!("bad payload: {e}")))
    }

    /// The slot of a periodic job (`2026-12-01` for a daily one), from its payload.
    pub fn slot(&self) -> Option<String> {
        serde_json::from_str::<serde_json::Value>(&self.job.payload)
            .ok()
            .and_then(|payload| payload.get("slot").and_then(|s| s.as_str()).map(str::to_string))
    }

    /// Which claim this is, from 1.
    pub fn attempt(&self) -> i32 {
        self.job.attempts
    }

    /// True when a failure now gives the job up.
    pub fn last_attempt(&self) -> bool {
        self.job.attempts >= self.job.max_attempts
    }
}

type BoxFuture = Pin<Box<dyn Future<Output = JobResult> + Send + 'static>>;
type Handler = Arc<dyn Fn(JobContext) -> BoxFuture + Send + Sync>;

/// A periodic job: its kind (also its handler's) and when it runs.
#[derive(Clone, Debug)]
pub struct Periodic {
    pub kind: &'static str,
    pub schedule: Schedule,
}

/// The handlers by kind, and which kinds run periodically.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
    periodic: Vec<Periodic>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs jobs of `kind` with `handler`.
    pub fn handle<F, Fut>(mut self, kind: &'static str, handler: F) -> Self
    where
        F: Fn(JobContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = JobResult> + Send + 'static,
    {
        self.handlers.insert(kind, Arc::new(move |ctx| Box::pin(handler(ctx))));
        self
    }

    /// Runs `handler` once per slot of `schedule` (see the module docs).
    pub fn every<F, Fut>(mut self, kind: &'static str, schedule: Schedule, handler: F) -> Self
    where
        F: Fn(JobContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = JobResult> + Send + 'static,
    {
        self.periodic.retain(|p| p.kind != kind);
        self.periodic.push(Periodic { kind, schedule });
        self.handle(kind, handler)
    }

    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.handlers.keys().copied()
    }

    pub fn periodic(&self) -> &[Periodic] {
        &self.periodic
    }

    fn handler(&self, kind: &str) -> Option<Handler> {
        self.handlers.get(kind).cloned()
    }
}
