//! 评审会: a committee's review session — gathering the accepted declarations routed to the
//! committee, the recorded and replayable draw of experts, recusal (回避), the secret ballot and
//! the close that turns votes into results.
//!
//! The secret ballot: a vote is two rows written in one transaction — `session_ballots` (who voted
//! on which declaration, and when) and `session_votes` (the choice and opinion, with no expert, no
//! time and a random id). Nothing here reads both to link them; the API shows who has voted (the
//! progress board) and, after the close, counts — never who voted how. The audit entry of a vote
//! names the declaration, never the choice.

use std::collections::{HashMap, HashSet};

use rand::RngCore;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::auth::AuthUser;
use crate::db;
use crate::domain::committee::{self as rules, Choice, Fraction, Outcome, Tally};
use crate::domain::lifecycle::Action;
use crate::domain::{Level, Role};
use crate::entities::{
    account, committee, declaration, draw, expert, org, review_session, session_ballot, session_declaration,
    session_member, session_recusal, session_vote,
};
use crate::error::{AppError, AppResult, FieldError};
use crate::services::audit::{self, AuditEntry};
use crate::services::committees;
use crate::services::declarations::{self, EventInput};
use crate::services::messages::{self, Note};
use crate::state::AppState;

pub const OPEN: &str = "open";
pub const CLOSED: &str = "closed";
const DRAWN: &str = "drawn";
const DECLINED: &str = "declined";

pub struct NewSession {
    pub name: String,
    pub year: i32,
    pub level: Level,
    pub specialty: Option<String>,
    pub vote_until: chrono::DateTime<chrono::Utc>,
}

/// Everything the caller may know about a session.
pub struct SessionView {
    pub session: review_session::Model,
    pub committee: committee::Model,
    pub declarations: Vec<DeclarationRow>,
    pub members: Vec<MemberRow>,
    pub draws: Vec<draw::Model>,
    /// The caller administers the committee.
    pub managed: bool,
    /// The caller's own expert id when a drawn member.
    pub me: Option<String>,
}

pub struct DeclarationRow {
    pub row: session_declaration::Model,
    pub applicant_name: String,
    pub org_name: String,
    pub specialty: String,
    pub status: String,
    /// For the calling expert: voted on it / recused from it.
    pub i_voted: bool,
    pub i_recused: bool,
}

pub struct MemberRow {
    pub member: session_member::Model,
    pub expert: expert::Model,
    pub org_name: String,
}

fn fraction_of(numerator: i32, denominator: i32) -> Fraction {
    committees::fraction(numerator, denominator)
}

/// The expert rows of the caller (one per committee library they are in).
async fn own_experts(db: &impl ConnectionTrait, user: &AuthUser) -> AppResult<Vec<expert::Model>> {
    if user.role != Role::Expert {
        return Ok(Vec::new());
    }
    Ok(expert::Entity::find().filter(expert::Column::AccountId.eq(user.id.as_str())).all(db).await?)
}

/// Who the caller is to a session: its committee's admin, or a drawn (not declined) member.
enum Standing {
    Admin,
    Member(Box<expert::Model>),
}

async fn standing(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    session: &review_session::Model,
) -> AppResult<(Standing, committee::Model)> {
    let committee =
        committee::Entity::find_by_id(session.committee_id.clone()).one(db).await?.ok_or(AppError::NotFound)?;
    if user.role == Role::OrgAdmin && user.org_id.as_deref() == Some(committee.org_id.as_str()) {
        return Ok((Standing::Admin, committee));
    }
    for expert in own_experts(db, user).await? {
        if expert.committee_id != committee.id {
            continue;
        }
        let member = session_member::Entity::find_by_id((session.id.clone(), expert.id.clone())).one(db).await?;
        if member.is_some_and(|m| m.status == DRAWN) {
            return Ok((Standing::Member(Box::new(expert)), committee));
        }
    }
    Err(AppError::NotFound)
}

async fn find_session(db: &impl ConnectionTrait, id: &str) -> AppResult<review_session::Model> {
    review_session::Entity::find_by_id(id.to_string()).one(db).await?.ok_or(AppError::NotFound)
}

/// The session, for its committee's admin (strangers and experts: 404).
async fn admin_session(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    id: &str,
) -> AppResult<(review_session::Model, committee::Model)> {
    let session = find_session(db, id).await?;
    match standing(db, user, &session).await? {
        (Standing::Admin, committee) => Ok((session, committee)),
        (Standing::Member(_), _) => {
            Err(AppError::forbidden("committee_admin_only", "仅评委会组建单位的管理员可进行此操作"))
        }
    }
}

fn require_open(session: &review_session::Model) -> AppResult<()> {
    if session.status != OPEN {
        return Err(AppError::conflict("session_closed", "评审会已结束，不能再作任何更改"));
    }
    Ok(())
}

