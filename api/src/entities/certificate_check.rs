use sea_orm::entity::prelude::*;

/// One public verification of a certificate ("who checked me").
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "certificate_checks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub certificate_number: String,
    /// `lookup` or `pdf`.
    pub via: String,
    pub checker_org_id: Option<String>,
    pub checker_org_name: Option<String>,
    pub checked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
