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

/// Why a code was or was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeCheck {
    Valid,
    Wrong,
    ExpiredOrMissing,
    Exhausted,
}

/// Creates a code for `subject` inside `tx` and returns the SMS text to send after commit, or
/// `None` when the subject already had a code in the last minute or too many in the last hour.
pub async fn issue(
    state: &AppState,
    tx: &DatabaseTransaction,
    subject: &str,
    purpose: Purpose,
) -> AppResult<Option<String>> {
    let now = db::now();
    let recent = one_time_code::Entity::find()
        .filter(one_time_code::Column::Subject.eq(subject))
        .filter(one_time_code::Column::Purpose.eq(purpose.as_str()))
        .filter(one_time_code::Column::CreatedAt.gt(now - Duration::hours(1)))
        .order_by_desc(one_time_code::Column::CreatedAt)
        .all(tx)
        .await?;
    let too_soon = recent.first().is_some_and(|latest| latest.created_at > now - Duration::seconds(60));
    if too_soon || recent.len() as u64 >= state.settings.auth.otp_per_hour {
        return Ok(None);
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
    Ok(Some(format!(
        "【职称申报评审服务平台】您的验证码为{code}，用于{}，{minutes}分钟内有效。如非本人操作，请忽略本短信。",
        purpose.describe()
    )))
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
