//! The schema, one migration per change. Migrations never import entities and never change once landed.

pub use sea_orm_migration::prelude::*;

mod append_only;
mod m20261127_000001_create_accounts;
mod m20261127_000002_create_catalogue_and_paths;
mod m20261127_000003_create_declarations;
mod m20261127_000004_seed_form_templates;
mod m20261127_000005_create_reports;
mod m20261127_000006_index_review_order;
mod m20261127_000007_reviewers_unique_while_active;
mod m20261127_090000_create_sso;
mod m20261127_100000_bind_sso_grants_to_browser;
mod m20261127_110000_add_totp;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_accounts::Migration),
            Box::new(m20261127_000002_create_catalogue_and_paths::Migration),
            Box::new(m20261127_000003_create_declarations::Migration),
            Box::new(m20261127_000004_seed_form_templates::Migration),
            Box::new(m20261127_000005_create_reports::Migration),
            Box::new(m20261127_000006_index_review_order::Migration),
            Box::new(m20261127_000007_reviewers_unique_while_active::Migration),
            Box::new(m20261127_090000_create_sso::Migration),
            Box::new(m20261127_100000_bind_sso_grants_to_browser::Migration),
            Box::new(m20261127_110000_add_totp::Migration),
        ]
    }
}
