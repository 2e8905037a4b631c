//! Starts the real `zhicheng` binary the way an operator would and talks to it over HTTP.
//!
//! Each [`Server`] gets its own data folder and database: a SQLite file, or a fresh PostgreSQL
//! database when `TEST_DATABASE_URL` is set. The binary is `target/debug/zhicheng` unless
//! `ZHICHENG_BIN` names another; `make test` builds it first.

pub mod oidc;
pub mod sms_gateway;
pub mod story;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, bail};

use serde_json::{Value, json};

pub const DEMO_PASSWORD: &str = "Demo#2026zc";
pub const ADMIN_PASSWORD: &str = "Admin#E2e2026";

pub struct Server {
    pub base: String,
    pub data_dir: tempfile::TempDir,
    pub client: reqwest::Client,
    child: Option<Child>,
    env: Vec<(String, String)>,
    pg: Option<(String, String)>,
    pub output: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

pub fn binary() -> PathBuf {
    std::env::var_os("ZHICHENG_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/debug/zhicheng"))
}

impl Server {
    /// Starts a server with demo data on a fresh database; `extra` adds or overrides settings.
    pub async fn start(extra: &[(&str, &str)]) -> anyhow::Result<Self> {
        let data_dir = tempfile::tempdir()?;
        let mut pg = None;
        let database_url = match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            Some(server_url) => {
                let name = format!("zc_e2e_{}", uuid::Uuid::new_v4().simple());
                psql(&server_url, &format!("CREATE DATABASE \"{name}\""))?;
                let url = with_database(&server_url, &name);
                pg = Some((server_url, name));
                url
            }
            None => format!("sqlite://{}?mode=rwc", data_dir.path().join("zhicheng.db").display()),
        };
        let mut env: Vec<(String, String)> = vec![
            ("APP_PROFILE".into(), "test".into()),
            ("APP__SERVER__PORT".into(), "0".into()),
            ("APP__SERVER__STATIC_DIR".into(), data_dir.path().join("no-spa").display().to_string()),
            ("APP__DATABASE__URL".into(), database_url),
            ("APP__STORAGE__DIR".into(), data_dir.path().join("files").display().to_string()),
            ("APP__AUTH__JWT_SECRET".into(), "e2e-secret-e2e-secret-e2e-secret-e2e".into()),
            ("APP__SECURITY__DATA_KEY".into(), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into()),
            ("APP__ADMIN__PASSWORD".into(), ADMIN_PASSWORD.into()),
            ("APP__DEMO__SEED".into(), "true".into()),
            ("APP__RATE_LIMIT__AUTH_PER_MINUTE".into(), "60000".into()),
            ("APP__RATE_LIMIT__AUTH_BURST".into(), "10000".into()),
            ("APP__RATE_LIMIT__ACCOUNT_PER_MINUTE".into(), "60000".into()),
            ("APP__RATE_LIMIT__ACCOUNT_BURST".into(), "10000".into()),
            ("RUST_LOG".into(), "warn".into()),
        ];
        for (key, value) in extra {
            env.retain(|(k, _)| k != key);
            env.push(((*key).to_string(), (*value).to_string()));
        }
        let mut server = Self {
            base: String::new(),
            data_dir,
            // Idle connections end before the server's keep-alive does (see api/tests helpers).
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_idle_timeout(std::time::Duration::from_secs(2))
                .build()?,
            child: None,
            env,
            pg,
            output: Default::default(),
        };
        server.spawn()?;
        Ok(server)
    }

    /// A second instance of this server, as a second machine behind a load balancer would be: the
    /// same settings, database and files, its own process and port. `extra` overrides settings.
    pub fn sibling(&self, extra: &[(&str, &str)]) -> anyhow::Result<Self> {
        let mut env = self.env.clone();
        for (key, value) in extra {
            env.retain(|(k, _)| k != key);
            env.push(((*key).to_string(), (*value).to_string()));
        }
        let mut server = Self {
            base: String::new(),
            data_dir: tempfile::tempdir()?,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_idle_timeout(std::time::Duration::from_secs(2))
                .build()?,
            child: None,
            env,
            // The database is the first instance's to drop.
            pg: None,
            output: Default::default(),
        };
        server.spawn()?;
        Ok(server)
    }

    /// (Re)starts the process on the same data and database.
    pub fn spawn(&mut self) -> anyhow::Result<()> {
        let mut command = Command::new(binary());
        command.arg("serve").envs(self.env.iter().cloned()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().with_context(|| format!("starting {}", binary().display()))?;
        let stdout = child.stdout.take().context("stdout")?;
        let stderr = child.stderr.take().context("stderr")?;
        let (tx, rx) = mpsc::channel();
        let output = self.output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("listening on ") {
                    let _ = tx.send(address.to_string());
                }
                if let Ok(mut lines) = output.lock() {
                    lines.push(line);
                }
            }
        });
        let err_output = self.output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut lines) = err_output.lock() {
                    lines.push(line);
                }
            }
        });
        let address = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(address) => address,
            Err(_) => {
                let _ = child.kill();
                bail!("the server did not start: {:?}", self.output.lock().map(|o| o.join("\n")));
            }
        };
        self.base = address;
        self.child = Some(child);
        Ok(())
    }

    /// Sends SIGTERM and waits for the process to exit; returns whether it exited cleanly.
    pub fn terminate(&mut self) -> anyhow::Result<bool> {
        let Some(mut child) = self.child.take() else {
            return Ok(true);
        };
        Command::new("kill").arg("-TERM").arg(child.id().to_string()).status()?;
        Ok(child.wait()?.success())
    }

    /// Kills the process at once, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The server process's id while it runs (to read its memory from `/proc`).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    pub async fn post(&self, token: Option<&str>, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        self.post_with(token, path, body, &[]).await
    }

    /// A POST with extra request headers (e.g. `Idempotency-Key`).
    pub async fn post_with(
        &self,
        token: Option<&str>,
        path: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> anyhow::Result<(u16, Value)> {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        answer(request.send().await?).await
    }

    pub async fn get(&self, token: Option<&str>, path: &str) -> anyhow::Result<(u16, Value)> {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(request.send().await?).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        answer(self.client.patch(self.url(path)).bearer_auth(token).json(body).send().await?).await
    }

    pub async fn delete(&self, token: &str, path: &str) -> anyhow::Result<(u16, Value)> {
        answer(self.client.delete(self.url(path)).bearer_auth(token).send().await?).await
    }

    /// Uploads a file as multipart field `file`.
    pub async fn upload(&self, token: &str, bytes: Vec<u8>, filename: &str) -> anyhow::Result<(u16, Value)> {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(filename.to_string());
        let form = reqwest::multipart::Form::new().part("file", part);
        answer(self.client.post(self.url("/attachments")).bearer_auth(token).multipart(form).send().await?).await
    }

    /// Logs in and returns the access token, failing loudly otherwise.
    pub async fn login(&self, account: &str, password: &str) -> anyhow::Result<String> {
        let (status, body) = self.post(None, "/auth/login", &json!({"account": account, "password": password})).await?;
        if status != 200 {
            bail!("login {account} answered {status}: {body}");
        }
        Ok(body["access_token"].as_str().context("access_token")?.to_string())
    }

    /// The year of the plan the demo bureau opened on first start (the current Beijing year):
    /// the year e2e declarations are made in.
    pub async fn demo_plan_year(&self, token: &str) -> anyhow::Result<i32> {
        let (status, plans) = self.get(Some(token), "/plans?open=true").await?;
        if status != 200 {
            bail!("GET /plans answered {status}: {plans}");
        }
        let year = plans["items"]
            .as_array()
            .and_then(|items| items.iter().find(|p| p["bureau"]["name"] == "济南市济阳区人力资源和社会保障局"))
            .and_then(|p| p["year"].as_i64())
            .context("the demo plan")?;
        Ok(i32::try_from(year)?)
    }

    /// Makes sure the bureau signed in with `bureau_token` has a 职称申报 plan for `year` covering
    /// `series` at every level, open now: publishes one (open from a day ago for 30 days) unless
    /// the bureau has a plan for that year already. Returns the plan.
    pub async fn ensure_plan(&self, bureau_token: &str, year: i32, series: &[&str]) -> anyhow::Result<Value> {
        let (_, mine) = self.get(Some(bureau_token), &format!("/plans?mine=true&year={year}")).await?;
        if let Some(plan) = mine["items"].as_array().and_then(|items| items.first()) {
            return Ok(plan.clone());
        }
        let now = chrono::Utc::now();
        let at = |days: i64| (now + chrono::Duration::days(days)).to_rfc3339();
        let body = json!({
            "year": year, "kind": "title", "name": format!("{year}年度职称申报"), "notice": "e2e", "series": series,
            "levels": ["senior", "deputy_senior", "intermediate", "assistant", "staff"],
            "opens_at": at(-1), "closes_at": at(30), "return_closes_at": at(35),
            "employer_closes_at": at(40), "authority_closes_at": at(45), "bureau_closes_at": at(50),
        });
        let (status, plan) = self.post(Some(bureau_token), "/plans", &body).await?;
        if status != 201 {
            bail!("publishing a plan answered {status}: {plan}");
        }
        Ok(plan)
    }

    /// 确认申报 as the applicant does it: with the declaration's plan's current 诚信承诺书 accepted.
    pub async fn submit(&self, token: &str, id: &str) -> anyhow::Result<(u16, Value)> {
        let (_, declaration) = self.get(Some(token), &format!("/declarations/{id}")).await?;
        let body = match declaration["plan"]["pledge_sha256"].as_str() {
            Some(hash) => json!({"pledge_sha256": hash, "pledge_accepted": true}),
            None => json!({}),
        };
        self.post(Some(token), &format!("/declarations/{id}/submit"), &body).await
    }

    /// The latest message the development SMS outbox holds for a phone, read with the operator CLI.
    pub fn sms_outbox(&self, phone: &str) -> anyhow::Result<Vec<String>> {
        let output = Command::new(binary())
            .args(["admin", "sms-outbox", "--phone", phone])
            .envs(self.env.iter().cloned())
            .output()?;
        Ok(String::from_utf8(output.stdout)?.lines().map(str::to_string).collect())
    }

    /// Runs one SQL statement on this server's PostgreSQL database (the first instance's; `None`
    /// on SQLite or for a sibling) and returns its rows, one line each, columns split by `|`.
    pub fn sql(&self, statement: &str) -> anyhow::Result<Option<Vec<String>>> {
        let Some((server_url, name)) = &self.pg else { return Ok(None) };
        let output = Command::new("psql").arg(with_database(server_url, name)).args(["-Atc", statement]).output()?;
        if !output.status.success() {
            bail!("psql failed: {statement}: {}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(Some(String::from_utf8(output.stdout)?.lines().map(str::to_string).collect()))
    }

    /// Runs an operator command against this server's database.
    pub fn admin(&self, args: &[&str]) -> anyhow::Result<std::process::Output> {
        Ok(Command::new(binary()).arg("admin").args(args).envs(self.env.iter().cloned()).output()?)
    }
}

/// One deployment reached through several instances: each request goes to the next instance in
/// turn, so consecutive steps of one story are answered by different processes and nothing can
/// lean on what a previous step left in one process's memory. With one instance it is that
/// instance.
pub struct Rotation<'a> {
    servers: Vec<&'a Server>,
    turn: AtomicUsize,
    answered: Vec<AtomicUsize>,
}

impl<'a> Rotation<'a> {
    pub fn new(servers: &[&'a Server]) -> Self {
        assert!(!servers.is_empty(), "a rotation of no instance");
        Self {
            servers: servers.to_vec(),
            turn: AtomicUsize::new(0),
            answered: servers.iter().map(|_| AtomicUsize::new(0)).collect(),
        }
    }

    /// The instance whose turn it is; the turn passes on.
    pub fn next(&self) -> &'a Server {
        let index = self.turn.fetch_add(1, Ordering::Relaxed) % self.servers.len();
        self.answered[index].fetch_add(1, Ordering::Relaxed);
        self.servers[index]
    }

    /// The first instance (it owns the database; operator commands run against it).
    pub fn first(&self) -> &'a Server {
        self.servers[0]
    }

    /// How many requests each instance was sent, in the order given to [`Rotation::new`].
    pub fn answered(&self) -> Vec<usize> {
        self.answered.iter().map(|count| count.load(Ordering::Relaxed)).collect()
    }

    pub async fn post(&self, token: Option<&str>, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        self.next().post(token, path, body).await
    }

    pub async fn post_with(
        &self,
        token: Option<&str>,
        path: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> anyhow::Result<(u16, Value)> {
        self.next().post_with(token, path, body, headers).await
    }

    pub async fn get(&self, token: Option<&str>, path: &str) -> anyhow::Result<(u16, Value)> {
        self.next().get(token, path).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        self.next().patch(token, path, body).await
    }

    pub async fn upload(&self, token: &str, bytes: Vec<u8>, filename: &str) -> anyhow::Result<(u16, Value)> {
        self.next().upload(token, bytes, filename).await
    }

    pub async fn login(&self, account: &str, password: &str) -> anyhow::Result<String> {
        self.next().login(account, password).await
    }

    /// 确认申报 with the plan's 诚信承诺书 accepted: the declaration read from one instance, the
    /// submission sent to the next.
    pub async fn submit(&self, token: &str, id: &str) -> anyhow::Result<(u16, Value)> {
        let (_, declaration) = self.get(Some(token), &format!("/declarations/{id}")).await?;
        let body = match declaration["plan"]["pledge_sha256"].as_str() {
            Some(hash) => json!({"pledge_sha256": hash, "pledge_accepted": true}),
            None => json!({}),
        };
        self.post(Some(token), &format!("/declarations/{id}/submit"), &body).await
    }
}

/// A valid ID number (GB 11643 check digit) born 1988-08-08 in 济阳, made from `seq`.
pub fn id_number(seq: u32) -> String {
    let first17 = format!("37012619880808{:03}", seq % 1000);
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.bytes().zip(weights).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

async fn answer(response: reqwest::Response) -> anyhow::Result<(u16, Value)> {
    let status = response.status().as_u16();
    let text = response.text().await?;
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    Ok((status, body))
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        if let Some((server_url, name)) = self.pg.take() {
            let _ = psql(&server_url, &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
        }
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map(|(b, q)| (b, format!("?{q}"))).unwrap_or((url, String::new()));
    let prefix = base.rsplit_once('/').map(|(prefix, _)| prefix).unwrap_or(base);
    format!("{prefix}/{name}{query}")
}

fn psql(url: &str, sql: &str) -> anyhow::Result<()> {
    let status = Command::new("psql").arg(url).arg("-qtc").arg(sql).stdout(Stdio::null()).status()?;
    if !status.success() {
        bail!("psql failed: {sql}");
    }
    Ok(())
}
