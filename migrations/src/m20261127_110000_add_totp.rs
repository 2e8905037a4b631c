//! A second factor (TOTP) an account may add: its secret (encrypted), when it was turned on, and
//! the last time step used, so a code cannot be used twice.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer_null, text_null, timestamp_with_time_zone_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        let columns = [
            text_null(Accounts::TotpSecretEnc),
            timestamp_with_time_zone_null(Accounts::TotpEnabledAt),
            big_integer_null(Accounts::TotpLastStep),
        ];
        for mut column in columns {
            manager.alter_table(Table::alter().table(Accounts::Table).add_column(&mut column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Accounts::TotpLastStep, Accounts::TotpEnabledAt, Accounts::TotpSecretEnc] {
            manager.alter_table(Table::alter().table(Accounts::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Accounts {
    Table,
    TotpSecretEnc,
    TotpEnabledAt,
    TotpLastStep,
}
