use sea_orm::entity::prelude::*;

/// 职称电子证书: issued when a declaration is certified; revoked (撤销) by the bureau.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: String,
    pub declaration_id: String,
    pub person_id: String,
    pub holder_name: String,
    pub id_number_masked: String,
    pub series_code: String,
    pub series_name: String,
    pub specialty: String,
    pub level: String,
    pub title_name: String,
    pub committee_id: String,
    pub committee_name: String,
    pub bureau_org_id: String,
    pub issued_on: String,
    /// `valid` or `revoked`.
    pub status: String,
    /// The issued PDF, base64.
    pub pdf: String,
    /// Base64 Ed25519 signature over the PDF's bytes (detached).
    pub signature: String,
    pub revoked_reason: Option<String>,
    pub revoked_by: Option<String>,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
