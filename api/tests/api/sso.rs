//! Unified platform login against the test OpenID provider: what is stored, and expiry.

use std::collections::HashMap;

use api::entities::{sso_grant, sso_login};
use api::services::sso::SsoError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::oidc::{MockOidc, MockOidcConfig, NextLogin, free_port};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::*;

async fn app_with_sso() -> (MockOidc, TestApp) {
    app_with_sso_and(|_| {}).await
}

async fn app_with_sso_and(configure: impl FnOnce(&mut api::config::Settings)) -> (MockOidc, TestApp) {
    let oidc = MockOidc::start(MockOidcConfig::default()).await.unwrap();
    let port = free_port().unwrap();
    let app = spawn_app_with(|settings| {
        configure(settings);
        settings.server.port = port;
        settings.sso.issuer = Some(oidc.issuer.clone());
        settings.sso.client_id = Some(oidc.client_id.clone());
        settings.sso.client_secret = oidc.client_secret.clone();
        settings.sso.redirect_url = Some(format!("http://127.0.0.1:{port}/api/v1/auth/sso/callback"));
    })
    .await;
    (oidc, app)
}

/// GETs `url` (with the browser cookie, if any) and returns where the 302 points and any cookie set.
async fn go(app: &TestApp, url: &str, cookie: Option<&str>) -> (String, Option<String>) {
    let mut request = app.client.get(url);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 302, "GET {url}");
    let set_cookie =
        response.headers().get("set-cookie").and_then(|c| c.to_str().ok()?.split(';').next().map(str::to_string));
    (response.headers()["location"].to_str().unwrap().to_string(), set_cookie)
}

/// A request of the SPA in the browser holding `cookie` (same origin, so the cookie goes along).
async fn in_browser(request: reqwest::RequestBuilder, cookie: Option<&str>) -> reqwest::Response {
    match cookie {
        Some(cookie) => request.header("cookie", cookie),
        None => request,
    }
    .send()
    .await
    .unwrap()
}

async fn location_of(app: &TestApp, url: &str, cookie: Option<&str>) -> String {
    go(app, url, cookie).await.0
}

fn query(url: &str) -> HashMap<String, String> {
    let absolute = reqwest::Url::parse("http://spa.invalid").unwrap().join(url).unwrap();
    absolute.query_pairs().into_owned().collect()
}

/// Starts a login and lets the provider answer; returns (authorize URL, callback URL, browser cookie).
async fn to_callback(app: &TestApp, cookie: Option<&str>) -> (String, String, String) {
    let (authorize, set_cookie) = go(app, &app.url("/auth/sso/login?return_to=/x"), cookie).await;
    let cookie = set_cookie.expect("the login sets the browser cookie");
    let callback = location_of(app, &authorize, None).await;
    (authorize, callback, cookie)
}

async fn expire_everything(app: &TestApp) {
    let past = chrono::Utc::now() - chrono::Duration::seconds(1);
    sso_login::Entity::update_many()
        .col_expr(sso_login::Column::ExpiresAt, Expr::value(past))
        .filter(sso_login::Column::Id.is_not_null())
        .exec(&app.state.db)
        .await
        .unwrap();
    sso_grant::Entity::update_many()
        .col_expr(sso_grant::Column::ExpiresAt, Expr::value(past))
        .filter(sso_grant::Column::Id.is_not_null())
        .exec(&app.state.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_pending_login_keeps_only_a_hash_of_the_state_and_encrypted_secrets() {
    let (_oidc, app) = app_with_sso().await;
    let (authorize, cookie) = go(&app, &app.url("/auth/sso/login?return_to=https://evil.example/"), None).await;
    let browser = cookie.unwrap().trim_start_matches("zc_sso_browser=").to_string();
    let request = query(&authorize);
    let rows = sso_login::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.state_hash, hex::encode(Sha256::digest(request["state"].as_bytes())));
    assert_eq!(row.browser_hash, hex::encode(Sha256::digest(browser.as_bytes())));
    assert!(!row.nonce_enc.contains(&request["nonce"]));
    assert_eq!(app.state.crypto.decrypt(&row.nonce_enc).unwrap(), request["nonce"]);
    let verifier = app.state.crypto.decrypt(&row.pkce_verifier_enc).unwrap();
    assert_eq!(URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())), request["code_challenge"]);
    assert_eq!(row.return_to, "/", "a foreign return_to is dropped");
    let lifetime = row.expires_at - row.created_at;
    assert_eq!(lifetime.num_seconds(), app.state.settings.sso.login_ttl_secs);
}

#[tokio::test]
async fn a_login_that_comes_back_after_its_state_expired_is_refused() {
    let (oidc, app) = app_with_sso().await;
    let person = app.register_person().await;
    oidc.next_login(NextLogin::claims(json!({"sub": "s1", "name": "李护士", "id_number": person.id_number})));
    let (_, callback, cookie) = to_callback(&app, None).await;
    expire_everything(&app).await;
    assert_eq!(location_of(&app, &callback, Some(&cookie)).await, "/login?sso_error=state_expired");
    assert_eq!(app.audit_count("sso_login_failed").await, 1);
    assert_eq!(app.audit_count("sso_bind").await, 0);
}

