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

/// Adds the second factor to `person` (confirmed with the code of this step, which ends the
/// session of `token`).
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

/// As if the authenticator's clock moved on a step: the codes of the current steps are new again.
/// (Each code is good once and the window is one step either side, so a test that needs a third
/// code would otherwise wait up to 30 seconds.)
async fn next_step_arrives(app: &TestApp, username: &str) {
    use api::entities::account;
    use sea_orm::sea_query::{Expr, ExprTrait};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    account::Entity::update_many()
        .col_expr(account::Column::TotpLastStep, Expr::col(account::Column::TotpLastStep).sub(2))
        .filter(account::Column::Username.eq(username))
        .exec(&app.state.db)
        .await
        .unwrap();
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
    // A new factor ends every session, this one included: the next login proves it.
    assert_eq!(app.get_as(&token, "/me").await.status(), 401);

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
    let fresh = response.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    let me: Value = app.get_as(&fresh, "/me").await.json().await.unwrap();
    assert_eq!(me["totp_enabled"], true);
    assert_eq!(app.post_as(&fresh, "/me/totp", &json!({"password": PASSWORD})).await.status(), 409);
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
    let authenticator = enrol(&app, &app.token_of(&person).await, PASSWORD).await;
    let response = app.post("/auth/login", &login_body(&person.username, PASSWORD, Some(&authenticator.code(1)))).await;
    let token = response.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    next_step_arrives(&app, &person.username).await;
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
    assert_eq!(app.get_as(&token, "/me").await.status(), 401, "every session ended");
    let token = app.login(&person.username, PASSWORD).await.access;
    assert_eq!(app.post_as(&token, "/me/totp/disable", &disable(PASSWORD, &authenticator.code(1))).await.status(), 409);
    assert_eq!(app.audit_count("totp_disabled").await, 1);
}

#[tokio::test]
async fn guessing_the_code_to_remove_the_second_factor_locks_like_guessing_a_password() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let authenticator = enrol(&app, &app.token_of(&person).await, PASSWORD).await;
    let response = app.post("/auth/login", &login_body(&person.username, PASSWORD, Some(&authenticator.code(1)))).await;
    let token = response.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    next_step_arrives(&app, &person.username).await;
    // The right password with a wrong code, five times: the fifth locks.
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let body = json!({"password": PASSWORD, "code": "000000"});
        statuses.push(app.post_as(&token, "/me/totp/disable", &body).await.status().as_u16());
    }
    assert_eq!(statuses, [422, 422, 422, 422, 423]);
    let body = json!({"password": PASSWORD, "code": authenticator.code(1)});
    assert_eq!(app.post_as(&token, "/me/totp/disable", &body).await.status(), 423);
    let me: Value = app.get_as(&token, "/me").await.json().await.unwrap();
    assert_eq!(me["totp_enabled"], true, "still on");
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
