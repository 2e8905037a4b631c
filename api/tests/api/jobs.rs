//! The background worker: jobs written in a transaction run once, failures back off and give up,
//! claims never overlap, periodic jobs run once per slot, and shutdown finishes the job in hand.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use api::entities::job;
use api::jobs::{self, Job, JobContext, JobError, Registry, Runner, Schedule};
use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use serde_json::json;

use crate::helpers::*;

/// Counts the runs of each job id.
#[derive(Clone, Default)]
struct Runs(Arc<Mutex<HashMap<String, u32>>>);

impl Runs {
    fn record(&self, id: &str) {
        *self.0.lock().unwrap().entry(id.to_string()).or_default() += 1;
    }
    fn of(&self, id: &str) -> u32 {
        self.0.lock().unwrap().get(id).copied().unwrap_or(0)
    }
    fn all(&self) -> HashMap<String, u32> {
        self.0.lock().unwrap().clone()
    }
}

fn counting(runs: &Runs) -> Registry {
    let runs = runs.clone();
    Registry::new().handle("test.count", move |ctx: JobContext| {
        let runs = runs.clone();
        async move {
            runs.record(&ctx.job.id);
            Ok(())
        }
    })
}

async fn quiet_app() -> TestApp {
    spawn_app_with(|settings| settings.jobs.enabled = false).await
}

async fn job_row(app: &TestApp, kind: &str) -> job::Model {
    job::Entity::find().filter(job::Column::Kind.eq(kind)).one(&app.state.db).await.unwrap().unwrap()
}

#[tokio::test]
async fn a_job_exists_only_if_its_transaction_committed_and_runs_once() {
    let app = quiet_app().await;
    let runs = Runs::default();
    let runner = Runner::new(app.state.clone(), counting(&runs));

    let rolled_back = app.state.db.begin().await.unwrap();
    jobs::enqueue(&rolled_back, Job::new("test.count", json!({"n": 1}))).await.unwrap();
    rolled_back.rollback().await.unwrap();
    assert_eq!(runner.drain().await.unwrap(), 0);

    let tx = app.state.db.begin().await.unwrap();
    jobs::enqueue(&tx, Job::new("test.count", json!({"n": 2}))).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(runner.drain().await.unwrap(), 1);
    assert_eq!(runner.drain().await.unwrap(), 0);
    let row = job_row(&app, "test.count").await;
    assert_eq!(row.status, "done");
    assert_eq!(row.attempts, 1);
    assert_eq!(runs.of(&row.id), 1);
}

#[tokio::test]
async fn a_unique_key_admits_one_job() {
    let app = quiet_app().await;
    let first = Job::new("test.count", json!({})).unique_key("once");
    assert!(jobs::enqueue(&app.state.db, first.clone()).await.unwrap());
    assert!(!jobs::enqueue(&app.state.db, first).await.unwrap());
    assert_eq!(job::Entity::find().count(&app.state.db).await.unwrap(), 1);
}

#[tokio::test]
async fn a_failing_job_backs_off_exponentially_then_gives_up() {
    let app = quiet_app().await;
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let seen = attempts.clone();
    let registry = Registry::new().handle("test.fail", move |ctx: JobContext| {
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push((ctx.attempt(), ctx.last_attempt()));
            Err(JobError::Retry(anyhow::anyhow!("gateway down")))
        }
    });
    let runner = Runner::new(app.state.clone(), registry);
    jobs::enqueue(&app.state.db, Job::new("test.fail", json!({})).max_attempts(3)).await.unwrap();
    let base = app.settings.jobs.retry_base_secs;

    assert_eq!(runner.drain().await.unwrap(), 1);
    let row = job_row(&app, "test.fail").await;
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
    assert_eq!(row.last_error.as_deref(), Some("gateway down"));
    // Not before the first delay has passed.
    app.state.clock.advance(Duration::seconds(base - 2));
    assert_eq!(runner.drain().await.unwrap(), 0);
    app.state.clock.advance(Duration::seconds(3));
    assert_eq!(runner.drain().await.unwrap(), 1);
    // The second delay is twice the first.
    app.state.clock.advance(Duration::seconds(2 * base - 2));
    assert_eq!(runner.drain().await.unwrap(), 0);
    app.state.clock.advance(Duration::seconds(3));
    assert_eq!(runner.drain().await.unwrap(), 1);
    let row = job_row(&app, "test.fail").await;
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 3));
    assert!(row.finished_at.is_some());
    app.state.clock.advance(Duration::days(1));
    assert_eq!(runner.drain().await.unwrap(), 0, "a given-up job is not tried again");
    assert_eq!(*attempts.lock().unwrap(), vec![(1, false), (2, false), (3, true)]);
}

#[tokio::test]
async fn giving_up_at_once_skips_the_remaining_attempts() {
    let app = quiet_app().await;
    let registry = Registry::new().handle("test.bad", |ctx: JobContext| async move {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Payload {
            needed: String,
        }
        ctx.payload::<Payload>()?;
        Ok(())
    });
    let runner = Runner::new(app.state.clone(), registry);
    jobs::enqueue(&app.state.db, Job::new("test.bad", json!({"other": 1}))).await.unwrap();
    runner.drain().await.unwrap();
    let row = job_row(&app, "test.bad").await;
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 1));
    assert!(row.last_error.unwrap().contains("bad payload"));
}

