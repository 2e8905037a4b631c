//! Prometheus metrics (`metrics.enabled`): requests and their latency per route pattern, the
//! database pool, and the jobs queue. Each application has its own registry (tests run several
//! in one process); the pool and queue figures are read when scraped.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder};
use sea_orm::{DbBackend, FromQueryResult, Statement};

use crate::config::MetricsSettings;
use crate::error::AppError;
use crate::state::AppState;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    jobs: IntGaugeVec,
    /// The bearer token a scraper must send, if any.
    token: Option<String>,
}

impl Metrics {
    pub fn new(settings: &MetricsSettings) -> anyhow::Result<Self> {
        let registry = Registry::new_custom(Some("zhicheng".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered, by method, route pattern and status"),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Time to the response head, by method and route")
                .buckets(vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
            &["method", "route"],
        )?;
        let pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections: in use, idle, and the maximum"),
            &["state"],
        )?;
        let jobs =
            IntGaugeVec::new(Opts::new("jobs", "Background jobs by status (pending = queue depth)"), &["status"])?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(jobs.clone()))?;
        let token = settings.token.clone().filter(|token| !token.is_empty());
        Ok(Self { registry, requests, latency, pool, jobs, token })
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests.with_label_values(&[method, route, &status.to_string()]).inc();
        self.latency.with_label_values(&[method, route]).observe(seconds);
    }

    /// Reads the pool and the queue, then renders every metric in the text format.
    async fn render(&self, state: &AppState) -> anyhow::Result<String> {
        let max = i64::from(state.settings.database.max_connections);
        let (size, idle) = match state.db.get_database_backend() {
            DbBackend::Postgres => {
                let pool = state.db.get_postgres_connection_pool();
                (i64::from(pool.size()), i64::try_from(pool.num_idle()).unwrap_or(0))
            }
            DbBackend::Sqlite => {
                let pool = state.db.get_sqlite_connection_pool();
                (i64::from(pool.size()), i64::try_from(pool.num_idle()).unwrap_or(0))
            }
            _ => (0, 0),
        };
        self.pool.with_label_values(&["in_use"]).set(size - idle);
        self.pool.with_label_values(&["idle"]).set(idle);
        self.pool.with_label_values(&["max"]).set(max);

        #[derive(FromQueryResult)]
        struct StatusCount {
            status: String,
            count: i64,
        }
        let backend = state.db.get_database_backend();
        let counts = StatusCount::find_by_statement(Statement::from_string(
            backend,
            // Only the statuses reported: finished jobs (most of the table) are not scanned on a scrape.
            "SELECT status, COUNT(*) AS count FROM jobs WHERE status IN ('pending', 'running', 'failed') GROUP BY status",
        ))
        .all(&state.db)
        .await?;
        for status in [crate::jobs::status::PENDING, crate::jobs::status::RUNNING, crate::jobs::status::FAILED] {
            let count = counts.iter().find(|row| row.status == status).map_or(0, |row| row.count);
            self.jobs.with_label_values(&[status]).set(count);
        }

        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        Ok(String::from_utf8(buffer)?)
    }
}

/// Middleware (`from_fn`) counting every request under its route pattern (`/api/v1/reviews/{id}`,
/// never the concrete path, so the series stay few); requests no route matched count as `other`.
pub async fn record(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(metrics) = request.app_data::<web::Data<Metrics>>().cloned() else {
        return next.call(request).await;
    };
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let response = next.call(request).await;
    let seconds = started.elapsed().as_secs_f64();
    match &response {
        Ok(response) => {
            let route = response.request().match_pattern().unwrap_or_else(|| "other".into());
            metrics.observe(&method, &route, response.status().as_u16(), seconds);
        }
        Err(error) => metrics.observe(&method, "other", error.as_response_error().status_code().as_u16(), seconds),
    }
    response
}

/// `GET /metrics` in the Prometheus text format; with `metrics.token` set, only for
/// `Authorization: Bearer <token>` (else 404, as if it were not there).
pub async fn scrape(
    request: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, AppError> {
    if let Some(token) = &metrics.token {
        let sent = request.headers().get(AUTHORIZATION).and_then(|value| value.to_str().ok());
        let expected = format!("Bearer {token}");
        if !sent.is_some_and(|sent| constant_time_eq(sent.as_bytes(), expected.as_bytes())) {
            return Err(AppError::NotFound);
        }
    }
    let body = metrics.render(&state).await?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
