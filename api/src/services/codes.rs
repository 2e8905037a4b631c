//! One-time codes sent by SMS: random 6 digits, single use, short-lived, limited in attempts and rate.

use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::crypto::{constant_time_eq, random_digits};
use crate::db;
use crate::entities::one_time_code;
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    UsernameRecovery,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::UsernameRecovery => "username_recovery",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "重置密码",
            Purpose::UsernameRecovery => "找回用户名",
        }
    }
}

/// A code refused because one was sent too recently: the next may be asked for after this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after_secs: i64,
}

impl Throttled {
    /// The answer: 429 with when to ask again, never "sent".
    pub fn error(self) -> crate::error::AppError {
        let wait = Ord::max(self.retry_after_secs, 1);
        let when = if wait >= 120 { format!("{}分钟", (wait + 59) / 60) } else { format!("{wait}秒") };
        crate::error::AppError::RetryLater {
            code: "code_requested_too_soon",
            detail: format!("验证码获取过于频繁，本次未发送，请{when}后再获取"),
            retry_after_secs: wait,
        }
    }
}

/// Why a code was or was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeCheck {
    Valid,
    Wrong,
    ExpiredOrMissing,
    Exhausted,
}

/// Seconds between two codes for one subject.
const RESEND_SECS: i64 = 60;

/// Creates a code for `subject` inside `tx` and returns the SMS text to send, or how long to wait
/// when the subject already had a code in the last minute or too many in the last hour.
///
/// The subject of an account that does not exist gets codes (and waits) too, which nobody
/// receives: so the answer, and the work behind it, is the same whether or not it exists.
pub async fn issue(
    state: &AppState,
    tx: &DatabaseTransaction,
    subject: &str,
    purpose: Purpose,
) -> AppResult<Result<String, Throttled>> {
    let now = db::now();
    let recent = one_time_code::Entity::find()
        .filter(one_time_code::Column::Subject.eq(subject))
        .filter(one_time_code::Column::Purpose.eq(purpose.as_str()))
        .filter(one_time_code::Column::CreatedAt.gt(now - Duration::hours(1)))
        .order_by_desc(one_time_code::Column::CreatedAt)
        .all(tx)
        .await?;
    let next_allowed = [
        recent.first().map(|latest| latest.created_at + Duration::seconds(RESEND_SECS)),
        (recent.len() as u64 >= state.settings.auth.otp_per_hour)
            .then(|| recent.last().map(|oldest| oldest.created_at + Duration::hours(1)))
            .flatten(),
    ]
    .into_iter()
    .flatten()
    .max()
    .filter(|at| *at > now);
    if let Some(at) = next_allowed {
        let millis = (at - now).num_milliseconds();
        return Ok(Err(Throttled { retry_after_secs: (millis + 999) / 1000 }));
    }
    // A new code replaces any earlier one.
    one_time_code::Entity::update_many()
        .col_expr(one_time_code::Column::UsedAt, Expr::value(now))
        .filter(one_time_code::Column::Subject.eq(subject))
        .filter(one_time_code::Column::Purpose.eq(purpose.as_str()))
        .filter(one_time_code::Column::UsedAt.is_null())
        .exec(tx)
        .await?;
    let code = random_digits(6);
    one_time_code::Entity::insert(one_time_code::ActiveModel {
        id: Set(db::new_id()),
        subject: Set(subject.to_string()),
        purpose: Set(purpose.as_str().to_string()),
        code_hash: Set(code_hash(state, subject, &code)),
        expires_at: Set(now + Duration::seconds(state.settings.auth.otp_ttl_secs)),
        attempts: Set(0),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(tx)
    .await?;
    let minutes = (state.settings.auth.otp_ttl_secs + 59) / 60;
    Ok(Ok(format!("您的验证码为{code}，用于{}，{minutes}分钟内有效。如非本人操作，请忽略本短信。", purpose.describe())))
}

/// Checks `code` for `subject`; a wrong code counts an attempt, a right one is used up.
/// The caller commits `tx` whatever the answer, so attempts are counted.
pub async fn check(
    state: &AppState,
    tx: &DatabaseTransaction,
    subject: &str,
    purpose: Purpose,
    code: &str,
) -> AppResult<CodeCheck> {
    let now = db::now();
    let Some(current) = one_time_code::Entity::find()
        .filter(one_time_code::Column::Subject.eq(subject))
        .filter(one_time_code::Column::Purpose.eq(purpose.as_str()))
        .filter(one_time_code::Column::UsedAt.is_null())
        .filter(one_time_code::Column::ExpiresAt.gt(now))
        .order_by_desc(one_time_code::Column::CreatedAt)
        // Concurrent guesses queue on the row, so each sees the attempts before it.
        .lock_exclusive()
        .one(tx)
        .await?
    else {
        return Ok(CodeCheck::ExpiredOrMissing);
    };
    let max = state.settings.auth.otp_max_attempts;
    if current.attempts >= max {
        return Ok(CodeCheck::Exhausted);
    }
    if !constant_time_eq(&current.code_hash, &code_hash(state, subject, code.trim())) {
        one_time_code::Entity::update_many()
            .col_expr(one_time_code::Column::Attempts, Expr::col(one_time_code::Column::Attempts).add(1))
            .filter(one_time_code::Column::Id.eq(current.id.clone()))
            .exec(tx)
            .await?;
        return Ok(if current.attempts + 1 >= max { CodeCheck::Exhausted } else { CodeCheck::Wrong });
    }
    // Conditional on still unused: two requests racing with the same code cannot both win.
    let used = one_time_code::Entity::update_many()
        .col_expr(one_time_code::Column::UsedAt, Expr::value(now))
        .filter(one_time_code::Column::Id.eq(current.id))
        .filter(one_time_code::Column::UsedAt.is_null())
        .exec(tx)
        .await?;
    Ok(if used.rows_affected == 1 { CodeCheck::Valid } else { CodeCheck::ExpiredOrMissing })
}

fn code_hash(state: &AppState, subject: &str, code: &str) -> String {
    state.crypto.index("one-time-code", &format!("{subject}:{code}"))
}
