//! Platform operator endpoints: provisioning bureaus and reading the audit log.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::domain::Role;
use crate::error::{AppResult, Problem};
use crate::rate_limit::Costly;
use crate::routes::auth::{RegisterOrgRequest, RegisteredOrg, parse_org};
use crate::routes::json::Json;
use crate::routes::{Page, PageQuery};
use crate::services::{accounts, audit};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config.service(provision_org).service(list_audit);
}

/// Provisions an organisation with its admin account; the only way an `hrss` bureau comes to exist.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 201, body = RegisteredOrg),
        (status = 401, body = Problem),
        (status = 403, description = "Not the platform admin", body = Problem),
        (status = 409, body = Problem),
        (status = 422, body = Problem),
        (status = 429, description = "Too many from this account; see `Retry-After`", body = Problem),
    )
)]
#[post("/admin/orgs")]
pub async fn provision_org(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    body: Json<RegisterOrgRequest>,
) -> AppResult<HttpResponse> {
    user.require(&[Role::Admin])?;
    state.rate_limits.check(Costly::PasswordHash, &user.id).await?;
    let input = parse_org(body.into_inner())?;
    let (org, admin) = accounts::provision_org(&state, input, (&user.id, &user.real_name), ip.0).await?;
    Ok(HttpResponse::Created().json(RegisteredOrg {
        org_id: org.id,
        admin_id: admin.id,
        admin_username: admin.username,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries of this action, e.g. `login_failed`.
    pub action: Option<String>,
    /// Only entries about this object id.
    pub object_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub org_id: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub result: String,
    pub ip: Option<String>,
    pub detail: Option<serde_json::Value>,
    pub hash: String,
}

/// The audit log, newest first.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(AuditQuery, PageQuery),
    responses(
        (status = 200, body = Page<AuditEntryView>),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/admin/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<AuditQuery>,
    paging: web::Query<PageQuery>,
) -> AppResult<web::Json<Page<AuditEntryView>>> {
    user.require(&[Role::Admin])?;
    let (page, page_size) = paging.resolve()?;
    let (rows, total) =
        audit::list(&state.db, filter.action.as_deref(), filter.object_id.as_deref(), page, page_size).await?;
    let items = rows
        .into_iter()
        .map(|row| AuditEntryView {
            id: row.id,
            at: row.at,
            actor_id: row.actor_id,
            actor_name: row.actor_name,
            org_id: row.org_id,
            action: row.action,
            object_type: row.object_type,
            object_id: row.object_id,
            result: row.result,
            ip: row.ip,
            detail: row.detail,
            hash: row.hash,
        })
        .collect();
    Ok(web::Json(Page { items, total, page, page_size }))
}
