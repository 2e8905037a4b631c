//! The message centre (站内信): who is told what, written in the caller's transaction so a
//! message exists exactly when the change it tells about was committed.
//!
//! Services call [`post`] with a [`Note`] and the recipients (use the `recipients` helpers to
//! name them: the applicant, an organisation's reviewers or admin). Listing, reading and SMS
//! delivery build on these rows.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder,
};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::Role;
use crate::entities::{account, message};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// What to tell. `kind` is a stable machine word (`declaration_returned`); `title` and `body` are
/// what the person reads; `link` is the SPA path of the object.
#[derive(Debug, Clone)]
pub struct Note {
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub object: Option<(&'static str, String)>,
}

impl Note {
    pub fn new(kind: &'static str, title: impl Into<String>, body: impl Into<String>) -> Self {
        Self { kind, title: title.into(), body: body.into(), link: None, object: None }
    }

    pub fn link(mut self, link: impl Into<String>) -> Self {
        self.link = Some(link.into());
        self
    }

    pub fn object(mut self, kind: &'static str, id: &str) -> Self {
        self.object = Some((kind, id.to_string()));
        self
    }
}

/// Writes `note` once for each distinct recipient, in one statement. No recipients, no write.
pub async fn post(db: &impl ConnectionTrait, recipients: &[String], note: &Note) -> Result<(), sea_orm::DbErr> {
    let mut recipients: Vec<&String> = recipients.iter().collect();
    recipients.sort();
    recipients.dedup();
    if recipients.is_empty() {
        return Ok(());
    }
    let now = db::now();
    let rows = recipients.into_iter().map(|account_id| message::ActiveModel {
        id: Set(db::new_id()),
        account_id: Set(account_id.clone()),
        kind: Set(note.kind.to_string()),
        title: Set(note.title.clone()),
        body: Set(note.body.clone()),
        link: Set(note.link.clone()),
        object_type: Set(note.object.as_ref().map(|(kind, _)| kind.to_string())),
        object_id: Set(note.object.as_ref().map(|(_, id)| id.clone())),
        created_at: Set(now),
        read_at: Set(None),
    });
    message::Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(())
}

/// Writes a different note to each recipient (one per declaration of a batch report), in one
/// statement.
pub async fn post_each(db: &impl ConnectionTrait, notes: Vec<(String, Note)>) -> Result<(), sea_orm::DbErr> {
    if notes.is_empty() {
        return Ok(());
    }
    let now = db::now();
    let rows = notes.into_iter().map(|(account_id, note)| message::ActiveModel {
        id: Set(db::new_id()),
        account_id: Set(account_id),
        kind: Set(note.kind.to_string()),
        title: Set(note.title),
        body: Set(note.body),
        link: Set(note.link),
        object_type: Set(note.object.as_ref().map(|(kind, _)| kind.to_string())),
        object_id: Set(note.object.map(|(_, id)| id)),
        created_at: Set(now),
        read_at: Set(None),
    });
    message::Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(())
}

/// The caller's own messages, newest first; only the unread ones when `unread_only`.
pub async fn list(
    state: &AppState,
    user: &AuthUser,
    unread_only: bool,
    page: u64,
    page_size: u64,
) -> AppResult<(Vec<message::Model>, u64)> {
    let mut query = message::Entity::find().filter(message::Column::AccountId.eq(user.id.clone()));
    if unread_only {
        query = query.filter(message::Column::ReadAt.is_null());
    }
    let paginator = query
        .order_by_desc(message::Column::CreatedAt)
        .order_by_desc(message::Column::Id)
        .paginate(&state.db, page_size);
    let total = paginator.num_items().await?;
    Ok((paginator.fetch_page(page - 1).await?, total))
}

/// How many of the caller's messages are unread (the bell).
pub async fn unread_count(state: &AppState, user: &AuthUser) -> AppResult<u64> {
    Ok(message::Entity::find()
        .filter(message::Column::AccountId.eq(user.id.clone()))
        .filter(message::Column::ReadAt.is_null())
        .count(&state.db)
        .await?)
}

/// Marks one of the caller's messages read (again is harmless); another's answers 404.
pub async fn mark_read(state: &AppState, user: &AuthUser, id: &str) -> AppResult<message::Model> {
    let found = message::Entity::find_by_id(id.to_string())
        .filter(message::Column::AccountId.eq(user.id.clone()))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if found.read_at.is_some() {
        return Ok(found);
    }
    let now = db::now();
    message::Entity::update_many()
        .col_expr(message::Column::ReadAt, Expr::value(now))
        .filter(message::Column::Id.eq(found.id.clone()))
        .filter(message::Column::AccountId.eq(user.id.clone()))
        .filter(message::Column::ReadAt.is_null())
        .exec(&state.db)
        .await?;
    Ok(message::Model { read_at: Some(now), ..found })
}

/// Marks every unread message of the caller read; returns how many were.
pub async fn mark_all_read(state: &AppState, user: &AuthUser) -> AppResult<u64> {
    let done = message::Entity::update_many()
        .col_expr(message::Column::ReadAt, Expr::value(db::now()))
        .filter(message::Column::AccountId.eq(user.id.clone()))
        .filter(message::Column::ReadAt.is_null())
        .exec(&state.db)
        .await?;
    Ok(done.rows_affected)
}

/// 待办: what waits for the caller, for the numbers on the menus and the bell.
#[derive(Debug, Default, Clone, Copy)]
pub struct Todo {
    pub unread: u64,
    /// Declarations pending at the caller's organisation (审核).
    pub files_waiting: u64,
    /// Path applications awaiting the caller's organisation (路径审核; org admins).
    pub paths_to_audit: u64,
    /// 主管部门 and 乡镇（街道） of the bureau's region awaiting 单位认证 (a bureau's admin).
    pub orgs_to_verify: u64,
}

pub async fn todo(state: &AppState, user: &AuthUser) -> AppResult<Todo> {
    use crate::domain::{DeclarationStatus, OrgKind, OrgVerification, PathStatus};
    use crate::entities::{declaration, org, path};
    let mut todo = Todo { unread: unread_count(state, user).await?, ..Todo::default() };
    let Some(org_id) = user.org_id.as_deref().filter(|_| matches!(user.role, Role::OrgAdmin | Role::Reviewer)) else {
        return Ok(todo);
    };
    todo.files_waiting = declaration::Entity::find()
        .filter(declaration::Column::HolderOrgId.eq(org_id))
        .filter(declaration::Column::Status.eq(DeclarationStatus::Pending.as_str()))
        .count(&state.db)
        .await?;
    if user.role != Role::OrgAdmin {
        return Ok(todo);
    }
    todo.paths_to_audit = path::Entity::find()
        .filter(path::Column::ParentOrgId.eq(org_id))
        .filter(path::Column::Status.eq(PathStatus::Pending.as_str()))
        .count(&state.db)
        .await?;
    let own = org::Entity::find_by_id(org_id.to_string()).one(&state.db).await?;
    if let Some(bureau) = own.filter(|o| o.kind == OrgKind::Hrss.as_str() && crate::services::orgs::is_verified(o)) {
        let kinds: Vec<&str> = OrgKind::ALL.iter().filter(|k| k.verified_by_bureau()).map(|k| k.as_str()).collect();
        todo.orgs_to_verify = org::Entity::find()
            .filter(org::Column::Kind.is_in(kinds))
            .filter(org::Column::Verification.eq(OrgVerification::Unverified.as_str()))
            .filter(
                sea_orm::sea_query::Expr::col(org::Column::RegionCode)
                    .like(format!("{}%", crate::services::orgs::oversight_prefix(&bureau.region_code))),
            )
            .count(&state.db)
            .await?;
    }
    Ok(todo)
}

/// Who to tell, by their place in the platform.
pub mod recipients {
    use super::*;

