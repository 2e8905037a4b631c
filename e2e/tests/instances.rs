#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! Two `zhicheng serve` processes on one PostgreSQL database, behind nginx (Debian's package) or
//! talked to in turn: nothing depends on which instance answers. Sessions, login locks, the per-IP
//! limit, the jobs queue, SSO logins in flight, idempotency keys and the audit chain live in the
//! database, so what one instance counts or starts the other sees and finishes. Each test below
//! says which of its checks would fail if that piece were kept in one process's memory again.
//! PostgreSQL only (`TEST_DATABASE_URL`); `make test-e2e` installs nginx.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use e2e::oidc::{Browser, MockOidc, MockOidcConfig, NextLogin, path, platform_with_sso, query};
use e2e::sms_gateway::SmsGateway;
use e2e::{DEMO_PASSWORD, Rotation, Server, id_number, story};
use serde_json::{Value, json};

/// nginx in front of the instances, round robin, telling which one answered (`X-Upstream`).
struct Balancer {
    base: String,
    client: reqwest::Client,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Balancer {
    async fn start(instances: &[&Server]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let upstreams: String = instances
            .iter()
            .map(|server| format!("server {};", server.base.trim_start_matches("http://")))
            .collect::<Vec<_>>()
            .join(" ");
        let path = dir.path().display();
        let config = format!(
            "pid {path}/nginx.pid; error_log {path}/error.log warn; worker_processes 1;
             events {{ worker_connections 256; }}
             http {{
               access_log off;
               client_body_temp_path {path}/body; proxy_temp_path {path}/proxy;
               fastcgi_temp_path {path}/fastcgi; uwsgi_temp_path {path}/uwsgi; scgi_temp_path {path}/scgi;
               upstream zhicheng {{ {upstreams} }}
               server {{
                 listen 127.0.0.1:{port};
                 client_max_body_size 8m;
                 location / {{
                   proxy_pass http://zhicheng;
                   proxy_set_header Host $host;
                   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                   add_header X-Upstream $upstream_addr always;
                 }}
               }}
             }}"
        );
        let file = dir.path().join("nginx.conf");
        std::fs::write(&file, config).unwrap();
        let nginx = ["/usr/sbin/nginx", "nginx"].into_iter().find(|bin| Command::new(bin).arg("-v").output().is_ok());
        let nginx = nginx.expect("nginx is not installed: scripts/ensure-deps.sh apt nginx-light");
        let child = Command::new(nginx)
            .args(["-p", &path.to_string(), "-e", &format!("{path}/error.log"), "-c"])
            .arg(&file)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::builder().pool_idle_timeout(Duration::from_secs(2)).build().unwrap();
        for _ in 0..100 {
            if client.get(format!("{base}/healthz")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { base, client, child, _dir: dir }
    }

    /// A request through the balancer from the client at `client_ip` (as the balancer would see
    /// it: the instances trust 127.0.0.1 to forward it). Returns the status, the body and which
    /// instance answered.
    async fn send(&self, client_ip: &str, request: reqwest::RequestBuilder) -> (u16, Value, String) {
        let response = request.header("x-forwarded-for", client_ip).send().await.unwrap();
        let upstream = response.headers().get("x-upstream").unwrap().to_str().unwrap().to_string();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)), upstream)
    }

