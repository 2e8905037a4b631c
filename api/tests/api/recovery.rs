//! 找回用户名/密码 by one-time SMS codes: single use, expiring, five tries.

use api::entities::one_time_code;
use sea_orm::EntityTrait;
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
    let again = json!({"account": person.username, "code": code, "new_password": "Other#Pass2028"});
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
    assert_eq!(problem(response).await["errors"][0]["field"], "/code", "the right code is burnt");
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

    // A wrong code for the real account, and any code for a made-up one, get the same answer,
    // and so do the username recovery of a registered phone and of an unregistered one.
    let reset = |account: &str| json!({"account": account, "code": "000000", "new_password": "Fresh#2027"});
    let mut answers = Vec::new();
    for account in [person.username.as_str(), "ghost_user", person.username.as_str()] {
        let response = app.post("/auth/password/reset", &reset(account)).await;
        answers.push((response.status().as_u16(), without_request_id(problem(response).await)));
    }
    // The same work behind each answer too: every refused reset is audited, the made-up one included.
    assert_eq!(app.audit_count("password_reset").await, 3);
    app.post("/auth/username/forgot", &json!({"phone": person.phone})).await;
    for phone in [person.phone.as_str(), "13900000000"] {
        let response = app.post("/auth/username/recover", &json!({"phone": phone, "code": "000000"})).await;
        answers.push((response.status().as_u16(), without_request_id(problem(response).await)));
    }
    assert!(answers.iter().all(|answer| *answer == answers[0]), "{answers:#?}");
}

fn without_request_id(mut problem: Value) -> Value {
    problem.as_object_mut().unwrap().remove("request_id");
    problem
}

#[tokio::test]
async fn codes_are_rate_limited_per_account() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    app.post("/auth/password/forgot", &json!({"account": person.username})).await;
    let first = app.sms_code(&person.phone).await.unwrap();
    // A second request within the minute sends nothing new; the first code still works.
    let again = app.post("/auth/password/forgot", &json!({"account": person.username})).await;
    assert_eq!(again.status(), 429);
    app.sms_sent().await;
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
        async move { app.post("/auth/username/recover", &json!({"phone": phone, "code": guess})).await.status() }
    });
    let answers = futures_util::future::join_all(guesses).await;
    assert!(answers.iter().all(|status| *status == 422), "{answers:?}");
    let counted: Vec<i32> =
        one_time_code::Entity::find().all(&app.state.db).await.unwrap().iter().map(|c| c.attempts).collect();
    assert_eq!(counted, [5], "five tries counted, no more");
    let right = app.post("/auth/username/recover", &json!({"phone": person.phone, "code": code})).await;
    assert_eq!(right.status(), 422, "the code is burnt after five tries");
}

/// A throttled request answered "验证码已发送" although nothing was sent: it is 429 and says when
/// the next code may be asked for, for a known account, an unknown one and a username recovery alike.
#[tokio::test]
async fn a_code_asked_for_too_soon_is_refused_with_when_to_ask_again() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let cases = [
        ("/auth/password/forgot", json!({"account": person.username})),
        ("/auth/password/forgot", json!({"account": "ghost_user"})),
        ("/auth/username/forgot", json!({"phone": person.phone})),
    ];
    for (path, body) in &cases {
        assert_eq!(app.post(path, body).await.status(), 202, "{path} {body}");
        let response = app.post(path, body).await;
        assert_eq!(response.status(), 429, "{path} {body}");
        let retry_after: i64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry_after), "{retry_after}");
        let problem = problem(response).await;
        assert_eq!(problem["code"], "code_requested_too_soon");
        assert_eq!(problem["retry_after"], retry_after);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("未发送") && detail.contains("秒后"), "{detail}");
        assert!(!detail.contains("已发送"), "{detail}");
    }
    app.sms_sent().await;
    use api::entities::sms_outbox;
    use sea_orm::PaginatorTrait;
    assert_eq!(sms_outbox::Entity::find().count(&app.state.db).await.unwrap(), 2, "one text per known request");
}

/// The median of `samples` in milliseconds.
fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Asserts two medians differ by less than the noise: 2 ms, or half the smaller one.
fn assert_same_time(what: &str, known: Vec<f64>, unknown: Vec<f64>) {
    let (known, unknown) = (median(known), median(unknown));
    let allowed = f64::max(2.0, known.min(unknown) / 2.0);
    assert!((known - unknown).abs() < allowed, "{what}: known {known:.2} ms vs unknown {unknown:.2} ms");
}

async fn timed(app: &TestApp, path: &str, body: Value) -> f64 {
    let started = std::time::Instant::now();
    let response = app.post(path, &body).await;
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(response.status(), 202, "{path} {body}");
    elapsed
}

/// forgot-password and forgot-username took 8 vs 3.5 ms and 9.8 vs 6.4 ms for a known vs an
/// unknown account. The same work is done either way (a code, a queued text, an audit row), so
/// the medians of 30 tries differ by less than the noise, and the rows written are the same.
#[tokio::test]
async fn recovery_takes_the_same_time_and_work_for_known_and_unknown_accounts() {
    const TRIES: usize = 30;
    let app = spawn_app().await;
    let mut people = Vec::new();
    for _ in 0..TRIES {
        people.push(app.register_person().await);
    }
    // Warm up connections and caches on both paths.
    timed(&app, "/auth/password/forgot", json!({"account": format!("warm_{}", next())})).await;
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    let (mut known_phone, mut unknown_phone) = (Vec::new(), Vec::new());
    for (i, person) in people.iter().enumerate() {
        // Interleaved, and each name asked once, so no request is throttled.
        let ghost = format!("ghost_{i}_{}", next());
        if i % 2 == 0 {
            known.push(timed(&app, "/auth/password/forgot", json!({"account": person.username})).await);
            unknown.push(timed(&app, "/auth/password/forgot", json!({"account": ghost})).await);
        } else {
            unknown.push(timed(&app, "/auth/password/forgot", json!({"account": ghost})).await);
            known.push(timed(&app, "/auth/password/forgot", json!({"account": person.username})).await);
        }
        let nobody = phone(next());
        known_phone.push(timed(&app, "/auth/username/forgot", json!({"phone": person.phone})).await);
        unknown_phone.push(timed(&app, "/auth/username/forgot", json!({"phone": nobody})).await);
    }
    assert_same_time("forgot password", known, unknown);
    assert_same_time("forgot username", known_phone, unknown_phone);

    // Structurally the same: every request, known or not, wrote one code and queued one text.
    use api::entities::{job, one_time_code};
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let requests = (4 * TRIES + 1) as u64;
    assert_eq!(one_time_code::Entity::find().count(&app.state.db).await.unwrap(), requests);
    let queued = job::Entity::find().filter(job::Column::Kind.eq(api::services::sms::SEND)).count(&app.state.db);
    assert_eq!(queued.await.unwrap(), requests);
    assert_eq!(app.audit_count("password_reset_requested").await, 2 * TRIES + 1);
    assert_eq!(app.audit_count("username_recovery_requested").await, 2 * TRIES);
}