#[tokio::test]
async fn a_login_code_is_stored_hashed_used_once_and_expires() {
    let (oidc, app) = app_with_sso().await;
    let person = app.register_person().await;
    for _ in 0..2 {
        oidc.next_login(NextLogin::claims(json!({"sub": "s1", "name": "李护士", "id_number": person.id_number})));
    }
    let (_, callback, cookie) = to_callback(&app, None).await;
    let landing = location_of(&app, &callback, Some(&cookie)).await;
    let code = query(&landing)["code"].clone();
    let grants = sso_grant::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].token_hash, hex::encode(Sha256::digest(code.as_bytes())));
    assert_eq!(grants[0].account_id.as_deref(), Some(person.id.as_str()));
    assert!((grants[0].expires_at - grants[0].created_at).num_seconds() <= 300);

    // An expired code is refused like an unknown one.
    expire_everything(&app).await;
    let exchange = |code: &str| app.client.post(app.url("/auth/sso/exchange")).json(&json!({ "code": code }));
    let response = in_browser(exchange(&code), Some(&cookie)).await;
    assert_eq!(response.status(), 401);
    assert_eq!(problem(response).await["code"], "invalid_login_code");

    // A fresh one works once, and only in the browser that made the login (login CSRF: the
    // attacker's code opened in a victim's browser signs nobody in, and is not used up by it).
    let (_, callback, cookie) = to_callback(&app, None).await;
    let code = query(&location_of(&app, &callback, Some(&cookie)).await)["code"].clone();
    let (_, _, other_browser) = to_callback(&app, None).await;
    for stranger in [None, Some(other_browser.as_str())] {
        let response = in_browser(exchange(&code), stranger).await;
        assert_eq!(response.status(), 401, "{stranger:?}");
        assert_eq!(problem(response).await["code"], "invalid_login_code");
    }
    let response = in_browser(exchange(&code), Some(&cookie)).await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["return_to"], "/x");
    let response = in_browser(exchange(&code), Some(&cookie)).await;
    assert_eq!(response.status(), 401);
    assert_eq!(app.audit_count("login_failed").await, 4);
}

#[tokio::test]
async fn an_expired_registration_ticket_is_refused() {
    let (oidc, app) = app_with_sso().await;
    oidc.next_login(NextLogin::claims(json!({"sub": "s2", "name": "王医生", "id_number": id_number(next())})));
    let (_, callback, cookie) = to_callback(&app, None).await;
    let ticket = query(&location_of(&app, &callback, Some(&cookie)).await)["ticket"].clone();
    let grant = sso_grant::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(grant.kind, "registration");
    assert!(!grant.identity_enc.clone().unwrap().contains("王医生"), "the identity is encrypted");
    let read = || app.client.get(app.url(&format!("/auth/sso/registration?ticket={ticket}")));
    assert!(in_browser(read(), Some(&cookie)).await.status().is_success());
    // Another browser cannot read it, or register with it.
    let body =
        json!({"ticket": ticket, "username": "wang_doctor", "password": "Doctor#Pass2026", "phone": phone(next())});
    let register = || app.client.post(app.url("/auth/sso/register")).json(&body);
    let response = in_browser(read(), None).await;
    assert_eq!((response.status().as_u16(), problem(response).await["code"].clone()), (422, json!("invalid_ticket")));
    let response = in_browser(register(), Some("zc_sso_browser=another-browser")).await;
    assert_eq!((response.status().as_u16(), problem(response).await["code"].clone()), (422, json!("invalid_ticket")));

    expire_everything(&app).await;
    let response = in_browser(read(), Some(&cookie)).await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["code"], "invalid_ticket");
    let response = in_browser(register(), Some(&cookie)).await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["code"], "invalid_ticket");
    assert_eq!(app.audit_count("register_person").await, 0);
}

#[tokio::test]
async fn two_logins_started_in_one_browser_can_both_finish() {
    let (oidc, app) = app_with_sso().await;
    for seq in [next(), next()] {
        oidc.next_login(NextLogin::claims(
            json!({"sub": format!("s{seq}"), "name": "王医生", "id_number": id_number(seq)}),
        ));
    }
    let (_, first, cookie) = to_callback(&app, None).await;
    let (_, second, same_cookie) = to_callback(&app, Some(&cookie)).await;
    assert_eq!(cookie, same_cookie, "the browser keeps its cookie");
    for callback in [second, first] {
        let landing = location_of(&app, &callback, Some(&cookie)).await;
        assert!(landing.starts_with("/sso/register?ticket="), "{landing}");
    }
}

#[tokio::test]
async fn the_binding_endpoints_need_a_login_and_answer_404_when_unbound() {
    let app = spawn_app().await;
    assert_eq!(app.get("/me/sso-binding").await.status(), 401);
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    assert_eq!(app.get_as(&token, "/me/sso-binding").await.status(), 404);
    assert_eq!(app.delete_as(&token, "/me/sso-binding").await.status(), 404);
    let config: Value = app.get("/auth/sso/config").await.json().await.unwrap();
    assert_eq!(config, json!({"enabled": false, "display_name": "山东省政务统一平台"}));
}

