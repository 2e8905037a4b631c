//! Unified platform login (OIDC): identity bindings, pending logins, one-time login codes and
//! registration tickets.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // An account has at most one platform identity, and an identity one account.
        manager
            .create_table(
                Table::create()
                    .table(SsoBindings::Table)
                    .col(string_len(SsoBindings::Id, 36).primary_key())
                    .col(string_len(SsoBindings::Issuer, 255))
                    .col(string_len(SsoBindings::Subject, 255))
                    .col(string_len_uniq(SsoBindings::AccountId, 36))
                    .col(timestamp_with_time_zone(SsoBindings::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sso_bindings_account")
                            .from(SsoBindings::Table, SsoBindings::AccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_sso_bindings_identity")
                    .table(SsoBindings::Table)
                    .col(SsoBindings::Issuer)
                    .col(SsoBindings::Subject)
                    .unique()
                    .to_owned(),
            )
            .await?;

        // A login started at the provider; found again by the hash of its `state`, and only
        // finished in the browser that started it (the hash of its `zc_sso_browser` cookie).
        manager
            .create_table(
                Table::create()
                    .table(SsoLogins::Table)
                    .col(string_len(SsoLogins::Id, 36).primary_key())
                    .col(string_len_uniq(SsoLogins::StateHash, 64))
                    .col(string_len(SsoLogins::BrowserHash, 64))
                    .col(text(SsoLogins::NonceEnc))
                    .col(text(SsoLogins::PkceVerifierEnc))
                    .col(string_len(SsoLogins::ReturnTo, 200))
                    .col(timestamp_with_time_zone(SsoLogins::ExpiresAt))
                    .col(timestamp_with_time_zone_null(SsoLogins::UsedAt))
                    .col(timestamp_with_time_zone(SsoLogins::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sso_logins_expires")
                    .table(SsoLogins::Table)
                    .col(SsoLogins::ExpiresAt)
                    .to_owned(),
            )
            .await?;

        // One-time login codes (`login_code`, for an account) and registration tickets
        // (`registration`, for a verified identity with no account yet), stored hashed.
        manager
            .create_table(
                Table::create()
                    .table(SsoGrants::Table)
                    .col(string_len(SsoGrants::Id, 36).primary_key())
                    .col(string_len(SsoGrants::Kind, 16))
                    .col(string_len_uniq(SsoGrants::TokenHash, 64))
                    .col(string_len_null(SsoGrants::AccountId, 36))
                    .col(string_len(SsoGrants::Issuer, 255))
                    .col(string_len(SsoGrants::Subject, 255))
                    .col(text_null(SsoGrants::IdentityEnc))
                    .col(string_len(SsoGrants::ReturnTo, 200))
                    .col(timestamp_with_time_zone(SsoGrants::ExpiresAt))
                    .col(timestamp_with_time_zone_null(SsoGrants::UsedAt))
                    .col(timestamp_with_time_zone(SsoGrants::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sso_grants_account")
                            .from(SsoGrants::Table, SsoGrants::AccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sso_grants_expires")
                    .table(SsoGrants::Table)
                    .col(SsoGrants::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [SsoGrants::Table.into_iden(), SsoLogins::Table.into_iden(), SsoBindings::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SsoBindings {
    Table,
    Id,
    Issuer,
    Subject,
    AccountId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SsoLogins {
    Table,
    Id,
    StateHash,
    BrowserHash,
    NonceEnc,
    PkceVerifierEnc,
    ReturnTo,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SsoGrants {
    Table,
    Id,
    Kind,
    TokenHash,
    AccountId,
    Issuer,
    Subject,
    IdentityEnc,
    ReturnTo,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}
