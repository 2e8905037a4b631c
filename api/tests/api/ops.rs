//! `/healthz`, `/readyz` and `/metrics`: what a load balancer and an operator ask of an instance.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;

use crate::helpers::*;

async fn get_root(app: &TestApp, path: &str) -> reqwest::Response {
    app.client.get(format!("{}{path}", app.address)).send().await.unwrap()
}

/// Asks `/readyz` until it answers `status` (the pool reconnects on its own), for up to 20 s.
async fn readiness_becomes(app: &TestApp, status: u16) -> reqwest::Response {
    for _ in 0..40 {
        let response = get_root(app, "/readyz").await;
        if response.status() == status {
            return response;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("/readyz never answered {status}");
}

#[tokio::test]
async fn an_instance_is_alive_and_ready() {
    let app = spawn_app().await;
    let alive = get_root(&app, "/healthz").await;
    assert_eq!(alive.status(), 200);
    assert_eq!(alive.json::<Value>().await.unwrap()["status"], "ok");
    let ready = get_root(&app, "/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!((body["status"].as_str(), body["database"].as_str()), (Some("ready"), Some("ok")));
}

#[tokio::test]
async fn readiness_fails_while_the_file_store_is_gone_and_recovers() {
    let app = spawn_app().await;
    let moved = app.storage_dir.with_extension("away");
    std::fs::rename(&app.storage_dir, &moved).unwrap();
    let down = get_root(&app, "/readyz").await;
    assert_eq!(down.status(), 503);
    assert_eq!(down.headers()["content-type"], "application/problem+json");
    let body = problem(down).await;
    assert_eq!(body["code"], "not_ready");
    assert_eq!(body["errors"][0]["field"], "/storage");
    // Still alive: an orchestrator must not restart it for that.
    assert_eq!(get_root(&app, "/healthz").await.status(), 200);
    std::fs::rename(&moved, &app.storage_dir).unwrap();
    readiness_becomes(&app, 200).await;
}

/// On PostgreSQL: the database dropped under the running instance (its connections cut) is 503
/// `not_ready` at `/database`; once a database of that name is back, the pool reconnects and the
/// instance is ready again without a restart.
#[tokio::test]
async fn readiness_fails_while_the_database_is_down_and_recovers() {
    let app = spawn_app().await;
    // `make test-s3` passes the variable through, empty when PostgreSQL is not asked for.
    let Some(server_url) = std::env::var("TEST_DATABASE_URL").ok().filter(|url| !url.is_empty()) else {
        eprintln!("skipped: needs TEST_DATABASE_URL (a SQLite file cannot be taken away from an open pool)");
        return;
    };
    let url = &app.settings.database.url;
    let name = url.split('?').next().unwrap().rsplit('/').next().unwrap().to_string();
    let admin = Database::connect(&server_url).await.unwrap();
    admin.execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)")).await.unwrap();
    let down = readiness_becomes(&app, 503).await;
    let body = problem(down).await;
    assert_eq!(body["code"], "not_ready");
    assert_eq!(body["errors"][0]["field"], "/database");
    assert_eq!(get_root(&app, "/healthz").await.status(), 200);
    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.unwrap();
    readiness_becomes(&app, 200).await;
    admin.close().await.ok();
}

#[tokio::test]
async fn metrics_count_requests_per_route_pattern_for_the_holder_of_the_token() {
    let app = spawn_app_with(|settings| {
        settings.metrics.enabled = true;
        settings.metrics.token = Some("scrape-token-of-the-operator".into());
    })
    .await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    for _ in 0..2 {
        assert_eq!(app.get_as(&token, "/declarations/00000000-0000-0000-0000-000000000000").await.status(), 404);
    }
    let url = format!("{}/metrics", app.address);
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 404, "no token");
    let wrong = app.client.get(&url).bearer_auth("guess").send().await.unwrap();
    assert_eq!(wrong.status(), 404, "a wrong token");
    let scraped = app.client.get(&url).bearer_auth("scrape-token-of-the-operator").send().await.unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(scraped.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = scraped.text().await.unwrap();
    // The pattern, not the concrete path: one series however many ids are asked for.
    let series = text
        .lines()
        .find(|line| {
            line.starts_with("zhicheng_http_requests_total{")
                && line.contains(r#"route="/api/v1/declarations/{id}""#)
                && line.contains(r#"status="404""#)
        })
        .unwrap_or_else(|| panic!("no series for the pattern in\n{text}"));
    assert!(series.ends_with(" 2"), "{series}");
    assert!(!text.contains("00000000-0000"), "a concrete path became a label");
    assert!(text.contains("zhicheng_http_request_duration_seconds_bucket{"), "{text}");
    assert!(text.contains(r#"zhicheng_db_pool_connections{state="max"} 5"#), "{text}");
    assert!(text.contains(r#"zhicheng_jobs{status="pending"}"#), "{text}");
}

#[tokio::test]
async fn metrics_are_not_served_unless_enabled() {
    let app = spawn_app().await;
    let answer = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap();
    assert!(!answer.text().await.unwrap().contains("zhicheng_http_requests_total"));
}

#[tokio::test]
async fn readiness_fails_while_the_object_store_is_unreachable() {
    // An S3 endpoint where nothing listens.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = spawn_app_with(|settings| {
        settings.storage.backend = "s3".into();
        settings.storage.s3.endpoint = Some(format!("http://127.0.0.1:{closed}"));
        settings.storage.s3.bucket = "nowhere".into();
        settings.storage.s3.access_key_id = Some("test".into());
        settings.storage.s3.secret_access_key = Some("test".into());
    })
    .await;
    let down = get_root(&app, "/readyz").await;
    assert_eq!(down.status(), 503);
    let body = problem(down).await;
    assert_eq!(body["errors"][0]["field"], "/storage", "{body}");
    assert_eq!(body["errors"].as_array().unwrap().len(), 1, "the database is fine: {body}");
}
