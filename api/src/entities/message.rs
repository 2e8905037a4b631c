use sea_orm::entity::prelude::*;

/// One message (站内信) to one account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The recipient.
    pub account_id: String,
    /// What happened, machine-readable (`declaration_returned`, `files_arrived` …).
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Where in the SPA the object is (`/declarations/<id>/progress`).
    pub link: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
