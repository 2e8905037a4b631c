//! `make bench`, province part (issue 18): the review list over HTTP at 10k, 100k and 1M
//! declarations on PostgreSQL, next to the database's own ceiling for the same statements.
//!
//! Seeds a database of its own (`zhicheng_bench` on `BENCH_PG_URL`, default the local server) with
//! set-based SQL, growing it size after size: 50 employers under two offices under one bureau,
//! statuses spread over the whole chain. For each list it serves the release binary's routes in
//! process, drives 2 connections for `BENCH_SECONDS` (default 5) and prints req/s, p50 and p99;
//! then it runs the statements one request ran (recorded from the connection, values inlined)
//! through `pgbench` with the same 2 clients — the database's ceiling for the product's own SQL —
//! and prints the ratio. Last, a batch report of 1,000 at the largest size.
//! `BENCH_SIZES=10000,100000` picks the sizes. Figures are ratios from one run: the machine is noisy.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark, not the request path

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use api::auth::AuthUser;
use api::config::Settings;
use api::domain::Role;
use api::services::reports;
use api::state::AppState;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

const EMPLOYERS: usize = 50;
const PASSWORD: &str = "Bench#2026-province";
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅凤洁琳素云莲真环雪荣爱妹";

/// Statements the server ran while `recording` is set.
#[derive(Clone, Default)]
struct Recorder {
    recording: Arc<Mutex<Option<Vec<String>>>>,
}

struct Province {
    state: AppState,
    recorder: Recorder,
    base: String,
    url: String,
    client: reqwest::Client,
    seeded: usize,
}

fn sizes() -> Vec<usize> {
    std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("BENCH_SIZES: numbers separated by commas"))
        .collect()
}

fn employer(n: usize) -> String {
    format!("bench-employer-{n:02}")
}

