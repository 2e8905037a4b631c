//! Organisations, accounts, sessions, one-time codes, the SMS outbox and the audit log.

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
                    .table(Orgs::Table)
                    .col(string_len(Orgs::Id, 36).primary_key())
                    .col(string_len(Orgs::Name, 100))
                    .col(string_len_uniq(Orgs::Uscc, 18))
                    .col(string_len(Orgs::Kind, 16))
                    .col(string_len(Orgs::RegionCode, 12))
                    .col(string_len(Orgs::Address, 200))
                    .col(string_len(Orgs::ContactName, 50))
                    .col(text(Orgs::ContactPhoneEnc))
                    .col(string_len(Orgs::Status, 16))
                    .col(timestamp_with_time_zone(Orgs::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("idx_orgs_name").table(Orgs::Table).col(Orgs::Name).to_owned())
            .await?;
        manager
            .create_index(Index::create().name("idx_orgs_kind").table(Orgs::Table).col(Orgs::Kind).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .col(string_len(Accounts::Id, 36).primary_key())
                    .col(string_len_uniq(Accounts::Username, 32))
                    .col(string_len(Accounts::PasswordHash, 255))
                    .col(string_len(Accounts::Role, 16))
                    .col(string_len(Accounts::RealName, 50))
                    .col(text_null(Accounts::IdNumberEnc))
                    .col(string_len_null(Accounts::IdNumberHash, 64))
                    .col(text_null(Accounts::PhoneEnc))
                    .col(string_len_null(Accounts::PhoneHash, 64))
                    .col(string_len_null(Accounts::OrgId, 36))
                    .col(string_len(Accounts::Status, 16))
                    .col(string_len_null(Accounts::CreatedBy, 36))
                    .col(timestamp_with_time_zone(Accounts::PasswordChangedAt))
                    .col(timestamp_with_time_zone(Accounts::TokensValidAfter))
                    .col(timestamp_with_time_zone(Accounts::CreatedAt))
                    .col(timestamp_with_time_zone(Accounts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_accounts_org")
                            .from(Accounts::Table, Accounts::OrgId)
                            .to(Orgs::Table, Orgs::Id),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // One person account per ID number and per phone; reviewers are unique per org.
        // Partial indexes have the same syntax on SQLite and PostgreSQL.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX uq_accounts_person_id_number ON accounts (id_number_hash) WHERE role = 'person'",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX uq_accounts_person_phone ON accounts (phone_hash) WHERE role = 'person'",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX uq_accounts_reviewer ON accounts (org_id, id_number_hash) WHERE role = 'reviewer'",
        )
        .await?;
        manager
            .create_index(
                Index::create().name("idx_accounts_phone").table(Accounts::Table).col(Accounts::PhoneHash).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_accounts_org_role")
                    .table(Accounts::Table)
                    .col(Accounts::OrgId)
                    .col(Accounts::Role)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginAttempts::Table)
                    .col(string_len(LoginAttempts::Key, 100).primary_key())
                    .col(integer(LoginAttempts::Failures))
                    .col(timestamp_with_time_zone_null(LoginAttempts::LockedUntil))
                    .col(timestamp_with_time_zone(LoginAttempts::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(string_len(RefreshTokens::Id, 36).primary_key())
                    .col(string_len(RefreshTokens::AccountId, 36))
                    .col(string_len(RefreshTokens::FamilyId, 36))
                    .col(string_len_uniq(RefreshTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                    .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_refresh_tokens_account")
                            .from(RefreshTokens::Table, RefreshTokens::AccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refresh_tokens_family")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::FamilyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refresh_tokens_account")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::AccountId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OneTimeCodes::Table)
                    .col(string_len(OneTimeCodes::Id, 36).primary_key())
                    .col(string_len(OneTimeCodes::Subject, 64))
                    .col(string_len(OneTimeCodes::Purpose, 32))
                    .col(string_len(OneTimeCodes::CodeHash, 64))
                    .col(timestamp_with_time_zone(OneTimeCodes::ExpiresAt))
                    .col(integer(OneTimeCodes::Attempts))
                    .col(timestamp_with_time_zone_null(OneTimeCodes::UsedAt))
                    .col(timestamp_with_time_zone(OneTimeCodes::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_one_time_codes_subject")
                    .table(OneTimeCodes::Table)
                    .col(OneTimeCodes::Subject)
                    .col(OneTimeCodes::Purpose)
                    .col(OneTimeCodes::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SmsOutbox::Table)
                    .col(string_len(SmsOutbox::Id, 36).primary_key())
                    .col(string_len(SmsOutbox::PhoneHash, 64))
                    .col(string_len(SmsOutbox::PhoneMasked, 16))
                    .col(text(SmsOutbox::Body))
                    .col(timestamp_with_time_zone(SmsOutbox::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sms_outbox_phone")
                    .table(SmsOutbox::Table)
                    .col(SmsOutbox::PhoneHash)
                    .col(SmsOutbox::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_integer(AuditLog::Id).primary_key())
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(string_len_null(AuditLog::ActorId, 36))
                    .col(string_len_null(AuditLog::ActorName, 50))
                    .col(string_len_null(AuditLog::OrgId, 36))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len_null(AuditLog::ObjectType, 32))
                    .col(string_len_null(AuditLog::ObjectId, 64))
                    .col(string_len(AuditLog::Result, 16))
                    .col(string_len_null(AuditLog::Ip, 64))
                    .col(json_binary_null(AuditLog::Detail))
                    .col(string_len(AuditLog::PrevHash, 64))
                    .col(string_len(AuditLog::Hash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("idx_audit_log_at").table(AuditLog::Table).col(AuditLog::At).to_owned())
            .await?;
        append_only::protect(manager, "audit_log").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        append_only::unprotect(manager, "audit_log").await?;
        for table in [
            AuditLog::Table.into_iden(),
            SmsOutbox::Table.into_iden(),
            OneTimeCodes::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            LoginAttempts::Table.into_iden(),
            Accounts::Table.into_iden(),
            Orgs::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
    Name,
    Uscc,
    Kind,
    RegionCode,
    Address,
    ContactName,
    ContactPhoneEnc,
    Status,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Username,
    PasswordHash,
    Role,
    RealName,
    IdNumberEnc,
    IdNumberHash,
    PhoneEnc,
    PhoneHash,
    OrgId,
    Status,
    CreatedBy,
    PasswordChangedAt,
    TokensValidAfter,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    Key,
    Failures,
    LockedUntil,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    AccountId,
    FamilyId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OneTimeCodes {
    Table,
    Id,
    Subject,
    Purpose,
    CodeHash,
    ExpiresAt,
    Attempts,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SmsOutbox {
    Table,
    Id,
    PhoneHash,
    PhoneMasked,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorId,
    ActorName,
    OrgId,
    Action,
    ObjectType,
    ObjectId,
    Result,
    Ip,
    Detail,
    PrevHash,
    Hash,
}
