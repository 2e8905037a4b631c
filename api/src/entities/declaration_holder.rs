use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "declaration_holders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub declaration_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub org_id: String,
    pub arrived_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
