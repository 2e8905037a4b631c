use sea_orm::entity::prelude::*;

/// 异议 against a declaration in 公示. Who objected is seen by nobody but the objector.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "objections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub publicity_id: String,
    pub declaration_id: String,
    pub account_id: String,
    pub reason: String,
    /// `open`, `upheld` or `dismissed`.
    pub status: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
