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

/// Records refused object access (`services::refusals`): every 403; a 404 answered to a signed-in
/// caller on a route that takes an id (a stranger's object); and every 401 to a bearer token,
/// genuine but no longer valid, or forged. A request with no token at all is not a refusal worth
/// keeping: it is how every visit starts.
pub async fn audit_denials(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    use crate::services::refusals::{self, Refusal, RefusalKind};

    let method = request.method().to_string();
    let pattern = request.match_pattern();
    let takes_an_id = pattern.as_deref().is_some_and(|p| p.contains('{'));
    let path = pattern.unwrap_or_else(|| "(unmatched)".to_string());
    let bearer = request
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.len() > 7 && value.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("bearer ")));
    let response = next.call(request).await?;
    let status = response.status().as_u16();
    let verified = response.request().extensions().get::<crate::auth::VerifiedToken>().cloned();
    let user = response.request().extensions().get::<crate::auth::AuthUser>().cloned();
    let kind = match status {
        403 => Some(RefusalKind::Forbidden),
        404 if user.is_some() && takes_an_id => Some(RefusalKind::NotFound),
        401 if verified.is_some() => Some(RefusalKind::RevokedToken),
        401 if bearer => Some(RefusalKind::ForgedToken),
        _ => None,
    };
    if let Some(kind) = kind {
        let state = response.request().app_data::<actix_web::web::Data<crate::state::AppState>>().cloned();
        if let Some(state) = state {
            let refusal = Refusal {
                kind,
                account_id: user.as_ref().map(|u| u.id.clone()).or(verified.map(|v| v.account_id)),
                actor_name: user.as_ref().map(|u| u.real_name.clone()),
                org_id: user.as_ref().and_then(|u| u.org_id.clone()),
                ip: crate::auth::client_address(response.request()).map(|ip| ip.to_string()),
                method,
                path,
                status,
            };
            if let Err(error) = refusals::record(&state.db, state.clock.now(), refusal).await {
                tracing::error!(?error, "could not audit a refused request");
            }
        }
    }
    Ok(response)
}

/// The span of each request: method, templated route and status, never the query string
/// (a name searched for, a one-time code in a redirect) nor a client-chosen path.
pub struct RootSpan;

impl tracing_actix_web::RootSpanBuilder for RootSpan {
    fn on_request_start(request: &ServiceRequest) -> tracing::Span {
        let request_id = request.extensions().get::<tracing_actix_web::RequestId>().map(ToString::to_string);
        let route = request.match_pattern().unwrap_or_else(|| "(unmatched)".to_string());
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
            request_id = request_id.as_deref().unwrap_or(""),
        )
    }

    fn on_request_end<B: MessageBody>(span: tracing::Span, outcome: &Result<ServiceResponse<B>, Error>) {
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
