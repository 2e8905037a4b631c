use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub real_name: String,
    pub id_number_enc: Option<String>,
    pub id_number_hash: Option<String>,
    pub phone_enc: Option<String>,
    pub phone_hash: Option<String>,
    pub org_id: Option<String>,
    pub status: String,
    pub created_by: Option<String>,
    pub password_changed_at: DateTimeUtc,
    pub tokens_valid_after: DateTimeUtc,
    /// The TOTP secret (base32), encrypted; set from the start of enrolment.
    pub totp_secret_enc: Option<String>,
    /// When the second factor was confirmed; from then on login asks for a code.
    pub totp_enabled_at: Option<DateTimeUtc>,
    /// The last TOTP time step accepted; a code is good once.
    pub totp_last_step: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
