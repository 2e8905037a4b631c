//! 评委会: evaluation committees formed by an organisation and approved by a bureau, the routes by
//! which a bureau's accepted declarations reach one (评委会路径), the expert library (评委专家库),
//! review sessions (评审会) with their recorded draws, recusals, and the secret ballot.
//!
//! The ballot is two tables on purpose: `session_ballots` says who has voted on what (and when),
//! `session_votes` holds the choices and opinions with no expert, no time and a random id, so no
//! query can join a vote to the expert who cast it. Both are append-only, as are the draws' records.

use sea_orm_migration::{prelude::*, schema::*};

use crate::append_only;

#[derive(DeriveMigrationName)]
pub struct Migration;

const PROTECTED: [&str; 3] = ["session_ballots", "session_votes", "session_recusals"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Committees::Table)
                    .col(string_len(Committees::Id, 36).primary_key())
                    .col(string_len(Committees::Name, 100))
                    .col(string_len(Committees::OrgId, 36))
                    .col(string_len(Committees::BureauOrgId, 36))
                    .col(string_len(Committees::SeriesCode, 32))
                    .col(json_binary(Committees::Levels))
                    .col(string_len_null(Committees::SpecialtyGroup, 100))
                    .col(json_binary(Committees::MinMembers))
                    .col(integer(Committees::QuorumNumerator))
                    .col(integer(Committees::QuorumDenominator))
                    .col(integer(Committees::PassNumerator))
                    .col(integer(Committees::PassDenominator))
                    .col(string_len(Committees::Status, 16))
                    .col(text_null(Committees::Reason))
                    .col(string_len(Committees::CreatedBy, 36))
                    .col(string_len_null(Committees::DecidedBy, 36))
                    .col(timestamp_with_time_zone_null(Committees::DecidedAt))
                    .col(timestamp_with_time_zone(Committees::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_committees_org")
                            .from(Committees::Table, Committees::OrgId)
                            .to(Orgs::Table, Orgs::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_committees_bureau")
                            .from(Committees::Table, Committees::BureauOrgId)
                            .to(Orgs::Table, Orgs::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_committees_org").table(Committees::Table).col(Committees::OrgId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CommitteeRoutes::Table)
                    .col(string_len(CommitteeRoutes::Id, 36).primary_key())
                    .col(string_len(CommitteeRoutes::BureauOrgId, 36))
                    .col(string_len(CommitteeRoutes::CommitteeId, 36))
                    .col(string_len(CommitteeRoutes::SeriesCode, 32))
                    .col(string_len(CommitteeRoutes::Level, 16))
                    .col(string_len(CommitteeRoutes::Status, 16))
                    .col(text_null(CommitteeRoutes::Reason))
                    .col(string_len(CommitteeRoutes::AppliedBy, 36))
                    .col(string_len_null(CommitteeRoutes::DecidedBy, 36))
                    .col(timestamp_with_time_zone_null(CommitteeRoutes::DecidedAt))
                    .col(timestamp_with_time_zone(CommitteeRoutes::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_committee_routes_committee")
                            .from(CommitteeRoutes::Table, CommitteeRoutes::CommitteeId)
                            .to(Committees::Table, Committees::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_committee_routes_bureau")
                    .table(CommitteeRoutes::Table)
                    .col(CommitteeRoutes::BureauOrgId)
                    .col(CommitteeRoutes::SeriesCode)
                    .col(CommitteeRoutes::Level)
                    .to_owned(),
            )
            .await?;
        // One live (pending or approved) route per bureau, series and level, as for unit paths
        // (`uq_paths_live`): two requests at once cannot both pass the service's check.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_committee_routes_live ON committee_routes (bureau_org_id, series_code, level) \
                 WHERE status IN ('pending', 'approved')",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Experts::Table)
                    .col(string_len(Experts::Id, 36).primary_key())
                    .col(string_len(Experts::CommitteeId, 36))
                    .col(string_len(Experts::AccountId, 36))
                    .col(string_len(Experts::RealName, 50))
                    .col(string_len(Experts::OrgId, 36))
                    .col(string_len(Experts::SeriesCode, 32))
                    .col(string_len(Experts::Specialty, 100))
                    .col(string_len(Experts::Level, 16))
                    .col(string_len(Experts::Status, 16))
                    .col(text(Experts::EntryReason))
                    .col(text_null(Experts::ExitReason))
                    .col(string_len(Experts::CreatedBy, 36))
                    .col(timestamp_with_time_zone(Experts::CreatedAt))
                    .col(timestamp_with_time_zone_null(Experts::RemovedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_experts_committee")
                            .from(Experts::Table, Experts::CommitteeId)
                            .to(Committees::Table, Committees::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_experts_org")
                            .from(Experts::Table, Experts::OrgId)
                            .to(Orgs::Table, Orgs::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_experts_committee")
                    .table(Experts::Table)
                    .col(Experts::CommitteeId)
                    .col(Experts::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_experts_account").table(Experts::Table).col(Experts::AccountId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReviewSessions::Table)
                    .col(string_len(ReviewSessions::Id, 36).primary_key())
                    .col(string_len(ReviewSessions::CommitteeId, 36))
                    .col(string_len(ReviewSessions::Name, 100))
                    .col(integer(ReviewSessions::Year))
                    .col(string_len(ReviewSessions::SeriesCode, 32))
                    .col(string_len(ReviewSessions::Level, 16))
                    .col(string_len_null(ReviewSessions::Specialty, 100))
                    .col(integer(ReviewSessions::MinMembers))
                    .col(integer(ReviewSessions::QuorumNumerator))
                    .col(integer(ReviewSessions::QuorumDenominator))
                    .col(integer(ReviewSessions::PassNumerator))
                    .col(integer(ReviewSessions::PassDenominator))
                    .col(timestamp_with_time_zone(ReviewSessions::VoteUntil))
                    .col(string_len(ReviewSessions::Status, 16))
                    .col(string_len(ReviewSessions::CreatedBy, 36))
                    .col(timestamp_with_time_zone(ReviewSessions::CreatedAt))
                    .col(string_len_null(ReviewSessions::ClosedBy, 36))
                    .col(timestamp_with_time_zone_null(ReviewSessions::ClosedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_review_sessions_committee")
                            .from(ReviewSessions::Table, ReviewSessions::CommitteeId)
                            .to(Committees::Table, Committees::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SessionDeclarations::Table)
                    .col(string_len(SessionDeclarations::SessionId, 36))
                    .col(string_len(SessionDeclarations::DeclarationId, 36))
                    .col(string_len(SessionDeclarations::OrgId, 36))
                    .col(string_len_null(SessionDeclarations::Result, 16))
                    .col(integer_null(SessionDeclarations::Eligible))
                    .col(integer_null(SessionDeclarations::Present))
                    .col(integer_null(SessionDeclarations::Agree))
                    .col(integer_null(SessionDeclarations::Disagree))
                    .col(integer_null(SessionDeclarations::Abstain))
                    .col(timestamp_with_time_zone(SessionDeclarations::AddedAt))
                    .primary_key(
                        Index::create().col(SessionDeclarations::SessionId).col(SessionDeclarations::DeclarationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_session_declarations_session")
                            .from(SessionDeclarations::Table, SessionDeclarations::SessionId)
                            .to(ReviewSessions::Table, ReviewSessions::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_session_declarations_declaration")
                            .from(SessionDeclarations::Table, SessionDeclarations::DeclarationId)
                            .to(Declarations::Table, Declarations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_session_declarations_declaration")
                    .table(SessionDeclarations::Table)
                    .col(SessionDeclarations::DeclarationId)
                    .to_owned(),
            )
            .await?;

        // A draw is sealed (its seed and size recorded) before it is run; running fills in the
        // candidate list and the output once.
        manager
            .create_table(
                Table::create()
                    .table(Draws::Table)
                    .col(string_len(Draws::Id, 36).primary_key())
                    .col(string_len(Draws::SessionId, 36))
                    .col(string_len(Draws::Kind, 16))
                    .col(integer(Draws::Count))
                    .col(string_len_null(Draws::ReplacesExpertId, 36))
                    .col(string_len(Draws::Seed, 64))
                    .col(string_len(Draws::Algorithm, 64))
                    .col(json_binary_null(Draws::Candidates))
                    .col(json_binary_null(Draws::Output))
                    .col(string_len(Draws::Status, 16))
                    .col(string_len(Draws::CreatedBy, 36))
                    .col(timestamp_with_time_zone(Draws::SealedAt))
                    .col(timestamp_with_time_zone_null(Draws::RunAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_draws_session")
                            .from(Draws::Table, Draws::SessionId)
                            .to(ReviewSessions::Table, ReviewSessions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_draws_session").table(Draws::Table).col(Draws::SessionId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SessionMembers::Table)
                    .col(string_len(SessionMembers::SessionId, 36))
                    .col(string_len(SessionMembers::ExpertId, 36))
                    .col(string_len(SessionMembers::DrawId, 36))
                    .col(string_len(SessionMembers::Status, 16))
                    .col(text_null(SessionMembers::DeclineReason))
                    .col(timestamp_with_time_zone(SessionMembers::DrawnAt))
                    .primary_key(Index::create().col(SessionMembers::SessionId).col(SessionMembers::ExpertId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_session_members_session")
                            .from(SessionMembers::Table, SessionMembers::SessionId)
                            .to(ReviewSessions::Table, ReviewSessions::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_session_members_expert")
                            .from(SessionMembers::Table, SessionMembers::ExpertId)
                            .to(Experts::Table, Experts::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SessionRecusals::Table)
                    .col(string_len(SessionRecusals::SessionId, 36))
                    .col(string_len(SessionRecusals::DeclarationId, 36))
                    .col(string_len(SessionRecusals::ExpertId, 36))
                    .col(text(SessionRecusals::Reason))
                    .col(timestamp_with_time_zone(SessionRecusals::At))
                    .primary_key(
                        Index::create()
                            .col(SessionRecusals::SessionId)
                            .col(SessionRecusals::DeclarationId)
                            .col(SessionRecusals::ExpertId),
                    )
                    .to_owned(),
            )
            .await?;

        // Who has voted on what: no choice here.
        manager
            .create_table(
                Table::create()
                    .table(SessionBallots::Table)
                    .col(string_len(SessionBallots::SessionId, 36))
                    .col(string_len(SessionBallots::DeclarationId, 36))
                    .col(string_len(SessionBallots::ExpertId, 36))
                    .col(timestamp_with_time_zone(SessionBallots::At))
                    .primary_key(
                        Index::create()
                            .col(SessionBallots::SessionId)
                            .col(SessionBallots::DeclarationId)
                            .col(SessionBallots::ExpertId),
                    )
                    .to_owned(),
            )
            .await?;

        // The votes: no expert, no time, a random (not time-ordered) id.
        manager
            .create_table(
                Table::create()
                    .table(SessionVotes::Table)
                    .col(string_len(SessionVotes::Id, 36).primary_key())
                    .col(string_len(SessionVotes::SessionId, 36))
                    .col(string_len(SessionVotes::DeclarationId, 36))
                    .col(string_len(SessionVotes::Choice, 16))
                    .col(text_null(SessionVotes::Opinion))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_session_votes_declaration")
                    .table(SessionVotes::Table)
                    .col(SessionVotes::SessionId)
                    .col(SessionVotes::DeclarationId)
                    .to_owned(),
            )
            .await?;
        for table in PROTECTED {
            append_only::protect(manager, table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in PROTECTED {
            append_only::unprotect(manager, table).await?;
        }
        manager.drop_table(Table::drop().table(SessionVotes::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(SessionBallots::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(SessionRecusals::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(SessionMembers::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Draws::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(SessionDeclarations::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ReviewSessions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Experts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(CommitteeRoutes::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Committees::Table).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Declarations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Committees {
    Table,
    Id,
    Name,
    OrgId,
    BureauOrgId,
    SeriesCode,
    Levels,
    SpecialtyGroup,
    MinMembers,
    QuorumNumerator,
    QuorumDenominator,
    PassNumerator,
    PassDenominator,
    Status,
    Reason,
    CreatedBy,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CommitteeRoutes {
    Table,
    Id,
    BureauOrgId,
    CommitteeId,
    SeriesCode,
    Level,
    Status,
    Reason,
    AppliedBy,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Experts {
    Table,
    Id,
    CommitteeId,
    AccountId,
    RealName,
    OrgId,
    SeriesCode,
    Specialty,
    Level,
    Status,
    EntryReason,
    ExitReason,
    CreatedBy,
    CreatedAt,
    RemovedAt,
}

#[derive(DeriveIden)]
enum ReviewSessions {
    Table,
    Id,
    CommitteeId,
    Name,
    Year,
    SeriesCode,
    Level,
    Specialty,
    MinMembers,
    QuorumNumerator,
    QuorumDenominator,
    PassNumerator,
    PassDenominator,
    VoteUntil,
    Status,
    CreatedBy,
    CreatedAt,
    ClosedBy,
    ClosedAt,
}

#[derive(DeriveIden)]
enum SessionDeclarations {
    Table,
    SessionId,
    DeclarationId,
    OrgId,
    Result,
    Eligible,
    Present,
    Agree,
    Disagree,
    Abstain,
    AddedAt,
}

#[derive(DeriveIden)]
enum Draws {
    Table,
    Id,
    SessionId,
    Kind,
    Count,
    ReplacesExpertId,
    Seed,
    Algorithm,
    Candidates,
    Output,
    Status,
    CreatedBy,
    SealedAt,
    RunAt,
}

#[derive(DeriveIden)]
enum SessionMembers {
    Table,
    SessionId,
    ExpertId,
    DrawId,
    Status,
    DeclineReason,
    DrawnAt,
}

#[derive(DeriveIden)]
enum SessionRecusals {
    Table,
    SessionId,
    DeclarationId,
    ExpertId,
    Reason,
    At,
}

#[derive(DeriveIden)]
enum SessionBallots {
    Table,
    SessionId,
    DeclarationId,
    ExpertId,
    At,
}

#[derive(DeriveIden)]
enum SessionVotes {
    Table,
    Id,
    SessionId,
    DeclarationId,
    Choice,
    Opinion,
}
