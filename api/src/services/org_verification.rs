//! 单位认证审核 and 单位权限管理: an `hrss` bureau's admin vouches for the 主管部门 and 乡镇（街道）
//! of its region (or refuses them, with a reason), and can disable an organisation it oversees
//! or reset its admin's password (单位密码重置). Every decision is audited.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::auth::{AuthUser, password};
use crate::crypto::random_token;
use crate::db;
use crate::domain::{OrgKind, OrgVerification, Role};
use crate::entities::{account, login_attempt, org};
use crate::error::{AppError, AppResult};
use crate::services::audit::{self, AuditEntry};
use crate::services::orgs;
use crate::services::{accounts, messages};
use crate::state::AppState;

/// The caller's bureau: only an `hrss` org's admin decides who is an organisation.
async fn bureau_of(state: &AppState, user: &AuthUser) -> AppResult<org::Model> {
    user.require(&[Role::OrgAdmin])?;
    let own = org::Entity::find_by_id(user.org()?.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)?;
    if own.kind != OrgKind::Hrss.as_str() || !orgs::is_verified(&own) {
        return Err(AppError::forbidden("not_a_bureau", "仅人社局单位管理员可进行单位认证审核"));
    }
    Ok(own)
}

/// An organisation the bureau oversees; any other does not exist as far as this caller knows.
async fn overseen(tx: &impl sea_orm::ConnectionTrait, bureau: &org::Model, org_id: &str) -> AppResult<org::Model> {
    org::Entity::find_by_id(org_id.to_string())
        .one(tx)
        .await?
        .filter(|o| orgs::oversees(bureau, o))
        .ok_or(AppError::NotFound)
}

/// The 主管部门 and 乡镇（街道） of the bureau's region, optionally in one verification state,
/// oldest first so the longest-waiting application is on top.
pub async fn list(
    state: &AppState,
    user: &AuthUser,
    verification: Option<OrgVerification>,
    page: u64,
    page_size: u64,
) -> AppResult<(Vec<org::Model>, u64)> {
    let bureau = bureau_of(state, user).await?;
    let kinds: Vec<&str> = OrgKind::ALL.iter().filter(|k| k.verified_by_bureau()).map(|k| k.as_str()).collect();
    let mut query = org::Entity::find()
        .filter(org::Column::Kind.is_in(kinds))
        .filter(Expr::col(org::Column::RegionCode).like(format!("{}%", orgs::oversight_prefix(&bureau.region_code))));
    if let Some(verification) = verification {
        query = query.filter(org::Column::Verification.eq(verification.as_str()));
    }
    let paginator =
        query.order_by_asc(org::Column::CreatedAt).order_by_asc(org::Column::Id).paginate(&state.db, page_size);
    let total = paginator.num_items().await?;
    Ok((paginator.fetch_page(page - 1).await?, total))
}

/// 认证通过 (`reason` None) or 认证不通过 (with the reason the org reads).
pub async fn decide(
    state: &AppState,
    user: &AuthUser,
    org_id: &str,
    reason: Option<String>,
    ip: Option<String>,
) -> AppResult<org::Model> {
    let bureau = bureau_of(state, user).await?;
    let tx = db::begin_write(&state.db).await?;
    let target = overseen(&tx, &bureau, org_id).await?;
    let kind = OrgKind::parse(&target.kind).ok_or(AppError::NotFound)?;
    if !kind.verified_by_bureau() {
        return Err(AppError::rule(
            "verification_not_needed",
            format!("{}由上级单位在路径审核时认可，无需单位认证", kind.label()),
        ));
    }
    let verification = if reason.is_none() { OrgVerification::Verified } else { OrgVerification::Refused };
    if target.verification == verification.as_str() {
        return Err(AppError::conflict(
            "verification_already_decided",
            format!("该单位已是“{}”状态，无需重复操作", verification.label()),
        ));
    }
    if verification == OrgVerification::Verified {
        orgs::ensure_name_free(state, &tx, &target.name, &target.region_code, Some(&target.id)).await?;
    }
    org::Entity::update_many()
        .col_expr(org::Column::Verification, Expr::value(verification.as_str()))
        .col_expr(org::Column::VerificationReason, Expr::value(reason.clone()))
        .col_expr(org::Column::VerifiedBy, Expr::value(user.id.clone()))
        .col_expr(org::Column::VerifiedAt, Expr::value(db::now()))
        .filter(org::Column::Id.eq(target.id.clone()))
        .exec(&tx)
        .await?;
    let admins = messages::recipients::org_admins(&tx, &target.id).await?;
    let note = match &reason {
        None => messages::Note::new(
            "org_verified",
            "单位认证已通过",
            format!("{}已通过{}的单位认证。", target.name, bureau.name),
        ),
        Some(reason) => messages::Note::new(
            "org_verification_refused",
            "单位认证未通过",
            format!("{}的单位认证未通过{}审核，原因：{reason}。", target.name, bureau.name),
        ),
    }
    .link("/account")
    .object("org", &target.id);
    messages::post(&tx, &admins, &note).await?;
    let action = if verification == OrgVerification::Verified { "org_verified" } else { "org_verification_refused" };
    audit::record(
        &tx,
        AuditEntry::new(action, true)
            .actor(&user.id, &user.real_name, Some(&bureau.id))
            .object("org", &target.id)
            .ip(ip)
            .detail(serde_json::json!({"name": target.name, "uscc": target.uscc, "reason": reason})),
    )
    .await?;
    let decided = org::Entity::find_by_id(target.id).one(&tx).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(decided)
}

