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
use crate::rate_limit::{AuthLimiter, auth_limiter};
use crate::services::bootstrap;
use crate::spa::{self, KnownRoutes};
use crate::state::AppState;
use crate::{db, openapi, routes, telemetry};

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl Application {
    /// Connects, migrates, bootstraps the admin (and demo data when asked) and binds the listener.
    /// Port 0 picks a free port; [`Application::port`] tells which.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = db::connect(&settings.database).await?;
        db::migrate(&db).await?;
        let state = AppState::new(settings.clone(), db)?;
        bootstrap::ensure_admin(&state).await?;
        if settings.demo.seed {
            bootstrap::seed_demo(&state).await?;
        }
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))?;
        let port = listener.local_addr()?.port();
        let server = run(listener, state.clone())?;
        Ok(Self { port, server, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT/SIGTERM; in-flight requests finish within the shutdown timeout.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn run(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let settings = state.settings.clone();
    let limiter: AuthLimiter = auth_limiter(&settings.rate_limit)?;
    let document = openapi::document(&limiter);
    let known_routes = web::Data::new(KnownRoutes::from_document(&document));
    let data = web::Data::new(state);
    let static_dir = settings.server.static_dir.clone();
    let json_limit = settings.server.json_limit_bytes;
    let server = HttpServer::new(move || {
        App::new()
            .wrap(security_headers())
            .wrap(from_fn(telemetry::audit_denials))
            .wrap(from_fn(telemetry::request_id))
            .wrap(TracingLogger::default())
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
                    .configure(|config| routes::configure(config, &limiter))
                    .default_service(web::to(spa::api_fallback)),
            )
            .into_app()
            .configure(|config| spa::configure(config, &static_dir))
    })
    .shutdown_timeout(settings.server.shutdown_timeout_secs)
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
