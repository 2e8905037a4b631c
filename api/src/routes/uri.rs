//! The query string and the path are cleaned like a JSON body ([`text::clean`]): a NUL, a control,
//! format or bidirectional character anywhere in them answers 422 with the parameter's pointer
//! before any handler or database sees it, and query values reach the handlers in NFC, trimmed,
//! without zero-width characters.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::middleware::Next;
use actix_web::{Error, web};
use percent_encoding::percent_decode_str;

use crate::domain::text;
use crate::error::{AppError, FieldError};
use crate::spa::KnownRoutes;

/// Refuses a path or query with characters no parameter may hold, and cleans the query values.
pub async fn clean_uri(
    mut request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let mut errors = path_errors(&request);
    let mut rewritten = None;
    if let Some(query) = request.uri().query().filter(|query| !query.is_empty()) {
        match clean_query(query) {
            Ok(Some(cleaned)) => rewritten = Some(cleaned),
            Ok(None) => {}
            Err(mut refused) => errors.append(&mut refused),
        }
    }
    if !errors.is_empty() {
        let error: Error = AppError::fields(errors).into();
        return Ok(request.error_response(error).map_into_right_body());
    }
    if let Some(query) = rewritten {
        let path_and_query = format!("{}?{query}", request.uri().path());
        let mut parts = request.uri().clone().into_parts();
        if let Ok(value) = path_and_query.parse() {
            parts.path_and_query = Some(value);
            if let Ok(uri) = Uri::from_parts(parts) {
                request.head_mut().uri = uri;
            }
        }
    }
    Ok(next.call(request).await?.map_into_left_body())
}

fn path_errors(request: &ServiceRequest) -> Vec<FieldError> {
    let path = request.uri().path();
    let mut errors = Vec::new();
    for (index, segment) in path.split('/').enumerate() {
        let decoded = percent_decode_str(segment).decode_utf8_lossy();
        if let Some(message) = decoded.chars().find_map(text::refusal) {
            let name = request
                .app_data::<web::Data<KnownRoutes>>()
                .and_then(|known| known.parameter_at(path, index))
                .unwrap_or_else(|| "path".to_string());
            errors.push(FieldError::new(format!("/{name}"), format!("地址{message}")));
        }
    }
    errors
}

/// The query with every value cleaned, `None` when nothing changed, or the refused parameters.
fn clean_query(query: &str) -> Result<Option<String>, Vec<FieldError>> {
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(query) else {
        return Ok(None);
    };
    let mut errors = Vec::new();
    let mut changed = false;
    let mut cleaned = Vec::with_capacity(pairs.len());
    for (name, value) in pairs {
        let field = format!("/{}", name.replace('~', "~0").replace('/', "~1"));
        if let Some(message) = name.chars().find_map(text::refusal) {
            errors.push(FieldError::new(field, format!("查询参数名{message}")));
            continue;
        }
        match text::clean(&value) {
            Ok(value_cleaned) => {
                changed |= value_cleaned != value;
                cleaned.push((name, value_cleaned));
            }
            Err(error) => errors.push(FieldError::new(field, format!("查询参数{error}"))),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(if changed { serde_urlencoded::to_string(&cleaned).ok() } else { None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_cleaned_and_refused_with_their_name() {
        assert_eq!(
            clean_query("q=%E5%BC%A0%E2%80%8B%E4%B8%89&page=1").unwrap().as_deref(),
            Some("q=%E5%BC%A0%E4%B8%89&page=1")
        );
        assert_eq!(clean_query("q=abc&page=1").unwrap(), None);
        let refused = clean_query("q=a%00b&series=x%E2%80%AEy&page=1").unwrap_err();
        let fields: Vec<&str> = refused.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["/q", "/series"]);
        assert_eq!(clean_query("a%00=1").unwrap_err()[0].field, "/a\u{0}");
    }
}
