//! 评审会: sessions, the recorded draw (评委抽取), 信息评审 with recusal and the secret ballot, the
//! progress board and the close (评审结果查看).

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::checked;
use crate::domain::committee::{Choice, Fraction};
use crate::domain::{DeclarationStatus, Level};
use crate::entities::{draw, review_session};
use crate::error::{AppError, AppResult, Problem};
use crate::routes::Check;
use crate::routes::declarations::{DeclarationDto, EventDto};
use crate::routes::json::Json;
use crate::services::committees;
use crate::services::review_sessions::{self, NewSession, Replay, SessionView};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(open_session)
        .service(list_sessions)
        .service(get_session)
        .service(gather)
        .service(seal_draw)
        .service(run_draw)
        .service(replay_draw)
        .service(decline)
        .service(read_declaration)
        .service(recuse)
        .service(vote)
        .service(progress)
        .service(close);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenSessionRequest {
    pub name: String,
    pub year: i32,
    pub level: Level,
    /// Only declarations and experts of this specialty (专业); all when absent.
    pub specialty: Option<String>,
    /// Votes are taken until this instant (exclusive).
    pub vote_until: chrono::DateTime<chrono::FixedOffset>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionSummaryDto {
    pub id: String,
    pub committee_id: String,
    pub name: String,
    pub year: i32,
    pub series: String,
    pub level: Level,
    pub level_label: String,
    pub specialty: Option<String>,
    /// The fewest experts a draw may take (odd).
    pub min_members: i32,
    pub quorum: Fraction,
    pub pass: Fraction,
    pub vote_until: chrono::DateTime<chrono::Utc>,
    /// `open` or `closed`.
    pub status: String,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<review_session::Model> for SessionSummaryDto {
    fn from(s: review_session::Model) -> Self {
        let level = Level::parse(&s.level).unwrap_or(Level::Intermediate);
        Self {
            quorum: committees::fraction(s.quorum_numerator, s.quorum_denominator),
            pass: committees::fraction(s.pass_numerator, s.pass_denominator),
            id: s.id,
            committee_id: s.committee_id,
            name: s.name,
            year: s.year,
            series: s.series_code,
            level,
            level_label: level.label().into(),
            specialty: s.specialty,
            min_members: s.min_members,
            vote_until: s.vote_until,
            status: s.status,
            closed_at: s.closed_at,
        }
    }
}

/// Counts of a closed session for one declaration: never who voted how.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultDto {
    /// `passed` (评审通过), `failed` (评审未通过) or `void` (评审无效).
    pub result: String,
    pub result_label: String,
    /// Drawn experts less those who recused.
    pub eligible: i32,
    /// Those who voted (attendance).
    pub present: i32,
    pub agree: i32,
    pub disagree: i32,
    pub abstain: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDeclarationDto {
    pub declaration_id: String,
    pub applicant_name: String,
    pub org_id: String,
    pub org_name: String,
    pub specialty: String,
    pub status: DeclarationStatus,
    pub status_label: String,
    /// For the calling expert: voted on it (not how) / recused.
    pub voted: bool,
    pub recused: bool,
    /// After the close only.
    pub result: Option<ResultDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    pub expert_id: String,
    pub real_name: String,
    pub org_name: String,
    pub level: Level,
    pub specialty: String,
    /// `drawn` or `declined` (不能参加).
    pub status: String,
    pub decline_reason: Option<String>,
    pub draw_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DrawDto {
    pub id: String,
    /// `initial` or `replacement`.
    pub kind: String,
    pub count: i32,
    pub replaces_expert_id: Option<String>,
    /// Recorded when the draw was sealed, before anything was drawn.
    pub seed: String,
    pub algorithm: String,
    /// The sorted candidate expert ids the draw ran over.
    pub candidates: Option<Vec<String>>,
    /// The drawn expert ids, in the order drawn.
    pub output: Option<Vec<String>>,
    /// `sealed`, `done` or `refused` (too few candidates).
    pub status: String,
    pub sealed_at: chrono::DateTime<chrono::Utc>,
    pub run_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn ids(value: &Option<serde_json::Value>) -> Option<Vec<String>> {
    value.as_ref().and_then(|v| v.as_array()).map(|a| a.iter().filter_map(|i| i.as_str().map(str::to_string)).collect())
}

impl From<draw::Model> for DrawDto {
    fn from(d: draw::Model) -> Self {
        Self {
            candidates: ids(&d.candidates),
            output: ids(&d.output),
            id: d.id,
            kind: d.kind,
            count: d.count,
            replaces_expert_id: d.replaces_expert_id,
            seed: d.seed,
            algorithm: d.algorithm,
            status: d.status,
            sealed_at: d.sealed_at,
            run_at: d.run_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDto {
    #[serde(flatten)]
    pub session: SessionSummaryDto,
    pub committee_name: String,
    /// The caller is the committee's admin.
    pub managed: bool,
    /// The caller's expert id, when a drawn member.
    pub my_expert_id: Option<String>,
    pub declarations: Vec<SessionDeclarationDto>,
    /// The drawn experts (the committee's admin sees every draw; a member sees the panel).
    pub members: Vec<MemberDto>,
    /// The draw records (committee's admin only).
    pub draws: Vec<DrawDto>,
}

impl From<SessionView> for SessionDto {
    fn from(view: SessionView) -> Self {
        let closed = view.session.status == review_sessions::CLOSED;
        let declarations = view
            .declarations
            .into_iter()
            .map(|d| {
                let status = DeclarationStatus::parse(&d.status).unwrap_or(DeclarationStatus::InReview);
                let result = match (&d.row.result, closed) {
                    (Some(result), true) => Some(ResultDto {
                        result_label: match result.as_str() {
                            "passed" => "评审通过",
                            "failed" => "评审未通过",
                            _ => "评审无效",
                        }
                        .into(),
                        result: result.clone(),
                        eligible: d.row.eligible.unwrap_or_default(),
                        present: d.row.present.unwrap_or_default(),
                        agree: d.row.agree.unwrap_or_default(),
                        disagree: d.row.disagree.unwrap_or_default(),
                        abstain: d.row.abstain.unwrap_or_default(),
                    }),
                    _ => None,
                };
                SessionDeclarationDto {
                    declaration_id: d.row.declaration_id,
                    applicant_name: d.applicant_name,
                    org_id: d.row.org_id,
                    org_name: d.org_name,
                    specialty: d.specialty,
                    status,
                    status_label: status.label().into(),
                    voted: d.i_voted,
                    recused: d.i_recused,
                    result,
                }
            })
            .collect();
        let managed = view.managed;
        let members = view
            .members
            .into_iter()
            .filter(|m| managed || m.member.status == "drawn")
            .map(|m| MemberDto {
                level: Level::parse(&m.expert.level).unwrap_or(Level::Intermediate),
                expert_id: m.expert.id,
                real_name: m.expert.real_name,
                org_name: m.org_name,
                specialty: m.expert.specialty,
                status: m.member.status,
                decline_reason: if managed { m.member.decline_reason } else { None },
                draw_id: m.member.draw_id,
            })
            .collect();
        Self {
            committee_name: view.committee.name,
            managed,
            my_expert_id: view.me,
            declarations,
            members,
            draws: if managed { view.draws.into_iter().map(DrawDto::from).collect() } else { Vec::new() },
            session: view.session.into(),
        }
    }
}

/// 新建评审会: the committee's admin opens a session for a year and one of its levels.
#[utoipa::path(
    tag = "review-sessions",
    security(("bearer" = [])),
    responses(
        (status = 201, body = SessionSummaryDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, description = "A level the committee lacks, a past deadline, a committee not approved", body = Problem),
    )
)]
#[post("/committees/{id}/sessions")]
pub async fn open_session(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: Json<OpenSessionRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut check = Check::default();
    let name = check.text("/name", &body.name, "评审会名称", 2, 100);
    let specialty = match &body.specialty {
        Some(s) if !s.trim().is_empty() => check.text("/specialty", s, "专业", 1, 100).map(Some),
        _ => Some(None),
    };
    if !(2000..=2100).contains(&body.year) {
        check.fail("/year", "年度须在2000到2100之间");
    }
    check.finish()?;
    checked!(name, specialty);
    let input = NewSession {
        name,
        year: body.year,
        level: body.level,
        specialty,
        vote_until: body.vote_until.with_timezone(&chrono::Utc),
    };
    let session = review_sessions::open(&state, &user, &id, input, ip.0).await?;
    Ok(HttpResponse::Created().json(SessionSummaryDto::from(session)))
}

/// The sessions of the committees the caller administers, or (an expert) those the caller was
/// drawn for.
#[utoipa::path(
    tag = "review-sessions",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<SessionSummaryDto>), (status = 401, body = Problem), (status = 403, body = Problem))
)]
#[get("/review-sessions")]
pub async fn list_sessions(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<Vec<SessionSummaryDto>>> {
    let rows = review_sessions::list(&state, &user).await?;
    Ok(web::Json(rows.into_iter().map(SessionSummaryDto::from).collect()))
}

/// The session: its declarations (with counts after the close), its experts and, for the
/// committee's admin, the draw records.
#[utoipa::path(
    tag = "review-sessions",
    security(("bearer" = [])),
    responses((status = 200, body = SessionDto), (status = 401, body = Problem), (status = 404, body = Problem))
)]
#[get("/review-sessions/{id}")]
pub async fn get_session(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<SessionDto>> {
    Ok(web::Json(review_sessions::get(&state, &user, &id).await?.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GatherDto {
    /// Declarations moved into the session (评审中).
    pub added: u64,
}

/// 提交评审: gathers the accepted declarations routed to the committee (before the draw).
#[utoipa::path(
    tag = "review-sessions",
    security(("bearer" = [])),
    responses(
        (status = 200, body = GatherDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Closed, or the draw has started", body = Problem),
    )
)]
#[post("/review-sessions/{id}/gather")]
pub async fn gather(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<web::Json<GatherDto>> {
    Ok(web::Json(GatherDto { added: review_sessions::gather(&state, &user, &id, ip.0).await? }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SealDrawRequest {
    /// How many experts to draw (odd, at least the session's minimum); 1 or absent for a replacement.
    pub count: Option<u32>,
    /// A declined member to replace (补抽).
    pub replaces_expert_id: Option<String>,
}

/// 封存抽取: records a fresh random seed and the size of a draw before it is run.
#[utoipa::path(
    tag = "review-sessions",
    security(("bearer" = [])),
    responses(
        (status = 201, body = DrawDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Closed, already drawn, or a sealed draw waits", body = Problem),
        (status = 422, description = "A count below the minimum or even; nothing to review; not a declined member", body = Problem),
    )
)]
#[post("/review-sessions/{id}/draws")]
pub async fn seal_draw(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: Json<SealDrawRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let replaces = match body.replaces_expert_id {
        Some(expert) => {
            let mut check = Check::default();
            let expert = check.text("/replaces_expert_id", &expert, "被替换专家", 1, 64);
            check.finish()?;
            expert
        }
        None => None,
    };
    let sealed = review_sessions::seal_draw(&state, &user, &id, body.count, replaces, ip.0).await?;
    Ok(HttpResponse::Created().json(DrawDto::from(sealed)))
}

/// 抽取: runs a sealed draw; too few candidates is 422 `not_enough_experts` saying how many are
/// missing and why, and the record is kept as `refused`.
#[utoipa::path(
    tag = "review-sessions",
    security(("bearer" = [])),
    responses(
        (status = 200, body = DrawDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/review-sessions/{id}/draws/{draw_id}/run")]
pub async fn run_draw(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    path: web::Path<(String, String)>,
) -> AppResult<web::Json<DrawDto>> {
    let (id, draw_id) = path.into_inner();
    Ok(web::Json(review_sessions::run_draw(&state, &user, &id, &draw_id, ip.0).await?.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReplayDto {
    pub draw: DrawDto,
    pub recorded: Vec<String>,
    pub recomputed: Vec<String>,
    /// The recomputation from the record gives the recorded experts.
    pub matches: bool,
}

impl From<Replay> for ReplayDto {
    fn from(replay: Replay) -> Self {
        Self {
            draw: replay.draw.into(),
            recorded: replay.recorded,
            recomputed: replay.recomputed,
            matches: replay.matches,
        }
    }
}

/// 复核: recomputes a draw from its record (seed, sorted candidates, count) and compares.
#[utoipa::path(
    tag = "review-sessions",
    security(("bearer" = [])),
    responses((status = 200, body = ReplayDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[get("/review-sessions/{id}/draws/{draw_id}/replay")]
pub async fn replay_draw(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> AppResult<web::Json<ReplayDto>> {
    let (id, draw_id) = path.into_inner();
    Ok(web::Json(review_sessions::replay(&state, &user, &id, &draw_id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
}

/// 不能参加: a drawn expert declines (recorded by the committee's admin, or by the expert), before
/// voting; a replacement draw fills the seat.
#[utoipa::path(
    tag = "review-sessions",
    security(("bearer" = [])),
    responses(
        (status = 204),
        (status = 401, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/review-sessions/{id}/members/{expert_id}/decline")]
pub async fn decline(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    path: web::Path<(String, String)>,
    body: Json<ReasonRequest>,
) -> AppResult<HttpResponse> {
    let (id, expert_id) = path.into_inner();
    let reason = reason(&body.reason, "不能参加的原因")?;
    review_sessions::decline(&state, &user, &id, &expert_id, reason, ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn reason(text: &str, label: &str) -> AppResult<String> {
    let mut check = Check::default();
    let reason = check.free_text("/reason", text, label, 1, 500);
    check.finish()?;
    reason.ok_or_else(|| AppError::field("/reason", format!("请填写{label}")))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpertDeclarationDto {
    pub declaration: DeclarationDto,
    /// Every level's opinions, as the timeline shows them.
    pub events: Vec<EventDto>,
}

/// 信息评审: a declaration of the session, read-only, with its evidence and every opinion; the
/// applicant's ID number and phone are masked.
#[utoipa::path(
    tag = "review-sessions",
    security(("bearer" = [])),
    responses(
        (status = 200, body = ExpertDeclarationDto),
        (status = 401, body = Problem),
        (status = 403, description = "An expert without a second factor", body = Problem),
        (status = 404, body = Problem),
    )
)]
#[get("/review-sessions/{id}/declarations/{declaration_id}")]
pub async fn read_declaration(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> AppResult<web::Json<ExpertDeclarationDto>> {
    let (id, declaration_id) = path.into_inner();
    let (view, events) = review_sessions::read_declaration(&state, &user, &id, &declaration_id).await?;
    let mut declaration = DeclarationDto::from(view);
    // An expert judges the work, not the person's contact details: ID number and phone masked.
    declaration.applicant.id_number = declaration.applicant.id_number.map(|id| crate::domain::mask_id_number(&id));
    declaration.applicant.phone = declaration.applicant.phone.map(|phone| crate::domain::mask_phone(&phone));
    Ok(web::Json(ExpertDeclarationDto { declaration, events: events.into_iter().map(EventDto::from).collect() }))
}

/// 回避: the expert declares a conflict of interest and takes no part in this declaration's vote.
#[utoipa::path(
    tag = "review-sessions",
    security(("bearer" = [])),
    responses(
        (status = 204),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Already voted or recused; the session is closed", body = Problem),
        (status = 422, description = "Voting has closed", body = Problem),
    )
)]
#[post("/review-sessions/{id}/declarations/{declaration_id}/recuse")]
pub async fn recuse(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    path: web::Path<(String, String)>,
    body: Json<ReasonRequest>,
) -> AppResult<HttpResponse> {
    let (id, declaration_id) = path.into_inner();
    let reason = reason(&body.reason, "回避原因")?;
    review_sessions::recuse(&state, &user, &id, &declaration_id, reason, ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    /// 同意 / 不同意 / 弃权.
    pub choice: Choice,
    /// 评审意见 (kept with the vote, never with the expert).
    pub opinion: Option<String>,
}

/// 投票 (secret ballot): once per expert and declaration, before the close and the deadline.
/// The answer is 204 and nothing anywhere shows the choice with the expert.
#[utoipa::path(
    tag = "review-sessions",
    security(("bearer" = [])),
    responses(
        (status = 204),
        (status = 401, body = Problem),
        (status = 403, description = "Recused from it, or no second factor", body = Problem),
        (status = 404, description = "Not a drawn expert of the session, or not its declaration", body = Problem),
        (status = 409, description = "Already voted; the session is closed", body = Problem),
        (status = 422, description = "Voting has closed (late), or a bad opinion", body = Problem),
    )
)]
#[post("/review-sessions/{id}/declarations/{declaration_id}/vote")]
pub async fn vote(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    path: web::Path<(String, String)>,
    body: Json<VoteRequest>,
) -> AppResult<HttpResponse> {
    let (id, declaration_id) = path.into_inner();
    let body = body.into_inner();
    let opinion = match &body.opinion {
        Some(text) if !text.trim().is_empty() => {
            let mut check = Check::default();
            let opinion = check.free_text("/opinion", text, "评审意见", 1, 2000);
            check.finish()?;
            opinion
        }
        _ => None,
    };
    review_sessions::vote(&state, &user, &id, &declaration_id, body.choice, opinion, ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressMemberDto {
    pub expert_id: String,
    pub real_name: String,
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressRowDto {
    pub declaration_id: String,
    pub applicant_name: String,
    /// Experts who have voted on it (never how).
    pub voted: Vec<String>,
    /// Experts who recused.
    pub recused: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressDto {
    pub session: SessionSummaryDto,
    pub members: Vec<ProgressMemberDto>,
    pub declarations: Vec<ProgressRowDto>,
}

/// 评审进度: who has voted on what — never how.
#[utoipa::path(
    tag = "review-sessions",
    security(("bearer" = [])),
    responses((status = 200, body = ProgressDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[get("/review-sessions/{id}/progress")]
pub async fn progress(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<ProgressDto>> {
    let progress = review_sessions::progress(&state, &user, &id).await?;
    Ok(web::Json(ProgressDto {
        session: progress.session.into(),
        members: progress
            .members
            .into_iter()
            .map(|m| ProgressMemberDto {
                expert_id: m.expert.id,
                real_name: m.expert.real_name,
                status: m.member.status,
            })
            .collect(),
        declarations: progress
            .declarations
            .into_iter()
            .map(|(declaration_id, applicant_name, voted, recused)| ProgressRowDto {
                declaration_id,
                applicant_name,
                voted,
                recused,
            })
            .collect(),
    }))
}

/// 结束评审会: each declaration's result in one transaction; afterwards nothing changes.
#[utoipa::path(
    tag = "review-sessions",
    security(("bearer" = [])),
    responses(
        (status = 200, body = SessionDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Already closed", body = Problem),
        (status = 422, description = "No experts drawn yet", body = Problem),
    )
)]
#[post("/review-sessions/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<web::Json<SessionDto>> {
    Ok(web::Json(review_sessions::close(&state, &user, &id, ip.0).await?.into()))
}
