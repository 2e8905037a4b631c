//! 统计看板: a year's numbers for the caller's organisation and what reached it, each with the
//! review-list query it drills into.

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::domain::Level;
use crate::domain::plan::in_beijing;
use crate::error::{AppError, AppResult, Problem};
use crate::services::dashboard;
use crate::services::reviews::Standing;
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config.service(get_dashboard);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// 申报年度; this year (Beijing time) when left out.
    pub year: Option<i32>,
}

/// One number and the `GET /reviews` query string that lists exactly what it counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardCountDto {
    pub key: String,
    pub label: String,
    pub count: i64,
    /// e.g. `status=pending&year=2026`: `GET /reviews?{drill}` has `total == count`.
    pub drill: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HolderDto {
    pub org_id: String,
    pub org_name: String,
    /// 待审核 there.
    pub pending: i64,
    /// 通过未上报 there.
    pub approved: i64,
    /// Its next review/report deadline in the year's plan.
    pub deadline: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Within 7 days.
    pub deadline_near: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingDto {
    pub declaration_id: String,
    pub applicant_name: String,
    pub org_name: String,
    pub holder_org_name: String,
    pub status: String,
    pub updated_at: chrono::DateTime<chrono::FixedOffset>,
    /// Days since its last change.
    pub days: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardDto {
    pub year: i32,
    pub total: i64,
    pub by_status: Vec<DashboardCountDto>,
    pub by_series: Vec<DashboardCountDto>,
    pub by_level: Vec<DashboardCountDto>,
    /// By employer (申报单位).
    pub by_org: Vec<DashboardCountDto>,
    /// Organisations below still holding declarations (not yet reviewed or reported), deadline nearest first.
    pub holders: Vec<HolderDto>,
    /// In review somewhere in the tree, longest unchanged first.
    pub waiting: Vec<WaitingDto>,
}

fn standing_key(standing: Standing) -> String {
    serde_json::to_value(standing).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// 统计看板 of the caller's organisation (a bureau, a 主管部门 for its subtree, any organisation
/// for what reached it): counts by status, series, level and employer for a year, each drilling
/// into the review list; who below still holds declarations with their deadline; the longest waiting.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(DashboardQuery),
    responses(
        (status = 200, body = DashboardDto),
        (status = 401, body = Problem),
        (status = 403, description = "Not an organisation account", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/dashboard")]
pub async fn get_dashboard(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<DashboardQuery>,
) -> AppResult<web::Json<DashboardDto>> {
    let year = match query.year {
        Some(year) if !(2000..=2100).contains(&year) => return Err(AppError::field("/year", "年度须在2000到2100之间")),
        Some(year) => year,
        None => chrono::Datelike::year(&in_beijing(state.clock.now())),
    };
    let d = dashboard::build(&state, &user, year).await?;
    let by_status: Vec<DashboardCountDto> = d
        .by_standing
        .iter()
        .map(|(standing, count)| {
            let key = standing_key(*standing);
            DashboardCountDto {
                drill: format!("status={key}&year={year}"),
                key,
                label: standing.label().into(),
                count: *count,
            }
        })
        .collect();
    Ok(web::Json(DashboardDto {
        year,
        total: by_status.iter().map(|c| c.count).sum(),
        by_status,
        by_series: d
            .by_series
            .into_iter()
            .map(|(code, name, count)| DashboardCountDto {
                drill: format!("series={code}&year={year}"),
                key: code,
                label: name,
                count,
            })
            .collect(),
        by_level: d
            .by_level
            .into_iter()
            .map(|(level, count): (Level, i64)| DashboardCountDto {
                drill: format!("level={}&year={year}", level.as_str()),
                key: level.as_str().into(),
                label: level.label().into(),
                count,
            })
            .collect(),
        by_org: d
            .by_org
            .into_iter()
            .map(|(id, name, count)| DashboardCountDto {
                drill: format!("org_id={id}&year={year}"),
                key: id,
                label: name,
                count,
            })
            .collect(),
        holders: d
            .holders
            .into_iter()
            .map(|h| HolderDto {
                org_id: h.org.id,
                org_name: h.org.name,
                pending: h.pending,
                approved: h.approved,
                deadline: h.deadline.map(in_beijing),
                deadline_near: h.deadline_near,
            })
            .collect(),
        waiting: d
            .waiting
            .into_iter()
            .map(|w| WaitingDto {
                declaration_id: w.declaration.id,
                applicant_name: w.declaration.applicant_name,
                org_name: w.employer_name,
                holder_org_name: w.holder_name,
                status: w.declaration.status,
                updated_at: in_beijing(w.declaration.updated_at),
                days: w.days,
            })
            .collect(),
    }))
}
