//! `mock_oidc`: the test OpenID provider as a process, for the browser suite and for trying
//! unified platform login locally. Prints `listening on http://HOST:PORT` (the issuer) when ready.
//!
//! Who logs in: `--claims` (a JSON object, default 张护士 of the demo data), or the claims queued
//! with `POST /control/next-login {"claims": {...}, "misbehave": "expired"}`.

use clap::Parser;
use e2e::oidc::{MockOidc, MockOidcConfig, NextLogin};

#[derive(Parser)]
#[command(name = "mock_oidc", about = "A small OpenID provider for tests")]
struct Args {
    #[arg(long, env = "MOCK_OIDC_HOST", default_value = "127.0.0.1")]
    host: String,
    /// 0 picks a free port.
    #[arg(long, env = "MOCK_OIDC_PORT", default_value_t = 0)]
    port: u16,
    #[arg(long, env = "MOCK_OIDC_CLIENT_ID", default_value = "zhicheng")]
    client_id: String,
    /// Empty makes the client public (PKCE only).
    #[arg(long, env = "MOCK_OIDC_CLIENT_SECRET", default_value = "mock-client-secret")]
    client_secret: String,
    /// Allowed redirect URI (repeatable); none allows any.
    #[arg(long = "redirect-uri", env = "MOCK_OIDC_REDIRECT_URIS", value_delimiter = ',')]
    redirect_uris: Vec<String>,
    /// Claims of whoever logs in when nothing is queued.
    #[arg(
        long,
        env = "MOCK_OIDC_CLAIMS",
        default_value = r#"{"sub":"sd-person-0001","name":"张护士","id_number":"370126199003050024"}"#
    )]
    claims: String,
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let claims: serde_json::Value = serde_json::from_str(&args.claims)?;
    if !claims.is_object() {
        anyhow::bail!("--claims must be a JSON object");
    }
    let config = MockOidcConfig {
        host: args.host,
        port: args.port,
        client_id: args.client_id,
        client_secret: Some(args.client_secret).filter(|secret| !secret.is_empty()),
        redirect_uris: args.redirect_uris,
        default_login: Some(NextLogin::claims(claims)),
    };
    let provider = MockOidc::start(config).await?;
    println!("listening on {}", provider.issuer);
    tokio::signal::ctrl_c().await?;
    provider.stop().await;
    Ok(())
}
