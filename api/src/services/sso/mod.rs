//! Unified government platform login (山东省政务统一平台登录) over OpenID Connect.
//!
//! A login is started here (`state`, `nonce` and the PKCE verifier kept in `sso_logins`), comes back
//! through the callback, and ends in one of three ways: a one-time login code the SPA exchanges for
//! the usual tokens, a registration ticket for an identity with no account yet, or a refusal with a
//! stable [`SsoError`] code. Accounts are bound by (issuer, subject); the verified ID number or
//! credit code is used only to find the account on the first login.

pub mod provider;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::auth::password;
use crate::crypto::{constant_time_eq, random_token, sha256_hex};
use crate::db;
use crate::domain::{IdCardNumber, Password, Phone, Role, Uscc, Username};
use crate::entities::{account, org, sso_binding, sso_grant, sso_login};
use crate::error::{AppError, AppResult, FieldError};
use crate::services::accounts::{self, NewOrg, NewPerson, TokenPair};
use crate::services::audit::{self, AuditEntry};
use crate::state::AppState;
pub use provider::{SsoProvider, VerifiedIdentity};

/// Why a unified platform login was refused. The code is what the browser gets in
/// `/login?sso_error=<code>`; the codes are stable, and the SPA words them for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoError {
    /// Unified platform login is not configured.
    Disabled,
    /// `state` missing, unknown, or already used (a replayed callback).
    InvalidState,
    /// The login took longer than allowed at the provider.
    StateExpired,
    /// The user cancelled or refused at the provider.
    AccessDenied,
    /// The provider answered with an error or something that is not OpenID Connect.
    ProviderError,
    /// The provider could not be reached (discovery, JWKS or token endpoint).
    ProviderUnavailable,
    /// The token endpoint refused the code: unknown, used before, expired, or PKCE mismatch.
    CodeRejected,
    /// The token response carried no ID token.
    MissingIdToken,
    /// The ID token's signature does not verify with the provider's keys (or uses a refused algorithm).
    BadSignature,
    /// `iss` is not the configured issuer.
    WrongIssuer,
    /// `aud` does not contain our client id (or names untrusted audiences).
    WrongAudience,
    /// `exp` has passed (or `iat` lies in the future).
    TokenExpired,
    /// `nonce` is not the one this login sent.
    WrongNonce,
    /// The ID token is otherwise invalid (`at_hash`, `azp`, header).
    InvalidIdToken,
    /// The verified claims carry no valid ID number or credit code (or no name to register with).
    IdentityIncomplete,
    /// The matching account is already bound to another identity of this platform.
    AlreadyBound,
    /// The matching account (or its organisation) is disabled.
    AccountDisabled,
    /// Something failed on our side; the log has the details.
    Internal,
}

impl SsoError {
    pub const ALL: [SsoError; 18] = [
        SsoError::Disabled,
        SsoError::InvalidState,
        SsoError::StateExpired,
        SsoError::AccessDenied,
        SsoError::ProviderError,
        SsoError::ProviderUnavailable,
        SsoError::CodeRejected,
        SsoError::MissingIdToken,
        SsoError::BadSignature,
        SsoError::WrongIssuer,
        SsoError::WrongAudience,
        SsoError::TokenExpired,
        SsoError::WrongNonce,
        SsoError::InvalidIdToken,
        SsoError::IdentityIncomplete,
        SsoError::AlreadyBound,
        SsoError::AccountDisabled,
        SsoError::Internal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SsoError::Disabled => "sso_disabled",
            SsoError::InvalidState => "invalid_state",
            SsoError::StateExpired => "state_expired",
            SsoError::AccessDenied => "access_denied",
            SsoError::ProviderError => "provider_error",
            SsoError::ProviderUnavailable => "provider_unavailable",
            SsoError::CodeRejected => "code_rejected",
            SsoError::MissingIdToken => "missing_id_token",
            SsoError::BadSignature => "bad_signature",
            SsoError::WrongIssuer => "wrong_issuer",
            SsoError::WrongAudience => "wrong_audience",
            SsoError::TokenExpired => "token_expired",
            SsoError::WrongNonce => "wrong_nonce",
            SsoError::InvalidIdToken => "invalid_id_token",
            SsoError::IdentityIncomplete => "identity_incomplete",
            SsoError::AlreadyBound => "already_bound",
            SsoError::AccountDisabled => "account_disabled",
            SsoError::Internal => "internal_error",
        }
    }
}

/// A refusal with the reason for the audit trail and the log (never shown to the user).
#[derive(Debug)]
pub struct SsoFailure {
    pub error: SsoError,
    pub reason: String,
}

