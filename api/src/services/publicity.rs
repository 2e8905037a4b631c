//! 公示: the working-day calendar, publishing a closed review session's results for a period of
//! working days, objections (异议) and their answers, and the decision (评审结果) when the period
//! ends with no open objection. Who objected is known to the objector alone: the committee's desk
//! and the public page never carry the objector's account.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::auth::AuthUser;
use crate::db;
use crate::domain::lifecycle::Action;
use crate::domain::workdays::{Calendar, DEFAULT_PERIOD};
use crate::domain::{Level, Role, mask_id_number};
use crate::entities::{
    account, calendar_day, committee, declaration, declaration_holder, objection, org, publicity, review_session,
    series, session_declaration,
};
use crate::error::{AppError, AppResult};
use crate::services::audit::{self, AuditEntry};
use crate::services::certificates;
use crate::services::declarations::{self, EventInput};
use crate::services::messages::{self, Note};
use crate::state::AppState;

pub const OPEN: &str = "open";
pub const FINAL: &str = "final";
pub const HOLIDAY: &str = "holiday";
pub const WORKDAY: &str = "workday";
pub const UPHELD: &str = "upheld";
pub const DISMISSED: &str = "dismissed";

/// Today in China Standard Time by the rules' clock: periods are counted in Beijing days.
pub fn today(state: &AppState) -> NaiveDate {
    (state.clock.now() + Duration::hours(8)).date_naive()
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

// ---------------------------------------------------------------------------------------------
// The calendar

/// Who keeps the calendar: the platform admin alone. The calendar counts every committee's 公示
/// period, so a committee's own admin — who publishes — must not be able to shorten it (by
/// marking a weekend a make-up working day before publishing).
fn require_calendar_keeper(user: &AuthUser) -> AppResult<()> {
    if user.role == Role::Admin {
        return Ok(());
    }
    Err(AppError::forbidden("calendar_keeper_only", "仅平台管理员可维护工作日历"))
}

/// The days of a year that differ from their weekday.
pub async fn calendar_year(state: &AppState, year: i32) -> AppResult<Vec<calendar_day::Model>> {
    Ok(calendar_day::Entity::find()
        .filter(calendar_day::Column::Day.starts_with(format!("{year:04}-")))
        .order_by_asc(calendar_day::Column::Day)
        .all(&state.db)
        .await?)
}

/// Marks a day as a holiday or a make-up working day (replacing what it was).
pub async fn set_day(
    state: &AppState,
    user: &AuthUser,
    day: NaiveDate,
    kind: &'static str,
    note: Option<String>,
    ip: Option<String>,
) -> AppResult<calendar_day::Model> {
    let tx = db::begin_write(&state.db).await?;
    require_calendar_keeper(user)?;
    let row = calendar_day::ActiveModel {
        day: Set(day_text(day)),
        kind: Set(kind.to_string()),
        note: Set(note),
        updated_by: Set(user.id.clone()),
        updated_at: Set(db::now()),
    };
    calendar_day::Entity::insert(row)
        .on_conflict(
            OnConflict::column(calendar_day::Column::Day)
                .update_columns([
                    calendar_day::Column::Kind,
                    calendar_day::Column::Note,
                    calendar_day::Column::UpdatedBy,
                    calendar_day::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&tx)
        .await?;
    audit::record(
        &tx,
        AuditEntry::new("calendar_day_set", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("calendar_day", &day_text(day))
            .ip(ip)
            .detail(json!({"kind": kind})),
    )
    .await?;
    let saved = calendar_day::Entity::find_by_id(day_text(day)).one(&tx).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(saved)
}

/// Makes a day an ordinary day again.
pub async fn clear_day(state: &AppState, user: &AuthUser, day: NaiveDate, ip: Option<String>) -> AppResult<()> {
    let tx = db::begin_write(&state.db).await?;
    require_calendar_keeper(user)?;
    let gone = calendar_day::Entity::delete_by_id(day_text(day)).exec(&tx).await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &tx,
        AuditEntry::new("calendar_day_cleared", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("calendar_day", &day_text(day))
            .ip(ip),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The calendar from `from` on (a period never reaches back).
async fn load_calendar(db: &impl ConnectionTrait, from: NaiveDate) -> AppResult<Calendar> {
    let rows = calendar_day::Entity::find().filter(calendar_day::Column::Day.gte(day_text(from))).all(db).await?;
    let mut calendar = Calendar::default();
    for row in rows {
        let Ok(day) = NaiveDate::parse_from_str(&row.day, "%Y-%m-%d") else { continue };
        if row.kind == HOLIDAY {
            calendar.holidays.insert(day);
        } else {
            calendar.workdays.insert(day);
        }
    }
    Ok(calendar)
}

// ---------------------------------------------------------------------------------------------
// 公示

/// One row of a 公示 list, as the public sees it.
pub struct Entry {
    pub declaration_id: String,
    pub applicant_name: String,
    pub id_number_masked: String,
    pub org_name: String,
    pub series_name: String,
    pub level: Level,
    pub specialty: String,
    /// The session's result: `passed` or `failed`.
    pub result: String,
    /// Where the declaration is now: `publicized`, `certified`, `failed`, or `reopened` (an upheld
    /// objection sent it back for another review).
    pub state: String,
}

pub struct PublicityView {
    pub publicity: publicity::Model,
    pub committee_name: String,
    pub session_name: String,
    pub entries: Vec<Entry>,
}

/// The committee whose admin the caller is, for a session (strangers: 404).
async fn admin_of_session(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    session_id: &str,
) -> AppResult<(review_session::Model, committee::Model)> {
    let session =
        review_session::Entity::find_by_id(session_id.to_string()).one(db).await?.ok_or(AppError::NotFound)?;
    let committee = admin_committee(db, user, &session.committee_id).await?;
    Ok((session, committee))
}

async fn admin_committee(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    committee_id: &str,
) -> AppResult<committee::Model> {
    let committee = committee::Entity::find_by_id(committee_id.to_string()).one(db).await?.ok_or(AppError::NotFound)?;
    if user.role == Role::OrgAdmin && user.org_id.as_deref() == Some(committee.org_id.as_str()) {
        Ok(committee)
    } else {
        Err(AppError::NotFound)
    }
}

/// 发布公示: the closed session's passed and failed declarations go into 公示 (the lifecycle's
/// `publish`) for `working_days` working days from tomorrow; void ones wait for another session.
pub async fn publish(
    state: &AppState,
    user: &AuthUser,
    session_id: &str,
    working_days: Option<u32>,
    ip: Option<String>,
) -> AppResult<PublicityView> {
    let days = working_days.unwrap_or(DEFAULT_PERIOD);
    if !(DEFAULT_PERIOD..=30).contains(&days) {
        return Err(AppError::field("/working_days", format!("公示期须为{DEFAULT_PERIOD}至30个工作日")));
    }
    let tx = db::begin_write(&state.db).await?;
    let (session, committee) = admin_of_session(&tx, user, session_id).await?;
    if session.status != crate::services::review_sessions::CLOSED {
        return Err(AppError::rule("session_not_closed", "评审会结束后才能发布公示"));
    }
    if publicity::Entity::find().filter(publicity::Column::SessionId.eq(session_id)).one(&tx).await?.is_some() {
        return Err(AppError::conflict("already_published", "该评审会的结果已经公示"));
    }
    let today = today(state);
    let calendar = load_calendar(&tx, today).await?;
    let ends_on = calendar.end_of_period(today, days);
    let now = db::now();
    let id = db::new_id();
    publicity::Entity::insert(publicity::ActiveModel {
        id: Set(id.clone()),
        session_id: Set(session_id.to_string()),
        committee_id: Set(committee.id.clone()),
        published_on: Set(day_text(today)),
        working_days: Set(days as i32),
        ends_on: Set(day_text(ends_on)),
        status: Set(OPEN.into()),
        published_by: Set(user.id.clone()),
        published_at: Set(now),
        finalised_at: Set(None),
    })
    .exec_without_returning(&tx)
    .await?;
    let rows = session_declaration::Entity::find()
        .filter(session_declaration::Column::SessionId.eq(session_id))
        .filter(session_declaration::Column::Result.is_in(["passed", "failed"]))
        .all(&tx)
        .await?;
    if rows.is_empty() {
        return Err(AppError::rule("nothing_to_publish", "该评审会没有通过或未通过的申报可公示"));
    }
    let own = org::Entity::find_by_id(committee.org_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let action = Action::Publish;
    for row in &rows {
        let moved = declaration::Entity::update_many()
            .col_expr(declaration::Column::Status, Expr::value(action.to().as_str()))
            .col_expr(declaration::Column::Version, Expr::col(declaration::Column::Version).add(1))
            .col_expr(declaration::Column::UpdatedAt, Expr::value(now))
            .filter(declaration::Column::Id.eq(row.declaration_id.as_str()))
            .filter(declaration::Column::Status.is_in(action.from_spellings()))
            .exec(&tx)
            .await?;
        if moved.rows_affected == 0 {
            return Err(AppError::conflict("declaration_moved", "有申报的状态已变化，请刷新后再试"));
        }
        declarations::record_event(
            &tx,
            EventInput::new(&row.declaration_id, action.as_str(), &user.id, &committee.name)
                .org(&own.id, &own.name)
                .detail(json!({"publicity_id": id, "ends_on": day_text(ends_on)})),
        )
        .await?;
    }
    audit::record(
        &tx,
        AuditEntry::new("publicity_published", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("publicity", &id)
            .ip(ip)
            .detail(json!({"session_id": session_id, "ends_on": day_text(ends_on), "count": rows.len()})),
    )
    .await?;
    let view = load(state, &tx, find(&tx, &id).await?).await?;
    tx.commit().await?;
    Ok(view)
}

async fn find(db: &impl ConnectionTrait, id: &str) -> AppResult<publicity::Model> {
    publicity::Entity::find_by_id(id.to_string()).one(db).await?.ok_or(AppError::NotFound)
}

/// Of `rows` (one session's declarations), those gathered again into a later session after an
/// upheld objection: this 公示 no longer speaks for them — they are neither objected to, nor
/// finalised, nor shown as current through it. One query, whatever the number of rows.
async fn superseded(db: &impl ConnectionTrait, rows: &[session_declaration::Model]) -> AppResult<HashSet<String>> {
    let added: HashMap<&str, DateTime<Utc>> = rows.iter().map(|r| (r.declaration_id.as_str(), r.added_at)).collect();
    let later = session_declaration::Entity::find()
        .filter(session_declaration::Column::DeclarationId.is_in(added.keys().map(|id| id.to_string())))
        .all(db)
        .await?;
    Ok(later
        .into_iter()
        .filter(|r| added.get(r.declaration_id.as_str()).is_some_and(|at| r.added_at > *at))
        .map(|r| r.declaration_id)
        .collect())
}

async fn load(state: &AppState, db: &impl ConnectionTrait, publicity: publicity::Model) -> AppResult<PublicityView> {
    let committee =
        committee::Entity::find_by_id(publicity.committee_id.clone()).one(db).await?.ok_or(AppError::NotFound)?;
    let session =
        review_session::Entity::find_by_id(publicity.session_id.clone()).one(db).await?.ok_or(AppError::NotFound)?;
    let rows = session_declaration::Entity::find()
        .filter(session_declaration::Column::SessionId.eq(publicity.session_id.as_str()))
        .filter(session_declaration::Column::Result.is_in(["passed", "failed"]))
        .all(db)
        .await?;
    let ids: Vec<String> = rows.iter().map(|r| r.declaration_id.clone()).collect();
    let found: HashMap<String, declaration::Model> = declaration::Entity::find()
        .filter(declaration::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect();
    let orgs: HashMap<String, String> = org::Entity::find()
        .filter(org::Column::Id.is_in(found.values().map(|d| d.org_id.clone()).collect::<HashSet<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let people: HashMap<String, account::Model> = account::Entity::find()
        .filter(account::Column::Id.is_in(found.values().map(|d| d.person_id.clone()).collect::<HashSet<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let series_names: HashMap<String, String> =
        series::Entity::find().all(db).await?.into_iter().map(|s| (s.code, s.name)).collect();
    let moved_on = superseded(db, &rows).await?;
    let mut entries = Vec::new();
    for row in rows {
        let Some(d) = found.get(&row.declaration_id) else { continue };
        let masked = match people.get(&d.person_id) {
            Some(person) => crate::services::accounts::account_id_number(state, person)?
                .map(|id| id.masked())
                .unwrap_or_else(|| mask_id_number("")),
            None => mask_id_number(""),
        };
        let state_now = match d.status.as_str() {
            "publicized" | "certified" | "failed" if !moved_on.contains(&d.id) => d.status.clone(),
            _ => "reopened".to_string(),
        };
        entries.push(Entry {
            declaration_id: d.id.clone(),
            applicant_name: d.applicant_name.clone(),
            id_number_masked: masked,
            org_name: orgs.get(&d.org_id).cloned().unwrap_or_default(),
            series_name: series_names.get(&d.series_code).cloned().unwrap_or_else(|| d.series_code.clone()),
            level: Level::parse(&d.level).unwrap_or(Level::Intermediate),
            specialty: d.specialty.clone(),
            result: row.result.clone().unwrap_or_default(),
            state: state_now,
        });
    }
    entries.sort_by(|a, b| a.result.cmp(&b.result).reverse().then(a.applicant_name.cmp(&b.applicant_name)));
    Ok(PublicityView { publicity, committee_name: committee.name, session_name: session.name, entries })
}

/// The public list of 公示 (open ones first, newest first), with no login.
pub async fn list_public(state: &AppState) -> AppResult<Vec<PublicityView>> {
    let rows = publicity::Entity::find().order_by_desc(publicity::Column::PublishedAt).all(&state.db).await?;
    let mut views = Vec::new();
    for row in rows.into_iter().take(50) {
        views.push(load(state, &state.db, row).await?);
    }
    views.sort_by_key(|v| v.publicity.status != OPEN);
    Ok(views)
}

/// One 公示, with no login.
pub async fn get_public(state: &AppState, id: &str) -> AppResult<PublicityView> {
    let publicity = find(&state.db, id).await?;
    load(state, &state.db, publicity).await
}

// ---------------------------------------------------------------------------------------------
// 异议

/// 提出异议: any logged-in account, during the period, against a declaration in this 公示.
pub async fn object(
    state: &AppState,
    user: &AuthUser,
    publicity_id: &str,
    declaration_id: &str,
    reason: String,
) -> AppResult<objection::Model> {
    let tx = db::begin_write(&state.db).await?;
    let publicity = find(&tx, publicity_id).await?;
    let listed = session_declaration::Entity::find_by_id((publicity.session_id.clone(), declaration_id.to_string()))
        .one(&tx)
        .await?
        .filter(|r| matches!(r.result.as_deref(), Some("passed" | "failed")));
    let Some(listed) = listed else {
        return Err(AppError::field("/declaration_id", "该申报不在本次公示中"));
    };
    if !superseded(&tx, std::slice::from_ref(&listed)).await?.is_empty() {
        return Err(AppError::rule("not_in_publicity", "该申报已重新评审，不在本次公示中"));
    }
    if publicity.status != OPEN || day_text(today(state)) > publicity.ends_on {
        return Err(AppError::rule("publicity_ended", format!("公示期已于{}结束，不能再提出异议", publicity.ends_on)));
    }
    let declaration =
        declaration::Entity::find_by_id(declaration_id.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    if declaration.status != Action::Reopen.from()[0].as_str() {
        return Err(AppError::rule("not_in_publicity", "该申报已不在公示中"));
    }
    let pending = objection::Entity::find()
        .filter(objection::Column::PublicityId.eq(publicity_id))
        .filter(objection::Column::DeclarationId.eq(declaration_id))
        .filter(objection::Column::AccountId.eq(user.id.as_str()))
        .filter(objection::Column::Status.eq(OPEN))
        .one(&tx)
        .await?;
    if pending.is_some() {
        return Err(AppError::conflict("already_objected", "您对该申报的异议尚在处理中"));
    }
    let row = objection::ActiveModel {
        id: Set(db::new_id()),
        publicity_id: Set(publicity_id.to_string()),
        declaration_id: Set(declaration_id.to_string()),
        account_id: Set(user.id.clone()),
        reason: Set(reason),
        status: Set(OPEN.into()),
        answer: Set(None),
        answered_by: Set(None),
        answered_at: Set(None),
        created_at: Set(db::now()),
    };
    let id = row.id.clone().unwrap();
    objection::Entity::insert(row).exec_without_returning(&tx).await?;
    // The committee's admins are told there is an objection, never by whom.
    let committee =
        committee::Entity::find_by_id(publicity.committee_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let admins = messages::recipients::org_admins(&tx, &committee.org_id).await?;
    messages::post(
        &tx,
        &admins,
        &Note::new(
            "objection_received",
            format!("公示收到异议：{}", declaration.applicant_name),
            format!("{}的公示收到一条异议，请在公示期内处理。", committee.name),
        )
        .object("publicity", publicity_id),
    )
    .await?;
    let saved = objection::Entity::find_by_id(id).one(&tx).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(saved)
}

/// The caller's own objections with their answers.
pub async fn my_objections(state: &AppState, user: &AuthUser) -> AppResult<Vec<objection::Model>> {
    Ok(objection::Entity::find()
        .filter(objection::Column::AccountId.eq(user.id.as_str()))
        .order_by_desc(objection::Column::CreatedAt)
        .all(&state.db)
        .await?)
}

/// The committee's objection desk for one 公示 (strangers: 404). The rows still carry the account
/// id: the route never shows it.
pub async fn desk(state: &AppState, user: &AuthUser, publicity_id: &str) -> AppResult<Vec<objection::Model>> {
    let publicity = find(&state.db, publicity_id).await?;
    admin_committee(&state.db, user, &publicity.committee_id).await?;
    Ok(objection::Entity::find()
        .filter(objection::Column::PublicityId.eq(publicity_id))
        .order_by_asc(objection::Column::CreatedAt)
        .all(&state.db)
        .await?)
}

/// 处理异议: upheld sends the declaration back to 受理 for another session (the lifecycle's
/// `reopen`); dismissed keeps it in 公示. The objector is told the answer.
pub async fn answer(
    state: &AppState,
    user: &AuthUser,
    objection_id: &str,
    upheld: bool,
    answer: String,
    ip: Option<String>,
) -> AppResult<objection::Model> {
    let tx = db::begin_write(&state.db).await?;
    let row = objection::Entity::find_by_id(objection_id.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let publicity = find(&tx, &row.publicity_id).await?;
    let committee = admin_committee(&tx, user, &publicity.committee_id).await?;
    let status = if upheld { UPHELD } else { DISMISSED };
    let now = db::now();
    let done = objection::Entity::update_many()
        .col_expr(objection::Column::Status, Expr::value(status))
        .col_expr(objection::Column::Answer, Expr::value(answer.clone()))
        .col_expr(objection::Column::AnsweredBy, Expr::value(user.id.clone()))
        .col_expr(objection::Column::AnsweredAt, Expr::value(now))
        .filter(objection::Column::Id.eq(objection_id))
        .filter(objection::Column::Status.eq(OPEN))
        .exec(&tx)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::conflict("already_answered", "该异议已处理"));
    }
    let declaration =
        declaration::Entity::find_by_id(row.declaration_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
    if upheld {
        let action = Action::Reopen;
        let moved = declaration::Entity::update_many()
            .col_expr(declaration::Column::Status, Expr::value(action.to().as_str()))
            .col_expr(declaration::Column::Version, Expr::col(declaration::Column::Version).add(1))
            .col_expr(declaration::Column::UpdatedAt, Expr::value(now))
            .filter(declaration::Column::Id.eq(row.declaration_id.as_str()))
            .filter(declaration::Column::Status.is_in(action.from_spellings()))
            .exec(&tx)
            .await?;
        if moved.rows_affected > 0 {
            let own = org::Entity::find_by_id(committee.org_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
            declarations::record_event(
                &tx,
                EventInput::new(&row.declaration_id, action.as_str(), &user.id, &committee.name)
                    .org(&own.id, &own.name)
                    .opinion(Some(answer.clone())),
            )
            .await?;
            messages::post(
                &tx,
                std::slice::from_ref(&declaration.person_id),
                &Note::new(
                    "declaration_reopened",
                    format!("{}将重新评审", messages::notes::declaration_name(&declaration)),
                    format!("公示期间的异议经{}核实成立，您的申报将重新评审：{answer}", committee.name),
                )
                .object("declaration", &declaration.id),
            )
            .await?;
        }
    }
    messages::post(
        &tx,
        std::slice::from_ref(&row.account_id),
        &Note::new(
            "objection_answered",
            format!("您对{}的异议已处理", declaration.applicant_name),
            format!("{}：{}。{answer}", committee.name, if upheld { "异议成立" } else { "异议不成立" }),
        )
        .object("objection", objection_id),
    )
    .await?;
    audit::record(
        &tx,
        AuditEntry::new("objection_answered", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("objection", objection_id)
            .ip(ip)
            .detail(json!({"status": status, "declaration_id": row.declaration_id})),
    )
    .await?;
    let saved = objection::Entity::find_by_id(objection_id.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(saved)
}

// ---------------------------------------------------------------------------------------------
// The decision

/// What a finalisation did.
pub struct Decision {
    pub certified: Vec<String>,
    pub failed: Vec<String>,
}

/// 公示结束: the committee's admin makes the result final once the period has ended with no open
/// objection.
pub async fn finalise_by_admin(
    state: &AppState,
    user: &AuthUser,
    publicity_id: &str,
    ip: Option<String>,
) -> AppResult<Decision> {
    let publicity = find(&state.db, publicity_id).await?;
    admin_committee(&state.db, user, &publicity.committee_id).await?;
    finalise(state, publicity_id, Some((user, ip))).await
}

/// The periodic job: every open 公示 whose period ended with no open objection becomes final.
/// Returns how many were finalised; one that cannot be (an open objection) waits.
pub async fn finalise_due(state: &AppState) -> AppResult<u64> {
    let today = day_text(today(state));
    let due = publicity::Entity::find()
        .filter(publicity::Column::Status.eq(OPEN))
        .filter(publicity::Column::EndsOn.lt(today))
        .all(&state.db)
        .await?;
    let mut done = 0;
    for row in due {
        match finalise(state, &row.id, None).await {
            Ok(_) => done += 1,
            Err(AppError::Conflict { .. } | AppError::Unprocessable { .. }) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(done)
}

/// In one transaction: each declaration still in 公示 becomes `certified` (with its certificate)
/// or `failed`; the applicant and every organisation it passed through are told.
async fn finalise(
    state: &AppState,
    publicity_id: &str,
    by: Option<(&AuthUser, Option<String>)>,
) -> AppResult<Decision> {
    let tx = db::begin_write(&state.db).await?;
    let publicity = find(&tx, publicity_id).await?;
    if publicity.status != OPEN {
        return Err(AppError::conflict("already_final", "该公示的结果已确定，不能再更改"));
    }
    let today = today(state);
    if day_text(today) <= publicity.ends_on {
        return Err(AppError::rule(
            "publicity_not_ended",
            format!("公示期至{}，期满后才能确定结果", publicity.ends_on),
        ));
    }
    let open = objection::Entity::find()
        .filter(objection::Column::PublicityId.eq(publicity_id))
        .filter(objection::Column::Status.eq(OPEN))
        .one(&tx)
        .await?;
    if open.is_some() {
        return Err(AppError::conflict("open_objections", "还有未处理的异议，处理后才能确定结果"));
    }
    let now = db::now();
    let closed = publicity::Entity::update_many()
        .col_expr(publicity::Column::Status, Expr::value(FINAL))
        .col_expr(publicity::Column::FinalisedAt, Expr::value(now))
        .filter(publicity::Column::Id.eq(publicity_id))
        .filter(publicity::Column::Status.eq(OPEN))
        .exec(&tx)
        .await?;
    if closed.rows_affected == 0 {
        return Err(AppError::conflict("already_final", "该公示的结果已确定，不能再更改"));
    }
    let committee =
        committee::Entity::find_by_id(publicity.committee_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let own = org::Entity::find_by_id(committee.org_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let rows = session_declaration::Entity::find()
        .filter(session_declaration::Column::SessionId.eq(publicity.session_id.as_str()))
        .all(&tx)
        .await?;
    let (actor_id, actor_name) = match &by {
        Some((user, _)) => (user.id.clone(), user.real_name.clone()),
        None => ("system".to_string(), "评审结果公示期满".to_string()),
    };
    let moved_on = superseded(&tx, &rows).await?;
    let mut decision = Decision { certified: Vec::new(), failed: Vec::new() };
    for row in rows {
        if moved_on.contains(&row.declaration_id) {
            // Re-reviewed after an upheld objection: a later 公示 decides it.
            continue;
        }
        let action = match row.result.as_deref() {
            Some("passed") => Action::Certify,
            Some("failed") => Action::ConfirmFailure,
            _ => continue,
        };
        let moved = declaration::Entity::update_many()
            .col_expr(declaration::Column::Status, Expr::value(action.to().as_str()))
            .col_expr(declaration::Column::Version, Expr::col(declaration::Column::Version).add(1))
            .col_expr(declaration::Column::UpdatedAt, Expr::value(now))
            .filter(declaration::Column::Id.eq(row.declaration_id.as_str()))
            .filter(declaration::Column::Status.is_in(action.from_spellings()))
            .exec(&tx)
            .await?;
        if moved.rows_affected == 0 {
            // Reopened by an upheld objection: it waits for another session.
            continue;
        }
        let declaration =
            declaration::Entity::find_by_id(row.declaration_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
        declarations::record_event(
            &tx,
            EventInput::new(&declaration.id, action.as_str(), &actor_id, &actor_name).org(&own.id, &own.name),
        )
        .await?;
        let name = messages::notes::declaration_name(&declaration);
        let (title, body) = if action == Action::Certify {
            let certificate = certificates::issue(state, &tx, &declaration, &committee, today).await?;
            decision.certified.push(declaration.id.clone());
            (
                format!("{name}：取得资格"),
                format!(
                    "{}的评审结果公示期满，{}取得{}资格，电子证书编号{}。",
                    committee.name, declaration.applicant_name, certificate.title_name, certificate.number
                ),
            )
        } else {
            decision.failed.push(declaration.id.clone());
            (
                format!("{name}：评审未通过"),
                format!("{}的评审结果公示期满，{}评审未通过。", committee.name, declaration.applicant_name),
            )
        };
        let mut recipients = vec![declaration.person_id.clone()];
        let holders = declaration_holder::Entity::find()
            .filter(declaration_holder::Column::DeclarationId.eq(declaration.id.as_str()))
            .all(&tx)
            .await?;
        let mut orgs: Vec<String> = holders.into_iter().map(|h| h.org_id).collect();
        if !orgs.contains(&declaration.org_id) {
            orgs.push(declaration.org_id.clone());
        }
        for org_id in orgs {
            recipients.extend(messages::recipients::members(&tx, &org_id).await?);
        }
        messages::post(
            &tx,
            &recipients,
            &Note::new("declaration_decided", title, body).object("declaration", &declaration.id),
        )
        .await?;
    }
    let (actor, ip) = match by {
        Some((user, ip)) => (Some(user), ip),
        None => (None, None),
    };
    let mut entry = AuditEntry::new("publicity_finalised", true)
        .object("publicity", publicity_id)
        .ip(ip)
        .detail(json!({"certified": decision.certified, "failed": decision.failed}));
    if let Some(user) = actor {
        entry = entry.actor(&user.id, &user.real_name, user.org_id.as_deref());
    }
    audit::record(&tx, entry).await?;
    tx.commit().await?;
    Ok(decision)
}

/// The periodic job that makes ended 公示 periods final.
pub const FINALISE_DUE: &str = "publicity.finalise_due";

pub async fn finalise_job(ctx: crate::jobs::JobContext) -> crate::jobs::JobResult {
    let done = finalise_due(&ctx.state).await?;
    tracing::info!(done, "ended 公示 periods finalised");
    Ok(())
}
