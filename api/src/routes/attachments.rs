//! Evidence uploads (证明材料) and downloads.

use actix_multipart::Multipart;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::domain::Role;
use crate::entities::attachment;
use crate::error::{AppError, AppResult, Problem};
use crate::services::attachments;
use crate::state::AppState;
use crate::storage::{StageError, stage};

pub fn configure(config: &mut ServiceConfig) {
    config.service(upload).service(download);
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentDto {
    pub id: String,
    pub filename: String,
    /// Decided by the file's content, not its name.
    #[schema(example = "application/pdf")]
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

impl From<attachment::Model> for AttachmentDto {
    fn from(row: attachment::Model) -> Self {
        Self { id: row.id, filename: row.filename, content_type: row.content_type, size: row.size, sha256: row.sha256 }
    }
}

/// The multipart body of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// A PDF, JPG or PNG file of at most 5 MiB (configurable).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Room for the multipart framing around the file itself.
const MULTIPART_OVERHEAD: u64 = 64 * 1024;

/// Uploads an evidence file (multipart field `file`). The type is decided by the bytes; the file
/// is stored durably before it is acknowledged, and nothing is stored when it is refused.
#[utoipa::path(
    tag = "attachments",
    security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = AttachmentDto),
        (status = 401, body = Problem),
        (status = 403, description = "Only persons upload evidence", body = Problem),
        (status = 413, description = "Larger than the limit; the request is cut off", body = Problem),
        (status = 415, description = "Not a PDF, JPG or PNG by content", body = Problem),
        (status = 422, description = "No `file` field, or an empty file", body = Problem),
    )
)]
#[post("/attachments")]
pub async fn upload(
    state: web::Data<AppState>,
    user: AuthUser,
    request: HttpRequest,
    mut payload: Multipart,
) -> AppResult<HttpResponse> {
    user.require(&[Role::Person])?;
    let limit = state.settings.storage.max_upload_bytes;
    let too_large = || AppError::PayloadTooLarge(format!("单个文件大小不能超过{}MB", limit / 1024 / 1024));
    let declared =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit + MULTIPART_OVERHEAD) {
        return Err(too_large());
    }
    while let Some(field) = payload.next().await {
        let field = field.map_err(|e| AppError::BadRequest(format!("上传内容格式不正确：{e}")))?;
        if field.name() != Some("file") {
            continue;
        }
        let filename = field.content_disposition().and_then(|d| d.get_filename()).unwrap_or("file").to_string();
        let staged = match stage(state.storage.staging_dir(), field, limit).await {
            Ok(staged) => staged,
            Err(StageError::TooLarge { .. }) => return Err(too_large()),
            Err(StageError::Read(message)) => return Err(AppError::BadRequest(format!("上传中断：{message}"))),
            Err(StageError::Io(error)) => return Err(AppError::Unexpected(error.into())),
        };
        let created = attachments::create(&state, &user, staged, &filename).await?;
        return Ok(HttpResponse::Created().json(AttachmentDto::from(created)));
    }
    Err(AppError::field("/file", "请选择要上传的文件"))
}

/// Downloads an evidence file: for its owner and the organisations a declaration using it reached.
#[utoipa::path(
    tag = "attachments",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The file, as an attachment, typed as stored",
            content(("application/pdf"), ("image/jpeg"), ("image/png"))),
        (status = 401, body = Problem),
        (status = 404, body = Problem),
    )
)]
#[get("/attachments/{id}")]
pub async fn download(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> AppResult<HttpResponse> {
    let (row, stream) = attachments::open(&state, &user, &id).await?;
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, row.content_type.clone()))
        .insert_header((header::CONTENT_LENGTH, row.size.to_string()))
        .insert_header((header::CONTENT_DISPOSITION, content_disposition(&row.filename)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    Ok(response.streaming(stream))
}

/// `attachment; filename="…"; filename*=UTF-8''…` with an ASCII fallback.
fn content_disposition(filename: &str) -> String {
    let fallback: String = filename
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(filename, percent_encoding::NON_ALPHANUMERIC);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_carries_the_utf8_name_and_a_safe_fallback() {
        let value = content_disposition("学历证书 \"final\".pdf");
        assert!(value.starts_with("attachment; filename=\"____ _final_.pdf\""), "{value}");
        assert!(value.contains("filename*=UTF-8''%E5%AD%A6"));
    }
}
