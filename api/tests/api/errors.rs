//! The error contract: problem+json everywhere, 405 on a known path, nothing internal leaked.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn malformed_json_and_wrong_content_type_are_problems() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/auth/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(problem(response).await["code"], "bad_request");

    let response = app.client.post(app.url("/auth/login")).body("account=a").send().await.unwrap();
    assert_eq!(response.status(), 415);
    assert_eq!(problem(response).await["code"], "unsupported_media_type");
}

#[tokio::test]
async fn a_wrong_type_names_the_field() {
    let app = spawn_app().await;
    let response = app.post("/auth/login", &json!({"account": 12, "password": "x"})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), vec!["/account"]);
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let app = spawn_app().await;
    let huge = "x".repeat(300 * 1024);
    let response = app.post("/auth/login", &json!({"account": huge, "password": "x"})).await;
    assert_eq!(response.status(), 413);
    assert_eq!(problem(response).await["code"], "payload_too_large");
}

#[tokio::test]
async fn a_known_path_with_the_wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/auth/login")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    assert_eq!(problem(response).await["code"], "method_not_allowed");

    let response = app.client.delete(app.url("/me")).send().await.unwrap();
    assert_eq!(response.status(), 405);
}

#[tokio::test]
async fn an_unknown_api_path_is_a_404_problem_not_the_spa() {
    let app = spawn_app().await;
    for path in ["/api/v1/nothing-here", "/api/v2/me", "/api/elsewhere"] {
        let response = app.client.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(problem(response).await["code"], "not_found");
    }
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_problems_repeat_it() {
    let app = spawn_app().await;
    let response = app.get("/me").await;
    assert_eq!(response.status(), 401);
    let header = response.headers()["x-request-id"].to_str().unwrap().to_string();
    let body = problem(response).await;
    assert_eq!(body["request_id"], header.as_str());
    assert_eq!(body["status"], 401);
    assert!(body["type"].as_str().unwrap().ends_with("/unauthenticated"));
    assert!(body["title"].is_string() && body["detail"].is_string());
}

#[tokio::test]
async fn security_headers_are_set() {
    let app = spawn_app().await;
    let response = app.client.get(format!("{}/", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
}

#[tokio::test]
async fn the_spa_is_served_with_history_fallback_when_built() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<html>spa shell</html>").unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/app.js"), "console.log(1)").unwrap();
    let static_dir = dir.path().to_path_buf();
    let app = spawn_app_with(|settings| settings.server.static_dir = static_dir).await;
    for path in ["/", "/declarations/123/progress"] {
        let body = app.client.get(format!("{}{path}", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(body.contains("spa shell"), "{path}");
    }
    let js = app.client.get(format!("{}/assets/app.js", app.address)).send().await.unwrap();
    assert!(js.headers()["content-type"].to_str().unwrap().contains("javascript"));
    let api = app.client.get(format!("{}/api/v1/unknown", app.address)).send().await.unwrap();
    assert_eq!(api.status(), 404);
}

#[tokio::test]
async fn auth_endpoints_are_rate_limited_per_client() {
    let app = spawn_app_with(|settings| {
        settings.rate_limit.auth_per_minute = 1;
        settings.rate_limit.auth_burst = 3;
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(app.post("/auth/password/forgot", &json!({"account": "nobody"})).await.status().as_u16());
    }
    assert_eq!(&statuses[..3], &[202, 202, 202]);
    let response = app.post("/auth/password/forgot", &json!({"account": "nobody"})).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(problem(response).await["code"], "too_many_requests");
}
