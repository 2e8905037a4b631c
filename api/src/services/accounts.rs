//! Accounts and sessions: registration, login with lockout, token rotation, code-based recovery.

use chrono::Duration;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::auth::password;
use crate::crypto::{random_token, sha256_hex};
use crate::db;
use crate::domain::{ContactPhone, IdCardNumber, OrgKind, OrgVerification, Password, Phone, Role, Uscc, Username};
use crate::entities::{account, login_attempt, org, refresh_token, session};
use crate::error::{AppError, AppResult};
use crate::services::audit::{self, AuditEntry};
use crate::services::codes::{self, CodeCheck, Purpose};
use crate::services::totp::{self, LoginFactor};
use crate::services::{messages, orgs, sms};
use crate::state::AppState;

pub struct NewPerson {
    pub username: Username,
    pub password: Password,
    pub real_name: String,
    pub id_number: IdCardNumber,
    pub phone: Phone,
}

pub struct NewOrg {
    pub name: String,
    pub uscc: Uscc,
    pub kind: OrgKind,
    pub region_code: String,
    pub address: String,
    pub contact_name: String,
    /// 联系电话: a mobile or a landline (a landline gives the admin account no phone for SMS codes).
    pub contact_phone: ContactPhone,
    pub admin_username: Username,
    pub admin_password: Password,
}

/// Fields of a new account other than its credentials.
pub struct AccountFields<'a> {
    pub role: Role,
    pub real_name: &'a str,
    pub id_number: Option<&'a IdCardNumber>,
    pub phone: Option<&'a Phone>,
    pub org_id: Option<&'a str>,
    pub created_by: Option<&'a str>,
}

#[derive(Debug)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
}

const ACTIVE: &str = "active";

pub async fn register_person(state: &AppState, input: NewPerson, ip: Option<String>) -> AppResult<account::Model> {
    // The cheap refusals before argon2; the transaction checks again.
    ensure_person_free(state, &state.db, &input).await?;
    let hash = password::hash(input.password.expose().to_string()).await?;
    let tx = db::begin_write(&state.db).await?;
    let account = insert_person(state, &tx, &input, hash).await?;
    audit::record(
        &tx,
        AuditEntry::new("register_person", true)
            .actor(&account.id, &account.real_name, None)
            .object("account", &account.id)
            .ip(ip),
    )
    .await?;
    tx.commit().await?;
    Ok(account)
}

/// Inserts a person account inside the caller's transaction after the uniqueness checks of
/// registration (username, ID number, phone); shared by registration and unified platform login.
pub(crate) async fn insert_person(
    state: &AppState,
    tx: &DatabaseTransaction,
    input: &NewPerson,
    password_hash: String,
) -> AppResult<account::Model> {
    ensure_person_free(state, tx, input).await?;
    let fields = AccountFields {
        role: Role::Person,
        real_name: &input.real_name,
        id_number: Some(&input.id_number),
        phone: Some(&input.phone),
        org_id: None,
        created_by: None,
    };
    insert_account(state, tx, &input.username, password_hash, fields).await
}

/// Refuses a person whose username, ID number or phone is taken.
async fn ensure_person_free(state: &AppState, tx: &impl ConnectionTrait, input: &NewPerson) -> AppResult<()> {
    ensure_username_free(tx, &input.username).await?;
    let id_hash = state.crypto.index("id_number", input.id_number.as_str());
    let phone_hash = state.crypto.index("phone", input.phone.as_str());
    let taken = account::Entity::find()
        .filter(account::Column::Role.eq(Role::Person.as_str()))
        .filter(account::Column::IdNumberHash.eq(id_hash.clone()).or(account::Column::PhoneHash.eq(phone_hash.clone())))
        .all(tx)
        .await?;
    if taken.iter().any(|a| a.id_number_hash.as_deref() == Some(id_hash.as_str())) {
        return Err(AppError::conflict_field(
            "id_number_taken",
            "/id_number",
            "该身份证号已注册，请直接登录或找回密码",
        ));
    }
    if !taken.is_empty() {
        return Err(phone_taken());
    }
    Ok(())
}

/// Registers an organisation with its admin account. `hrss` bureaus come only through
/// [`provision_org`], never self-registration.
pub async fn register_org(
    state: &AppState,
    input: NewOrg,
    ip: Option<String>,
) -> AppResult<(org::Model, account::Model)> {
    if !input.kind.can_self_register() {
        return Err(AppError::field("/kind", "人社局账号由平台管理员开通，不能自行注册"));
    }
    create_org(state, input, None, ip).await
}

/// The platform admin provisions an organisation of any kind (in practice an `hrss` bureau).
pub async fn provision_org(
    state: &AppState,
    input: NewOrg,
    admin: (&str, &str),
    ip: Option<String>,
) -> AppResult<(org::Model, account::Model)> {
    create_org(state, input, Some(admin), ip).await
}

