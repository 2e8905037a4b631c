//! 上级或主管单位名称 search: organisations by name, public fields only.

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::domain::OrgKind;
use crate::entities::org;
use crate::error::{AppResult, Problem};
use crate::routes::{Check, Page, PageQuery};
use crate::services::orgs;
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config.service(search_orgs);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgSearchQuery {
    /// Part of the organisation's name.
    pub q: Option<String>,
    pub kind: Option<OrgKind>,
}

/// The public face of an organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicOrg {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub kind_label: String,
    pub region_code: String,
}

impl From<org::Model> for PublicOrg {
    fn from(org: org::Model) -> Self {
        let kind = OrgKind::parse(&org.kind).unwrap_or(OrgKind::Enterprise);
        Self { id: org.id, name: org.name, kind, kind_label: kind.label().into(), region_code: org.region_code }
    }
}

/// Searches organisations by name, e.g. to pick the parent of a reporting path.
#[utoipa::path(
    tag = "orgs",
    security(("bearer" = [])),
    params(OrgSearchQuery, PageQuery),
    responses((status = 200, body = Page<PublicOrg>), (status = 401, body = Problem), (status = 422, body = Problem))
)]
#[get("/orgs")]
pub async fn search_orgs(
    state: web::Data<AppState>,
    _user: AuthUser,
    query: web::Query<OrgSearchQuery>,
    paging: web::Query<PageQuery>,
) -> AppResult<web::Json<Page<PublicOrg>>> {
    let (page, page_size) = paging.resolve()?;
    let mut check = Check::default();
    if query.q.as_deref().is_some_and(|q| q.chars().count() > 100) {
        check.fail("/q", "搜索内容过长");
    }
    check.finish()?;
    let (rows, total) = orgs::search(&state.db, query.q.as_deref(), query.kind, page, page_size).await?;
    Ok(web::Json(Page { items: rows.into_iter().map(PublicOrg::from).collect(), total, page, page_size }))
}
