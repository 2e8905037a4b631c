//! 统计看板 of a bureau (and a 主管部门 for its subtree): what reached the organisation in a year,
//! counted by status, series, level and employer; who below it still holds declarations (not yet
//! reviewed or reported, as counts only) with their deadline; and, of what reached it, the
//! declarations waiting longest.
//!
//! Every count is made from the review list's own query (`reviews::filtered`) or its summary,
//! so each number equals the total of the list it drills into.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect};

use crate::auth::AuthUser;
use crate::domain::{DeclarationStatus, Level, PathStatus};
use crate::entities::{declaration, org, path};
use crate::error::AppResult;
use crate::services::orgs;
use crate::services::plans::window;
use crate::services::reviews::{self, ReviewFilter, Standing};
use crate::state::AppState;

/// How soon a deadline counts as near.
pub const NEAR_DAYS: i64 = 7;
/// Rows in the "waiting longest" and "still holding" lists.
const TOP: u64 = 10;

pub struct Dashboard {
    pub year: i32,
    pub by_standing: Vec<(Standing, i64)>,
    pub by_series: Vec<(String, String, i64)>,
    pub by_level: Vec<(Level, i64)>,
    /// Employer (申报单位): id, name, count.
    pub by_org: Vec<(String, String, i64)>,
    pub holders: Vec<Holder>,
    pub waiting: Vec<Waiting>,
    pub now: DateTime<Utc>,
}

/// An organisation below the caller still holding declarations that reached the caller's tree.
pub struct Holder {
    pub org: org::Model,
    /// 待审核 there.
    pub pending: i64,
    /// 通过未上报 there.
    pub approved: i64,
    /// Its next review/report deadline (申报计划, with extensions), when a plan sets one.
    pub deadline: Option<DateTime<Utc>>,
    pub deadline_near: bool,
}

pub struct Waiting {
    pub declaration: declaration::Model,
    pub holder_name: String,
    pub employer_name: String,
    /// Since its last change.
    pub days: i64,
}

#[derive(Debug, FromQueryResult)]
struct OrgCount {
    org_id: String,
    count: i64,
}

#[derive(Debug, FromQueryResult)]
struct HolderCount {
    holder_org_id: Option<String>,
    status: String,
    count: i64,
}