async fn create_org(
    state: &AppState,
    input: NewOrg,
    provisioned_by: Option<(&str, &str)>,
    ip: Option<String>,
) -> AppResult<(org::Model, account::Model)> {
    // The cheap refusals before argon2; the transaction checks again.
    ensure_org_free(state, &state.db, &input).await?;
    let hash = password::hash(input.admin_password.expose().to_string()).await?;
    let tx = db::begin_write(&state.db).await?;
    let (org, admin) = insert_org(state, &tx, input, hash, provisioned_by.map(|(id, _)| id)).await?;
    let org_id = org.id.clone();
    let entry = match provisioned_by {
        Some((id, name)) => AuditEntry::new("provision_org", true).actor(id, name, None),
        None => AuditEntry::new("register_org", true).actor(&admin.id, &admin.real_name, Some(&org_id)),
    };
    audit::record(&tx, entry.object("org", &org_id).ip(ip).detail(serde_json::json!({"kind": org.kind}))).await?;
    tx.commit().await?;
    Ok((org, admin))
}

/// Inserts an organisation with its admin account inside the caller's transaction, after the
/// uniqueness checks of registration (username, credit code); shared with unified platform login.
pub(crate) async fn insert_org(
    state: &AppState,
    tx: &DatabaseTransaction,
    input: NewOrg,
    password_hash: String,
    created_by: Option<&str>,
) -> AppResult<(org::Model, account::Model)> {
    ensure_org_free(state, tx, &input).await?;
    // The platform vouches for what it provisions; a self-registered org waits for its bureau.
    let verification = if created_by.is_some() { OrgVerification::Verified } else { OrgVerification::Unverified };
    let now = db::now();
    let org_id = db::new_id();
    let org = org::Model {
        id: org_id.clone(),
        name: input.name,
        uscc: input.uscc.as_str().to_string(),
        kind: input.kind.as_str().to_string(),
        region_code: input.region_code,
        address: input.address,
        contact_name: input.contact_name.clone(),
        contact_phone_enc: state.crypto.encrypt(&input.contact_phone.as_string())?,
        status: ACTIVE.to_string(),
        verification: verification.as_str().to_string(),
        verification_reason: None,
        verified_by: created_by.filter(|_| verification == OrgVerification::Verified).map(str::to_string),
        verified_at: (verification == OrgVerification::Verified).then_some(now),
        created_at: now,
    };
    org::Entity::insert(org::ActiveModel::from(org.clone())).exec_without_returning(tx).await?;
    let fields = AccountFields {
        role: Role::OrgAdmin,
        real_name: &input.contact_name,
        id_number: None,
        phone: input.contact_phone.mobile(),
        org_id: Some(&org_id),
        created_by,
    };
    let admin = insert_account(state, tx, &input.admin_username, password_hash, fields).await?;
    if verification == OrgVerification::Unverified && input.kind.verified_by_bureau() {
        tell_bureaus_of_new_org(tx, &org).await?;
    }
    Ok((org, admin))
}

/// A 主管部门 or 乡镇（街道） that waits for 单位认证: the admins of the bureaus over its region are told.
async fn tell_bureaus_of_new_org(tx: &DatabaseTransaction, org: &org::Model) -> AppResult<()> {
    let bureaus = org::Entity::find()
        .filter(org::Column::Kind.eq(OrgKind::Hrss.as_str()))
        .filter(org::Column::Status.eq(ACTIVE))
        .all(tx)
        .await?;
    let mut admins = Vec::new();
    for bureau in bureaus.iter().filter(|b| orgs::is_verified(b) && orgs::oversees(b, org)) {
        admins.extend(messages::recipients::org_admins(tx, &bureau.id).await?);
    }
    let note = messages::Note::new(
        "org_awaiting_verification",
        format!("{}申请单位认证", org.name),
        format!("{}（统一社会信用代码{}）已注册，等待本局进行单位认证审核。", org.name, org.uscc),
    )
    .link("/bureau/orgs")
    .object("org", &org.id);
    messages::post(tx, &admins, &note).await?;
    Ok(())
}

/// Refuses an organisation whose admin username or credit code is taken.
async fn ensure_org_free(state: &AppState, tx: &impl ConnectionTrait, input: &NewOrg) -> AppResult<()> {
    ensure_username_free(tx, &input.admin_username).await?;
    let existing = org::Entity::find().filter(org::Column::Uscc.eq(input.uscc.as_str())).one(tx).await?;
    if existing.is_some() {
        return Err(AppError::conflict_field("uscc_taken", "/uscc", "该统一社会信用代码已注册"));
    }
    orgs::ensure_name_free(state, tx, &input.name, &input.region_code, None).await
}

pub async fn ensure_username_free(tx: &impl ConnectionTrait, username: &Username) -> AppResult<()> {
    let taken = account::Entity::find().filter(account::Column::Username.eq(username.as_str())).one(tx).await?;
    if taken.is_some() {
        return Err(AppError::conflict_field("username_taken", "/username", "该用户名已被使用"));
    }
    Ok(())
}

fn phone_taken() -> AppError {
    AppError::conflict_field("phone_taken", "/phone", "该手机号已被他人的账号使用，请填写本人的手机号")
}

