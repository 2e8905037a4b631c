//! What a declaration held when it was returned (退回): its 申报信息 and every item with its
//! evidence, so that the reviewer of the resubmission sees exactly what changed since (本次修改).
//! Rows are written in the return's transaction and never changed.

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
                    .table(DeclarationSnapshots::Table)
                    .col(string_len(DeclarationSnapshots::Id, 36).primary_key())
                    .col(string_len(DeclarationSnapshots::DeclarationId, 36))
                    .col(string_len(DeclarationSnapshots::OrgId, 36))
                    .col(timestamp_with_time_zone(DeclarationSnapshots::TakenAt))
                    .col(json_binary(DeclarationSnapshots::Info))
                    .col(json_binary(DeclarationSnapshots::Items))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_declaration_snapshots_declaration")
                            .from(DeclarationSnapshots::Table, DeclarationSnapshots::DeclarationId)
                            .to(Declarations::Table, Declarations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The latest snapshot of a declaration, and whether a page of the list has any.
        manager
            .create_index(
                Index::create()
                    .name("idx_declaration_snapshots_declaration")
                    .table(DeclarationSnapshots::Table)
                    .col(DeclarationSnapshots::DeclarationId)
                    .col(DeclarationSnapshots::TakenAt)
                    .to_owned(),
            )
            .await?;
        append_only::protect(manager, "declaration_snapshots").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        append_only::unprotect(manager, "declaration_snapshots").await?;
        manager.drop_table(Table::drop().table(DeclarationSnapshots::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum DeclarationSnapshots {
    Table,
    Id,
    DeclarationId,
    OrgId,
    TakenAt,
    Info,
    Items,
}

#[derive(DeriveIden)]
enum Declarations {
    Table,
    Id,
}
