//! 评委会 (evaluation committees), 评委会路径 (which committee a bureau's accepted declarations go
//! to) and the expert library (评委专家库).
//!
//! A committee is formed by an organisation (组建单位), whose org admin is the committee's admin,
//! and approved by the `hrss` bureau it names (or the platform admin). Its parameters default to
//! the national rules and may only be stricter.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::auth::{AuthUser, password};
use crate::db;
use crate::domain::committee::{self as rules, Fraction};
use crate::domain::{IdCardNumber, Level, OrgKind, Password, PathStatus, Phone, Role, Username};
use crate::entities::{account, committee, committee_route, expert, org};
use crate::error::{AppError, AppResult};
use crate::services::accounts::{self, AccountFields};
use crate::services::audit::{self, AuditEntry};
use crate::services::{catalogue, orgs};
use crate::state::AppState;

/// Approval states of a committee and of a committee route share the paths' words.
pub use crate::domain::PathStatus as DecisionStatus;

/// What the forming organisation asks for.
pub struct NewCommittee {
    pub name: String,
    pub series: String,
    pub levels: Vec<Level>,
    pub specialty_group: Option<String>,
    pub bureau_org_id: String,
    /// Per-level minimums that replace the national ones (only larger, odd).
    pub min_members: HashMap<Level, u32>,
    pub quorum: Option<(u32, u32)>,
    pub pass: Option<(u32, u32)>,
}

/// A committee with the names it is read by.
pub struct CommitteeView {
    pub committee: committee::Model,
    pub org: Option<org::Model>,
    pub bureau: Option<org::Model>,
    /// Whether the caller is its admin (the forming organisation's org admin).
    pub managed: bool,
}

impl CommitteeView {
    pub fn levels(&self) -> Vec<Level> {
        levels_of(&self.committee)
    }
}

pub fn levels_of(committee: &committee::Model) -> Vec<Level> {
    committee
        .levels
        .as_array()
        .map(|levels| levels.iter().filter_map(|l| l.as_str().and_then(Level::parse)).collect())
        .unwrap_or_default()
}

/// The committee's minimum for `level` (its own setting, else the national one).
pub fn minimum_of(committee: &committee::Model, level: Level) -> u32 {
    committee.min_members[level.as_str()]
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or_else(|| rules::national_minimum(level))
}

pub fn quorum_of(committee: &committee::Model) -> Fraction {
    fraction(committee.quorum_numerator, committee.quorum_denominator)
}

pub fn pass_of(committee: &committee::Model) -> Fraction {
    fraction(committee.pass_numerator, committee.pass_denominator)
}

pub fn fraction(numerator: i32, denominator: i32) -> Fraction {
    Fraction { numerator: numerator.max(0) as u32, denominator: denominator.max(1) as u32 }
}

fn is_committee_admin(user: &AuthUser, committee: &committee::Model) -> bool {
    user.role == Role::OrgAdmin && user.org_id.as_deref() == Some(committee.org_id.as_str())
}

