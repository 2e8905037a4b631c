//! A second factor: time-based one-time passwords (TOTP, RFC 6238: HMAC-SHA1, 6 digits, 30-second
//! steps, one step of clock drift either way), as authenticator apps make them. Any account may add
//! one; 等保 asks for two factors for admins and reviewers. Once confirmed, login asks for a code,
//! and each code is good once.

use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::crypto::constant_time_eq;
use crate::db;
use crate::entities::account;
use crate::error::{AppError, AppResult};
use crate::services::accounts;
use crate::services::audit::{self, AuditEntry};
use crate::state::AppState;

/// How authenticator apps list the platform.
const ISSUER: &str = "职称申报评审服务平台";
const STEP_SECS: i64 = 30;

/// What an authenticator app needs: the secret (base32) and the `otpauth://` URL of the QR code.
pub struct Enrollment {
    pub secret: String,
    pub otpauth_url: String,
}

fn generator(secret_base32: &str, username: &str) -> AppResult<TOTP> {
    let secret = Secret::Encoded(secret_base32.to_string())
        .to_bytes()
        .map_err(|error| anyhow::anyhow!("stored TOTP secret is not base32: {error:?}"))?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECS as u64, secret, Some(ISSUER.into()), username.to_string())
        .map_err(|error| AppError::Unexpected(anyhow::anyhow!("TOTP parameters: {error}")))
}

/// The time step `code` belongs to (now, or one step either side), if it is right.
fn matching_step(generator: &TOTP, code: &str, now: DateTime<Utc>) -> Option<i64> {
    let current = now.timestamp() / STEP_SECS;
    let code = code.trim();
    [current - 1, current, current + 1]
        .into_iter()
        .find(|step| constant_time_eq(&generator.generate((step * STEP_SECS) as u64), code))
}

async fn load(state: &AppState, account_id: &str) -> AppResult<account::Model> {
    account::Entity::find_by_id(account_id.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)
}

fn audit_entry(action: &'static str, success: bool, account: &account::Model, ip: Option<String>) -> AuditEntry {
    AuditEntry::new(action, success).of_account(account).ip(ip)
}

/// Starts adding a second factor (after the current password): a new secret, not yet in force.
/// Starting again replaces an unconfirmed secret.
pub async fn begin(state: &AppState, account_id: &str, password: String, ip: Option<String>) -> AppResult<Enrollment> {
    let account = load(state, account_id).await?;
    if account.totp_enabled_at.is_some() {
        return Err(AppError::conflict("totp_already_enabled", "已开启动态口令；如需更换，请先关闭"));
    }
    accounts::verify_own_password(state, &account, password, "/password", "totp_enrol_failed", ip.clone())
        .await?
        .clear(state)
        .await?;
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    let secret = Secret::Raw(bytes.to_vec()).to_encoded().to_string();
    let otpauth_url = generator(&secret, &account.username)?.get_url();
    let tx = db::begin_write(&state.db).await?;
    let stored = account::Entity::update_many()
        .col_expr(account::Column::TotpSecretEnc, Expr::value(state.crypto.encrypt(&secret)?))
        .col_expr(account::Column::TotpLastStep, Expr::value(Option::<i64>::None))
        .filter(account::Column::Id.eq(account.id.as_str()))
        .filter(account::Column::TotpEnabledAt.is_null())
        .exec(&tx)
        .await?;
    if stored.rows_affected != 1 {
        return Err(AppError::conflict("totp_already_enabled", "已开启动态口令；如需更换，请先关闭"));
    }
    audit::record(&tx, audit_entry("totp_enrolment_started", true, &account, ip)).await?;
    tx.commit().await?;
    Ok(Enrollment { secret, otpauth_url })
}

/// Puts the second factor in force once the app shows a right code. Every session ends, this one
/// included: the next login proves the new factor.
pub async fn confirm(state: &AppState, account_id: &str, code: &str, ip: Option<String>) -> AppResult<()> {
    let account = load(state, account_id).await?;
    if account.totp_enabled_at.is_some() {
        return Err(AppError::conflict("totp_already_enabled", "已开启动态口令"));
    }
    let Some(encrypted) = &account.totp_secret_enc else {
        return Err(AppError::conflict("totp_not_started", "请先获取绑定密钥，再输入动态口令"));
    };
    let generator = generator(&state.crypto.decrypt(encrypted)?, &account.username)?;
    let now = db::now();
    let Some(step) = matching_step(&generator, code, now) else {
        return Err(AppError::field("/code", "动态口令不正确，请核对手机时间后重试"));
    };
    let tx = db::begin_write(&state.db).await?;
    let updated = account::Entity::update_many()
        .col_expr(account::Column::TotpEnabledAt, Expr::value(now))
        .col_expr(account::Column::TotpLastStep, Expr::value(step))
        .filter(account::Column::Id.eq(account.id.as_str()))
        .filter(account::Column::TotpEnabledAt.is_null())
        .filter(account::Column::TotpSecretEnc.eq(encrypted.as_str()))
        .exec(&tx)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::conflict("totp_changed", "动态口令设置已变化，请刷新后重试"));
    }
    accounts::revoke_all_sessions(&tx, &account.id).await?;
    audit::record(&tx, audit_entry("totp_enabled", true, &account, ip)).await?;
    tx.commit().await?;
    Ok(())
}

