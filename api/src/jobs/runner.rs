//! The worker: enqueues due periodic jobs, claims due jobs, runs them, records the outcome.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, Order, Query, UpdateStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, FromQueryResult, QueryFilter, QuerySelect,
};
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{Job, JobContext, JobError, Registry, enqueue, status};
use crate::db;
use crate::entities::job;
use crate::state::AppState;

/// One worker. Several may run against one database, in one process or many.
pub struct Runner {
    state: AppState,
    registry: Arc<Registry>,
    worker_id: String,
    /// The last slot each periodic kind was enqueued for by this runner: saves an insert per poll.
    enqueued_slots: Mutex<HashMap<&'static str, String>>,
}

impl Runner {
    pub fn new(state: AppState, registry: Registry) -> Self {
        Self {
            state,
            registry: Arc::new(registry),
            worker_id: format!("worker-{}", uuid::Uuid::new_v4().simple()),
            enqueued_slots: Mutex::new(HashMap::new()),
        }
    }

    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// The queue's now: the later of the wall clock and the rules' clock. A test that moves the
    /// clock forward runs what is due then; one that stops it in the past does not stall the queue.
    fn now(&self) -> DateTime<Utc> {
        std::cmp::max(self.state.clock.now(), db::now())
    }

    /// Enqueues the current slot of every periodic job that is due; returns how many were new.
    /// Every instance does this; the unique key lets only the first insert of a slot through.
    pub async fn schedule_due(&self) -> Result<u64, DbErr> {
        let now = self.state.clock.now();
        let mut written = 0;
        for periodic in self.registry.periodic() {
            let Some((slot, due)) = periodic.schedule.due_slot(now) else {
                continue;
            };
            let known = self.enqueued_slots.lock().ok().and_then(|slots| slots.get(periodic.kind).cloned());
            if known.as_deref() == Some(slot.as_str()) {
                continue;
            }
            let job = Job::new(periodic.kind, json!({ "slot": slot }))
                .run_at(due)
                .unique_key(format!("{}@{slot}", periodic.kind));
            if enqueue(&self.state.db, job).await? {
                written += 1;
            }
            if let Ok(mut slots) = self.enqueued_slots.lock() {
                slots.insert(periodic.kind, slot);
            }
        }
        Ok(written)
    }

    /// Claims up to `limit` due jobs for this worker: pending ones whose time has come, and running
    /// ones whose worker's lease ran out. Disjoint from every other worker's claim.
    pub async fn claim(&self, limit: u64) -> Result<Vec<job::Model>, DbErr> {
        let now = self.now();
        let due = Condition::any()
            .add(Condition::all().add(job::Column::Status.eq(status::PENDING)).add(job::Column::RunAt.lte(now)))
            .add(Condition::all().add(job::Column::Status.eq(status::RUNNING)).add(job::Column::LockedUntil.lt(now)));
        // A plain read first, so an idle worker never takes SQLite's write lock.
        let any = job::Entity::find()
            .select_only()
            .column(job::Column::Id)
            .filter(due.clone())
            .limit(1)
            .into_tuple::<String>()
            .one(&self.state.db)
            .await?;
        if any.is_none() {
            return Ok(Vec::new());
        }
        let lease = now + Duration::seconds(self.state.settings.jobs.lease_secs);
        let claim = claim_statement(due, limit, &self.worker_id, lease);
        let tx = db::begin_write(&self.state.db).await?;
        let rows = tx.query_all(&claim).await?;
        let claimed = rows.iter().map(|row| job::Model::from_query_result(row, "")).collect::<Result<Vec<_>, _>>()?;
        tx.commit().await?;
        Ok(claimed)
    }

