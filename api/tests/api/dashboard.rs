//! 统计看板 (issue 15): every number equals the total of the review list it drills into; the
//! organisations below that still hold declarations are named; the longest waiting are listed.

use serde_json::Value;

use crate::helpers::*;

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{path}: {}", response.text().await.unwrap_or_default());
    response.json().await.unwrap()
}

/// Checks every count of the dashboard against its list; returns the dashboard.
async fn checked_dashboard(app: &TestApp, token: &str) -> Value {
    let dashboard = get(app, token, "/dashboard?year=2026").await;
    let everything = get(app, token, "/reviews?year=2026").await;
    assert_eq!(dashboard["total"], everything["total"]);
    for group in ["by_status", "by_series", "by_level", "by_org"] {
        let mut sum = 0;
        for entry in dashboard[group].as_array().unwrap() {
            let list = get(app, token, &format!("/reviews?{}", entry["drill"].as_str().unwrap())).await;
            assert_eq!(list["total"], entry["count"], "{group} {entry}");
            sum += entry["count"].as_i64().unwrap();
        }
        assert_eq!(sum, dashboard["total"].as_i64().unwrap(), "{group} adds up to the total");
    }
    dashboard
}

fn count(dashboard: &Value, group: &str, key: &str) -> i64 {
    dashboard[group]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == key)
        .map(|e| e["count"].as_i64().unwrap())
        .unwrap_or(0)
}

#[tokio::test]
async fn every_dashboard_number_equals_the_list_it_drills_into() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, _, pending) = app.submitted_declaration(&chain).await;
    let (_, _, approved) = app.submitted_declaration(&chain).await;
    let (_, _, reported) = app.submitted_declaration(&chain).await;
    let employer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    assert_eq!(app.approve(&employer, &approved).await.status(), 200);
    assert_eq!(app.approve(&employer, &reported).await.status(), 200);
    assert_eq!(app.report(&employer, &[&reported]).await.status(), 201);

    let mine = checked_dashboard(&app, &employer).await;
    assert_eq!(mine["total"], 3);
    assert_eq!(count(&mine, "by_status", "pending"), 1);
    assert_eq!(count(&mine, "by_status", "approved"), 1);
    assert_eq!(count(&mine, "by_status", "reported"), 1);
    assert_eq!(count(&mine, "by_series", "health"), 3);
    assert_eq!(count(&mine, "by_level", "intermediate"), 3);
    assert_eq!(count(&mine, "by_org", &chain.employer.id), 3);

    let authority = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    let theirs = checked_dashboard(&app, &authority).await;
    assert_eq!(theirs["total"], 1);
    // The employer below still holds two: one to review, one to report.
    let holders = theirs["holders"].as_array().unwrap();
    assert_eq!(holders.len(), 1);
    assert_eq!(holders[0]["org_id"], chain.employer.id.as_str());
    assert_eq!(holders[0]["pending"], 1);
    assert_eq!(holders[0]["approved"], 1);
    assert!(holders[0]["deadline"].is_string(), "the plan's employer deadline: {}", holders[0]);
    let waiting: Vec<&str> =
        theirs["waiting"].as_array().unwrap().iter().map(|w| w["declaration_id"].as_str().unwrap()).collect();
    // Only what reached the authority is named there: the two still at the employer are counts.
    assert_eq!(waiting, [reported.as_str()]);
    assert!(!theirs.to_string().contains(pending.as_str()), "a file that never reached it is not named");

    // The bureau has received nothing yet, but sees who below holds what.
    let bureau = app.login(&chain.bureau_reviewer, PASSWORD).await.access;
    let bureaus = checked_dashboard(&app, &bureau).await;
    assert_eq!(bureaus["total"], 0);
    let held: i64 = bureaus["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["pending"].as_i64().unwrap() + h["approved"].as_i64().unwrap())
        .sum();
    assert_eq!(held, 3);
    assert_eq!(bureaus["waiting"], serde_json::json!([]), "nothing reached the bureau, so nobody is named");

    assert_eq!(get(&app, &employer, "/dashboard?year=2025").await["total"], 0);
    let person = app.register_person().await;
    let person_token = app.token_of(&person).await;
    assert_eq!(app.get_as(&person_token, "/dashboard").await.status(), 403);
    assert_eq!(app.get_as(&employer, "/dashboard?year=99999").await.status(), 422);
}
