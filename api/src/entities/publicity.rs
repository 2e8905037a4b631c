use sea_orm::entity::prelude::*;

/// The 公示 of a closed review session's results.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "publicities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub session_id: String,
    pub committee_id: String,
    /// `YYYY-MM-DD`, China Standard Time.
    pub published_on: String,
    pub working_days: i32,
    /// The last day objections are taken, `YYYY-MM-DD`.
    pub ends_on: String,
    /// `open` or `final`.
    pub status: String,
    pub published_by: String,
    pub published_at: DateTimeUtc,
    pub finalised_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
