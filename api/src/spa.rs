//! The built SPA at `/` (history-mode routes fall back to `index.html`), and the API's own
//! 404/405 answers so `/api` is never shadowed by the SPA.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, Responder, web};
use regex::Regex;

use crate::error::AppError;

/// The path templates of the API with their methods, to tell 405 from 404.
pub struct KnownRoutes(Vec<(Regex, Vec<Method>)>);

impl KnownRoutes {
    pub fn from_document(document: &utoipa::openapi::OpenApi) -> Self {
        let routes = document
            .paths
            .paths
            .iter()
            .filter_map(|(template, item)| {
                // Templates hold only letters, digits, `/`, `_`, `-` and `{param}`s.
                let pattern = Regex::new(r"\{[^}]+\}").ok()?.replace_all(template, "[^/]+").into_owned();
                let regex = Regex::new(&format!("^{pattern}/?$")).ok()?;
                let mut methods = Vec::new();
                let candidates = [
                    (&item.get, Method::GET),
                    (&item.post, Method::POST),
                    (&item.put, Method::PUT),
                    (&item.patch, Method::PATCH),
                    (&item.delete, Method::DELETE),
                ];
                for (operation, method) in candidates {
                    if operation.is_some() {
                        methods.push(method);
                    }
                }
                Some((regex, methods))
            })
            .collect();
        Self(routes)
    }

    /// The methods a path accepts, if it is an API path at all.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let methods: Vec<Method> =
            self.0.iter().filter(|(regex, _)| regex.is_match(path)).flat_map(|(_, methods)| methods.clone()).collect();
        (!methods.is_empty()).then_some(methods)
    }
}

/// Answers an API request that matched no handler: 405 with `Allow` for a known path, else 404.
pub async fn api_fallback(request: HttpRequest, known: web::Data<KnownRoutes>) -> Result<HttpResponse, AppError> {
    Err(match known.allowed(request.path()) {
        Some(methods) => {
            AppError::MethodNotAllowed { allow: methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", ") }
        }
        None => AppError::NotFound,
    })
}

/// Serves the SPA from `static_dir`, or a placeholder page when it has not been built.
pub fn configure(config: &mut web::ServiceConfig, static_dir: &Path) {
    let index = static_dir.join("index.html");
    if index.is_file() {
        let fallback_index = index.clone();
        config.service(Files::new("/", static_dir).index_file("index.html").default_handler(fn_service(
            move |request: ServiceRequest| {
                let index = fallback_index.clone();
                async move { spa_fallback(request, index).await }
            },
        )));
    } else {
        config.default_service(web::to(placeholder));
    }
}

async fn spa_fallback(request: ServiceRequest, index: PathBuf) -> Result<ServiceResponse, actix_web::Error> {
    let (request, _) = request.into_parts();
    if request.path().starts_with("/api/") || request.path() == "/api" {
        let response = actix_web::ResponseError::error_response(&AppError::NotFound);
        return Ok(ServiceResponse::new(request, response));
    }
    let file = NamedFile::open(index)?;
    let mut response = file.respond_to(&request).map_into_boxed_body();
    // The shell must be re-checked on every load so a new release is picked up at once.
    response
        .headers_mut()
        .insert(actix_web::http::header::CACHE_CONTROL, actix_web::http::header::HeaderValue::from_static("no-cache"));
    Ok(ServiceResponse::new(request, response))
}

async fn placeholder(request: HttpRequest) -> HttpResponse {
    if request.path().starts_with("/api/") {
        return actix_web::ResponseError::error_response(&AppError::NotFound);
    }
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>职称申报评审服务平台</title>\
         <body><h1>职称申报评审服务平台</h1><p>前端尚未构建：运行 <code>make run</code> 会先构建前端。</p>\
         <p><a href=\"/api/docs/\">API 文档</a></p></body></html>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_one_segment_per_parameter() {
        let regex = Regex::new(r"\{[^}]+\}").unwrap();
        let pattern = regex.replace_all("/api/v1/paths/{id}/approve", "[^/]+").into_owned();
        let compiled = Regex::new(&format!("^{pattern}/?$")).unwrap();
        assert!(compiled.is_match("/api/v1/paths/abc/approve"));
        assert!(!compiled.is_match("/api/v1/paths/a/b/approve"));
    }
}
