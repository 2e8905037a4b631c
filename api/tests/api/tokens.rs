//! Access tokens are checked strictly; refresh tokens rotate, and a reused one revokes its family.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::*;

const SECRET: &[u8] = b"integration-test-secret-of-at-least-32-chars";

fn forge(claims: Value, secret: &[u8]) -> String {
    encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret)).unwrap()
}

fn claims(sub: &str, sid: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "sub": sub, "iss": "zhicheng", "aud": "zhicheng-api", "exp": now + 600, "nbf": now - 1,
        "iat": now, "iat_ms": chrono::Utc::now().timestamp_millis(), "jti": "x", "typ": "access", "sid": sid,
    })
}

/// The claims of a real access token.
fn payload(token: &str) -> Value {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    serde_json::from_slice(&engine.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

/// The session of a fresh login of `person`.
async fn session_of(app: &TestApp, person: &Person) -> String {
    payload(&app.token_of(person).await)["sid"].as_str().expect("sid").to_string()
}

#[tokio::test]
async fn a_token_made_the_right_way_is_accepted_which_validates_the_forgeries_below() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let sid = session_of(&app, &person).await;
    let token = forge(claims(&person.id, &sid), SECRET);
    assert_eq!(app.get_as(&token, "/me").await.status(), 200);
}

#[tokio::test]
async fn expired_tampered_unsigned_and_misaddressed_tokens_are_401() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let real = app.token_of(&person).await;
    let sid = payload(&real)["sid"].as_str().unwrap().to_string();
    let claims = |sub: &str| claims(sub, &sid);
    let now = chrono::Utc::now().timestamp();

    let mut expired = claims(&person.id);
    expired["exp"] = json!(now - 120);
    let mut not_yet = claims(&person.id);
    not_yet["nbf"] = json!(now + 600);
    let mut wrong_audience = claims(&person.id);
    wrong_audience["aud"] = json!("someone-else");
    let mut wrong_issuer = claims(&person.id);
    wrong_issuer["iss"] = json!("evil");
    let mut refresh_typed = claims(&person.id);
    refresh_typed["typ"] = json!("refresh");
    let mut without_sid = claims(&person.id);
    without_sid.as_object_mut().unwrap().remove("sid");

    let mut parts: Vec<String> = real.split('.').map(str::to_string).collect();
    let tampered_payload = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut payload: Value = serde_json::from_slice(&engine.decode(&parts[1]).unwrap()).unwrap();
        payload["sub"] = json!("00000000-0000-0000-0000-000000000000");
        engine.encode(payload.to_string())
    };
    parts[1] = tampered_payload.clone();
    let tampered = parts.join(".");
    let unsigned = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = engine.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let payload = engine.encode(claims(&person.id).to_string());
        format!("{header}.{payload}.")
    };

    let cases = [
        ("expired", forge(expired, SECRET)),
        ("not yet valid", forge(not_yet, SECRET)),
        ("wrong audience", forge(wrong_audience, SECRET)),
        ("wrong issuer", forge(wrong_issuer, SECRET)),
        ("wrong type", forge(refresh_typed, SECRET)),
        ("other secret", forge(claims(&person.id), b"another-secret-another-secret-another")),
        ("made-up session", forge(self::claims(&person.id, "00000000-0000-0000-0000-000000000000"), SECRET)),
        ("no session", forge(without_sid, SECRET)),
        ("tampered", tampered),
        ("alg none", unsigned),
        ("garbage", "not.a.token".to_string()),
    ];
    for (name, token) in cases {
        let response = app.get_as(&token, "/me").await;
        assert_eq!(response.status(), 401, "{name}");
        assert_eq!(problem(response).await["code"], "invalid_token", "{name}");
    }
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_revokes_the_family() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let first = app.login(&person.username, PASSWORD).await;

    let rotated: Value =
        app.post("/auth/refresh", &json!({"refresh_token": first.refresh})).await.json().await.unwrap();
    let second = rotated["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second, first.refresh);
    assert_eq!(app.get_as(rotated["access_token"].as_str().unwrap(), "/me").await.status(), 200);

    // The first token again: a replay. The whole family dies, including the newer token.
    let replay = app.post("/auth/refresh", &json!({"refresh_token": first.refresh})).await;
    assert_eq!(replay.status(), 401);
    assert_eq!(problem(replay).await["code"], "refresh_token_reused");
    let after = app.post("/auth/refresh", &json!({"refresh_token": second})).await;
    assert_eq!(after.status(), 401);
    assert_eq!(app.audit_count("refresh_token_reuse").await, 1);

    // Another session of the same person is untouched.
    let other = app.login(&person.username, PASSWORD).await;
    assert_eq!(app.post("/auth/refresh", &json!({"refresh_token": other.refresh})).await.status(), 200);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let tokens = app.login(&person.username, PASSWORD).await;
    assert_eq!(app.post("/auth/logout", &json!({"refresh_token": tokens.refresh})).await.status(), 204);
    assert_eq!(app.post("/auth/refresh", &json!({"refresh_token": tokens.refresh})).await.status(), 401);
    assert_eq!(app.post("/auth/logout", &json!({"refresh_token": tokens.refresh})).await.status(), 204);
}

