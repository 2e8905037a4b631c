//! 单位认证: whether someone who knows an organisation has vouched for it. An `authority` or
//! `township` org cannot approve paths, receive reports or be chosen as a parent until an `hrss`
//! bureau's admin verifies it; bureaus are verified when the platform provisions them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string_len, string_len_null, text_null, timestamp_with_time_zone_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        let columns = [
            string_len(Orgs::Verification, 16).default("unverified").take(),
            text_null(Orgs::VerificationReason),
            string_len_null(Orgs::VerifiedBy, 36),
            timestamp_with_time_zone_null(Orgs::VerifiedAt),
        ];
        for mut column in columns {
            manager.alter_table(Table::alter().table(Orgs::Table).add_column(&mut column).to_owned()).await?;
        }
        // Bureaus already exist only because the platform provisioned them. Every other org waits
        // for its bureau, whatever it did before: an impostor must not keep what it got.
        manager
            .exec_stmt(
                Query::update()
                    .table(Orgs::Table)
                    .value(Orgs::Verification, "verified")
                    .and_where(Expr::col(Orgs::Kind).eq("hrss"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Orgs::VerifiedAt, Orgs::VerifiedBy, Orgs::VerificationReason, Orgs::Verification] {
            manager.alter_table(Table::alter().table(Orgs::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Orgs {
    Table,
    Kind,
    Verification,
    VerificationReason,
    VerifiedBy,
    VerifiedAt,
}
