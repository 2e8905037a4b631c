//! 批量导入申报人员: an employer's org admin uploads the template filled in; the answer is every
//! account opened, or 422 with every problem by row and column and nothing imported.

use actix_multipart::Multipart;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, get, post, web};
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::domain::Role;
use crate::error::{AppError, AppResult, Problem};
use crate::rate_limit::Costly;
use crate::routes::attachments::content_disposition;
use crate::services::{exports, imports};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config.service(import_template).service(import_applicants);
}

/// The multipart body of an import.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The filled-in template (`.xlsx`).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedPersonDto {
    /// The sheet's row (1 is the header).
    pub row: usize,
    pub account_id: String,
    pub username: String,
    pub real_name: String,
    pub id_number_masked: String,
    pub phone_masked: String,
    pub specialty: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResultDto {
    pub batch_id: String,
    pub imported: usize,
    pub people: Vec<ImportedPersonDto>,
}

/// 下载导入模板: the columns 姓名, 身份证号, 手机号码, 专业 (ID number and phone as text).
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The template",
            content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
    )
)]
#[get("/org/imports/template")]
pub async fn import_template(user: AuthUser) -> AppResult<HttpResponse> {
    user.require(&[Role::OrgAdmin])?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(exports::XLSX)))
        .insert_header((header::CONTENT_DISPOSITION, content_disposition("申报人员导入模板.xlsx")))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .body(imports::template()?))
}

/// 批量导入申报人员 (multipart field `file`, the template filled in, at most
/// `storage.max_upload_bytes`): all rows or none. Each person gets an account that no password
/// opens yet and an SMS with her username and a code to set her password (找回密码).
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = ImportResultDto),
        (status = 401, body = Problem),
        (status = 403, description = "Not an organisation's admin", body = Problem),
        (status = 413, body = Problem),
        (status = 422, description = "Every problem, `/rows/<row>/<column>` (name, id_number, phone, specialty); \
            nothing was imported", body = Problem),
        (status = 429, body = Problem),
    )
)]
#[post("/org/imports")]
pub async fn import_applicants(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    mut payload: Multipart,
) -> AppResult<HttpResponse> {
    user.require(&[Role::OrgAdmin])?;
    state.rate_limits.check(Costly::FileWrite, &user.id).await?;
    let limit = state.settings.storage.max_upload_bytes as usize;
    let Some(field) = payload.next().await else {
        return Err(AppError::field("/file", "请选择要导入的文件"));
    };
    let mut field = field.map_err(|e| AppError::BadRequest(format!("上传内容格式不正确：{e}")))?;
    if field.name() != Some("file") {
        return Err(AppError::field("/file", "只接受名为 file 的文件字段"));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest(format!("上传中断：{e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge(format!("导入文件不能超过{}MB", limit / 1024 / 1024)));
        }
        bytes.extend_from_slice(&chunk);
    }
    let outcome = imports::import(&state, &user, &bytes, ip.0).await?;
    let people: Vec<ImportedPersonDto> = outcome
        .imported
        .into_iter()
        .map(|(row, account)| ImportedPersonDto {
            row: row.sheet_row,
            account_id: account.id,
            username: account.username,
            real_name: row.name,
            id_number_masked: row.id_number.masked(),
            phone_masked: row.phone.masked(),
            specialty: row.specialty,
        })
        .collect();
    Ok(HttpResponse::Created().json(ImportResultDto { batch_id: outcome.batch_id, imported: people.len(), people }))
}
