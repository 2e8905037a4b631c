//! A small OpenID provider for the tests: discovery, JWKS, authorize and token endpoints over real
//! HTTP, ID tokens signed RS256 with an RSA key generated at start.
//!
//! It approves every authorization request at once, with the claims the test queued for the next
//! login ([`MockOidc::next_login`] or `POST /control/next-login`), falling back to the default
//! claims. Like a real provider it checks the client, the redirect URI, PKCE (S256 only) and
//! single use of codes. A queued login can be told to misbehave (see [`Misbehave`]).

use std::collections::{HashMap, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, rand_core::OsRng};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// How the provider should misbehave for one login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Misbehave {
    /// The ID token's `aud` is another client.
    WrongAudience,
    /// The ID token expired ten minutes ago.
    Expired,
    /// The ID token is signed with a key that is not in the JWKS (under the published `kid`).
    BadSignature,
    /// The ID token carries another `nonce`.
    WrongNonce,
    /// The ID token's `iss` is another issuer.
    WrongIssuer,
    /// The authorization response hands out the previous, already redeemed code again.
    ReplayCode,
    /// The user refuses: the authorization response is `error=access_denied`.
    Deny,
    /// The token response has no ID token.
    NoIdToken,
}

/// Who logs in next, and how the provider behaves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NextLogin {
    /// The claims of the ID token (`sub` at least); they override the provider's own.
    pub claims: Map<String, Value>,
    #[serde(default)]
    pub misbehave: Option<Misbehave>,
}

impl NextLogin {
    /// Claims from a JSON object literal; anything else gives no claims.
    pub fn claims(claims: Value) -> Self {
        Self { claims: claims.as_object().cloned().unwrap_or_default(), misbehave: None }
    }

    pub fn misbehaving(mut self, misbehave: Misbehave) -> Self {
        self.misbehave = Some(misbehave);
        self
    }
}

#[derive(Debug, Clone)]
pub struct MockOidcConfig {
    pub host: String,
    pub port: u16,
    pub client_id: String,
    /// When set, the token endpoint requires it (basic or post); when not, the client is public.
    pub client_secret: Option<String>,
    /// Redirect URIs the client may use; empty accepts any (the tests learn the API's port late).
    pub redirect_uris: Vec<String>,
    /// Who logs in when nothing is queued.
    pub default_login: Option<NextLogin>,
}

impl Default for MockOidcConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 0,
            client_id: "zhicheng".into(),
            client_secret: Some("mock-client-secret".into()),
            redirect_uris: Vec::new(),
            default_login: None,
        }
    }
}

/// What the provider saw, for tests that check the relying party's side of the protocol.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Seen {
    /// The query of each authorization request.
    pub authorize: Vec<HashMap<String, String>>,
    /// The form of each token request, with `client_auth` = `basic` or `post`.
    pub token: Vec<HashMap<String, String>>,
}

struct IssuedCode {
    redirect_uri: String,
    code_challenge: String,
    nonce: Option<String>,
    login: NextLogin,
    used: bool,
}

struct Keys {
    kid: String,
    signing: EncodingKey,
    /// A key nobody published, for `bad_signature`.
    rogue: EncodingKey,
    jwks: Value,
}

struct Provider {
    issuer: String,
    config: MockOidcConfig,
    keys: Keys,
    queue: Mutex<VecDeque<NextLogin>>,
    codes: Mutex<HashMap<String, IssuedCode>>,
    last_code: Mutex<Option<String>>,
    seen: Mutex<Seen>,
}

/// A running provider; its server lives as long as the test's runtime (or the process).
pub struct MockOidc {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    provider: Arc<Provider>,
    handle: actix_web::dev::ServerHandle,
}

impl MockOidc {
    /// Generates the keys, binds the listener (port 0 picks one) and serves in the background.
    /// Call from within a Tokio runtime.
    pub async fn start(config: MockOidcConfig) -> anyhow::Result<Self> {
        let keys = tokio::task::spawn_blocking(generate_keys).await??;
        let listener = TcpListener::bind((config.host.as_str(), config.port))?;
        let issuer = format!("http://{}:{}", config.host, listener.local_addr()?.port());
        let provider = Arc::new(Provider {
            issuer: issuer.clone(),
            config: config.clone(),
            keys,
            queue: Mutex::new(VecDeque::new()),
            codes: Mutex::new(HashMap::new()),
            last_code: Mutex::new(None),
            seen: Mutex::new(Seen::default()),
        });
        let data = web::Data::from(provider.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/.well-known/openid-configuration", web::get().to(discovery))
                .route("/jwks", web::get().to(jwks))
                .route("/authorize", web::get().to(authorize))
                .route("/token", web::post().to(token))
                .route("/control/next-login", web::post().to(queue_login))
                .route("/control/seen", web::get().to(seen))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)?
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(Self { issuer, client_id: config.client_id, client_secret: config.client_secret, provider, handle })
    }

