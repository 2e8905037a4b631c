//! Form templates: served to the SPA, which renders forms from them; published by the admin.

use actix_web::{get, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::domain::Role;
use crate::domain::form::{Field, FormBody, Section};
use crate::error::{AppResult, Problem};
use crate::routes::json::Json;
use crate::services::forms::{self, Template};
use crate::services::{catalogue, declarations};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config.service(series_form).service(publish_form).service(declaration_form);
}

/// A form template: the 申报信息 fields and the sections with their fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormDto {
    #[schema(example = "health")]
    pub series: String,
    pub version: i32,
    pub template_id: String,
    pub info_fields: Vec<Field>,
    pub sections: Vec<Section>,
}

impl FormDto {
    pub fn new(series: &str, template: Template) -> Self {
        Self {
            series: series.to_string(),
            version: template.version,
            template_id: template.id,
            info_fields: template.body.info_fields,
            sections: template.body.sections,
        }
    }
}

/// The form a new declaration of this series fills in (不同系列需填写不同表单).
#[utoipa::path(
    tag = "forms",
    security(("bearer" = [])),
    responses((status = 200, body = FormDto), (status = 401, body = Problem), (status = 404, body = Problem))
)]
#[get("/series/{code}/form")]
pub async fn series_form(
    state: web::Data<AppState>,
    _user: AuthUser,
    code: web::Path<String>,
) -> AppResult<web::Json<FormDto>> {
    let known = catalogue::list(&state.db, false).await?.into_iter().any(|s| s.series.code == *code);
    if !known {
        return Err(crate::error::AppError::NotFound);
    }
    let template = forms::current(&state.db, &code).await?;
    Ok(web::Json(FormDto::new(&code, template)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishFormRequest {
    pub info_fields: Vec<Field>,
    pub sections: Vec<Section>,
}

/// Publishes a new version of a series' form. Declarations already started keep their version.
#[utoipa::path(
    tag = "forms",
    security(("bearer" = [])),
    responses(
        (status = 200, body = FormDto),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, description = "The template is unsound; `errors` points into it", body = Problem),
    )
)]
#[put("/admin/series/{code}/form")]
pub async fn publish_form(
    state: web::Data<AppState>,
    user: AuthUser,
    code: web::Path<String>,
    body: Json<PublishFormRequest>,
) -> AppResult<web::Json<FormDto>> {
    user.require(&[Role::Admin])?;
    let body = body.into_inner();
    let template =
        forms::publish(&state, &user, &code, FormBody { info_fields: body.info_fields, sections: body.sections })
            .await?;
    Ok(web::Json(FormDto::new(&code, template)))
}

/// The form version a declaration was started with (it keeps it when the series' form changes).
#[utoipa::path(
    tag = "forms",
    security(("bearer" = [])),
    responses((status = 200, body = FormDto), (status = 401, body = Problem), (status = 404, body = Problem))
)]
#[get("/declarations/{id}/form")]
pub async fn declaration_form(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<FormDto>> {
    let view = declarations::get(&state, &user, &id).await?;
    Ok(web::Json(FormDto::new(&view.declaration.series_code, view.template)))
}
