//! Reporting paths (路径申请 / 路径审核): for series S at level L, org A reports to parent org P.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::{Level, OrgKind, PathStatus, Role};
use crate::entities::{org, path, series, series_level};
use crate::error::{AppError, AppResult};
use crate::services::audit::{self, AuditEntry};
use crate::services::messages::{self, Note};
use crate::services::{catalogue, orgs};
use crate::state::AppState;

/// A path with the names a person reads it by.
pub struct PathView {
    pub path: path::Model,
    pub org: Option<org::Model>,
    pub parent: Option<org::Model>,
    pub series_name: String,
    pub title_name: String,
}

/// 新增路径: the caller's organisation applies to report `series`/`level` to `parent_org_id`.
pub async fn apply(
    state: &AppState,
    user: &AuthUser,
    series_code: &str,
    level: Level,
    parent_org_id: &str,
    ip: Option<String>,
) -> AppResult<path::Model> {
    let mut created =
        apply_levels(state, user, series_code, &[(level, "/level".to_string())], parent_org_id, ip).await?;
    created.pop().ok_or(AppError::NotFound)
}

/// 新增路径 for several levels of one series at once, to one parent: all of them or none (one
/// transaction); each level's problem is named by its pointer (`/levels/1`).
pub async fn apply_levels(
    state: &AppState,
    user: &AuthUser,
    series_code: &str,
    levels: &[(Level, String)],
    parent_org_id: &str,
    ip: Option<String>,
) -> AppResult<Vec<path::Model>> {
    user.require(&[Role::OrgAdmin])?;
    let org_id = user.org()?;
    let tx = db::begin_write(&state.db).await?;
    let own = org::Entity::find_by_id(org_id.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let kind = OrgKind::parse(&own.kind).ok_or(AppError::NotFound)?;
    if kind.allowed_parents().is_empty() {
        return Err(AppError::rule("top_of_chain", "人社局为最高层级，无需申请上报路径"));
    }
    let parent = org::Entity::find_by_id(parent_org_id.to_string())
        .one(&tx)
        .await?
        .filter(|p| p.status == "active")
        .ok_or_else(|| AppError::field("/parent_org_id", "上级或主管单位不存在"))?;
    let parent_kind = OrgKind::parse(&parent.kind).ok_or(AppError::NotFound)?;
    if !kind.allowed_parents().contains(&parent_kind) {
        let expected: Vec<&str> = kind.allowed_parents().iter().map(|k| k.label()).collect();
        return Err(AppError::field(
            "/parent_org_id",
            format!("{}的上报单位应为{}，不能选择{}", kind.label(), expected.join("或"), parent_kind.label()),
        ));
    }
    if !orgs::is_verified(&parent) {
        return Err(AppError::field(
            "/parent_org_id",
            format!("{}尚未通过单位认证，不能作为上级或主管单位", parent.name),
        ));
    }
    let auditors = messages::recipients::org_admins(&tx, &parent.id).await?;
    let mut created = Vec::with_capacity(levels.len());
    for (level, pointer) in levels {
        catalogue::require_series_level(&tx, series_code, *level, "/series", pointer).await?;
        let live = path::Entity::find()
            .filter(path::Column::OrgId.eq(org_id))
            .filter(path::Column::SeriesCode.eq(series_code))
            .filter(path::Column::Level.eq(level.as_str()))
            .filter(path::Column::Status.is_in([PathStatus::Pending.as_str(), PathStatus::Approved.as_str()]))
            .one(&tx)
            .await?;
        if let Some(live) = live {
            let state_text = if live.status == PathStatus::Approved.as_str() { "已开通" } else { "正在审核" };
            return Err(if levels.len() == 1 {
                AppError::conflict(
                    "path_exists",
                    format!("该系列和级别的路径{state_text}，之前已开通路径的不再重复申请"),
                )
            } else {
                let message = format!("{}的路径{state_text}，之前已开通路径的不再重复申请", level.label());
                AppError::conflict_field("path_exists", pointer, message)
            });
        }
        let model = path::Model {
            id: db::new_id(),
            org_id: org_id.to_string(),
            series_code: series_code.to_string(),
            level: level.as_str().to_string(),
            parent_org_id: parent.id.clone(),
            status: PathStatus::Pending.as_str().to_string(),
            reason: None,
            applied_by: user.id.clone(),
            decided_by: None,
            decided_at: None,
            created_at: db::now(),
        };
        path::Entity::insert(path::ActiveModel::from(model.clone())).exec_without_returning(&tx).await?;
        let note = Note::new(
            "path_awaiting_audit",
            format!("{}申请开通上报路径", own.name),
            format!(
                "{}申请将{}的申报上报至本单位，请进行路径审核。",
                own.name,
                title_of(&tx, series_code, *level).await?
            ),
        )
        .link("/path-audits")
        .object("path", &model.id);
        messages::post(&tx, &auditors, &note).await?;
        audit::record(
            &tx,
            AuditEntry::new("path_applied", true)
                .actor(&user.id, &user.real_name, Some(org_id))
                .object("path", &model.id)
                .ip(ip.clone())
                .detail(serde_json::json!({"series": series_code, "level": level, "parent_org_id": parent.id})),
        )
        .await?;
        created.push(model);
    }
    tx.commit().await?;
    Ok(created)
}

/// 撤回: the applicant's org admin takes back an application the parent has not decided yet; it
/// is kept as 已撤回 and the same series and level may be applied for again.
pub async fn withdraw(state: &AppState, user: &AuthUser, path_id: &str, ip: Option<String>) -> AppResult<PathView> {
    user.require(&[Role::OrgAdmin])?;
    let org_id = user.org()?;
    let tx = db::begin_write(&state.db).await?;
    // Another organisation's application does not exist as far as this caller knows.
    let existing = path::Entity::find_by_id(path_id.to_string())
        .one(&tx)
        .await?
        .filter(|p| p.org_id == org_id)
        .ok_or(AppError::NotFound)?;
    let updated = path::Entity::update_many()
        .col_expr(path::Column::Status, Expr::value(PathStatus::Withdrawn.as_str()))
        .col_expr(path::Column::DecidedBy, Expr::value(user.id.clone()))
        .col_expr(path::Column::DecidedAt, Expr::value(db::now()))
        .filter(path::Column::Id.eq(existing.id.clone()))
        .filter(path::Column::Status.eq(PathStatus::Pending.as_str()))
        .exec(&tx)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::conflict("path_not_pending", "该路径申请已审核或已撤回，不能撤回"));
    }
    audit::record(
        &tx,
        AuditEntry::new("path_withdrawn", true)
            .actor(&user.id, &user.real_name, Some(org_id))
            .object("path", path_id)
            .ip(ip),
    )
    .await?;
    let withdrawn = path::Entity::find_by_id(path_id.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let view = views(&tx, vec![withdrawn]).await?.pop().ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(view)
}

