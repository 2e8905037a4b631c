//! 公示 and what follows it: the working-day calendar (holidays and make-up working days as data),
//! a session's 公示 period, objections (异议), electronic certificates (职称电子证书) and the record
//! of who verified each certificate. Dates of the calendar and of periods are `YYYY-MM-DD` text
//! (China Standard Time days), which compare as text on both databases.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CalendarDays::Table)
                    .col(string_len(CalendarDays::Day, 10).primary_key())
                    .col(string_len(CalendarDays::Kind, 16))
                    .col(string_len_null(CalendarDays::Note, 100))
                    .col(string_len(CalendarDays::UpdatedBy, 36))
                    .col(timestamp_with_time_zone(CalendarDays::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Publicities::Table)
                    .col(string_len(Publicities::Id, 36).primary_key())
                    .col(string_len(Publicities::SessionId, 36).unique_key())
                    .col(string_len(Publicities::CommitteeId, 36))
                    .col(string_len(Publicities::PublishedOn, 10))
                    .col(integer(Publicities::WorkingDays))
                    .col(string_len(Publicities::EndsOn, 10))
                    .col(string_len(Publicities::Status, 16))
                    .col(string_len(Publicities::PublishedBy, 36))
                    .col(timestamp_with_time_zone(Publicities::PublishedAt))
                    .col(timestamp_with_time_zone_null(Publicities::FinalisedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_publicities_status_ends")
                    .table(Publicities::Table)
                    .col(Publicities::Status)
                    .col(Publicities::EndsOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Objections::Table)
                    .col(string_len(Objections::Id, 36).primary_key())
                    .col(string_len(Objections::PublicityId, 36))
                    .col(string_len(Objections::DeclarationId, 36))
                    .col(string_len(Objections::AccountId, 36))
                    .col(text(Objections::Reason))
                    .col(string_len(Objections::Status, 16))
                    .col(text_null(Objections::Answer))
                    .col(string_len_null(Objections::AnsweredBy, 36))
                    .col(timestamp_with_time_zone_null(Objections::AnsweredAt))
                    .col(timestamp_with_time_zone(Objections::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_objections_publicity")
                            .from(Objections::Table, Objections::PublicityId)
                            .to(Publicities::Table, Publicities::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_objections_publicity")
                    .table(Objections::Table)
                    .col(Objections::PublicityId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Certificates::Table)
                    .col(string_len(Certificates::Number, 32).primary_key())
                    .col(string_len(Certificates::DeclarationId, 36).unique_key())
                    .col(string_len(Certificates::PersonId, 36))
                    .col(string_len(Certificates::HolderName, 50))
                    .col(string_len(Certificates::IdNumberMasked, 18))
                    .col(string_len(Certificates::SeriesCode, 32))
                    .col(string_len(Certificates::SeriesName, 100))
                    .col(string_len(Certificates::Specialty, 100))
                    .col(string_len(Certificates::Level, 16))
                    .col(string_len(Certificates::TitleName, 100))
                    .col(string_len(Certificates::CommitteeId, 36))
                    .col(string_len(Certificates::CommitteeName, 100))
                    .col(string_len(Certificates::BureauOrgId, 36))
                    .col(string_len(Certificates::IssuedOn, 10))
                    .col(string_len(Certificates::Status, 16))
                    .col(text(Certificates::Pdf))
                    .col(text(Certificates::Signature))
                    .col(text_null(Certificates::RevokedReason))
                    .col(string_len_null(Certificates::RevokedBy, 36))
                    .col(timestamp_with_time_zone_null(Certificates::RevokedAt))
                    .col(timestamp_with_time_zone(Certificates::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_certificates_person")
                    .table(Certificates::Table)
                    .col(Certificates::PersonId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CertificateChecks::Table)
                    .col(string_len(CertificateChecks::Id, 36).primary_key())
                    .col(string_len(CertificateChecks::CertificateNumber, 32))
                    .col(string_len(CertificateChecks::Via, 16))
                    .col(string_len_null(CertificateChecks::CheckerOrgId, 36))
                    .col(string_len_null(CertificateChecks::CheckerOrgName, 100))
                    .col(timestamp_with_time_zone(CertificateChecks::CheckedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_certificate_checks_number")
                    .table(CertificateChecks::Table)
                    .col(CertificateChecks::CertificateNumber)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CertificateChecks::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Certificates::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Objections::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Publicities::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(CalendarDays::Table).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum CalendarDays {
    Table,
    Day,
    Kind,
    Note,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Publicities {
    Table,
    Id,
    SessionId,
    CommitteeId,
    PublishedOn,
    WorkingDays,
    EndsOn,
    Status,
    PublishedBy,
    PublishedAt,
    FinalisedAt,
}

#[derive(DeriveIden)]
enum Objections {
    Table,
    Id,
    PublicityId,
    DeclarationId,
    AccountId,
    Reason,
    Status,
    Answer,
    AnsweredBy,
    AnsweredAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Number,
    DeclarationId,
    PersonId,
    HolderName,
    IdNumberMasked,
    SeriesCode,
    SeriesName,
    Specialty,
    Level,
    TitleName,
    CommitteeId,
    CommitteeName,
    BureauOrgId,
    IssuedOn,
    Status,
    Pdf,
    Signature,
    RevokedReason,
    RevokedBy,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CertificateChecks {
    Table,
    Id,
    CertificateNumber,
    Via,
    CheckerOrgId,
    CheckerOrgName,
    CheckedAt,
}
