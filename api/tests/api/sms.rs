//! Texts through the outbox: an HTTP gateway that fails, times out and succeeds (each text
//! delivered once), crashes that lose nothing, two workers that never send one text twice,
//! per-phone daily caps, the signature, the person's preference, and a code request that never
//! waits on the gateway.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use api::entities::{job, sms_delivery, sms_outbox};
use api::jobs::{JobContext, Runner, kinds};
use api::services::sms;
use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use serde_json::{Value, json};

use crate::helpers::*;

/// How the fake gateway answers one call.
#[derive(Clone, Copy, Debug)]
enum Answer {
    Fail,
    /// Waits this long, then accepts.
    Slow(u64),
    Accept,
}

/// A local SMS gateway that answers by a script (then accepts), recording every call.
#[derive(Clone)]
struct FakeGateway {
    url: String,
    script: Arc<Mutex<VecDeque<Answer>>>,
    /// Every call, in order, with whether it was accepted (answered 200).
    calls: Arc<Mutex<Vec<(Value, bool)>>>,
    /// Calls that arrived (before any answer).
    arrived: Arc<Mutex<usize>>,
}

impl FakeGateway {
    async fn start(script: Vec<Answer>) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/send", listener.local_addr().unwrap());
        let gateway = Self {
            url,
            script: Arc::new(Mutex::new(script.into())),
            calls: Arc::new(Mutex::new(Vec::new())),
            arrived: Arc::new(Mutex::new(0)),
        };
        let shared = gateway.clone();
        let server = HttpServer::new(move || {
            let gateway = shared.clone();
            App::new().route(
                "/send",
                web::post().to(move |body: web::Json<Value>| {
                    let gateway = gateway.clone();
                    async move {
                        *gateway.arrived.lock().unwrap() += 1;
                        let answer = gateway.script.lock().unwrap().pop_front().unwrap_or(Answer::Accept);
                        let accepted = match answer {
                            Answer::Fail => false,
                            Answer::Slow(ms) => {
                                tokio::time::sleep(StdDuration::from_millis(ms)).await;
                                true
                            }
                            Answer::Accept => true,
                        };
                        gateway.calls.lock().unwrap().push((body.into_inner(), accepted));
                        if accepted {
                            HttpResponse::Ok().json(json!({"result": "ok"}))
                        } else {
                            HttpResponse::ServiceUnavailable().finish()
                        }
                    }
                }),
            )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        gateway
    }

    fn accepted(&self) -> Vec<Value> {
        self.calls.lock().unwrap().iter().filter(|(_, ok)| *ok).map(|(body, _)| body.clone()).collect()
    }

    fn calls(&self) -> usize {
        self.calls.lock().unwrap().len()
    }

    fn arrived(&self) -> usize {
        *self.arrived.lock().unwrap()
    }
}

/// An app sending through `gateway`, retrying at once, whose worker the test drives by hand.
async fn app_with_gateway(gateway: &FakeGateway, timeout_ms: u64) -> TestApp {
    let url = gateway.url.clone();
    spawn_app_with(move |settings| {
        settings.jobs.enabled = false;
        settings.jobs.retry_base_secs = 0;
        settings.sms.gateway = "http".into();
        settings.sms.http_url = Some(url);
        settings.sms.timeout_ms = timeout_ms;
    })
    .await
}

fn runner(app: &TestApp) -> Runner {
    Runner::new(app.state.clone(), kinds::registry())
}

async fn sms_job(app: &TestApp) -> job::Model {
    job::Entity::find().filter(job::Column::Kind.eq(sms::SEND)).one(&app.state.db).await.unwrap().unwrap()
}

async fn deliveries(app: &TestApp, status: &str) -> u64 {
    sms_delivery::Entity::find().filter(sms_delivery::Column::Status.eq(status)).count(&app.state.db).await.unwrap()
}

async fn outbox_count(app: &TestApp) -> u64 {
    sms_outbox::Entity::find().count(&app.state.db).await.unwrap()
}

#[tokio::test]
async fn a_gateway_that_fails_twice_then_succeeds_delivers_the_text_once() {
    let gateway = FakeGateway::start(vec![Answer::Fail, Answer::Fail]).await;
    let app = app_with_gateway(&gateway, 2000).await;
    let person = app.register_person().await;
    let response = app.post("/auth/password/forgot", &json!({"account": person.username})).await;
    assert_eq!(response.status(), 202);
    assert_eq!(gateway.calls(), 0, "the request does not call the gateway");

    assert_eq!(runner(&app).drain().await.unwrap(), 3);
    let calls = gateway.calls.lock().unwrap().clone();
    assert_eq!(calls.iter().map(|(_, ok)| *ok).collect::<Vec<_>>(), vec![false, false, true]);
    // One text, one id for all three tries (the gateway can tell a repeat), signed, to the phone.
    let ids: Vec<&Value> = calls.iter().map(|(body, _)| &body["id"]).collect();
    assert!(ids.iter().all(|id| *id == ids[0]));
    let accepted = gateway.accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0]["phone"], json!(person.phone));
    assert!(
        accepted[0]["content"].as_str().unwrap().starts_with("【职称申报评审服务平台】您的验证码为"),
        "{accepted:?}"
    );
    let row = sms_job(&app).await;
    assert_eq!((row.status.as_str(), row.attempts), ("done", 3));
    assert_eq!(deliveries(&app, sms::delivery::SENT).await, 1);
    // Nothing left to send.
    assert_eq!(runner(&app).drain().await.unwrap(), 0);
    assert_eq!(gateway.accepted().len(), 1);
}

