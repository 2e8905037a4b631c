//! 数据审核: the review list, the reviewer's view, approve (审核通过, or 受理 at the bureau) and
//! return (审核不通过 + 退回), each a single conditional transition.

use std::collections::HashMap;

use sea_orm::prelude::DateTimeUtc;
use sea_orm::sea_query::{Alias, Expr, LikeExpr, Query, SimpleExpr, SubQueryStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, ExprTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde_json::{Value, json};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::lifecycle::Action;
use crate::domain::{DeclarationStatus, IdCardNumber, Level, OrgKind, Phone, Role};
use crate::entities::{
    account, declaration, declaration_event, declaration_holder, declaration_item, org, series, series_level,
};
use crate::error::{AppError, AppResult, FieldError};
use crate::services::audit::{self, AuditEntry};
use crate::services::declarations::{self, DeclarationView, EventInput};
use crate::services::snapshots::{self, Snapshot};
use crate::services::{accounts, messages, orgs, plans, reviewers, sms};
use crate::state::AppState;

/// Where a declaration stands as seen from one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Held here, awaiting review (待审核).
    Pending,
    /// Approved here, not yet reported (通过未上报).
    Approved,
    /// Reported up from here (已上报).
    Reported,
    /// Returned to the applicant (已退回).
    Returned,
    /// Accepted by the bureau (已受理).
    Accepted,
}

impl Standing {
    /// The stored spelling (`declaration_holders.standing`, the API's value).
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Pending => "pending",
            Standing::Approved => "approved",
            Standing::Reported => "reported",
            Standing::Returned => "returned",
            Standing::Accepted => "accepted",
        }
    }

    /// The value [`Standing::as_str`] stored; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        [Standing::Pending, Standing::Approved, Standing::Reported, Standing::Returned, Standing::Accepted]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::Pending => "待审核",
            Standing::Approved => "通过未上报",
            Standing::Reported => "已上报",
            Standing::Returned => "已退回",
            Standing::Accepted => "已受理",
        }
    }

    /// `arrived_at`: when the declaration last reached `org_id`. An organisation it reached before
    /// its latest submission saw it in an earlier round: it went back, and has not come up again.
    ///
    /// The rule in Rust: the database's triggers (`m20261205_r1`, `m20261206_r2`) keep the same
    /// rule in each holder row's `standing`, which the lists, the reviewer's view and 数据上报 read
    /// ([`standings`]); tests hold the two equal.
    pub fn of(declaration: &declaration::Model, org_id: &str, arrived_at: Option<DateTimeUtc>) -> Self {
        let in_round = arrived_at.is_some_and(|at| declaration.submitted_at.is_none_or(|submitted| at >= submitted));
        Self::from_parts(&declaration.status, declaration.holder_org_id.as_deref(), org_id, in_round)
    }

    fn from_parts(status: &str, holder_org_id: Option<&str>, org_id: &str, in_round: bool) -> Self {
        let here = holder_org_id == Some(org_id);
        match DeclarationStatus::parse(status).unwrap_or(DeclarationStatus::Draft) {
            after if after.is_after_acceptance() => Standing::Accepted,
            DeclarationStatus::Returned | DeclarationStatus::Draft => Standing::Returned,
            DeclarationStatus::Pending if here => Standing::Pending,
            DeclarationStatus::Approved if here => Standing::Approved,
            DeclarationStatus::Pending | DeclarationStatus::Approved if in_round => Standing::Reported,
            _ => Standing::Returned,
        }
    }
}

/// Where each of `ids` stands as seen from `org_id`, read from its holder row (kept by the
/// database's triggers), in one query. A declaration that never reached `org_id` is absent.
pub async fn standings(
    db: &impl ConnectionTrait,
    org_id: &str,
    ids: Vec<String>,
) -> Result<HashMap<String, Standing>, sea_orm::DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(declaration_holder::Entity::find()
        .filter(declaration_holder::Column::OrgId.eq(org_id))
        .filter(declaration_holder::Column::DeclarationId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|h| Some((h.declaration_id, Standing::parse(h.standing.as_deref()?)?)))
        .collect())
}

#[derive(Debug, Default)]
pub struct ReviewFilter {
    pub standing: Option<Standing>,
    pub year: Option<i32>,
    pub level: Option<Level>,
    pub series: Option<String>,
    /// Part of the applicant's name.
    pub q: Option<String>,
    /// The employer (申报单位), for the dashboard's drill-down.
    pub org_id: Option<String>,
    pub sort: ReviewSort,
    pub order: SortOrder,
}