    async fn post(&self, client_ip: &str, token: Option<&str>, path: &str, body: &Value) -> (u16, Value, String) {
        let mut request = self.client.post(format!("{}/api/v1{path}", self.base)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.send(client_ip, request).await
    }

    async fn get(&self, client_ip: &str, token: &str, path: &str) -> (u16, Value, String) {
        self.send(client_ip, self.client.get(format!("{}/api/v1{path}", self.base)).bearer_auth(token)).await
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client address of its own for each call that is not about the per-IP limit.
fn fresh_ip() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("198.18.{}.{}", n / 250, n % 250 + 1)
}

fn on_postgres() -> bool {
    let set = std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty());
    if !set {
        eprintln!("skipped: two instances share a PostgreSQL database (set TEST_DATABASE_URL)");
    }
    set
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_behind_nginx_share_sessions_locks_limits_and_jobs() {
    if !on_postgres() {
        return;
    }
    // Texts go to a gateway that takes a second to answer each, so a job is still running when
    // the other instance's worker looks at the queue (it looks every 100 ms).
    let gateway = SmsGateway::start(Duration::from_secs(1)).await.unwrap();
    let mut settings = vec![
        ("APP__SERVER__TRUSTED_PROXIES", "127.0.0.1"),
        ("APP__RATE_LIMIT__AUTH_PER_MINUTE", "1"),
        ("APP__RATE_LIMIT__AUTH_BURST", "3"),
        ("APP__JOBS__POLL_INTERVAL_MS", "100"),
        // One job at a time per worker: two calls in flight at the gateway are two workers.
        ("APP__JOBS__BATCH_SIZE", "1"),
    ];
    settings.extend(gateway.settings());
    let first = Server::start(&settings).await.unwrap();
    let second = first.sibling(&[]).unwrap();
    let balancer = Balancer::start(&[&first, &second]).await;
    let instances: BTreeSet<String> =
        [&first, &second].iter().map(|server| server.base.trim_start_matches("http://").to_string()).collect();
    // A session made on one instance works on the other, and its end holds on both.
    let login = json!({"account": "nurse_zhang", "password": DEMO_PASSWORD});
    let (status, tokens, _) = balancer.post(&fresh_ip(), None, "/auth/login", &login).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let mut answered = BTreeSet::new();
    for _ in 0..4 {
        let (status, me, upstream) = balancer.get(&fresh_ip(), &access, "/me").await;
        assert_eq!((status, me["username"].as_str()), (200, Some("nurse_zhang")));
        answered.insert(upstream);
    }
    assert_eq!(answered, instances, "requests alternate between the instances");
    let refresh = json!({"refresh_token": tokens["refresh_token"]});
    let (status, _, _) = balancer.post(&fresh_ip(), Some(&access), "/auth/logout", &refresh).await;
    assert!((200..300).contains(&status), "logout answered {status}");
    for server in [&first, &second] {
        let (status, _) = server.get(Some(&access), "/me").await.unwrap();
        assert_eq!(status, 401, "the ended session is refused by {}", server.base);
    }

    // A login lock counted across both instances holds on both.
    let wrong = json!({"account": "hospital_reviewer", "password": "Wrong#Password1"});
    let mut answered = BTreeSet::new();
    for attempt in 0..5 {
        let (status, body, upstream) = balancer.post(&fresh_ip(), None, "/auth/login", &wrong).await;
        assert!(status == 401 || status == 423, "attempt {attempt}: {status} {body}");
        answered.insert(upstream);
    }
    assert_eq!(answered, instances);
    let right = json!({"account": "hospital_reviewer", "password": DEMO_PASSWORD});
    for server in [&first, &second] {
        let (status, body) = server.post(None, "/auth/login", &right).await.unwrap();
        assert_eq!((status, body["code"].as_str()), (423, Some("account_locked")), "{}", server.base);
    }

    // The per-IP limit holds in total: 3 at once for one client, whichever instance answers.
    let client = "203.0.113.50";
    let mut answered = BTreeSet::new();
    for i in 0..3 {
        let body = json!({"account": format!("nobody{i}")});
        let (status, _, upstream) = balancer.post(client, None, "/auth/password/forgot", &body).await;
        assert_eq!(status, 202, "request {i}");
        answered.insert(upstream);
    }
    assert_eq!(answered, instances);
    for i in 3..5 {
        let body = json!({"account": format!("nobody{i}")});
        let (status, problem, _) = balancer.post(client, None, "/auth/password/forgot", &body).await;
        assert_eq!((status, problem["code"].as_str()), (429, Some("too_many_requests")), "request {i}");
    }

    // Each job is claimed once, though both instances run a worker on one queue: six people ask
    // for a code at once (through the balancer), six texts are queued, and the gateway is called
    // once per text, by both workers at the same time. Were the claim not taken in the database
    // (`FOR UPDATE SKIP LOCKED` and a lease), the other worker would take the job still running
    // and the gateway would get that text twice.
    let mut phones = BTreeSet::new();
    for seq in 0..6u32 {
        let username = format!("lb_person{seq}");
        let phone = format!("1370001{seq:04}");
        let person = json!({"username": username, "password": "Lb#2026person", "real_name": "赵护士",
            "id_number": id_number(500 + seq), "phone": phone});
        let (status, body, _) = balancer.post(&fresh_ip(), None, "/auth/register/person", &person).await;
        assert_eq!(status, 201, "{body}");
        phones.insert(phone);
    }
    for seq in 0..6u32 {
        let body = json!({"account": format!("lb_person{seq}")});
        let (status, _, _) = balancer.post(&fresh_ip(), None, "/auth/password/forgot", &body).await;
        assert_eq!(status, 202);
    }
    for _ in 0..100 {
        if gateway.texts().len() >= phones.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Several polls of both workers later, still one call per text.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let texts = gateway.texts();
    let ids: BTreeSet<&str> = texts.iter().map(|text| text["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), texts.len(), "a text was sent twice: {texts:?}");
    let sent_to: BTreeSet<String> = texts.iter().map(|text| text["phone"].as_str().unwrap().to_string()).collect();
    assert_eq!(sent_to, phones, "one text to each");
    assert_eq!(gateway.most_at_once(), 2, "both workers were sending at once");
    // The queue agrees: every text job (the six, and those queued "to nobody" for the unknown
    // accounts above) is done after one claim.
    let claims = first
        .sql("SELECT count(*) >= 9, bool_and(status = 'done' AND attempts = 1) FROM jobs WHERE kind = 'sms.send'")
        .unwrap()
        .unwrap();
    assert_eq!(claims, ["t|t"], "every text job done after one claim");
    drop(balancer);
    drop(second);
    gateway.stop().await;
}

/// The seed story (`e2e::story`), every request to the other instance than the one before: the
/// token made on one is used on the other, a declaration changed on one is read and changed on
/// the other, an expert's second factor enrolled on one is confirmed and asked for on the other,
/// the report's Idempotency-Key is spent on one and recognised on the other (see the story), a
/// draw sealed on one is run and replayed on the other, and at the end `admin verify-audit` checks one chain
/// that both instances wrote, link after link (each entry's hash includes the previous one's: an
/// instance that chained from its own memory would break it at the first change of turn).
#[tokio::test(flavor = "multi_thread")]
async fn the_seed_story_alternating_between_two_instances() {
    if !on_postgres() {
        return;
    }
    let started = std::time::Instant::now();
    let first = Server::start(story::SETTINGS).await.unwrap();
    let second = first.sibling(&[]).unwrap();
    let api = Rotation::new(&[&first, &second]);
    story::the_seed_story(&api).await;
    let answered = api.answered();
    // Strict turns: the two counts differ by one at most, and the story is long.
    let (most, least) = (answered.iter().max().unwrap(), answered.iter().min().unwrap());
    assert!(*least > 50 && most - least <= 1, "both instances answered the story in turn: {answered:?}");
    eprintln!("the story alternating: {answered:?} requests in {:?}", started.elapsed());
    drop(second);
}

/// An SSO login started on one instance (its state, nonce and PKCE verifier written there) comes
/// back from the provider to the other instance, and the one-time code it lands with is exchanged
/// on the first again. Kept in a process's memory, the second would not know the state (the
/// landing would be `/sso/complete?error=…`) nor the first the code (401).
#[tokio::test(flavor = "multi_thread")]
async fn an_sso_login_started_on_one_instance_completes_on_the_other() {
    if !on_postgres() {
        return;
    }
    let oidc = MockOidc::start(MockOidcConfig::default()).await.unwrap();
    let first = platform_with_sso(&oidc, &[]).await.unwrap();
    // The same settings (the same redirect URL, as behind one balancer), its own port.
    let second = first.sibling(&[("APP__SERVER__PORT", "0")]).unwrap();
    oidc.next_login(NextLogin::claims(
        json!({"sub": "sd-lb-0001", "name": "张护士", "id_number": "370126199003050024"}),
    ));

    let mut browser = Browser::default();
    let authorize = browser.start_login(&first, "/declarations").await;
    assert!(authorize.starts_with(&oidc.issuer), "{authorize}");
    let callback = browser.go(&first, &authorize).await;
    assert_eq!(query(&callback)["state"], query(&authorize)["state"]);
    // The provider sends the browser back to the redirect URL; the balancer gives it to the other.
    assert!(callback.starts_with(&first.base), "{callback}");
    let callback = callback.replacen(&first.base, &second.base, 1);
    let landing = browser.go(&second, &callback).await;
    assert_eq!(path(&landing), "/sso/complete", "the other instance finished the login: {landing}");
    let code = &query(&landing)["code"];
    let (status, tokens) = browser.post(&first, "/auth/sso/exchange", &json!({ "code": code })).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["return_to"], "/declarations");
    let access = tokens["access_token"].as_str().unwrap();
    for server in [&first, &second] {
        let (status, me) = server.get(Some(access), "/me").await.unwrap();
        assert_eq!((status, me["username"].as_str()), (200, Some("nurse_zhang")), "{}", server.base);
    }
    // The code was spent on the first: the second refuses it too.
    let (status, problem) = browser.post(&second, "/auth/sso/exchange", &json!({ "code": code })).await;
    assert_eq!((status, problem["code"].as_str()), (401, Some("invalid_login_code")));
    drop(second);
    oidc.stop().await;
}
