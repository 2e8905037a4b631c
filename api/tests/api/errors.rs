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

/// Fast on a phone: the build's `.br`/`.gz` sidecars are sent as they are to a browser that takes
/// them, hashed assets are cached for a year, the shell is re-checked on every load, and a path
/// that climbs out of the build folder is answered with the shell, never a file outside it.
#[tokio::test]
async fn built_assets_are_sent_precompressed_and_the_shell_is_revalidated() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<html>spa shell</html>").unwrap();
    std::fs::write(dir.path().join("index.html.br"), b"brotli shell").unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/app-1a2b.js"), "console.log(1)").unwrap();
    std::fs::write(dir.path().join("assets/app-1a2b.js.gz"), b"gzip bytes").unwrap();
    std::fs::write(dir.path().join("assets/app-1a2b.js.br"), b"brotli bytes").unwrap();
    std::fs::write(dir.path().parent().unwrap().join("secret.txt"), "outside").ok();
    let static_dir = dir.path().to_path_buf();
    let app = spawn_app_with(|settings| settings.server.static_dir = static_dir).await;
    let get = |path: &str, accept: &str| {
        app.client.get(format!("{}{path}", app.address)).header("accept-encoding", accept.to_string()).send()
    };

    let br = get("/assets/app-1a2b.js", "gzip, deflate, br").await.unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(br.headers()["vary"], "Accept-Encoding");
    assert!(br.headers()["content-type"].to_str().unwrap().contains("javascript"));
    assert!(!br.headers().contains_key("content-disposition"));
    assert_eq!(br.bytes().await.unwrap().as_ref(), b"brotli bytes");

    let gz = get("/assets/app-1a2b.js", "gzip").await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gz.bytes().await.unwrap().as_ref(), b"gzip bytes");
    let refused = get("/assets/app-1a2b.js", "br;q=0, identity").await.unwrap();
    assert!(!refused.headers().contains_key("content-encoding"));
    assert_eq!(refused.text().await.unwrap(), "console.log(1)");

    for path in ["/", "/declarations/1/progress"] {
        let shell = get(path, "identity").await.unwrap();
        assert_eq!(shell.headers()["cache-control"], "no-cache", "{path}");
        assert_eq!(shell.text().await.unwrap(), "<html>spa shell</html>", "{path}");
    }
    let shell = get("/reviews", "br").await.unwrap();
    assert_eq!(shell.headers()["content-encoding"], "br");
    assert_eq!(shell.headers()["cache-control"], "no-cache");

    for escape in ["/assets/%2e%2e/%2e%2e/secret.txt", "/%2e%2e/secret.txt", "/assets/..%5C..%5Csecret.txt"] {
        let answer = get(escape, "identity").await.unwrap();
        assert_eq!(answer.text().await.unwrap(), "<html>spa shell</html>", "{escape}");
    }
    let post = app.client.post(format!("{}/assets/app-1a2b.js", app.address)).send().await.unwrap();
    assert_eq!(post.status(), 405);
}

#[tokio::test]
async fn auth_endpoints_are_rate_limited_per_client() {
    let app = spawn_app_with(|settings| {
        settings.rate_limit.auth_per_minute = 1;
        settings.rate_limit.auth_burst = 3;
    })
    .await;
    // A different name each time: asking again for one name within the minute is refused on its own
    // (`code_requested_too_soon`), and this is about the limit per client.
    let mut statuses = Vec::new();
    for i in 0..5 {
        let body = json!({"account": format!("nobody{i}")});
        statuses.push(app.post("/auth/password/forgot", &body).await.status().as_u16());
    }
    assert_eq!(&statuses[..3], &[202, 202, 202]);
    let response = app.post("/auth/password/forgot", &json!({"account": "nobody9"})).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(problem(response).await["code"], "too_many_requests");
}

/// Behind a trusted balancer the per-IP limit counts the client it forwards for, not the
/// balancer; a client cannot escape the limit by writing `X-Forwarded-For` itself.
#[tokio::test]
async fn the_per_ip_limit_counts_the_forwarded_client_only_behind_a_trusted_proxy() {
    async fn forgot(app: &TestApp, forwarded_for: &str, i: u32) -> reqwest::Result<reqwest::Response> {
        app.client
            .post(app.url("/auth/password/forgot"))
            .header("x-forwarded-for", forwarded_for)
            .json(&json!({"account": format!("nobody{i}")}))
            .send()
            .await
    }
    let behind = spawn_app_with(|settings| {
        settings.rate_limit.auth_per_minute = 1;
        settings.rate_limit.auth_burst = 1;
        settings.server.trusted_proxy_ips = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    // The client wrote the first entry; the balancer appended the address it saw.
    assert_eq!(forgot(&behind, "6.6.6.6, 203.0.113.7", 1).await.unwrap().status(), 202);
    assert_eq!(forgot(&behind, "7.7.7.7, 203.0.113.7", 2).await.unwrap().status(), 429, "same client");
    assert_eq!(forgot(&behind, "203.0.113.8", 3).await.unwrap().status(), 202, "another client");
    // Junk the client wrote on the left neither hides it behind the balancer nor frees it.
    assert_eq!(forgot(&behind, "not-an-address, 203.0.113.7", 4).await.unwrap().status(), 429, "junk on the left");
    assert_eq!(forgot(&behind, "unknown, 203.0.113.9", 5).await.unwrap().status(), 202, "its own address counts");
    assert_eq!(forgot(&behind, "unknown, 203.0.113.9", 6).await.unwrap().status(), 429, "and counts again");

    let exposed = spawn_app_with(|settings| {
        settings.rate_limit.auth_per_minute = 1;
        settings.rate_limit.auth_burst = 1;
    })
    .await;
    assert_eq!(forgot(&exposed, "203.0.113.7", 1).await.unwrap().status(), 202);
    assert_eq!(forgot(&exposed, "203.0.113.8", 2).await.unwrap().status(), 429, "the header is not believed");
}
