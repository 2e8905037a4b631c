use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "declaration_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub declaration_id: String,
    pub section: String,
    pub position: i32,
    pub data: Json,
    /// Flagged for modification (修改) by the last return.
    pub flagged: bool,
    pub review_opinion: Option<String>,
    pub changed_after_return: bool,
    pub added_after_return: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