/// Uses up `code` for the account's second factor: right, and of a later step than any code
/// used before. Conditional on that step, so one code cannot sign in twice even at once.
async fn use_code(state: &AppState, account: &account::Model, code: &str) -> AppResult<bool> {
    let Some(encrypted) = &account.totp_secret_enc else {
        return Ok(false);
    };
    let generator = generator(&state.crypto.decrypt(encrypted)?, &account.username)?;
    let Some(step) = matching_step(&generator, code, db::now()) else {
        return Ok(false);
    };
    let newer =
        Condition::any().add(account::Column::TotpLastStep.is_null()).add(account::Column::TotpLastStep.lt(step));
    let used = account::Entity::update_many()
        .col_expr(account::Column::TotpLastStep, Expr::value(step))
        .filter(account::Column::Id.eq(account.id.as_str()))
        .filter(newer)
        .exec(&state.db)
        .await?;
    Ok(used.rows_affected == 1)
}

/// Why a login with a right password still needs something.
pub enum LoginFactor {
    /// No second factor, or a right code.
    Satisfied,
    /// The account has a second factor and no code came.
    Required,
    /// A wrong, stale or already used code.
    Refused,
}

/// The second-factor step of a password login.
pub async fn check_login(state: &AppState, account: &account::Model, code: Option<&str>) -> AppResult<LoginFactor> {
    if account.totp_enabled_at.is_none() {
        return Ok(LoginFactor::Satisfied);
    }
    Ok(match code {
        None => LoginFactor::Required,
        Some(code) if use_code(state, account, code).await? => LoginFactor::Satisfied,
        Some(_) => LoginFactor::Refused,
    })
}

/// Removes the second factor, with the password and a current code; a wrong code counts towards
/// the lock like a wrong password. Every session ends, this one included.
pub async fn disable(
    state: &AppState,
    account_id: &str,
    password: String,
    code: &str,
    ip: Option<String>,
) -> AppResult<()> {
    let account = load(state, account_id).await?;
    if account.totp_enabled_at.is_none() {
        return Err(AppError::conflict("totp_not_enabled", "尚未开启动态口令"));
    }
    let attempt =
        accounts::verify_own_password(state, &account, password, "/password", "totp_disable_failed", ip.clone())
            .await?;
    if !use_code(state, &account, code).await? {
        audit::record_alone(&state.db, audit_entry("totp_disable_failed", false, &account, ip)).await?;
        return Err(attempt.refuse("/code", "动态口令不正确或已使用"));
    }
    attempt.clear(state).await?;
    let tx = db::begin_write(&state.db).await?;
    clear(&tx, &account.id).await?;
    accounts::revoke_all_sessions(&tx, &account.id).await?;
    audit::record(&tx, audit_entry("totp_disabled", true, &account, ip)).await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets an account's second factor (the user's own `disable`, or an operator's reset).
pub async fn clear(tx: &impl sea_orm::ConnectionTrait, account_id: &str) -> Result<(), sea_orm::DbErr> {
    account::Entity::update_many()
        .col_expr(account::Column::TotpSecretEnc, Expr::value(Option::<String>::None))
        .col_expr(account::Column::TotpEnabledAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(account::Column::TotpLastStep, Expr::value(Option::<i64>::None))
        .filter(account::Column::Id.eq(account_id))
        .exec(tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, truncated to the 6 digits apps show.
    #[test]
    fn codes_follow_rfc_6238() {
        let secret = Secret::Raw(b"12345678901234567890".to_vec()).to_encoded().to_string();
        let generator = generator(&secret, "rfc").unwrap();
        for (time, code) in
            [(59, "287082"), (1_111_111_109, "081804"), (1_234_567_890, "005924"), (2_000_000_000, "279037")]
        {
            assert_eq!(generator.generate(time), code, "at {time}");
        }
    }

    #[test]
    fn a_code_matches_its_own_step_and_one_step_of_drift() {
        let secret = Secret::Raw(b"12345678901234567890".to_vec()).to_encoded().to_string();
        let generator = generator(&secret, "rfc").unwrap();
        let now = DateTime::from_timestamp(1_111_111_109, 0).unwrap();
        let step = 1_111_111_109 / STEP_SECS;
        for drift in [-1, 0, 1] {
            let code = generator.generate(((step + drift) * STEP_SECS) as u64);
            assert_eq!(matching_step(&generator, &code, now), Some(step + drift));
        }
        let too_old = generator.generate(((step - 2) * STEP_SECS) as u64);
        assert_eq!(matching_step(&generator, &too_old, now), None);
        assert_eq!(matching_step(&generator, "abcdef", now), None);
    }
}
