//! What an operator and a load balancer ask of an instance: `/healthz` (the process answers),
//! `/readyz` (it can serve: the database and the file store are reachable) and, when
//! `metrics.enabled`, Prometheus metrics at `/metrics` ([`crate::metrics`]).
//!
//! Outside `/api/v1` and its OpenAPI document: these are for machines on the operator's network,
//! not for the SPA or integrators.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::error::{AppError, FieldError};
use crate::state::AppState;

/// How long one readiness check may take before it counts as unreachable: well under a
/// balancer's health-check interval, and under the pool's own acquire timeout.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

pub fn configure(config: &mut web::ServiceConfig) {
    config.route("/healthz", web::get().to(healthz)).route("/readyz", web::get().to(readyz));
}

/// Alive: the process runs and answers. Touches nothing else, so a database outage does not make
/// an orchestrator restart every instance.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().insert_header((CACHE_CONTROL, "no-store")).json(json!({"status": "ok"}))
}

/// Ready: the database answers a ping and the file store is reachable, each within
/// [`CHECK_TIMEOUT`]. Otherwise 503 problem+json naming each check that failed, so the
/// balancer sends traffic elsewhere until it recovers.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let (database, storage) = tokio::join!(
        tokio::time::timeout(CHECK_TIMEOUT, state.db.ping()),
        tokio::time::timeout(CHECK_TIMEOUT, state.storage.ready()),
    );
    let mut failed = Vec::new();
    match database {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness: the database is unreachable");
            failed.push(FieldError::new("/database", "数据库不可用"));
        }
        Err(_) => {
            tracing::warn!("readiness: the database did not answer in time");
            failed.push(FieldError::new("/database", "数据库无响应"));
        }
    }
    match storage {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "readiness: the file store is unreachable");
            failed.push(FieldError::new("/storage", "文件存储不可用"));
        }
        Err(_) => {
            tracing::warn!("readiness: the file store did not answer in time");
            failed.push(FieldError::new("/storage", "文件存储无响应"));
        }
    }
    if failed.is_empty() {
        return HttpResponse::Ok()
            .insert_header((CACHE_CONTROL, "no-store"))
            .json(json!({"status": "ready", "database": "ok", "storage": "ok"}));
    }
    let status = StatusCode::SERVICE_UNAVAILABLE;
    // The shape every problem has, with this one's status and code.
    let mut problem = AppError::BadRequest("服务暂不可用，请稍后重试".into()).problem();
    problem.type_uri = "https://zhicheng.example/problems/not_ready".into();
    problem.title = status.canonical_reason().unwrap_or("Service Unavailable").into();
    problem.status = status.as_u16();
    problem.code = "not_ready".into();
    problem.errors = Some(failed);
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "application/problem+json"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(problem)
}
