//! The second factor (动态口令): adding it, logging in with it, each code once, and removing it.

use serde_json::{Value, json};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::helpers::*;

/// The authenticator app of the test: codes of the step `offset` steps from now.
struct App(TOTP);

impl App {
    fn from(enrollment: &Value) -> Self {
        let secret = Secret::Encoded(enrollment["secret"].as_str().unwrap().to_string()).to_bytes().unwrap();
        Self(TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, secret, None, String::new()))
    }

    fn code(&self, offset: i64) -> String {
        let now = chrono::Utc::now().timestamp();
        self.0.generate((now + offset * 30) as u64)
    }
}

async fn enrol(app: &TestApp, token: &str, password: &str) -> App {
    let response = app.post_as(token, "/me/totp", &json!({"password": password})).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let enrollment: Value = response.json().await.unwrap();
    let authenticator = App::from(&enrollment);
    let confirm = app.post_as(token, "/me/totp/confirm", &json!({"code": authenticator.code(0)})).await;
    assert_eq!(confirm.status(), 204);
    authenticator
}

fn login_body(account: &str, password: &str, code: Option<&str>) -> Value {
    json!({"account": account, "password": password, "totp_code": code})
}

#[tokio::test]
async fn an_account_adds_a_second_factor_and_login_then_needs_a_code_each_good_once() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;

    // The current password first; the secret is not in force until a code confirms it.
    let response = app.post_as(&token, "/me/totp", &json!({"password": "Wrong#Pass1"})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["errors"][0]["field"], "/password");
    let enrollment: Value = app.post_as(&token, "/me/totp", &json!({"password": PASSWORD})).await.json().await.unwrap();
    let url = enrollment["otpauth_url"].as_str().unwrap();
    assert!(url.starts_with("otpauth://totp/") && url.contains(&person.username), "{url}");
    assert!(url.contains(enrollment["secret"].as_str().unwrap()));
    let me: Value = app.get_as(&token, "/me").await.json().await.unwrap();
    assert_eq!(me["totp_enabled"], false);
    app.login(&person.username, PASSWORD).await;

    let authenticator = App::from(&enrollment);
    let wrong = format!("{:06}", (authenticator.code(0).parse::<u32>().unwrap() + 1) % 1_000_000);
    let response = app.post_as(&token, "/me/totp/confirm", &json!({"code": wrong})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["errors"][0]["field"], "/code");
    let confirmed = authenticator.code(0);
    let response = app.post_as(&token, "/me/totp/confirm", &json!({"code": confirmed})).await;
    assert_eq!(response.status(), 204);
    let me: Value = app.get_as(&token, "/me").await.json().await.unwrap();
    assert_eq!(me["totp_enabled"], true);
    assert_eq!(app.post_as(&token, "/me/totp", &json!({"password": PASSWORD})).await.status(), 409);

    // The password alone no longer signs in; nor a wrong code, nor an old one, nor one used before.
    let response = app.try_login(&person.username, PASSWORD).await;
    assert_eq!((response.status().as_u16(), problem(response).await["code"].clone()), (401, json!("totp_required")));
    for code in [wrong.clone(), authenticator.code(-3), confirmed] {
        let response = app.post("/auth/login", &login_body(&person.username, PASSWORD, Some(&code))).await;
        assert_eq!((response.status().as_u16(), problem(response).await["code"].clone()), (401, json!("invalid_totp")));
    }
    // The next code signs in, once; a right code does not make a wrong password right.
    let next = authenticator.code(1);
    let response = app.post("/auth/login", &login_body(&person.id_number, PASSWORD, Some(&next))).await;
    assert_eq!(response.status(), 200);
    let response = app.post("/auth/login", &login_body(&person.username, PASSWORD, Some(&next))).await;
    assert_eq!((response.status().as_u16(), problem(response).await["code"].clone()), (401, json!("invalid_totp")));
    let response = app.post("/auth/login", &login_body(&person.username, "Wrong#Pass1", Some(&next))).await;
    assert_eq!(problem(response).await["code"], "invalid_credentials");
    assert_eq!(app.audit_count("totp_enabled").await, 1);
    assert_eq!(app.audit_count("login_totp_failed").await, 4);
}

#[tokio::test]
async fn wrong_codes_count_towards_the_lock() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let authenticator = enrol(&app, &app.token_of(&person).await, PASSWORD).await;
    for _ in 0..5 {
        app.post("/auth/login", &login_body(&person.username, PASSWORD, Some("000000"))).await;
    }
    let response = app.post("/auth/login", &login_body(&person.username, PASSWORD, Some(&authenticator.code(1)))).await;
    assert_eq!(response.status(), 423);
}

#[tokio::test]
async fn one_code_sent_twice_at_once_signs_in_once() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let authenticator = enrol(&app, &app.token_of(&person).await, PASSWORD).await;
    let body = login_body(&person.username, PASSWORD, Some(&authenticator.code(1)));
    let (first, second) = tokio::join!(app.post("/auth/login", &body), app.post("/auth/login", &body));
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 401]);
}

#[tokio::test]
async fn removing_the_second_factor_needs_the_password_and_a_code() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let authenticator = enrol(&app, &token, PASSWORD).await;
    let disable = |password: &str, code: &str| json!({"password": password, "code": code});

    let response = app.post_as(&token, "/me/totp/disable", &disable(PASSWORD, "12ab56")).await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["errors"][0]["field"], "/code");
    let response = app.post_as(&token, "/me/totp/disable", &disable("Wrong#Pass1", &authenticator.code(1))).await;
    assert_eq!(problem(response).await["errors"][0]["field"], "/password");
    let response = app.post_as(&token, "/me/totp/disable", &disable(PASSWORD, &authenticator.code(-3))).await;
    assert_eq!(problem(response).await["errors"][0]["field"], "/code");
    let me: Value = app.get_as(&token, "/me").await.json().await.unwrap();
    assert_eq!(me["totp_enabled"], true, "nothing changed");

    let response = app.post_as(&token, "/me/totp/disable", &disable(PASSWORD, &authenticator.code(1))).await;
    assert_eq!(response.status(), 204);
    app.login(&person.username, PASSWORD).await;
    assert_eq!(app.post_as(&token, "/me/totp/disable", &disable(PASSWORD, &authenticator.code(1))).await.status(), 409);
    assert_eq!(app.audit_count("totp_disabled").await, 1);
}

#[tokio::test]
async fn the_second_factor_endpoints_need_a_login_and_valid_bodies() {
    let app = spawn_app().await;
    for path in ["/me/totp", "/me/totp/confirm", "/me/totp/disable"] {
        assert_eq!(app.post(path, &json!({})).await.status(), 401, "{path}");
    }
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let response = app.post_as(&token, "/me/totp/confirm", &json!({"code": "123456"})).await;
    assert_eq!((response.status().as_u16(), problem(response).await["code"].clone()), (409, json!("totp_not_started")));
    let response = app.post("/auth/login", &login_body(&person.username, PASSWORD, Some("12 34"))).await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["errors"][0]["field"], "/totp_code");
    // A code sent for an account without a second factor is not needed, and not in the way.
    let response = app.post("/auth/login", &login_body(&person.username, PASSWORD, Some("123 456"))).await;
    assert_eq!(response.status(), 200);
}
