//! Rate limits shared by every instance on one PostgreSQL database (`api::rate_limit`): one row
//! per limited key (`ip:<address>`, `password_hash:<account>` …) holding its GCRA arrival time in
//! milliseconds since the epoch. SQLite gets the table too (the schema stays one), but a SQLite
//! deployment is one process and keeps its counts in memory.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RateLimits::Table)
                    .col(string_len(RateLimits::Key, 128).primary_key())
                    .col(big_integer(RateLimits::Tat))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RateLimits::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum RateLimits {
    Table,
    Key,
    Tat,
}
