use sea_orm::entity::prelude::*;

/// A one-time login code (`login_code`) or registration ticket (`registration`), stored hashed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sso_grants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub kind: String,
    pub token_hash: String,
    pub account_id: Option<String>,
    pub issuer: String,
    pub subject: String,
    /// The verified identity of a registration ticket, encrypted.
    pub identity_enc: Option<String>,
    pub return_to: String,
    /// Hash of the `zc_sso_browser` cookie of the browser whose login issued it; only that
    /// browser may use the grant.
    pub browser_hash: Option<String>,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
