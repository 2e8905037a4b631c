//! The message centre (站内信): one row per recipient per message, written in the same
//! transaction as the change it tells about.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(string_len(Messages::Id, 36).primary_key())
                    .col(string_len(Messages::AccountId, 36))
                    .col(string_len(Messages::Kind, 50))
                    .col(string_len(Messages::Title, 200))
                    .col(text(Messages::Body))
                    .col(string_len_null(Messages::Link, 300))
                    .col(string_len_null(Messages::ObjectType, 50))
                    .col(string_len_null(Messages::ObjectId, 36))
                    .col(timestamp_with_time_zone(Messages::CreatedAt))
                    .col(timestamp_with_time_zone_null(Messages::ReadAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_messages_account")
                            .from(Messages::Table, Messages::AccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A recipient's list, newest first, and the unread count.
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_account")
                    .table(Messages::Table)
                    .col(Messages::AccountId)
                    .col(Messages::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("CREATE INDEX idx_messages_unread ON messages (account_id) WHERE read_at IS NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Messages::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    AccountId,
    Kind,
    Title,
    Body,
    Link,
    ObjectType,
    ObjectId,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}
