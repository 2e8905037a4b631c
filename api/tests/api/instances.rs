//! Several instances on one database, as behind a load balancer: what one instance counts, the
//! other sees. On PostgreSQL only (`TEST_DATABASE_URL`); a SQLite deployment is one process.

use api::startup::Application;
use serde_json::json;

use crate::helpers::*;

/// A second instance of the app on the same database and settings, on its own port.
async fn second_instance(app: &TestApp) -> Option<String> {
    if app.settings.database.url.starts_with("sqlite") {
        eprintln!("skipped: several instances share a PostgreSQL database (set TEST_DATABASE_URL)");
        return None;
    }
    let other = Application::build(app.settings.clone()).await.expect("second instance");
    let address = format!("http://127.0.0.1:{}", other.port());
    tokio::spawn(other.run_until_stopped());
    Some(address)
}

#[tokio::test]
async fn the_per_ip_limit_holds_in_total_across_instances() {
    let app = spawn_app_with(|settings| {
        settings.rate_limit.auth_per_minute = 1;
        settings.rate_limit.auth_burst = 3;
    })
    .await;
    let Some(other) = second_instance(&app).await else { return };
    assert!(app.state.rate_limits.is_shared());
    let instances = [app.address.clone(), other];
    // Alternating: 2 on the first instance, 1 on the second. Per instance, both would still have room.
    for i in 0..3 {
        let url = format!("{}/api/v1/auth/password/forgot", instances[i % 2]);
        let response = app.client.post(url).json(&json!({"account": format!("nobody{i}")})).send().await.unwrap();
        assert_eq!(response.status(), 202, "request {i}");
    }
    for instance in &instances {
        let url = format!("{instance}/api/v1/auth/password/forgot");
        let response = app.client.post(url).json(&json!({"account": "nobody9"})).send().await.unwrap();
        assert_eq!(response.status(), 429, "{instance}");
        let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry_after), "{retry_after}");
        assert_eq!(problem(response).await["code"], "too_many_requests");
    }
}

#[tokio::test]
async fn the_per_account_limit_holds_in_total_across_instances() {
    let app = spawn_app_with(|settings| {
        settings.rate_limit.account_per_minute = 1;
        settings.rate_limit.account_burst = 3;
    })
    .await;
    let Some(other) = second_instance(&app).await else { return };
    let instances = [app.address.clone(), other];
    let (busy, bystander) = (app.register_person().await, app.register_person().await);
    let token = app.token_of(&busy).await;
    let weak = json!({"current_password": PASSWORD, "new_password": "short"});
    let change_password = |instance: &str, token: &str| {
        app.client.post(format!("{instance}/api/v1/me/password")).bearer_auth(token).json(&weak).send()
    };
    for i in 0..3 {
        assert_eq!(change_password(&instances[i % 2], &token).await.unwrap().status(), 422, "request {i}");
    }
    for instance in &instances {
        assert_eq!(change_password(instance, &token).await.unwrap().status(), 429, "{instance}");
    }
    // Another account still has its own allowance, on either instance.
    let other_token = app.token_of(&bystander).await;
    assert_eq!(change_password(&instances[1], &other_token).await.unwrap().status(), 422);
}

/// A key whose allowance is whole again is the same as no row: the daily `jobs.prune` deletes it,
/// and keeps the keys still counting.
#[tokio::test]
async fn idle_rate_limit_keys_are_pruned_and_counting_ones_kept() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = spawn_app_with(|settings| {
        // The per-IP key fills up for a minute; the account keys empty within a millisecond.
        settings.rate_limit.auth_per_minute = 1;
        settings.rate_limit.auth_burst = 10;
    })
    .await;
    if !app.state.rate_limits.is_shared() {
        eprintln!("skipped: the shared store is PostgreSQL's (set TEST_DATABASE_URL)");
        return;
    }
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let weak = json!({"current_password": PASSWORD, "new_password": "short"});
    assert_eq!(app.post_as(&token, "/me/password", &weak).await.status(), 422);
    let keys = || async {
        let rows = app
            .state
            .db
            .query_all_raw(Statement::from_string(app.state.db.get_database_backend(), "SELECT key FROM rate_limits"))
            .await
            .unwrap();
        let mut keys: Vec<String> = rows.iter().map(|row| row.try_get::<String>("", "key").unwrap()).collect();
        keys.sort();
        keys
    };
    let before = keys().await;
    assert!(before.iter().any(|key| key.starts_with("ip:")), "{before:?}");
    assert!(before.iter().any(|key| key.starts_with("password_hash:")), "{before:?}");
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let removed = api::rate_limit::prune_shared(&app.state.db).await.unwrap();
    assert!(removed >= 1);
    let after = keys().await;
    assert!(after.iter().all(|key| key.starts_with("ip:")), "only the counting per-IP key stays: {after:?}");
    assert!(!after.is_empty());
}
