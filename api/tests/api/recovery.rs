//! 找回用户名/密码 by one-time SMS codes: single use, expiring, five tries.

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn a_reset_code_sets_a_new_password_once() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let old = app.login(&person.username, PASSWORD).await;
    let response = app.post("/auth/password/forgot", &json!({"account": person.id_number})).await;
    assert_eq!(response.status(), 202);
    let code = app.sms_code(&person.phone).await.expect("an SMS was sent");
    assert_eq!(code.len(), 6);

    let reset = json!({"account": person.username, "code": code, "new_password": "Fresh#2027"});
    assert_eq!(app.post("/auth/password/reset", &reset).await.status(), 204);
    app.login(&person.username, "Fresh#2027").await;
    // Old sessions are over.
    assert_eq!(app.get_as(&old.access, "/me").await.status(), 401);
    // The same code a second time does nothing.
    let again = json!({"account": person.username, "code": code, "new_password": "Other#2028"});
    let response = app.post("/auth/password/reset", &again).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), vec!["/code"]);
    app.login(&person.username, "Fresh#2027").await;
}

#[tokio::test]
async fn a_reset_code_allows_five_tries_then_is_burnt() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    app.post("/auth/password/forgot", &json!({"account": person.username})).await;
    let code = app.sms_code(&person.phone).await.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for attempt in 1..=5 {
        let response = app
            .post(
                "/auth/password/reset",
                &json!({"account": person.username, "code": wrong, "new_password": "Fresh#2027"}),
            )
            .await;
        assert_eq!(response.status(), 422, "attempt {attempt}");
    }
    let response = app
        .post("/auth/password/reset", &json!({"account": person.username, "code": code, "new_password": "Fresh#2027"}))
        .await;
    assert_eq!(response.status(), 422);
    assert!(problem(response).await["errors"][0]["message"].as_str().unwrap().contains("次数过多"));
    app.login(&person.username, PASSWORD).await;
}

#[tokio::test]
async fn a_reset_code_expires() {
    let app = spawn_app_with(|settings| settings.auth.otp_ttl_secs = 1).await;
    let person = app.register_person().await;
    app.post("/auth/password/forgot", &json!({"account": person.phone})).await;
    let code = app.sms_code(&person.phone).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let response = app
        .post("/auth/password/reset", &json!({"account": person.username, "code": code, "new_password": "Fresh#2027"}))
        .await;
    assert_eq!(response.status(), 422);
    app.login(&person.username, PASSWORD).await;
}

#[tokio::test]
async fn forgot_answers_the_same_for_unknown_accounts_and_sends_nothing() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let known: Value =
        app.post("/auth/password/forgot", &json!({"account": person.username})).await.json().await.unwrap();
    let unknown_response = app.post("/auth/password/forgot", &json!({"account": "ghost_user"})).await;
    assert_eq!(unknown_response.status(), 202);
    let unknown: Value = unknown_response.json().await.unwrap();
    assert_eq!(known, unknown);
}

#[tokio::test]
async fn codes_are_rate_limited_per_account() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    app.post("/auth/password/forgot", &json!({"account": person.username})).await;
    let first = app.sms_code(&person.phone).await.unwrap();
    // A second request within the minute sends nothing new; the first code still works.
    app.post("/auth/password/forgot", &json!({"account": person.username})).await;
    let count = {
        use api::entities::sms_outbox;
        use sea_orm::{EntityTrait, PaginatorTrait};
        sms_outbox::Entity::find().count(&app.state.db).await.unwrap()
    };
    assert_eq!(count, 1);
    let reset = json!({"account": person.username, "code": first, "new_password": "Fresh#2027"});
    assert_eq!(app.post("/auth/password/reset", &reset).await.status(), 204);
}

#[tokio::test]
async fn a_username_is_recovered_with_a_code_sent_to_the_phone() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    assert_eq!(app.post("/auth/username/forgot", &json!({"phone": person.phone})).await.status(), 202);
    let code = app.sms_code(&person.phone).await.unwrap();
    let wrong = app.post("/auth/username/recover", &json!({"phone": person.phone, "code": "12345"})).await;
    assert_eq!(wrong.status(), 422);
    let response = app.post("/auth/username/recover", &json!({"phone": person.phone, "code": code})).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["usernames"], json!([person.username]));
    let reused = app.post("/auth/username/recover", &json!({"phone": person.phone, "code": code})).await;
    assert_eq!(reused.status(), 422);
}

#[tokio::test]
async fn concurrent_guesses_of_a_code_get_five_tries_in_all() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    app.post("/auth/username/forgot", &json!({"phone": person.phone})).await;
    let code = app.sms_code(&person.phone).await.unwrap();
    let guesses = (0..20).map(|i| {
        let app = &app;
        let phone = person.phone.clone();
        let guess = format!("{:06}", (code.parse::<u32>().unwrap() + 1 + i) % 1_000_000);
        async move {
            let response = app.post("/auth/username/recover", &json!({"phone": phone, "code": guess})).await;
            problem(response).await["errors"][0]["message"].as_str().unwrap_or("").to_string()
        }
    });
    let messages = futures_util::future::join_all(guesses).await;
    let still_open = messages.iter().filter(|m| m.contains("还可尝试")).count();
    assert!(still_open <= 4, "{messages:?}");
    let right = app.post("/auth/username/recover", &json!({"phone": person.phone, "code": code})).await;
    assert_eq!(right.status(), 422, "the code is burnt after five tries");
}
