//! 审核人员: the org admin registers real-name reviewers (实名制审核设置).

use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::checked;
use crate::domain::{IdCardNumber, Password, Phone, Username};
use crate::error::{AppResult, Problem};
use crate::rate_limit::Costly;
use crate::routes::Check;
use crate::routes::json::Json;
use crate::services::reviewers::{self, NewReviewer, ReviewerView};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config.service(list_reviewers).service(register_reviewer).service(disable_reviewer);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewerDto {
    pub id: String,
    pub username: String,
    pub real_name: String,
    /// Masked, e.g. `110105********002X`.
    pub id_number_masked: String,
    /// Masked, e.g. `138****8000`.
    pub phone_masked: String,
    /// `active`, or `disabled` once removed.
    pub status: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<ReviewerView> for ReviewerDto {
    fn from(view: ReviewerView) -> Self {
        Self {
            id: view.account.id,
            username: view.account.username,
            real_name: view.account.real_name,
            id_number_masked: view.id_number.map(|id| id.masked()).unwrap_or_default(),
            phone_masked: view.phone.map(|phone| phone.masked()).unwrap_or_default(),
            status: view.account.status,
            created_at: view.account.created_at,
        }
    }
}

/// The organisation's real-name reviewers, active and disabled.
#[utoipa::path(
    tag = "reviewers",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ReviewerDto>), (status = 401, body = Problem), (status = 403, body = Problem))
)]
#[get("/org/reviewers")]
pub async fn list_reviewers(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<Vec<ReviewerDto>>> {
    let rows = reviewers::list(&state, &user).await?;
    Ok(web::Json(rows.into_iter().map(ReviewerDto::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterReviewerRequest {
    pub real_name: String,
    pub id_number: String,
    pub phone: String,
    /// The reviewer's own login.
    pub username: String,
    pub password: String,
}

/// Registers a real-name reviewer with its own login account.
#[utoipa::path(
    tag = "reviewers",
    security(("bearer" = [])),
    responses(
        (status = 201, body = ReviewerDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 409, description = "Username taken, or the person is already a reviewer here", body = Problem),
        (status = 422, body = Problem),
        (status = 429, description = "Too many from this account; see `Retry-After`", body = Problem),
    )
)]
#[post("/org/reviewers")]
pub async fn register_reviewer(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    body: Json<RegisterReviewerRequest>,
) -> AppResult<HttpResponse> {
    user.require(&[crate::domain::Role::OrgAdmin])?;
    state.rate_limits.check(Costly::PasswordHash, &user.id).await?;
    let body = body.into_inner();
    let mut check = Check::default();
    let real_name = check.real_name("/real_name", &body.real_name);
    let id_number = check.parse("/id_number", IdCardNumber::parse(&body.id_number));
    let phone = check.parse("/phone", Phone::parse(&body.phone));
    let username = check.parse("/username", Username::parse(&body.username));
    let context = [body.username.as_str(), &body.phone, &body.id_number];
    let password = check.parse("/password", Password::parse_for(&body.password, &context));
    check.finish()?;
    checked!(real_name, id_number, phone, username, password);
    let input = NewReviewer { real_name, id_number, phone, username, password };
    let created = reviewers::register(&state, &user, input, ip.0).await?;
    Ok(HttpResponse::Created().json(ReviewerDto::from(created)))
}

/// Disables a reviewer: its login and tokens stop working at once; its past actions stay on record.
#[utoipa::path(
    tag = "reviewers",
    security(("bearer" = [])),
    responses(
        (status = 204),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, description = "Not a reviewer of this organisation", body = Problem),
    )
)]
#[delete("/org/reviewers/{id}")]
pub async fn disable_reviewer(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    reviewers::disable(&state, &user, &id, ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