async fn setup(dir: &std::path::Path) -> Province {
    let server = std::env::var("BENCH_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let admin = Database::connect(&server).await.expect("BENCH_PG_URL: a PostgreSQL server");
    admin.execute_unprepared("DROP DATABASE IF EXISTS zhicheng_bench WITH (FORCE)").await.unwrap();
    admin.execute_unprepared("CREATE DATABASE zhicheng_bench").await.unwrap();
    let url = format!("{}/zhicheng_bench", server.rsplit_once('/').unwrap().0);

    let mut settings = Settings::load_from(dir, "test").unwrap();
    settings.storage.dir = dir.join("files");
    settings.auth.jwt_secret = Some("bench-secret-bench-secret-bench-secret".into());
    settings.security.data_key = Some("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into());
    settings.security.audit_key = Some("ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=".into());
    settings.database.url = url.clone();
    settings.jobs.enabled = false;
    let mut db = api::db::connect(&settings.database).await.unwrap();
    api::db::migrate(&db).await.unwrap();
    let recorder = Recorder::default();
    let seen = recorder.clone();
    db.set_metric_callback(move |metric| {
        if let Some(list) = seen.recording.lock().unwrap().as_mut() {
            list.push(metric.statement.to_string());
        }
    });
    let state = AppState::new(settings, db).unwrap();
    seed_organisations(&state).await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}/api/v1", listener.local_addr().unwrap().port());
    tokio::spawn(api::startup::run(listener, state.clone()).unwrap());
    Province { state, recorder, base, url, client: reqwest::Client::new(), seeded: 0 }
}

/// The bureau, two offices, 50 employers, a reviewer at the first two employers and at the
/// bureau, and those employers' open paths to their office (for the batch reports).
async fn seed_organisations(state: &AppState) {
    let db = &state.db;
    let phone = state.crypto.encrypt("13800000000").unwrap();
    let mut orgs = vec![("bench-bureau".to_string(), "hrss", "基准人社局".to_string())];
    orgs.extend((0..2).map(|n| (format!("bench-office-{n}"), "authority", format!("基准主管部门{n}"))));
    orgs.extend((0..EMPLOYERS).map(|n| (employer(n), "institution", format!("基准医院{n:02}"))));
    for (n, (id, kind, name)) in orgs.iter().enumerate() {
        db.execute_unprepared(&format!(
            "INSERT INTO orgs (id, name, uscc, kind, region_code, address, contact_name, contact_phone_enc, status, \
             verification, verified_at, created_at) VALUES ('{id}', '{name}', 'BENCH{n:013}', '{kind}', '370126', \
             '济阳区', '王主任', '{phone}', 'active', 'verified', now(), now())"
        ))
        .await
        .unwrap();
    }
    let hash = api::auth::password::hash(PASSWORD.into()).await.unwrap();
    let id_number = state.crypto.encrypt("11010519491231002X").unwrap();
    for (username, org) in
        [("bench_hospital", employer(0)), ("bench_hospital1", employer(1)), ("bench_bureau", "bench-bureau".into())]
    {
        db.execute_unprepared(&format!(
            "INSERT INTO accounts (id, username, password_hash, role, real_name, id_number_enc, id_number_hash, \
             phone_enc, phone_hash, org_id, status, password_changed_at, tokens_valid_after, created_at, updated_at) \
             VALUES ('{username}', '{username}', '{hash}', 'reviewer', '基准审核', '{id_number}', '{username}', \
             '{phone}', '{username}', '{org}', 'active', now(), now(), now(), now())"
        ))
        .await
        .unwrap();
    }
    db.execute_unprepared(
        "INSERT INTO paths (id, org_id, series_code, level, parent_org_id, status, applied_by, created_at) \
         VALUES ('bench-path', 'bench-employer-00', 'health', 'intermediate', 'bench-office-0', 'approved', \
         'bench_hospital', now()), ('bench-path1', 'bench-employer-01', 'health', 'intermediate', 'bench-office-0', \
         'approved', 'bench_hospital1', now())",
    )
    .await
    .unwrap();
}

/// Declarations `from..to`, set-based: people, declarations and holder rows in three statements.
/// Status by `(n / 50) % 10`, so each employer has every kind: 0–2 待审核 at the employer, 3 通过未上报
/// there, 4–5 at the office, 6 at the bureau, 7 受理, 8 退回, 9 草稿.
async fn seed(province: &mut Province, to: usize) {
    let from = province.seeded;
    let db = &province.state.db;
    let id_number = province.state.crypto.encrypt("11010519491231002X").unwrap();
    let phone = province.state.crypto.encrypt("13800000000").unwrap();
    let chars = |s: &str| s.chars().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(",");
    let (surnames, given) = (chars(SURNAMES), chars(GIVEN));
    let (ns, ng) = (SURNAMES.chars().count(), GIVEN.chars().count());
    let name = format!(
        "(ARRAY[{surnames}])[1 + n % {ns}] || (ARRAY[{given}])[1 + (n / {ns}) % {ng}] \
         || CASE WHEN n % 3 = 0 THEN (ARRAY[{given}])[1 + (n / 7) % {ng}] ELSE '' END"
    );
    let series = format!("generate_series({from}, {} - 1) AS n", to);
    let started = Instant::now();
    db.execute_unprepared(&format!(
        "INSERT INTO accounts (id, username, password_hash, role, real_name, id_number_enc, id_number_hash, \
         phone_enc, phone_hash, status, password_changed_at, tokens_valid_after, created_at, updated_at) \
         SELECT 'bp-' || n, 'bench_p' || n, 'x', 'person', {name}, '{id_number}', 'bi-' || n, '{phone}', 'bh-' || n, \
         'active', now(), now(), now(), now() FROM {series}"
    ))
    .await
    .unwrap();
    let k = "((n / 50) % 10)";
    let employer = "'bench-employer-' || lpad((n % 50)::text, 2, '0')";
    let office = "'bench-office-' || ((n % 50) / 25)";
    db.execute_unprepared(&format!(
        "INSERT INTO declarations (id, person_id, applicant_name, year, kind, series_code, level, specialty, org_id, \
         holder_org_id, status, template_id, info, basic_confirmed, open_sections, info_unlocked, version, \
         submitted_at, created_at, updated_at, exceptional) \
         SELECT 'bd-' || n, 'bp-' || n, {name}, 2026, 'title', 'health', 'intermediate', '护理学', {employer}, \
           CASE WHEN {k} <= 3 THEN {employer} WHEN {k} <= 5 THEN {office} WHEN {k} <= 7 THEN 'bench-bureau' END, \
           (ARRAY['pending','pending','pending','approved','pending','approved','pending','accepted','returned','draft'])[1 + {k}], \
           (SELECT id FROM form_templates WHERE series_code = 'health' ORDER BY version DESC LIMIT 1), \
           '{{}}'::jsonb, true, '[]'::jsonb, false, 1, \
           CASE WHEN {k} <> 9 THEN timestamptz '2026-03-01' + n * interval '1 second' END, \
           timestamptz '2026-03-01' + n * interval '1 second', \
           timestamptz '2026-03-01' + n * interval '1 second' + interval '2 hours', false \
         FROM {series}"
    ))
    .await
    .unwrap();
    // Who each reached: the employer (all but drafts), the office (4–7), the bureau (6–7).
    db.execute_unprepared(&format!(
        "INSERT INTO declaration_holders (declaration_id, org_id, arrived_at) \
         SELECT 'bd-' || n, {employer}, timestamptz '2026-03-01' + n * interval '1 second' + interval '10 minutes' \
           FROM {series} WHERE {k} <> 9 \
         UNION ALL SELECT 'bd-' || n, {office}, timestamptz '2026-03-01' + n * interval '1 second' + interval '1 hour' \
           FROM {series} WHERE {k} BETWEEN 4 AND 7 \
         UNION ALL SELECT 'bd-' || n, 'bench-bureau', timestamptz '2026-03-01' + n * interval '1 second' + interval '90 minutes' \
           FROM {series} WHERE {k} BETWEEN 6 AND 7"
    ))
    .await
    .unwrap();
    // As autovacuum would after a load: statistics, and the visibility map for index-only counts.
    db.execute_unprepared("VACUUM ANALYZE").await.unwrap();
    println!("seeded {from}..{to} in {:.1} s", started.elapsed().as_secs_f64());
    province.seeded = to;
}

async fn login(province: &Province, username: &str) -> String {
    let response = province
        .client
        .post(format!("{}/auth/login", province.base))
        .json(&json!({"account": username, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "bench login {username}");
    response.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
}

async fn get(province: &Province, token: &str, query: &str) -> Value {
    let response =
        province.client.get(format!("{}/reviews?{query}", province.base)).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

/// A page deep in the list: the cursor at about 4,000 rows in (or 80 % of a shorter list).
async fn deep(province: &Province, token: &str, filter: &str) -> String {
    let total = get(province, token, filter).await["total"].as_u64().unwrap();
    let target = (total * 4 / 5).min(4000);
    let mut walked = 0;
    let mut query = format!("{filter}&page_size=100");
    let mut cursor = String::new();
    while walked + 100 <= target {
        let page = get(province, token, &query).await;
        let Some(next) = page["next"].as_str() else { break };
        cursor = next.to_string();
        walked += 100;
        query = format!("{filter}&page_size=100&after={cursor}");
    }
    if cursor.is_empty() { filter.to_string() } else { format!("{filter}&after={cursor}") }
}

struct Figures {
    rate: f64,
    p50: f64,
    p99: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn seconds() -> u64 {
    std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5)
}

/// 2 connections for [`seconds`]: req/s and latency in ms.
async fn drive(province: &Province, token: &str, query: &str) -> Figures {
    for _ in 0..10 {
        get(province, token, query).await;
    }
    let until = Instant::now() + Duration::from_secs(seconds());
    let started = Instant::now();
    let workers = (0..2).map(|_| {
        let (client, url, token) =
            (reqwest::Client::new(), format!("{}/reviews?{query}", province.base), token.to_string());
        tokio::spawn(async move {
            let mut times = Vec::new();
            while Instant::now() < until {
                let at = Instant::now();
                let response = client.get(&url).bearer_auth(&token).send().await.unwrap();
                assert_eq!(response.status(), 200);
                response.bytes().await.unwrap();
                times.push(at.elapsed().as_secs_f64() * 1000.0);
            }
            times
        })
    });
    let mut times: Vec<f64> = Vec::new();
    for worker in workers {
        times.extend(worker.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    Figures { rate: times.len() as f64 / elapsed, p50: percentile(&times, 0.5), p99: percentile(&times, 0.99) }
}

/// The statements one request runs, then `pgbench` on them with the same 2 clients.
async fn ceiling(province: &Province, token: &str, query: &str, dir: &std::path::Path) -> Figures {
    *province.recorder.recording.lock().unwrap() = Some(Vec::new());
    get(province, token, query).await;
    let statements = province.recorder.recording.lock().unwrap().take().unwrap();
    let script = dir.join("request.sql");
    std::fs::write(&script, statements.iter().map(|s| format!("{s};\n")).collect::<String>()).unwrap();
    let logs = dir.join("pgbench-logs");
    let _ = std::fs::remove_dir_all(&logs);
    std::fs::create_dir_all(&logs).unwrap();
    let output = Command::new("pgbench")
        .args(["-n", "-c", "2", "-j", "2", "-T", &seconds().to_string(), "-l", "--log-prefix"])
        .arg(logs.join("tx"))
        .arg("-f")
        .arg(&script)
        .arg(&province.url)
        .output()
        .expect("pgbench (postgresql-contrib or postgresql-client)");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "pgbench: {text}{}", String::from_utf8_lossy(&output.stderr));
    let rate = text
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    // Each log line: client, transaction, latency in µs, …
    let mut times: Vec<f64> = std::fs::read_dir(&logs)
        .unwrap()
        .flat_map(|f| {
            std::fs::read_to_string(f.unwrap().path()).unwrap().lines().map(str::to_string).collect::<Vec<_>>()
        })
        .filter_map(|line| line.split_whitespace().nth(2).and_then(|us| us.parse::<f64>().ok()))
        .map(|us| us / 1000.0)
        .collect();
    times.sort_by(f64::total_cmp);
    Figures { rate, p50: percentile(&times, 0.5), p99: percentile(&times, 0.99) }
}

/// A batch report of 1,000 (数据上报) at employer `n`, of declarations no batch has read yet: time.
async fn batch_report(province: &Province, n: usize, username: &str) -> Duration {
    let ids: Vec<String> = province
        .state
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!(
                "SELECT id FROM declarations WHERE holder_org_id = '{}' AND status = 'approved' LIMIT 1000",
                employer(n)
            ),
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.try_get::<String>("", "id").unwrap())
        .collect();
    assert_eq!(ids.len(), 1000, "employer {n} holds 1,000 approved (seed 1M for the batch)");
    let reviewer = AuthUser {
        id: username.into(),
        username: username.into(),
        role: Role::Reviewer,
        real_name: "基准审核".into(),
        org_id: Some(employer(n)),
    };
    let started = Instant::now();
    reports::report(&province.state, &reviewer, ids, None, None).await.unwrap();
    started.elapsed()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let mut province = setup(dir.path()).await;
        let lists: [(&str, &str, &str); 9] = [
            ("hospital", "hospital, page 1", ""),
            ("hospital", "hospital, deep page", "deep"),
            ("hospital", "hospital, status=pending", "status=pending"),
            ("hospital", "hospital, status=approved", "status=approved"),
            ("hospital", "hospital, a 2-character name", "q=王芳"),
            ("bureau", "bureau, page 1", ""),
            ("bureau", "bureau, deep page", "deep"),
            ("bureau", "bureau, status=accepted", "status=accepted"),
            ("bureau", "bureau, a 2-character name", "q=李娜"),
        ];
        let mut table: Vec<(usize, &str, Figures, Figures)> = Vec::new();
        for size in sizes() {
            seed(&mut province, size).await;
            let hospital = login(&province, "bench_hospital").await;
            let bureau = login(&province, "bench_bureau").await;
            for (who, name, query) in lists {
                let token = if who == "hospital" { &hospital } else { &bureau };
                let query = if query == "deep" { deep(&province, token, "").await } else { query.to_string() };
                let product = drive(&province, token, &query).await;
                let database = ceiling(&province, token, &query, dir.path()).await;
                println!(
                    "{size:>8} {name:<32} {:>7.1} req/s p50 {:>6.1} p99 {:>6.1} ms | pgbench {:>7.1} tps p99 {:>6.1} ms | {:.2}",
                    product.rate,
                    product.p50,
                    product.p99,
                    database.rate,
                    database.p99,
                    product.rate / database.rate
                );
                table.push((size, name, product, database));
            }
        }
        println!();
        println!("review list over HTTP, PostgreSQL, 2 connections, {} s each (ms)", seconds());
        let sizes = sizes();
        print!("{:<32}", "list");
        for size in &sizes {
            print!(" | {:>26}", format!("{size}: req/s p50/p99"));
        }
        println!(" | {:>9} | {:>10}", "p99 ratio", "/pgbench");
        for (_, name, _) in lists {
            print!("{name:<32}");
            let rows: Vec<&(usize, &str, Figures, Figures)> = table.iter().filter(|r| r.1 == name).collect();
            for row in &rows {
                print!(" | {:>26}", format!("{:.0} · {:.1}/{:.1}", row.2.rate, row.2.p50, row.2.p99));
            }
            let (first, last) = (rows.first().unwrap(), rows.last().unwrap());
            println!(" | {:>8.2}× | {:>10.2}", last.2.p99 / first.2.p99, last.2.rate / last.3.rate);
        }
        if province.seeded >= 1_000_000 {
            // Four batches, each of 1,000 declarations no batch read before (two employers hold
            // 2,000 approved each): the first runs on the cold cache the seed leaves, as a first
            // report of the morning would; the median is the figure.
            let mut times = Vec::new();
            for (n, username) in [(0, "bench_hospital"), (1, "bench_hospital1"), (0, "bench_hospital"), (1, "bench_hospital1")] {
                times.push(batch_report(&province, n, username).await.as_secs_f64() * 1000.0);
            }
            let shown: Vec<String> = times.iter().map(|t| format!("{t:.0}")).collect();
            times.sort_by(f64::total_cmp);
            println!(
                "\nbatch report of 1,000 at {}: {} ms in turn, median {:.0} ms",
                province.seeded,
                shown.join(", "),
                (times[1] + times[2]) / 2.0
            );
        }
    });
}
