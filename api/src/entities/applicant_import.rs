use sea_orm::entity::prelude::*;

/// A person imported by an employer (`services::imports`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applicant_imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// One upload.
    pub batch_id: String,
    pub org_id: String,
    pub account_id: String,
    pub specialty: String,
    /// The row of the sheet it came from (1 is the header).
    pub sheet_row: i32,
    pub imported_by: String,
    pub imported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