/// One human may hold several accounts (a reviewer who also declares) under one ID number and
/// phone, but nobody may take the phone of an account that belongs to someone else (another ID number).
async fn ensure_phone_is_theirs(
    state: &AppState,
    tx: &DatabaseTransaction,
    phone: &Phone,
    id_number: &IdCardNumber,
) -> AppResult<()> {
    let id_hash = state.crypto.index("id_number", id_number.as_str());
    let someone_else = account::Entity::find()
        .filter(account::Column::PhoneHash.eq(state.crypto.index("phone", phone.as_str())))
        .filter(account::Column::IdNumberHash.is_not_null())
        .filter(account::Column::IdNumberHash.ne(id_hash))
        .one(tx)
        .await?;
    match someone_else {
        Some(_) => Err(phone_taken()),
        None => Ok(()),
    }
}

/// Inserts an active account; ID number and phone are stored encrypted with keyed lookup hashes.
pub async fn insert_account(
    state: &AppState,
    tx: &DatabaseTransaction,
    username: &Username,
    password_hash: String,
    fields: AccountFields<'_>,
) -> AppResult<account::Model> {
    if let (Some(phone), Some(id_number)) = (fields.phone, fields.id_number) {
        ensure_phone_is_theirs(state, tx, phone, id_number).await?;
    }
    let now = db::now();
    let model = account::Model {
        id: db::new_id(),
        username: username.as_str().to_string(),
        password_hash,
        role: fields.role.as_str().to_string(),
        real_name: fields.real_name.to_string(),
        id_number_enc: fields.id_number.map(|id| state.crypto.encrypt(id.as_str())).transpose()?,
        id_number_hash: fields.id_number.map(|id| state.crypto.index("id_number", id.as_str())),
        phone_enc: fields.phone.map(|phone| state.crypto.encrypt(phone.as_str())).transpose()?,
        phone_hash: fields.phone.map(|phone| state.crypto.index("phone", phone.as_str())),
        org_id: fields.org_id.map(str::to_string),
        status: ACTIVE.to_string(),
        created_by: fields.created_by.map(str::to_string),
        password_changed_at: now,
        tokens_valid_after: now,
        totp_secret_enc: None,
        totp_enabled_at: None,
        totp_last_step: None,
        created_at: now,
        updated_at: now,
    };
    account::Entity::insert(account::ActiveModel::from(model.clone())).exec_without_returning(tx).await?;
    Ok(model)
}

/// The one spelling of a login name, as [`find_login_account`] reads it: every way of writing an
/// unknown ID number or phone counts towards one lock, as it would for a real account.
fn canonical_identifier(identifier: &str) -> String {
    if let Ok(id_number) = IdCardNumber::parse(identifier) {
        format!("id:{}", id_number.as_str())
    } else if let Ok(phone) = Phone::parse(identifier) {
        format!("phone:{}", phone.as_str())
    } else {
        format!("name:{}", identifier.trim().to_lowercase())
    }
}

/// The accounts a login name may mean: the one with that username, or every account carrying that
/// ID number or phone (one human may hold a person account and a reviewer account), oldest first.
struct Candidates {
    accounts: Vec<account::Model>,
    /// The name was an ID number or a phone, which several accounts may share.
    shared: bool,
}

impl Candidates {
    /// How many password checks a login with this name spends, whatever it finds: an ID number or
    /// a phone always costs at least two, so the time does not tell how many accounts carry it.
    fn checks(&self) -> usize {
        self.accounts.len().max(if self.shared { 2 } else { 1 })
    }
}

/// At most this many accounts are tried for one ID number or phone.
const MAX_SHARED_ACCOUNTS: u64 = 5;

async fn find_login_candidates(state: &AppState, identifier: &str) -> AppResult<Candidates> {
    let query = account::Entity::find().order_by_asc(account::Column::CreatedAt);
    let (accounts, shared) = if let Ok(id_number) = IdCardNumber::parse(identifier) {
        let hash = state.crypto.index("id_number", id_number.as_str());
        (query.filter(account::Column::IdNumberHash.eq(hash)).limit(MAX_SHARED_ACCOUNTS).all(&state.db).await?, true)
    } else if let Ok(phone) = Phone::parse(identifier) {
        let hash = state.crypto.index("phone", phone.as_str());
        (query.filter(account::Column::PhoneHash.eq(hash)).limit(MAX_SHARED_ACCOUNTS).all(&state.db).await?, true)
    } else {
        let name = identifier.trim().to_lowercase();
        (query.filter(account::Column::Username.eq(name)).limit(1).all(&state.db).await?, false)
    };
    Ok(Candidates { accounts, shared })
}

/// The one account a recovery by login name is for: the username's, or among the accounts sharing
/// an ID number or phone the person account (the one a forgotten password most often is), else
/// the oldest. The others are reached by their usernames (找回用户名 names them all).
async fn find_login_account(state: &AppState, identifier: &str) -> AppResult<Option<account::Model>> {
    let mut accounts = find_login_candidates(state, identifier).await?.accounts;
    let index = accounts.iter().position(|a| a.role == Role::Person.as_str()).unwrap_or(0);
    Ok((index < accounts.len()).then(|| accounts.swap_remove(index)))
}

