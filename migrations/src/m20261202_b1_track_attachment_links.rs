//! When an evidence file was first linked to an item (or a plan's notice): uploads never linked
//! are removed after a grace period, and a content hash shared by several rows is looked up by key.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::timestamp_with_time_zone_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Attachments::Table)
                    .add_column(timestamp_with_time_zone_null(Attachments::LinkedAt))
                    .to_owned(),
            )
            .await?;
        // Files in use today count as linked from their upload on.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE attachments SET linked_at = created_at \
                 WHERE id IN (SELECT attachment_id FROM item_attachments) \
                 OR id IN (SELECT notice_attachment_id FROM plans WHERE notice_attachment_id IS NOT NULL)",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_attachments_storage_key")
                    .table(Attachments::Table)
                    .col(Attachments::StorageKey)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_attachments_storage_key").table(Attachments::Table).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Attachments::Table).drop_column(Attachments::LinkedAt).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Attachments {
    Table,
    LinkedAt,
    StorageKey,
}