    /// Schedules (when `jobs.periodic`), claims one batch and runs it to the end; returns how
    /// many jobs ran.
    pub async fn run_once(&self) -> Result<usize, DbErr> {
        if self.state.settings.jobs.periodic {
            self.schedule_due().await?;
        }
        let claimed = self.claim(self.state.settings.jobs.batch_size).await?;
        let count = claimed.len();
        let running: Vec<_> = claimed.into_iter().map(|job| self.start(job)).collect();
        for (job, task) in running {
            let outcome = match task.await {
                Ok(outcome) => outcome,
                Err(join_error) => Err(JobError::Retry(anyhow::anyhow!("the handler panicked: {join_error}"))),
            };
            self.finish(&job, outcome).await?;
        }
        Ok(count)
    }

    /// Runs batches until nothing is due (tests and operator commands); returns how many ran.
    pub async fn drain(&self) -> Result<usize, DbErr> {
        let mut total = 0;
        loop {
            let ran = self.run_once().await?;
            if ran == 0 {
                return Ok(total);
            }
            total += ran;
        }
    }

    /// Spawns the job's handler on its own task, so a panic in it fails only this job.
    fn start(&self, job: job::Model) -> (job::Model, JoinHandle<Result<(), JobError>>) {
        let handler = self.registry.handler(&job.kind);
        let context = JobContext { state: self.state.clone(), job: job.clone() };
        let exhausted = job.attempts > job.max_attempts;
        let task = tokio::spawn(async move {
            if exhausted {
                // Claimed again after its lease ran out more often than it may be tried.
                return Err(JobError::give_up("every attempt's worker stopped before finishing it"));
            }
            match handler {
                Some(handler) => handler(context).await,
                // Perhaps an instance of a newer version knows it: leave it to be claimed again.
                None => Err(JobError::Retry(anyhow::anyhow!("no handler for job kind {}", context.job.kind))),
            }
        });
        (job, task)
    }

    /// Records a job's outcome, if this worker still holds it.
    async fn finish(&self, job: &job::Model, outcome: Result<(), JobError>) -> Result<(), DbErr> {
        let now = self.now();
        let update = job::Entity::update_many()
            .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
            .col_expr(job::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(job::Column::UpdatedAt, Expr::value(db::now()));
        let update = match &outcome {
            Ok(()) => update
                .col_expr(job::Column::Status, Expr::value(status::DONE))
                .col_expr(job::Column::LastError, Expr::value(Option::<String>::None))
                .col_expr(job::Column::FinishedAt, Expr::value(db::now())),
            Err(JobError::Retry(error)) if job.attempts < job.max_attempts => {
                let delay = self.backoff(job.attempts);
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %format!("{error:#}"),
                    retry_in_secs = delay.num_seconds(), "job failed; it will be retried");
                update
                    .col_expr(job::Column::Status, Expr::value(status::PENDING))
                    .col_expr(job::Column::RunAt, Expr::value(now + delay))
                    .col_expr(job::Column::LastError, Expr::value(truncate(&format!("{error:#}"))))
            }
            Err(JobError::Retry(error) | JobError::GiveUp(error)) => {
                tracing::error!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %format!("{error:#}"),
                    "job given up");
                update
                    .col_expr(job::Column::Status, Expr::value(status::FAILED))
                    .col_expr(job::Column::LastError, Expr::value(truncate(&format!("{error:#}"))))
                    .col_expr(job::Column::FinishedAt, Expr::value(db::now()))
            }
        };
        let result = update
            .filter(job::Column::Id.eq(job.id.clone()))
            .filter(job::Column::Status.eq(status::RUNNING))
            .filter(job::Column::LockedBy.eq(self.worker_id.clone()))
            .exec(&self.state.db)
            .await?;
        if result.rows_affected == 0 {
            tracing::warn!(job = %job.id, kind = %job.kind, "the job's lease ran out before it finished");
        }
        Ok(())
    }

    /// `retry_base_secs × 2^(attempt−1)`, at most `retry_max_secs`.
    pub fn backoff(&self, attempt: i32) -> Duration {
        delay(&self.state.settings.jobs, attempt)
    }

    /// Runs in the background until [`RunnerHandle::shutdown`].
    pub fn spawn(self) -> RunnerHandle {
        let (stop, mut stopped) = watch::channel(false);
        let poll = StdDuration::from_millis(self.state.settings.jobs.poll_interval_ms);
        let task = tokio::spawn(async move {
            tracing::info!(worker = %self.worker_id, "background worker started");
            loop {
                if *stopped.borrow() {
                    break;
                }
                let ran = match self.run_once().await {
                    Ok(ran) => ran,
                    Err(error) => {
                        tracing::warn!(error = %error, "the background worker could not reach the database");
                        0
                    }
                };
                if ran == 0 {
                    tokio::select! {
                        changed = stopped.changed() => if changed.is_err() { break },
                        () = tokio::time::sleep(poll) => {}
                    }
                }
            }
            tracing::info!(worker = %self.worker_id, "background worker stopped");
        });
        RunnerHandle { stop, task }
    }
}

