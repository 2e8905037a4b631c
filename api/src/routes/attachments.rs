//! Evidence uploads (证明材料) and downloads.

use std::time::Duration;

use actix_multipart::Multipart;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::domain::evidence::{self, EvidenceKind};
use crate::domain::{Role, text};
use crate::entities::attachment;
use crate::error::{AppError, AppResult, Problem};
use crate::rate_limit::Costly;
use crate::services::{access_log, attachments};
use crate::state::AppState;
use crate::storage::{DownloadHeaders, StageError, stage};

pub fn configure(config: &mut ServiceConfig) {
    config.service(upload).service(download);
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentDto {
    pub id: String,
    /// The uploaded name, ending with the extension of the type the bytes are.
    #[schema(example = "学历证书.pdf")]
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

/// Uploads an evidence file (multipart field `file`). The type is decided by the bytes (a PDF may
/// start with a byte-order mark or whitespace before `%PDF-`, within its first 1024 bytes); the
/// file must open (a PDF parses and has a page, an image decodes); the stored name ends with the
/// extension of that type. Each account keeps at most `storage.max_files_per_account` files and
/// `storage.max_bytes_per_account` bytes; uploads never linked to an item are removed after
/// `storage.orphan_grace_hours`. The file is stored durably before it is acknowledged, and
/// nothing is stored when it is refused.
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
        (status = 422, description = "No `file` field, an empty file, a file name with control, format or \
            bidirectional characters, a file that does not open (`file_unreadable`), or the account's quota is \
            used up (`upload_quota_exceeded`)", body = Problem),
        (status = 429, description = "Too many uploads from this account; see `Retry-After`", body = Problem),
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
    state.rate_limits.check(Costly::FileWrite, &user.id).await?;
    let limit = state.settings.storage.max_upload_bytes;
    let too_large = || AppError::PayloadTooLarge(format!("单个文件大小不能超过{}MB", limit / 1024 / 1024));
    let declared =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit + MULTIPART_OVERHEAD) {
        return Err(too_large());
    }
    // A full quota refuses before a byte of the file is read.
    attachments::ensure_room(&state, &user).await?;
    // One part only, named `file`; anything else is refused without reading it.
    let Some(field) = payload.next().await else {
        return Err(AppError::field("/file", "请选择要上传的文件"));
    };
    let field = field.map_err(|e| AppError::BadRequest(format!("上传内容格式不正确：{e}")))?;
    if field.name() != Some("file") {
        return Err(AppError::field("/file", "只接受名为 file 的文件字段"));
    }
    let filename = field.content_disposition().and_then(|d| d.get_filename()).unwrap_or("file").to_string();
    // `invoice\u{202e}gpj.exe` would show as `invoiceexe.jpg`: refused like any other text.
    let filename = text::single_line(&filename).map_err(|error| AppError::field("/file", format!("文件名{error}")))?;
    let staged = match stage(state.storage.staging_dir(), field, limit).await {
        Ok(staged) => staged,
        Err(StageError::TooLarge { .. }) => return Err(too_large()),
        Err(StageError::Read(message)) => return Err(AppError::BadRequest(format!("上传中断：{message}"))),
        Err(StageError::Io(error)) => return Err(AppError::Unexpected(error.into())),
    };
    let created = attachments::create(&state, &user, staged, &filename).await?;
    Ok(HttpResponse::Created().json(AttachmentDto::from(created)))
}

/// Downloads an evidence file: for its owner and the organisations a declaration using it reached.
///
/// With an S3 store and `storage.presign_seconds` set, the answer is a 302 to a presigned URL of
/// the store, valid that many seconds, that serves the file under the same name and type;
/// otherwise the file itself.
#[utoipa::path(
    tag = "attachments",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The file, as an attachment, typed as stored",
            content(("application/pdf"), ("image/jpeg"), ("image/png"))),
        (status = 302, description = "With `storage.presign_seconds`: `Location` is a short-lived presigned URL of the object store serving the file"),
        (status = 401, body = Problem),
        (status = 404, body = Problem),
    )
)]
#[get("/attachments/{id}")]
pub async fn download(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> AppResult<HttpResponse> {
    // Authorized first: a stranger gets 404, never a byte nor a URL.
    let row = attachments::readable(&state, &user, &id).await?;
    // Rows kept before names followed the type (`学历证书.bat`) are served by the same rule.
    let filename = match EvidenceKind::from_content_type(&row.content_type) {
        Some(kind) => evidence::stored_filename(&row.filename, kind),
        None => row.filename.clone(),
    };
    let headers =
        DownloadHeaders { content_type: row.content_type.clone(), content_disposition: content_disposition(&filename) };
    let presign = state.settings.storage.presign_seconds;
    if presign > 0
        && let Some(url) =
            state.storage.presigned_download(&row.storage_key, &headers, Duration::from_secs(presign)).await?
    {
        // Handing out the URL is the read: logged like a streamed download.
        access_log::record_download(&state, &user, &row.id, &filename).await?;
        return Ok(HttpResponse::Found()
            .insert_header((header::LOCATION, url))
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
            .insert_header((header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
            .finish());
    }
    let stream = state.storage.read(&row.storage_key).await?;
    access_log::record_download(&state, &user, &row.id, &filename).await?;
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, headers.content_type))
        .insert_header((header::CONTENT_LENGTH, row.size.to_string()))
        .insert_header((header::CONTENT_DISPOSITION, headers.content_disposition))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    Ok(response.streaming(stream))
}

/// `attachment; filename="…"; filename*=UTF-8''…` with an ASCII fallback.
pub(crate) fn content_disposition(filename: &str) -> String {
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
