use sea_orm::entity::prelude::*;

/// 评审会: a committee's session for a year, series and level, with the rules copied at opening.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "review_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub committee_id: String,
    pub name: String,
    pub year: i32,
    pub series_code: String,
    pub level: String,
    pub specialty: Option<String>,
    pub min_members: i32,
    pub quorum_numerator: i32,
    pub quorum_denominator: i32,
    pub pass_numerator: i32,
    pub pass_denominator: i32,
    /// Votes are taken until this instant (exclusive).
    pub vote_until: DateTimeUtc,
    /// `open` or `closed`.
    pub status: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub closed_by: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
