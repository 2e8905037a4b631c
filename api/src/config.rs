//! Settings: built-in defaults, then `config/<profile>.toml`, then `APP__SECTION__KEY` variables.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;

/// How far a drill may move the clock (ten years either way).
const MAX_CLOCK_OFFSET_DAYS: i64 = 3650;

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// `development` (default), `test` or `production`; chosen by `APP_PROFILE`.
    pub profile: String,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub storage: StorageSettings,
    pub auth: AuthSettings,
    #[serde(default)]
    pub security: SecuritySettings,
    pub admin: AdminSettings,
    pub demo: DemoSettings,
    pub rate_limit: RateLimitSettings,
    /// Unified government platform login (山东省政务统一平台登录); off unless configured.
    #[serde(default)]
    pub sso: SsoSettings,
    /// The background worker (`crate::jobs`).
    #[serde(default)]
    pub jobs: JobSettings,
    /// Prometheus metrics at `/metrics` (`crate::metrics`); off unless enabled.
    #[serde(default)]
    pub metrics: MetricsSettings,
    /// The SMS gateway, texts' signature and caps (`services::sms`).
    #[serde(default)]
    pub sms: SmsSettings,
    /// Scheduled reminders and 催办 (`services::reminders`).
    #[serde(default)]
    pub reminders: ReminderSettings,
    /// Generated documents: the 评审表 PDF and the Excel exports (issue 15).
    #[serde(default)]
    pub documents: DocumentSettings,
    /// The rules' clock (`crate::clock`): a drill may start an instance days ahead.
    #[serde(default)]
    pub clock: ClockSettings,
}

/// The rules' clock. Read once at start; nothing a request sends can move it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ClockSettings {
    /// Days added to the system clock for the rules this process applies (deadlines, 公示
    /// periods, periodic jobs); 0 in any real deployment. A drill or an end-to-end test starts a
    /// second instance on the same database with it, to let a period pass without waiting.
    /// Refused by the production profile; logged as a warning at start when not 0.
    pub offset_days: i64,
}

/// Prometheus metrics at `/metrics`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MetricsSettings {
    pub enabled: bool,
    /// When set, a scraper must send `Authorization: Bearer <token>`; others get 404.
    pub token: Option<String>,
}

/// Where texts go and how many one phone may get.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SmsSettings {
    /// `outbox` (the development gateway: the `sms_outbox` table) or `http` (an HTTP gateway).
    pub gateway: String,
    /// The HTTP gateway's endpoint: it receives `POST {id, phone, content}` as JSON.
    pub http_url: Option<String>,
    /// Sent as `Authorization: Bearer …` to the HTTP gateway when set.
    pub http_token: Option<String>,
    /// How long one call to the gateway may take before it counts as failed (and is retried).
    pub timeout_ms: u64,
    /// The platform's signature, put first in every text as 【…】.
    pub signature: String,
    /// Texts one phone may receive per Beijing day; past it, texts are dropped (and recorded).
    pub daily_cap_per_phone: u64,
}

impl Default for SmsSettings {
    fn default() -> Self {
        Self {
            gateway: "outbox".into(),
            http_url: None,
            http_token: None,
            timeout_ms: 5000,
            signature: "职称申报评审服务平台".into(),
            daily_cap_per_phone: 20,
        }
    }
}

/// What the daily reminders (09:00 Beijing) look for.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ReminderSettings {
    /// Applicants with a draft are reminded this many days (or fewer) before the plan closes.
    pub draft_days_before_close: i64,
    /// Reviewers are reminded of files that have waited at their organisation this many days.
    pub files_waiting_days: i64,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        Self { draft_days_before_close: 3, files_waiting_days: 5 }
    }
}

/// Generated documents (评审表 PDF, Excel exports and imports).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct DocumentSettings {
    /// A font with CJK glyphs, embedded (subsetted) into every PDF: a `.ttf`, `.otf` or `.ttc`.
    /// The default is Debian's `fonts-wqy-microhei` (Apache-2.0 / GPLv3 with font exception),
    /// which `scripts/ensure-deps.sh fonts` installs.
    pub font_path: PathBuf,
    /// The face within a collection (`.ttc`); 0 for a single font.
    pub font_index: u32,
    /// The platform's public address as users reach it: the QR code of a 评审表 points to
    /// `{public_url}/verify/forms/{hash}`.
    pub public_url: String,
    /// Most rows one bulk import may hold.
    pub import_max_rows: usize,
}