impl SsoFailure {
    pub fn new(error: SsoError, reason: impl Into<String>) -> Self {
        Self { error, reason: reason.into() }
    }
}

impl From<DbErr> for SsoFailure {
    fn from(error: DbErr) -> Self {
        SsoFailure::new(SsoError::Internal, format!("database: {error}"))
    }
}

impl From<anyhow::Error> for SsoFailure {
    fn from(error: anyhow::Error) -> Self {
        SsoFailure::new(SsoError::Internal, format!("{error:#}"))
    }
}

impl From<AppError> for SsoFailure {
    fn from(error: AppError) -> Self {
        SsoFailure::new(SsoError::Internal, error.to_string())
    }
}

const LOGIN_CODE: &str = "login_code";
const REGISTRATION: &str = "registration";
const ACTIVE: &str = "active";
/// Expired pending logins and grants are kept this long (a replay then still says `invalid_state`), then purged.
const PURGE_AFTER_HOURS: i64 = 24;

/// Where the SPA goes after signing in: a path of ours, never another site.
pub fn safe_return_to(raw: Option<&str>) -> String {
    match raw.map(str::trim) {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.len() <= 200
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Whether a stored single-use, expiring row may still be used at `now`.
#[derive(Debug, PartialEq, Eq)]
pub enum Freshness {
    Usable,
    Used,
    Expired,
}

pub fn freshness(used_at: Option<DateTime<Utc>>, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Freshness {
    if used_at.is_some() {
        Freshness::Used
    } else if expires_at <= now {
        Freshness::Expired
    } else {
        Freshness::Usable
    }
}

fn provider(state: &AppState) -> Result<&SsoProvider, SsoFailure> {
    state.sso.as_deref().ok_or_else(|| SsoFailure::new(SsoError::Disabled, "unified platform login is not configured"))
}

/// A started login: send the browser to `url`, and give it the `browser` cookie.
#[derive(Debug)]
pub struct StartedLogin {
    pub url: String,
    pub browser: String,
}

/// Whether a `zc_sso_browser` cookie value is one of ours (43 URL-safe characters).
fn well_formed_browser(value: &str) -> bool {
    value.len() == 43 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Starts a login: keeps `state` (hashed), the browser it belongs to (hashed), `nonce` and the PKCE
/// verifier (encrypted), and returns the provider's authorization URL. `browser` is the browser's
/// cookie from an earlier login, reused so logins in two tabs both work.
pub async fn begin_login(
    state: &AppState,
    return_to: Option<&str>,
    browser: Option<&str>,
    ip: Option<String>,
) -> Result<StartedLogin, SsoFailure> {
    let result = begin(state, return_to, browser).await;
    if let Err(failure) = &result {
        record_failure(state, failure, ip).await;
    }
    result
}

async fn begin(state: &AppState, return_to: Option<&str>, browser: Option<&str>) -> Result<StartedLogin, SsoFailure> {
    let provider = provider(state)?;
    let request = provider.authorize().await?;
    let browser =
        browser.filter(|value| well_formed_browser(value)).map(str::to_string).unwrap_or_else(|| random_token(32));
    let now = db::now();
    let tx = db::begin_write(&state.db).await?;
    purge_expired(&tx, now).await?;
    sso_login::Entity::insert(sso_login::ActiveModel {
        id: Set(db::new_id()),
        state_hash: Set(sha256_hex(request.state.as_bytes())),
        browser_hash: Set(sha256_hex(browser.as_bytes())),
        nonce_enc: Set(state.crypto.encrypt(&request.nonce)?),
        pkce_verifier_enc: Set(state.crypto.encrypt(&request.pkce_verifier)?),
        return_to: Set(safe_return_to(return_to)),
        expires_at: Set(now + Duration::seconds(state.settings.sso.login_ttl_secs)),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(&tx)
    .await?;
    tx.commit().await?;
    Ok(StartedLogin { url: request.url.to_string(), browser })
}

async fn purge_expired(tx: &DatabaseTransaction, now: DateTime<Utc>) -> Result<(), DbErr> {
    let cutoff = now - Duration::hours(PURGE_AFTER_HOURS);
    sso_login::Entity::delete_many().filter(sso_login::Column::ExpiresAt.lt(cutoff)).exec(tx).await?;
    sso_grant::Entity::delete_many().filter(sso_grant::Column::ExpiresAt.lt(cutoff)).exec(tx).await?;
    Ok(())
}

/// What the provider sent back to the callback.
#[derive(Debug, Default)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    /// `iss` of the authorization response (RFC 9207), when the provider sends it.
    pub issuer: Option<String>,
    /// The browser's `zc_sso_browser` cookie.
    pub browser: Option<String>,
}

/// Where the browser goes next after a successful callback.
#[derive(Debug)]
pub enum CallbackOutcome {
    /// Signed in: the SPA exchanges this one-time code for tokens.
    SignedIn { login_code: String },
    /// A verified identity with no account: the SPA registers with this ticket.
    Register { ticket: String },
}

/// Finishes a login coming back from the provider. Every refusal is audited and leaves no session.
pub async fn complete_login(
    state: &AppState,
    params: CallbackParams,
    ip: Option<String>,
) -> Result<CallbackOutcome, SsoFailure> {
    let result = complete(state, params, ip.clone()).await;
    if let Err(failure) = &result {
        record_failure(state, failure, ip).await;
    }
    result
}

async fn record_failure(state: &AppState, failure: &SsoFailure, ip: Option<String>) {
    tracing::warn!(sso_error = failure.error.code(), reason = %failure.reason, "unified platform login refused");
    let entry = AuditEntry::new("sso_login_failed", false)
        .ip(ip)
        .detail(serde_json::json!({"sso_error": failure.error.code(), "reason": failure.reason}));
    if let Err(error) = audit::record_alone(&state.db, entry).await {
        tracing::error!(error = %error, "could not audit a refused unified platform login");
    }
}

async fn complete(state: &AppState, params: CallbackParams, ip: Option<String>) -> Result<CallbackOutcome, SsoFailure> {
    let provider = provider(state)?;
    let pending = claim_pending_login(state, params.state.as_deref(), params.browser.as_deref()).await?;
    // RFC 9207: a response naming another issuer is a mix-up attack.
    if let Some(issuer) = &params.issuer
        && issuer != provider.issuer()
    {
        return Err(SsoFailure::new(SsoError::WrongIssuer, "the authorization response names another issuer"));
    }
    // Only once the state checks out: an error redirect that nobody started is `invalid_state`.
    if let Some(error) = params.error {
        let code = if error == "access_denied" { SsoError::AccessDenied } else { SsoError::ProviderError };
        return Err(SsoFailure::new(code, format!("the provider answered error={}", truncate(&error, 64))));
    }
    let code = params
        .code
        .filter(|code| !code.is_empty() && code.len() <= 2048)
        .ok_or_else(|| SsoFailure::new(SsoError::ProviderError, "the callback carries no code"))?;
    let nonce = state.crypto.decrypt(&pending.nonce_enc)?;
    let verifier = state.crypto.decrypt(&pending.pkce_verifier_enc)?;
    let identity = provider.redeem(&code, &verifier, &nonce).await?;
    sign_in_or_register(state, &identity, &pending, ip).await
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// Uses up the pending login of `state_param`: once, only before it expires, and only in the
/// browser that started it, so nobody can make a victim's browser finish the attacker's login.
async fn claim_pending_login(
    state: &AppState,
    state_param: Option<&str>,
    browser: Option<&str>,
) -> Result<sso_login::Model, SsoFailure> {
    let invalid = |reason: &str| SsoFailure::new(SsoError::InvalidState, reason.to_string());
    let state_param = state_param.filter(|s| !s.is_empty() && s.len() <= 512).ok_or_else(|| invalid("no state"))?;
    let now = db::now();
    let tx = db::begin_write(&state.db).await?;
    let pending = sso_login::Entity::find()
        .filter(sso_login::Column::StateHash.eq(sha256_hex(state_param.as_bytes())))
        .one(&tx)
        .await?
        .ok_or_else(|| invalid("unknown state"))?;
    match freshness(pending.used_at, pending.expires_at, now) {
        Freshness::Used => return Err(invalid("state already used")),
        Freshness::Expired => return Err(SsoFailure::new(SsoError::StateExpired, "state expired")),
        Freshness::Usable => {}
    }
    let same_browser =
        browser.is_some_and(|value| constant_time_eq(&sha256_hex(value.as_bytes()), &pending.browser_hash));
    if !same_browser {
        return Err(invalid("the callback came to another browser than the one that started the login"));
    }
    // Conditional on still unused: two callbacks racing with one state cannot both proceed.
    let claimed = sso_login::Entity::update_many()
        .col_expr(sso_login::Column::UsedAt, Expr::value(now))
        .filter(sso_login::Column::Id.eq(pending.id.clone()))
        .filter(sso_login::Column::UsedAt.is_null())
        .exec(&tx)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(invalid("state already used"));
    }
    tx.commit().await?;
    Ok(pending)
}

/// The verified identity as the registration screen shows it; kept encrypted in the ticket.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingIdentity {
    /// `person` or `org`.
    pub kind: String,
    pub real_name: String,
    pub id_number: Option<String>,
    pub uscc: Option<String>,
    pub org_name: Option<String>,
}

/// Who the verified claims say logged in.
enum Claimed {
    Person { id_number: IdCardNumber, real_name: Option<String> },
    Org { uscc: Uscc, org_name: Option<String>, real_name: Option<String> },
}

fn read_claims(state: &AppState, identity: &VerifiedIdentity) -> Result<Claimed, SsoFailure> {
    let settings = &state.settings.sso;
    let incomplete = |reason: &str| SsoFailure::new(SsoError::IdentityIncomplete, reason.to_string());
    let real_name = identity.text(&settings.name_claim);
    // A legal-person (法人) login: by the user-type claim when one is configured, else by the
    // presence of a credit code.
    let legal_person = if settings.user_type_claim.is_empty() {
        identity.text(&settings.uscc_claim).is_some()
    } else {
        identity.text(&settings.user_type_claim).as_deref() == Some(settings.org_user_type.as_str())
    };
    if legal_person {
        let uscc = identity
            .text(&settings.uscc_claim)
            .ok_or_else(|| incomplete("a legal-person login without a credit code"))?;
        let uscc = Uscc::parse(&uscc).map_err(|_| incomplete("the credit code claim is not a valid code"))?;
        return Ok(Claimed::Org { uscc, org_name: identity.text(&settings.org_name_claim), real_name });
    }
    let id_number = identity
        .text(&settings.id_number_claim)
        .ok_or_else(|| incomplete("the token carries neither an ID number nor a credit code"))?;
    let id_number = IdCardNumber::parse(&id_number).map_err(|_| incomplete("the ID number claim is not valid"))?;
    Ok(Claimed::Person { id_number, real_name })
}

/// A name good enough to open an account with, by the rules of normal registration.
fn registrable_name(name: Option<&str>) -> Option<String> {
    let mut check = crate::routes::Check::default();
    let name = check.real_name("/real_name", name?)?;
    check.finish().ok().map(|_| name)
}

async fn sign_in_or_register(
    state: &AppState,
    identity: &VerifiedIdentity,
    pending: &sso_login::Model,
    ip: Option<String>,
) -> Result<CallbackOutcome, SsoFailure> {
    let now = db::now();
    let tx = db::begin_write(&state.db).await?;
    let bound = sso_binding::Entity::find()
        .filter(sso_binding::Column::Issuer.eq(identity.issuer.as_str()))
        .filter(sso_binding::Column::Subject.eq(identity.subject.as_str()))
        .one(&tx)
        .await?;
    let account = match bound {
        Some(binding) => account::Entity::find_by_id(binding.account_id)
            .one(&tx)
            .await?
            .ok_or_else(|| SsoFailure::new(SsoError::Internal, "a binding points to no account"))?,
        None => {
            let claimed = read_claims(state, identity)?;
            let Some((account, matched_by)) = find_account(state, &tx, &claimed).await? else {
                let ticket = issue_ticket(state, &tx, identity, claimed, pending, now).await?;
                audit::record(
                    &tx,
                    AuditEntry::new("sso_registration_required", true)
                        .ip(ip)
                        .detail(serde_json::json!({"issuer": identity.issuer})),
                )
                .await?;
                tx.commit().await?;
                return Ok(CallbackOutcome::Register { ticket });
            };
            // Bound in this transaction; a refusal below rolls the binding back. The verified
            // person now holds the account: sessions opened before, by password, end.
            bind(&tx, identity, &account, matched_by, ip.clone()).await?;
            accounts::revoke_all_sessions(&tx, &account.id).await?;
            account
        }
    };
    ensure_active(&tx, &account).await?;
    let login_code = random_token(32);
    insert_grant(
        &tx,
        sso_grant::Model {
            id: db::new_id(),
            kind: LOGIN_CODE.into(),
            token_hash: sha256_hex(login_code.as_bytes()),
            account_id: Some(account.id.clone()),
            issuer: identity.issuer.clone(),
            subject: identity.subject.clone(),
            identity_enc: None,
            return_to: pending.return_to.clone(),
            browser_hash: Some(pending.browser_hash.clone()),
            expires_at: now + Duration::seconds(state.settings.sso.code_ttl_secs),
            used_at: None,
            created_at: now,
        },
    )
    .await?;
    audit::record(
        &tx,
        AuditEntry::new("sso_authenticated", true)
            .of_account(&account)
            .ip(ip)
            .detail(serde_json::json!({"issuer": identity.issuer})),
    )
    .await?;
    tx.commit().await?;
    Ok(CallbackOutcome::SignedIn { login_code })
}

/// The account the verified ID number (a person) or credit code (the org's admin) belongs to.
async fn find_account(
    state: &AppState,
    tx: &DatabaseTransaction,
    claimed: &Claimed,
) -> Result<Option<(account::Model, &'static str)>, SsoFailure> {
    match claimed {
        Claimed::Person { id_number, .. } => {
            let found = account::Entity::find()
                .filter(account::Column::Role.eq(Role::Person.as_str()))
                .filter(account::Column::IdNumberHash.eq(state.crypto.index("id_number", id_number.as_str())))
                .one(tx)
                .await?;
            Ok(found.map(|account| (account, "id_number")))
        }
        Claimed::Org { uscc, .. } => {
            let Some(org) = org::Entity::find().filter(org::Column::Uscc.eq(uscc.as_str())).one(tx).await? else {
                return Ok(None);
            };
            // The account the organisation registered with: its first org admin.
            let admin = account::Entity::find()
                .filter(account::Column::OrgId.eq(org.id.as_str()))
                .filter(account::Column::Role.eq(Role::OrgAdmin.as_str()))
                .order_by_asc(account::Column::CreatedAt)
                .order_by_asc(account::Column::Id)
                .one(tx)
                .await?;
            admin
                .map(|admin| Some((admin, "uscc")))
                .ok_or_else(|| SsoFailure::new(SsoError::AccountDisabled, "the organisation has no admin account"))
        }
    }
}

async fn ensure_active(tx: &DatabaseTransaction, account: &account::Model) -> Result<(), SsoFailure> {
    let disabled =
        |what: &str| SsoFailure::new(SsoError::AccountDisabled, format!("{what} {} is disabled", account.id));
    if account.status != ACTIVE {
        return Err(disabled("account"));
    }
    if let Some(org_id) = &account.org_id {
        let org = org::Entity::find_by_id(org_id.clone()).one(tx).await?;
        if org.is_none_or(|org| org.status != ACTIVE) {
            return Err(disabled("the organisation of account"));
        }
    }
    Ok(())
}

async fn bind(
    tx: &DatabaseTransaction,
    identity: &VerifiedIdentity,
    account: &account::Model,
    matched_by: &'static str,
    ip: Option<String>,
) -> Result<(), SsoFailure> {
    let existing =
        sso_binding::Entity::find().filter(sso_binding::Column::AccountId.eq(account.id.as_str())).one(tx).await?;
    if existing.is_some() {
        return Err(SsoFailure::new(
            SsoError::AlreadyBound,
            format!("account {} is bound to another platform identity", account.id),
        ));
    }
    sso_binding::Entity::insert(sso_binding::ActiveModel {
        id: Set(db::new_id()),
        issuer: Set(identity.issuer.clone()),
        subject: Set(identity.subject.clone()),
        account_id: Set(account.id.clone()),
        created_at: Set(db::now()),
    })
    .exec_without_returning(tx)
    .await?;
    audit::record(
        tx,
        AuditEntry::new("sso_bind", true).of_account(account).ip(ip).detail(
            serde_json::json!({"issuer": identity.issuer, "subject": identity.subject, "matched_by": matched_by}),
        ),
    )
    .await?;
    Ok(())
}

async fn issue_ticket(
    state: &AppState,
    tx: &DatabaseTransaction,
    identity: &VerifiedIdentity,
    claimed: Claimed,
    pending: &sso_login::Model,
    now: DateTime<Utc>,
) -> Result<String, SsoFailure> {
    let identity_to_register = match claimed {
        Claimed::Person { id_number, real_name } => PendingIdentity {
            kind: "person".into(),
            // A person account needs a real name; the platform must send one.
            real_name: registrable_name(real_name.as_deref()).ok_or_else(|| {
                SsoFailure::new(SsoError::IdentityIncomplete, "no usable name claim to register with")
            })?,
            id_number: Some(id_number.as_str().to_string()),
            uscc: None,
            org_name: None,
        },
        Claimed::Org { uscc, org_name, real_name } => PendingIdentity {
            kind: "org".into(),
            real_name: real_name.unwrap_or_default(),
            id_number: None,
            uscc: Some(uscc.as_str().to_string()),
            org_name,
        },
    };
    let ticket = random_token(32);
    let encrypted =
        state.crypto.encrypt(&serde_json::to_string(&identity_to_register).map_err(anyhow::Error::from)?)?;
    insert_grant(
        tx,
        sso_grant::Model {
            id: db::new_id(),
            kind: REGISTRATION.into(),
            token_hash: sha256_hex(ticket.as_bytes()),
            account_id: None,
            issuer: identity.issuer.clone(),
            subject: identity.subject.clone(),
            identity_enc: Some(encrypted),
            return_to: pending.return_to.clone(),
            browser_hash: Some(pending.browser_hash.clone()),
            expires_at: now + Duration::seconds(state.settings.sso.ticket_ttl_secs),
            used_at: None,
            created_at: now,
        },
    )
    .await?;
    Ok(ticket)
}

async fn insert_grant(tx: &DatabaseTransaction, grant: sso_grant::Model) -> Result<(), DbErr> {
    sso_grant::Entity::insert(sso_grant::ActiveModel::from(grant)).exec_without_returning(tx).await?;
    Ok(())
}

/// The usable grant of `kind` for `token`, or why not. Only the browser whose login issued the
/// grant may use it: a code or ticket sent to someone else's browser (login CSRF) is unknown there.
async fn find_grant(
    tx: &DatabaseTransaction,
    kind: &str,
    token: &str,
    browser: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Result<sso_grant::Model, Freshness>, DbErr> {
    if token.is_empty() || token.len() > 256 {
        return Ok(Err(Freshness::Used));
    }
    let grant = sso_grant::Entity::find()
        .filter(sso_grant::Column::TokenHash.eq(sha256_hex(token.as_bytes())))
        .filter(sso_grant::Column::Kind.eq(kind))
        .one(tx)
        .await?;
    let same_browser = |grant: &sso_grant::Model| {
        browser
            .zip(grant.browser_hash.as_deref())
            .is_some_and(|(browser, hash)| constant_time_eq(&sha256_hex(browser.as_bytes()), hash))
    };
    Ok(match grant.filter(same_browser) {
        None => Err(Freshness::Used),
        Some(grant) => match freshness(grant.used_at, grant.expires_at, now) {
            Freshness::Usable => Ok(grant),
            other => Err(other),
        },
    })
}

/// Marks a grant used, only if nobody else did first.
async fn use_grant(tx: &DatabaseTransaction, grant: &sso_grant::Model, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let result = sso_grant::Entity::update_many()
        .col_expr(sso_grant::Column::UsedAt, Expr::value(now))
        .filter(sso_grant::Column::Id.eq(grant.id.as_str()))
        .filter(sso_grant::Column::UsedAt.is_null())
        .exec(tx)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Tokens for a finished unified platform login, and where the SPA goes next.
#[derive(Debug)]
pub struct SsoSession {
    pub tokens: TokenPair,
    pub return_to: String,
}

/// Exchanges a one-time login code from the callback for the usual tokens. Single use.
pub async fn exchange(
    state: &AppState,
    code: &str,
    browser: Option<&str>,
    ip: Option<String>,
) -> AppResult<SsoSession> {
    let refused = || AppError::unauthorized("invalid_login_code", "登录凭证无效或已过期，请重新使用政务统一平台登录");
    let now = db::now();
    let tx = db::begin_write(&state.db).await?;
    let grant = match find_grant(&tx, LOGIN_CODE, code, browser, now).await? {
        Ok(grant) if use_grant(&tx, &grant, now).await? => grant,
        _ => {
            drop(tx);
            let entry = AuditEntry::new("login_failed", false)
                .ip(ip)
                .detail(serde_json::json!({"method": "sso", "account": "unknown"}));
            audit::record_alone(&state.db, entry).await?;
            return Err(refused());
        }
    };
    let account_id = grant.account_id.clone().ok_or_else(refused)?;
    let account = account::Entity::find_by_id(account_id).one(&tx).await?.ok_or_else(refused)?;
    if ensure_active(&tx, &account).await.is_err() {
        // The code stays used up, and the refusal is on record.
        let entry = AuditEntry::new("login_disabled", false)
            .of_account(&account)
            .ip(ip)
            .detail(serde_json::json!({"method": "sso"}));
        audit::record(&tx, entry).await?;
        tx.commit().await?;
        return Err(AppError::forbidden("account_disabled", "该账号已停用，请联系所在单位管理员"));
    }
    let tokens = accounts::issue_tokens(state, &tx, &account.id, None).await?;
    audit::record(
        &tx,
        AuditEntry::new("login_success", true)
            .of_account(&account)
            .ip(ip)
            .detail(serde_json::json!({"method": "sso", "issuer": grant.issuer})),
    )
    .await?;
    tx.commit().await?;
    Ok(SsoSession { tokens, return_to: grant.return_to })
}

fn invalid_ticket() -> AppError {
    AppError::Unprocessable {
        code: "invalid_ticket",
        detail: "注册凭证无效或已过期，请重新使用政务统一平台登录".into(),
        errors: vec![FieldError::new("/ticket", "注册凭证无效或已过期")],
    }
}

fn ticket_identity(state: &AppState, grant: &sso_grant::Model) -> AppResult<PendingIdentity> {
    let encrypted = grant.identity_enc.as_deref().ok_or_else(invalid_ticket)?;
    let plain = state.crypto.decrypt(encrypted)?;
    Ok(serde_json::from_str(&plain).map_err(anyhow::Error::from)?)
}

/// The verified identity behind a registration ticket, without using the ticket up.
pub async fn registration(state: &AppState, ticket: &str, browser: Option<&str>) -> AppResult<PendingIdentity> {
    let tx = db::begin_write(&state.db).await?;
    let grant = find_grant(&tx, REGISTRATION, ticket, browser, db::now()).await?.map_err(|_| invalid_ticket())?;
    tx.commit().await?;
    ticket_identity(state, &grant)
}

/// What a person adds to the verified identity to open an account.
pub struct SsoRegistration {
    pub username: Username,
    pub password: Password,
    pub phone: Phone,
}

/// Opens a person account with the verified name and ID number of the ticket, binds it to the
/// platform identity and signs in, all in one transaction; the ticket is used up only on success.
pub async fn register(
    state: &AppState,
    ticket: &str,
    browser: Option<&str>,
    input: SsoRegistration,
    ip: Option<String>,
) -> AppResult<SsoSession> {
    let hash = password::hash(input.password.expose().to_string()).await?;
    let now = db::now();
    let tx = db::begin_write(&state.db).await?;
    let grant = find_grant(&tx, REGISTRATION, ticket, browser, now).await?.map_err(|_| invalid_ticket())?;
    let identity = ticket_identity(state, &grant)?;
    if identity.kind != "person" {
        return Err(org_registration_required());
    }
    let id_number =
        identity.id_number.as_deref().map(IdCardNumber::parse).and_then(Result::ok).ok_or_else(invalid_ticket)?;
    let person = NewPerson {
        username: input.username,
        password: input.password,
        real_name: identity.real_name.clone(),
        id_number,
        phone: input.phone,
    };
    let account = accounts::insert_person(state, &tx, &person, hash).await?;
    if !use_grant(&tx, &grant, now).await? {
        return Err(invalid_ticket());
    }
    ensure_identity_free(&tx, &grant).await?;
    audit::record(
        &tx,
        AuditEntry::new("register_person", true)
            .actor(&account.id, &account.real_name, None)
            .object("account", &account.id)
            .ip(ip.clone())
            .detail(serde_json::json!({"method": "sso"})),
    )
    .await?;
    let session = finish_registration(state, &tx, &grant, &account, ip).await?;
    tx.commit().await?;
    Ok(session)
}

/// The identity of a ticket may have been bound since the ticket was issued.
async fn ensure_identity_free(tx: &DatabaseTransaction, grant: &sso_grant::Model) -> AppResult<()> {
    let taken = sso_binding::Entity::find()
        .filter(sso_binding::Column::Issuer.eq(grant.issuer.as_str()))
        .filter(sso_binding::Column::Subject.eq(grant.subject.as_str()))
        .one(tx)
        .await?;
    if taken.is_some() {
        return Err(AppError::conflict(
            "already_bound",
            "该政务统一平台身份已绑定其他账号，请直接使用政务统一平台登录",
        ));
    }
    Ok(())
}

/// Binds a just-registered account to the ticket's identity and signs it in (in `tx`).
async fn finish_registration(
    state: &AppState,
    tx: &DatabaseTransaction,
    grant: &sso_grant::Model,
    account: &account::Model,
    ip: Option<String>,
) -> AppResult<SsoSession> {
    let verified =
        VerifiedIdentity { issuer: grant.issuer.clone(), subject: grant.subject.clone(), claims: Default::default() };
    bind(tx, &verified, account, "registration", ip.clone())
        .await
        .map_err(|failure| AppError::Unexpected(anyhow::anyhow!(failure.reason)))?;
    let tokens = accounts::issue_tokens(state, tx, &account.id, None).await?;
    audit::record(
        tx,
        AuditEntry::new("login_success", true)
            .of_account(account)
            .ip(ip)
            .detail(serde_json::json!({"method": "sso", "issuer": grant.issuer})),
    )
    .await?;
    Ok(SsoSession { tokens, return_to: grant.return_to.clone() })
}

fn org_registration_required() -> AppError {
    AppError::rule(
        "org_registration_required",
        "该单位尚未在本平台注册，请先进行单位注册（单位名称和统一社会信用代码已由政务统一平台核验）",
    )
}

/// Registers the organisation of an org ticket with the verified credit code (and name, when
/// the platform sent one), binds its new admin account to the platform identity and signs in,
/// all in one transaction; the ticket is used up only on success.
pub async fn register_org(
    state: &AppState,
    ticket: &str,
    browser: Option<&str>,
    input: NewOrg,
    ip: Option<String>,
) -> AppResult<SsoSession> {
    let hash = password::hash(input.admin_password.expose().to_string()).await?;
    let now = db::now();
    let tx = db::begin_write(&state.db).await?;
    let grant = find_grant(&tx, REGISTRATION, ticket, browser, now).await?.map_err(|_| invalid_ticket())?;
    let identity = ticket_identity(state, &grant)?;
    if identity.kind != "org" || identity.uscc.as_deref() != Some(input.uscc.as_str()) {
        return Err(AppError::rule("person_registration_required", "该注册凭证属于个人身份，请进行个人注册"));
    }
    let (org, admin) = accounts::insert_org(state, &tx, input, hash, None).await?;
    if !use_grant(&tx, &grant, now).await? {
        return Err(invalid_ticket());
    }
    ensure_identity_free(&tx, &grant).await?;
    audit::record(
        &tx,
        AuditEntry::new("register_org", true)
            .actor(&admin.id, &admin.real_name, Some(&org.id))
            .object("org", &org.id)
            .ip(ip.clone())
            .detail(serde_json::json!({"kind": org.kind, "method": "sso"})),
    )
    .await?;
    let session = finish_registration(state, &tx, &grant, &admin, ip).await?;
    tx.commit().await?;
    Ok(session)
}

pub async fn binding(state: &AppState, account_id: &str) -> AppResult<sso_binding::Model> {
    sso_binding::Entity::find()
        .filter(sso_binding::Column::AccountId.eq(account_id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Removes the caller's binding; the next platform login binds again by ID number or credit code.
pub async fn unbind(state: &AppState, account_id: &str, ip: Option<String>) -> AppResult<()> {
    let tx = db::begin_write(&state.db).await?;
    let binding = sso_binding::Entity::find()
        .filter(sso_binding::Column::AccountId.eq(account_id))
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let account = account::Entity::find_by_id(account_id.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    sso_binding::Entity::delete_by_id(binding.id.clone()).exec(&tx).await?;
    audit::record(
        &tx,
        AuditEntry::new("sso_unbind", true)
            .of_account(&account)
            .ip(ip)
            .detail(serde_json::json!({"issuer": binding.issuer, "subject": binding.subject})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_distinct_and_url_safe() {
        let codes: std::collections::HashSet<&str> = SsoError::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), SsoError::ALL.len());
        assert!(codes.iter().all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    }

    #[test]
    fn a_pending_login_or_grant_is_usable_once_and_only_before_it_expires() {
        let now = Utc::now();
        let later = now + Duration::seconds(300);
        assert_eq!(freshness(None, later, now), Freshness::Usable);
        assert_eq!(freshness(None, now, now), Freshness::Expired, "expiry is exclusive");
        assert_eq!(freshness(None, now - Duration::seconds(1), now), Freshness::Expired);
        assert_eq!(freshness(Some(now), later, now), Freshness::Used);
        assert_eq!(freshness(Some(now), now - Duration::seconds(1), now), Freshness::Used);
    }

    #[test]
    fn return_to_stays_on_our_site() {
        assert_eq!(safe_return_to(Some("/declarations/42?tab=items")), "/declarations/42?tab=items");
        for hostile in ["https://evil.example/", "//evil.example", "/\\evil.example", "evil", "/a\nb", ""] {
            assert_eq!(safe_return_to(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(safe_return_to(None), "/");
        assert_eq!(safe_return_to(Some(&format!("/{}", "a".repeat(250)))), "/");
    }

    #[test]
    fn a_registrable_name_follows_the_registration_rules() {
        assert_eq!(registrable_name(Some(" 张护士 ")).as_deref(), Some("张护士"));
        assert_eq!(registrable_name(Some("张")), None);
        assert_eq!(registrable_name(Some("张3")), None);
        assert_eq!(registrable_name(None), None);
    }
}
