//! `make bench`: how the review list and batch reporting scale. Seeds declarations straight into
//! the database (SQLite in a temp folder, or `BENCH_DATABASE_URL`), then times the service calls
//! and counts their statements. Figures are ratios from one run: the machine is noisy.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark, not the request path

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use api::auth::AuthUser;
use api::config::Settings;
use api::domain::{Level, Role};
use api::entities::{account, declaration, declaration_holder, org, path};
use api::services::reviews::{ReviewFilter, ReviewSort, SortOrder, Standing};
use api::services::{exports, reports, reviews};
use api::state::AppState;
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::json;

const SMALL: usize = 2_000;
const LARGE: usize = 20_000;

struct Bench {
    state: AppState,
    statements: Arc<AtomicUsize>,
    reviewer: AuthUser,
    employer: String,
}

async fn setup(dir: &std::path::Path) -> Bench {
    let mut settings = Settings::load_from(dir, "test").unwrap();
    settings.storage.dir = dir.join("files");
    settings.auth.jwt_secret = Some("bench-secret-bench-secret-bench-secret".into());
    settings.security.data_key = Some("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into());
    settings.security.audit_key = Some("ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=".into());
    settings.database.url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()));
    let mut db = api::db::connect(&settings.database).await.unwrap();
    api::db::migrate(&db).await.unwrap();
    let statements = Arc::new(AtomicUsize::new(0));
    let seen = statements.clone();
    db.set_metric_callback(move |_| {
        seen.fetch_add(1, Ordering::Relaxed);
    });
    let state = AppState::new(settings, db).unwrap();
    let now = api::db::now();
    let mut orgs = Vec::new();
    for (kind, name, uscc) in
        [("institution", "基准医院", "BENCH0000000000001"), ("authority", "基准卫健局", "BENCH0000000000002")]
    {
        let id = api::db::new_id();
        orgs.push(org::ActiveModel {
            id: Set(id.clone()),
            name: Set(name.into()),
            uscc: Set(uscc.into()),
            kind: Set(kind.into()),
            region_code: Set("370126".into()),
            address: Set("济阳区".into()),
            contact_name: Set("王主任".into()),
            contact_phone_enc: Set(state.crypto.encrypt("13800000000").unwrap()),
            status: Set("active".into()),
            verification: Set("verified".into()),
            verification_reason: Set(None),
            verified_by: Set(None),
            verified_at: Set(Some(now)),
            created_at: Set(now),
        });
    }
    let employer = orgs[0].id.clone().unwrap();
    let authority = orgs[1].id.clone().unwrap();
    org::Entity::insert_many(orgs).exec_without_returning(&state.db).await.unwrap();
    let reviewer_id = api::db::new_id();
    account::Entity::insert(account_row(&state, &reviewer_id, "bench_reviewer", "reviewer", Some(&employer)))
        .exec_without_returning(&state.db)
        .await
        .unwrap();
    path::Entity::insert(path::ActiveModel {
        id: Set(api::db::new_id()),
        org_id: Set(employer.clone()),
        series_code: Set("health".into()),
        level: Set("intermediate".into()),
        parent_org_id: Set(authority),
        status: Set("approved".into()),
        reason: Set(None),
        applied_by: Set(reviewer_id.clone()),
        decided_by: Set(None),
        decided_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(&state.db)
    .await
    .unwrap();
    let reviewer = AuthUser {
        id: reviewer_id,
        username: "bench_reviewer".into(),
        role: Role::Reviewer,
        real_name: "基准审核".into(),
        org_id: Some(employer.clone()),
    };
    Bench { state, statements, reviewer, employer }
}

fn account_row(state: &AppState, id: &str, username: &str, role: &str, org_id: Option<&str>) -> account::ActiveModel {
    let now = api::db::now();
    account::ActiveModel {
        id: Set(id.to_string()),
        username: Set(username.to_string()),
        // Never logged in with: the benchmark calls services directly.
        password_hash: Set(
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Yd9n9qoVJMY1C+kqW7oaOPlUi/6yvI1pVKjtmPXBbw".into(),
        ),
        role: Set(role.to_string()),
        real_name: Set("基准人员".into()),
        id_number_enc: Set(Some(state.crypto.encrypt("11010519491231002X").unwrap())),
        id_number_hash: Set(Some(state.crypto.index("id_number", username))),
        phone_enc: Set(Some(state.crypto.encrypt("13800000000").unwrap())),
        phone_hash: Set(Some(state.crypto.index("phone", username))),
        org_id: Set(org_id.map(str::to_string)),
        status: Set("active".into()),
        created_by: Set(None),
        password_changed_at: Set(now),
        tokens_valid_after: Set(now),
        totp_secret_enc: Set(None),
        totp_enabled_at: Set(None),
        totp_last_step: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// Adds `count` declarations approved at the employer (half), or pending there (the other half).
async fn seed(bench: &Bench, from: usize, count: usize) -> Vec<String> {
    let state = &bench.state;
    let now = api::db::now();
    let mut approved = Vec::new();
    for chunk_start in (from..from + count).step_by(500) {
        let chunk = chunk_start..(chunk_start + 500).min(from + count);
        let people: Vec<(String, usize)> = chunk.clone().map(|n| (api::db::new_id(), n)).collect();
        account::Entity::insert_many(
            people.iter().map(|(id, n)| account_row(state, id, &format!("person{n}"), "person", None)),
        )
        .exec_without_returning(&state.db)
        .await
        .unwrap();
        let rows: Vec<declaration::ActiveModel> = people
            .iter()
            .map(|(person, n)| {
                let id = api::db::new_id();
                let status = if n % 2 == 0 { "approved" } else { "pending" };
                let level = if n % 5 == 0 { "deputy_senior" } else { "intermediate" };
                // Only these have the employer's (intermediate) path, so only these are reportable.
                if status == "approved" && level == "intermediate" {
                    approved.push(id.clone());
                }
                declaration::ActiveModel {
                    id: Set(id),
                    person_id: Set(person.clone()),
                    applicant_name: Set(format!("申报人{n}")),
                    year: Set(2026),
                    kind: Set("title".into()),
                    series_code: Set("health".into()),
                    level: Set(level.into()),
                    specialty: Set("护理学".into()),
                    org_id: Set(bench.employer.clone()),
                    holder_org_id: Set(Some(bench.employer.clone())),
                    status: Set(status.into()),
                    template_id: Set("template-health-1".into()),
                    info: Set(json!({})),
                    basic_confirmed: Set(true),
                    open_sections: Set(json!([])),
                    info_unlocked: Set(false),
                    return_opinion: Set(None),
                    copied_from: Set(None),
                    version: Set(1),
                    submitted_at: Set(Some(now)),
                    created_at: Set(now),
                    updated_at: Set(now - chrono::Duration::milliseconds(*n as i64)),
                    plan_id: Set(None),
                    exceptional: Set(false),
                    exceptional_explanations: Set(None),
                }
            })
            .collect();
        let holders: Vec<declaration_holder::ActiveModel> = rows
            .iter()
            .map(|d| declaration_holder::ActiveModel {
                declaration_id: d.id.clone(),
                org_id: Set(bench.employer.clone()),
                arrived_at: Set(now),
                ..Default::default()
            })
            .collect();
        declaration::Entity::insert_many(rows).exec_without_returning(&state.db).await.unwrap();
        declaration_holder::Entity::insert_many(holders).exec_without_returning(&state.db).await.unwrap();
    }
    // As autovacuum would after a load: planner statistics for the new rows.
    use sea_orm::ConnectionTrait;
    state.db.execute_unprepared("ANALYZE").await.unwrap();
    approved
}

/// Median time and statements of `runs` calls of the review list.
async fn time_list(bench: &Bench, filter: impl Fn() -> ReviewFilter, page_size: u64, runs: usize) -> (Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut statements = 0;
    for _ in 0..runs {
        bench.statements.store(0, Ordering::Relaxed);
        let start = Instant::now();
        let page = reviews::list(&bench.state, &bench.reviewer, filter(), reviews::PageStart::Number(1), page_size)
            .await
            .unwrap();
        times.push(start.elapsed());
        statements = bench.statements.load(Ordering::Relaxed);
        assert!(!page.rows.is_empty());
    }
    times.sort();
    (times[runs / 2], statements)
}

async fn time_report(bench: &Bench, ids: Vec<String>) -> (Duration, usize) {
    bench.statements.store(0, Ordering::Relaxed);
    let start = Instant::now();
    reports::report(&bench.state, &bench.reviewer, ids, None, None).await.unwrap();
    (start.elapsed(), bench.statements.load(Ordering::Relaxed))
}

/// Resets the process's peak resident memory (Linux `clear_refs` 5), so the next peak is one action's.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory since the last reset, in MiB (`VmHWM`); 0 where /proc is missing.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Exports every declaration of the review list (导出Excel): time, peak memory, rows.
async fn export_everything(bench: &Bench) -> (Duration, f64, u64) {
    reset_peak();
    let start = Instant::now();
    let export =
        exports::review_list(&bench.state, &bench.reviewer, ReviewFilter::default(), false, None).await.unwrap();
    let elapsed = start.elapsed();
    (elapsed, peak_mib(), export.rows)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let bench = setup(dir.path()).await;
        let pending = || ReviewFilter { standing: Some(Standing::Pending), ..Default::default() };
        let filtered = || ReviewFilter {
            standing: Some(Standing::Approved),
            year: Some(2026),
            level: Some(Level::Intermediate),
            series: Some("health".into()),
            q: Some("申报人1".into()),
            ..Default::default()
        };

        // 排序 by a column a clerk picks: the employer's name is a subquery per row, the name a column.
        let by_org = || ReviewFilter {
            standing: Some(Standing::Pending),
            sort: ReviewSort::OrgName,
            order: SortOrder::Asc,
            ..Default::default()
        };
        let by_name = || ReviewFilter {
            standing: Some(Standing::Pending),
            sort: ReviewSort::ApplicantName,
            order: SortOrder::Asc,
            ..Default::default()
        };

        let mut approved = seed(&bench, 0, SMALL).await;
        let small_pending = time_list(&bench, pending, 20, 15).await;
        let small_filtered = time_list(&bench, filtered, 20, 15).await;
        let small_by_org = time_list(&bench, by_org, 20, 15).await;
        let small_by_name = time_list(&bench, by_name, 20, 15).await;
        approved.extend(seed(&bench, SMALL, LARGE - SMALL).await);
        let large_pending = time_list(&bench, pending, 20, 15).await;
        let large_page = time_list(&bench, pending, 100, 15).await;
        let large_filtered = time_list(&bench, filtered, 20, 15).await;
        let large_by_org = time_list(&bench, by_org, 20, 15).await;
        let large_by_name = time_list(&bench, by_name, 20, 15).await;

        // 导出Excel is streamed: its peak memory must not grow with the rows. BENCH_EXPORT_ROWS
        // (e.g. 100000) seeds up to that many before the second measurement.
        let export_large = export_everything(&bench).await;
        let export_rows: usize =
            std::env::var("BENCH_EXPORT_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(LARGE).max(LARGE);
        if export_rows > LARGE {
            seed(&bench, LARGE, export_rows - LARGE).await;
        }
        let export_more = export_everything(&bench).await;

        let report_small = time_report(&bench, approved[..10].to_vec()).await;
        let report_large = time_report(&bench, approved[10..1010].to_vec()).await;

        let backend = if bench.state.settings.database.url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
        println!("review list and batch report, {backend} backend");
        println!("{:<58} {:>10} {:>11}", "measurement", "median ms", "statements");
        let rows = [
            (format!("list pending, page 20, {SMALL} declarations"), small_pending),
            (format!("list pending, page 20, {LARGE} declarations"), large_pending),
            (format!("list pending, page 100, {LARGE} declarations"), large_page),
            (format!("list 4 filters + name, page 20, {SMALL} declarations"), small_filtered),
            (format!("list 4 filters + name, page 20, {LARGE} declarations"), large_filtered),
            (format!("list sorted by employer name, page 20, {SMALL} declarations"), small_by_org),
            (format!("list sorted by employer name, page 20, {LARGE} declarations"), large_by_org),
            (format!("list sorted by applicant name, page 20, {SMALL} declarations"), small_by_name),
            (format!("list sorted by applicant name, page 20, {LARGE} declarations"), large_by_name),
            ("report a batch of 10".to_string(), report_small),
            ("report a batch of 1000".to_string(), report_large),
        ];
        for (name, (time, statements)) in &rows {
            println!("{name:<58} {:>10.2} {statements:>11}", ms(*time));
        }
        println!();
        println!(
            "ratio list {LARGE}/{SMALL} declarations (page 20): {:.2}x time",
            ms(large_pending.0) / ms(small_pending.0)
        );
        println!(
            "ratio sorted by employer / default order, {LARGE} declarations: {:.2}x; by applicant name: {:.2}x",
            ms(large_by_org.0) / ms(large_pending.0),
            ms(large_by_name.0) / ms(large_pending.0)
        );
        println!(
            "ratio list page 100/page 20: {:.2}x time, statements {} vs {}",
            ms(large_page.0) / ms(large_pending.0),
            large_page.1,
            large_pending.1
        );
        println!(
            "ratio report 1000/10: {:.2}x time for 100x the declarations, statements {} vs {}",
            ms(report_large.0) / ms(report_small.0),
            report_large.1,
            report_small.1
        );
        println!(
            "export {} rows: {:.0} ms, peak RSS {:.1} MiB; export {} rows: {:.0} ms, peak RSS {:.1} MiB",
            export_large.2,
            ms(export_large.0),
            export_large.1,
            export_more.2,
            ms(export_more.0),
            export_more.1
        );
        // The bound: peak memory during an export of any size stays within 64 MiB above the
        // process's baseline at 20,000 rows (chunks of 1000 rows, sheet rows on disk).
        if export_more.1 > 0.0 {
            assert!(
                export_more.1 <= export_large.1 + 64.0,
                "the export's memory grew with its rows: {:.1} MiB at {} rows vs {:.1} MiB at {}",
                export_more.1,
                export_more.2,
                export_large.1,
                export_large.2
            );
        }
        assert_eq!(large_page.1, large_pending.1, "the review list must not grow with the page size");
        assert_eq!(report_large.1, report_small.1, "a batch report must not grow with the batch");
    });
}