    /// Queues who logs in next (first in, first out).
    pub fn next_login(&self, login: NextLogin) {
        if let Ok(mut queue) = self.provider.queue.lock() {
            queue.push_back(login);
        }
    }

    /// Everything the provider has seen so far.
    pub fn seen(&self) -> Seen {
        self.provider.seen.lock().map(|seen| seen.clone()).unwrap_or_default()
    }

    /// Stops serving; waits for in-flight requests.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }

    /// The `APP__SSO__*` settings that point the platform at this provider, with `redirect_url`
    /// the platform's callback at `api_base` (e.g. `http://127.0.0.1:8080`).
    pub fn settings_for(&self, api_base: &str) -> Vec<(String, String)> {
        let mut settings = vec![
            ("APP__SSO__ISSUER".to_string(), self.issuer.clone()),
            ("APP__SSO__CLIENT_ID".to_string(), self.client_id.clone()),
            ("APP__SSO__REDIRECT_URL".to_string(), format!("{api_base}/api/v1/auth/sso/callback")),
        ];
        if let Some(secret) = &self.client_secret {
            settings.push(("APP__SSO__CLIENT_SECRET".to_string(), secret.clone()));
        }
        settings
    }
}

fn generate_keys() -> anyhow::Result<Keys> {
    let signing = RsaPrivateKey::new(&mut OsRng, 2048)?;
    let rogue = RsaPrivateKey::new(&mut OsRng, 2048)?;
    let public = signing.to_public_key();
    let kid = format!("mock-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let jwks = json!({"keys": [{
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": kid,
        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
    }]});
    Ok(Keys {
        kid,
        signing: EncodingKey::from_rsa_der(signing.to_pkcs1_der()?.as_bytes()),
        rogue: EncodingKey::from_rsa_der(rogue.to_pkcs1_der()?.as_bytes()),
        jwks,
    })
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

fn oauth_error(status: u16, error: &str, description: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({"error": error, "error_description": description}))
}

async fn discovery(provider: web::Data<Provider>) -> HttpResponse {
    let issuer = &provider.issuer;
    HttpResponse::Ok().json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code"],
        "claims_supported": ["sub", "name", "id_number", "uscc", "org_name"],
    }))
}

async fn jwks(provider: web::Data<Provider>) -> HttpResponse {
    HttpResponse::Ok().json(&provider.keys.jwks)
}

fn redirect(to: String) -> HttpResponse {
    HttpResponse::Found().insert_header((header::LOCATION, to)).finish()
}

fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(key, value)| {
            format!("{key}={}", percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC))
        })
        .collect();
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}{}", encoded.join("&"))
}

/// Approves at once: the user is whoever the test queued.
async fn authorize(provider: web::Data<Provider>, query: web::Query<HashMap<String, String>>) -> HttpResponse {
    let query = query.into_inner();
    if let Ok(mut seen) = provider.seen.lock() {
        seen.authorize.push(query.clone());
    }
    let get = |key: &str| query.get(key).cloned().unwrap_or_default();
    let redirect_uri = get("redirect_uri");
    // Errors about the client or the redirect URI must not redirect (RFC 6749 §4.1.2.1).
    if get("client_id") != provider.config.client_id {
        return oauth_error(400, "invalid_request", "unknown client_id");
    }
    let redirect_ok = if provider.config.redirect_uris.is_empty() {
        redirect_uri.starts_with("http://") || redirect_uri.starts_with("https://")
    } else {
        provider.config.redirect_uris.contains(&redirect_uri)
    };
    if !redirect_ok {
        return oauth_error(400, "invalid_request", "redirect_uri is not registered");
    }
    let state = get("state");
    let refuse = |error: &str| {
        let mut pairs = vec![("error", error)];
        if !state.is_empty() {
            pairs.push(("state", state.as_str()));
        }
        redirect(with_query(&redirect_uri, &pairs))
    };
    let scopes: Vec<String> = get("scope").split(' ').map(str::to_string).collect();
    if get("response_type") != "code" || !scopes.iter().any(|scope| scope == "openid") {
        return refuse("invalid_request");
    }
    // PKCE is mandatory here, and only S256.
    if get("code_challenge").is_empty() || get("code_challenge_method") != "S256" {
        return refuse("invalid_request");
    }
    let queued = provider.queue.lock().ok().and_then(|mut queue| queue.pop_front());
    let Some(login) = queued.or_else(|| provider.config.default_login.clone()) else {
        return refuse("login_required");
    };
    match login.misbehave {
        Some(Misbehave::Deny) => return refuse("access_denied"),
        Some(Misbehave::ReplayCode) => {
            let previous = provider.last_code.lock().ok().and_then(|last| last.clone()).unwrap_or_default();
            return redirect(with_query(&redirect_uri, &[("code", &previous), ("state", &state)]));
        }
        _ => {}
    }
    let code = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>());
    let issued = IssuedCode {
        redirect_uri: redirect_uri.clone(),
        code_challenge: get("code_challenge"),
        nonce: query.get("nonce").cloned(),
        login,
        used: false,
    };
    if let Ok(mut codes) = provider.codes.lock() {
        codes.insert(code.clone(), issued);
    }
    if let Ok(mut last) = provider.last_code.lock() {
        *last = Some(code.clone());
    }
    redirect(with_query(&redirect_uri, &[("code", &code), ("state", &state)]))
}

