use sea_orm::entity::prelude::*;

/// A login sent to the provider and not yet back: found by the hash of its `state`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sso_logins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub state_hash: String,
    /// Hash of the browser cookie of whoever started the login (login CSRF defence).
    pub browser_hash: String,
    pub nonce_enc: String,
    pub pkce_verifier_enc: String,
    pub return_to: String,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