    /// The active accounts of `org_id` with one of `roles`.
    pub async fn of_org(
        db: &impl ConnectionTrait,
        org_id: &str,
        roles: &[Role],
    ) -> Result<Vec<String>, sea_orm::DbErr> {
        Ok(account::Entity::find()
            .filter(account::Column::OrgId.eq(org_id))
            .filter(account::Column::Role.is_in(roles.iter().map(|r| r.as_str())))
            .filter(account::Column::Status.eq("active"))
            .all(db)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect())
    }

    /// The real-name reviewers of an organisation, who act on the files that arrive there.
    pub async fn reviewers(db: &impl ConnectionTrait, org_id: &str) -> Result<Vec<String>, sea_orm::DbErr> {
        of_org(db, org_id, &[Role::Reviewer]).await
    }

    /// The organisation's admin account (单位管理员).
    pub async fn org_admins(db: &impl ConnectionTrait, org_id: &str) -> Result<Vec<String>, sea_orm::DbErr> {
        of_org(db, org_id, &[Role::OrgAdmin]).await
    }

    /// Everyone who works an organisation's files: its admin and its reviewers.
    pub async fn members(db: &impl ConnectionTrait, org_id: &str) -> Result<Vec<String>, sea_orm::DbErr> {
        of_org(db, org_id, &[Role::OrgAdmin, Role::Reviewer]).await
    }
}

/// The texts of the declaration lifecycle's messages, in one place.
pub mod notes {
    use super::Note;
    use crate::domain::Level;
    use crate::entities::declaration;

