//! Login and lockout: five failures lock for 15 minutes, and unknown accounts look the same.

use serde_json::{Value, json};

use crate::helpers::*;

const REVIEWER_PASSWORD: &str = "Review#Desk2026";

/// A hospital's reviewer who also declares her own title: her person account, and a reviewer
/// account with the same ID number and phone but its own password. Returns the reviewer's username.
async fn reviewer_account_of(app: &TestApp, person: &Person) -> String {
    let org = app.register_org("institution").await;
    let token = app.org_token(&org).await;
    let username = format!("reviewer{}", next());
    let body = json!({"real_name": person.real_name, "id_number": person.id_number, "phone": person.phone,
                      "username": username, "password": REVIEWER_PASSWORD});
    let response = app.post_as(&token, "/org/reviewers", &body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap_or_default());
    username
}

async fn signed_in_as(app: &TestApp, account: &str, password: &str) -> String {
    let tokens = app.login(account, password).await;
    let me: Value = app.get_as(&tokens.access, "/me").await.json().await.unwrap();
    me["username"].as_str().unwrap().to_string()
}

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
    // Seconds pass between the two answers.
    problem.as_object_mut().unwrap().remove("retry_after");
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
                &serde_json::json!({"current_password": "Guess#0000", "new_password": "Better#Pass2027"}),
            )
            .await;
        assert_eq!(response.status(), if attempt < 5 { 422 } else { 423 }, "attempt {attempt}");
    }
    assert_eq!(app.try_login(&person.username, PASSWORD).await.status(), 423);
    assert_eq!(app.audit_count("password_change_failed").await, 5);
}

/// The example: her phone login stopped working once the second account existed.
#[tokio::test]
async fn one_human_with_two_accounts_signs_in_to_the_account_whose_password_matches() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let reviewer = reviewer_account_of(&app, &person).await;
    let phone_spelled = format!("+86 {}", person.phone);
    for name in [person.phone.as_str(), person.id_number.as_str(), phone_spelled.as_str()] {
        assert_eq!(signed_in_as(&app, name, PASSWORD).await, person.username, "{name}");
        assert_eq!(signed_in_as(&app, name, REVIEWER_PASSWORD).await, reviewer, "{name}");
    }
    // A wrong password answers as for any name: nothing says two accounts exist.
    let two = problem(app.try_login(&person.phone, "Wrong#Pass1").await).await;
    let none = problem(app.try_login("13912345670", "Wrong#Pass1").await).await;
    assert_eq!(strip(two), strip(none));
    // 找回用户名 names both.
    assert_eq!(app.post("/auth/username/forgot", &json!({"phone": person.phone})).await.status(), 202);
    let code = app.sms_code(&person.phone).await.unwrap();
    let response = app.post("/auth/username/recover", &json!({"phone": person.phone, "code": code})).await;
    let mut usernames: Vec<String> =
        serde_json::from_value(response.json::<Value>().await.unwrap()["usernames"].clone()).unwrap();
    usernames.sort();
    let mut expected = vec![person.username.clone(), reviewer.clone()];
    expected.sort();
    assert_eq!(usernames, expected);
}

/// Her wrong tries locked the other account: a try counts only against the accounts it was a
/// wrong password for.
#[tokio::test]
async fn lockouts_count_per_account_tried() {
    let app = spawn_app().await;
    // Six right logins to the reviewer account by phone lock nothing, the person account included.
    let person = app.register_person().await;
    let reviewer = reviewer_account_of(&app, &person).await;
    for attempt in 1..=6 {
        assert_eq!(app.try_login(&person.phone, REVIEWER_PASSWORD).await.status(), 200, "attempt {attempt}");
    }
    assert_eq!(signed_in_as(&app, &person.username, PASSWORD).await, person.username);
    // Four tries wrong for both, then the person's right password: that fifth try is not counted
    // against the reviewer account, which stays open.
    for _ in 0..4 {
        assert_eq!(app.try_login(&person.id_number, "Wrong#Pass1").await.status(), 401);
    }
    assert_eq!(signed_in_as(&app, &person.id_number, PASSWORD).await, person.username);
    assert_eq!(signed_in_as(&app, &reviewer, REVIEWER_PASSWORD).await, reviewer);

    // A password wrong for both, five times, counts against both: each is locked.
    let other = app.register_person().await;
    let other_reviewer = reviewer_account_of(&app, &other).await;
    let statuses: Vec<u16> = {
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(app.try_login(&other.phone, "Wrong#Pass1").await.status().as_u16());
        }
        statuses
    };
    assert_eq!(statuses, [401, 401, 401, 401, 423]);
    assert_eq!(app.try_login(&other.username, PASSWORD).await.status(), 423);
    assert_eq!(app.try_login(&other_reviewer, REVIEWER_PASSWORD).await.status(), 423);
}

#[tokio::test]
async fn a_failed_login_says_how_many_tries_are_left() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let twice = app.register_person().await;
    reviewer_account_of(&app, &twice).await;
    for name in [person.username.as_str(), "nobody_here", twice.phone.as_str()] {
        for left in (1..=4).rev() {
            let response = app.try_login(name, "Wrong#Pass1").await;
            assert_eq!(response.status(), 401, "{name}");
            let body = problem(response).await;
            assert_eq!(body["code"], "invalid_credentials");
            assert_eq!(body["remaining_attempts"], left, "{name}: {body}");
            assert!(body["detail"].as_str().unwrap().contains(&left.to_string()), "{body}");
        }
        let response = app.try_login(name, "Wrong#Pass1").await;
        assert_eq!(response.status(), 423, "{name}");
        let retry_after: i64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert_eq!(problem(response).await["retry_after"], retry_after);
    }
}