/// One account (or unknown name) tried by a login.
struct Tried<'a> {
    account: Option<&'a account::Model>,
    key: String,
    locks_now: Option<chrono::DateTime<chrono::Utc>>,
    remaining: i64,
}

/// Logs in with a username, ID number or phone, and the code of the account's second factor when
/// it has one. An ID number or phone shared by several accounts of one human signs in the one
/// whose password matches. Five failures (a wrong second-factor code included) lock the account
/// tried (or the unknown name, so the answer never reveals whether an account exists) for the
/// configured minutes; the accounts a right password was not for do not count it.
pub async fn login(
    state: &AppState,
    identifier: &str,
    password: String,
    totp_code: Option<&str>,
    ip: Option<String>,
) -> AppResult<TokenPair> {
    let candidates = find_login_candidates(state, identifier).await?;
    let entry = |action: &'static str, success: bool, account: Option<&account::Model>| {
        let base = AuditEntry::new(action, success).ip(ip.clone());
        match account {
            Some(a) => base.of_account(a),
            None => base.detail(serde_json::json!({"account": "unknown"})),
        }
    };
    let keys: Vec<(Option<&account::Model>, String)> = if candidates.accounts.is_empty() {
        vec![(None, format!("anon:{}", state.crypto.index("login", &canonical_identifier(identifier))))]
    } else {
        candidates.accounts.iter().map(|a| (Some(a), format!("acct:{}", a.id))).collect()
    };
    let now = db::now();
    // Each attempt is counted before the password is checked, so a burst of concurrent guesses
    // cannot try more than the threshold; a right password then clears its account's count.
    let mut tried = Vec::new();
    let mut locked = Vec::new();
    for (account, key) in keys {
        match reserve_attempt(state, &key).await? {
            Attempt::Locked(until) => locked.push((account, until)),
            Attempt::Allowed { locks_now, remaining } => tried.push(Tried { account, key, locks_now, remaining }),
        }
    }
    // Every check runs, padded with checks against no account, so the time is the same whichever
    // accounts exist, are locked or match.
    let checks = tried
        .iter()
        .filter_map(|t| t.account.map(|a| Some(a.password_hash.clone())))
        .chain(std::iter::repeat(None))
        .take(candidates.checks())
        .map(|stored| password::verify(password.clone(), stored));
    let valid = futures_util::future::join_all(checks).await;
    let matched = tried.iter().zip(valid.iter().copied()).position(|(t, ok)| ok && t.account.is_some());
    let Some(matched) = matched.map(|index| tried.swap_remove(index)) else {
        return Err(refuse_login(state, &tried, &locked, now, &entry).await?);
    };
    // The other accounts were not what this password was for: their counts are left as they were.
    for other in &tried {
        release_attempt(state, &other.key, other.locks_now.is_some()).await?;
    }
    let Some(account) = matched.account else {
        return Err(AppError::Unexpected(anyhow::anyhow!("a matched login without an account")));
    };
    let locks_now = matched.locks_now;
    let key = matched.key;
    // The second factor: the attempt stays counted until it is satisfied too.
    let refusal = match totp::check_login(state, account, totp_code).await? {
        LoginFactor::Satisfied => None,
        LoginFactor::Required => Some(("login_totp_required", "totp_required", "请输入动态口令")),
        LoginFactor::Refused => Some(("login_totp_failed", "invalid_totp", "动态口令不正确或已使用")),
    };
    if let Some((action, code, detail)) = refusal {
        audit::record_alone(&state.db, entry(action, false, Some(account))).await?;
        return Err(match locks_now {
            Some(until) => locked_error(until - now),
            None => AppError::unauthorized(code, detail),
        });
    }
    let tx = db::begin_write(&state.db).await?;
    login_attempt::Entity::delete_by_id(key).exec(&tx).await?;
    if account.status != ACTIVE {
        audit::record(&tx, entry("login_disabled", false, Some(account))).await?;
        tx.commit().await?;
        return Err(AppError::forbidden("account_disabled", "该账号已停用，请联系所在单位管理员"));
    }
    if let Some(org_id) = &account.org_id
        && org::Entity::find_by_id(org_id.clone()).one(&tx).await?.is_none_or(|o| o.status != ACTIVE)
    {
        audit::record(&tx, entry("login_org_disabled", false, Some(account))).await?;
        tx.commit().await?;
        return Err(AppError::forbidden("org_disabled", "所在单位已停用，请联系当地人社局"));
    }
    let tokens = issue_tokens(state, &tx, &account.id, None).await?;
    audit::record(&tx, entry("login_success", true, Some(account))).await?;
    tx.commit().await?;
    Ok(tokens)
}

