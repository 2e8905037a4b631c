use sea_orm::entity::prelude::*;

/// A vote: no expert, no time, a random id (the secret ballot).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "session_votes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub session_id: String,
    pub declaration_id: String,
    /// `agree` (同意), `disagree` (不同意) or `abstain` (弃权).
    pub choice: String,
    pub opinion: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