    /// `2026年度中级职称申报`: how a declaration is named to the people it concerns.
    pub fn declaration_name(declaration: &declaration::Model) -> String {
        let level = Level::parse(&declaration.level).map(|l| l.label()).unwrap_or("");
        format!("{}年度{level}职称申报", declaration.year)
    }

    fn to_applicant(kind: &'static str, declaration: &declaration::Model, title: String, body: String) -> Note {
        Note::new(kind, title, body)
            .link(format!("/declarations/{}/progress", declaration.id))
            .object("declaration", &declaration.id)
    }

    /// 审核通过 at an organisation (not yet reported).
    pub fn approved(declaration: &declaration::Model, org_name: &str) -> Note {
        let name = declaration_name(declaration);
        to_applicant(
            "declaration_approved",
            declaration,
            format!("{name}已审核通过"),
            format!("您的{name}已由{org_name}审核通过，等待其上报。"),
        )
    }

    /// 受理 at a bureau: the end of the chain.
    pub fn accepted(declaration: &declaration::Model, org_name: &str) -> Note {
        let name = declaration_name(declaration);
        to_applicant(
            "declaration_accepted",
            declaration,
            format!("{name}已受理"),
            format!("您的{name}已由{org_name}受理。"),
        )
    }

    /// 退回 (or 不予受理 at a bureau) with the opinion.
    pub fn returned(declaration: &declaration::Model, org_name: &str, opinion: &str) -> Note {
        let name = declaration_name(declaration);
        to_applicant(
            "declaration_returned",
            declaration,
            format!("{name}被退回"),
            format!("您的{name}被{org_name}退回，审核意见：{opinion}。请按意见修改后重新确认申报。"),
        )
    }

    /// 数据上报: the applicant's file went up a level.
    pub fn reported(declaration: &declaration::Model, from_name: &str, to_name: &str) -> Note {
        let name = declaration_name(declaration);
        to_applicant(
            "declaration_reported",
            declaration,
            format!("{name}已上报至{to_name}"),
            format!("您的{name}已由{from_name}上报至{to_name}，等待审核。"),
        )
    }

    /// 确认申报 (or a resubmission after a return): for the employer's reviewers.
    pub fn submitted(declaration: &declaration::Model, again: bool) -> Note {
        let name = declaration_name(declaration);
        let (kind, verb) = if again {
            ("declaration_resubmitted", "修改后重新提交了")
        } else {
            ("files_arrived", "提交了")
        };
        Note::new(
            kind,
            format!("{}{verb}{name}", declaration.applicant_name),
            format!("{}{verb}{name}，请及时审核。", declaration.applicant_name),
        )
        .link(format!("/reviews/{}", declaration.id))
        .object("declaration", &declaration.id)
    }

    /// Files arrived at an organisation: for its reviewers.
    pub fn files_arrived(count: usize, from_name: &str, link: String) -> Note {
        Note::new(
            "files_arrived",
            format!("收到{count}份待审核的职称申报"),
            format!("{from_name}提交了{count}份职称申报，请及时审核。"),
        )
        .link(link)
    }
}
