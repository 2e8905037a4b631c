use sea_orm::entity::prelude::*;

/// A generated 评审表's content hash (`services::review_forms`), what its QR code points at.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "review_form_prints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub content_hash: String,
    pub declaration_id: String,
    /// The account that first generated this content.
    pub printed_by: String,
    pub printed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