/// 停用单位: the organisation and every account of it stop at once (sessions ended, logins refused).
pub async fn disable(state: &AppState, user: &AuthUser, org_id: &str, ip: Option<String>) -> AppResult<org::Model> {
    let bureau = bureau_of(state, user).await?;
    let tx = db::begin_write(&state.db).await?;
    let target = overseen(&tx, &bureau, org_id).await?;
    if target.status != "active" {
        return Err(AppError::conflict("org_already_disabled", "该单位已停用"));
    }
    org::Entity::update_many()
        .col_expr(org::Column::Status, Expr::value("disabled"))
        .filter(org::Column::Id.eq(target.id.clone()))
        .exec(&tx)
        .await?;
    let members = account::Entity::find().filter(account::Column::OrgId.eq(target.id.clone())).all(&tx).await?;
    for member in &members {
        accounts::revoke_all_sessions(&tx, &member.id).await?;
    }
    audit::record(
        &tx,
        AuditEntry::new("org_disabled", true)
            .actor(&user.id, &user.real_name, Some(&bureau.id))
            .object("org", &target.id)
            .ip(ip)
            .detail(serde_json::json!({"name": target.name, "accounts": members.len()})),
    )
    .await?;
    let disabled = org::Entity::find_by_id(target.id).one(&tx).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(disabled)
}

/// A one-time password the bureau hands to the organisation's admin (单位密码重置).
pub struct TemporaryPassword {
    pub username: String,
    pub password: String,
}

/// 单位密码重置: gives the organisation's admin a new random password, ends its sessions and
/// clears its lockout. The password is shown once to the bureau, which passes it on; the admin
/// changes it after signing in.
pub async fn reset_admin_password(
    state: &AppState,
    user: &AuthUser,
    org_id: &str,
    ip: Option<String>,
) -> AppResult<TemporaryPassword> {
    let bureau = bureau_of(state, user).await?;
    let target = overseen(&state.db, &bureau, org_id).await?;
    // Mixed case, a digit or symbol and 96 random bits: it passes any password rule.
    let temporary = format!("Zc-{}", random_token(12));
    let hash = password::hash(temporary.clone()).await?;
    let tx = db::begin_write(&state.db).await?;
    let admin = account::Entity::find()
        .filter(account::Column::OrgId.eq(target.id.clone()))
        .filter(account::Column::Role.eq(Role::OrgAdmin.as_str()))
        .order_by_asc(account::Column::CreatedAt)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    accounts::set_password(&tx, &admin.id, hash).await?;
    // Dated at the epoch, the temporary password counts as expired: the SPA sends its holder to
    // change it after signing in (`password_expired` of /me).
    account::Entity::update_many()
        .col_expr(account::Column::PasswordChangedAt, Expr::value(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH))
        .filter(account::Column::Id.eq(admin.id.clone()))
        .exec(&tx)
        .await?;
    login_attempt::Entity::delete_by_id(format!("acct:{}", admin.id)).exec(&tx).await?;
    audit::record(
        &tx,
        AuditEntry::new("org_admin_password_reset", true)
            .actor(&user.id, &user.real_name, Some(&bureau.id))
            .object("account", &admin.id)
            .ip(ip)
            .detail(serde_json::json!({"org_id": target.id})),
    )
    .await?;
    tx.commit().await?;
    Ok(TemporaryPassword { username: admin.username, password: temporary })
}