/// The answer to a login no account matched, audited per account tried. It is a lock only when no
/// account of the name can be tried any more; otherwise it says the tries left before the next lock.
async fn refuse_login(
    state: &AppState,
    tried: &[Tried<'_>],
    locked: &[(Option<&account::Model>, chrono::DateTime<chrono::Utc>)],
    now: chrono::DateTime<chrono::Utc>,
    entry: &impl Fn(&'static str, bool, Option<&account::Model>) -> AuditEntry,
) -> AppResult<AppError> {
    for (account, _) in locked {
        audit::record_alone(&state.db, entry("login_locked", false, *account)).await?;
    }
    for attempt in tried {
        let action = if attempt.locks_now.is_some() { "account_locked" } else { "login_failed" };
        audit::record_alone(&state.db, entry(action, false, attempt.account)).await?;
    }
    let still_open = tried.iter().filter(|t| t.locks_now.is_none()).map(|t| t.remaining).max();
    if let Some(remaining) = still_open {
        return Ok(AppError::LoginFailed { remaining_attempts: remaining });
    }
    let first_unlock = tried.iter().filter_map(|t| t.locks_now).chain(locked.iter().map(|(_, until)| *until)).min();
    Ok(locked_error(first_unlock.unwrap_or(now) - now))
}

fn locked_error(remaining: Duration) -> AppError {
    let minutes = (remaining.num_seconds() + 59) / 60;
    AppError::Locked {
        detail: format!("连续登录失败次数过多，账号已锁定，请{minutes}分钟后再试或找回密码"),
        retry_after_secs: remaining.num_seconds(),
    }
}

/// Whether a password attempt may be checked.
enum Attempt {
    /// Locked until then; the attempt was not counted.
    Locked(chrono::DateTime<chrono::Utc>),
    /// Counted as a failure; `locks_now` is when the lock ends if this attempt reached the
    /// threshold, `remaining` the failures still allowed after this one before the lock.
    Allowed { locks_now: Option<chrono::DateTime<chrono::Utc>>, remaining: i64 },
}

/// Counts an attempt for `key` under a row lock, or refuses it while the key is locked.
async fn reserve_attempt(state: &AppState, key: &str) -> AppResult<Attempt> {
    let now = db::now();
    let window = Duration::minutes(state.settings.auth.lockout_minutes);
    let tx = db::begin_write(&state.db).await?;
    login_attempt::Entity::insert(login_attempt::ActiveModel {
        key: Set(key.to_string()),
        failures: Set(0),
        locked_until: Set(None),
        updated_at: Set(now),
    })
    .on_conflict(OnConflict::column(login_attempt::Column::Key).do_nothing().to_owned())
    .exec_without_returning(&tx)
    .await?;
    let row = login_attempt::Entity::find_by_id(key.to_string())
        .lock_exclusive()
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(until) = row.locked_until.filter(|until| *until > now) {
        return Ok(Attempt::Locked(until));
    }
    // Failures older than the window, or from before an expired lock, no longer count.
    let stale = row.updated_at < now - window || row.locked_until.is_some_and(|until| until <= now);
    let failures = if stale { 1 } else { row.failures + 1 };
    let locks_now = (failures >= state.settings.auth.lockout_threshold).then(|| now + window);
    login_attempt::Entity::update(login_attempt::ActiveModel {
        key: Set(key.to_string()),
        failures: Set(failures),
        locked_until: Set(locks_now),
        updated_at: Set(now),
    })
    .exec(&tx)
    .await?;
    tx.commit().await?;
    let remaining = i64::from(Ord::max(state.settings.auth.lockout_threshold - failures, 0));
    Ok(Attempt::Allowed { locks_now, remaining })
}

/// Takes back an attempt counted for `key` that turned out not to be a try at that account (a
/// right password for another account of the same human), with the lock it may have started.
async fn release_attempt(state: &AppState, key: &str, locked_by_it: bool) -> AppResult<()> {
    let mut update = login_attempt::Entity::update_many()
        .col_expr(login_attempt::Column::Failures, Expr::col(login_attempt::Column::Failures).sub(1))
        .filter(login_attempt::Column::Key.eq(key))
        .filter(login_attempt::Column::Failures.gt(0));
    if locked_by_it {
        update = update
            .col_expr(login_attempt::Column::LockedUntil, Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None));
    }
    update.exec(&state.db).await?;
    Ok(())
}

/// Clears the attempts of a key after a right password.
async fn clear_attempts(state: &AppState, key: &str) -> AppResult<()> {
    login_attempt::Entity::delete_by_id(key.to_string()).exec(&state.db).await?;
    Ok(())
}

/// Issues an access token and a new refresh token (of `family`, or a new session) inside `tx`.
pub(crate) async fn issue_tokens(
    state: &AppState,
    tx: &DatabaseTransaction,
    account_id: &str,
    family: Option<String>,
) -> AppResult<TokenPair> {
    let refresh = random_token(32);
    let now = state.clock.now();
    let session_id = match family {
        Some(family) => family,
        None => {
            let id = db::new_id();
            session::Entity::insert(session::ActiveModel {
                id: Set(id.clone()),
                account_id: Set(account_id.to_string()),
                created_at: Set(now),
                expires_at: Set(now + Duration::seconds(state.settings.auth.session_max_secs)),
                revoked_at: Set(None),
            })
            .exec_without_returning(tx)
            .await?;
            id
        }
    };
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(db::new_id()),
        account_id: Set(account_id.to_string()),
        family_id: Set(session_id.clone()),
        token_hash: Set(sha256_hex(refresh.as_bytes())),
        expires_at: Set(now + Duration::seconds(state.settings.auth.refresh_ttl_secs)),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(tx)
    .await?;
    Ok(TokenPair {
        access_token: state.jwt.issue_access(account_id, &session_id)?,
        refresh_token: refresh,
        expires_in: state.jwt.access_ttl_secs,
    })
}

/// Rotates a refresh token. Presenting one that was already rotated is theft or a replay:
/// the whole family (the session, with its access tokens) is revoked and the holder must log in
/// again. No rotation outlives the session's absolute end.
pub async fn refresh(state: &AppState, token: &str, ip: Option<String>) -> AppResult<TokenPair> {
    let invalid = || AppError::unauthorized("invalid_refresh_token", "登录已失效，请重新登录");
    let tx = db::begin_write(&state.db).await?;
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(sha256_hex(token.as_bytes())))
        .one(&tx)
        .await?
        .ok_or_else(invalid)?;
    let now = state.clock.now();
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Err(invalid());
    }
    let session = session::Entity::find_by_id(row.family_id.clone()).one(&tx).await?;
    if session.as_ref().is_none_or(|s| s.revoked_at.is_some() || s.expires_at <= now) {
        revoke_family(&tx, &row.family_id).await?;
        tx.commit().await?;
        return Err(AppError::unauthorized("session_expired", "登录已超过最长时限，请重新登录"));
    }
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(row.id.clone()))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&tx)
        .await?;
    if claimed.rows_affected == 0 {
        revoke_family(&tx, &row.family_id).await?;
        audit::record(&tx, AuditEntry::new("refresh_token_reuse", false).object("account", &row.account_id).ip(ip))
            .await?;
        tx.commit().await?;
        return Err(AppError::unauthorized("refresh_token_reused", "登录凭证已被使用，为安全起见请重新登录"));
    }
    let account = account::Entity::find_by_id(row.account_id.clone()).one(&tx).await?.ok_or_else(invalid)?;
    let org_active = match &account.org_id {
        Some(org_id) => org::Entity::find_by_id(org_id.clone()).one(&tx).await?.is_some_and(|o| o.status == ACTIVE),
        None => true,
    };
    if account.status != ACTIVE || !org_active {
        // A disabled account (or organisation) gets no new tokens; its session ends here.
        revoke_family(&tx, &row.family_id).await?;
        tx.commit().await?;
        return Err(invalid());
    }
    let tokens = issue_tokens(state, &tx, &account.id, Some(row.family_id)).await?;
    tx.commit().await?;
    Ok(tokens)
}

