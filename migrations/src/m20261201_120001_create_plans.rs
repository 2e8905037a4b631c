//! 申报计划: the year's plans of a bureau (series × levels, the window for individuals, each
//! level's deadline), their extensions (延期), the 诚信承诺书 texts by hash, the eligibility rules
//! (资格条件) as data, and the declaration's link to its plan and its 破格 explanations.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Content-addressed: a hash in an event can always be read back as the text accepted.
        manager
            .create_table(
                Table::create()
                    .table(PledgeTexts::Table)
                    .col(string_len(PledgeTexts::Sha256, 64).primary_key())
                    .col(text(PledgeTexts::Text))
                    .col(timestamp_with_time_zone(PledgeTexts::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Plans::Table)
                    .col(string_len(Plans::Id, 36).primary_key())
                    .col(string_len(Plans::BureauOrgId, 36))
                    .col(integer(Plans::Year))
                    .col(string_len(Plans::Kind, 16))
                    .col(string_len(Plans::Name, 100))
                    .col(text(Plans::Notice))
                    .col(string_len_null(Plans::NoticeAttachmentId, 36))
                    .col(timestamp_with_time_zone(Plans::OpensAt))
                    .col(timestamp_with_time_zone(Plans::ClosesAt))
                    .col(timestamp_with_time_zone(Plans::ReturnClosesAt))
                    .col(timestamp_with_time_zone(Plans::EmployerClosesAt))
                    .col(timestamp_with_time_zone(Plans::AuthorityClosesAt))
                    .col(timestamp_with_time_zone(Plans::BureauClosesAt))
                    .col(string_len(Plans::PledgeSha256, 64))
                    .col(boolean(Plans::ExceptionalAllowed))
                    .col(string_len(Plans::CreatedBy, 36))
                    .col(integer(Plans::Version))
                    .col(timestamp_with_time_zone(Plans::CreatedAt))
                    .col(timestamp_with_time_zone(Plans::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plans_bureau")
                            .from(Plans::Table, Plans::BureauOrgId)
                            .to(Orgs::Table, Orgs::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plans_pledge")
                            .from(Plans::Table, Plans::PledgeSha256)
                            .to(PledgeTexts::Table, PledgeTexts::Sha256),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plans_notice_attachment")
                            .from(Plans::Table, Plans::NoticeAttachmentId)
                            .to(Attachments::Table, Attachments::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plans_year_kind")
                    .table(Plans::Table)
                    .col(Plans::Year)
                    .col(Plans::Kind)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plans_bureau")
                    .table(Plans::Table)
                    .col(Plans::BureauOrgId)
                    .col(Plans::Year)
                    .to_owned(),
            )
            .await?;

        // The series × levels a plan opens, as rows (only pairs the catalogue has).
        manager
            .create_table(
                Table::create()
                    .table(PlanScopes::Table)
                    .col(string_len(PlanScopes::PlanId, 36))
                    .col(string_len(PlanScopes::SeriesCode, 32))
                    .col(string_len(PlanScopes::Level, 16))
                    .primary_key(
                        Index::create().col(PlanScopes::PlanId).col(PlanScopes::SeriesCode).col(PlanScopes::Level),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_scopes_plan")
                            .from(PlanScopes::Table, PlanScopes::PlanId)
                            .to(Plans::Table, Plans::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plan_scopes_series_level")
                    .table(PlanScopes::Table)
                    .col(PlanScopes::SeriesCode)
                    .col(PlanScopes::Level)
                    .to_owned(),
            )
            .await?;

        // 延期: a later deadline for one organisation and everything below it.
        manager
            .create_table(
                Table::create()
                    .table(PlanExtensions::Table)
                    .col(string_len(PlanExtensions::Id, 36).primary_key())
                    .col(string_len(PlanExtensions::PlanId, 36))
                    .col(string_len(PlanExtensions::OrgId, 36))
                    .col(timestamp_with_time_zone_null(PlanExtensions::DeclareUntil))
                    .col(timestamp_with_time_zone_null(PlanExtensions::ReviewUntil))
                    .col(text(PlanExtensions::Reason))
                    .col(string_len(PlanExtensions::CreatedBy, 36))
                    .col(string_len(PlanExtensions::CreatedByName, 50))
                    .col(timestamp_with_time_zone(PlanExtensions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_extensions_plan")
                            .from(PlanExtensions::Table, PlanExtensions::PlanId)
                            .to(Plans::Table, Plans::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_extensions_org")
                            .from(PlanExtensions::Table, PlanExtensions::OrgId)
                            .to(Orgs::Table, Orgs::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plan_extensions_plan_org")
                    .table(PlanExtensions::Table)
                    .col(PlanExtensions::PlanId)
                    .col(PlanExtensions::OrgId)
                    .to_owned(),
            )
            .await?;

        // 资格条件 as data: per level, optionally per series and per plan. `scope_key` makes the
        // triple unique on both databases (NULLs are distinct in a unique index).
        manager
            .create_table(
                Table::create()
                    .table(EligibilityRuleSets::Table)
                    .col(string_len(EligibilityRuleSets::Id, 36).primary_key())
                    .col(string_len(EligibilityRuleSets::ScopeKey, 100).unique_key())
                    .col(string_len_null(EligibilityRuleSets::PlanId, 36))
                    .col(string_len_null(EligibilityRuleSets::SeriesCode, 32))
                    .col(string_len(EligibilityRuleSets::Level, 16))
                    .col(json_binary(EligibilityRuleSets::Rules))
                    .col(string_len_null(EligibilityRuleSets::UpdatedBy, 36))
                    .col(timestamp_with_time_zone(EligibilityRuleSets::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_eligibility_plan")
                            .from(EligibilityRuleSets::Table, EligibilityRuleSets::PlanId)
                            .to(Plans::Table, Plans::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Declarations::Table)
                    .add_column(string_len_null(Declarations::PlanId, 36))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Declarations::Table)
                    .add_column(boolean(Declarations::Exceptional).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Declarations::Table)
                    .add_column(json_binary_null(Declarations::ExceptionalExplanations))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_declarations_plan")
                    .table(Declarations::Table)
                    .col(Declarations::PlanId)
                    .col(Declarations::Status)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("idx_declarations_plan").table(Declarations::Table).to_owned()).await?;
        for column in [Declarations::ExceptionalExplanations, Declarations::Exceptional, Declarations::PlanId] {
            manager.alter_table(Table::alter().table(Declarations::Table).drop_column(column).to_owned()).await?;
        }
        manager.drop_table(Table::drop().table(EligibilityRuleSets::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(PlanExtensions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(PlanScopes::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Plans::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(PledgeTexts::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum PledgeTexts {
    Table,
    Sha256,
    Text,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Plans {
    Table,
    Id,
    BureauOrgId,
    Year,
    Kind,
    Name,
    Notice,
    NoticeAttachmentId,
    OpensAt,
    ClosesAt,
    ReturnClosesAt,
    EmployerClosesAt,
    AuthorityClosesAt,
    BureauClosesAt,
    PledgeSha256,
    ExceptionalAllowed,
    CreatedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PlanScopes {
    Table,
    PlanId,
    SeriesCode,
    Level,
}

#[derive(DeriveIden)]
enum PlanExtensions {
    Table,
    Id,
    PlanId,
    OrgId,
    DeclareUntil,
    ReviewUntil,
    Reason,
    CreatedBy,
    CreatedByName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EligibilityRuleSets {
    Table,
    Id,
    ScopeKey,
    PlanId,
    SeriesCode,
    Level,
    Rules,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Declarations {
    Table,
    PlanId,
    Status,
    Exceptional,
    ExceptionalExplanations,
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
}