/// The client's credentials from `Authorization: Basic` (RFC 6749 §2.3.1) or the form.
fn client_credentials(request: &HttpRequest, form: &HashMap<String, String>) -> (String, Option<String>, &'static str) {
    let basic = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
        .and_then(|encoded| STANDARD.decode(encoded).ok())
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let decode =
                |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
            Some((decode(id), decode(secret)))
        });
    match basic {
        Some((id, secret)) => (id, Some(secret), "basic"),
        None => (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned(),
            if form.contains_key("client_secret") { "post" } else { "none" },
        ),
    }
}

async fn token(
    provider: web::Data<Provider>,
    request: HttpRequest,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let form = form.into_inner();
    let (client_id, secret, method) = client_credentials(&request, &form);
    if let Ok(mut seen) = provider.seen.lock() {
        let mut logged = form.clone();
        logged.insert("client_auth".into(), method.into());
        seen.token.push(logged);
    }
    if client_id != provider.config.client_id {
        return oauth_error(401, "invalid_client", "unknown client");
    }
    if let Some(expected) = &provider.config.client_secret
        && secret.as_deref() != Some(expected.as_str())
    {
        return oauth_error(401, "invalid_client", "wrong client secret");
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return oauth_error(400, "unsupported_grant_type", "only authorization_code");
    }
    let code = form.get("code").cloned().unwrap_or_default();
    let (login, nonce) = {
        let Ok(mut codes) = provider.codes.lock() else {
            return oauth_error(500, "server_error", "lock");
        };
        let Some(issued) = codes.get_mut(&code) else {
            return oauth_error(400, "invalid_grant", "unknown code");
        };
        if issued.used {
            return oauth_error(400, "invalid_grant", "the code was already redeemed");
        }
        issued.used = true;
        if form.get("redirect_uri") != Some(&issued.redirect_uri) {
            return oauth_error(400, "invalid_grant", "redirect_uri differs from the authorization request");
        }
        let verifier = form.get("code_verifier").cloned().unwrap_or_default();
        if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != issued.code_challenge {
            return oauth_error(400, "invalid_grant", "PKCE verification failed");
        }
        (issued.login.clone(), issued.nonce.clone())
    };
    let access_token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>());
    let mut body = json!({"access_token": access_token, "token_type": "Bearer", "expires_in": 300});
    if login.misbehave != Some(Misbehave::NoIdToken) {
        match id_token(&provider, &login, nonce, &access_token) {
            Ok(id_token) => body["id_token"] = Value::String(id_token),
            Err(error) => return oauth_error(500, "server_error", &error.to_string()),
        }
    }
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(body)
}

fn id_token(
    provider: &Provider,
    login: &NextLogin,
    nonce: Option<String>,
    access_token: &str,
) -> anyhow::Result<String> {
    let now = now();
    let at_hash = {
        let digest = Sha256::digest(access_token.as_bytes());
        URL_SAFE_NO_PAD.encode(&digest[..16])
    };
    let mut claims = json!({
        "iss": provider.issuer,
        "aud": provider.config.client_id,
        "exp": now + 300,
        "iat": now,
        "auth_time": now,
        "at_hash": at_hash,
    });
    if let Some(nonce) = nonce {
        claims["nonce"] = Value::String(nonce);
    }
    let object = claims.as_object_mut().context("claims")?;
    for (key, value) in &login.claims {
        object.insert(key.clone(), value.clone());
    }
    let mut key = &provider.keys.signing;
    match login.misbehave {
        Some(Misbehave::WrongAudience) => {
            object.insert("aud".into(), json!("another-client"));
        }
        Some(Misbehave::Expired) => {
            object.insert("iat".into(), json!(now - 900));
            object.insert("auth_time".into(), json!(now - 900));
            object.insert("exp".into(), json!(now - 600));
        }
        Some(Misbehave::WrongNonce) => {
            object.insert("nonce".into(), json!("not-the-nonce-you-sent"));
        }
        Some(Misbehave::WrongIssuer) => {
            object.insert("iss".into(), json!("https://impostor.example"));
        }
        Some(Misbehave::BadSignature) => key = &provider.keys.rogue,
        _ => {}
    }
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(provider.keys.kid.clone());
    header.typ = Some("JWT".into());
    Ok(jsonwebtoken::encode(&header, &claims, key)?)
}