#[tokio::test]
async fn changing_the_password_ends_every_session() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let tokens = app.login(&person.username, PASSWORD).await;
    let response = app
        .post_as(
            &tokens.access,
            "/me/password",
            &json!({"current_password": PASSWORD, "new_password": "Better#Pass2027"}),
        )
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(app.get_as(&tokens.access, "/me").await.status(), 401);
    assert_eq!(app.post("/auth/refresh", &json!({"refresh_token": tokens.refresh})).await.status(), 401);
    assert_eq!(app.try_login(&person.username, PASSWORD).await.status(), 401);
    app.login(&person.username, "Better#Pass2027").await;
}

#[tokio::test]
async fn a_password_change_checks_the_current_one_and_the_policy() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let wrong = app
        .post_as(&token, "/me/password", &json!({"current_password": "Nope#1234", "new_password": "Better#Pass2027"}))
        .await;
    assert_eq!(fields(&problem(wrong).await), vec!["/current_password"]);
    let weak =
        app.post_as(&token, "/me/password", &json!({"current_password": PASSWORD, "new_password": "weak"})).await;
    assert_eq!(fields(&problem(weak).await), vec!["/new_password"]);
}

#[tokio::test]
async fn a_disabled_organisation_gets_no_new_tokens() {
    use api::entities::org;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let session = app.login(&hospital.admin_username, &hospital.password).await;
    org::ActiveModel { id: Set(hospital.id.clone()), status: Set("disabled".into()), ..Default::default() }
        .update(&app.state.db)
        .await
        .unwrap();
    assert_eq!(app.post("/auth/refresh", &json!({"refresh_token": session.refresh})).await.status(), 401);
    assert_eq!(app.get_as(&session.access, "/me").await.status(), 401);
    // Enabled again, the old session stays ended.
    org::ActiveModel { id: Set(hospital.id.clone()), status: Set("active".into()), ..Default::default() }
        .update(&app.state.db)
        .await
        .unwrap();
    assert_eq!(app.post("/auth/refresh", &json!({"refresh_token": session.refresh})).await.status(), 401);
}

async fn refreshed(app: &TestApp, refresh: &str) -> reqwest::Response {
    app.post("/auth/refresh", &json!({"refresh_token": refresh})).await
}

/// The issue's example: an access token lived 15 minutes after logout.
#[tokio::test]
async fn logout_ends_the_access_token_too() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let tokens = app.login(&person.username, PASSWORD).await;
    let other = app.login(&person.username, PASSWORD).await;
    assert_eq!(app.get_as(&tokens.access, "/me").await.status(), 200);
    assert_eq!(app.post("/auth/logout", &json!({"refresh_token": tokens.refresh})).await.status(), 204);
    let response = app.get_as(&tokens.access, "/me").await;
    assert_eq!(response.status(), 401);
    assert_eq!(problem(response).await["code"], "invalid_token");
    // A token rotated before the logout ends with it as well; the other login goes on.
    let session = app.login(&person.username, PASSWORD).await;
    let rotated: Value = refreshed(&app, &session.refresh).await.json().await.unwrap();
    assert_eq!(app.post("/auth/logout", &json!({"refresh_token": rotated["refresh_token"]})).await.status(), 204);
    assert_eq!(app.get_as(&session.access, "/me").await.status(), 401);
    assert_eq!(app.get_as(rotated["access_token"].as_str().unwrap(), "/me").await.status(), 401);
    assert_eq!(app.get_as(&other.access, "/me").await.status(), 200);
}

