use sea_orm::entity::prelude::*;

/// Refused requests of one kind from one account (or IP) in one minute (`services::refusals`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_refusals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `account:<id>` or `ip:<address>`: whom the fold counts.
    pub subject: String,
    pub account_id: Option<String>,
    pub ip: Option<String>,
    /// `not_found`, `forbidden`, `revoked_token` or `forged_token`.
    pub kind: String,
    /// The minute the refusals fell in.
    pub window_start: DateTimeUtc,
    pub first_at: DateTimeUtc,
    pub last_at: DateTimeUtc,
    pub count: i64,
    /// Of the first refusal in the window.
    pub method: String,
    pub path: String,
    pub status: i16,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
