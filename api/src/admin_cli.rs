//! The `zhicheng admin …` operator commands.

use clap::Args;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::auth::password;
use crate::config::Settings;
use crate::crypto::random_token;
use crate::db;
use crate::domain::{ContactPhone, OrgKind, Password, Phone, Uscc, Username};
use crate::entities::{account, attachment, sms_outbox};
use crate::services::accounts::{self, NewOrg};
use crate::services::audit::{self, AuditEntry};
use crate::services::totp;
use crate::state::AppState;

#[derive(Args)]
pub struct CreateOrgArgs {
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub uscc: String,
    #[arg(long, default_value = "hrss")]
    pub kind: String,
    #[arg(long)]
    pub region_code: String,
    #[arg(long)]
    pub address: String,
    #[arg(long)]
    pub contact_name: String,
    #[arg(long)]
    pub contact_phone: String,
    #[arg(long)]
    pub admin_username: String,
    /// Omit to generate one; it is printed once.
    #[arg(long)]
    pub admin_password: Option<String>,
}

pub async fn state(settings: Settings) -> anyhow::Result<AppState> {
    let db = db::connect(&settings.database).await?;
    db::migrate(&db).await?;
    AppState::new(settings, db)
}

fn domain<T>(field: &str, result: Result<T, crate::domain::DomainError>) -> anyhow::Result<T> {
    result.map_err(|error| anyhow::anyhow!("--{field}: {error}"))
}

pub async fn create_org(state: &AppState, args: CreateOrgArgs) -> anyhow::Result<()> {
    let (raw_password, generated) = match args.admin_password {
        Some(password) => (password, false),
        None => (generated_password(), true),
    };
    let input = NewOrg {
        name: args.name.trim().to_string(),
        uscc: domain("uscc", Uscc::parse(&args.uscc))?,
        kind: OrgKind::parse(&args.kind).ok_or_else(|| anyhow::anyhow!("--kind: unknown kind {}", args.kind))?,
        region_code: args.region_code,
        address: args.address,
        contact_name: args.contact_name,
        contact_phone: domain("contact-phone", ContactPhone::parse(&args.contact_phone))?,
        admin_username: domain("admin-username", Username::parse(&args.admin_username))?,
        admin_password: domain("admin-password", Password::parse(&raw_password))?,
    };
    let (org, admin) = accounts::provision_org(state, input, ("cli", "operator"), None)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    println!("created {} ({}) with admin account {}", org.name, org.id, admin.username);
    if generated {
        println!("initial password: {raw_password}");
    }
    Ok(())
}

async fn named(state: &AppState, username: &str) -> anyhow::Result<account::Model> {
    account::Entity::find()
        .filter(account::Column::Username.eq(username.trim().to_lowercase()))
        .one(&state.db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no account named {username}"))
}

pub async fn reset_password(state: &AppState, username: &str) -> anyhow::Result<()> {
    let account = named(state, username).await?;
    let new_password = generated_password();
    let hash = password::hash(new_password.clone()).await?;
    let tx = db::begin_write(&state.db).await?;
    accounts::set_password(&tx, &account.id, hash).await.map_err(|error| anyhow::anyhow!("{error}"))?;
    audit::record(&tx, AuditEntry::new("password_reset_by_operator", true).object("account", &account.id)).await?;
    tx.commit().await?;
    println!("new password for {}: {new_password}", account.username);
    Ok(())
}

pub async fn reset_totp(state: &AppState, username: &str) -> anyhow::Result<()> {
    let account = named(state, username).await?;
    if account.totp_enabled_at.is_none() && account.totp_secret_enc.is_none() {
        println!("{} has no second factor", account.username);
        return Ok(());
    }
    let tx = db::begin_write(&state.db).await?;
    totp::clear(&tx, &account.id).await?;
    accounts::revoke_all_sessions(&tx, &account.id).await?;
    audit::record(&tx, AuditEntry::new("totp_reset_by_operator", true).object("account", &account.id)).await?;
    tx.commit().await?;
    println!("second factor removed for {}; it signs in with its password alone", account.username);
    Ok(())
}

pub async fn verify_audit(state: &AppState) -> anyhow::Result<()> {
    match audit::verify_chain(&state.db).await? {
        Ok(rows) => {
            println!("audit chain intact: {rows} entries");
            Ok(())
        }
        Err(broken) => anyhow::bail!("audit chain broken: {broken}"),
    }
}

pub async fn sms_outbox(state: &AppState, phone: &str) -> anyhow::Result<()> {
    let phone = domain("phone", Phone::parse(phone))?;
    let messages = sms_outbox::Entity::find()
        .filter(sms_outbox::Column::PhoneHash.eq(state.crypto.index("phone", phone.as_str())))
        .order_by_desc(sms_outbox::Column::CreatedAt)
        .limit(20)
        .all(&state.db)
        .await?;
    for message in messages {
        println!("{}\t{}", message.created_at.to_rfc3339(), message.body);
    }
    Ok(())
}

/// Checks that every attachment row points to a stored file of the recorded size.
pub async fn check_storage(state: &AppState) -> anyhow::Result<()> {
    use sea_orm::PaginatorTrait;
    let mut pages = attachment::Entity::find().order_by_asc(attachment::Column::Id).paginate(&state.db, 500);
    let (mut checked, mut broken) = (0u64, Vec::new());
    while let Some(rows) = pages.fetch_and_next().await? {
        for row in rows {
            checked += 1;
            match state.storage.size_of(&row.storage_key).await? {
                Some(size) if i64::try_from(size).ok() == Some(row.size) => {}
                found => broken
                    .push(format!("{} ({}): stored size {found:?}, recorded {}", row.id, row.storage_key, row.size)),
            }
        }
    }
    if broken.is_empty() {
        println!("storage intact: {checked} attachments, each with its file");
        Ok(())
    } else {
        anyhow::bail!("{} of {checked} attachments lack their file:\n{}", broken.len(), broken.join("\n"))
    }
}

/// A random password that meets the policy: three classes guaranteed by the fixed prefix.
fn generated_password() -> String {
    format!("Zc9#{}", random_token(12))
}
