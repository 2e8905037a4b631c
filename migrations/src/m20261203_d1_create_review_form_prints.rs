//! 评审表 prints: each generated PDF's content hash, so that the public address its QR code
//! carries (`/verify/forms/{hash}`) can tell whether the paper still matches the platform's record.
//! Rows are only added (one per distinct content); a changed record makes a new hash.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReviewFormPrints::Table)
                    .col(string_len(ReviewFormPrints::ContentHash, 64).primary_key())
                    .col(string_len(ReviewFormPrints::DeclarationId, 36))
                    .col(string_len(ReviewFormPrints::PrintedBy, 36))
                    .col(timestamp_with_time_zone(ReviewFormPrints::PrintedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_review_form_prints_declaration")
                    .table(ReviewFormPrints::Table)
                    .col(ReviewFormPrints::DeclarationId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ReviewFormPrints::Table).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ReviewFormPrints {
    Table,
    ContentHash,
    DeclarationId,
    PrintedBy,
    PrintedAt,
}