pub async fn build(state: &AppState, user: &AuthUser, year: i32) -> AppResult<Dashboard> {
    let org_id = reviews::member_org(user)?.to_string();
    let db = &state.db;
    let now = state.clock.now();
    let counts = reviews::summary(state, user, Some(year)).await?;
    let mut by_standing: HashMap<Standing, i64> = HashMap::new();
    let mut by_series: HashMap<(String, String), i64> = HashMap::new();
    let mut by_level: HashMap<String, i64> = HashMap::new();
    for c in &counts {
        *by_standing.entry(c.standing).or_default() += c.count;
        *by_series.entry((c.series.clone(), c.series_name.clone())).or_default() += c.count;
        *by_level.entry(c.level.clone()).or_default() += c.count;
    }
    let mut by_standing: Vec<(Standing, i64)> = by_standing.into_iter().collect();
    by_standing.sort_by_key(|(s, _)| *s as u8);
    let mut by_series: Vec<(String, String, i64)> = by_series.into_iter().map(|((c, n), k)| (c, n, k)).collect();
    by_series.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let mut by_level: Vec<(Level, i64)> =
        by_level.into_iter().filter_map(|(l, k)| Level::parse(&l).map(|l| (l, k))).collect();
    by_level.sort_by_key(|(l, _)| Level::ALL.iter().position(|x| x == l));

    let all = ReviewFilter { year: Some(year), ..Default::default() };
    let org_counts = reviews::matching(&org_id, &all)
        .select_only()
        .column_as(declaration::Column::OrgId, "org_id")
        .column_as(declaration::Column::Id.count(), "count")
        .group_by(declaration::Column::OrgId)
        .into_model::<OrgCount>()
        .all(db)
        .await?;
    let employer_names = orgs::by_ids(db, org_counts.iter().map(|c| c.org_id.clone())).await?;
    let mut by_org: Vec<(String, String, i64)> = org_counts
        .into_iter()
        .map(|c| {
            let name = employer_names.get(&c.org_id).map(|o| o.name.clone()).unwrap_or_default();
            (c.org_id, name, c.count)
        })
        .collect();
    by_org.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));

    // Below the caller: the organisations whose approved paths lead up to it, and what they hold
    // (待审核 or 通过未上报) — not yet reviewed or reported.
    let subtree = subtree_of(db, &org_id).await?;
    let mut held_counts = Vec::new();
    for chunk in subtree.chunks(500) {
        held_counts.extend(
            declaration::Entity::find()
                .select_only()
                .column(declaration::Column::HolderOrgId)
                .column(declaration::Column::Status)
                .column_as(declaration::Column::Id.count(), "count")
                .filter(declaration::Column::HolderOrgId.is_in(chunk.to_vec()))
                .filter(declaration::Column::Year.eq(year))
                .filter(
                    declaration::Column::Status
                        .is_in([DeclarationStatus::Pending.as_str(), DeclarationStatus::Approved.as_str()]),
                )
                .group_by(declaration::Column::HolderOrgId)
                .group_by(declaration::Column::Status)
                .into_model::<HolderCount>()
                .all(db)
                .await?,
        );
    }
    let mut per_holder: HashMap<String, (i64, i64)> = HashMap::new();
    for row in held_counts {
        let Some(holder) = row.holder_org_id else { continue };
        let entry = per_holder.entry(holder).or_default();
        if row.status == DeclarationStatus::Pending.as_str() {
            entry.0 += row.count;
        } else {
            entry.1 += row.count;
        }
    }
    let holder_orgs = orgs::by_ids(db, per_holder.keys().cloned()).await?;
    let mut holders = Vec::new();
    for (id, (pending, approved)) in per_holder {
        let Some(org) = holder_orgs.get(&id).cloned() else { continue };
        let deadlines = window::org_deadlines(db, now, &org).await?;
        let deadline = deadlines.iter().filter(|d| d.plan.year == year).map(|d| d.at).find(|at| *at > now);
        let deadline_near = deadline.is_some_and(|at| at - now <= chrono::Duration::days(NEAR_DAYS));
        holders.push(Holder { org, pending, approved, deadline, deadline_near });
    }
    holders.sort_by_key(|h| {
        (!h.deadline_near, h.deadline.map(|d| d.timestamp()).unwrap_or(i64::MAX), -(h.pending + h.approved))
    });
    holders.truncate(TOP as usize);

    // Waiting longest: of what reached the caller (the review list's own rows, so no name of a file
    // still below it is shown), what is not yet decided or reported, oldest change first.
    let oldest = reviews::matching(&org_id, &all)
        .filter(
            declaration::Column::Status
                .is_in([DeclarationStatus::Pending.as_str(), DeclarationStatus::Approved.as_str()]),
        )
        .order_by_asc(declaration::Column::UpdatedAt)
        .order_by_asc(declaration::Column::Id)
        .limit(TOP)
        .all(db)
        .await?;
    let names =
        orgs::by_ids(db, oldest.iter().flat_map(|d| std::iter::once(d.org_id.clone()).chain(d.holder_org_id.clone())))
            .await?;
    let waiting = oldest
        .into_iter()
        .map(|d| Waiting {
            holder_name: d
                .holder_org_id
                .as_ref()
                .and_then(|id| names.get(id))
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            employer_name: names.get(&d.org_id).map(|o| o.name.clone()).unwrap_or_default(),
            days: (now - d.updated_at).num_days().max(0),
            declaration: d,
        })
        .collect();

    Ok(Dashboard { year, by_standing, by_series, by_level, by_org, holders, waiting, now })
}

/// The organisations whose approved reporting paths lead up to `org_id`, at any depth.
async fn subtree_of(db: &impl sea_orm::ConnectionTrait, org_id: &str) -> AppResult<Vec<String>> {
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::from([org_id.to_string()]);
    let mut frontier = vec![org_id.to_string()];
    let mut below = Vec::new();
    // Chains are at most a few levels deep (employer → 主管部门/乡镇 → bureau).
    for _ in 0..6 {
        if frontier.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for chunk in frontier.chunks(500) {
            for p in path::Entity::find()
                .filter(path::Column::ParentOrgId.is_in(chunk.to_vec()))
                .filter(path::Column::Status.eq(PathStatus::Approved.as_str()))
                .all(db)
                .await?
            {
                if seen.insert(p.org_id.clone()) {
                    next.push(p.org_id.clone());
                    below.push(p.org_id);
                }
            }
        }
        frontier = next;
    }
    Ok(below)
}
