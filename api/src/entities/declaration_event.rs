use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "declaration_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub declaration_id: String,
    pub at: DateTimeUtc,
    pub action: String,
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    pub actor_id: String,
    pub actor_name: String,
    pub opinion: Option<String>,
    pub detail: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
