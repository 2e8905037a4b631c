//! The committed OpenAPI document is the generated one, and the docs are served offline.

use serde_json::Value;

use crate::helpers::*;

#[test]
fn the_committed_document_is_current() {
    let generated = api::openapi::document_json().unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == generated, "openapi/openapi.json is stale: run `make openapi` and commit the result");
}

#[tokio::test]
async fn the_document_is_served_and_lists_every_endpoint_with_its_problems() {
    let app = spawn_app().await;
    let document: Value = app.get("/openapi.json").await.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = document["paths"].as_object().unwrap();
    for path in ["/api/v1/auth/login", "/api/v1/auth/register/person", "/api/v1/me", "/api/v1/admin/orgs"] {
        assert!(paths.contains_key(path), "{path} missing");
    }
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('4')), "{method} {path} lists no 4xx");
        }
    }
    assert_eq!(document["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}

#[tokio::test]
async fn the_swagger_ui_is_served_from_the_binary() {
    let app = spawn_app().await;
    let page = app.client.get(format!("{}/api/docs/", app.address)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("swagger-ui"));
    let bundle = app.client.get(format!("{}/api/docs/swagger-ui-bundle.js", app.address)).send().await.unwrap();
    assert_eq!(bundle.status(), 200);
}