impl Default for DocumentSettings {
    fn default() -> Self {
        Self {
            font_path: PathBuf::from("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
            font_index: 0,
            public_url: "http://127.0.0.1:8080".into(),
            import_max_rows: 10_000,
        }
    }
}

/// The background worker: how often it looks for work, how much it takes at once, how long a
/// claim lasts, and how failures are retried.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct JobSettings {
    /// Run the worker in this process. Every instance may run one: claims never overlap.
    pub enabled: bool,
    /// Enqueue the periodic jobs (reminders, cleanup) when their time comes.
    pub periodic: bool,
    /// Pause between looks for due work when the last look found none.
    pub poll_interval_ms: u64,
    /// Jobs claimed (and run concurrently) at once.
    pub batch_size: u64,
    /// How long a claim lasts; a job whose worker died is claimed again after it. Keep it well
    /// above the longest job (the SMS gateway's timeout).
    pub lease_secs: i64,
    /// First retry delay; each further failure doubles it, up to `retry_max_secs`.
    pub retry_base_secs: i64,
    pub retry_max_secs: i64,
    /// Finished jobs are deleted after this many days (failed ones are kept).
    pub keep_done_days: i64,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            periodic: true,
            poll_interval_ms: 500,
            batch_size: 10,
            lease_secs: 300,
            retry_base_secs: 30,
            retry_max_secs: 3600,
            keep_done_days: 7,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// The built SPA; a placeholder page is served when the folder has no `index.html`.
    pub static_dir: PathBuf,
    /// Caps the size of any JSON body.
    pub json_limit_bytes: usize,
    /// Graceful shutdown: how long in-flight requests may take to finish.
    pub shutdown_timeout_secs: u64,
    /// Load balancers whose `X-Forwarded-For` is believed, comma-separated addresses
    /// (`10.0.0.5,10.0.0.6`); empty: the socket peer is the client.
    #[serde(default)]
    pub trusted_proxies: String,
    /// `trusted_proxies`, parsed when the settings are loaded.
    #[serde(skip)]
    pub trusted_proxy_ips: Vec<std::net::IpAddr>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StorageSettings {
    /// `local` (files under `dir`) or `s3` (an S3-compatible object store, `storage.s3.*`).
    pub backend: String,
    /// The local store's folder; with `s3`, only its `tmp` folder is used, to stage uploads.
    pub dir: PathBuf,
    #[serde(default)]
    pub s3: S3Settings,
    pub max_upload_bytes: u64,
    /// At most this many evidence files per account (uploads kept, linked or not).
    pub max_files_per_account: u64,
    /// At most this many bytes of evidence files per account.
    pub max_bytes_per_account: u64,
    /// Uploads never linked to an item are removed this many hours after upload.
    pub orphan_grace_hours: i64,
    /// With `s3`: a download the caller may make answers with a redirect to a presigned GET URL
    /// valid this many seconds, instead of streaming the bytes through the API. 0 (the default)
    /// streams. At most [`MAX_PRESIGN_SECONDS`]: the URL is a bearer ticket to the file.
    #[serde(default)]
    pub presign_seconds: u64,
}

/// The longest a presigned download URL may live (`storage.presign_seconds`).
pub const MAX_PRESIGN_SECONDS: u64 = 600;

/// An S3-compatible object store (`storage.backend = "s3"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct S3Settings {
    /// The service's URL (`https://s3.example.com`); unset for AWS itself. `http://` is allowed
    /// (a store on the local network).
    pub endpoint: Option<String>,
    pub bucket: String,
    pub region: String,
    /// Unset: taken from the environment (`AWS_ACCESS_KEY_ID` …) or an instance profile.
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// Keys go under this prefix in the bucket (several deployments may share one).
    pub prefix: String,
    /// `https://bucket.host/key` instead of `https://host/bucket/key`.
    pub virtual_hosted_style: bool,
    /// Multipart upload part size (at least 5 MiB, S3's minimum).
    pub part_size_bytes: usize,
}