/// The column a clerk sorts the review list by (排序); ties fall back to the newest change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewSort {
    /// 更新时间 (the default): what moved last comes first.
    #[default]
    UpdatedAt,
    /// 申报时间: when it was last submitted (确认申报).
    SubmittedAt,
    /// 姓名, by code point.
    ApplicantName,
    /// 申报单位 (the applicant's employer), by name.
    OrgName,
}

/// Ascending or descending (`desc` unless said).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    Asc,
    #[default]
    Desc,
}

/// One row of the review list.
pub struct ReviewRow {
    pub declaration: declaration::Model,
    pub standing: Standing,
    pub employer: Option<org::Model>,
    pub holder: Option<org::Model>,
    pub series_name: String,
    pub title_name: String,
    pub id_number: Option<IdCardNumber>,
    pub phone: Option<Phone>,
    /// Submitted again after a return (重新申报): the reviewer looks for what changed.
    pub resubmitted: bool,
}

/// The caller's organisation, for org admins and reviewers only.
pub fn member_org(user: &AuthUser) -> AppResult<&str> {
    user.require(&[Role::OrgAdmin, Role::Reviewer])?;
    user.org()
}

/// Where a page of the review list starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStart {
    /// A 1-based page number (OFFSET: fine for the first pages a clerk clicks through).
    Number(u64),
    /// Just after this row (keyset: as fast on page 5,000 as on page 1).
    After(Cursor),
}

/// A place in the review list: the last row of the page before, or an offset for the orders that
/// no holder index serves. Sent to clients as an opaque string ([`Cursor::encode`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// The row's `updated_at` and declaration id (the default order).
    Key(DateTimeUtc, String),
    /// Rows skipped so far (the other orders).
    Offset(u64),
}

impl Cursor {
    /// `k<microseconds>.<id>` or `o<offset>`.
    pub fn encode(&self) -> String {
        match self {
            Cursor::Key(at, id) => format!("k{}.{id}", at.timestamp_micros()),
            Cursor::Offset(n) => format!("o{n}"),
        }
    }

    /// `None` for anything [`Cursor::encode`] did not make.
    pub fn decode(text: &str) -> Option<Self> {
        if let Some(n) = text.strip_prefix('o') {
            return n.parse().ok().filter(|n| *n <= 100_000_000).map(Cursor::Offset);
        }
        let (micros, id) = text.strip_prefix('k')?.split_once('.')?;
        let valid_id = (1..=36).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?;
        valid_id.then(|| Cursor::Key(at, id.to_string()))
    }
}

