//! Form templates, declarations with their items and evidence, where each declaration has been,
//! and its append-only event history.

use sea_orm_migration::{prelude::*, schema::*};

use crate::append_only;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FormTemplates::Table)
                    .col(string_len(FormTemplates::Id, 36).primary_key())
                    // NULL: the default template every series without its own uses.
                    .col(string_len_null(FormTemplates::SeriesCode, 32))
                    .col(integer(FormTemplates::Version))
                    .col(json_binary(FormTemplates::Body))
                    .col(string_len_null(FormTemplates::CreatedBy, 36))
                    .col(timestamp_with_time_zone(FormTemplates::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_form_templates_series_version")
                    .table(FormTemplates::Table)
                    .col(FormTemplates::SeriesCode)
                    .col(FormTemplates::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Attachments::Table)
                    .col(string_len(Attachments::Id, 36).primary_key())
                    .col(string_len(Attachments::OwnerId, 36))
                    .col(string_len(Attachments::Filename, 255))
                    .col(string_len(Attachments::ContentType, 64))
                    .col(big_integer(Attachments::Size))
                    .col(string_len(Attachments::Sha256, 64))
                    .col(string_len(Attachments::StorageKey, 255))
                    .col(timestamp_with_time_zone(Attachments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_attachments_owner")
                            .from(Attachments::Table, Attachments::OwnerId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_attachments_owner")
                    .table(Attachments::Table)
                    .col(Attachments::OwnerId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Declarations::Table)
                    .col(string_len(Declarations::Id, 36).primary_key())
                    .col(string_len(Declarations::PersonId, 36))
                    .col(string_len(Declarations::ApplicantName, 50))
                    .col(integer(Declarations::Year))
                    .col(string_len(Declarations::Kind, 16))
                    .col(string_len(Declarations::SeriesCode, 32))
                    .col(string_len(Declarations::Level, 16))
                    .col(string_len(Declarations::Specialty, 50))
                    .col(string_len(Declarations::OrgId, 36))
                    .col(string_len_null(Declarations::HolderOrgId, 36))
                    .col(string_len(Declarations::Status, 16))
                    .col(string_len(Declarations::TemplateId, 36))
                    .col(json_binary(Declarations::Info))
                    .col(boolean(Declarations::BasicConfirmed))
                    .col(json_binary(Declarations::OpenSections))
                    .col(boolean(Declarations::InfoUnlocked))
                    .col(text_null(Declarations::ReturnOpinion))
                    .col(string_len_null(Declarations::CopiedFrom, 36))
                    .col(integer(Declarations::Version))
                    .col(timestamp_with_time_zone_null(Declarations::SubmittedAt))
                    .col(timestamp_with_time_zone(Declarations::CreatedAt))
                    .col(timestamp_with_time_zone(Declarations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_declarations_person")
                            .from(Declarations::Table, Declarations::PersonId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_declarations_org")
                            .from(Declarations::Table, Declarations::OrgId)
                            .to(Orgs::Table, Orgs::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_declarations_template")
                            .from(Declarations::Table, Declarations::TemplateId)
                            .to(FormTemplates::Table, FormTemplates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // 同一年度只能选择一项: one declaration per person per year, whatever its kind.
        manager
            .create_index(
                Index::create()
                    .name("uq_declarations_person_year")
                    .table(Declarations::Table)
                    .col(Declarations::PersonId)
                    .col(Declarations::Year)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The review list: held by an org, filtered by status, year, level and series.
        manager
            .create_index(
                Index::create()
                    .name("idx_declarations_holder")
                    .table(Declarations::Table)
                    .col(Declarations::HolderOrgId)
                    .col(Declarations::Status)
                    .col(Declarations::Year)
                    .col(Declarations::Level)
                    .col(Declarations::SeriesCode)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DeclarationItems::Table)
                    .col(string_len(DeclarationItems::Id, 36).primary_key())
                    .col(string_len(DeclarationItems::DeclarationId, 36))
                    .col(string_len(DeclarationItems::Section, 32))
                    .col(integer(DeclarationItems::Position))
                    .col(json_binary(DeclarationItems::Data))
                    .col(boolean(DeclarationItems::Flagged))
                    .col(text_null(DeclarationItems::ReviewOpinion))
                    .col(boolean(DeclarationItems::ChangedAfterReturn))
                    .col(boolean(DeclarationItems::AddedAfterReturn))
                    .col(timestamp_with_time_zone(DeclarationItems::CreatedAt))
                    .col(timestamp_with_time_zone(DeclarationItems::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_items_declaration")
                            .from(DeclarationItems::Table, DeclarationItems::DeclarationId)
                            .to(Declarations::Table, Declarations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_items_declaration")
                    .table(DeclarationItems::Table)
                    .col(DeclarationItems::DeclarationId)
                    .col(DeclarationItems::Position)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ItemAttachments::Table)
                    .col(string_len(ItemAttachments::ItemId, 36))
                    .col(string_len(ItemAttachments::AttachmentId, 36))
                    .col(integer(ItemAttachments::Position))
                    .primary_key(Index::create().col(ItemAttachments::ItemId).col(ItemAttachments::AttachmentId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_item_attachments_item")
                            .from(ItemAttachments::Table, ItemAttachments::ItemId)
                            .to(DeclarationItems::Table, DeclarationItems::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_item_attachments_attachment")
                            .from(ItemAttachments::Table, ItemAttachments::AttachmentId)
                            .to(Attachments::Table, Attachments::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_item_attachments_attachment")
                    .table(ItemAttachments::Table)
                    .col(ItemAttachments::AttachmentId)
                    .to_owned(),
            )
            .await?;

        // Every organisation a declaration has reached: it may see the declaration from then on.
        manager
            .create_table(
                Table::create()
                    .table(DeclarationHolders::Table)
                    .col(string_len(DeclarationHolders::DeclarationId, 36))
                    .col(string_len(DeclarationHolders::OrgId, 36))
                    .col(timestamp_with_time_zone(DeclarationHolders::ArrivedAt))
                    .primary_key(Index::create().col(DeclarationHolders::DeclarationId).col(DeclarationHolders::OrgId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_holders_declaration")
                            .from(DeclarationHolders::Table, DeclarationHolders::DeclarationId)
                            .to(Declarations::Table, Declarations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_holders_org")
                    .table(DeclarationHolders::Table)
                    .col(DeclarationHolders::OrgId)
                    .col(DeclarationHolders::DeclarationId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DeclarationEvents::Table)
                    .col(string_len(DeclarationEvents::Id, 36).primary_key())
                    .col(string_len(DeclarationEvents::DeclarationId, 36))
                    .col(timestamp_with_time_zone(DeclarationEvents::At))
                    .col(string_len(DeclarationEvents::Action, 16))
                    .col(string_len_null(DeclarationEvents::OrgId, 36))
                    .col(string_len_null(DeclarationEvents::OrgName, 100))
                    .col(string_len(DeclarationEvents::ActorId, 36))
                    .col(string_len(DeclarationEvents::ActorName, 50))
                    .col(text_null(DeclarationEvents::Opinion))
                    .col(json_binary_null(DeclarationEvents::Detail))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_events_declaration")
                            .from(DeclarationEvents::Table, DeclarationEvents::DeclarationId)
                            .to(Declarations::Table, Declarations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_events_declaration")
                    .table(DeclarationEvents::Table)
                    .col(DeclarationEvents::DeclarationId)
                    .col(DeclarationEvents::At)
                    .to_owned(),
            )
            .await?;
        append_only::protect(manager, "declaration_events").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        append_only::unprotect(manager, "declaration_events").await?;
        for table in [
            DeclarationEvents::Table.into_iden(),
            DeclarationHolders::Table.into_iden(),
            ItemAttachments::Table.into_iden(),
            DeclarationItems::Table.into_iden(),
            Declarations::Table.into_iden(),
            Attachments::Table.into_iden(),
            FormTemplates::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum FormTemplates {
    Table,
    Id,
    SeriesCode,
    Version,
    Body,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
    OwnerId,
    Filename,
    ContentType,
    Size,
    Sha256,
    StorageKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Declarations {
    Table,
    Id,
    PersonId,
    ApplicantName,
    Year,
    Kind,
    SeriesCode,
    Level,
    Specialty,
    OrgId,
    HolderOrgId,
    Status,
    TemplateId,
    Info,
    BasicConfirmed,
    OpenSections,
    InfoUnlocked,
    ReturnOpinion,
    CopiedFrom,
    Version,
    SubmittedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DeclarationItems {
    Table,
    Id,
    DeclarationId,
    Section,
    Position,
    Data,
    Flagged,
    ReviewOpinion,
    ChangedAfterReturn,
    AddedAfterReturn,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ItemAttachments {
    Table,
    ItemId,
    AttachmentId,
    Position,
}

#[derive(DeriveIden)]
enum DeclarationHolders {
    Table,
    DeclarationId,
    OrgId,
    ArrivedAt,
}

#[derive(DeriveIden)]
enum DeclarationEvents {
    Table,
    Id,
    DeclarationId,
    At,
    Action,
    OrgId,
    OrgName,
    ActorId,
    ActorName,
    Opinion,
    Detail,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
}
