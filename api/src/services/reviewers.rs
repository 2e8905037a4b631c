//! Real-name reviewers (实名制审核人员): registered by the org admin, each with its own login.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::auth::{AuthUser, password};
use crate::db;
use crate::domain::{IdCardNumber, Password, Phone, Role, Username};
use crate::entities::account;
use crate::error::{AppError, AppResult};
use crate::services::accounts::{self, AccountFields};
use crate::services::audit::{self, AuditEntry};
use crate::state::AppState;

pub struct NewReviewer {
    pub real_name: String,
    pub id_number: IdCardNumber,
    pub phone: Phone,
    pub username: Username,
    pub password: Password,
}

pub struct ReviewerView {
    pub account: account::Model,
    pub id_number: Option<IdCardNumber>,
    pub phone: Option<Phone>,
}

pub async fn list(state: &AppState, user: &AuthUser) -> AppResult<Vec<ReviewerView>> {
    user.require(&[Role::OrgAdmin])?;
    let rows = account::Entity::find()
        .filter(account::Column::OrgId.eq(user.org()?))
        .filter(account::Column::Role.eq(Role::Reviewer.as_str()))
        .order_by_asc(account::Column::CreatedAt)
        .all(&state.db)
        .await?;
    rows.into_iter()
        .map(|account| {
            Ok(ReviewerView {
                id_number: accounts::account_id_number(state, &account)?,
                phone: accounts::account_phone(state, &account)?,
                account,
            })
        })
        .collect()
}

pub async fn register(
    state: &AppState,
    user: &AuthUser,
    input: NewReviewer,
    ip: Option<String>,
) -> AppResult<ReviewerView> {
    user.require(&[Role::OrgAdmin])?;
    let org_id = user.org()?.to_string();
    // The cheap refusals before argon2 (64 parallel hashes took the server's memory to 6 GB);
    // the transaction checks again.
    ensure_reviewer_free(state, &state.db, &org_id, &input).await?;
    let hash = password::hash(input.password.expose().to_string()).await?;
    let tx = db::begin_write(&state.db).await?;
    ensure_reviewer_free(state, &tx, &org_id, &input).await?;
    let fields = AccountFields {
        role: Role::Reviewer,
        real_name: &input.real_name,
        id_number: Some(&input.id_number),
        phone: Some(&input.phone),
        org_id: Some(&org_id),
        created_by: Some(&user.id),
    };
    let account = accounts::insert_account(state, &tx, &input.username, hash, fields).await?;
    audit::record(
        &tx,
        AuditEntry::new("reviewer_registered", true)
            .actor(&user.id, &user.real_name, Some(&org_id))
            .object("account", &account.id)
            .ip(ip),
    )
    .await?;
    tx.commit().await?;
    Ok(ReviewerView { account, id_number: Some(input.id_number), phone: Some(input.phone) })
}

/// Refuses a taken username, or a person who is already an active reviewer of the organisation.
async fn ensure_reviewer_free(
    state: &AppState,
    db: &impl ConnectionTrait,
    org_id: &str,
    input: &NewReviewer,
) -> AppResult<()> {
    accounts::ensure_username_free(db, &input.username).await?;
    let same_person = account::Entity::find()
        .filter(account::Column::OrgId.eq(org_id))
        .filter(account::Column::Role.eq(Role::Reviewer.as_str()))
        .filter(account::Column::IdNumberHash.eq(state.crypto.index("id_number", input.id_number.as_str())))
        .filter(account::Column::Status.eq("active"))
        .one(db)
        .await?;
    if same_person.is_some() {
        return Err(AppError::conflict_field("reviewer_exists", "/id_number", "该人员已是本单位的审核人员"));
    }
    Ok(())
}

/// Disables a reviewer of the caller's organisation; its tokens stop working at once.
pub async fn disable(state: &AppState, user: &AuthUser, reviewer_id: &str, ip: Option<String>) -> AppResult<()> {
    user.require(&[Role::OrgAdmin])?;
    let org_id = user.org()?;
    let tx = db::begin_write(&state.db).await?;
    let reviewer = account::Entity::find_by_id(reviewer_id.to_string())
        .one(&tx)
        .await?
        .filter(|a| a.role == Role::Reviewer.as_str() && a.org_id.as_deref() == Some(org_id))
        .ok_or(AppError::NotFound)?;
    account::Entity::update_many()
        .col_expr(account::Column::Status, Expr::value("disabled"))
        .filter(account::Column::Id.eq(reviewer.id.clone()))
        .exec(&tx)
        .await?;
    accounts::revoke_all_sessions(&tx, &reviewer.id).await?;
    audit::record(
        &tx,
        AuditEntry::new("reviewer_disabled", true)
            .actor(&user.id, &user.real_name, Some(org_id))
            .object("account", &reviewer.id)
            .ip(ip),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether an organisation has at least one active real-name reviewer (提示1).
pub async fn has_active_reviewer(db: &impl ConnectionTrait, org_id: &str) -> Result<bool, sea_orm::DbErr> {
    let count = account::Entity::find()
        .filter(account::Column::OrgId.eq(org_id))
        .filter(account::Column::Role.eq(Role::Reviewer.as_str()))
        .filter(account::Column::Status.eq("active"))
        .count(db)
        .await?;
    Ok(count > 0)
}
