//! 数据上报: an organisation reports a batch of approved declarations up its paths, all or nothing,
//! with a handful of set-based statements whatever the batch size.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::auth::AuthUser;
use crate::db;
use crate::domain::lifecycle::Action;
use crate::domain::{Level, OrgKind, PathStatus, Role};
use crate::entities::{declaration, declaration_holder, org, path, report, report_item};
use crate::error::{AppError, AppResult, FieldError};
use crate::services::audit::{self, AuditEntry};
use crate::services::declarations::{self, EventInput};
use crate::services::reviews::{self, Standing};
use crate::services::{messages, orgs, plans, reviewers};
use crate::state::AppState;

/// Most declarations one report may carry.
pub const MAX_BATCH: usize = 1000;

pub struct ReportView {
    pub report: report::Model,
    pub to_org: Option<org::Model>,
    pub declaration_ids: Vec<String>,
}

/// Reports `ids` to the parents given by the organisation's approved paths. Every id must be
/// approved here and have a path; otherwise nothing moves and each offender is named.
/// A retry with the same `Idempotency-Key` (or of exactly the same batch) returns the first report.
pub async fn report(
    state: &AppState,
    user: &AuthUser,
    ids: Vec<String>,
    idempotency_key: Option<String>,
    ip: Option<String>,
) -> AppResult<(ReportView, bool)> {
    user.require(&[Role::OrgAdmin, Role::Reviewer])?;
    let org_id = user.org()?.to_string();
    let tx = db::begin_write(&state.db).await?;
    let own = org::Entity::find_by_id(org_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
    if own.kind == OrgKind::Hrss.as_str() {
        return Err(AppError::rule("top_of_chain", "人社局审核通过即为受理，无需上报"));
    }
    if !reviewers::has_active_reviewer(&tx, &org_id).await? {
        return Err(reviews::no_reviewer());
    }
    if let Some(key) = &idempotency_key
        && let Some(earlier) = report::Entity::find()
            .filter(report::Column::FromOrgId.eq(org_id.clone()))
            .filter(report::Column::IdempotencyKey.eq(key.as_str()))
            .one(&tx)
            .await?
    {
        let view = view_of(&tx, earlier).await?;
        let same: HashSet<&String> = view.declaration_ids.iter().collect();
        if same != ids.iter().collect::<HashSet<_>>() {
            return Err(AppError::rule("idempotency_key_reused", "Idempotency-Key 已用于另一批数据上报"));
        }
        return Ok((view, false));
    }

    let found: HashMap<String, declaration::Model> = declaration::Entity::find()
        .filter(declaration::Column::Id.is_in(ids.clone()))
        .all(&tx)
        .await?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect();
    // Where each stands here, from the holder rows the triggers keep in this same transaction.
    let standing = reviews::standings(&tx, &org_id, ids.clone()).await?;
    let parents: HashMap<(String, String), String> = path::Entity::find()
        .filter(path::Column::OrgId.eq(org_id.clone()))
        .filter(path::Column::Status.eq(PathStatus::Approved.as_str()))
        .all(&tx)
        .await?
        .into_iter()
        .map(|p| ((p.series_code, p.level), p.parent_org_id))
        .collect();

    let listed: Vec<&declaration::Model> = found.values().collect();
    let closed = plans::window::review_closed_reasons(&tx, state.clock.now(), &own, &listed).await?;
    let mut offenders = Vec::new();
    let mut already_reported = 0;
    let mut targets: HashMap<String, String> = HashMap::new();
    for (index, id) in ids.iter().enumerate() {
        let field = format!("/declaration_ids/{index}");
        let (Some(declaration), Some(standing)) = (found.get(id), standing.get(id)) else {
            offenders.push(FieldError::new(field, format!("{id}：申报不存在或不属于本单位")));
            continue;
        };
        let reason = match standing {
            Standing::Approved => None,
            Standing::Pending => Some("尚未审核通过，请先审核"),
            Standing::Reported => {
                already_reported += 1;
                Some("已上报，不能重复上报")
            }
            Standing::Returned => Some("已退回申报人"),
            Standing::Accepted => Some("已受理"),
        };
        if let Some(reason) = reason {
            offenders.push(FieldError::new(field, format!("{id}（{}）：{reason}", declaration.applicant_name)));
            continue;
        }
        if let Some(reason) = closed.get(id) {
            offenders.push(FieldError::new(field, format!("{id}（{}）：{reason}", declaration.applicant_name)));
            continue;
        }
        match parents.get(&(declaration.series_code.clone(), declaration.level.clone())) {
            Some(parent) => {
                targets.insert(id.clone(), parent.clone());
            }
            None => {
                let level = Level::parse(&declaration.level).map(|l| l.label()).unwrap_or("");
                offenders.push(FieldError::new(
                    field,
                    format!("{id}（{}）：本单位未开通该系列{level}的上报路径", declaration.applicant_name),
                ));
            }
        }
    }
    if !offenders.is_empty() {
        // Exactly this batch went up before: a retry after a lost answer, not an error.
        if already_reported == ids.len()
            && let Some(earlier) = same_batch(&tx, &org_id, &ids, &found).await?
        {
            return Ok((view_of(&tx, earlier).await?, false));
        }
        return Err(AppError::Unprocessable {
            code: "report_refused",
            detail: format!("有{}条申报不能上报，本次未上报任何数据", offenders.len()),
            errors: offenders,
        });
    }
    let distinct: HashSet<&String> = targets.values().collect();
    let [to_org_id] = distinct.into_iter().collect::<Vec<_>>()[..] else {
        let names = orgs::by_ids(&tx, targets.values().cloned()).await?;
        let errors = ids
            .iter()
            .enumerate()
            .map(|(index, id)| {
                let parent = targets.get(id).and_then(|p| names.get(p)).map(|o| o.name.clone()).unwrap_or_default();
                FieldError::new(format!("/declaration_ids/{index}"), format!("{id}：上报至{parent}"))
            })
            .collect();
        return Err(AppError::Unprocessable {
            code: "mixed_parents",
            detail: "一次数据上报只能报往同一个上级单位，请按职称系列和级别分批上报".into(),
            errors,
        });
    };
    let to_org_id = to_org_id.clone();
    let to_org = org::Entity::find_by_id(to_org_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
    if !orgs::is_verified(&to_org) || to_org.status != "active" {
        // Nothing goes to a parent nobody has vouched for, whatever path it once approved.
        return Err(AppError::rule(
            "parent_unverified",
            format!("上级单位“{}”尚未通过单位认证或已停用，暂不能接收数据上报，请联系当地人社局", to_org.name),
        ));
    }
    let view = move_batch(&tx, user, &own, &to_org, &ids, &found, idempotency_key).await?;
    audit::record(
        &tx,
        AuditEntry::new("declarations_reported", true)
            .actor(&user.id, &user.real_name, Some(&own.id))
            .object("report", &view.report.id)
            .ip(ip)
            .detail(json!({"to_org_id": to_org.id, "count": ids.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok((view, true))
}

/// The set-based part: one conditional UPDATE for all, then multi-row inserts.
async fn move_batch(
    tx: &DatabaseTransaction,
    user: &AuthUser,
    from: &org::Model,
    to: &org::Model,
    ids: &[String],
    found: &HashMap<String, declaration::Model>,
    idempotency_key: Option<String>,
) -> AppResult<ReportView> {
    let now = db::now();
    let moved = declaration::Entity::update_many()
        .col_expr(declaration::Column::Status, Expr::value(Action::Report.to().as_str()))
        .col_expr(declaration::Column::HolderOrgId, Expr::value(to.id.clone()))
        .col_expr(declaration::Column::Version, Expr::col(declaration::Column::Version).add(1))
        .col_expr(declaration::Column::UpdatedAt, Expr::value(now))
        .filter(declaration::Column::Id.is_in(ids.to_vec()))
        .filter(declaration::Column::HolderOrgId.eq(from.id.clone()))
        .filter(declaration::Column::Status.is_in(Action::Report.from_spellings()))
        .exec(tx)
        .await?;
    if moved.rows_affected != ids.len() as u64 {
        // Someone returned or reported one of them meanwhile; the transaction is rolled back.
        return Err(AppError::conflict("batch_changed", "上报期间部分申报状态已变化，请刷新后重新上报"));
    }
    declaration_holder::Entity::insert_many(ids.iter().map(|id| declaration_holder::ActiveModel {
        declaration_id: Set(id.clone()),
        org_id: Set(to.id.clone()),
        arrived_at: Set(now),
        ..Default::default()
    }))
    .on_conflict(
        OnConflict::columns([declaration_holder::Column::DeclarationId, declaration_holder::Column::OrgId])
            .update_column(declaration_holder::Column::ArrivedAt)
            .to_owned(),
    )
    .exec_without_returning(tx)
    .await?;
    let model = report::Model {
        id: db::new_id(),
        from_org_id: from.id.clone(),
        to_org_id: to.id.clone(),
        actor_id: user.id.clone(),
        actor_name: user.real_name.clone(),
        count: i32::try_from(ids.len()).map_err(anyhow::Error::from)?,
        idempotency_key,
        created_at: now,
    };
    report::Entity::insert(report::ActiveModel::from(model.clone())).exec_without_returning(tx).await?;
    report_item::Entity::insert_many(
        ids.iter()
            .map(|id| report_item::ActiveModel { report_id: Set(model.id.clone()), declaration_id: Set(id.clone()) }),
    )
    .exec_without_returning(tx)
    .await?;
    let events = ids
        .iter()
        .map(|id| {
            EventInput::new(id, Action::Report.as_str(), &user.id, &user.real_name)
                .org(&from.id, &from.name)
                .detail(json!({"to_org_id": to.id, "to_org_name": to.name, "report_id": model.id}))
        })
        .collect();
    declarations::record_events(tx, events).await?;
    // The applicants each hear where their file went; the parent's reviewers that files arrived.
    // One insert for all of them.
    let arrived = messages::notes::files_arrived(ids.len(), &from.name, "/reviews".into());
    let mut notes: Vec<(String, messages::Note)> = ids
        .iter()
        .filter_map(|id| found.get(id))
        .map(|d| (d.person_id.clone(), messages::notes::reported(d, &from.name, &to.name)))
        .collect();
    notes.extend(messages::recipients::reviewers(tx, &to.id).await?.into_iter().map(|r| (r, arrived.clone())));
    messages::post_each(tx, notes).await?;
    Ok(ReportView { report: model, to_org: Some(to.clone()), declaration_ids: ids.to_vec() })
}

/// The latest report from `org_id` carrying exactly `ids`, made in their current round.
async fn same_batch(
    tx: &DatabaseTransaction,
    org_id: &str,
    ids: &[String],
    declarations: &HashMap<String, declaration::Model>,
) -> AppResult<Option<report::Model>> {
    let latest_submission = declarations.values().filter_map(|d| d.submitted_at).max();
    let wanted: HashSet<&String> = ids.iter().collect();
    let containing: Vec<String> = report_item::Entity::find()
        .filter(report_item::Column::DeclarationId.eq(ids[0].clone()))
        .all(tx)
        .await?
        .into_iter()
        .map(|r| r.report_id)
        .collect();
    let candidates = report::Entity::find()
        .filter(report::Column::Id.is_in(containing))
        .filter(report::Column::FromOrgId.eq(org_id))
        .order_by_desc(report::Column::CreatedAt)
        .all(tx)
        .await?;
    for candidate in candidates {
        if latest_submission.is_some_and(|submitted| candidate.created_at < submitted) {
            continue;
        }
        let members =
            report_item::Entity::find().filter(report_item::Column::ReportId.eq(candidate.id.clone())).all(tx).await?;
        if members.len() == ids.len() && members.iter().all(|m| wanted.contains(&m.declaration_id)) {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

async fn view_of(db: &impl sea_orm::ConnectionTrait, report: report::Model) -> AppResult<ReportView> {
    let declaration_ids = report_item::Entity::find()
        .filter(report_item::Column::ReportId.eq(report.id.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.declaration_id)
        .collect();
    let to_org = org::Entity::find_by_id(report.to_org_id.clone()).one(db).await?;
    Ok(ReportView { report, to_org, declaration_ids })
}

/// The organisation's reports, newest first: those it sent, or with `received`, those sent to it.
pub async fn list(
    state: &AppState,
    user: &AuthUser,
    received: bool,
    page: u64,
    page_size: u64,
) -> AppResult<(Vec<ReportView>, u64)> {
    user.require(&[Role::OrgAdmin, Role::Reviewer])?;
    let org_id = user.org()?;
    let column = if received { report::Column::ToOrgId } else { report::Column::FromOrgId };
    let paginator = report::Entity::find()
        .filter(column.eq(org_id))
        .order_by_desc(report::Column::CreatedAt)
        .order_by_desc(report::Column::Id)
        .paginate(&state.db, page_size);
    let total = paginator.num_items().await?;
    let reports = paginator.fetch_page(page - 1).await?;
    let report_ids: Vec<String> = reports.iter().map(|r| r.id.clone()).collect();
    let mut members: HashMap<String, Vec<String>> = HashMap::new();
    if !report_ids.is_empty() {
        for item in
            report_item::Entity::find().filter(report_item::Column::ReportId.is_in(report_ids)).all(&state.db).await?
        {
            members.entry(item.report_id).or_default().push(item.declaration_id);
        }
    }
    let names = orgs::by_ids(&state.db, reports.iter().map(|r| r.to_org_id.clone())).await?;
    let views = reports
        .into_iter()
        .map(|report| ReportView {
            declaration_ids: members.remove(&report.id).unwrap_or_default(),
            to_org: names.get(&report.to_org_id).cloned(),
            report,
        })
        .collect();
    Ok((views, total))
}
