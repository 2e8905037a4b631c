//! `zhicheng`: the platform's one binary.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use api::config::Settings;
use api::startup::Application;
use api::{admin_cli, db, openapi, telemetry};

#[derive(Parser)]
#[command(name = "zhicheng", about = "职称申报评审服务平台", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

// Parsed once at start-up; the size of the biggest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Serve the API and the SPA (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Operator tasks.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an organisation (normally an `hrss` bureau) with its admin account.
    CreateOrg(admin_cli::CreateOrgArgs),
    /// Set a new random password for an account and end its sessions; prints the password.
    ResetPassword(UsernameArg),
    /// Remove an account's second factor (a lost authenticator) and end its sessions.
    ResetTotp(UsernameArg),
    /// Check that the audit log's hash chain is intact.
    VerifyAudit,
    /// Check that every attachment row has its stored file.
    CheckStorage,
    /// Print the messages the development SMS outbox holds for a phone, newest first.
    SmsOutbox(PhoneArg),
}

#[derive(Args)]
struct UsernameArg {
    #[arg(long)]
    username: String,
}

#[derive(Args)]
struct PhoneArg {
    #[arg(long)]
    phone: String,
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load().context("loading settings")?;
    telemetry::init(settings.is_production());
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(settings).await?;
            // The e2e harness reads this line to find the port.
            println!("listening on http://{}:{}", app.state().settings.server.host, app.port());
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            let db = db::connect(&settings.database).await?;
            db::migrate(&db).await?;
            println!("migrations applied");
        }
        Command::Openapi => {
            print!("{}", openapi::document_json()?);
        }
        Command::Admin(command) => {
            let state = admin_cli::state(settings).await?;
            match command {
                AdminCommand::CreateOrg(args) => admin_cli::create_org(&state, args).await?,
                AdminCommand::ResetPassword(args) => admin_cli::reset_password(&state, &args.username).await?,
                AdminCommand::ResetTotp(args) => admin_cli::reset_totp(&state, &args.username).await?,
                AdminCommand::VerifyAudit => admin_cli::verify_audit(&state).await?,
                AdminCommand::CheckStorage => admin_cli::check_storage(&state).await?,
                AdminCommand::SmsOutbox(args) => admin_cli::sms_outbox(&state, &args.phone).await?,
            }
        }
    }
    Ok(())
}
