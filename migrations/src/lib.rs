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
mod m20261130_000001_create_messages;
mod m20261201_120001_create_plans;
mod m20261201_160001_create_jobs;
mod m20261201_170001_create_declaration_snapshots;
mod m20261202_a1_fold_name_dots;
mod m20261202_b1_track_attachment_links;
mod m20261202_c1_verify_orgs;
mod m20261202_d1_create_sessions;
mod m20261202_e1_refusals_and_access_log;
mod m20261202_f1_current_title_level;
mod m20261203_d1_create_review_form_prints;
mod m20261203_d2_create_applicant_imports;
mod m20261203_k1_create_committees;
mod m20261203_n1_notifications;
mod m20261203_p1_publicity_and_certificates;
mod m20261203_s1_create_rate_limits;
mod m20261204_g1_national_lists_in_forms;
mod m20261205_r1_review_order_on_holders;
mod m20261206_r2_review_order_per_statement;

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
            Box::new(m20261130_000001_create_messages::Migration),
            Box::new(m20261201_120001_create_plans::Migration),
            Box::new(m20261201_160001_create_jobs::Migration),
            Box::new(m20261201_170001_create_declaration_snapshots::Migration),
            Box::new(m20261202_a1_fold_name_dots::Migration),
            Box::new(m20261202_b1_track_attachment_links::Migration),
            Box::new(m20261202_d1_create_sessions::Migration),
            Box::new(m20261202_e1_refusals_and_access_log::Migration),
            Box::new(m20261202_c1_verify_orgs::Migration),
            Box::new(m20261202_f1_current_title_level::Migration),
            Box::new(m20261203_s1_create_rate_limits::Migration),
            Box::new(m20261203_n1_notifications::Migration),
            Box::new(m20261203_k1_create_committees::Migration),
            Box::new(m20261203_d1_create_review_form_prints::Migration),
            Box::new(m20261203_d2_create_applicant_imports::Migration),
            Box::new(m20261203_p1_publicity_and_certificates::Migration),
            Box::new(m20261204_g1_national_lists_in_forms::Migration),
            Box::new(m20261205_r1_review_order_on_holders::Migration),
            Box::new(m20261206_r2_review_order_per_statement::Migration),
        ]
    }
}
