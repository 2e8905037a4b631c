use sea_orm::entity::prelude::*;

/// What a declaration held when it was returned (`services::declarations::snapshot`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "declaration_snapshots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub declaration_id: String,
    /// The organisation that returned it.
    pub org_id: String,
    pub taken_at: DateTimeUtc,
    pub info: Json,
    /// `[{id, section, data, attachments: [{id, filename, content_type, size}]}]`
    pub items: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
