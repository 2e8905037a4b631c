//! Login and lockout: five failures lock for 15 minutes, and unknown accounts look the same.

use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn the_login_answer_has_the_fixed_shape() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let response = app.try_login(&person.username, PASSWORD).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["access_token"].as_str().unwrap().split('.').count() == 3);
    assert!(body["refresh_token"].as_str().unwrap().len() >= 40);
}

#[tokio::test]
async fn the_sixth_attempt_is_refused_even_with_the_right_password() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    for attempt in 1..=5 {
        let response = app.try_login(&person.username, "Wrong#Pass1").await;
        let expected = if attempt < 5 { 401 } else { 423 };
        assert_eq!(response.status(), expected, "attempt {attempt}");
    }
    let response = app.try_login(&person.username, PASSWORD).await;
    assert_eq!(response.status(), 423);
    assert!(response.headers()["retry-after"].to_str().unwrap().parse::<i64>().unwrap() > 800);
    let body = problem(response).await;
    assert_eq!(body["code"], "account_locked");
    assert!(body["detail"].as_str().unwrap().contains("锁定"));
    // The lock is on the account, whichever name is used to reach it.
    assert_eq!(app.try_login(&person.id_number, PASSWORD).await.status(), 423);
    assert_eq!(app.audit_count("account_locked").await, 1);
}

#[tokio::test]
async fn the_lock_lifts_after_its_time() {
    let app = spawn_app_with(|settings| settings.auth.lockout_minutes = 0).await;
    let person = app.register_person().await;
    for _ in 0..5 {
        app.try_login(&person.username, "Wrong#Pass1").await;
    }
    app.login(&person.username, PASSWORD).await;
}

#[tokio::test]
async fn an_unknown_account_is_indistinguishable_from_a_wrong_password() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..6 {
        let response = app.try_login(&person.username, "Wrong#Pass1").await;
        known.push((response.status(), strip(problem(response).await)));
        let response = app.try_login("nobody_here", "Wrong#Pass1").await;
        unknown.push((response.status(), strip(problem(response).await)));
    }
    assert_eq!(known, unknown);
    assert_eq!(known[0].0, 401);
    assert_eq!(known[5].0, 423);
}

#[tokio::test]
async fn every_spelling_of_a_phone_counts_towards_one_lock_whether_or_not_it_is_registered() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let spellings = |phone: &str| {
        let (a, b) = (&phone[..3], &phone[3..7]);
        [
            phone.to_string(),
            format!("+86{phone}"),
            format!("{a}-{b}-{}", &phone[7..]),
            format!("{a} {b} {}", &phone[7..]),
        ]
    };
    let mut answers = Vec::new();
    for phone in [person.phone.clone(), "13912345678".to_string()] {
        let mut statuses = Vec::new();
        for spelling in spellings(&phone).iter().cycle().take(6) {
            statuses.push(app.try_login(spelling, "Wrong#Pass1").await.status().as_u16());
        }
        answers.push(statuses);
    }
    assert_eq!(answers[0], [401, 401, 401, 401, 423, 423]);
    assert_eq!(answers[0], answers[1], "a registered phone and an unregistered one look the same");
}

fn strip(mut problem: Value) -> Value {
    problem.as_object_mut().unwrap().remove("request_id");
    let detail = problem["detail"].as_str().unwrap_or("").chars().filter(|c| !c.is_ascii_digit()).collect::<String>();
    problem["detail"] = Value::String(detail);
    problem
}

#[tokio::test]
async fn a_success_clears_earlier_failures() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    for _ in 0..4 {
        app.try_login(&person.username, "Wrong#Pass1").await;
    }
    app.login(&person.username, PASSWORD).await;
    for _ in 0..4 {
        assert_eq!(app.try_login(&person.username, "Wrong#Pass1").await.status(), 401);
    }
    app.login(&person.username, PASSWORD).await;
}

#[tokio::test]
async fn login_with_empty_fields_is_422() {
    let app = spawn_app().await;
    let response = app.try_login("", "").await;
    assert_eq!(response.status(), 422);
    let mut named = fields(&problem(response).await);
    named.sort();
    assert_eq!(named, ["/account", "/password"]);
}

#[tokio::test]
async fn a_burst_of_concurrent_guesses_evaluates_at_most_five() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let guesses = (0..16).map(|i| {
        let app = &app;
        let username = person.username.clone();
        async move { app.try_login(&username, &format!("Wrong#Pass{i}")).await.status().as_u16() }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let evaluated = statuses.iter().filter(|s| **s == 401).count();
    assert!(evaluated <= 4, "wrong passwords answered as such: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 401 || *s == 423), "{statuses:?}");
    assert_eq!(app.try_login(&person.username, PASSWORD).await.status(), 423);
}

#[tokio::test]
async fn guessing_the_current_password_counts_like_failed_logins() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    for attempt in 1..=5 {
        let response = app
            .post_as(
                &token,
                "/me/password",
                &serde_json::json!({"current_password": "Guess#0000", "new_password": "Better#2027"}),
            )
            .await;
        assert_eq!(response.status(), if attempt < 5 { 422 } else { 423 }, "attempt {attempt}");
    }
    assert_eq!(app.try_login(&person.username, PASSWORD).await.status(), 423);
    assert_eq!(app.audit_count("password_change_failed").await, 5);
}
