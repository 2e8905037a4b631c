//! 批量导入: the persons an employer's org admin imported (with the specialty the sheet gave),
//! so the employer can see whom it opened accounts for and when.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApplicantImports::Table)
                    .col(string_len(ApplicantImports::Id, 36).primary_key())
                    .col(string_len(ApplicantImports::BatchId, 36))
                    .col(string_len(ApplicantImports::OrgId, 36))
                    .col(string_len(ApplicantImports::AccountId, 36))
                    .col(string_len(ApplicantImports::Specialty, 100))
                    .col(integer(ApplicantImports::SheetRow))
                    .col(string_len(ApplicantImports::ImportedBy, 36))
                    .col(timestamp_with_time_zone(ApplicantImports::ImportedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_applicant_imports_org")
                    .table(ApplicantImports::Table)
                    .col(ApplicantImports::OrgId)
                    .col(ApplicantImports::ImportedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ApplicantImports::Table).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ApplicantImports {
    Table,
    Id,
    BatchId,
    OrgId,
    AccountId,
    Specialty,
    SheetRow,
    ImportedBy,
    ImportedAt,
}