#[tokio::test]
async fn two_workers_never_run_one_job_twice() {
    let app = quiet_app().await;
    let runs = Runs::default();
    let ids: Vec<String> = {
        let jobs: Vec<Job> = (0..60).map(|n| Job::new("test.count", json!({"n": n}))).collect();
        jobs::enqueue_many(&app.state.db, jobs).await.unwrap();
        job::Entity::find().all(&app.state.db).await.unwrap().into_iter().map(|j| j.id).collect()
    };
    // Two workers with pools of their own, as two server instances would have.
    let (first_state, _) = app.counting_state().await;
    let (second_state, _) = app.counting_state().await;
    let first = Runner::new(first_state, counting(&runs));
    let second = Runner::new(second_state, counting(&runs));
    let (a, b) = tokio::join!(
        async {
            let mut n = 0;
            for _ in 0..20 {
                n += first.run_once().await.unwrap();
            }
            n
        },
        async {
            let mut n = 0;
            for _ in 0..20 {
                n += second.run_once().await.unwrap();
            }
            n
        }
    );
    assert_eq!(a + b + first.drain().await.unwrap(), 60);
    let all = runs.all();
    assert_eq!(all.len(), 60);
    assert!(ids.iter().all(|id| all.get(id) == Some(&1)), "some job ran twice: {all:?}");
}

#[tokio::test]
async fn a_job_whose_worker_died_is_claimed_again_after_its_lease() {
    let app = quiet_app().await;
    let runs = Runs::default();
    let dead = Runner::new(app.state.clone(), counting(&runs));
    let alive = Runner::new(app.state.clone(), counting(&runs));
    jobs::enqueue(&app.state.db, Job::new("test.count", json!({}))).await.unwrap();
    // Claimed, then the worker "dies" without finishing.
    let claimed = dead.claim(10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(alive.drain().await.unwrap(), 0, "held by the dead worker's lease");
    app.state.clock.advance(Duration::seconds(app.settings.jobs.lease_secs + 1));
    assert_eq!(alive.drain().await.unwrap(), 1);
    let row = job_row(&app, "test.count").await;
    assert_eq!((row.status.as_str(), row.attempts), ("done", 2));
    assert_eq!(runs.of(&row.id), 1);
}

#[tokio::test]
async fn a_periodic_job_runs_once_per_slot_across_instances() {
    let app = quiet_app().await;
    let slots = Arc::new(Mutex::new(Vec::new()));
    let registry = {
        let slots = slots.clone();
        Registry::new().every("test.daily", Schedule::daily_at(9, 0), move |ctx: JobContext| {
            let slots = slots.clone();
            async move {
                slots.lock().unwrap().push(ctx.slot().unwrap());
                Ok(())
            }
        })
    };
    let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&chrono::Utc);
    // 08:00 Beijing: not due yet.
    app.state.clock.set(at("2026-12-01T00:00:00Z"));
    let one = Runner::new(app.state.clone(), registry.clone());
    let two = Runner::new(app.state.clone(), registry);
    assert_eq!(one.schedule_due().await.unwrap() + two.schedule_due().await.unwrap(), 0);
    // 09:30 Beijing: both instances try, one job is written and runs once.
    app.state.clock.set(at("2026-12-01T01:30:00Z"));
    assert_eq!(one.schedule_due().await.unwrap() + two.schedule_due().await.unwrap(), 1);
    one.drain().await.unwrap();
    two.drain().await.unwrap();
    assert_eq!(one.schedule_due().await.unwrap() + two.schedule_due().await.unwrap(), 0);
    assert_eq!(*slots.lock().unwrap(), vec!["2026-12-01".to_string()]);
    // The next day brings the next slot.
    app.state.clock.advance(Duration::days(1));
    two.schedule_due().await.unwrap();
    one.schedule_due().await.unwrap();
    one.drain().await.unwrap();
    assert_eq!(*slots.lock().unwrap(), vec!["2026-12-01".to_string(), "2026-12-02".to_string()]);
}

#[tokio::test]
async fn shutdown_finishes_the_job_in_hand_and_takes_no_new_one() {
    let app = quiet_app().await;
    let started = Arc::new(tokio::sync::Notify::new());
    let registry = {
        let started = started.clone();
        Registry::new().handle("test.slow", move |_ctx: JobContext| {
            let started = started.clone();
            async move {
                started.notify_one();
                tokio::time::sleep(StdDuration::from_millis(300)).await;
                Ok(())
            }
        })
    };
    jobs::enqueue(&app.state.db, Job::new("test.slow", json!({"n": 1}))).await.unwrap();
    let handle = Runner::new(app.state.clone(), registry).spawn();
    started.notified().await;
    // Arrives while the first is in hand.
    jobs::enqueue(&app.state.db, Job::new("test.slow", json!({"n": 2}))).await.unwrap();
    handle.shutdown().await;
    let rows = job::Entity::find().all(&app.state.db).await.unwrap();
    let statuses: Vec<(String, String)> = rows.into_iter().map(|j| (j.payload, j.status)).collect();
    assert!(statuses.contains(&(json!({"n": 1}).to_string(), "done".into())), "{statuses:?}");
    assert!(statuses.contains(&(json!({"n": 2}).to_string(), "pending".into())), "{statuses:?}");
}

#[tokio::test]
async fn the_server_runs_the_background_worker() {
    let app = spawn_app().await;
    jobs::enqueue(&app.state.db, Job::new(jobs::kinds::PRUNE, json!({}))).await.unwrap();
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    loop {
        if job_row(&app, jobs::kinds::PRUNE).await.status == "done" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the worker did not run the job");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}