/// Revokes the session the refresh token belongs to. Unknown tokens are ignored: logging out twice is fine.
pub async fn logout(state: &AppState, token: &str, ip: Option<String>) -> AppResult<()> {
    let tx = db::begin_write(&state.db).await?;
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(sha256_hex(token.as_bytes())))
        .one(&tx)
        .await?;
    if let Some(row) = row {
        revoke_family(&tx, &row.family_id).await?;
        audit::record(&tx, AuditEntry::new("logout", true).object("account", &row.account_id).ip(ip)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Ends one session: its refresh tokens and, through `sid`, its access tokens.
async fn revoke_family(tx: &impl ConnectionTrait, family_id: &str) -> Result<(), sea_orm::DbErr> {
    let now = db::now();
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(tx)
        .await?;
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::Id.eq(family_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

/// Ends every session of an account: refresh tokens revoked, access tokens issued before now refused.
pub async fn revoke_all_sessions(tx: &impl ConnectionTrait, account_id: &str) -> Result<(), sea_orm::DbErr> {
    let now = db::now();
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::AccountId.eq(account_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(tx)
        .await?;
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::AccountId.eq(account_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(tx)
        .await?;
    account::Entity::update_many()
        .col_expr(account::Column::TokensValidAfter, Expr::value(now))
        .col_expr(account::Column::UpdatedAt, Expr::value(now))
        .filter(account::Column::Id.eq(account_id))
        .exec(tx)
        .await?;
    Ok(())
}

/// Sends a password reset code to the account's registered phone. The answer, and the work
/// behind it, is the same whether or not the account exists: a name without an account gets a
/// code (and waits between codes) too, and the text is queued either way, to nobody for it.
pub async fn forgot_password(state: &AppState, identifier: &str, ip: Option<String>) -> AppResult<()> {
    let account = find_login_account(state, identifier).await?;
    let subject = match &account {
        Some(account) => account.id.clone(),
        // `one_time_codes.subject` holds 64 characters: "anon:" and 48 hex digits (192 bits) of the index.
        None => {
            let index = state.crypto.index("login", &canonical_identifier(identifier));
            format!("anon:{}", index.chars().take(48).collect::<String>())
        }
    };
    let tx = db::begin_write(&state.db).await?;
    let issued = codes::issue(state, &tx, &subject, Purpose::PasswordReset).await?;
    let entry = AuditEntry::new("password_reset_requested", issued.is_ok()).ip(ip);
    let entry = match &account {
        Some(account) => entry.of_account(account),
        None => entry.detail(serde_json::json!({"account": "unknown"})),
    };
    audit::record(&tx, entry).await?;
    let result = match issued {
        Ok(message) => {
            let phone_enc = account.and_then(|a| a.phone_enc);
            sms::enqueue(&state.crypto, &tx, phone_enc, &message).await?;
            Ok(())
        }
        Err(throttled) => Err(throttled.error()),
    };
    tx.commit().await?;
    result
}

/// Sets a new password with a code from [`forgot_password`]; every session of the account ends.
pub async fn reset_password(
    state: &AppState,
    identifier: &str,
    code: &str,
    new_password: Password,
    ip: Option<String>,
) -> AppResult<()> {
    let account = find_login_account(state, identifier).await?;
    let hash = password::hash(new_password.expose().to_string()).await?;
    let Some(account) = account else {
        // The same work as a wrong code for a real account: one audited write.
        audit::record_alone(&state.db, AuditEntry::new("password_reset", false).ip(ip)).await?;
        return Err(code_error());
    };
    let tx = db::begin_write(&state.db).await?;
    let check = codes::check(state, &tx, &account.id, Purpose::PasswordReset, code).await?;
    if check != CodeCheck::Valid {
        audit::record(&tx, AuditEntry::new("password_reset", false).object("account", &account.id).ip(ip)).await?;
        tx.commit().await?;
        return Err(code_error());
    }
    // Only now, with the code right, may the answer depend on the account; dropping `tx` leaves
    // the code unused for a better password.
    ensure_not_personal(state, &account, &new_password, "/new_password")?;
    set_password(&tx, &account.id, hash).await?;
    login_attempt::Entity::delete_by_id(format!("acct:{}", account.id)).exec(&tx).await?;
    audit::record(&tx, AuditEntry::new("password_reset", true).of_account(&account).ip(ip)).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces an account's password hash and ends its sessions.
pub async fn set_password(tx: &DatabaseTransaction, account_id: &str, hash: String) -> AppResult<()> {
    let now = db::now();
    account::Entity::update_many()
        .col_expr(account::Column::PasswordHash, Expr::value(hash))
        .col_expr(account::Column::PasswordChangedAt, Expr::value(now))
        .filter(account::Column::Id.eq(account_id))
        .exec(tx)
        .await?;
    revoke_all_sessions(tx, account_id).await?;
    Ok(())
}

/// Changes the caller's own password after checking the current one.
pub async fn change_password(
    state: &AppState,
    account_id: &str,
    current: String,
    new_password: Password,
    ip: Option<String>,
) -> AppResult<()> {
    let account =
        account::Entity::find_by_id(account_id.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)?;
    verify_own_password(state, &account, current, "/current_password", "password_change_failed", ip.clone())
        .await?
        .clear(state)
        .await?;
    ensure_not_personal(state, &account, &new_password, "/new_password")?;
    let hash = password::hash(new_password.expose().to_string()).await?;
    let tx = db::begin_write(&state.db).await?;
    set_password(&tx, account_id, hash).await?;
    audit::record(&tx, AuditEntry::new("password_changed", true).of_account(&account).ip(ip)).await?;
    tx.commit().await?;
    Ok(())
}

/// A right password whose attempt still counts towards the lock: [`CountedAttempt::clear`] it once
/// the whole action succeeded, so a wrong second-factor code after it counts too.
#[must_use]
pub struct CountedAttempt {
    key: String,
    locks_now: Option<chrono::DateTime<chrono::Utc>>,
}

impl CountedAttempt {
    pub async fn clear(self, state: &AppState) -> AppResult<()> {
        clear_attempts(state, &self.key).await
    }

    /// The answer when a later check of the same action fails: locked, if this attempt was the one
    /// that reached the threshold.
    pub fn refuse(&self, field: &str, message: &str) -> AppError {
        match self.locks_now {
            Some(until) => locked_error(until - db::now()),
            None => AppError::field(field, message),
        }
    }
}

/// Checks the signed-in account's own password before a sensitive change. Guessing it with a
/// stolen session counts like failed logins, and locks the same way; a failure is audited as
/// `failed_action` and named at `field`.
pub async fn verify_own_password(
    state: &AppState,
    account: &account::Model,
    current: String,
    field: &str,
    failed_action: &'static str,
    ip: Option<String>,
) -> AppResult<CountedAttempt> {
    let key = format!("acct:{}", account.id);
    let now = db::now();
    let locks_now = match reserve_attempt(state, &key).await? {
        Attempt::Locked(until) => return Err(locked_error(until - now)),
        Attempt::Allowed { locks_now, .. } => locks_now,
    };
    if !password::verify(current, Some(account.password_hash.clone())).await {
        let entry = AuditEntry::new(failed_action, false).of_account(account).ip(ip);
        audit::record_alone(&state.db, entry).await?;
        return Err(match locks_now {
            Some(until) => locked_error(until - now),
            None => AppError::field(field, "当前密码不正确"),
        });
    }
    Ok(CountedAttempt { key, locks_now })
}

/// Sends a code to a phone registered on at least one account, to recover its usernames. As with
/// [`forgot_password`], an unregistered phone costs the same work and gets the same answer.
pub async fn forgot_username(state: &AppState, phone: &Phone, ip: Option<String>) -> AppResult<()> {
    let subject = state.crypto.index("phone", phone.as_str());
    let known = account::Entity::find().filter(account::Column::PhoneHash.eq(subject.clone())).one(&state.db).await?;
    let phone_enc = state.crypto.encrypt(phone.as_str())?;
    let tx = db::begin_write(&state.db).await?;
    let issued = codes::issue(state, &tx, &subject, Purpose::UsernameRecovery).await?;
    audit::record(&tx, AuditEntry::new("username_recovery_requested", issued.is_ok()).ip(ip)).await?;
    let result = match issued {
        Ok(message) => {
            sms::enqueue(&state.crypto, &tx, known.map(|_| phone_enc), &message).await?;
            Ok(())
        }
        Err(throttled) => Err(throttled.error()),
    };
    tx.commit().await?;
    result
}

/// Returns the usernames registered with `phone` once the code sent to it is given back.
pub async fn recover_username(
    state: &AppState,
    phone: &Phone,
    code: &str,
    ip: Option<String>,
) -> AppResult<Vec<String>> {
    let subject = state.crypto.index("phone", phone.as_str());
    let tx = db::begin_write(&state.db).await?;
    let check = codes::check(state, &tx, &subject, Purpose::UsernameRecovery, code).await?;
    audit::record(&tx, AuditEntry::new("username_recovered", check == CodeCheck::Valid).ip(ip)).await?;
    if check != CodeCheck::Valid {
        tx.commit().await?;
        return Err(code_error());
    }
    let usernames = account::Entity::find()
        .filter(account::Column::PhoneHash.eq(subject))
        .all(&tx)
        .await?
        .into_iter()
        .map(|a| a.username)
        .collect();
    tx.commit().await?;
    Ok(usernames)
}

/// One answer for every refused code (wrong, used up, expired, or for an account that does not
/// exist), so the answer never tells whether an account or phone is registered.
fn code_error() -> AppError {
    AppError::field("/code", "验证码错误或已过期，请重新获取")
}

/// Refuses a new password built from the account's own username, phone or ID number.
fn ensure_not_personal(state: &AppState, account: &account::Model, password: &Password, field: &str) -> AppResult<()> {
    let phone = account_phone(state, account)?;
    let id_number = account_id_number(state, account)?;
    let mut context = vec![account.username.as_str()];
    context.extend(phone.as_ref().map(Phone::as_str));
    context.extend(id_number.as_ref().map(IdCardNumber::as_str));
    password.check_context(&context).map_err(|error| AppError::from_domain(field, error))
}

/// The phone of an account, decrypted.
pub fn account_phone(state: &AppState, account: &account::Model) -> AppResult<Option<Phone>> {
    let Some(encrypted) = &account.phone_enc else {
        return Ok(None);
    };
    let plain = state.crypto.decrypt(encrypted)?;
    Ok(Phone::parse(&plain).ok())
}

/// The ID number of an account, decrypted.
pub fn account_id_number(state: &AppState, account: &account::Model) -> AppResult<Option<IdCardNumber>> {
    let Some(encrypted) = &account.id_number_enc else {
        return Ok(None);
    };
    let plain = state.crypto.decrypt(encrypted)?;
    Ok(IdCardNumber::parse(&plain).ok())
}

/// An account as its owner sees it.
pub struct Profile {
    pub account: account::Model,
    pub role: Role,
    pub id_number: Option<IdCardNumber>,
    pub phone: Option<Phone>,
    pub org: Option<org::Model>,
    pub password_expired: bool,
}

pub async fn profile(state: &AppState, account_id: &str) -> AppResult<Profile> {
    let account =
        account::Entity::find_by_id(account_id.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let org = match &account.org_id {
        Some(org_id) => org::Entity::find_by_id(org_id.clone()).one(&state.db).await?,
        None => None,
    };
    let max_age = state.settings.auth.password_max_age_days;
    Ok(Profile {
        role: Role::parse(&account.role).ok_or(AppError::NotFound)?,
        id_number: account_id_number(state, &account)?,
        phone: account_phone(state, &account)?,
        password_expired: max_age > 0 && account.password_changed_at < db::now() - Duration::days(max_age),
        org,
        account,
    })
}