impl Default for S3Settings {
    fn default() -> Self {
        Self {
            endpoint: None,
            bucket: String::new(),
            region: "us-east-1".into(),
            access_key_id: None,
            secret_access_key: None,
            prefix: String::new(),
            virtual_hosted_style: false,
            part_size_bytes: 5 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    /// HS256 signing secret; generated and kept under `./data` in development when unset.
    pub jwt_secret: Option<String>,
    pub issuer: String,
    pub audience: String,
    pub access_ttl_secs: i64,
    /// Idle end of a session: a refresh token unused this long stops working.
    pub refresh_ttl_secs: i64,
    /// Absolute end of a session: no refresh extends a login beyond this many seconds.
    pub session_max_secs: i64,
    pub lockout_threshold: i32,
    pub lockout_minutes: i64,
    pub otp_ttl_secs: i64,
    pub otp_max_attempts: i32,
    /// At most this many one-time codes per account per hour.
    pub otp_per_hour: u64,
    /// Days after which a password must be changed; 0 turns expiry off.
    pub password_max_age_days: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SecuritySettings {
    /// Base64 of 32 bytes: encrypts ID numbers and phones at rest and keys their lookup hashes.
    /// Generated and kept under `./data` in development when unset.
    pub data_key: Option<String>,
    /// Base64 of 32 bytes: keys the audit log's hash chain (HMAC-SHA256), so that whoever can
    /// write the database cannot rewrite the chain. Generated and kept under `./data` in
    /// development when unset.
    pub audit_key: Option<String>,
    /// Base64 of a 32-byte Ed25519 seed: signs electronic certificates (职称电子证书). Its public
    /// part is published at `/api/v1/verify/public-key`. Generated and kept under `./data` in
    /// development when unset.
    #[serde(default)]
    pub signing_key: Option<String>,
    /// The public address of the site, put before `/verify/{number}` in a certificate's QR code
    /// (e.g. `https://zhicheng.example.gov.cn`); empty: the address is relative.
    #[serde(default)]
    pub public_url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AdminSettings {
    pub username: String,
    pub password: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DemoSettings {
    /// Seed demo organisations and accounts into an empty database on start.
    pub seed: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RateLimitSettings {
    /// Requests per minute per client IP on the login, registration and code endpoints.
    pub auth_per_minute: u32,
    pub auth_burst: u32,
    /// Costly actions (hashing a new password, storing a file) per minute per signed-in
    /// account, each action counted apart; `account_burst` may come at once.
    pub account_per_minute: u32,
    pub account_burst: u32,
}

/// One OpenID Connect issuer. SSO is on when `issuer`, `client_id` and `redirect_url` are all set.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SsoSettings {
    /// The issuer identifier, exactly as the provider's ID tokens carry it in `iss`.
    pub issuer: Option<String>,
    /// Where the discovery document lives; `{issuer}/.well-known/openid-configuration` when unset.
    pub discovery_url: Option<String>,
    /// Explicit endpoints instead of discovery: all three together, or none.
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    pub client_id: Option<String>,
    /// Without a secret the platform is a public client (PKCE only).
    pub client_secret: Option<String>,
    /// Our callback as registered with the provider: `https://<host>/api/v1/auth/sso/callback`.
    pub redirect_url: Option<String>,
    /// Space- or comma-separated; `openid` is always requested.
    pub scopes: String,
    /// The button label the SPA shows.
    pub display_name: String,
    /// The claim with a person's 18-digit ID number.
    pub id_number_claim: String,
    /// The claim with an organisation's unified social credit code.
    pub uscc_claim: String,
    /// The claim that says whether a natural person or a legal person logged in. Empty: a token
    /// with a credit code is a legal-person login. Set it when the platform also puts an employer's
    /// credit code into natural persons' tokens.
    pub user_type_claim: String,
    /// The value of `user_type_claim` that means a legal person (法人).
    pub org_user_type: String,
    /// The claim with the person's real name.
    pub name_claim: String,
    /// The claim with the organisation's name, for legal-person logins.
    pub org_name_claim: String,
    /// Prefix of the browser redirects to the SPA (`/sso/complete`, `/sso/register`, `/login`);
    /// empty means the SPA is served from the same origin as the API.
    pub frontend_url: String,
    /// How long a started login may take at the provider.
    pub login_ttl_secs: i64,
    /// Lifetime of the one-time login code handed to the SPA (at most 300).
    pub code_ttl_secs: i64,
    /// Lifetime of a registration ticket (at most 300).
    pub ticket_ttl_secs: i64,
    /// Timeout of each request to the provider.
    pub http_timeout_secs: u64,
    /// How long discovery and JWKS are cached; an unknown signing key refreshes them at once.
    pub metadata_ttl_secs: u64,
}

impl Default for SsoSettings {
    fn default() -> Self {
        Self {
            issuer: None,
            discovery_url: None,
            authorization_endpoint: None,
            token_endpoint: None,
            jwks_uri: None,
            client_id: None,
            client_secret: None,
            redirect_url: None,
            scopes: "openid profile".into(),
            display_name: "山东省政务统一平台".into(),
            id_number_claim: "id_number".into(),
            uscc_claim: "uscc".into(),
            user_type_claim: String::new(),
            org_user_type: "legal_person".into(),
            name_claim: "name".into(),
            org_name_claim: "org_name".into(),
            frontend_url: String::new(),
            login_ttl_secs: 600,
            code_ttl_secs: 120,
            ticket_ttl_secs: 300,
            http_timeout_secs: 10,
            metadata_ttl_secs: 3600,
        }
    }
}

impl SsoSettings {
    /// True when the issuer, client and callback are configured.
    pub fn enabled(&self) -> bool {
        [&self.issuer, &self.client_id, &self.redirect_url]
            .iter()
            .all(|value| value.as_deref().is_some_and(|v| !v.trim().is_empty()))
    }

    fn check(&self, production: bool) -> anyhow::Result<()> {
        let configured = [&self.issuer, &self.client_id, &self.redirect_url]
            .iter()
            .filter(|value| value.as_deref().is_some_and(|v| !v.trim().is_empty()))
            .count();
        if configured != 0 && configured != 3 {
            bail!(
                "sso needs issuer, client_id and redirect_url together (APP__SSO__ISSUER, …CLIENT_ID, …REDIRECT_URL)"
            );
        }
        let explicit = [&self.authorization_endpoint, &self.token_endpoint, &self.jwks_uri];
        let explicit_count = explicit.iter().filter(|value| value.is_some()).count();
        if explicit_count != 0 && explicit_count != 3 {
            bail!("sso endpoints go together: authorization_endpoint, token_endpoint and jwks_uri");
        }
        if explicit_count == 3 && self.discovery_url.is_some() {
            bail!("sso: give either discovery_url or the explicit endpoints, not both");
        }
        if !(1..=600).contains(&self.login_ttl_secs) {
            bail!("sso.login_ttl_secs must be between 1 and 600");
        }
        if !(1..=300).contains(&self.code_ttl_secs) || !(1..=300).contains(&self.ticket_ttl_secs) {
            bail!("sso.code_ttl_secs and sso.ticket_ttl_secs must be between 1 and 300");
        }
        if self.http_timeout_secs == 0 {
            bail!("sso.http_timeout_secs must be positive");
        }
        // Codes and ID tokens travel these URLs: plain HTTP is for a provider on this machine.
        if production && self.enabled() {
            let urls = [&self.issuer, &self.redirect_url, &self.discovery_url, &self.token_endpoint, &self.jwks_uri];
            if urls.iter().filter_map(|url| url.as_deref()).any(|url| !url.starts_with("https://")) {
                bail!("production sso URLs must use https");
            }
        }
        Ok(())
    }
}

impl Settings {
    /// Loads the settings for `APP_PROFILE` (default `development`) from `./config` and the environment.
    pub fn load() -> anyhow::Result<Self> {
        let profile = std::env::var("APP_PROFILE").unwrap_or_else(|_| "development".into());
        Self::load_from(Path::new("config"), &profile)
    }

    pub fn load_from(config_dir: &Path, profile: &str) -> anyhow::Result<Self> {
        let builder = config::Config::builder()
            .set_default("profile", profile)?
            .set_default("server.host", "127.0.0.1")?
            .set_default("server.port", 8080)?
            .set_default("server.static_dir", "frontend/dist")?
            .set_default("server.json_limit_bytes", 256 * 1024)?
            .set_default("server.shutdown_timeout_secs", 30)?
            .set_default("database.url", "sqlite://data/zhicheng.db?mode=rwc")?
            .set_default("database.max_connections", 10)?
            .set_default("storage.backend", "local")?
            .set_default("storage.dir", "data/files")?
            .set_default("storage.max_upload_bytes", 5 * 1024 * 1024)?
            .set_default("storage.max_files_per_account", 200)?
            .set_default("storage.max_bytes_per_account", 200 * 1024 * 1024)?
            .set_default("storage.orphan_grace_hours", 24)?
            .set_default("storage.presign_seconds", 0)?
            .set_default("auth.issuer", "zhicheng")?
            .set_default("auth.audience", "zhicheng-api")?
            .set_default("auth.access_ttl_secs", 900)?
            .set_default("auth.refresh_ttl_secs", 14 * 24 * 3600)?
            .set_default("auth.session_max_secs", 12 * 3600)?
            .set_default("auth.lockout_threshold", 5)?
            .set_default("auth.lockout_minutes", 15)?
            .set_default("auth.otp_ttl_secs", 600)?
            .set_default("auth.otp_max_attempts", 5)?
            .set_default("auth.otp_per_hour", 5)?
            .set_default("auth.password_max_age_days", 0)?
            .set_default("admin.username", "admin")?
            .set_default("demo.seed", false)?
            .set_default("rate_limit.auth_per_minute", 60)?
            .set_default("rate_limit.auth_burst", 30)?
            .set_default("rate_limit.account_per_minute", 10)?
            .set_default("rate_limit.account_burst", 10)?
            .add_source(config::File::from(config_dir.join(format!("{profile}.toml"))).required(false))
            .add_source(config::Environment::with_prefix("APP").prefix_separator("__").separator("__"));
        let mut settings: Settings = builder.build()?.try_deserialize().context("reading settings")?;
        settings.check()?;
        Ok(settings)
    }

    pub fn is_production(&self) -> bool {
        self.profile == "production"
    }

    fn check(&mut self) -> anyhow::Result<()> {
        if self.auth.access_ttl_secs <= 0 || self.auth.access_ttl_secs > 900 {
            bail!("auth.access_ttl_secs must be between 1 and 900 (access tokens stay short)");
        }
        if self.auth.session_max_secs < self.auth.access_ttl_secs {
            bail!("auth.session_max_secs must be at least auth.access_ttl_secs");
        }
        if self.auth.otp_ttl_secs <= 0 || self.auth.otp_ttl_secs > 600 {
            bail!("auth.otp_ttl_secs must be between 1 and 600");
        }
        self.sso.check(self.is_production())?;
        self.server.trusted_proxy_ips = self
            .server
            .trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| part.parse().with_context(|| format!("server.trusted_proxies: {part} is not an IP address")))
            .collect::<anyhow::Result<_>>()?;
        if self.storage.backend == "s3" && self.storage.s3.bucket.is_empty() {
            bail!("storage.backend = s3 needs APP__STORAGE__S3__BUCKET");
        }
        if self.storage.presign_seconds > MAX_PRESIGN_SECONDS {
            bail!("storage.presign_seconds must be at most {MAX_PRESIGN_SECONDS} (0 streams downloads)");
        }
        let jobs = &self.jobs;
        if jobs.poll_interval_ms == 0 || jobs.batch_size == 0 || jobs.batch_size > 100 {
            bail!("jobs.poll_interval_ms must be positive and jobs.batch_size between 1 and 100");
        }
        if jobs.lease_secs < 1 || jobs.retry_base_secs < 0 || jobs.retry_max_secs < jobs.retry_base_secs {
            bail!("jobs.lease_secs must be positive and jobs.retry_max_secs at least jobs.retry_base_secs");
        }
        match self.sms.gateway.as_str() {
            "outbox" => {}
            "http" if self.sms.http_url.as_deref().is_some_and(|u| u.starts_with("http")) => {}
            "http" => bail!("sms.gateway = \"http\" needs sms.http_url"),
            other => bail!("sms.gateway must be \"outbox\" or \"http\", not {other:?}"),
        }
        if self.sms.timeout_ms == 0 || self.sms.signature.trim().is_empty() {
            bail!("sms.timeout_ms must be positive and sms.signature set");
        }
        if self.clock.offset_days.abs() > MAX_CLOCK_OFFSET_DAYS {
            bail!("clock.offset_days must be between -{MAX_CLOCK_OFFSET_DAYS} and {MAX_CLOCK_OFFSET_DAYS}");
        }
        if self.is_production() {
            if self.clock.offset_days != 0 {
                bail!("production runs on the system clock: unset APP__CLOCK__OFFSET_DAYS");
            }
            if self.auth.jwt_secret.as_deref().is_none_or(|s| s.len() < 32) {
                bail!("production needs APP__AUTH__JWT_SECRET of at least 32 characters");
            }
            if self.security.data_key.is_none() {
                bail!("production needs APP__SECURITY__DATA_KEY (base64 of 32 random bytes)");
            }
            if self.security.audit_key.is_none() {
                bail!("production needs APP__SECURITY__AUDIT_KEY (base64 of 32 random bytes)");
            }
            if self.security.signing_key.is_none() {
                bail!("production needs APP__SECURITY__SIGNING_KEY (base64 of a 32-byte Ed25519 seed)");
            }
            if self.admin.password.is_none() {
                bail!("production needs APP__ADMIN__PASSWORD for the first start");
            }
        }
        Ok(())
    }

    /// The JWT secret, generating and keeping one in the data folder outside production.
    pub fn jwt_secret(&self) -> anyhow::Result<Vec<u8>> {
        match &self.auth.jwt_secret {
            Some(secret) => Ok(secret.as_bytes().to_vec()),
            None => self.kept_secret("jwt-secret"),
        }
    }

    /// The 32-byte data key, generating and keeping one in the data folder outside production.
    pub fn data_key(&self) -> anyhow::Result<[u8; 32]> {
        let bytes = match &self.security.data_key {
            Some(encoded) => BASE64.decode(encoded.trim()).context("APP__SECURITY__DATA_KEY is not base64")?,
            None => self.kept_secret("data-key")?,
        };
        bytes.try_into().map_err(|_| anyhow::anyhow!("the data key must be exactly 32 bytes"))
    }

    /// The 32-byte key of the audit chain, generating and keeping one in the data folder outside
    /// production.
    pub fn audit_key(&self) -> anyhow::Result<[u8; 32]> {
        let bytes = match &self.security.audit_key {
            Some(encoded) => BASE64.decode(encoded.trim()).context("APP__SECURITY__AUDIT_KEY is not base64")?,
            None => self.kept_secret("audit-key")?,
        };
        bytes.try_into().map_err(|_| anyhow::anyhow!("the audit key must be exactly 32 bytes"))
    }

    /// The 32-byte Ed25519 seed that signs certificates, generating and keeping one in the data
    /// folder outside production.
    pub fn signing_key(&self) -> anyhow::Result<[u8; 32]> {
        let bytes = match &self.security.signing_key {
            Some(encoded) => BASE64.decode(encoded.trim()).context("APP__SECURITY__SIGNING_KEY is not base64")?,
            None => self.kept_secret("signing-key")?,
        };
        bytes.try_into().map_err(|_| anyhow::anyhow!("the signing key must be exactly 32 bytes"))
    }

    fn kept_secret(&self, name: &str) -> anyhow::Result<Vec<u8>> {
        if self.is_production() {
            bail!("production refuses to generate its own {name}");
        }
        let dir = self.data_dir();
        let path = dir.join(name);
        if let Ok(encoded) = std::fs::read_to_string(&path) {
            return BASE64.decode(encoded.trim()).with_context(|| format!("{} is corrupt", path.display()));
        }
        std::fs::create_dir_all(&dir)?;
        let secret: [u8; 32] = rand::random();
        std::fs::write(&path, BASE64.encode(secret))?;
        tracing::warn!(path = %path.display(), "generated a development {name}; set it in production");
        Ok(secret.to_vec())
    }

    /// The folder for generated development secrets: the parent of the storage folder.
    fn data_dir(&self) -> PathBuf {
        self.storage.dir.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("data"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_refuses_to_start_without_a_secret() {
        let dir = tempfile::tempdir().unwrap();
        let error = Settings::load_from(dir.path(), "production").unwrap_err();
        assert!(error.to_string().contains("JWT_SECRET"));
    }

    #[test]
    fn a_profile_file_overrides_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("staging.toml"), "[server]\nport = 9191\n").unwrap();
        let settings = Settings::load_from(dir.path(), "staging").unwrap();
        assert_eq!(settings.server.port, 9191);
        assert_eq!(settings.storage.max_upload_bytes, 5 * 1024 * 1024);
    }

    #[test]
    fn development_keeps_its_generated_secret() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::load_from(dir.path(), "development").unwrap();
        settings.storage.dir = dir.path().join("files");
        let first = settings.jwt_secret().unwrap();
        assert_eq!(first, settings.jwt_secret().unwrap());
        assert_eq!(settings.data_key().unwrap().len(), 32);
        let audit_key = settings.audit_key().unwrap();
        assert_eq!(audit_key, settings.audit_key().unwrap());
        assert_ne!(audit_key, settings.data_key().unwrap());
    }

    #[test]
    fn production_refuses_to_start_without_an_audit_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("production.toml"),
            "[auth]\njwt_secret = \"0123456789abcdef0123456789abcdef\"\n[admin]\npassword = \"Admin#Prod2026\"\n\
             [security]\ndata_key = \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"\n",
        )
        .unwrap();
        let error = Settings::load_from(dir.path(), "production").unwrap_err();
        assert!(error.to_string().contains("AUDIT_KEY"), "{error}");
    }

    const PRODUCTION_SECRETS: &str = "[auth]\njwt_secret = \"0123456789abcdef0123456789abcdef\"\n\
        [admin]\npassword = \"Admin#Prod2026\"\n[security]\n\
        data_key = \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"\n\
        audit_key = \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"\n\
        signing_key = \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"\n";

    #[test]
    fn production_refuses_a_moved_clock() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("production.toml"), PRODUCTION_SECRETS).unwrap();
        assert_eq!(Settings::load_from(dir.path(), "production").unwrap().clock.offset_days, 0);
        std::fs::write(dir.path().join("production.toml"), format!("{PRODUCTION_SECRETS}[clock]\noffset_days = 8\n"))
            .unwrap();
        let error = Settings::load_from(dir.path(), "production").unwrap_err();
        assert!(error.to_string().contains("OFFSET_DAYS"), "{error}");
    }

    #[test]
    fn a_drill_may_move_the_clock_by_at_most_ten_years() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("drill.toml"), "[clock]\noffset_days = -8\n").unwrap();
        assert_eq!(Settings::load_from(dir.path(), "drill").unwrap().clock.offset_days, -8);
        std::fs::write(dir.path().join("drill.toml"), "[clock]\noffset_days = 3651\n").unwrap();
        let error = Settings::load_from(dir.path(), "drill").unwrap_err();
        assert!(error.to_string().contains("offset_days"), "{error}");
    }

    #[test]
    fn a_presigned_download_lives_ten_minutes_at_most() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load_from(dir.path(), "drill").unwrap().storage.presign_seconds, 0, "off by default");
        std::fs::write(dir.path().join("drill.toml"), "[storage]\npresign_seconds = 600\n").unwrap();
        assert_eq!(Settings::load_from(dir.path(), "drill").unwrap().storage.presign_seconds, 600);
        std::fs::write(dir.path().join("drill.toml"), "[storage]\npresign_seconds = 601\n").unwrap();
        let error = Settings::load_from(dir.path(), "drill").unwrap_err();
        assert!(error.to_string().contains("presign_seconds"), "{error}");
    }
}