#[tokio::test]
async fn the_callback_documents_every_refusal_code() {
    let app = spawn_app().await;
    let document: Value = app.get("/openapi.json").await.json().await.unwrap();
    let description = document["paths"]["/api/v1/auth/sso/callback"]["get"]["description"].as_str().unwrap();
    for error in SsoError::ALL {
        assert!(description.contains(&format!("`{}`", error.code())), "{} is not documented", error.code());
    }
}

#[tokio::test]
async fn the_sso_migration_rolls_back_and_forward() {
    use migrations::{Migrator, MigratorTrait};
    let app = spawn_app().await;
    let db = &app.state.db;
    // Undo everything from the SSO migration on, whatever lands after it.
    let steps =
        Migrator::migrations().iter().rev().position(|m| m.name() == "m20261127_090000_create_sso").unwrap() + 1;
    Migrator::down(db, Some(steps as u32)).await.unwrap();
    assert!(sso_login::Entity::find().all(db).await.is_err(), "the tables are gone");
    Migrator::up(db, None).await.unwrap();
    assert!(sso_login::Entity::find().all(db).await.unwrap().is_empty());
    assert!(sso_grant::Entity::find().all(db).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_first_binding_ends_the_sessions_opened_before_by_password() {
    let (oidc, app) = app_with_sso().await;
    let person = app.register_person().await;
    let before = app.login(&person.username, &person.password).await;
    oidc.next_login(NextLogin::claims(json!({"sub": "s-bind", "name": "李护士", "id_number": person.id_number})));
    let (_, callback, cookie) = to_callback(&app, None).await;
    let code = query(&location_of(&app, &callback, Some(&cookie)).await)["code"].clone();
    assert_eq!(app.audit_count("sso_bind").await, 1);
    assert_eq!(app.get_as(&before.access, "/me").await.status(), 401);
    assert_eq!(app.post("/auth/refresh", &json!({"refresh_token": before.refresh})).await.status(), 401);
    // The platform login itself, and a password login after it, work.
    let exchange = app.client.post(app.url("/auth/sso/exchange")).json(&json!({ "code": code }));
    let tokens: Value = in_browser(exchange, Some(&cookie)).await.json().await.unwrap();
    assert_eq!(app.get_as(tokens["access_token"].as_str().unwrap(), "/me").await.status(), 200);
    let after = app.login(&person.username, &person.password).await;
    assert_eq!(app.get_as(&after.access, "/me").await.status(), 200);
}

#[tokio::test]
async fn with_a_user_type_claim_an_employer_credit_code_in_a_persons_token_does_not_make_her_org_admin() {
    let (oidc, app) = app_with_sso_and(|settings| {
        settings.sso.user_type_claim = "user_type".into();
        settings.sso.org_user_type = "2".into();
    })
    .await;
    let hospital = app.register_org("institution").await;
    let person = app.register_person().await;
    let signed_in_as = |claims: Value| {
        oidc.next_login(NextLogin::claims(claims));
        let app = &app;
        async move {
            let (_, callback, cookie) = to_callback(app, None).await;
            let landing = location_of(app, &callback, Some(&cookie)).await;
            let exchange =
                app.client.post(app.url("/auth/sso/exchange")).json(&json!({ "code": query(&landing)["code"] }));
            let tokens: Value = in_browser(exchange, Some(&cookie)).await.json().await.unwrap();
            let me: Value = app.get_as(tokens["access_token"].as_str().unwrap(), "/me").await.json().await.unwrap();
            me["username"].as_str().unwrap().to_string()
        }
    };
    // A natural person (type 1) whose token also names her employer's credit code.
    let nurse =
        json!({"sub": "p-1", "user_type": "1", "name": "李护士", "id_number": person.id_number, "uscc": hospital.uscc});
    assert_eq!(signed_in_as(nurse).await, person.username);
    // The legal person (type 2) of the hospital.
    let legal = json!({"sub": "l-1", "user_type": "2", "uscc": hospital.uscc, "org_name": hospital.name});
    assert_eq!(signed_in_as(legal).await, hospital.admin_username);
}

#[tokio::test]
async fn the_callback_keeps_the_browser_cookie_as_long_as_the_code_or_ticket_it_hands_out() {
    let (oidc, app) = app_with_sso().await;
    oidc.next_login(NextLogin::claims(json!({"sub": "s-ttl", "name": "王医生", "id_number": id_number(next())})));
    let (_, callback, cookie) = to_callback(&app, None).await;
    let response = app.client.get(&callback).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(response.status(), 302);
    let renewed = response.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(renewed.starts_with(&format!("{cookie};")), "the same browser: {renewed}");
    let ttl = app.state.settings.sso.ticket_ttl_secs.max(app.state.settings.sso.code_ttl_secs);
    assert!(renewed.contains(&format!("Max-Age={ttl}")), "{renewed}");
    assert!(renewed.contains("Path=/api/v1/auth/sso") && renewed.contains("HttpOnly"), "{renewed}");
}
