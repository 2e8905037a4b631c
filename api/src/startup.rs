//! Building the application: database, migrations, first-start setup, and the HTTP server.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Settings;
use crate::error::extractors;
use crate::jobs::{self, Runner, runner::RunnerHandle};
use crate::services::bootstrap;
use crate::spa::{self, KnownRoutes};
use crate::state::AppState;
use crate::{db, openapi, routes, telemetry};

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    /// The background worker of this process (`jobs.enabled`).
    jobs: Option<RunnerHandle>,
}

impl Application {
    /// Connects, migrates, bootstraps the admin (and demo data when asked) and binds the listener.
    /// Port 0 picks a free port; [`Application::port`] tells which.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = db::connect(&settings.database).await?;
        db::migrate(&db).await?;
        let state = AppState::new(settings.clone(), db)?;
        if settings.is_production() && settings.sms.gateway == "outbox" {
            tracing::warn!("no SMS gateway is configured: one-time codes go to the sms_outbox table only");
        }
        if settings.clock.offset_days != 0 {
            tracing::warn!(
                offset_days = settings.clock.offset_days,
                now = %state.clock.now(),
                "the rules' clock runs ahead of the system clock (clock.offset_days): a drill or test setting, never production"
            );
        }
        bootstrap::ensure_admin(&state).await?;
        if settings.demo.seed {
            bootstrap::seed_demo(&state).await?;
        }
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))?;
        let port = listener.local_addr()?.port();
        let server = run(listener, state.clone())?;
        let jobs = settings.jobs.enabled.then(|| Runner::new(state.clone(), jobs::kinds::registry()).spawn());
        Ok(Self { port, server, state, jobs })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT/SIGTERM. Then the listener closes, in-flight requests finish within
    /// the shutdown timeout, and the background worker takes no new job and finishes those in hand.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Self { server, jobs, .. } = self;
        let handle = server.handle();
        let mut server = std::pin::pin!(server);
        let ended = tokio::select! {
            result = &mut server => Some(result),
            () = shutdown_signal() => None,
        };
        let stop_jobs = async {
            if let Some(jobs) = jobs {
                jobs.shutdown().await;
            }
        };
        match ended {
            Some(result) => {
                stop_jobs.await;
                result
            }
            None => {
                tracing::info!("stopping: finishing the requests and jobs in hand");
                // The server future must keep being polled for the stop to complete.
                let ((), (), result) = tokio::join!(handle.stop(true), stop_jobs, server);
                result
            }
        }
    }
}

/// SIGINT or SIGTERM. If a handler cannot be installed, only the other one stops the server.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// The HTTP server over `state` on `listener` (what [`Application::build`] starts; the province
/// bench serves a state whose connection records its statements).
pub fn run(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let settings = state.settings.clone();
    let document = openapi::document();
    let metrics = settings
        .metrics
        .enabled
        .then(|| crate::metrics::Metrics::new(&settings.metrics).map(web::Data::new))
        .transpose()?;
    let known_routes = web::Data::new(KnownRoutes::from_document(&document));
    let data = web::Data::new(state);
    let static_dir = settings.server.static_dir.clone();
    let json_limit = settings.server.json_limit_bytes;
    let server = HttpServer::new(move || {
        App::new()
            // Innermost: its 422 still gets the headers and the request id of the others.
            .wrap(from_fn(routes::uri::clean_uri))
            .wrap(security_headers())
            .wrap(from_fn(telemetry::audit_denials))
            .wrap(from_fn(telemetry::request_id))
            .wrap(TracingLogger::<telemetry::RootSpan>::new())
            // Outermost: the latency is the whole request's.
            .wrap(from_fn(crate::metrics::record))
            .app_data(data.clone())
            .app_data(known_routes.clone())
            .app_data(web::PayloadConfig::default().limit(json_limit))
            .app_data(web::QueryConfig::default().error_handler(extractors::query_error))
            .app_data(web::PathConfig::default().error_handler(extractors::path_error))
            // Before the API scope, which would otherwise claim /api/v1/openapi.json.
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/v1/openapi.json", document.clone()))
            .into_utoipa_app()
            .service(
                utoipa_actix_web::scope("/api/v1")
                    // Answers carry personal data: no browser or proxy keeps a copy.
                    .wrap(DefaultHeaders::new().add(("Cache-Control", "no-store")))
                    .configure(routes::configure)
                    .default_service(web::to(spa::api_fallback)),
            )
            .into_app()
            .configure(crate::ops::configure)
            .configure(|config| {
                if let Some(metrics) = &metrics {
                    config.app_data(metrics.clone()).route("/metrics", web::get().to(crate::metrics::scrape));
                }
            })
            .configure(|config| spa::configure(config, &static_dir))
    })
    .shutdown_timeout(settings.server.shutdown_timeout_secs)
    // run_until_stopped handles the signals, to stop the background worker too.
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}

fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
             script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        ))
}
