//! A JSON body extractor whose errors point at the offending field (`/items/0/data/school`).

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;

use crate::error::{AppError, FieldError};

/// Like `actix_web::web::Json`, but every failure is a problem with a JSON pointer.
/// The body limit is the app's `PayloadConfig`.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        let body = web::Bytes::from_request(request, payload);
        Box::pin(async move {
            if !is_json {
                return Err(AppError::UnsupportedMediaType("请求须为 application/json".into()));
            }
            let bytes = body.await.map_err(|error| match error.as_response_error().status_code().as_u16() {
                413 => AppError::PayloadTooLarge("请求内容过大".into()),
                _ => AppError::BadRequest("无法读取请求内容".into()),
            })?;
            let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
            let value = serde_path_to_error::deserialize(&mut deserializer).map_err(to_problem)?;
            deserializer.end().map_err(|_| AppError::BadRequest("请求内容不是有效的 JSON".into()))?;
            Ok(Json(value))
        })
    }
}

fn to_problem(error: serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let inner = error.inner();
    if inner.is_syntax() || inner.is_eof() {
        return AppError::BadRequest(format!("请求内容不是有效的 JSON（第{}行第{}列）", inner.line(), inner.column()));
    }
    let mut pointer = String::new();
    for segment in error.path().iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => pointer.push_str(&format!("/{}", escape(key))),
            Segment::Enum { variant } => pointer.push_str(&format!("/{}", escape(variant))),
            Segment::Unknown => {}
        }
    }
    let text = inner.to_string();
    let text = text.split(" at line").next().unwrap_or(&text).to_string();
    // serde names the field in the message, not the path, for these two.
    let named = text.split('`').nth(1).map(escape);
    let (pointer, message) = if text.starts_with("unknown field") {
        // The path already ends at the unknown key, except at the top level of some inputs.
        let named = named.unwrap_or_default();
        let pointer = if pointer.ends_with(&format!("/{named}")) { pointer } else { format!("{pointer}/{named}") };
        (pointer, "不允许提交此字段".to_string())
    } else if text.starts_with("missing field") {
        (format!("{pointer}/{}", named.unwrap_or_default()), "此项为必填项".to_string())
    } else if text.starts_with("unknown variant") {
        (pointer, format!("取值无效：{text}"))
    } else {
        (pointer, format!("格式不正确：{text}"))
    };
    let field = if pointer.is_empty() { "/".to_string() } else { pointer };
    AppError::fields(vec![FieldError::new(field, message)])
}

/// JSON pointer escaping (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        year: i32,
        items: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        section: String,
    }

    fn field_of(json: &str) -> String {
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let error = serde_path_to_error::deserialize::<_, Body>(&mut deserializer).unwrap_err();
        match to_problem(error) {
            AppError::Validation { errors, .. } => errors[0].field.clone(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn points_at_wrong_types_missing_and_unknown_fields() {
        assert_eq!(field_of(r#"{"year":"x","items":[]}"#), "/year");
        assert_eq!(field_of(r#"{"year":2026,"items":[{"section":1}]}"#), "/items/0/section");
        assert_eq!(field_of(r#"{"items":[]}"#), "/year");
        assert_eq!(field_of(r#"{"year":2026,"items":[],"status":"accepted"}"#), "/status");
        assert_eq!(field_of(r#"{"year":2026,"items":[{"section":"a","holder":1}]}"#), "/items/0/holder");
    }
}
