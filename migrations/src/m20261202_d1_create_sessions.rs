//! Sessions: one row per login, the family its rotating refresh tokens belong to (`id` is the
//! refresh tokens' `family_id`, and the access token's `sid`). Revoking it (logout, a reused refresh
//! token) ends the access tokens of that login at once; `expires_at` is its absolute end, however
//! often it is refreshed. Sessions of earlier logins have no row: those refresh tokens stop
//! working and their holders log in again once.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(string_len(Sessions::Id, 36).primary_key())
                    .col(string_len(Sessions::AccountId, 36))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sessions_account")
                            .from(Sessions::Table, Sessions::AccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Ending every session of an account (password change, disabled reviewer).
        manager
            .create_index(
                Index::create().name("idx_sessions_account").table(Sessions::Table).col(Sessions::AccountId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Sessions::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    AccountId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}