/// A reused refresh token ends the session's access tokens, the thief's and the holder's.
#[tokio::test]
async fn a_reused_refresh_token_ends_the_sessions_access_tokens() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let first = app.login(&person.username, PASSWORD).await;
    let rotated: Value = refreshed(&app, &first.refresh).await.json().await.unwrap();
    let newer_access = rotated["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get_as(&newer_access, "/me").await.status(), 200);
    assert_eq!(refreshed(&app, &first.refresh).await.status(), 401);
    for (name, access) in [("the first", &first.access), ("the rotated", &newer_access)] {
        assert_eq!(app.get_as(access, "/me").await.status(), 401, "{name} access token");
    }
}

/// Refreshing every few minutes kept a session alive forever; now it ends 12 hours after login.
#[tokio::test]
async fn refreshing_cannot_keep_a_session_alive_past_its_absolute_end() {
    let app = spawn_app_with(|settings| settings.auth.session_max_secs = 12 * 3600).await;
    let person = app.register_person().await;
    let mut tokens = app.login(&person.username, PASSWORD).await;
    let step = chrono::Duration::minutes(10);
    let mut elapsed = chrono::Duration::zero();
    // Every ten minutes for twelve hours the session refreshes and its access token works...
    while elapsed + step < chrono::Duration::hours(12) {
        app.state.clock.advance(step);
        elapsed += step;
        let response = refreshed(&app, &tokens.refresh).await;
        assert_eq!(response.status(), 200, "after {elapsed}");
        let body: Value = response.json().await.unwrap();
        tokens = Tokens {
            access: body["access_token"].as_str().unwrap().into(),
            refresh: body["refresh_token"].as_str().unwrap().into(),
        };
        assert_eq!(app.get_as(&tokens.access, "/me").await.status(), 200, "after {elapsed}");
    }
    // ...and then it is over: neither the last access token nor the last refresh token works.
    app.state.clock.advance(step);
    assert_eq!(app.get_as(&tokens.access, "/me").await.status(), 401);
    let response = refreshed(&app, &tokens.refresh).await;
    assert_eq!(response.status(), 401);
    assert_eq!(problem(response).await["code"], "session_expired");
    // A new login is a new session.
    let fresh = app.login(&person.username, PASSWORD).await;
    assert_eq!(app.get_as(&fresh.access, "/me").await.status(), 200);
}

/// The absolute end is a setting (`APP__AUTH__SESSION_MAX_SECS`), and the idle end still holds.
#[tokio::test]
async fn the_absolute_and_idle_ends_of_a_session_are_settings() {
    let app = spawn_app_with(|settings| {
        settings.auth.session_max_secs = 3600;
        settings.auth.refresh_ttl_secs = 1200;
    })
    .await;
    let person = app.register_person().await;
    let tokens = app.login(&person.username, PASSWORD).await;
    app.state.clock.advance(chrono::Duration::minutes(50));
    // Idle for 50 minutes: past the idle end.
    assert_eq!(refreshed(&app, &tokens.refresh).await.status(), 401);
    let tokens = app.login(&person.username, PASSWORD).await;
    let mut refresh = tokens.refresh;
    for _ in 0..5 {
        app.state.clock.advance(chrono::Duration::minutes(11));
        let body: Value = refreshed(&app, &refresh).await.json().await.unwrap();
        refresh = body["refresh_token"].as_str().expect("refreshed within the hour").into();
    }
    app.state.clock.advance(chrono::Duration::minutes(11));
    assert_eq!(refreshed(&app, &refresh).await.status(), 401, "an hour after login");
}
