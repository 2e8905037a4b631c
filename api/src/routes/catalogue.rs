//! The title catalogue: series, levels and specialties for everyone; changes for the admin.

use actix_web::{HttpResponse, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::checked;
use crate::domain::division::{self, Division};
use crate::domain::ethnicity::ETHNICITIES;
use crate::domain::{Level, Role};
use crate::error::{AppError, AppResult, Problem};
use crate::routes::Check;
use crate::routes::json::Json;
use crate::services::catalogue::{self, NewSeries, SeriesView};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_series)
        .service(create_series)
        .service(update_series)
        .service(upsert_level)
        .service(add_specialty)
        .service(update_specialty)
        .service(list_ethnicities)
        .service(list_divisions)
        .service(get_division);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesLevelDto {
    pub level: Level,
    /// 正高级, 副高级, …
    pub label: String,
    /// The title at this level in this series, e.g. 高级工程师.
    pub title_name: String,
    pub active: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SpecialtyDto {
    pub id: String,
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesDto {
    #[schema(example = "health")]
    pub code: String,
    #[schema(example = "卫生")]
    pub name: String,
    pub active: bool,
    pub levels: Vec<SeriesLevelDto>,
    pub specialties: Vec<SpecialtyDto>,
}

impl From<SeriesView> for SeriesDto {
    fn from(view: SeriesView) -> Self {
        Self {
            code: view.series.code,
            name: view.series.name,
            active: view.series.active,
            levels: view
                .levels
                .into_iter()
                .filter_map(|l| {
                    let level = Level::parse(&l.level)?;
                    Some(SeriesLevelDto {
                        level,
                        label: level.label().into(),
                        title_name: l.title_name,
                        active: l.active,
                    })
                })
                .collect(),
            specialties: view
                .specialties
                .into_iter()
                .map(|s| SpecialtyDto { id: s.id, name: s.name, active: s.active })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// Admin only: include retired series, levels and specialties.
    pub include_retired: Option<bool>,
}

/// The title series (职称系列) with the levels each has and its specialties (专业).
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(SeriesQuery),
    responses((status = 200, body = Vec<SeriesDto>), (status = 401, body = Problem), (status = 422, body = Problem))
)]
#[get("/series")]
pub async fn list_series(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<SeriesQuery>,
) -> AppResult<web::Json<Vec<SeriesDto>>> {
    let include_retired = query.include_retired.unwrap_or(false) && user.role == Role::Admin;
    let series = catalogue::list(&state.db, include_retired).await?;
    Ok(web::Json(series.into_iter().map(SeriesDto::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLevelDto {
    pub level: Level,
    pub title_name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSeriesRequest {
    /// Lower-case letters, digits and `_`, starting with a letter.
    #[schema(example = "nursing_research")]
    pub code: String,
    pub name: String,
    pub levels: Vec<NewLevelDto>,
    #[serde(default)]
    pub specialties: Vec<String>,
}

/// Adds a title series with its levels and specialties.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    responses(
        (status = 201),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 409, description = "The code is taken", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/admin/series")]
pub async fn create_series(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateSeriesRequest>,
) -> AppResult<HttpResponse> {
    user.require(&[Role::Admin])?;
    let body = body.into_inner();
    let mut check = Check::default();
    let code_ok = body.code.len() <= 32
        && body.code.starts_with(|c: char| c.is_ascii_lowercase())
        && body.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !code_ok {
        check.fail("/code", "系列代码须以小写字母开头，仅含小写字母、数字和下划线，最多32位");
    }
    let name = check.text("/name", &body.name, "系列名称", 1, 50);
    if body.levels.is_empty() {
        check.fail("/levels", "至少设置一个级别");
    }
    let mut levels = Vec::new();
    for (index, level) in body.levels.iter().enumerate() {
        if let Some(title) = check.text(&format!("/levels/{index}/title_name"), &level.title_name, "职称名称", 1, 50)
        {
            if levels.iter().any(|(l, _)| *l == level.level) {
                check.fail(&format!("/levels/{index}/level"), "级别重复");
            }
            levels.push((level.level, title));
        }
    }
    let mut specialties: Vec<String> = Vec::new();
    for (index, specialty) in body.specialties.iter().enumerate() {
        if let Some(name) = check.text(&format!("/specialties/{index}"), specialty, "专业名称", 1, 50) {
            if specialties.contains(&name) {
                check.fail(&format!("/specialties/{index}"), "专业重复");
            }
            specialties.push(name);
        }
    }
    check.finish()?;
    checked!(name);
    catalogue::create_series(&state, &user, NewSeries { code: body.code, name, levels, specialties }).await?;
    Ok(HttpResponse::Created().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEntryRequest {
    pub name: Option<String>,
    /// false retires the entry (hidden from new applications), true restores it.
    pub active: Option<bool>,
}

fn parse_update(body: &UpdateEntryRequest, label: &str) -> AppResult<Option<String>> {
    let mut check = Check::default();
    if body.name.is_none() && body.active.is_none() {
        check.fail("/", "请至少修改一项");
    }
    let name = body.name.as_deref().and_then(|name| check.text("/name", name, label, 1, 50));
    check.finish()?;
    Ok(name)
}

/// Renames, retires or restores a series.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    responses(
        (status = 204),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[patch("/admin/series/{code}")]
pub async fn update_series(
    state: web::Data<AppState>,
    user: AuthUser,
    code: web::Path<String>,
    body: Json<UpdateEntryRequest>,
) -> AppResult<HttpResponse> {
    user.require(&[Role::Admin])?;
    let name = parse_update(&body, "系列名称")?;
    catalogue::update_series(&state, &user, &code, name, body.active).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelRequest {
    /// Required when the series does not have the level yet.
    pub title_name: Option<String>,
    pub active: Option<bool>,
}

/// Adds a level to a series (201), or renames / retires / restores one it has (204).
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    responses(
        (status = 201),
        (status = 204),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[put("/admin/series/{code}/levels/{level}")]
pub async fn upsert_level(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<LevelRequest>,
) -> AppResult<HttpResponse> {
    user.require(&[Role::Admin])?;
    let (code, level) = path.into_inner();
    let level = Level::parse(&level).ok_or(crate::error::AppError::NotFound)?;
    let mut check = Check::default();
    if body.title_name.is_none() && body.active.is_none() {
        check.fail("/", "请至少修改一项");
    }
    let title_name = body.title_name.as_deref().and_then(|t| check.text("/title_name", t, "职称名称", 1, 50));
    check.finish()?;
    let created = catalogue::upsert_level(&state, &user, &code, level, title_name, body.active).await?;
    Ok(if created { HttpResponse::Created().finish() } else { HttpResponse::NoContent().finish() })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSpecialtyRequest {
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedId {
    pub id: String,
}

/// Adds a specialty (专业) to a series.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    responses(
        (status = 201, body = CreatedId),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/admin/series/{code}/specialties")]
pub async fn add_specialty(
    state: web::Data<AppState>,
    user: AuthUser,
    code: web::Path<String>,
    body: Json<NewSpecialtyRequest>,
) -> AppResult<HttpResponse> {
    user.require(&[Role::Admin])?;
    let mut check = Check::default();
    let name = check.text("/name", &body.name, "专业名称", 1, 50);
    check.finish()?;
    checked!(name);
    let id = catalogue::add_specialty(&state, &user, &code, &name).await?;
    Ok(HttpResponse::Created().json(CreatedId { id }))
}

/// Renames, retires or restores a specialty.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    responses(
        (status = 204),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[patch("/admin/series/{code}/specialties/{id}")]
pub async fn update_specialty(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<UpdateEntryRequest>,
) -> AppResult<HttpResponse> {
    user.require(&[Role::Admin])?;
    let (code, id) = path.into_inner();
    let name = parse_update(&body, "专业名称")?;
    catalogue::update_specialty(&state, &user, &code, &id, name, body.active).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The 56 民族 of GB/T 3304 in the standard's order: the choices of a field whose `list` is
/// `ethnicity`, and the only values the server takes for it.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<String>, example = json!(["汉族", "蒙古族", "回族"])), (status = 401, body = Problem))
)]
#[get("/catalogue/ethnicities")]
pub async fn list_ethnicities(_user: AuthUser) -> web::Json<Vec<&'static str>> {
    web::Json(ETHNICITIES.to_vec())
}

/// One 行政区划 (GB/T 2260 code; a 乡镇（街道） has nine digits).
#[derive(Debug, Serialize, ToSchema)]
pub struct DivisionDto {
    #[schema(example = "370115")]
    pub code: String,
    #[schema(example = "济阳区")]
    pub name: String,
    /// 1 省, 2 市, 3 区县, 4 乡镇（街道）; one less below a level the national tree skips.
    pub depth: u8,
    /// Nothing lies below it.
    pub leaf: bool,
    /// 区县级: the last six-digit code of its branch, where an organisation's 行政区划 ends.
    pub county: bool,
}

impl From<Division> for DivisionDto {
    fn from(d: Division) -> Self {
        Self { code: d.code.to_string(), name: d.name.to_string(), depth: d.depth, leaf: d.leaf, county: d.county }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DivisionsQuery {
    /// The division whose children are wanted; absent for the provinces.
    #[param(example = "370100")]
    pub parent: Option<String>,
}

/// The 行政区划 directly under `parent` (the provinces without it), in code order: the cascader
/// loads one level at a time. Public national data (GB/T 2260): 单位注册 chooses from it before
/// anyone has signed in, so no login is asked; it is limited per client IP like the 公示 pages.
#[utoipa::path(
    tag = "catalogue",
    params(DivisionsQuery),
    responses(
        (status = 200, body = Vec<DivisionDto>),
        (status = 404, description = "No such division", body = Problem),
        (status = 422, body = Problem),
        (status = 429, description = "Too many requests from this address", body = Problem),
    )
)]
#[get("/divisions", wrap = "actix_web::middleware::from_fn(crate::rate_limit::per_client_ip)")]
pub async fn list_divisions(query: web::Query<DivisionsQuery>) -> AppResult<HttpResponse> {
    let children = division::children(query.parent.as_deref()).ok_or(AppError::NotFound)?;
    let body: Vec<DivisionDto> = children.into_iter().map(DivisionDto::from).collect();
    // The national list changes with a release, not during one, and is the same for everyone.
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "public, max-age=86400")).json(body))
}

/// A 行政区划 and every level above it, province first, with its full name.
#[derive(Debug, Serialize, ToSchema)]
pub struct DivisionPathDto {
    #[schema(example = "370115001")]
    pub code: String,
    #[schema(example = "山东省/济南市/济阳区/济阳街道")]
    pub full_name: String,
    pub path: Vec<DivisionDto>,
}

/// One 行政区划 by code: the path the cascader opens and the full name a form shows. Public, and
/// limited per client IP, as `GET /divisions`.
#[utoipa::path(
    tag = "catalogue",
    params(("code" = String, Path, example = "370115001")),
    responses(
        (status = 200, body = DivisionPathDto),
        (status = 404, body = Problem),
        (status = 429, description = "Too many requests from this address", body = Problem),
    )
)]
#[get("/divisions/{code}", wrap = "actix_web::middleware::from_fn(crate::rate_limit::per_client_ip)")]
pub async fn get_division(code: web::Path<String>) -> AppResult<web::Json<DivisionPathDto>> {
    let path = division::path(&code).ok_or(AppError::NotFound)?;
    let full_name = path.iter().map(|d| d.name).collect::<Vec<_>>().join("/");
    Ok(web::Json(DivisionPathDto {
        code: code.into_inner(),
        full_name,
        path: path.into_iter().map(DivisionDto::from).collect(),
    }))
}