/// `卫生系列中级`: how a path's series and level read in a message.
async fn title_of(db: &impl ConnectionTrait, series_code: &str, level: Level) -> AppResult<String> {
    let series = series::Entity::find_by_id(series_code.to_string()).one(db).await?;
    Ok(format!("{}{}", series.map(|s| s.name).unwrap_or_else(|| series_code.to_string()), level.label()))
}

/// Whose paths to list: the caller's own applications, or those awaiting the caller's audit.
#[derive(Debug, Clone, Copy)]
pub enum PathSide {
    Applicant,
    Auditor,
}

pub async fn list(
    state: &AppState,
    user: &AuthUser,
    side: PathSide,
    status: Option<PathStatus>,
    page: u64,
    page_size: u64,
) -> AppResult<(Vec<PathView>, u64)> {
    user.require(&[Role::OrgAdmin])?;
    let org_id = user.org()?;
    let mut query = path::Entity::find();
    query = match side {
        PathSide::Applicant => query.filter(path::Column::OrgId.eq(org_id)),
        PathSide::Auditor => query.filter(path::Column::ParentOrgId.eq(org_id)),
    };
    if let Some(status) = status {
        query = query.filter(path::Column::Status.eq(status.as_str()));
    }
    let paginator =
        query.order_by_desc(path::Column::CreatedAt).order_by_desc(path::Column::Id).paginate(&state.db, page_size);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page - 1).await?;
    Ok((views(&state.db, rows).await?, total))
}

/// Attaches names to paths with a fixed number of queries, whatever the page size.
pub async fn views(db: &impl ConnectionTrait, rows: Vec<path::Model>) -> AppResult<Vec<PathView>> {
    let org_ids = rows.iter().flat_map(|p| [p.org_id.clone(), p.parent_org_id.clone()]);
    let orgs = orgs::by_ids(db, org_ids).await?;
    let series: HashMap<String, String> =
        series::Entity::find().all(db).await?.into_iter().map(|s| (s.code, s.name)).collect();
    let titles: HashMap<(String, String), String> = series_level::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|l| ((l.series_code, l.level), l.title_name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|path| PathView {
            org: orgs.get(&path.org_id).cloned(),
            parent: orgs.get(&path.parent_org_id).cloned(),
            series_name: series.get(&path.series_code).cloned().unwrap_or_default(),
            title_name: titles.get(&(path.series_code.clone(), path.level.clone())).cloned().unwrap_or_default(),
            path,
        })
        .collect())
}

