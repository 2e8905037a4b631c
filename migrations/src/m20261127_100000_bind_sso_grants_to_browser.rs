//! A one-time login code or registration ticket is usable only in the browser whose login it
//! finished (login CSRF defence): the grant keeps the hash of that browser's cookie.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::string_len_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Grants live minutes; any issued before this change (no browser) are refused.
        manager
            .alter_table(
                Table::alter()
                    .table(SsoGrants::Table)
                    .add_column(string_len_null(SsoGrants::BrowserHash, 64))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(SsoGrants::Table).drop_column(SsoGrants::BrowserHash).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum SsoGrants {
    Table,
    BrowserHash,
}
