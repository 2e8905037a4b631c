//! A JSON body extractor whose errors point at the offending field (`/items/0/data/school`).
//!
//! Every string of every body is cleaned here, before any handler sees it ([`text::clean`]):
//! NFC, zero-width characters removed, control, format and bidirectional characters refused
//! with a pointer to the field. Passwords are kept as typed except for control characters.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

use crate::domain::text;
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
            let mut value: Value = serde_json::from_slice(&bytes).map_err(|error| {
                AppError::BadRequest(format!("请求内容不是有效的 JSON（第{}行第{}列）", error.line(), error.column()))
            })?;
            let mut errors = Vec::new();
            clean_strings(&mut value, &mut String::new(), false, &mut errors);
            if !errors.is_empty() {
                return Err(AppError::fields(errors));
            }
            let value = serde_path_to_error::deserialize(value).map_err(to_problem)?;
            Ok(Json(value))
        })
    }
}

/// Cleans every string in place, and every key is screened; refusals are collected with their pointer.
fn clean_strings(value: &mut Value, pointer: &mut String, secret: bool, errors: &mut Vec<FieldError>) {
    match value {
        Value::String(string) if secret => {
            if let Err(error) = text::screen_secret(string) {
                errors.push(FieldError::new(pointer_or_root(pointer), error.0));
            }
        }
        Value::String(string) => match text::clean(string) {
            Ok(cleaned) => *string = cleaned,
            Err(error) => errors.push(FieldError::new(pointer_or_root(pointer), error.0)),
        },
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                let length = pointer.len();
                pointer.push_str(&format!("/{index}"));
                clean_strings(item, pointer, secret, errors);
                pointer.truncate(length);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let length = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape(key));
                if let Some(message) = key.chars().find_map(text::refusal) {
                    errors.push(FieldError::new(pointer_or_root(pointer), format!("字段名{message}")));
                } else {
                    // `password`, `new_password`, `admin_password` …: hashed, never shown.
                    clean_strings(item, pointer, secret || key.ends_with("password"), errors);
                }
                pointer.truncate(length);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn pointer_or_root(pointer: &str) -> String {
    if pointer.is_empty() { "/".to_string() } else { pointer.to_string() }
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
        let value: Value = serde_json::from_str(json).unwrap();
        let error = serde_path_to_error::deserialize::<_, Body>(value).unwrap_err();
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

    fn cleaned(json: &str) -> Result<Value, Vec<FieldError>> {
        let mut value: Value = serde_json::from_str(json).unwrap();
        let mut errors = Vec::new();
        clean_strings(&mut value, &mut String::new(), false, &mut errors);
        if errors.is_empty() { Ok(value) } else { Err(errors) }
    }

    #[test]
    fn every_string_is_cleaned_and_refusals_point_at_their_field() {
        let value = cleaned(r#"{"name":"\ufeff张\u200b三 ","items":[{"data":{"school":"e\u0301"}}]}"#).unwrap();
        assert_eq!(value["name"], "张三");
        assert_eq!(value["items"][0]["data"]["school"], "\u{e9}");
        let errors = cleaned(r#"{"name":"ok","items":[{"data":{"school":"a\u0000b","file":"invoice\u202egpj.exe"}}]}"#)
            .unwrap_err();
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["/items/0/data/file", "/items/0/data/school"]);
        assert_eq!(cleaned(r#"{"a\u0000":1}"#).unwrap_err()[0].field, "/a\u{0}");
        assert_eq!(cleaned(r#""\u2066""#).unwrap_err()[0].field, "/");
    }

    #[test]
    fn passwords_are_kept_as_typed_but_nul_is_refused() {
        let value = cleaned(r#"{"new_password":" pass\u200bword "}"#).unwrap();
        assert_eq!(value["new_password"], " pass\u{200b}word ");
        assert_eq!(cleaned(r#"{"password":"a\u0000"}"#).unwrap_err()[0].field, "/password");
    }
}
