//! Notifications: each account's SMS preference (a table of its own, so `accounts` is untouched), the record of every text the worker handled
//! (per-phone daily caps, and no second send of one queued text), and the record of reminders
//! and 催办 already given (once per kind, object and Beijing day).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Non-essential texts (progress, reminders) are on until the person turns them off (no
        // row: on); one-time codes are always sent.
        manager
            .create_table(
                Table::create()
                    .table(NotificationPreferences::Table)
                    .col(string_len(NotificationPreferences::AccountId, 36).primary_key())
                    .col(boolean(NotificationPreferences::SmsEnabled))
                    .col(timestamp_with_time_zone(NotificationPreferences::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_preferences_account")
                            .from(NotificationPreferences::Table, NotificationPreferences::AccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SmsDeliveries::Table)
                    // The `sms.send` job's id: one row per queued text, whoever handled it.
                    .col(string_len(SmsDeliveries::Id, 36).primary_key())
                    .col(string_len(SmsDeliveries::PhoneHash, 64))
                    .col(string_len(SmsDeliveries::Kind, 50))
                    // sending → sent | failed; or capped | opted_out
                    .col(string_len(SmsDeliveries::Status, 16))
                    // The Beijing day it counts towards (`2026-12-03`).
                    .col(string_len(SmsDeliveries::Day, 10))
                    .col(timestamp_with_time_zone(SmsDeliveries::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sms_deliveries_phone_day")
                    .table(SmsDeliveries::Table)
                    .col(SmsDeliveries::PhoneHash)
                    .col(SmsDeliveries::Day)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RemindersSent::Table)
                    // `draft_deadline`, `files_waiting`, `orgs_not_reported`, `urge` …
                    .col(string_len(RemindersSent::Kind, 50))
                    .col(string_len(RemindersSent::ObjectId, 64))
                    .col(string_len(RemindersSent::Day, 10))
                    .col(string_len_null(RemindersSent::ActorId, 36))
                    .col(timestamp_with_time_zone(RemindersSent::CreatedAt))
                    .primary_key(
                        Index::create().col(RemindersSent::Kind).col(RemindersSent::ObjectId).col(RemindersSent::Day),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RemindersSent::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(SmsDeliveries::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(NotificationPreferences::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum NotificationPreferences {
    Table,
    AccountId,
    SmsEnabled,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SmsDeliveries {
    Table,
    Id,
    PhoneHash,
    Kind,
    Status,
    Day,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RemindersSent {
    Table,
    Kind,
    ObjectId,
    Day,
    ActorId,
    CreatedAt,
}