/// 审核通过 / 审核不通过: only the parent's org admin decides, and only while pending.
pub async fn decide(
    state: &AppState,
    user: &AuthUser,
    path_id: &str,
    approve: bool,
    reason: Option<String>,
    ip: Option<String>,
) -> AppResult<PathView> {
    user.require(&[Role::OrgAdmin])?;
    let org_id = user.org()?;
    let tx = db::begin_write(&state.db).await?;
    // Another organisation's path does not exist as far as this caller knows.
    let existing = path::Entity::find_by_id(path_id.to_string())
        .one(&tx)
        .await?
        .filter(|p| p.parent_org_id == org_id)
        .ok_or(AppError::NotFound)?;
    if approve {
        // An org nobody has vouched for cannot vouch for another (单位认证).
        let own = org::Entity::find_by_id(org_id.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
        if !orgs::is_verified(&own) {
            return Err(AppError::forbidden(
                "org_unverified",
                "本单位尚未通过单位认证，不能审核通过路径申请，请联系当地人社局认证",
            ));
        }
    }
    let status = if approve { PathStatus::Approved } else { PathStatus::Rejected };
    let now = db::now();
    let updated = path::Entity::update_many()
        .col_expr(path::Column::Status, Expr::value(status.as_str()))
        .col_expr(path::Column::Reason, Expr::value(reason.clone()))
        .col_expr(path::Column::DecidedBy, Expr::value(user.id.clone()))
        .col_expr(path::Column::DecidedAt, Expr::value(now))
        .filter(path::Column::Id.eq(existing.id.clone()))
        .filter(path::Column::Status.eq(PathStatus::Pending.as_str()))
        .exec(&tx)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::conflict("path_already_decided", "该路径申请已审核，不能重复审核"));
    }
    let applicants = messages::recipients::org_admins(&tx, &existing.org_id).await?;
    let level = Level::parse(&existing.level).unwrap_or(Level::Intermediate);
    let title = title_of(&tx, &existing.series_code, level).await?;
    let note = match &reason {
        None => Note::new(
            "path_approved",
            format!("{title}上报路径已开通"),
            format!("您单位申请的{title}上报路径已审核通过。"),
        ),
        Some(reason) => Note::new(
            "path_rejected",
            format!("{title}上报路径申请未通过"),
            format!("您单位申请的{title}上报路径审核不通过，原因：{reason}。"),
        ),
    }
    .link("/paths")
    .object("path", &existing.id);
    messages::post(&tx, &applicants, &note).await?;
    audit::record(
        &tx,
        AuditEntry::new(if approve { "path_approved" } else { "path_rejected" }, true)
            .actor(&user.id, &user.real_name, Some(org_id))
            .object("path", path_id)
            .ip(ip)
            .detail(serde_json::json!({"reason": reason})),
    )
    .await?;
    let decided = path::Entity::find_by_id(path_id.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let view = views(&tx, vec![decided]).await?.pop().ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(view)
}

/// The parent an organisation reports `series`/`level` to, if its path is approved.
pub async fn approved_parent(
    db: &impl ConnectionTrait,
    org_id: &str,
    series_code: &str,
    level: &str,
) -> Result<Option<String>, sea_orm::DbErr> {
    Ok(path::Entity::find()
        .filter(path::Column::OrgId.eq(org_id))
        .filter(path::Column::SeriesCode.eq(series_code))
        .filter(path::Column::Level.eq(level))
        .filter(path::Column::Status.eq(PathStatus::Approved.as_str()))
        .one(db)
        .await?
        .map(|p| p.parent_org_id))
}

/// How many approved paths an organisation has (used by the demo seed and tests).
pub async fn approved_count(db: &impl ConnectionTrait, org_id: &str) -> Result<u64, sea_orm::DbErr> {
    path::Entity::find()
        .filter(path::Column::OrgId.eq(org_id))
        .filter(path::Column::Status.eq(PathStatus::Approved.as_str()))
        .count(db)
        .await
}
