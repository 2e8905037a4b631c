//! Batch reports (数据上报): which declarations an organisation sent up together, and to whom.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Reports::Table)
                    .col(string_len(Reports::Id, 36).primary_key())
                    .col(string_len(Reports::FromOrgId, 36))
                    .col(string_len(Reports::ToOrgId, 36))
                    .col(string_len(Reports::ActorId, 36))
                    .col(string_len(Reports::ActorName, 50))
                    .col(integer(Reports::Count))
                    .col(string_len_null(Reports::IdempotencyKey, 100))
                    .col(timestamp_with_time_zone(Reports::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // A retried request with the same Idempotency-Key finds the first report instead of making a second.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_reports_idempotency ON reports (from_org_id, idempotency_key) \
                 WHERE idempotency_key IS NOT NULL",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reports_from")
                    .table(Reports::Table)
                    .col(Reports::FromOrgId)
                    .col(Reports::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reports_to")
                    .table(Reports::Table)
                    .col(Reports::ToOrgId)
                    .col(Reports::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReportItems::Table)
                    .col(string_len(ReportItems::ReportId, 36))
                    .col(string_len(ReportItems::DeclarationId, 36))
                    .primary_key(Index::create().col(ReportItems::ReportId).col(ReportItems::DeclarationId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_report_items_report")
                            .from(ReportItems::Table, ReportItems::ReportId)
                            .to(Reports::Table, Reports::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_report_items_declaration")
                    .table(ReportItems::Table)
                    .col(ReportItems::DeclarationId)
                    .to_owned(),
            )
            .await?;
        // The review list's name search.
        manager
            .create_index(
                Index::create()
                    .name("idx_declarations_applicant_name")
                    .table(Declarations::Table)
                    .col(Declarations::ApplicantName)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_declarations_applicant_name").table(Declarations::Table).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(ReportItems::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Reports::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    FromOrgId,
    ToOrgId,
    ActorId,
    ActorName,
    Count,
    IdempotencyKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReportItems {
    Table,
    ReportId,
    DeclarationId,
}

#[derive(DeriveIden)]
enum Declarations {
    Table,
    ApplicantName,
}