#[tokio::test]
async fn a_gateway_that_never_answers_in_time_gives_the_text_up_after_its_attempts() {
    let gateway = FakeGateway::start(vec![Answer::Slow(1500); 5]).await;
    let app = app_with_gateway(&gateway, 200).await;
    let person = app.register_person().await;
    app.post("/auth/password/forgot", &json!({"account": person.username})).await;
    runner(&app).drain().await.unwrap();
    let row = sms_job(&app).await;
    assert_eq!((row.status.as_str(), row.attempts), ("failed", api::jobs::DEFAULT_MAX_ATTEMPTS));
    assert!(row.last_error.unwrap_or_default().contains("gateway"));
    assert_eq!(deliveries(&app, sms::delivery::FAILED).await, 1);
    assert_eq!(deliveries(&app, sms::delivery::SENT).await, 0);
}

#[tokio::test]
async fn a_code_request_answers_before_a_slow_gateway_does() {
    let gateway = FakeGateway::start(vec![Answer::Slow(3000)]).await;
    let url = gateway.url.clone();
    // The worker runs in the server as in production.
    let app = spawn_app_with(move |settings| {
        settings.sms.gateway = "http".into();
        settings.sms.http_url = Some(url);
        settings.sms.timeout_ms = 10_000;
    })
    .await;
    let person = app.register_person().await;
    let started = Instant::now();
    let response = app.post("/auth/password/forgot", &json!({"account": person.username})).await;
    let took = started.elapsed();
    assert_eq!(response.status(), 202);
    // The gateway takes 3 s to answer; the request did not wait for it.
    assert_eq!(gateway.calls(), 0, "answered before the gateway did");
    assert!(took < StdDuration::from_millis(1500), "the request took {took:?}");
    app.sms_sent().await;
    assert_eq!(gateway.accepted().len(), 1);
    assert!(gateway.arrived() >= 1);
}

#[tokio::test]
async fn a_crash_between_the_change_and_the_send_loses_nothing_and_sends_once() {
    let app = spawn_app_with(|settings| settings.jobs.enabled = false).await;
    let person = app.register_person().await;
    app.post("/auth/password/forgot", &json!({"account": person.username})).await;
    // The process died before any worker looked: the text is a row, waiting.
    assert_eq!(sms_job(&app).await.status, "pending");
    assert_eq!(outbox_count(&app).await, 0);

    // A worker claims it and dies after handing it to the gateway, before marking it done.
    let dead = runner(&app);
    let claimed = dead.claim(10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    sms::send_queued(JobContext { state: app.state.clone(), job: claimed[0].clone() }).await.unwrap();
    drop(dead);
    assert_eq!(outbox_count(&app).await, 1);

    // After restart, a new worker takes the job when the lease ends, and does not send it again.
    let restarted = runner(&app);
    assert_eq!(restarted.drain().await.unwrap(), 0, "still leased");
    app.state.clock.advance(Duration::seconds(app.settings.jobs.lease_secs + 1));
    assert_eq!(restarted.drain().await.unwrap(), 1);
    assert_eq!(sms_job(&app).await.status, "done");
    assert_eq!(outbox_count(&app).await, 1);

    // And a text the dead worker claimed but never handed over is sent by the next one.
    app.state.clock.advance(Duration::seconds(61));
    app.post("/auth/username/forgot", &json!({"phone": person.phone})).await;
    let dead = runner(&app);
    assert_eq!(dead.claim(10).await.unwrap().len(), 1);
    drop(dead);
    app.state.clock.advance(Duration::seconds(app.settings.jobs.lease_secs + 1));
    assert_eq!(runner(&app).drain().await.unwrap(), 1);
    assert_eq!(outbox_count(&app).await, 2);
}

#[tokio::test]
async fn two_workers_never_send_one_text_twice() {
    let app = spawn_app_with(|settings| {
        settings.jobs.enabled = false;
        settings.sms.daily_cap_per_phone = 1000;
    })
    .await;
    let tx = app.state.db.begin().await.unwrap();
    for n in 0..40 {
        let phone_enc = app.state.crypto.encrypt(&phone(900_000 + n)).unwrap();
        sms::enqueue(&app.state.crypto, &tx, Some(phone_enc), &format!("第{n}条")).await.unwrap();
    }
    tx.commit().await.unwrap();
    // Two instances with pools of their own, whose gateway counts every hand-over by text id.
    let sent = Arc::new(Mutex::new(HashMap::<String, u32>::new()));
    let (mut first_state, _) = app.counting_state().await;
    let (mut second_state, _) = app.counting_state().await;
    first_state.sms = Arc::new(Counting(sent.clone()));
    second_state.sms = Arc::new(Counting(sent.clone()));
    let first = Runner::new(first_state, kinds::registry());
    let second = Runner::new(second_state, kinds::registry());
    let (a, b) = tokio::join!(
        async {
            let mut n = 0;
            for _ in 0..10 {
                n += first.run_once().await.unwrap();
            }
            n
        },
        async {
            let mut n = 0;
            for _ in 0..10 {
                n += second.run_once().await.unwrap();
            }
            n
        }
    );
    assert_eq!(a + b + first.drain().await.unwrap(), 40);
    let sent = sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 40);
    assert!(sent.values().all(|n| *n == 1), "a text was handed to the gateway twice: {sent:?}");
    assert_eq!(deliveries(&app, sms::delivery::SENT).await, 40);
}