/// 新建评审会 for a year and a level of the committee's series.
pub async fn open(
    state: &AppState,
    user: &AuthUser,
    committee_id: &str,
    input: NewSession,
    ip: Option<String>,
) -> AppResult<review_session::Model> {
    let tx = db::begin_write(&state.db).await?;
    let committee = committees::managed_approved(&tx, user, committee_id).await?;
    let mut errors = Vec::new();
    if !committees::levels_of(&committee).contains(&input.level) {
        errors.push(FieldError::new("/level", "该评委会不评审此级别"));
    }
    if input.vote_until <= state.clock.now() {
        errors.push(FieldError::new("/vote_until", "投票截止时间须晚于现在"));
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let model = review_session::Model {
        id: db::new_id(),
        committee_id: committee.id.clone(),
        name: input.name,
        year: input.year,
        series_code: committee.series_code.clone(),
        level: input.level.as_str().into(),
        specialty: input.specialty,
        min_members: committees::minimum_of(&committee, input.level) as i32,
        quorum_numerator: committee.quorum_numerator,
        quorum_denominator: committee.quorum_denominator,
        pass_numerator: committee.pass_numerator,
        pass_denominator: committee.pass_denominator,
        vote_until: input.vote_until,
        status: OPEN.into(),
        created_by: user.id.clone(),
        created_at: db::now(),
        closed_by: None,
        closed_at: None,
    };
    review_session::Entity::insert(review_session::ActiveModel::from(model.clone()))
        .exec_without_returning(&tx)
        .await?;
    audit::record(
        &tx,
        AuditEntry::new("review_session_opened", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("review_session", &model.id)
            .ip(ip),
    )
    .await?;
    tx.commit().await?;
    Ok(model)
}

/// The sessions of the committees the caller administers, or those the caller (an expert) was
/// drawn for.
pub async fn list(state: &AppState, user: &AuthUser) -> AppResult<Vec<review_session::Model>> {
    user.require(&[Role::OrgAdmin, Role::Expert])?;
    let ids: Vec<String> = if user.role == Role::OrgAdmin {
        let committees: Vec<String> = committee::Entity::find()
            .filter(committee::Column::OrgId.eq(user.org()?))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        review_session::Entity::find()
            .filter(review_session::Column::CommitteeId.is_in(committees))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect()
    } else {
        let experts: Vec<String> = own_experts(&state.db, user).await?.into_iter().map(|e| e.id).collect();
        session_member::Entity::find()
            .filter(session_member::Column::ExpertId.is_in(experts))
            .filter(session_member::Column::Status.eq(DRAWN))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|m| m.session_id)
            .collect()
    };
    Ok(review_session::Entity::find()
        .filter(review_session::Column::Id.is_in(ids))
        .order_by_desc(review_session::Column::CreatedAt)
        .all(&state.db)
        .await?)
}

pub async fn get(state: &AppState, user: &AuthUser, id: &str) -> AppResult<SessionView> {
    let session = find_session(&state.db, id).await?;
    let (standing, committee) = standing(&state.db, user, &session).await?;
    load(&state.db, session, committee, standing).await
}

async fn load(
    db: &impl ConnectionTrait,
    session: review_session::Model,
    committee: committee::Model,
    standing: Standing,
) -> AppResult<SessionView> {
    let rows = session_declaration::Entity::find()
        .filter(session_declaration::Column::SessionId.eq(session.id.as_str()))
        .order_by_asc(session_declaration::Column::AddedAt)
        .order_by_asc(session_declaration::Column::DeclarationId)
        .all(db)
        .await?;
    let declarations: HashMap<String, declaration::Model> = declaration::Entity::find()
        .filter(declaration::Column::Id.is_in(rows.iter().map(|r| r.declaration_id.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect();
    let members = session_member::Entity::find()
        .filter(session_member::Column::SessionId.eq(session.id.as_str()))
        .order_by_asc(session_member::Column::DrawnAt)
        .order_by_asc(session_member::Column::ExpertId)
        .all(db)
        .await?;
    let experts: HashMap<String, expert::Model> = expert::Entity::find()
        .filter(expert::Column::Id.is_in(members.iter().map(|m| m.expert_id.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect();
    let orgs = crate::services::orgs::by_ids(
        db,
        rows.iter().map(|r| r.org_id.clone()).chain(experts.values().map(|e| e.org_id.clone())),
    )
    .await?;
    let me = match &standing {
        Standing::Member(expert) => Some(expert.id.clone()),
        Standing::Admin => None,
    };
    let (voted, recused): (HashSet<String>, HashSet<String>) = match &me {
        Some(expert_id) => (
            session_ballot::Entity::find()
                .filter(session_ballot::Column::SessionId.eq(session.id.as_str()))
                .filter(session_ballot::Column::ExpertId.eq(expert_id.as_str()))
                .all(db)
                .await?
                .into_iter()
                .map(|b| b.declaration_id)
                .collect(),
            session_recusal::Entity::find()
                .filter(session_recusal::Column::SessionId.eq(session.id.as_str()))
                .filter(session_recusal::Column::ExpertId.eq(expert_id.as_str()))
                .all(db)
                .await?
                .into_iter()
                .map(|r| r.declaration_id)
                .collect(),
        ),
        None => (HashSet::new(), HashSet::new()),
    };
    let draws = draw::Entity::find()
        .filter(draw::Column::SessionId.eq(session.id.as_str()))
        .order_by_asc(draw::Column::SealedAt)
        .all(db)
        .await?;
    Ok(SessionView {
        declarations: rows
            .into_iter()
            .map(|row| {
                let declaration = declarations.get(&row.declaration_id);
                DeclarationRow {
                    applicant_name: declaration.map(|d| d.applicant_name.clone()).unwrap_or_default(),
                    specialty: declaration.map(|d| d.specialty.clone()).unwrap_or_default(),
                    status: declaration.map(|d| d.status.clone()).unwrap_or_default(),
                    org_name: orgs.get(&row.org_id).map(|o| o.name.clone()).unwrap_or_default(),
                    i_voted: voted.contains(&row.declaration_id),
                    i_recused: recused.contains(&row.declaration_id),
                    row,
                }
            })
            .collect(),
        members: members
            .into_iter()
            .filter_map(|member| {
                let expert = experts.get(&member.expert_id)?.clone();
                Some(MemberRow {
                    org_name: orgs.get(&expert.org_id).map(|o| o.name.clone()).unwrap_or_default(),
                    expert,
                    member,
                })
            })
            .collect(),
        draws,
        managed: matches!(standing, Standing::Admin),
        me,
        session,
        committee,
    })
}

/// 提交评审: moves every accepted declaration of the session's year, series and level (and
/// specialty, when set) that a bureau routed to this committee into the session. Only before the
/// first draw: the draw's exclusions depend on the applicants.
pub async fn gather(state: &AppState, user: &AuthUser, id: &str, ip: Option<String>) -> AppResult<u64> {
    let tx = db::begin_write(&state.db).await?;
    let (session, committee) = admin_session(&tx, user, id).await?;
    require_open(&session)?;
    let drawn = draw::Entity::find().filter(draw::Column::SessionId.eq(id)).one(&tx).await?;
    if drawn.is_some() {
        return Err(AppError::conflict("draw_started", "已开始抽取专家，不能再加入申报"));
    }
    let bureaus = committees::routed_bureaus(&tx, &committee.id, &session.series_code, &session.level).await?;
    let mut query = declaration::Entity::find()
        .filter(declaration::Column::Year.eq(session.year))
        .filter(declaration::Column::SeriesCode.eq(session.series_code.as_str()))
        .filter(declaration::Column::Level.eq(session.level.as_str()))
        .filter(declaration::Column::Status.is_in(Action::Assign.from_spellings()))
        .filter(declaration::Column::HolderOrgId.is_in(bureaus));
    if let Some(specialty) = &session.specialty {
        query = query.filter(declaration::Column::Specialty.eq(specialty.as_str()));
    }
    let found = query.order_by_asc(declaration::Column::Id).all(&tx).await?;
    let now = db::now();
    let own = org::Entity::find_by_id(committee.org_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let mut added = 0;
    for declaration in found {
        let moved = declaration::Entity::update_many()
            .col_expr(declaration::Column::Status, Expr::value(Action::Assign.to().as_str()))
            .col_expr(declaration::Column::Version, Expr::col(declaration::Column::Version).add(1))
            .col_expr(declaration::Column::UpdatedAt, Expr::value(now))
            .filter(declaration::Column::Id.eq(declaration.id.as_str()))
            .filter(declaration::Column::Status.is_in(Action::Assign.from_spellings()))
            .exec(&tx)
            .await?;
        if moved.rows_affected == 0 {
            continue;
        }
        session_declaration::Entity::insert(session_declaration::ActiveModel::from(session_declaration::Model {
            session_id: session.id.clone(),
            declaration_id: declaration.id.clone(),
            org_id: declaration.org_id.clone(),
            result: None,
            eligible: None,
            present: None,
            agree: None,
            disagree: None,
            abstain: None,
            added_at: now,
        }))
        .exec_without_returning(&tx)
        .await?;
        declarations::record_event(
            &tx,
            EventInput::new(&declaration.id, Action::Assign.as_str(), &user.id, &user.real_name)
                .org(&own.id, &own.name)
                .detail(json!({"committee": committee.name, "session": session.name})),
        )
        .await?;
        added += 1;
    }
    audit::record(
        &tx,
        AuditEntry::new("review_session_gathered", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("review_session", id)
            .ip(ip)
            .detail(json!({"added": added})),
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

// ---------------------------------------------------------------------------------------------
// The draw

/// 封存: records a draw's seed and size before anything is drawn. Without `replaces` it is the
/// session's draw of `count` members (odd, at least the minimum); with it, a replacement of one
/// declined member.
pub async fn seal_draw(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    count: Option<u32>,
    replaces: Option<String>,
    ip: Option<String>,
) -> AppResult<draw::Model> {
    let tx = db::begin_write(&state.db).await?;
    let (session, _) = admin_session(&tx, user, id).await?;
    require_open(&session)?;
    let draws = draw::Entity::find().filter(draw::Column::SessionId.eq(id)).all(&tx).await?;
    if draws.iter().any(|d| d.status == "sealed") {
        return Err(AppError::conflict("draw_sealed", "已有封存待抽取的记录，请先执行抽取"));
    }
    let initial_done = draws.iter().any(|d| d.kind == "initial" && d.status == "done");
    let (kind, count) = match &replaces {
        None => {
            if initial_done {
                return Err(AppError::conflict("already_drawn", "本评审会已抽取专家；有专家不能参加时请补抽"));
            }
            let level = Level::parse(&session.level).unwrap_or(Level::Intermediate);
            let Some(count) = count else {
                return Err(AppError::field("/count", "请填写抽取人数"));
            };
            if count < session.min_members as u32 {
                return Err(AppError::field(
                    "/count",
                    format!("{}评审会至少抽取{}名专家", level.label(), session.min_members),
                ));
            }
            if count.is_multiple_of(2) {
                return Err(AppError::field("/count", "评审会专家人数须为单数"));
            }
            if count > 999 {
                return Err(AppError::field("/count", "抽取人数过多"));
            }
            let declarations = session_declaration::Entity::find()
                .filter(session_declaration::Column::SessionId.eq(id))
                .one(&tx)
                .await?;
            if declarations.is_none() {
                return Err(AppError::rule("no_declarations", "评审会还没有申报，请先提交评审"));
            }
            ("initial", count)
        }
        Some(expert_id) => {
            if !initial_done {
                return Err(AppError::rule("not_drawn", "请先抽取评审会专家"));
            }
            if count.is_some_and(|c| c != 1) {
                return Err(AppError::field("/count", "补抽一次替换一名专家"));
            }
            let member = session_member::Entity::find_by_id((id.to_string(), expert_id.clone()))
                .one(&tx)
                .await?
                .ok_or_else(|| AppError::field("/replaces_expert_id", "该专家不是本评审会的抽取专家"))?;
            if member.status != DECLINED {
                return Err(AppError::field("/replaces_expert_id", "只能为不能参加的专家补抽"));
            }
            if draws.iter().any(|d| d.replaces_expert_id.as_deref() == Some(expert_id.as_str()) && d.status == "done") {
                return Err(AppError::conflict("already_replaced", "已为该专家补抽"));
            }
            ("replacement", 1)
        }
    };
    // The candidates are fixed with the seal, before the seed is known to anyone: whoever reads
    // the seed cannot then change the library to steer the output (the run uses this list).
    let (fixed, _) = candidates(&tx, &session).await?;
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    let model = draw::Model {
        id: db::new_id(),
        session_id: id.to_string(),
        kind: kind.into(),
        count: count as i32,
        replaces_expert_id: replaces,
        seed: hex::encode(seed),
        algorithm: rules::DRAW_ALGORITHM.into(),
        candidates: Some(json!(fixed)),
        output: None,
        status: "sealed".into(),
        created_by: user.id.clone(),
        sealed_at: db::now(),
        run_at: None,
    };
    draw::Entity::insert(draw::ActiveModel::from(model.clone())).exec_without_returning(&tx).await?;
    audit::record(
        &tx,
        AuditEntry::new("draw_sealed", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("draw", &model.id)
            .ip(ip)
            .detail(
                json!({"session_id": id, "kind": kind, "count": count, "seed": model.seed, "candidates": fixed.len()}),
            ),
    )
    .await?;
    tx.commit().await?;
    Ok(model)
}

/// Why experts of the library are not candidates, counted.
#[derive(Debug, Default, Clone, Copy)]
pub struct Exclusions {
    pub in_library: u32,
    pub other_series_or_specialty: u32,
    pub level_below: u32,
    pub applicant_org: u32,
    pub already_members: u32,
}

/// The sorted candidates of a draw: active experts of the committee's library of the session's
/// series (and specialty, when set), at or above its level, from no applicant's organisation,
/// not yet drawn for it.
pub async fn candidates(
    db: &impl ConnectionTrait,
    session: &review_session::Model,
) -> Result<(Vec<String>, Exclusions), sea_orm::DbErr> {
    let library = expert::Entity::find()
        .filter(expert::Column::CommitteeId.eq(session.committee_id.as_str()))
        .filter(expert::Column::Status.eq("active"))
        .all(db)
        .await?;
    let applicant_orgs: HashSet<String> = session_declaration::Entity::find()
        .filter(session_declaration::Column::SessionId.eq(session.id.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.org_id)
        .collect();
    let members: HashSet<String> = session_member::Entity::find()
        .filter(session_member::Column::SessionId.eq(session.id.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.expert_id)
        .collect();
    let level = Level::parse(&session.level).unwrap_or(Level::Intermediate);
    let pool: Vec<Pooled> = library
        .iter()
        .map(|e| Pooled {
            id: e.id.clone(),
            org_id: e.org_id.clone(),
            series: e.series_code.clone(),
            specialty: e.specialty.clone(),
            level: Level::parse(&e.level).unwrap_or(Level::Staff),
        })
        .collect();
    Ok(select(&pool, &session.series_code, session.specialty.as_deref(), level, &applicant_orgs, &members))
}

/// An expert as the draw sees one.
#[derive(Debug, Clone)]
pub struct Pooled {
    pub id: String,
    pub org_id: String,
    pub series: String,
    pub specialty: String,
    pub level: Level,
}

/// The pure candidate rule (property-tested).
pub fn select(
    pool: &[Pooled],
    series: &str,
    specialty: Option<&str>,
    level: Level,
    applicant_orgs: &HashSet<String>,
    members: &HashSet<String>,
) -> (Vec<String>, Exclusions) {
    let mut why = Exclusions { in_library: pool.len() as u32, ..Default::default() };
    let mut chosen: Vec<String> = Vec::new();
    for expert in pool {
        if expert.series != series || specialty.is_some_and(|s| s != expert.specialty) {
            why.other_series_or_specialty += 1;
        } else if rules::rank(expert.level) < rules::rank(level) {
            why.level_below += 1;
        } else if applicant_orgs.contains(&expert.org_id) {
            why.applicant_org += 1;
        } else if members.contains(&expert.id) {
            why.already_members += 1;
        } else {
            chosen.push(expert.id.clone());
        }
    }
    chosen.sort();
    (chosen, why)
}

/// 抽取: runs a sealed draw over the candidates fixed when it was sealed. Too few candidates: the
/// draw is recorded as refused and the answer says what is missing; a new draw must be sealed,
/// with a new seed (and the candidates of that moment).
pub async fn run_draw(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    draw_id: &str,
    ip: Option<String>,
) -> AppResult<draw::Model> {
    let tx = db::begin_write(&state.db).await?;
    let (session, committee) = admin_session(&tx, user, id).await?;
    require_open(&session)?;
    let sealed = draw::Entity::find_by_id(draw_id.to_string())
        .one(&tx)
        .await?
        .filter(|d| d.session_id == id)
        .ok_or(AppError::NotFound)?;
    if sealed.status != "sealed" {
        return Err(AppError::conflict("draw_done", "该抽取记录已执行"));
    }
    let candidates: Vec<String> =
        sealed.candidates.clone().and_then(|fixed| serde_json::from_value(fixed).ok()).unwrap_or_default();
    let count = usize::try_from(sealed.count).unwrap_or(0);
    let short = candidates.len() < count;
    let output = if short { Vec::new() } else { rules::draw(&sealed.seed, &candidates, count) };
    let now = db::now();
    let status = if short { "refused" } else { "done" };
    let updated = draw::Entity::update_many()
        .col_expr(draw::Column::Status, Expr::value(status))
        .col_expr(draw::Column::Candidates, Expr::value(json!(candidates)))
        .col_expr(draw::Column::Output, Expr::value(json!(output)))
        .col_expr(draw::Column::RunAt, Expr::value(now))
        .filter(draw::Column::Id.eq(draw_id))
        .filter(draw::Column::Status.eq("sealed"))
        .exec(&tx)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::conflict("draw_done", "该抽取记录已执行"));
    }
    audit::record(
        &tx,
        AuditEntry::new("draw_run", !short)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("draw", draw_id)
            .ip(ip)
            .detail(json!({"session_id": id, "candidates": candidates.len(), "count": count, "output": output})),
    )
    .await?;
    if short {
        // Why the rest of the library is out, as it stands now (for the answer only).
        let (_, why) = self::candidates(&tx, &session).await?;
        tx.commit().await?;
        return Err(shortage(&session, count, candidates.len(), why));
    }
    // A replaced member stays on record as declined; the replacement is a member like any.
    let rows = output.iter().map(|expert_id| {
        session_member::ActiveModel::from(session_member::Model {
            session_id: id.to_string(),
            expert_id: expert_id.clone(),
            draw_id: draw_id.to_string(),
            status: DRAWN.into(),
            decline_reason: None,
            drawn_at: now,
        })
    });
    session_member::Entity::insert_many(rows).exec_without_returning(&tx).await?;
    let accounts: Vec<String> = expert::Entity::find()
        .filter(expert::Column::Id.is_in(output.clone()))
        .all(&tx)
        .await?
        .into_iter()
        .map(|e| e.account_id)
        .collect();
    let note = Note::new(
        "expert_drawn",
        "评审会专家抽取通知",
        format!(
            "您已被抽取为{}“{}”的评审专家，请在{}（北京时间）前登录完成信息评审。",
            committee.name,
            session.name,
            crate::domain::plan::beijing_text(session.vote_until)
        ),
    )
    .link(format!("/review-sessions/{id}"))
    .object("review_session", id);
    messages::post(&tx, &accounts, &note).await?;
    let done = draw::Entity::find_by_id(draw_id.to_string()).one(&tx).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(done)
}

/// The refusal of a draw with too few candidates: how many, how many more are needed, and why
/// the others of the library are not candidates.
fn shortage(session: &review_session::Model, count: usize, found: usize, why: Exclusions) -> AppError {
    let level = Level::parse(&session.level).unwrap_or(Level::Intermediate);
    let detail = format!(
        "符合条件的专家仅{found}人，需抽取{count}人，还差{}人。专家库在库{}人，其中系列或专业不符{}人，职称级别低于{}{}人，与申报人同单位须回避{}人，已抽取{}人",
        count - found,
        why.in_library,
        why.other_series_or_specialty,
        level.label(),
        why.level_below,
        why.applicant_org,
        why.already_members,
    );
    AppError::Unprocessable {
        code: "not_enough_experts",
        detail: detail.clone(),
        errors: vec![FieldError::new("/count", format!("还差{}名符合条件的专家", count - found))],
    }
}

/// 复核: recomputes a draw from its record and compares with what was stored.
pub struct Replay {
    pub draw: draw::Model,
    pub candidates: Vec<String>,
    pub recorded: Vec<String>,
    pub recomputed: Vec<String>,
    pub matches: bool,
}

pub fn replay_record(record: &draw::Model) -> Replay {
    let list = |value: &Option<serde_json::Value>| -> Vec<String> {
        value
            .as_ref()
            .and_then(|v| v.as_array())
            .map(|items| items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let candidates = list(&record.candidates);
    let recorded = list(&record.output);
    let recomputed = if record.status == "done" {
        rules::draw(&record.seed, &candidates, usize::try_from(record.count).unwrap_or(0))
    } else {
        Vec::new()
    };
    Replay { matches: recorded == recomputed, draw: record.clone(), candidates, recorded, recomputed }
}

pub async fn replay(state: &AppState, user: &AuthUser, id: &str, draw_id: &str) -> AppResult<Replay> {
    let (_session, _) = admin_session(&state.db, user, id).await?;
    let record = draw::Entity::find_by_id(draw_id.to_string())
        .one(&state.db)
        .await?
        .filter(|d| d.session_id == id)
        .ok_or(AppError::NotFound)?;
    Ok(replay_record(&record))
}

/// 不能参加: a drawn expert declines (told by the expert, recorded by the committee's admin, or
/// the expert's own), before voting on anything; a replacement draw fills the seat.
pub async fn decline(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    expert_id: &str,
    reason: String,
    ip: Option<String>,
) -> AppResult<()> {
    let tx = db::begin_write(&state.db).await?;
    let session = find_session(&tx, id).await?;
    match standing(&tx, user, &session).await? {
        (Standing::Admin, _) => {}
        (Standing::Member(me), _) if me.id == expert_id => {}
        (Standing::Member(_), _) => return Err(AppError::NotFound),
    }
    require_open(&session)?;
    let voted = session_ballot::Entity::find()
        .filter(session_ballot::Column::SessionId.eq(id))
        .filter(session_ballot::Column::ExpertId.eq(expert_id))
        .one(&tx)
        .await?;
    if voted.is_some() {
        return Err(AppError::conflict("already_voted", "该专家已投票，不能再改为不能参加"));
    }
    let updated = session_member::Entity::update_many()
        .col_expr(session_member::Column::Status, Expr::value(DECLINED))
        .col_expr(session_member::Column::DeclineReason, Expr::value(reason.clone()))
        .filter(session_member::Column::SessionId.eq(id))
        .filter(session_member::Column::ExpertId.eq(expert_id))
        .filter(session_member::Column::Status.eq(DRAWN))
        .exec(&tx)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &tx,
        AuditEntry::new("expert_declined", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("review_session", id)
            .ip(ip)
            .detail(json!({"expert_id": expert_id, "reason": reason})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 信息评审: reading, recusal and the vote

/// The drawn member acting on one declaration of an open session, before its voting closes.
async fn acting_member(
    state: &AppState,
    tx: &DatabaseTransaction,
    user: &AuthUser,
    id: &str,
    declaration_id: &str,
) -> AppResult<(review_session::Model, expert::Model)> {
    let session = find_session(tx, id).await?;
    let expert = match standing(tx, user, &session).await? {
        (Standing::Member(expert), _) => *expert,
        (Standing::Admin, _) => return Err(AppError::forbidden("experts_only", "仅抽取的评审专家可进行信息评审")),
    };
    require_second_factor(tx, user).await?;
    session_declaration::Entity::find_by_id((id.to_string(), declaration_id.to_string()))
        .one(tx)
        .await?
        .ok_or(AppError::NotFound)?;
    require_open(&session)?;
    if state.clock.now() >= session.vote_until {
        return Err(AppError::rule("voting_closed", "评审投票已截止，不能再投票或申请回避"));
    }
    if expert.status != "active" {
        return Err(AppError::NotFound);
    }
    Ok((session, expert))
}

/// Experts review only with a second factor (动态口令) on their account.
async fn require_second_factor(db: &impl ConnectionTrait, user: &AuthUser) -> AppResult<()> {
    let account = account::Entity::find_by_id(user.id.clone()).one(db).await?.ok_or(AppError::NotFound)?;
    if account.totp_enabled_at.is_none() {
        return Err(AppError::forbidden(
            "second_factor_required",
            "评审专家须先在账号设置中开启动态口令（双因素认证），再进行信息评审",
        ));
    }
    Ok(())
}

/// The declaration as a drawn expert reads it: read-only, with its history and every opinion.
pub async fn read_declaration(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    declaration_id: &str,
) -> AppResult<(declarations::DeclarationView, Vec<crate::entities::declaration_event::Model>)> {
    let session = find_session(&state.db, id).await?;
    standing(&state.db, user, &session).await?;
    session_declaration::Entity::find_by_id((id.to_string(), declaration_id.to_string()))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.role == Role::Expert {
        require_second_factor(&state.db, user).await?;
    }
    let declaration =
        declaration::Entity::find_by_id(declaration_id.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let events = declarations::history(&state.db, declaration_id).await?;
    let view = declarations::load_view(state, &state.db, declaration).await?;
    Ok((view, events))
}

/// 回避: the expert declares a conflict with one applicant and takes no part in its vote.
pub async fn recuse(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    declaration_id: &str,
    reason: String,
    ip: Option<String>,
) -> AppResult<()> {
    let tx = db::begin_write(&state.db).await?;
    let (_, expert) = acting_member(state, &tx, user, id, declaration_id).await?;
    if ballot_of(&tx, id, declaration_id, &expert.id).await? {
        return Err(AppError::conflict("already_voted", "您已对该申报投票，不能再申请回避"));
    }
    if recused(&tx, id, declaration_id, &expert.id).await? {
        return Err(AppError::conflict("already_recused", "您已申请回避该申报"));
    }
    session_recusal::Entity::insert(session_recusal::ActiveModel::from(session_recusal::Model {
        session_id: id.to_string(),
        declaration_id: declaration_id.to_string(),
        expert_id: expert.id.clone(),
        reason,
        at: db::now(),
    }))
    .exec_without_returning(&tx)
    .await?;
    audit::record(
        &tx,
        AuditEntry::new("expert_recused", true)
            .actor(&user.id, &user.real_name, None)
            .object("review_session", id)
            .ip(ip)
            .detail(json!({"declaration_id": declaration_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn ballot_of(db: &impl ConnectionTrait, id: &str, declaration_id: &str, expert_id: &str) -> AppResult<bool> {
    Ok(session_ballot::Entity::find_by_id((id.to_string(), declaration_id.to_string(), expert_id.to_string()))
        .one(db)
        .await?
        .is_some())
}

async fn recused(db: &impl ConnectionTrait, id: &str, declaration_id: &str, expert_id: &str) -> AppResult<bool> {
    Ok(session_recusal::Entity::find_by_id((id.to_string(), declaration_id.to_string(), expert_id.to_string()))
        .one(db)
        .await?
        .is_some())
}

/// 投票: once per expert and declaration, before the close; 同意, 不同意 or 弃权 with an opinion.
pub async fn vote(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    declaration_id: &str,
    choice: Choice,
    opinion: Option<String>,
    ip: Option<String>,
) -> AppResult<()> {
    let tx = db::begin_write(&state.db).await?;
    let (_, expert) = acting_member(state, &tx, user, id, declaration_id).await?;
    if recused(&tx, id, declaration_id, &expert.id).await? {
        return Err(AppError::forbidden("recused", "您已申请回避该申报，不能投票"));
    }
    if ballot_of(&tx, id, declaration_id, &expert.id).await? {
        return Err(AppError::conflict("already_voted", "您已对该申报投票，每人只能投一次"));
    }
    // Two rows that nothing joins: who voted (with the time) and the vote (with neither).
    session_ballot::Entity::insert(session_ballot::ActiveModel::from(session_ballot::Model {
        session_id: id.to_string(),
        declaration_id: declaration_id.to_string(),
        expert_id: expert.id.clone(),
        at: db::now(),
    }))
    .exec_without_returning(&tx)
    .await
    .map_err(|error| match error.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            AppError::conflict("already_voted", "您已对该申报投票，每人只能投一次")
        }
        _ => error.into(),
    })?;
    session_vote::Entity::insert(session_vote::ActiveModel::from(session_vote::Model {
        id: uuid::Uuid::new_v4().to_string(),
        session_id: id.to_string(),
        declaration_id: declaration_id.to_string(),
        choice: choice.as_str().into(),
        opinion,
    }))
    .exec_without_returning(&tx)
    .await?;
    audit::record(
        &tx,
        AuditEntry::new("ballot_cast", true)
            .actor(&user.id, &user.real_name, None)
            .object("review_session", id)
            .ip(ip)
            .detail(json!({"declaration_id": declaration_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The progress board: per declaration, which drawn experts have voted or recused — never how.
pub struct Progress {
    pub session: review_session::Model,
    pub members: Vec<MemberRow>,
    /// (declaration id, applicant name, voted expert ids, recused expert ids)
    pub declarations: Vec<(String, String, Vec<String>, Vec<String>)>,
}

pub async fn progress(state: &AppState, user: &AuthUser, id: &str) -> AppResult<Progress> {
    let (session, committee) = admin_session(&state.db, user, id).await?;
    let view = load(&state.db, session.clone(), committee, Standing::Admin).await?;
    let ballots =
        session_ballot::Entity::find().filter(session_ballot::Column::SessionId.eq(id)).all(&state.db).await?;
    let recusals =
        session_recusal::Entity::find().filter(session_recusal::Column::SessionId.eq(id)).all(&state.db).await?;
    let declarations = view
        .declarations
        .iter()
        .map(|row| {
            let of = |expert_ids: Vec<String>| {
                let mut ids = expert_ids;
                ids.sort();
                ids
            };
            (
                row.row.declaration_id.clone(),
                row.applicant_name.clone(),
                of(ballots
                    .iter()
                    .filter(|b| b.declaration_id == row.row.declaration_id)
                    .map(|b| b.expert_id.clone())
                    .collect()),
                of(recusals
                    .iter()
                    .filter(|r| r.declaration_id == row.row.declaration_id)
                    .map(|r| r.expert_id.clone())
                    .collect()),
            )
        })
        .collect();
    Ok(Progress { session, members: view.members, declarations })
}

/// 结束评审会: in one transaction, each declaration's result by the session's rule; afterwards
/// nothing about the session changes.
pub async fn close(state: &AppState, user: &AuthUser, id: &str, ip: Option<String>) -> AppResult<SessionView> {
    let tx = db::begin_write(&state.db).await?;
    let (session, committee) = admin_session(&tx, user, id).await?;
    require_open(&session)?;
    let members: HashSet<String> = session_member::Entity::find()
        .filter(session_member::Column::SessionId.eq(id))
        .filter(session_member::Column::Status.eq(DRAWN))
        .all(&tx)
        .await?
        .into_iter()
        .map(|m| m.expert_id)
        .collect();
    if members.is_empty() {
        return Err(AppError::rule("not_drawn", "评审会尚未抽取专家，不能结束"));
    }
    let now = db::now();
    let closed = review_session::Entity::update_many()
        .col_expr(review_session::Column::Status, Expr::value(CLOSED))
        .col_expr(review_session::Column::ClosedBy, Expr::value(user.id.clone()))
        .col_expr(review_session::Column::ClosedAt, Expr::value(now))
        .filter(review_session::Column::Id.eq(id))
        .filter(review_session::Column::Status.eq(OPEN))
        .exec(&tx)
        .await?;
    if closed.rows_affected == 0 {
        return Err(AppError::conflict("session_closed", "评审会已结束"));
    }
    let quorum = fraction_of(session.quorum_numerator, session.quorum_denominator);
    let pass = fraction_of(session.pass_numerator, session.pass_denominator);
    let rows =
        session_declaration::Entity::find().filter(session_declaration::Column::SessionId.eq(id)).all(&tx).await?;
    let ballots = session_ballot::Entity::find().filter(session_ballot::Column::SessionId.eq(id)).all(&tx).await?;
    let recusals = session_recusal::Entity::find().filter(session_recusal::Column::SessionId.eq(id)).all(&tx).await?;
    let votes = session_vote::Entity::find().filter(session_vote::Column::SessionId.eq(id)).all(&tx).await?;
    let own = org::Entity::find_by_id(committee.org_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let mut results = Vec::new();
    for row in rows {
        let d = row.declaration_id.as_str();
        let recused =
            recusals.iter().filter(|r| r.declaration_id == d && members.contains(&r.expert_id)).count() as u32;
        let present = ballots.iter().filter(|b| b.declaration_id == d && members.contains(&b.expert_id)).count() as u32;
        let count = |choice: Choice| {
            votes.iter().filter(|v| v.declaration_id == d && v.choice == choice.as_str()).count() as u32
        };
        let (agree, disagree, abstain) = (count(Choice::Agree), count(Choice::Disagree), count(Choice::Abstain));
        let eligible = (members.len() as u32).saturating_sub(recused);
        let outcome = rules::outcome(Tally { eligible, present, agree }, quorum, pass);
        let action = match outcome {
            Outcome::Passed => Action::Pass,
            Outcome::Failed => Action::Fail,
            Outcome::Void => Action::Void,
        };
        session_declaration::Entity::update_many()
            .col_expr(session_declaration::Column::Result, Expr::value(outcome.as_str()))
            .col_expr(session_declaration::Column::Eligible, Expr::value(eligible as i32))
            .col_expr(session_declaration::Column::Present, Expr::value(present as i32))
            .col_expr(session_declaration::Column::Agree, Expr::value(agree as i32))
            .col_expr(session_declaration::Column::Disagree, Expr::value(disagree as i32))
            .col_expr(session_declaration::Column::Abstain, Expr::value(abstain as i32))
            .filter(session_declaration::Column::SessionId.eq(id))
            .filter(session_declaration::Column::DeclarationId.eq(d))
            .exec(&tx)
            .await?;
        let moved = declaration::Entity::update_many()
            .col_expr(declaration::Column::Status, Expr::value(action.to().as_str()))
            .col_expr(declaration::Column::Version, Expr::col(declaration::Column::Version).add(1))
            .col_expr(declaration::Column::UpdatedAt, Expr::value(now))
            .filter(declaration::Column::Id.eq(d))
            .filter(declaration::Column::Status.is_in(action.from_spellings()))
            .exec(&tx)
            .await?;
        if moved.rows_affected == 0 {
            return Err(AppError::conflict("declaration_moved", "有申报的状态已变化，评审会未结束，请刷新后再试"));
        }
        declarations::record_event(
            &tx,
            EventInput::new(d, action.as_str(), &user.id, &committee.name).org(&own.id, &own.name),
        )
        .await?;
        results.push(json!({"declaration_id": d, "result": outcome.as_str()}));
    }
    audit::record(
        &tx,
        AuditEntry::new("review_session_closed", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("review_session", id)
            .ip(ip)
            .detail(json!({"results": results})),
    )
    .await?;
    let session = find_session(&tx, id).await?;
    let view = load(&tx, session, committee, Standing::Admin).await?;
    tx.commit().await?;
    Ok(view)
}
