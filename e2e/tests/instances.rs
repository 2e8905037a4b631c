#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! Two `zhicheng serve` processes on one PostgreSQL database behind nginx (Debian's package):
//! nothing depends on which instance answers. Sessions, login locks, the per-IP limit and the
//! jobs queue live in the database, so what one instance counts the other sees.
//! PostgreSQL only (`TEST_DATABASE_URL`); `make test-e2e` installs nginx.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use e2e::{DEMO_PASSWORD, Server};
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

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_behind_nginx_share_sessions_locks_limits_and_jobs() {
    if std::env::var("TEST_DATABASE_URL").map_or(true, |url| url.is_empty()) {
        eprintln!("skipped: two instances share a PostgreSQL database (set TEST_DATABASE_URL)");
        return;
    }
    let settings = [
        ("APP__SERVER__TRUSTED_PROXIES", "127.0.0.1"),
        ("APP__RATE_LIMIT__AUTH_PER_MINUTE", "1"),
        ("APP__RATE_LIMIT__AUTH_BURST", "3"),
        ("APP__JOBS__POLL_INTERVAL_MS", "100"),
    ];
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

    // A job is claimed once: both instances run a worker, and one code request sends one text.
    let phone = "13905310100";
    let before = first.sms_outbox(phone).unwrap().len();
    let (status, _, _) =
        balancer.post(&fresh_ip(), None, "/auth/password/forgot", &json!({"account": "nurse_zhang"})).await;
    assert_eq!(status, 202);
    let mut sent = before;
    for _ in 0..50 {
        sent = first.sms_outbox(phone).unwrap().len();
        if sent > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(sent, before + 1, "the text went out");
    // Several polls of both workers later, still one.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(first.sms_outbox(phone).unwrap().len(), before + 1, "the text went out once");
    drop(balancer);
    drop(second);
}