/// One page of the review list.
pub struct ReviewPage {
    pub rows: Vec<ReviewRow>,
    /// Rows under the filter, counted up to [`COUNT_CAP`].
    pub total: u64,
    /// More than `total` rows match: the count stopped at [`COUNT_CAP`].
    pub total_capped: bool,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

/// The count stops here, so a page never counts a province (the list says 10000+).
pub const COUNT_CAP: u64 = 10_000;

/// Declarations held by, or reported from, the caller's organisation: a fixed number of queries
/// whatever the page size, each reading an index range as long as the page (or the count's cap),
/// not the organisation's whole history.
pub async fn list(
    state: &AppState,
    user: &AuthUser,
    filter: ReviewFilter,
    start: PageStart,
    page_size: u64,
) -> AppResult<ReviewPage> {
    let org_id = member_org(user)?.to_string();
    let (total, total_capped) = capped_count(&state.db, &org_id, &filter).await?;
    let (rows, next) = page(&state.db, &org_id, &filter, start, page_size).await?;
    Ok(ReviewPage { rows: rows_with_names(state, &org_id, rows).await?, total, total_capped, next })
}

/// How many rows match, counting no further than [`COUNT_CAP`] + 1.
async fn capped_count(db: &DatabaseConnection, org_id: &str, filter: &ReviewFilter) -> AppResult<(u64, bool)> {
    let inner = reached_rows(db.get_database_backend() == sea_orm::DbBackend::Postgres, org_id, filter)
        .select_only()
        .column(declaration_holder::Column::DeclarationId)
        .limit(COUNT_CAP + 1)
        .into_query();
    let count = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from_subquery(inner, Alias::new("capped"))
        .to_owned();
    let n: i64 = db
        .query_one_raw(db.get_database_backend().build(&count))
        .await?
        .map(|row| row.try_get("", "n"))
        .transpose()?
        .unwrap_or(0);
    let n = u64::try_from(n).unwrap_or(0);
    Ok((Ord::min(n, COUNT_CAP), n > COUNT_CAP))
}

/// One page of declarations under `filter`, in its order, and where the next one starts.
pub async fn page(
    db: &DatabaseConnection,
    org_id: &str,
    filter: &ReviewFilter,
    start: PageStart,
    page_size: u64,
) -> AppResult<(Vec<declaration::Model>, Option<Cursor>)> {
    if filter.sort != ReviewSort::UpdatedAt {
        let skipped = match start {
            PageStart::Number(n) => (n - 1) * page_size,
            PageStart::After(Cursor::Offset(n)) => n,
            PageStart::After(Cursor::Key(..)) => return Err(bad_cursor()),
        };
        // One row more than the page tells whether another page follows.
        let mut rows = filtered(org_id, filter).offset(skipped).limit(page_size + 1).all(db).await?;
        let more = rows.len() as u64 > page_size;
        rows.truncate(page_size as usize);
        return Ok((rows, more.then(|| Cursor::Offset(skipped + page_size))));
    }
    // The default order is the holder index's: read the page's ids there, then their rows.
    let order = match filter.order {
        SortOrder::Asc => sea_orm::Order::Asc,
        SortOrder::Desc => sea_orm::Order::Desc,
    };
    let mut query = reached_rows(db.get_database_backend() == sea_orm::DbBackend::Postgres, org_id, filter)
        .order_by(declaration_holder::Column::UpdatedAt, order.clone())
        .order_by(declaration_holder::Column::DeclarationId, order)
        .limit(page_size + 1);
    match start {
        PageStart::Number(n) => query = query.offset((n - 1) * page_size),
        PageStart::After(Cursor::Key(at, id)) => {
            let (at_col, id_col) = (declaration_holder::Column::UpdatedAt, declaration_holder::Column::DeclarationId);
            query = query.filter(match filter.order {
                SortOrder::Desc => {
                    Condition::any().add(at_col.lt(at)).add(Condition::all().add(at_col.eq(at)).add(id_col.lt(id)))
                }
                SortOrder::Asc => {
                    Condition::any().add(at_col.gt(at)).add(Condition::all().add(at_col.eq(at)).add(id_col.gt(id)))
                }
            });
        }
        PageStart::After(Cursor::Offset(_)) => return Err(bad_cursor()),
    }
    let mut keys = query.all(db).await?;
    let more = keys.len() as u64 > page_size;
    keys.truncate(page_size as usize);
    let next = keys.last().filter(|_| more).and_then(|h| Some(Cursor::Key(h.updated_at?, h.declaration_id.clone())));
    let mut found: HashMap<String, declaration::Model> = declaration::Entity::find()
        .filter(declaration::Column::Id.is_in(keys.iter().map(|h| h.declaration_id.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect();
    Ok((keys.iter().filter_map(|h| found.remove(&h.declaration_id)).collect(), next))
}

fn bad_cursor() -> AppError {
    AppError::field("/after", "翻页位置无效，请回到第一页")
}

/// The review list's query for `org_id` under `filter`, in the order asked (newest change first unless said); the
/// orders other than the default read it this way, with OFFSET.
pub fn filtered(org_id: &str, filter: &ReviewFilter) -> sea_orm::Select<declaration::Entity> {
    let order = match filter.order {
        SortOrder::Asc => sea_orm::Order::Asc,
        SortOrder::Desc => sea_orm::Order::Desc,
    };
    let query = matching(org_id, filter);
    let query = match filter.sort {
        ReviewSort::UpdatedAt => query.order_by(declaration::Column::UpdatedAt, order),
        ReviewSort::SubmittedAt => query.order_by(declaration::Column::SubmittedAt, order),
        ReviewSort::ApplicantName => query.order_by(declaration::Column::ApplicantName, order),
        ReviewSort::OrgName => query.order_by(
            SimpleExpr::SubQuery(
                None,
                Box::new(SubQueryStatement::SelectStatement(
                    Query::select()
                        .column((org::Entity, org::Column::Name))
                        .from(org::Entity)
                        .and_where(
                            Expr::col((org::Entity, org::Column::Id))
                                .equals((declaration::Entity, declaration::Column::OrgId)),
                        )
                        .to_owned(),
                )),
            ),
            order,
        ),
    };
    // Ties: the newest change first, then the id, so pages never overlap.
    query.order_by_desc(declaration::Column::UpdatedAt).order_by_desc(declaration::Column::Id)
}

/// The review list's rows for `org_id` under `filter`, in no order (to count and group them).
pub fn matching(org_id: &str, filter: &ReviewFilter) -> sea_orm::Select<declaration::Entity> {
    // The same rows on both backends: the LIKE alone (the name index's hint is for pages).
    let ids = reached_rows(false, org_id, filter)
        .select_only()
        .column(declaration_holder::Column::DeclarationId)
        .into_query();
    declaration::Entity::find().filter(declaration::Column::Id.in_subquery(ids))
}

/// The organisation's holder rows under `filter`: its standing read from the row (kept by the
/// database, `m20261205_r1`), the declaration's own fields through a correlated EXISTS, so that a
/// page walks the `(org_id, [standing,] updated_at)` index and stops after the page.
fn reached_rows(name_index: bool, org_id: &str, filter: &ReviewFilter) -> sea_orm::Select<declaration_holder::Entity> {
    let mut query = declaration_holder::Entity::find().filter(declaration_holder::Column::OrgId.eq(org_id));
    if let Some(standing) = filter.standing {
        query = query.filter(declaration_holder::Column::Standing.eq(standing.as_str()));
    }
    let mut own = Condition::all();
    if let Some(year) = filter.year {
        own = own.add(declaration::Column::Year.eq(year));
    }
    if let Some(level) = filter.level {
        own = own.add(declaration::Column::Level.eq(level.as_str()));
    }
    if let Some(series) = &filter.series {
        own = own.add(declaration::Column::SeriesCode.eq(series.as_str()));
    }
    if let Some(employer) = &filter.org_id {
        own = own.add(declaration::Column::OrgId.eq(employer.as_str()));
    }
    // Names are stored with one middle dot (`·`); a search typed with `•` or `・` finds them too.
    let q = filter.q.as_deref().map(crate::domain::text::fold_name_dots);
    if let Some(q) = q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        own = own.add(Expr::col(declaration::Column::ApplicantName).like(LikeExpr::new(pattern).escape('\\')));
        if name_index {
            own = own.add(name_grams_contain(q));
        }
    }
    if own.is_empty() {
        return query;
    }
    query.filter(Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(declaration::Entity)
            .and_where(
                Expr::col((declaration::Entity, declaration::Column::Id))
                    .equals((declaration_holder::Entity, declaration_holder::Column::DeclarationId)),
            )
            .cond_where(own)
            .to_owned(),
    ))
}

/// PostgreSQL: the name holds every character pair of `q` (or its one character), which the GIN
/// index `idx_declarations_name_grams` answers; the LIKE beside it keeps the exact meaning.
fn name_grams_contain(q: &str) -> SimpleExpr {
    let chars: Vec<char> = q.chars().collect();
    let mut grams: Vec<String> = if chars.len() == 1 {
        vec![chars[0].to_string()]
    } else {
        chars.windows(2).map(|pair| pair.iter().collect()).collect()
    };
    grams.sort();
    grams.dedup();
    // One parameter, a PostgreSQL array literal: every element quoted, `"` and `\` escaped.
    let literal =
        grams.iter().map(|g| format!("\"{}\"", g.replace('\\', "\\\\").replace('"', "\\\""))).collect::<Vec<_>>();
    Expr::cust_with_values(
        "name_grams(\"declarations\".\"applicant_name\") @> CAST($1 AS text[])",
        [format!("{{{}}}", literal.join(","))],
    )
}

/// List rows with their organisations, catalogue names and decrypted ID numbers and phones.
pub async fn rows_with_names(
    state: &AppState,
    org_id: &str,
    rows: Vec<declaration::Model>,
) -> AppResult<Vec<ReviewRow>> {
    let db = &state.db;
    let org_ids = rows.iter().flat_map(|d| std::iter::once(d.org_id.clone()).chain(d.holder_org_id.clone()));
    let orgs = orgs::by_ids(db, org_ids).await?;
    let person_ids: Vec<String> = rows.iter().map(|d| d.person_id.clone()).collect();
    let people: HashMap<String, account::Model> = if person_ids.is_empty() {
        HashMap::new()
    } else {
        account::Entity::find()
            .filter(account::Column::Id.is_in(person_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id.clone(), a))
            .collect()
    };
    let (series_names, titles) = catalogue_names(db).await?;
    let standing = standings(db, org_id, rows.iter().map(|d| d.id.clone()).collect()).await?;
    let returned_before = snapshots::ever_returned(db, rows.iter().map(|d| d.id.clone()).collect()).await?;
    rows.into_iter()
        .map(|declaration| {
            let person = people.get(&declaration.person_id);
            Ok(ReviewRow {
                // The triggers write every holder row's standing; the rule answers for a row they missed.
                standing: standing
                    .get(&declaration.id)
                    .copied()
                    .unwrap_or_else(|| Standing::of(&declaration, org_id, None)),
                employer: orgs.get(&declaration.org_id).cloned(),
                holder: declaration.holder_org_id.as_ref().and_then(|id| orgs.get(id).cloned()),
                series_name: series_names.get(&declaration.series_code).cloned().unwrap_or_default(),
                title_name: titles
                    .get(&(declaration.series_code.clone(), declaration.level.clone()))
                    .cloned()
                    .unwrap_or_default(),
                id_number: person.map(|p| accounts::account_id_number(state, p)).transpose()?.flatten(),
                phone: person.map(|p| accounts::account_phone(state, p)).transpose()?.flatten(),
                resubmitted: returned_before.contains(&declaration.id) && resubmitted(&declaration),
                declaration,
            })
        })
        .collect()
}

type Names = (HashMap<String, String>, HashMap<(String, String), String>);

async fn catalogue_names(db: &impl ConnectionTrait) -> AppResult<Names> {
    let series_names = series::Entity::find().all(db).await?.into_iter().map(|s| (s.code, s.name)).collect();
    let titles = series_level::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|l| ((l.series_code, l.level), l.title_name))
        .collect();
    Ok((series_names, titles))
}

/// The reviewer's view of one declaration, with its history.
pub struct ReviewView {
    pub view: DeclarationView,
    pub standing: Standing,
    pub events: Vec<declaration_event::Model>,
    /// Whether the caller may approve or return it now.
    pub can_review: bool,
    /// Whether the caller's organisation may report it now.
    pub can_report: bool,
    /// What it held when it was last returned, once it has been submitted again since (本次修改).
    pub since_return: Option<Snapshot>,
    /// The caller organisation's deadline for it (申报计划, with extensions); None before plans.
    pub deadline: Option<plans::window::Deadline>,
    /// The server's clock when it was read.
    pub now: chrono::DateTime<chrono::Utc>,
}

/// Submitted again since its last return: not (or no longer) with the applicant.
fn resubmitted(declaration: &declaration::Model) -> bool {
    !matches!(
        DeclarationStatus::parse(&declaration.status),
        Some(DeclarationStatus::Returned | DeclarationStatus::Draft)
    )
}

pub async fn get(state: &AppState, user: &AuthUser, id: &str) -> AppResult<ReviewView> {
    let org_id = member_org(user)?;
    let declaration =
        declaration::Entity::find_by_id(id.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let Some(standing) = standings(&state.db, org_id, vec![id.to_string()]).await?.get(id).copied() else {
        return Err(AppError::NotFound);
    };
    let own_org = org::Entity::find_by_id(org_id.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let events = declarations::history(&state.db, id).await?;
    let since_return = match snapshots::latest(&state.db, id).await? {
        Some(snapshot)
            if resubmitted(&declaration) && declaration.submitted_at.is_some_and(|at| at >= snapshot.taken_at) =>
        {
            Some(snapshot)
        }
        _ => None,
    };
    let deadline = plans::window::deadline_for(&state.db, &declaration, &own_org).await?;
    let view = declarations::load_view(state, &state.db, declaration).await?;
    let reviewable = matches!(standing, Standing::Pending | Standing::Approved);
    Ok(ReviewView {
        deadline,
        now: state.clock.now(),
        can_review: user.role == Role::Reviewer && reviewable,
        can_report: standing == Standing::Approved && own_org.kind != OrgKind::Hrss.as_str(),
        view,
        standing,
        events,
        since_return,
    })
}

/// Checks that the caller is a real-name reviewer of the organisation holding the declaration.
/// Strangers get 404; an org admin gets 403 saying a reviewer must act (提示1); a declaration that
/// has moved on from the caller's organisation is 409.
async fn holder_reviewer(
    state: &AppState,
    tx: &DatabaseTransaction,
    user: &AuthUser,
    id: &str,
    expected_version: Option<i32>,
) -> AppResult<(declaration::Model, org::Model)> {
    let org_id = member_org(user)?;
    let declaration = declaration::Entity::find_by_id(id.to_string()).one(tx).await?.ok_or(AppError::NotFound)?;
    if !declarations::reached(tx, id, org_id).await? {
        return Err(AppError::NotFound);
    }
    if user.role != Role::Reviewer {
        return Err(if reviewers::has_active_reviewer(tx, org_id).await? {
            AppError::forbidden("reviewer_required", "请使用实名制审核人员账号进行审核")
        } else {
            no_reviewer()
        });
    }
    if expected_version.is_some_and(|expected| expected != declaration.version) {
        return Err(lost_race(expected_version));
    }
    if declaration.holder_org_id.as_deref() != Some(org_id) {
        return Err(AppError::conflict("not_held_here", "该申报当前不在本单位（已上报或已退回），不能审核"));
    }
    let own = org::Entity::find_by_id(org_id.to_string()).one(tx).await?.ok_or(AppError::NotFound)?;
    // After this level's deadline (申报计划, unless extended) nobody here decides any more.
    plans::window::check_review(tx, state.clock.now(), &declaration, &own).await?;
    Ok((declaration, own))
}

/// Another reviewer acted first: 412 when the caller named the version it saw, else 409.
fn lost_race(expected_version: Option<i32>) -> AppError {
    match expected_version {
        Some(_) => AppError::PreconditionFailed("该申报已被其他审核人员处理或已修改，请刷新后再审核".into()),
        None => AppError::conflict("already_reviewed", "该申报已被审核或状态已变化，请刷新后再试"),
    }
}

/// 提示1: without a registered real-name reviewer an organisation can neither review nor report.
pub fn no_reviewer() -> AppError {
    AppError::forbidden(
        "no_real_name_reviewer",
        "单位须先按提示录入实名制审核人员信息（审核人员），否则无法对数据进行审核上报",
    )
}

/// 审核通过: `approved` here (通过未上报), or `accepted` (受理) at a bureau. Only from `pending`.
/// `expected_version` (from `If-Match`) makes the decision conditional on what the reviewer saw.
pub async fn approve(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    opinion: Option<String>,
    expected_version: Option<i32>,
    ip: Option<String>,
) -> AppResult<ReviewView> {
    let tx = db::begin_write(&state.db).await?;
    let (declaration, own) = holder_reviewer(state, &tx, user, id, expected_version).await?;
    let bureau = own.kind == OrgKind::Hrss.as_str();
    let action = if bureau { Action::Accept } else { Action::Approve };
    let moved = declaration::Entity::update_many()
        .col_expr(declaration::Column::Status, Expr::value(action.to().as_str()))
        .col_expr(declaration::Column::Version, Expr::col(declaration::Column::Version).add(1))
        .col_expr(declaration::Column::UpdatedAt, Expr::value(db::now()))
        .filter(declaration::Column::Id.eq(id))
        .filter(declaration::Column::HolderOrgId.eq(own.id.clone()))
        .filter(declaration::Column::Status.is_in(action.from_spellings()))
        .filter(declaration::Column::Version.eq(declaration.version))
        .exec(&tx)
        .await?;
    if moved.rows_affected == 0 {
        return Err(lost_race(expected_version));
    }
    clear_return_marks(&tx, id).await?;
    declarations::record_event(
        &tx,
        EventInput::new(id, action.as_str(), &user.id, &user.real_name)
            .org(&own.id, &own.name)
            .opinion(opinion.clone()),
    )
    .await?;
    let note = if bureau {
        messages::notes::accepted(&declaration, &own.name)
    } else {
        messages::notes::approved(&declaration, &own.name)
    };
    messages::post(&tx, std::slice::from_ref(&declaration.person_id), &note).await?;
    if bureau {
        let text = format!("您的{}已受理，详情请登录平台查看。", messages::notes::declaration_name(&declaration));
        sms::enqueue_notice(&state.crypto, &tx, &declaration.person_id, note.kind, &text).await?;
    }
    audit::record(
        &tx,
        AuditEntry::new(if bureau { "declaration_accepted" } else { "declaration_approved" }, true)
            .actor(&user.id, &user.real_name, Some(&own.id))
            .object("declaration", id)
            .ip(ip),
    )
    .await?;
    tx.commit().await?;
    get(state, user, id).await
}

async fn clear_return_marks(tx: &DatabaseTransaction, id: &str) -> Result<(), sea_orm::DbErr> {
    declaration_item::Entity::update_many()
        .col_expr(declaration_item::Column::Flagged, Expr::value(false))
        .col_expr(declaration_item::Column::ReviewOpinion, Expr::value(Option::<String>::None))
        .col_expr(declaration_item::Column::ChangedAfterReturn, Expr::value(false))
        .col_expr(declaration_item::Column::AddedAfterReturn, Expr::value(false))
        .filter(declaration_item::Column::DeclarationId.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}

pub struct ReturnDecision {
    pub opinion: String,
    /// (item id, opinion): the items the applicant must modify (修改).
    pub items: Vec<(String, String)>,
    /// Sections the applicant may add items to (新增).
    pub add_sections: Vec<String>,
    /// When set, 申报信息 is unlocked too, with this opinion.
    pub info_opinion: Option<String>,
}

/// 审核不通过 + 退回: straight back to the applicant with the opinions; from `pending` or from
/// `approved` not yet reported (提示3).
pub async fn return_declaration(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    decision: ReturnDecision,
    expected_version: Option<i32>,
    ip: Option<String>,
) -> AppResult<ReviewView> {
    let tx = db::begin_write(&state.db).await?;
    let (declaration, own) = holder_reviewer(state, &tx, user, id, expected_version).await?;
    let items =
        declaration_item::Entity::find().filter(declaration_item::Column::DeclarationId.eq(id)).all(&tx).await?;
    let template = crate::services::forms::by_id(&tx, &declaration.template_id).await?;
    let mut errors = Vec::new();
    for (index, (item_id, _)) in decision.items.iter().enumerate() {
        if !items.iter().any(|i| &i.id == item_id) {
            errors.push(FieldError::new(format!("/items/{index}/item_id"), "该条目不属于此申报"));
        }
    }
    for (index, code) in decision.add_sections.iter().enumerate() {
        if template.body.section(code).is_none() {
            errors.push(FieldError::new(format!("/add_sections/{index}"), "该系列表单没有此栏目"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    // 本次修改: what it holds as it goes back, for whoever reviews the resubmission.
    let before = declarations::load_view(state, &tx, declaration.clone()).await?;
    snapshots::take(&tx, &before, &own.id).await?;
    let moved = declaration::Entity::update_many()
        .col_expr(declaration::Column::Status, Expr::value(Action::Return.to().as_str()))
        .col_expr(declaration::Column::HolderOrgId, Expr::value(Option::<String>::None))
        .col_expr(declaration::Column::OpenSections, Expr::value(json!(decision.add_sections)))
        .col_expr(declaration::Column::InfoUnlocked, Expr::value(decision.info_opinion.is_some()))
        .col_expr(declaration::Column::ReturnOpinion, Expr::value(decision.opinion.clone()))
        .col_expr(declaration::Column::Version, Expr::col(declaration::Column::Version).add(1))
        .col_expr(declaration::Column::UpdatedAt, Expr::value(db::now()))
        .filter(declaration::Column::Id.eq(id))
        .filter(declaration::Column::HolderOrgId.eq(own.id.clone()))
        .filter(declaration::Column::Status.is_in(Action::Return.from_spellings()))
        .filter(declaration::Column::Version.eq(declaration.version))
        .exec(&tx)
        .await?;
    if moved.rows_affected == 0 {
        return Err(lost_race(expected_version));
    }
    clear_return_marks(&tx, id).await?;
    for (item_id, opinion) in &decision.items {
        declaration_item::Entity::update_many()
            .col_expr(declaration_item::Column::Flagged, Expr::value(true))
            .col_expr(declaration_item::Column::ReviewOpinion, Expr::value(opinion.clone()))
            .filter(declaration_item::Column::Id.eq(item_id.as_str()))
            .exec(&tx)
            .await?;
    }
    let flagged: Vec<Value> = decision
        .items
        .iter()
        .map(|(item_id, opinion)| {
            let section = items.iter().find(|i| &i.id == item_id).map(|i| i.section.clone()).unwrap_or_default();
            json!({"item_id": item_id, "section": section, "opinion": opinion})
        })
        .collect();
    let note = messages::notes::returned(&declaration, &own.name, &decision.opinion);
    messages::post(&tx, std::slice::from_ref(&declaration.person_id), &note).await?;
    let text = format!(
        "您的{}被退回，请登录平台查看审核意见并修改后重新确认申报。",
        messages::notes::declaration_name(&declaration)
    );
    sms::enqueue_notice(&state.crypto, &tx, &declaration.person_id, note.kind, &text).await?;
    declarations::record_event(
        &tx,
        EventInput::new(id, Action::Return.as_str(), &user.id, &user.real_name)
            .org(&own.id, &own.name)
            .opinion(Some(decision.opinion))
            .detail(
                json!({"items": flagged, "add_sections": decision.add_sections, "info_opinion": decision.info_opinion}),
            ),
    )
    .await?;
    audit::record(
        &tx,
        AuditEntry::new("declaration_returned", true)
            .actor(&user.id, &user.real_name, Some(&own.id))
            .object("declaration", id)
            .ip(ip),
    )
    .await?;
    tx.commit().await?;
    get(state, user, id).await
}

/// Counts of the declarations that reached the caller's organisation, by series, level and standing.
pub struct Count {
    pub series: String,
    pub series_name: String,
    pub level: String,
    pub standing: Standing,
    pub count: i64,
}

#[derive(Debug, FromQueryResult)]
struct CountRow {
    series_code: String,
    level: String,
    standing: Option<String>,
    count: i64,
}

/// The organisation's declarations counted by series, level and standing: one pass over its
/// holder rows, grouped by the standing they carry.
pub async fn summary(state: &AppState, user: &AuthUser, year: Option<i32>) -> AppResult<Vec<Count>> {
    let org_id = member_org(user)?.to_string();
    let mut query = declaration_holder::Entity::find()
        .select_only()
        .column(declaration::Column::SeriesCode)
        .column(declaration::Column::Level)
        .column(declaration_holder::Column::Standing)
        .expr_as(Expr::cust("COUNT(*)"), "count")
        .join(
            sea_orm::JoinType::InnerJoin,
            declaration_holder::Entity::belongs_to(declaration::Entity)
                .from(declaration_holder::Column::DeclarationId)
                .to(declaration::Column::Id)
                .into(),
        )
        .filter(declaration_holder::Column::OrgId.eq(org_id.as_str()))
        .group_by(declaration::Column::SeriesCode)
        .group_by(declaration::Column::Level)
        .group_by(declaration_holder::Column::Standing);
    if let Some(year) = year {
        query = query.filter(declaration::Column::Year.eq(year));
    }
    let rows = query.into_model::<CountRow>().all(&state.db).await?;
    let (series_names, _) = catalogue_names(&state.db).await?;
    let mut counts: Vec<Count> = rows
        .into_iter()
        .filter_map(|row| {
            Some(Count {
                series_name: series_names.get(&row.series_code).cloned().unwrap_or_default(),
                standing: Standing::parse(row.standing.as_deref()?)?,
                series: row.series_code,
                level: row.level,
                count: row.count,
            })
        })
        .collect();
    counts.sort_by(|a, b| (&a.series, &a.level, a.standing as u8).cmp(&(&b.series, &b.level, b.standing as u8)));
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    use super::*;

    #[test]
    fn a_name_search_asks_the_gram_index_for_each_pair_or_the_one_character() {
        let sql = |q: &str| {
            let stmt = declaration::Entity::find().filter(name_grams_contain(q)).build(DbBackend::Postgres);
            let values = stmt.values.map(|v| v.0).unwrap_or_default();
            (stmt.sql.split(" WHERE ").nth(1).unwrap_or_default().to_string(), values)
        };
        let (condition, values) = sql("王");
        assert_eq!(condition, r#"name_grams("declarations"."applicant_name") @> CAST($1 AS text[])"#);
        assert_eq!(values, vec![sea_orm::Value::from("{\"王\"}")]);
        assert_eq!(sql("欧阳娜娜").1, vec![sea_orm::Value::from("{\"娜娜\",\"欧阳\",\"阳娜\"}")]);
        assert_eq!(sql("娜娜娜").1, vec![sea_orm::Value::from("{\"娜娜\"}")], "one distinct pair");
        assert_eq!(sql("a\"\\").1, vec![sea_orm::Value::from(r#"{"\"\\","a\""}"#)], "quotes escaped");
    }
}
