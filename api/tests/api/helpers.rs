//! `spawn_app()` and typed helpers. Each test runs against its own fresh database: a temporary
//! SQLite file, or a new PostgreSQL database when `TEST_DATABASE_URL` is set.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use api::config::Settings;
use api::startup::Application;
use api::state::AppState;
use reqwest::{Client, Response};
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

pub const PASSWORD: &str = "Nurse#2026";
pub const ADMIN_PASSWORD: &str = "Admin#Test2026";
pub const TEST_AUDIT_KEY: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

pub struct TestApp {
    pub settings: Settings,
    pub address: String,
    pub client: Client,
    pub state: AppState,
    pub storage_dir: std::path::PathBuf,
    _dir: tempfile::TempDir,
    pg_database: Option<(String, String)>,
    /// The bureaus `register_org("hrss")` made (each opened the helper plans).
    bureaus: tokio::sync::Mutex<Vec<Org>>,
    /// The platform admin's token for the plan helpers (one login per test, not per plan).
    plan_admin: tokio::sync::Mutex<Option<String>>,
}

/// Builds settings for a test: free port, own database and folder, fixed secrets.
pub async fn test_settings() -> (Settings, tempfile::TempDir, Option<(String, String)>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::load_from(dir.path(), "test").expect("settings");
    settings.server.port = 0;
    settings.server.static_dir = dir.path().join("no-spa");
    settings.storage.dir = dir.path().join("files");
    // `TEST_S3_ENDPOINT` (an S3-compatible server, `e2e/s3/run.sh`): files go to its bucket, each
    // test under a prefix of its own.
    if let Some(endpoint) = std::env::var("TEST_S3_ENDPOINT").ok().filter(|url| !url.is_empty()) {
        settings.storage.backend = "s3".into();
        settings.storage.s3.endpoint = Some(endpoint);
        settings.storage.s3.bucket = std::env::var("TEST_S3_BUCKET").unwrap_or_else(|_| "zhicheng-test".into());
        settings.storage.s3.access_key_id =
            Some(std::env::var("TEST_S3_ACCESS_KEY_ID").unwrap_or_else(|_| "test".into()));
        settings.storage.s3.secret_access_key =
            Some(std::env::var("TEST_S3_SECRET_ACCESS_KEY").unwrap_or_else(|_| "test".into()));
        settings.storage.s3.prefix = format!("t-{}", uuid::Uuid::new_v4().simple());
    }
    settings.auth.jwt_secret = Some("integration-test-secret-of-at-least-32-chars".into());
    settings.security.data_key = Some("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into());
    // One key for every app in this process: the audit key is per process (services::audit).
    settings.security.audit_key = Some(TEST_AUDIT_KEY.into());
    settings.admin.password = Some(ADMIN_PASSWORD.into());
    settings.rate_limit.auth_per_minute = 60_000;
    settings.rate_limit.auth_burst = 10_000;
    settings.rate_limit.account_per_minute = 60_000;
    settings.rate_limit.account_burst = 10_000;
    // Tests move the clock by days (deadlines, grace periods); a session's absolute end would cut
    // their tokens off. The session tests set it back to the default themselves.
    settings.auth.session_max_secs = 400 * 24 * 3600;
    settings.database.max_connections = 5;
    // The worker delivers SMS quickly; periodic jobs (reminders) run only where a test asks.
    settings.jobs.poll_interval_ms = 50;
    settings.jobs.periodic = false;
    let mut pg_database = None;
    settings.database.url = match std::env::var("TEST_DATABASE_URL").ok().filter(|url| !url.is_empty()) {
        Some(server_url) => {
            let name = format!("zc_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&server_url).await.expect("connect to TEST_DATABASE_URL");
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
            admin.close().await.ok();
            let url = replace_database(&server_url, &name);
            pg_database = Some((server_url, name));
            url
        }
        None => format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()),
    };
    (settings, dir, pg_database)
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map(|(b, q)| (b, format!("?{q}"))).unwrap_or((url, String::new()));
    let prefix = base.rsplit_once('/').map(|(prefix, _)| prefix).unwrap_or(base);
    format!("{prefix}/{name}{query}")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Spawns an app after letting the test adjust its settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (mut settings, dir, pg_database) = test_settings().await;
    adjust(&mut settings);
    let storage_dir = settings.storage.dir.clone();
    let kept = settings.clone();
    let app = Application::build(settings).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        settings: kept,
        address,
        // Idle connections are dropped well before the server's keep-alive (5 s) ends them, so a
        // request never goes out on a connection the server is closing (IncompleteMessage).
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .build()
            .expect("client"),
        state,
        storage_dir,
        _dir: dir,
        pg_database,
        bureaus: tokio::sync::Mutex::new(Vec::new()),
        plan_admin: tokio::sync::Mutex::new(None),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((server_url, name)) = self.pg_database.take() {
            // Dropping runs outside any async context: use a short-lived runtime of its own.
            let _ = std::thread::spawn(move || {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                    return;
                };
                runtime.block_on(async move {
                    if let Ok(admin) = Database::connect(&server_url).await {
                        let _ =
                            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                        let _ = admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

static SEQUENCE: AtomicU32 = AtomicU32::new(1);

/// A number unique within this test process.
pub fn next() -> u32 {
    SEQUENCE.fetch_add(1, Ordering::Relaxed)
}

/// A valid ID number of someone born 1990-01-01 (female when `seq` is even).
pub fn id_number(seq: u32) -> String {
    let first17 = format!("11010119900101{:03}", seq % 1000);
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.bytes().zip(weights).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

pub fn uscc(seq: u32) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let first17 = format!("91370126{:09}", seq);
    let sum: u32 =
        first17.bytes().zip(weights).map(|(b, w)| ALPHABET.iter().position(|c| *c == b).unwrap_or(0) as u32 * w).sum();
    format!("{first17}{}", ALPHABET[((31 - sum % 31) % 31) as usize] as char)
}

pub fn phone(seq: u32) -> String {
    format!("139{:08}", seq)
}

#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub username: String,
    pub password: String,
    pub real_name: String,
    pub id_number: String,
    pub phone: String,
}

#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub admin_username: String,
    pub password: String,
    pub uscc: String,
}

#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.address)
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).json(body).send().await.expect("request")
    }

    pub async fn post_as(&self, token: &str, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).bearer_auth(token).json(body).send().await.expect("request")
    }

    pub async fn patch_as(&self, token: &str, path: &str, body: &Value) -> Response {
        self.client.patch(self.url(path)).bearer_auth(token).json(body).send().await.expect("request")
    }

    pub async fn delete_as(&self, token: &str, path: &str) -> Response {
        self.client.delete(self.url(path)).bearer_auth(token).send().await.expect("request")
    }

    pub async fn get_as(&self, token: &str, path: &str) -> Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn register_person(&self) -> Person {
        let seq = next();
        let person = Person {
            id: String::new(),
            username: format!("person{seq}"),
            password: PASSWORD.into(),
            real_name: "李护士".into(),
            id_number: id_number(seq),
            phone: phone(seq),
        };
        let response = self
            .post(
                "/auth/register/person",
                &json!({
                    "username": person.username, "password": person.password, "real_name": person.real_name,
                    "id_number": person.id_number, "phone": person.phone,
                }),
            )
            .await;
        assert_eq!(response.status(), 201, "register person: {}", response.text().await.unwrap_or_default());
        let body: Value = response.json().await.expect("json");
        Person { id: body["id"].as_str().expect("id").to_string(), ..person }
    }

    fn org_body(kind: &str, seq: u32) -> Value {
        let label = match kind {
            "enterprise" => "企业",
            "institution" => "事业单位",
            "authority" => "主管部门",
            "township" => "街道办事处",
            _ => "人社局",
        };
        json!({
            "name": format!("测试单位{seq}（{label}）"), "uscc": uscc(seq), "kind": kind, "region_code": "370126",
            "address": "山东省济南市济阳区", "contact_name": "王主任", "contact_phone": phone(seq),
            "admin_username": format!("org{seq}"), "admin_password": PASSWORD,
        })
    }

    /// Registers an organisation of `kind`. An `hrss` one is provisioned by the admin and opens
    /// the helper plans ([`TestApp::open_helper_plans`]) so declarations reporting to it can be
    /// made; use [`TestApp::register_bureau_without_plans`] for one without.
    /// A 主管部门 or 乡镇（街道） comes verified (单位认证) as if its bureau had vouched for it; use
    /// [`TestApp::register_unverified_org`] for one that waits.
    pub async fn register_org(&self, kind: &str) -> Org {
        let org = self.register_org_only(kind).await;
        if kind == "authority" || kind == "township" {
            self.mark_verified(&org.id).await;
        }
        if kind == "hrss" {
            self.open_helper_plans(&org).await;
            self.bureaus.lock().await.push(org.clone());
        }
        org
    }

    /// A self-registered organisation as it stands before any bureau vouched for it.
    pub async fn register_unverified_org(&self, kind: &str) -> Org {
        self.register_org_only(kind).await
    }

    /// Registers an organisation from a body of [`TestApp::org_body`]'s shape, returning the response.
    pub async fn register_org_with(&self, body: &Value) -> Response {
        self.post("/auth/register/org", body).await
    }

    /// A registration body for an organisation of `kind` with fresh unique fields.
    pub fn new_org_body(kind: &str) -> Value {
        Self::org_body(kind, next())
    }

    /// Marks an organisation verified in the database, as its bureau would (test set-up only).
    pub async fn mark_verified(&self, org_id: &str) {
        use api::entities::org;
        use sea_orm::sea_query::Expr;
        org::Entity::update_many()
            .col_expr(org::Column::Verification, Expr::value("verified"))
            .filter(org::Column::Id.eq(org_id))
            .exec(&self.state.db)
            .await
            .expect("verify org");
    }

    /// A bureau with no plan at all (the helpers then open no plans elsewhere either).
    pub async fn register_bureau_without_plans(&self) -> Org {
        let org = self.register_org_only("hrss").await;
        self.bureaus.lock().await.push(org.clone());
        org
    }

    async fn register_org_only(&self, kind: &str) -> Org {
        let seq = next();
        let body = Self::org_body(kind, seq);
        let response = if kind == "hrss" {
            let admin = self.admin_token().await;
            self.post_as(&admin, "/admin/orgs", &body).await
        } else {
            self.post("/auth/register/org", &body).await
        };
        assert_eq!(response.status(), 201, "register org: {}", response.text().await.unwrap_or_default());
        let created: Value = response.json().await.expect("json");
        Org {
            id: created["org_id"].as_str().expect("org_id").to_string(),
            name: body["name"].as_str().unwrap_or_default().to_string(),
            kind: kind.to_string(),
            admin_username: body["admin_username"].as_str().unwrap_or_default().to_string(),
            password: PASSWORD.into(),
            uscc: body["uscc"].as_str().unwrap_or_default().to_string(),
        }
    }

    pub async fn try_login(&self, account: &str, password: &str) -> Response {
        self.post("/auth/login", &json!({"account": account, "password": password})).await
    }

    pub async fn login(&self, account: &str, password: &str) -> Tokens {
        let response = self.try_login(account, password).await;
        assert_eq!(response.status(), 200, "login {account}: {}", response.text().await.unwrap_or_default());
        let body: Value = response.json().await.expect("json");
        Tokens {
            access: body["access_token"].as_str().expect("access").to_string(),
            refresh: body["refresh_token"].as_str().expect("refresh").to_string(),
        }
    }

    pub async fn admin_token(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await.access
    }

    pub async fn token_of(&self, person: &Person) -> String {
        self.login(&person.username, &person.password).await.access
    }

    pub async fn org_token(&self, org: &Org) -> String {
        self.login(&org.admin_username, &org.password).await.access
    }

    /// The latest one-time code the development SMS outbox holds for `phone`, once the texts
    /// queued so far have been sent.
    pub async fn sms_code(&self, phone: &str) -> Option<String> {
        use api::entities::sms_outbox;
        self.sms_sent().await;
        let hash = self.state.crypto.index("phone", phone);
        let message = sms_outbox::Entity::find()
            .filter(sms_outbox::Column::PhoneHash.eq(hash))
            .order_by_desc(sms_outbox::Column::CreatedAt)
            .one(&self.state.db)
            .await
            .expect("outbox")?;
        let digits: String = message.body.chars().skip_while(|c| !c.is_ascii_digit()).take(6).collect();
        Some(digits)
    }

    /// Waits until no queued text is waiting to be sent (the app's worker sends them).
    pub async fn sms_sent(&self) {
        use api::entities::job;
        for _ in 0..500 {
            let waiting = job::Entity::find()
                .filter(job::Column::Kind.eq(api::services::sms::SEND))
                .filter(job::Column::Status.is_in([api::jobs::status::PENDING, api::jobs::status::RUNNING]))
                .count(&self.state.db)
                .await
                .expect("jobs");
            if waiting == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("queued texts were not sent within 10 s");
    }

    /// Counts audit entries of an action.
    pub async fn audit_count(&self, action: &str) -> usize {
        use api::entities::audit_log;
        audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq(action))
            .all(&self.state.db)
            .await
            .expect("audit")
            .len()
    }
}

/// Reads a problem body and checks it is problem+json.
pub async fn problem(response: Response) -> Value {
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert_eq!(content_type, "application/problem+json", "not a problem: {content_type}");
    response.json().await.expect("problem json")
}

/// The `field`s a validation problem names.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

impl TestApp {
    /// Applies for a path as `org` and returns its id, asserting 201.
    pub async fn apply_path(&self, org: &Org, series: &str, level: &str, parent: &Org) -> String {
        let token = self.org_token(org).await;
        let response = self
            .post_as(&token, "/paths", &json!({"series": series, "level": level, "parent_org_id": parent.id}))
            .await;
        assert_eq!(response.status(), 201, "apply path: {}", response.text().await.unwrap_or_default());
        let body: Value = response.json().await.expect("json");
        body["id"].as_str().expect("id").to_string()
    }

    /// Applies and has the parent approve, returning the path id.
    pub async fn open_path(&self, org: &Org, series: &str, level: &str, parent: &Org) -> String {
        let id = self.apply_path(org, series, level, parent).await;
        let token = self.org_token(parent).await;
        let response = self.post_as(&token, &format!("/paths/{id}/approve"), &json!({})).await;
        assert_eq!(response.status(), 200, "approve path: {}", response.text().await.unwrap_or_default());
        id
    }

    /// Registers a real-name reviewer for `org` and returns (username, reviewer id).
    pub async fn register_reviewer(&self, org: &Org) -> (String, String) {
        let seq = next();
        let token = self.org_token(org).await;
        let username = format!("reviewer{seq}");
        let response = self
            .post_as(
                &token,
                "/org/reviewers",
                &json!({"real_name": "刘审核", "id_number": id_number(seq), "phone": phone(seq),
                        "username": username, "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), 201, "register reviewer: {}", response.text().await.unwrap_or_default());
        let body: Value = response.json().await.expect("json");
        (username, body["id"].as_str().expect("id").to_string())
    }
}

/// A small but real one-page PDF (uploads must open).
pub const PDF: &[u8] = include_bytes!("../fixtures/files/certificate.pdf");
/// A small but real PNG.
pub const PNG: &[u8] = include_bytes!("../fixtures/files/certificate.png");

impl TestApp {
    pub async fn upload(&self, token: &str, bytes: Vec<u8>, filename: &str, content_type: &str) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.to_string())
            .mime_str(content_type)
            .expect("mime");
        let form = reqwest::multipart::Form::new().part("file", part);
        self.client.post(self.url("/attachments")).bearer_auth(token).multipart(form).send().await.expect("upload")
    }

    /// Uploads a PDF and returns its id.
    pub async fn upload_pdf(&self, token: &str) -> String {
        let response = self.upload(token, PDF.to_vec(), "证明.pdf", "application/pdf").await;
        assert_eq!(response.status(), 201, "upload: {}", response.text().await.unwrap_or_default());
        let body: Value = response.json().await.expect("json");
        body["id"].as_str().expect("id").to_string()
    }

    /// Creates a 卫生/中级/护理学 draft for `year` at `employer` and returns it. When no bureau
    /// exists yet, one is registered first so that a plan is open (the employer's paths need
    /// not reach it for a draft).
    pub async fn create_declaration(&self, token: &str, employer: &Org, year: i32) -> Value {
        self.ensure_plans().await;
        let response = self
            .post_as(
                token,
                "/declarations",
                &json!({"year": year, "kind": "title", "series": "health",
                "level": "intermediate", "specialty": "护理学", "org_id": employer.id}),
            )
            .await;
        assert_eq!(response.status(), 201, "create declaration: {}", response.text().await.unwrap_or_default());
        response.json().await.expect("json")
    }

    /// Fills a health declaration so that it can be submitted: info, one item per required
    /// section, evidence where needed.
    pub async fn complete_declaration(&self, token: &str, person: &Person, id: &str) {
        let gender = if person.id_number.as_bytes()[16] % 2 == 1 { "男" } else { "女" };
        let info = json!({"info": {"gender": gender, "birth_date": "1990-01-01", "ethnicity": "汉族", "education": "大学本科",
            "major": "护理学", "position": "护士", "work_start_date": "2012-07-01", "profession_years": 14}, "basic_confirmed": true});
        let response = self.patch_as(token, &format!("/declarations/{id}"), &info).await;
        assert_eq!(response.status(), 200, "fill info: {}", response.text().await.unwrap_or_default());
        let items = [
            (
                "education",
                json!({"school": "山东大学", "major": "护理学", "education": "大学本科", "graduation_date": "2012-06-30"}),
                true,
            ),
            ("annual_review", json!({"year": 2025, "result": "优秀"}), false),
            ("work", json!({"start_date": "2012-07-01", "org_name": "济阳区人民医院", "position": "护士"}), false),
            ("achievement", json!({"name": "护理质量改进项目", "kind": "课题项目", "date": "2024-05-01"}), true),
            ("continuing_education", json!({"year": 2025, "hours": 90, "credit_type": "I类学分"}), true),
        ];
        for (section, data, evidence) in items {
            let attachment_ids = if evidence { vec![self.upload_pdf(token).await] } else { vec![] };
            let response = self
                .post_as(
                    token,
                    &format!("/declarations/{id}/items"),
                    &json!({"section": section, "data": data, "attachment_ids": attachment_ids}),
                )
                .await;
            assert_eq!(response.status(), 201, "add {section}: {}", response.text().await.unwrap_or_default());
        }
    }

    /// 确认申报 as the applicant would: with the plan's 诚信承诺书 accepted.
    pub async fn submit(&self, token: &str, id: &str) -> Response {
        let body = self.pledge_body(token, id).await;
        self.post_as(token, &format!("/declarations/{id}/submit"), &body).await
    }

    /// The submit body accepting the declaration's plan's current 诚信承诺书 (as the caller reads it).
    pub async fn pledge_body(&self, token: &str, id: &str) -> Value {
        let read: Value = self.get_as(token, &format!("/declarations/{id}")).await.json().await.unwrap_or(Value::Null);
        match read["plan"]["pledge_sha256"].as_str() {
            Some(hash) => json!({"pledge_sha256": hash, "pledge_accepted": true}),
            None => json!({}),
        }
    }

    /// A person with a complete declaration at an employer whose path up to a bureau is open,
    /// submitted. Returns (person, person token, declaration id).
    pub async fn submitted_declaration(&self, chain: &Chain) -> (Person, String, String) {
        let person = self.register_person().await;
        let token = self.token_of(&person).await;
        let declaration = self.create_declaration(&token, &chain.employer, 2026).await;
        let id = declaration["id"].as_str().expect("id").to_string();
        self.complete_declaration(&token, &person, &id).await;
        let response = self.submit(&token, &id).await;
        assert_eq!(response.status(), 200, "submit: {}", response.text().await.unwrap_or_default());
        (person, token, id)
    }

    /// institution → authority → bureau with open 卫生/中级 paths and a reviewer at each level;
    /// the bureau has opened the helper plans.
    pub async fn chain(&self) -> Chain {
        let bureau = self.register_org("hrss").await;
        self.chain_to(bureau).await
    }

    /// The same chain up to a given bureau (e.g. one without plans).
    pub async fn chain_to(&self, bureau: Org) -> Chain {
        let employer = self.register_org("institution").await;
        let authority = self.register_org("authority").await;
        self.open_path(&employer, "health", "intermediate", &authority).await;
        self.open_path(&authority, "health", "intermediate", &bureau).await;
        let employer_reviewer = self.register_reviewer(&employer).await.0;
        let authority_reviewer = self.register_reviewer(&authority).await.0;
        let bureau_reviewer = self.register_reviewer(&bureau).await.0;
        Chain { employer, authority, bureau, employer_reviewer, authority_reviewer, bureau_reviewer }
    }
}

pub struct Chain {
    pub employer: Org,
    pub authority: Org,
    pub bureau: Org,
    pub employer_reviewer: String,
    pub authority_reviewer: String,
    pub bureau_reviewer: String,
}

impl TestApp {
    pub async fn approve(&self, token: &str, id: &str) -> Response {
        self.post_as(token, &format!("/reviews/{id}/approve"), &json!({})).await
    }

    pub async fn return_declaration(&self, token: &str, id: &str, body: &Value) -> Response {
        self.post_as(token, &format!("/reviews/{id}/return"), body).await
    }

    pub async fn report(&self, token: &str, ids: &[&str]) -> Response {
        self.post_as(token, "/reports", &json!({"declaration_ids": ids})).await
    }

    /// The declaration as its owner sees it.
    pub async fn declaration(&self, token: &str, id: &str) -> Value {
        self.get_as(token, &format!("/declarations/{id}")).await.json().await.expect("json")
    }

    /// The caller a service sees for an account, to call services directly.
    pub async fn caller(&self, username: &str) -> api::auth::AuthUser {
        use api::entities::account;
        let row = account::Entity::find()
            .filter(account::Column::Username.eq(username))
            .one(&self.state.db)
            .await
            .expect("account")
            .expect("known username");
        api::auth::AuthUser {
            id: row.id,
            username: row.username,
            role: api::domain::Role::parse(&row.role).expect("role"),
            real_name: row.real_name,
            org_id: row.org_id,
        }
    }

    /// A second state on the same database whose connection counts the statements it runs.
    pub async fn counting_state(&self) -> (api::state::AppState, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut db = api::db::connect(&self.settings.database).await.expect("connect");
        let seen = counter.clone();
        db.set_metric_callback(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        let state = api::state::AppState::new(self.settings.clone(), db).expect("state");
        (state, counter)
    }
}

/// The years the helper plans open (tests declare in these).
pub const HELPER_PLAN_YEARS: std::ops::RangeInclusive<i32> = 2024..=2027;

/// A plan body open from a day ago for 60 days (each level 10 days more), every series and level.
pub fn plan_body(bureau: Option<&Org>, year: i32, kind: &str, series: &[String]) -> Value {
    let now = chrono::Utc::now();
    let at = |days: i64| (now + chrono::Duration::days(days)).to_rfc3339();
    let mut body = json!({
        "year": year, "kind": kind, "name": format!("{year}年度职称申报（{kind}）"),
        "notice": "测试用申报通知", "series": series,
        "levels": ["senior", "deputy_senior", "intermediate", "assistant", "staff"],
        "opens_at": at(-1), "closes_at": at(60), "return_closes_at": at(70),
        "employer_closes_at": at(80), "authority_closes_at": at(90), "bureau_closes_at": at(100),
        "exceptional_allowed": true,
    });
    if let Some(bureau) = bureau {
        body["bureau_org_id"] = json!(bureau.id);
    }
    body
}

impl TestApp {
    /// Every active series code of the catalogue.
    pub async fn series_codes(&self) -> Vec<String> {
        use api::entities::series;
        series::Entity::find()
            .filter(series::Column::Active.eq(true))
            .all(&self.state.db)
            .await
            .expect("series")
            .into_iter()
            .map(|s| s.code)
            .collect()
    }

    /// Opens, as the platform admin, a plan of `bureau` for each helper year and kind covering
    /// every series and level (open now, closing in 60 days), so existing tests declare inside a
    /// plan without knowing about plans.
    pub async fn open_helper_plans(&self, bureau: &Org) {
        let admin = self.plan_admin_token().await;
        let series = self.series_codes().await;
        for year in HELPER_PLAN_YEARS {
            for kind in ["title", "assessment"] {
                let response = self.post_as(&admin, "/plans", &plan_body(Some(bureau), year, kind, &series)).await;
                assert_eq!(response.status(), 201, "open plan: {}", response.text().await.unwrap_or_default());
            }
        }
    }

    /// The platform admin's token, logged in once per test for the plan helpers.
    pub async fn plan_admin_token(&self) -> String {
        let mut cached = self.plan_admin.lock().await;
        if let Some(token) = cached.as_ref() {
            return token.clone();
        }
        let token = self.admin_token().await;
        *cached = Some(token.clone());
        token
    }

    /// Makes sure some bureau has opened the helper plans (registering one if none has).
    pub async fn ensure_plans(&self) -> Org {
        if let Some(bureau) = self.bureaus.lock().await.first().cloned() {
            return bureau;
        }
        self.register_org("hrss").await
    }

    /// Publishes a plan as the platform admin from `body` and returns its JSON, asserting 201.
    pub async fn publish_plan(&self, body: &Value) -> Value {
        let admin = self.plan_admin_token().await;
        let response = self.post_as(&admin, "/plans", body).await;
        assert_eq!(response.status(), 201, "publish plan: {}", response.text().await.unwrap_or_default());
        response.json().await.expect("json")
    }
}