/// The running worker of a process.
pub struct RunnerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunnerHandle {
    /// Takes no new work, and returns when the jobs in hand have finished.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// `UPDATE jobs SET status = 'running', … WHERE id IN (SELECT id … FOR UPDATE SKIP LOCKED) RETURNING *`.
fn claim_statement(due: Condition, limit: u64, worker_id: &str, lease: DateTime<Utc>) -> UpdateStatement {
    let candidates = Query::select()
        .column(job::Column::Id)
        .from(job::Entity)
        .cond_where(due)
        .order_by(job::Column::RunAt, Order::Asc)
        .order_by(job::Column::Id, Order::Asc)
        .limit(limit)
        // PostgreSQL: rows another worker is claiming are passed over, not waited for.
        // SQLite has no row locks (the builder leaves the clause out); its claim runs under
        // BEGIN IMMEDIATE instead.
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    Query::update()
        .table(job::Entity)
        .value(job::Column::Status, status::RUNNING)
        .value(job::Column::LockedBy, worker_id.to_string())
        .value(job::Column::LockedUntil, lease)
        .value(job::Column::UpdatedAt, db::now())
        .value(job::Column::Attempts, Expr::col(job::Column::Attempts).add(1))
        .and_where(Expr::col(job::Column::Id).in_subquery(candidates))
        .returning_all()
        .to_owned()
}

fn delay(settings: &crate::config::JobSettings, attempt: i32) -> Duration {
    let exponent = std::cmp::min(u32::try_from(attempt.saturating_sub(1)).unwrap_or(0), 30);
    Duration::seconds(std::cmp::min(
        settings.retry_base_secs.saturating_mul(1_i64 << exponent),
        settings.retry_max_secs,
    ))
}

fn truncate(text: &str) -> String {
    text.chars().take(2000).collect()
}

#[cfg(test)]
mod tests {
    use sea_orm::DbBackend;

    use super::*;

    #[test]
    fn postgres_claims_skip_rows_other_workers_hold() {
        let due = Condition::all().add(job::Column::Status.eq(status::PENDING));
        let statement = claim_statement(due.clone(), 10, "w", db::now());
        let postgres = DbBackend::Postgres.build(&statement).to_string();
        assert!(postgres.contains("FOR UPDATE SKIP LOCKED"), "{postgres}");
        assert!(postgres.contains("RETURNING"), "{postgres}");
        let sqlite = DbBackend::Sqlite.build(&claim_statement(due, 10, "w", db::now())).to_string();
        assert!(!sqlite.contains("FOR UPDATE"), "{sqlite}");
        assert!(sqlite.contains("RETURNING"), "{sqlite}");
    }

    #[test]
    fn backoff_doubles_up_to_its_ceiling() {
        let settings = crate::config::JobSettings { retry_base_secs: 30, retry_max_secs: 100, ..Default::default() };
        let delays: Vec<i64> = (1..=5).map(|attempt| delay(&settings, attempt).num_seconds()).collect();
        assert_eq!(delays, vec![30, 60, 100, 100, 100]);
    }
}