/// A gateway that counts the texts handed to it, by id.
struct Counting(Arc<Mutex<HashMap<String, u32>>>);

#[async_trait::async_trait]
impl sms::SmsSender for Counting {
    async fn send(&self, id: &str, _phone: &api::domain::Phone, _body: &str) -> anyhow::Result<()> {
        // A little time at the gateway, so the two workers overlap.
        tokio::time::sleep(StdDuration::from_millis(5)).await;
        *self.0.lock().unwrap().entry(id.to_string()).or_default() += 1;
        Ok(())
    }
}

#[tokio::test]
async fn a_phone_gets_at_most_its_daily_cap_of_texts() {
    let app = spawn_app_with(|settings| {
        settings.jobs.enabled = false;
        settings.sms.daily_cap_per_phone = 2;
    })
    .await;
    let phone_enc = app.state.crypto.encrypt(&phone(990_001)).unwrap();
    let queue = |n: u32| {
        let phone_enc = phone_enc.clone();
        let app = &app;
        async move {
            let tx = app.state.db.begin().await.unwrap();
            sms::enqueue(&app.state.crypto, &tx, Some(phone_enc), &format!("第{n}条")).await.unwrap();
            tx.commit().await.unwrap();
        }
    };
    for n in 0..3 {
        queue(n).await;
    }
    runner(&app).drain().await.unwrap();
    assert_eq!(outbox_count(&app).await, 2);
    assert_eq!(deliveries(&app, sms::delivery::CAPPED).await, 1);
    // The next Beijing day the phone may be texted again.
    app.state.clock.advance(Duration::days(1));
    queue(4).await;
    runner(&app).drain().await.unwrap();
    assert_eq!(outbox_count(&app).await, 3);
}

#[tokio::test]
async fn a_person_who_turned_texts_off_still_gets_codes_but_no_progress_texts() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let returned = json!({"opinion": "请补充材料", "items": [], "add_sections": []});
    let texts_to = |phone: String| {
        let app = &app;
        async move {
            app.sms_sent().await;
            sms_outbox::Entity::find()
                .filter(sms_outbox::Column::PhoneHash.eq(app.state.crypto.index("phone", &phone)))
                .all(&app.state.db)
                .await
                .unwrap()
                .into_iter()
                .map(|m| m.body)
                .collect::<Vec<_>>()
        }
    };

    // Texts on (the default): a return is texted, signed.
    let (person, token, id) = app.submitted_declaration(&chain).await;
    let preferences: Value = app.get_as(&token, "/me/notifications").await.json().await.unwrap();
    assert_eq!(preferences, json!({"sms_enabled": true}));
    assert_eq!(app.return_declaration(&reviewer, &id, &returned).await.status(), 200);
    let texts = texts_to(person.phone.clone()).await;
    assert_eq!(texts.len(), 1);
    assert!(texts[0].starts_with("【职称申报评审服务平台】您的2026年度") && texts[0].contains("退回"), "{texts:?}");

    // Turned off: the next return is a 站内信 only; a code still goes.
    let (other, other_token, other_id) = app.submitted_declaration(&chain).await;
    let response = app
        .client
        .put(app.url("/me/notifications"))
        .bearer_auth(&other_token)
        .json(&json!({"sms_enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let unknown = app
        .client
        .put(app.url("/me/notifications"))
        .bearer_auth(&other_token)
        .json(&json!({"sms_enabled": false, "phone": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 422);
    assert_eq!(app.return_declaration(&reviewer, &other_id, &returned).await.status(), 200);
    assert!(texts_to(other.phone.clone()).await.is_empty());
    assert_eq!(deliveries(&app, sms::delivery::OPTED_OUT).await, 1);
    let inbox: Value = app.get_as(&other_token, "/messages").await.json().await.unwrap();
    assert_eq!(inbox["items"][0]["kind"], json!("declaration_returned"));
    app.post("/auth/password/forgot", &json!({"account": other.username})).await;
    assert!(app.sms_code(&other.phone).await.is_some(), "codes are always sent");
    // The first person's preference is untouched.
    let preferences: Value = app.get_as(&token, "/me/notifications").await.json().await.unwrap();
    assert_eq!(preferences["sms_enabled"], json!(true));
}
