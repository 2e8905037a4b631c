//! One error type, rendered as RFC 9457 `application/problem+json` with a stable `code`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use sea_orm::{DbErr, SqlErr};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::DomainError;

/// One field that failed validation; `field` is a JSON pointer into the request (or the declaration).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    #[schema(example = "/id_number")]
    pub field: String,
    #[schema(example = "身份证号校验位不正确")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// The problem body (RFC 9457) every error answers with.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(example = "https://zhicheng.example/problems/validation_failed")]
    pub type_uri: String,
    #[schema(example = "Validation failed")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(example = "提交的信息有误，请按提示修改")]
    pub detail: String,
    /// Stable, machine-readable reason.
    #[schema(example = "validation_failed")]
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// The correlation id of the request, also in the `X-Request-Id` header and the log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Seconds until the refused request may be made again (also the `Retry-After` header):
    /// a lock, or a one-time code asked for too soon.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 42)]
    pub retry_after: Option<i64>,
    /// Failed logins left before the lock (`invalid_credentials`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 4)]
    pub remaining_attempts: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation { detail: String, errors: Vec<FieldError> },
    /// A request that is well-formed but breaks a business rule, with a specific code.
    #[error("{code}: {detail}")]
    Unprocessable { code: &'static str, detail: String, errors: Vec<FieldError> },
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unauthorized: {detail}")]
    Unauthorized { code: &'static str, detail: String },
    #[error("forbidden: {detail}")]
    Forbidden { code: &'static str, detail: String },
    #[error("not found")]
    NotFound,
    #[error("conflict: {detail}")]
    Conflict { code: &'static str, detail: String, errors: Vec<FieldError> },
    #[error("precondition failed")]
    PreconditionFailed(String),
    #[error("locked: {detail}")]
    Locked { detail: String, retry_after_secs: i64 },
    #[error("payload too large")]
    PayloadTooLarge(String),
    #[error("unsupported media type")]
    UnsupportedMediaType(String),
    #[error("too many requests")]
    TooManyRequests(String),
    /// Too soon for this request (a one-time code asked for again within the minute): the answer
    /// says when it may be made again.
    #[error("{code}: retry after {retry_after_secs}s")]
    RetryLater { code: &'static str, detail: String, retry_after_secs: i64 },
    /// A wrong account or password, with the tries left before the lock.
    #[error("invalid credentials")]
    LoginFailed { remaining_attempts: i64 },
    /// Too many requests, with when to try again (`Retry-After`).
    #[error("rate limited: {detail}")]
    RateLimited { detail: String, retry_after_secs: u64 },
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// One invalid field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            detail: "提交的信息有误，请按提示修改".into(),
            errors: vec![FieldError::new(field, message)],
        }
    }

    /// Several invalid fields at once; callers pass a non-empty list.
    pub fn fields(errors: Vec<FieldError>) -> Self {
        Self::Validation { detail: "提交的信息有误，请按提示修改".into(), errors }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict { code, detail: detail.into(), errors: Vec::new() }
    }

    /// A duplicate that a user can fix in one field, e.g. a username already taken.
    pub fn conflict_field(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Conflict { code, detail: message.clone(), errors: vec![FieldError::new(field, message)] }
    }

    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Forbidden { code, detail: detail.into() }
    }

    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Unauthorized { code, detail: detail.into() }
    }

    pub fn rule(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Unprocessable { code, detail: detail.into(), errors: Vec::new() }
    }

    /// Maps a domain refusal onto the field it came from.
    pub fn from_domain(field: &str, error: DomainError) -> Self {
        Self::field(field, error.0)
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "validation_failed",
            AppError::Unprocessable { code, .. }
            | AppError::Unauthorized { code, .. }
            | AppError::Forbidden { code, .. }
            | AppError::Conflict { code, .. } => code,
            AppError::BadRequest(_) => "bad_request",
            AppError::NotFound => "not_found",
            AppError::Locked { .. } => "account_locked",
            AppError::PreconditionFailed(_) => "version_mismatch",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::TooManyRequests(_) | AppError::RateLimited { .. } => "too_many_requests",
            AppError::RetryLater { code, .. } => code,
            AppError::LoginFailed { .. } => "invalid_credentials",
            AppError::MethodNotAllowed { .. } => "method_not_allowed",
            AppError::Unexpected(_) => "internal_error",
        }
    }

    fn detail(&self) -> String {
        match self {
            AppError::Validation { detail, .. }
            | AppError::Unprocessable { detail, .. }
            | AppError::Unauthorized { detail, .. }
            | AppError::Forbidden { detail, .. }
            | AppError::Conflict { detail, .. }
            | AppError::Locked { detail, .. }
            | AppError::RetryLater { detail, .. }
            | AppError::RateLimited { detail, .. } => detail.clone(),
            AppError::LoginFailed { remaining_attempts } if *remaining_attempts > 0 => {
                format!("账号或密码错误，再错{remaining_attempts}次账号将被锁定")
            }
            AppError::LoginFailed { .. } => "账号或密码错误".into(),
            AppError::BadRequest(detail)
            | AppError::PreconditionFailed(detail)
            | AppError::PayloadTooLarge(detail)
            | AppError::UnsupportedMediaType(detail)
            | AppError::TooManyRequests(detail) => detail.clone(),
            AppError::NotFound => "请求的资源不存在".into(),
            AppError::MethodNotAllowed { .. } => "该地址不支持此请求方法".into(),
            AppError::Unexpected(_) => "服务器内部错误，请稍后重试；如持续出现请联系管理员并提供请求编号".into(),
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let code = self.code();
        Problem {
            type_uri: format!("https://zhicheng.example/problems/{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: self.detail(),
            code: code.to_string(),
            errors: match self {
                AppError::Validation { errors, .. } => Some(errors.clone()),
                AppError::Unprocessable { errors, .. } | AppError::Conflict { errors, .. } if !errors.is_empty() => {
                    Some(errors.clone())
                }
                _ => None,
            },
            request_id: crate::telemetry::current_request_id(),
            retry_after: match self {
                AppError::Locked { retry_after_secs, .. } | AppError::RetryLater { retry_after_secs, .. } => {
                    Some((*retry_after_secs).max(1))
                }
                _ => None,
            },
            remaining_attempts: match self {
                AppError::LoginFailed { remaining_attempts } => Some(*remaining_attempts),
                _ => None,
            },
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } | AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized { .. } | AppError::LoginFailed { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Locked { .. } => StatusCode::LOCKED,
            AppError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests(_) | AppError::RetryLater { .. } | AppError::RateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Unexpected(error) = self {
            tracing::error!(error = ?error, "unexpected error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json")));
        response.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        match self {
            AppError::Locked { retry_after_secs, .. } | AppError::RetryLater { retry_after_secs, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.max(&1).to_string()));
            }
            AppError::RateLimited { retry_after_secs, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.max(&1).to_string()));
            }
            AppError::Unauthorized { .. } | AppError::LoginFailed { .. } => {
                response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            AppError::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, allow.clone()));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<DbErr> for AppError {
    fn from(error: DbErr) -> Self {
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::conflict("duplicate", "该记录已存在，不能重复提交"),
            _ => match error {
                DbErr::RecordNotFound(_) => AppError::NotFound,
                other => AppError::Unexpected(other.into()),
            },
        }
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(error: sea_orm::TransactionError<AppError>) -> Self {
        match error {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

/// Renders query and path extractor failures as problems too (JSON bodies: `routes::json`).
pub mod extractors {
    use actix_web::error::{PathError, QueryPayloadError};
    use actix_web::{Error, HttpRequest};

    use super::{AppError, FieldError};

    pub fn query_error(error: QueryPayloadError, _request: &HttpRequest) -> Error {
        let text = error.to_string();
        let field = text.split('`').nth(1).map(|name| format!("/{name}")).unwrap_or_else(|| "/".into());
        AppError::fields(vec![FieldError::new(field, format!("查询参数不正确：{text}"))]).into()
    }

    pub fn path_error(_error: PathError, _request: &HttpRequest) -> Error {
        // A malformed id is just an id that does not exist.
        AppError::NotFound.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    #[actix_web::test]
    async fn an_unexpected_error_says_nothing_internal() {
        let error = AppError::Unexpected(anyhow::anyhow!("password=hunter2 at db.internal:5432"));
        let response = error.error_response();
        assert_eq!(response.status(), 500);
        let body = to_bytes(response.into_body()).await.unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(!text.contains("hunter2") && !text.contains("5432"), "{text}");
        assert!(text.contains("\"code\":\"internal_error\""));
    }

    #[test]
    fn validation_problems_carry_their_fields() {
        let problem = AppError::field("/id_number", "身份证号校验位不正确").problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors.unwrap()[0].field, "/id_number");
    }
}
