use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "series_levels")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub series_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub level: String,
    /// The title at this level in this series, e.g. 高级工程师.
    pub title_name: String,
    pub active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