async fn queue_login(provider: web::Data<Provider>, login: web::Json<NextLogin>) -> HttpResponse {
    if let Ok(mut queue) = provider.queue.lock() {
        queue.push_back(login.into_inner());
    }
    HttpResponse::NoContent().finish()
}

async fn seen(provider: web::Data<Provider>) -> HttpResponse {
    let seen = provider.seen.lock().map(|seen| seen.clone()).unwrap_or_default();
    HttpResponse::Ok().json(seen)
}

/// A free loopback port, for a server whose settings must name its own address before it starts.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

/// Starts the platform (demo data, fresh database) with unified platform login pointed at `oidc`.
/// The callback URL names the server's port, so the port is chosen first; should another process
/// take it in between, the start is tried again on a new port.
pub async fn platform_with_sso(oidc: &MockOidc, extra: &[(&str, &str)]) -> anyhow::Result<crate::Server> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let port = free_port()?.to_string();
        let mut settings = oidc.settings_for(&format!("http://127.0.0.1:{port}"));
        settings.push(("APP__SERVER__PORT".into(), port));
        let mut all: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        all.extend_from_slice(extra);
        match crate::Server::start(&all).await {
            // The process may exit before its stderr is read, so any failure to start is retried.
            Err(_) if attempt < 3 => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
            other => return other,
        }
    }
}

/// A browser of one user: follows redirects by hand and keeps our `zc_sso_browser` cookie,
/// which it sends to any instance of the platform (cookies do not depend on the port).
#[derive(Default)]
pub struct Browser {
    cookie: Option<String>,
}

// A browser's step that goes wrong is the test failing: it asserts and unwraps like test code.
#[allow(clippy::unwrap_used, clippy::panic)]
impl Browser {
    /// GETs `url` and returns where the 302 points (relative locations stay relative).
    pub async fn go(&mut self, server: &crate::Server, url: &str) -> String {
        let ours = url.starts_with(&server.base);
        let mut request = server.client.get(url);
        if let Some(cookie) = self.cookie.as_ref().filter(|_| ours) {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 302, "GET {url} should redirect");
        if ours {
            assert_eq!(response.headers()["cache-control"], "no-store", "GET {url}");
        }
        if let Some(set_cookie) = response.headers().get("set-cookie") {
            let set_cookie = set_cookie.to_str().unwrap();
            for attribute in ["HttpOnly", "SameSite=Lax", "Path=/api/v1/auth/sso"] {
                assert!(set_cookie.contains(attribute), "{set_cookie}");
            }
            self.cookie = set_cookie.split(';').next().map(str::to_string);
        }
        response.headers()["location"].to_str().unwrap().to_string()
    }

    /// A call of the SPA in this browser: same origin, so our cookie goes along.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let request = match &self.cookie {
            Some(cookie) => request.header("cookie", cookie),
            None => request,
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn get(&self, server: &crate::Server, path: &str) -> (u16, Value) {
        self.send(server.client.get(server.url(path))).await
    }

    pub async fn post(&self, server: &crate::Server, path: &str, body: &Value) -> (u16, Value) {
        self.send(server.client.post(server.url(path)).json(body)).await
    }

    pub async fn start_login(&mut self, server: &crate::Server, return_to: &str) -> String {
        self.go(server, &server.url(&format!("/auth/sso/login?return_to={return_to}"))).await
    }
}

/// The query of a URL, absolute or relative.
#[allow(clippy::unwrap_used)] // the base is a constant valid URL; a test's URL that does not join is its failure
pub fn query(url: &str) -> HashMap<String, String> {
    let absolute = reqwest::Url::parse("http://spa.invalid").unwrap().join(url).unwrap();
    absolute.query_pairs().into_owned().collect()
}

/// The path of a URL, absolute or relative.
#[allow(clippy::unwrap_used)] // as for `query`
pub fn path(url: &str) -> String {
    reqwest::Url::parse("http://spa.invalid").unwrap().join(url).unwrap().path().to_string()
}
