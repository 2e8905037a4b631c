//! 访问记录: which organisation's account opened a person's declaration or downloaded one of its
//! files, and when; the applicant reads it on her progress page.
//!
//! Repeats by the same account of the same thing within [`FOLD_MINUTES`] raise the count of the
//! row instead of adding one, so that a reviewer paging through a file does not bury the list.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
    Statement,
};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::Role;
use crate::entities::{declaration, declaration_access, org};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Opens by one account of one thing within this many minutes are one row.
pub const FOLD_MINUTES: i64 = 10;

/// What the organisation's account did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access<'a> {
    /// Opened the declaration (the reviewer's view).
    View,
    /// Downloaded an evidence file: its id and name.
    Download { attachment_id: &'a str, filename: &'a str },
}

/// Records that an organisation's account opened `declaration_id`; persons and admins are not
/// recorded (the owner reading her own file is no news to her).
pub async fn record_view(state: &AppState, user: &AuthUser, declaration_id: &str) -> AppResult<()> {
    record(state, user, &[declaration_id.to_string()], Access::View).await
}

/// Records that an organisation's account downloaded an attachment, against every declaration
/// that uses it and has reached the account's organisation.
pub async fn record_download(state: &AppState, user: &AuthUser, attachment_id: &str, filename: &str) -> AppResult<()> {
    let Some(org_id) = org_member(user) else { return Ok(()) };
    let declarations = reached_declarations_using(&state.db, attachment_id, org_id).await?;
    record(state, user, &declarations, Access::Download { attachment_id, filename }).await
}

fn org_member(user: &AuthUser) -> Option<&str> {
    match user.role {
        Role::OrgAdmin | Role::Reviewer => user.org_id.as_deref(),
        _ => None,
    }
}

async fn record(state: &AppState, user: &AuthUser, declaration_ids: &[String], access: Access<'_>) -> AppResult<()> {
    let Some(org_id) = org_member(user) else { return Ok(()) };
    if declaration_ids.is_empty() {
        return Ok(());
    }
    let now = state.clock.now();
    let org_name =
        org::Entity::find_by_id(org_id.to_string()).one(&state.db).await?.map(|o| o.name).unwrap_or_default();
    let (action, attachment_id, filename) = match access {
        Access::View => ("view", None, None),
        Access::Download { attachment_id, filename } => ("download", Some(attachment_id), Some(filename)),
    };
    let tx = db::begin_write(&state.db).await?;
    for declaration_id in declaration_ids {
        let mut recent = declaration_access::Entity::find()
            .filter(declaration_access::Column::DeclarationId.eq(declaration_id))
            .filter(declaration_access::Column::AccountId.eq(user.id.clone()))
            .filter(declaration_access::Column::Action.eq(action))
            .filter(declaration_access::Column::LastAt.gte(now - chrono::Duration::minutes(FOLD_MINUTES)));
        recent = match attachment_id {
            Some(id) => recent.filter(declaration_access::Column::AttachmentId.eq(id)),
            None => recent.filter(declaration_access::Column::AttachmentId.is_null()),
        };
        match recent.order_by_desc(declaration_access::Column::LastAt).one(&tx).await? {
            Some(row) => {
                declaration_access::Entity::update_many()
                    .col_expr(declaration_access::Column::Count, Expr::col(declaration_access::Column::Count).add(1))
                    .col_expr(declaration_access::Column::LastAt, Expr::value(now))
                    .filter(declaration_access::Column::Id.eq(row.id))
                    .exec(&tx)
                    .await?;
            }
            None => {
                declaration_access::Entity::insert(declaration_access::ActiveModel {
                    id: Set(db::new_id()),
                    declaration_id: Set(declaration_id.clone()),
                    org_id: Set(org_id.to_string()),
                    org_name: Set(org_name.clone()),
                    account_id: Set(user.id.clone()),
                    account_name: Set(user.real_name.clone()),
                    username: Set(user.username.clone()),
                    action: Set(action.to_string()),
                    attachment_id: Set(attachment_id.map(str::to_string)),
                    attachment_name: Set(filename.map(|name| name.chars().take(255).collect())),
                    first_at: Set(now),
                    last_at: Set(now),
                    count: Set(1),
                })
                .exec_without_returning(&tx)
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The declarations that use the attachment and have reached the organisation.
async fn reached_declarations_using(
    db: &impl ConnectionTrait,
    attachment_id: &str,
    org_id: &str,
) -> Result<Vec<String>, sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT DISTINCT i.declaration_id AS id FROM item_attachments ia \
             JOIN declaration_items i ON i.id = ia.item_id \
             JOIN declaration_holders h ON h.declaration_id = i.declaration_id \
             WHERE ia.attachment_id = $1 AND h.org_id = $2"
        }
        _ => {
            "SELECT DISTINCT i.declaration_id AS id FROM item_attachments ia \
             JOIN declaration_items i ON i.id = ia.item_id \
             JOIN declaration_holders h ON h.declaration_id = i.declaration_id \
             WHERE ia.attachment_id = ? AND h.org_id = ?"
        }
    };
    let rows =
        db.query_all_raw(Statement::from_sql_and_values(backend, sql, [attachment_id.into(), org_id.into()])).await?;
    rows.iter().map(|row| row.try_get::<String>("", "id")).collect()
}

/// The declaration's 访问记录, newest first: for its owner only. Other roles are refused by role
/// (403), other persons by object (404), as for reading the declaration itself.
pub async fn for_owner(
    state: &AppState,
    user: &AuthUser,
    declaration_id: &str,
) -> AppResult<Vec<declaration_access::Model>> {
    user.require(&[Role::Person])?;
    let declaration = declaration::Entity::find_by_id(declaration_id.to_string())
        .one(&state.db)
        .await?
        .filter(|d| d.person_id == user.id)
        .ok_or(AppError::NotFound)?;
    Ok(declaration_access::Entity::find()
        .filter(declaration_access::Column::DeclarationId.eq(declaration.id))
        .order_by_desc(declaration_access::Column::LastAt)
        .order_by_desc(declaration_access::Column::Id)
        .all(&state.db)
        .await?)
}
