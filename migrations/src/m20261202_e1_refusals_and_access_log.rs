//! Two tables that fold repeats into a count, which is why neither is append-only:
//!
//! - `access_refusals`: refused object access (404 for a stranger's id, 403, a forged or revoked
//!   token), one row per (account or IP, kind, minute) with a count. The hash-chained audit log
//!   gets one `access_denied` entry when a row is opened; the repeats only raise the count here,
//!   so one account cannot flood the chain.
//! - `declaration_access_log` (访问记录): an organisation's account opened a person's declaration
//!   or downloaded one of its files; repeats by the same account within ten minutes raise the count.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccessRefusals::Table)
                    .col(string_len(AccessRefusals::Id, 36).primary_key())
                    .col(string_len(AccessRefusals::Subject, 80))
                    .col(string_len_null(AccessRefusals::AccountId, 36))
                    .col(string_len_null(AccessRefusals::Ip, 64))
                    .col(string_len(AccessRefusals::Kind, 32))
                    .col(timestamp_with_time_zone(AccessRefusals::WindowStart))
                    .col(timestamp_with_time_zone(AccessRefusals::FirstAt))
                    .col(timestamp_with_time_zone(AccessRefusals::LastAt))
                    .col(big_integer(AccessRefusals::Count))
                    .col(string_len(AccessRefusals::Method, 16))
                    .col(string_len(AccessRefusals::Path, 255))
                    .col(small_integer(AccessRefusals::Status))
                    .to_owned(),
            )
            .await?;
        // The fold: at most one row per subject, kind and minute (an upsert's conflict target).
        manager
            .create_index(
                Index::create()
                    .name("ux_access_refusals_fold")
                    .table(AccessRefusals::Table)
                    .col(AccessRefusals::Subject)
                    .col(AccessRefusals::Kind)
                    .col(AccessRefusals::WindowStart)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DeclarationAccessLog::Table)
                    .col(string_len(DeclarationAccessLog::Id, 36).primary_key())
                    .col(string_len(DeclarationAccessLog::DeclarationId, 36))
                    .col(string_len(DeclarationAccessLog::OrgId, 36))
                    .col(string_len(DeclarationAccessLog::OrgName, 200))
                    .col(string_len(DeclarationAccessLog::AccountId, 36))
                    .col(string_len(DeclarationAccessLog::AccountName, 100))
                    .col(string_len(DeclarationAccessLog::Username, 64))
                    .col(string_len(DeclarationAccessLog::Action, 16))
                    .col(string_len_null(DeclarationAccessLog::AttachmentId, 36))
                    .col(string_len_null(DeclarationAccessLog::AttachmentName, 255))
                    .col(timestamp_with_time_zone(DeclarationAccessLog::FirstAt))
                    .col(timestamp_with_time_zone(DeclarationAccessLog::LastAt))
                    .col(integer(DeclarationAccessLog::Count))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_declaration_access_log_declaration")
                            .from(DeclarationAccessLog::Table, DeclarationAccessLog::DeclarationId)
                            .to(Declarations::Table, Declarations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_declaration_access_log_declaration")
                    .table(DeclarationAccessLog::Table)
                    .col(DeclarationAccessLog::DeclarationId)
                    .col(DeclarationAccessLog::LastAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(DeclarationAccessLog::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(AccessRefusals::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AccessRefusals {
    Table,
    Id,
    Subject,
    AccountId,
    Ip,
    Kind,
    WindowStart,
    FirstAt,
    LastAt,
    Count,
    Method,
    Path,
    Status,
}

#[derive(DeriveIden)]
enum DeclarationAccessLog {
    Table,
    Id,
    DeclarationId,
    OrgId,
    OrgName,
    AccountId,
    AccountName,
    Username,
    Action,
    AttachmentId,
    AttachmentName,
    FirstAt,
    LastAt,
    Count,
}

#[derive(DeriveIden)]
enum Declarations {
    Table,
    Id,
}
