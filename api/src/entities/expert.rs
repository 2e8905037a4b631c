use sea_orm::entity::prelude::*;

/// An expert of a committee's library (评委专家库), with an `expert` account.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "experts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub committee_id: String,
    pub account_id: String,
    pub real_name: String,
    /// The organisation the expert works for.
    pub org_id: String,
    pub series_code: String,
    pub specialty: String,
    /// The expert's own title level.
    pub level: String,
    /// `active` (在库) or `removed` (出库).
    pub status: String,
    pub entry_reason: String,
    pub exit_reason: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub removed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
