//! Structured logs and the request id that ties a response, its problem body and its log lines together.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing_subscriber::EnvFilter;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Initialises logging once: JSON lines in production, readable lines elsewhere.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

/// The id of the request being served on this task, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Exposes the tracing request id as `X-Request-Id` and to problem bodies.
pub async fn request_id(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = request
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(ToString::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let mut response = REQUEST_ID.scope(id.clone(), next.call(request)).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(response)
}

/// Records refused requests in the audit log: every 403, and every 401 that presented a token.
pub async fn audit_denials(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let presented_token = request.headers().contains_key(actix_web::http::header::AUTHORIZATION);
    let method = request.method().to_string();
    let path = request.path().to_string();
    let response = next.call(request).await?;
    let status = response.status().as_u16();
    if status == 403 || (status == 401 && presented_token) {
        let state = response.request().app_data::<actix_web::web::Data<crate::state::AppState>>().cloned();
        let user = response.request().extensions().get::<crate::auth::AuthUser>().cloned();
        let ip = response.request().peer_addr().map(|addr| addr.ip().to_string());
        if let Some(state) = state {
            let mut entry = crate::services::audit::AuditEntry::new("access_denied", false)
                .ip(ip)
                .detail(serde_json::json!({"method": method, "path": path, "status": status}));
            if let Some(user) = &user {
                entry = entry.actor(&user.id, &user.real_name, user.org_id.as_deref());
            }
            if let Err(error) = crate::services::audit::record_alone(&state.db, entry).await {
                tracing::error!(?error, "could not audit a denied request");
            }
        }
    }
    Ok(response)
}