/// 组建评委会: the caller's organisation forms a committee for a series and levels.
pub async fn form(
    state: &AppState,
    user: &AuthUser,
    input: NewCommittee,
    ip: Option<String>,
) -> AppResult<CommitteeView> {
    user.require(&[Role::OrgAdmin])?;
    let org_id = user.org()?.to_string();
    let tx = db::begin_write(&state.db).await?;
    let mut errors = Vec::new();
    for (index, level) in input.levels.iter().enumerate() {
        match catalogue::require_series_level(&tx, &input.series, *level, "/series", &format!("/levels/{index}")).await
        {
            Ok(_) => {}
            Err(AppError::Validation { errors: found, .. }) => {
                let unknown_series = found.iter().any(|e| e.field == "/series");
                errors.extend(found);
                if unknown_series {
                    break;
                }
            }
            Err(other) => return Err(other),
        }
    }
    for (level, members) in &input.min_members {
        if !input.levels.contains(level) {
            errors.push(crate::error::FieldError::new(
                format!("/min_members/{}", level.as_str()),
                "该级别不在本评委会评审范围内",
            ));
        } else if let Err(error) = rules::check_minimum(*level, *members) {
            errors.push(crate::error::FieldError::new(format!("/min_members/{}", level.as_str()), error.0));
        }
    }
    let quorum = match input.quorum.map(|(n, d)| Fraction::parse(n, d, Fraction::TWO_THIRDS)).transpose() {
        Ok(share) => share.unwrap_or(Fraction::TWO_THIRDS),
        Err(error) => {
            errors.push(crate::error::FieldError::new("/quorum", format!("到会人数{error}")));
            Fraction::TWO_THIRDS
        }
    };
    let pass = match input.pass.map(|(n, d)| Fraction::parse(n, d, Fraction::TWO_THIRDS)).transpose() {
        Ok(share) => share.unwrap_or(Fraction::TWO_THIRDS),
        Err(error) => {
            errors.push(crate::error::FieldError::new("/pass", format!("同意票数{error}")));
            Fraction::TWO_THIRDS
        }
    };
    let bureau = org::Entity::find_by_id(input.bureau_org_id.clone()).one(&tx).await?.filter(|o| o.status == "active");
    match &bureau {
        Some(bureau) if bureau.kind == OrgKind::Hrss.as_str() && orgs::is_verified(bureau) => {}
        _ => errors.push(crate::error::FieldError::new("/bureau_org_id", "请选择审批评委会的人社局")),
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let minimums: serde_json::Map<String, serde_json::Value> = input
        .levels
        .iter()
        .map(|level| {
            let members = input.min_members.get(level).copied().unwrap_or_else(|| rules::national_minimum(*level));
            (level.as_str().to_string(), json!(members))
        })
        .collect();
    let model = committee::Model {
        id: db::new_id(),
        name: input.name,
        org_id: org_id.clone(),
        bureau_org_id: input.bureau_org_id,
        series_code: input.series,
        levels: json!(input.levels.iter().map(|l| l.as_str()).collect::<Vec<_>>()),
        specialty_group: input.specialty_group,
        min_members: serde_json::Value::Object(minimums),
        quorum_numerator: quorum.numerator as i32,
        quorum_denominator: quorum.denominator as i32,
        pass_numerator: pass.numerator as i32,
        pass_denominator: pass.denominator as i32,
        status: DecisionStatus::Pending.as_str().into(),
        reason: None,
        created_by: user.id.clone(),
        decided_by: None,
        decided_at: None,
        created_at: db::now(),
    };
    committee::Entity::insert(committee::ActiveModel::from(model.clone())).exec_without_returning(&tx).await?;
    audit::record(
        &tx,
        AuditEntry::new("committee_formed", true)
            .actor(&user.id, &user.real_name, Some(&org_id))
            .object("committee", &model.id)
            .ip(ip)
            .detail(json!({"series": model.series_code, "levels": model.levels, "bureau_org_id": model.bureau_org_id})),
    )
    .await?;
    let view = view(&tx, user, model).await?;
    tx.commit().await?;
    Ok(view)
}

async fn view(db: &impl ConnectionTrait, user: &AuthUser, committee: committee::Model) -> AppResult<CommitteeView> {
    views(db, user, vec![committee]).await?.pop().ok_or(AppError::NotFound)
}

pub async fn views(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    rows: Vec<committee::Model>,
) -> AppResult<Vec<CommitteeView>> {
    let orgs = orgs::by_ids(db, rows.iter().flat_map(|c| [c.org_id.clone(), c.bureau_org_id.clone()])).await?;
    Ok(rows
        .into_iter()
        .map(|committee| CommitteeView {
            org: orgs.get(&committee.org_id).cloned(),
            bureau: orgs.get(&committee.bureau_org_id).cloned(),
            managed: is_committee_admin(user, &committee),
            committee,
        })
        .collect())
}

/// Who may see a committee: the platform admin, its forming organisation's and its bureau's
/// admins, and — once approved — any bureau's admin (to apply for a route to it).
async fn visible(db: &impl ConnectionTrait, user: &AuthUser, committee: &committee::Model) -> AppResult<bool> {
    Ok(match user.role {
        Role::Admin => true,
        Role::OrgAdmin => {
            let own = user.org_id.as_deref().unwrap_or_default();
            if own == committee.org_id || own == committee.bureau_org_id {
                true
            } else if committee.status == DecisionStatus::Approved.as_str() {
                org::Entity::find_by_id(own.to_string())
                    .one(db)
                    .await?
                    .is_some_and(|o| o.kind == OrgKind::Hrss.as_str())
            } else {
                false
            }
        }
        _ => false,
    })
}

pub async fn list(state: &AppState, user: &AuthUser) -> AppResult<Vec<CommitteeView>> {
    user.require(&[Role::OrgAdmin, Role::Admin])?;
    let mut query = committee::Entity::find();
    if user.role == Role::OrgAdmin {
        let own = user.org()?;
        let own_org = org::Entity::find_by_id(own.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)?;
        let mut condition =
            Condition::any().add(committee::Column::OrgId.eq(own)).add(committee::Column::BureauOrgId.eq(own));
        if own_org.kind == OrgKind::Hrss.as_str() {
            condition = condition.add(committee::Column::Status.eq(DecisionStatus::Approved.as_str()));
        }
        query = query.filter(condition);
    }
    let rows = query.order_by_desc(committee::Column::CreatedAt).all(&state.db).await?;
    views(&state.db, user, rows).await
}

pub async fn get(state: &AppState, user: &AuthUser, id: &str) -> AppResult<CommitteeView> {
    let committee = find_visible(&state.db, user, id).await?;
    view(&state.db, user, committee).await
}

async fn find_visible(db: &impl ConnectionTrait, user: &AuthUser, id: &str) -> AppResult<committee::Model> {
    let committee = committee::Entity::find_by_id(id.to_string()).one(db).await?.ok_or(AppError::NotFound)?;
    if !visible(db, user, &committee).await? {
        return Err(AppError::NotFound);
    }
    Ok(committee)
}

/// The committee, for its admin only (strangers: 404; others who may see it: 403).
pub async fn managed(db: &impl ConnectionTrait, user: &AuthUser, id: &str) -> AppResult<committee::Model> {
    let committee = find_visible(db, user, id).await?;
    if !is_committee_admin(user, &committee) {
        return Err(AppError::forbidden("committee_admin_only", "仅评委会组建单位的管理员可进行此操作"));
    }
    Ok(committee)
}

/// The committee, approved, for its admin.
pub async fn managed_approved(db: &impl ConnectionTrait, user: &AuthUser, id: &str) -> AppResult<committee::Model> {
    let committee = managed(db, user, id).await?;
    if committee.status != DecisionStatus::Approved.as_str() {
        return Err(AppError::rule("committee_not_approved", "评委会尚未经人社局批准，不能进行此操作"));
    }
    Ok(committee)
}

/// 批准 / 不批准: the bureau it named (not when that bureau formed it itself) or the platform admin.
pub async fn decide(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    approve: bool,
    reason: Option<String>,
    ip: Option<String>,
) -> AppResult<CommitteeView> {
    user.require(&[Role::OrgAdmin, Role::Admin])?;
    let tx = db::begin_write(&state.db).await?;
    let committee = find_visible(&tx, user, id).await?;
    let may = user.role == Role::Admin
        || (user.org_id.as_deref() == Some(committee.bureau_org_id.as_str())
            && committee.bureau_org_id != committee.org_id);
    if !may {
        return Err(AppError::forbidden("committee_approver_only", "仅审批该评委会的人社局或平台管理员可审批"));
    }
    let status = if approve { DecisionStatus::Approved } else { DecisionStatus::Rejected };
    let updated = committee::Entity::update_many()
        .col_expr(committee::Column::Status, Expr::value(status.as_str()))
        .col_expr(committee::Column::Reason, Expr::value(reason.clone()))
        .col_expr(committee::Column::DecidedBy, Expr::value(user.id.clone()))
        .col_expr(committee::Column::DecidedAt, Expr::value(db::now()))
        .filter(committee::Column::Id.eq(id))
        .filter(committee::Column::Status.eq(DecisionStatus::Pending.as_str()))
        .exec(&tx)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::conflict("committee_already_decided", "该评委会已审批，不能重复审批"));
    }
    audit::record(
        &tx,
        AuditEntry::new(if approve { "committee_approved" } else { "committee_rejected" }, true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("committee", id)
            .ip(ip)
            .detail(json!({"reason": reason})),
    )
    .await?;
    let committee = committee::Entity::find_by_id(id.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let view = view(&tx, user, committee).await?;
    tx.commit().await?;
    Ok(view)
}

// ---------------------------------------------------------------------------------------------
// 评委会路径

pub struct RouteView {
    pub route: committee_route::Model,
    pub committee: Option<committee::Model>,
    pub bureau: Option<org::Model>,
}

/// The bureau applies for its accepted declarations of `series`/`level` to go to a committee.
pub async fn apply_route(
    state: &AppState,
    user: &AuthUser,
    committee_id: &str,
    series: &str,
    level: Level,
    ip: Option<String>,
) -> AppResult<RouteView> {
    user.require(&[Role::OrgAdmin])?;
    let own = user.org()?.to_string();
    let tx = db::begin_write(&state.db).await?;
    let bureau = org::Entity::find_by_id(own.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
    if bureau.kind != OrgKind::Hrss.as_str() {
        return Err(AppError::forbidden("bureau_only", "仅人社局可申请评委会路径"));
    }
    let committee = committee::Entity::find_by_id(committee_id.to_string())
        .one(&tx)
        .await?
        .filter(|c| c.status == DecisionStatus::Approved.as_str())
        .ok_or_else(|| AppError::field("/committee_id", "评委会不存在或尚未批准"))?;
    if committee.series_code != series {
        return Err(AppError::field("/series", "该评委会不评审此系列"));
    }
    if !levels_of(&committee).contains(&level) {
        return Err(AppError::field("/level", "该评委会不评审此级别"));
    }
    let live = committee_route::Entity::find()
        .filter(committee_route::Column::BureauOrgId.eq(own.as_str()))
        .filter(committee_route::Column::SeriesCode.eq(series))
        .filter(committee_route::Column::Level.eq(level.as_str()))
        .filter(committee_route::Column::Status.is_in([PathStatus::Pending.as_str(), PathStatus::Approved.as_str()]))
        .one(&tx)
        .await?;
    if live.is_some() {
        return Err(AppError::conflict("route_exists", "该系列和级别的评委会路径已申请或已开通，不再重复申请"));
    }
    let route = committee_route::Model {
        id: db::new_id(),
        bureau_org_id: own.clone(),
        committee_id: committee.id.clone(),
        series_code: series.to_string(),
        level: level.as_str().to_string(),
        status: PathStatus::Pending.as_str().into(),
        reason: None,
        applied_by: user.id.clone(),
        decided_by: None,
        decided_at: None,
        created_at: db::now(),
    };
    committee_route::Entity::insert(committee_route::ActiveModel::from(route.clone()))
        .exec_without_returning(&tx)
        .await?;
    audit::record(
        &tx,
        AuditEntry::new("committee_route_applied", true)
            .actor(&user.id, &user.real_name, Some(&own))
            .object("committee_route", &route.id)
            .ip(ip),
    )
    .await?;
    tx.commit().await?;
    Ok(RouteView { route, committee: Some(committee), bureau: Some(bureau) })
}

pub async fn list_routes(state: &AppState, user: &AuthUser) -> AppResult<Vec<RouteView>> {
    user.require(&[Role::OrgAdmin])?;
    let own = user.org()?;
    let managed: Vec<String> = committee::Entity::find()
        .filter(committee::Column::OrgId.eq(own))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let rows = committee_route::Entity::find()
        .filter(
            Condition::any()
                .add(committee_route::Column::BureauOrgId.eq(own))
                .add(committee_route::Column::CommitteeId.is_in(managed)),
        )
        .order_by_desc(committee_route::Column::CreatedAt)
        .all(&state.db)
        .await?;
    route_views(&state.db, rows).await
}

async fn route_views(db: &impl ConnectionTrait, rows: Vec<committee_route::Model>) -> AppResult<Vec<RouteView>> {
    let committees: HashMap<String, committee::Model> = committee::Entity::find()
        .filter(committee::Column::Id.is_in(rows.iter().map(|r| r.committee_id.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let bureaus = orgs::by_ids(db, rows.iter().map(|r| r.bureau_org_id.clone())).await?;
    Ok(rows
        .into_iter()
        .map(|route| RouteView {
            committee: committees.get(&route.committee_id).cloned(),
            bureau: bureaus.get(&route.bureau_org_id).cloned(),
            route,
        })
        .collect())
}

/// The committee's admin approves or rejects (with a reason) a bureau's route.
pub async fn decide_route(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    approve: bool,
    reason: Option<String>,
    ip: Option<String>,
) -> AppResult<RouteView> {
    user.require(&[Role::OrgAdmin])?;
    let own = user.org()?.to_string();
    let tx = db::begin_write(&state.db).await?;
    let route = committee_route::Entity::find_by_id(id.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let committee =
        committee::Entity::find_by_id(route.committee_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
    if committee.org_id != own {
        return Err(if route.bureau_org_id == own {
            AppError::forbidden("committee_admin_only", "评委会路径由评委会管理员审核")
        } else {
            AppError::NotFound
        });
    }
    let status = if approve { PathStatus::Approved } else { PathStatus::Rejected };
    let updated = committee_route::Entity::update_many()
        .col_expr(committee_route::Column::Status, Expr::value(status.as_str()))
        .col_expr(committee_route::Column::Reason, Expr::value(reason.clone()))
        .col_expr(committee_route::Column::DecidedBy, Expr::value(user.id.clone()))
        .col_expr(committee_route::Column::DecidedAt, Expr::value(db::now()))
        .filter(committee_route::Column::Id.eq(id))
        .filter(committee_route::Column::Status.eq(PathStatus::Pending.as_str()))
        .exec(&tx)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::conflict("route_already_decided", "该评委会路径已审核，不能重复审核"));
    }
    audit::record(
        &tx,
        AuditEntry::new(if approve { "committee_route_approved" } else { "committee_route_rejected" }, true)
            .actor(&user.id, &user.real_name, Some(&own))
            .object("committee_route", id)
            .ip(ip)
            .detail(json!({"reason": reason})),
    )
    .await?;
    let route = committee_route::Entity::find_by_id(id.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let view = route_views(&tx, vec![route]).await?.pop().ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(view)
}

/// The bureaus whose accepted declarations of `series`/`level` go to `committee_id`.
pub async fn routed_bureaus(
    db: &impl ConnectionTrait,
    committee_id: &str,
    series: &str,
    level: &str,
) -> Result<Vec<String>, sea_orm::DbErr> {
    Ok(committee_route::Entity::find()
        .filter(committee_route::Column::CommitteeId.eq(committee_id))
        .filter(committee_route::Column::SeriesCode.eq(series))
        .filter(committee_route::Column::Level.eq(level))
        .filter(committee_route::Column::Status.eq(PathStatus::Approved.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.bureau_org_id)
        .collect())
}

// ---------------------------------------------------------------------------------------------
// 评委专家库

pub struct NewExpert {
    pub real_name: String,
    pub id_number: IdCardNumber,
    pub phone: Phone,
    pub username: Username,
    pub password: Password,
    pub org_id: String,
    pub series: String,
    pub specialty: String,
    pub level: Level,
    pub reason: String,
}

pub struct ExpertView {
    pub expert: expert::Model,
    pub org: Option<org::Model>,
    pub username: String,
    pub id_number: Option<IdCardNumber>,
    pub phone: Option<Phone>,
    /// Whether the expert's account has its second factor (required before reviewing).
    pub second_factor: bool,
}

/// 入库: a new expert with an `expert` account of their own.
pub async fn add_expert(
    state: &AppState,
    user: &AuthUser,
    committee_id: &str,
    input: NewExpert,
    ip: Option<String>,
) -> AppResult<ExpertView> {
    managed(&state.db, user, committee_id).await?;
    ensure_expert_free(state, &state.db, committee_id, &input).await?;
    let hash = password::hash(input.password.expose().to_string()).await?;
    let tx = db::begin_write(&state.db).await?;
    let committee = managed(&tx, user, committee_id).await?;
    ensure_expert_free(state, &tx, committee_id, &input).await?;
    catalogue::require_series_level(&tx, &input.series, input.level, "/series", "/level").await?;
    let org = org::Entity::find_by_id(input.org_id.clone())
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::field("/org_id", "专家所在单位不存在"))?;
    let fields = AccountFields {
        role: Role::Expert,
        real_name: &input.real_name,
        id_number: Some(&input.id_number),
        phone: Some(&input.phone),
        org_id: None,
        created_by: Some(&user.id),
    };
    let account = accounts::insert_account(state, &tx, &input.username, hash, fields).await?;
    let model = expert::Model {
        id: db::new_id(),
        committee_id: committee.id.clone(),
        account_id: account.id.clone(),
        real_name: input.real_name,
        org_id: org.id.clone(),
        series_code: input.series,
        specialty: input.specialty,
        level: input.level.as_str().into(),
        status: "active".into(),
        entry_reason: input.reason,
        exit_reason: None,
        created_by: user.id.clone(),
        created_at: db::now(),
        removed_at: None,
    };
    expert::Entity::insert(expert::ActiveModel::from(model.clone())).exec_without_returning(&tx).await?;
    audit::record(
        &tx,
        AuditEntry::new("expert_added", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("expert", &model.id)
            .ip(ip)
            .detail(json!({"committee_id": committee.id, "account_id": account.id})),
    )
    .await?;
    tx.commit().await?;
    Ok(ExpertView {
        expert: model,
        org: Some(org),
        username: account.username,
        id_number: Some(input.id_number),
        phone: Some(input.phone),
        second_factor: false,
    })
}

async fn ensure_expert_free(
    state: &AppState,
    db: &impl ConnectionTrait,
    committee_id: &str,
    input: &NewExpert,
) -> AppResult<()> {
    accounts::ensure_username_free(db, &input.username).await?;
    let same_person: Vec<String> = account::Entity::find()
        .filter(account::Column::Role.eq(Role::Expert.as_str()))
        .filter(account::Column::IdNumberHash.eq(state.crypto.index("id_number", input.id_number.as_str())))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let in_library = expert::Entity::find()
        .filter(expert::Column::CommitteeId.eq(committee_id))
        .filter(expert::Column::AccountId.is_in(same_person))
        .filter(expert::Column::Status.eq("active"))
        .one(db)
        .await?;
    if in_library.is_some() {
        return Err(AppError::conflict_field("expert_exists", "/id_number", "该专家已在本评委会专家库中"));
    }
    Ok(())
}

pub async fn list_experts(
    state: &AppState,
    user: &AuthUser,
    committee_id: &str,
    include_removed: bool,
) -> AppResult<Vec<ExpertView>> {
    managed(&state.db, user, committee_id).await?;
    let mut query = expert::Entity::find().filter(expert::Column::CommitteeId.eq(committee_id));
    if !include_removed {
        query = query.filter(expert::Column::Status.eq("active"));
    }
    let rows = query.order_by_asc(expert::Column::CreatedAt).all(&state.db).await?;
    expert_views(state, &state.db, rows).await
}

pub async fn expert_views(
    state: &AppState,
    db: &impl ConnectionTrait,
    rows: Vec<expert::Model>,
) -> AppResult<Vec<ExpertView>> {
    let accounts: HashMap<String, account::Model> = account::Entity::find()
        .filter(account::Column::Id.is_in(rows.iter().map(|e| e.account_id.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let orgs = orgs::by_ids(db, rows.iter().map(|e| e.org_id.clone())).await?;
    rows.into_iter()
        .map(|expert| {
            let account = accounts.get(&expert.account_id);
            Ok(ExpertView {
                org: orgs.get(&expert.org_id).cloned(),
                username: account.map(|a| a.username.clone()).unwrap_or_default(),
                id_number: account.map(|a| accounts::account_id_number(state, a)).transpose()?.flatten(),
                phone: account.map(|a| accounts::account_phone(state, a)).transpose()?.flatten(),
                second_factor: account.is_some_and(|a| a.totp_enabled_at.is_some()),
                expert,
            })
        })
        .collect()
}

/// 出库: the expert leaves the library with a reason; the account is disabled at once.
pub async fn remove_expert(
    state: &AppState,
    user: &AuthUser,
    committee_id: &str,
    expert_id: &str,
    reason: String,
    ip: Option<String>,
) -> AppResult<ExpertView> {
    let tx = db::begin_write(&state.db).await?;
    managed(&tx, user, committee_id).await?;
    let found = expert::Entity::find_by_id(expert_id.to_string())
        .one(&tx)
        .await?
        .filter(|e| e.committee_id == committee_id)
        .ok_or(AppError::NotFound)?;
    let updated = expert::Entity::update_many()
        .col_expr(expert::Column::Status, Expr::value("removed"))
        .col_expr(expert::Column::ExitReason, Expr::value(reason.clone()))
        .col_expr(expert::Column::RemovedAt, Expr::value(db::now()))
        .filter(expert::Column::Id.eq(expert_id))
        .filter(expert::Column::Status.eq("active"))
        .exec(&tx)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::conflict("expert_removed", "该专家已出库"));
    }
    account::Entity::update_many()
        .col_expr(account::Column::Status, Expr::value("disabled"))
        .filter(account::Column::Id.eq(found.account_id.clone()))
        .exec(&tx)
        .await?;
    accounts::revoke_all_sessions(&tx, &found.account_id).await?;
    audit::record(
        &tx,
        AuditEntry::new("expert_removed", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("expert", expert_id)
            .ip(ip)
            .detail(json!({"reason": reason})),
    )
    .await?;
    let row = expert::Entity::find_by_id(expert_id.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let view = expert_views(state, &tx, vec![row]).await?.pop().ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(view)
}
