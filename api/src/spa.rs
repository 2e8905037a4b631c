//! The built SPA at `/` (history-mode routes fall back to `index.html`), and the API's own
//! 404/405 answers so `/api` is never shadowed by the SPA.

use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::Method;
use actix_web::http::header::{self, ContentEncoding};
use actix_web::{HttpRequest, HttpResponse, web};
use regex::Regex;

use crate::error::AppError;

/// The path templates of the API with their methods, to tell 405 from 404.
pub struct KnownRoutes(Vec<(Regex, Vec<Method>, String)>);

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
                Some((regex, methods, template.clone()))
            })
            .collect();
        Self(routes)
    }

    /// The methods a path accepts, if it is an API path at all.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let methods: Vec<Method> = self
            .0
            .iter()
            .filter(|(regex, ..)| regex.is_match(path))
            .flat_map(|(_, methods, _)| methods.clone())
            .collect();
        (!methods.is_empty()).then_some(methods)
    }

    /// The name of the path parameter at `segment` (0 is the empty one before the first `/`),
    /// if `path` is an API path whose template has a `{param}` there.
    pub fn parameter_at(&self, path: &str, segment: usize) -> Option<String> {
        let (.., template) = self.0.iter().find(|(regex, ..)| regex.is_match(path))?;
        let part = template.split('/').nth(segment)?;
        Some(part.strip_prefix('{')?.strip_suffix('}')?.to_string())
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
///
/// Fast on a phone (issue 17): the build writes every asset also as `.br` and `.gz`
/// (`vite-plugin-compression2`), and the file the browser can decode is sent as it is, with
/// `Content-Encoding` and `Vary: Accept-Encoding`, so nothing is compressed per request. Hashed
/// files under `/assets/` never change and are cached for a year (`immutable`); everything else,
/// above all `index.html`, is re-checked on every load (`no-cache`) so a release is seen at once.
pub fn configure(config: &mut web::ServiceConfig, static_dir: &Path) {
    let index = static_dir.join("index.html");
    if index.is_file() {
        let root = std::sync::Arc::new(static_dir.to_path_buf());
        config.default_service(web::to(move |request: HttpRequest| {
            let root = root.clone();
            async move { serve_static(request, &root).await }
        }));
    } else {
        config.default_service(web::to(placeholder));
    }
}

/// `Cache-Control` of a file of the build: a year for content-hashed assets, revalidate otherwise.
pub fn cache_control(request_path: &str) -> &'static str {
    if request_path.starts_with("/assets/") { "public, max-age=31536000, immutable" } else { "no-cache" }
}

/// The file under `root` a request path names, if it is a plain relative path (no `..`, no
/// hidden segments, no backslashes) to an existing file.
fn file_under(root: &Path, request_path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(request_path).decode_utf8().ok()?;
    let mut path = root.to_path_buf();
    let mut segments = 0;
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains('\\') || segment.contains('\0') {
            return None;
        }
        path.push(segment);
        segments += 1;
    }
    (segments > 0 && path.is_file()).then_some(path)
}

/// The best encoding of `file` the request accepts, among the sidecars the build wrote.
fn encoded(request: &HttpRequest, file: &Path) -> Option<(PathBuf, ContentEncoding)> {
    let accepted = request.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let accepts = |name: &str| {
        accepted.split(',').any(|part| {
            let mut pieces = part.trim().split(';');
            let coding = pieces.next().unwrap_or("").trim();
            let refused = pieces.any(|p| p.trim().replace(' ', "") == "q=0");
            coding.eq_ignore_ascii_case(name) && !refused
        })
    };
    [("br", "br", ContentEncoding::Brotli), ("gzip", "gz", ContentEncoding::Gzip)].into_iter().find_map(
        |(name, extension, encoding)| {
            let mut sidecar = file.as_os_str().to_owned();
            sidecar.push(".");
            sidecar.push(extension);
            let sidecar = PathBuf::from(sidecar);
            (accepts(name) && sidecar.is_file()).then_some((sidecar, encoding))
        },
    )
}

async fn serve_static(request: HttpRequest, root: &Path) -> Result<HttpResponse, actix_web::Error> {
    if request.path().starts_with("/api/") || request.path() == "/api" {
        return Ok(actix_web::ResponseError::error_response(&AppError::NotFound));
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return Ok(actix_web::ResponseError::error_response(&AppError::MethodNotAllowed { allow: "GET, HEAD".into() }));
    }
    // History-mode routes of the SPA (`/declarations/…`) are answered with the shell.
    let (file, cache) = match file_under(root, request.path()) {
        Some(file) => (file, cache_control(request.path())),
        None => (root.join("index.html"), "no-cache"),
    };
    let mime = actix_files::file_extension_to_mime(file.extension().and_then(|e| e.to_str()).unwrap_or(""));
    let named = match encoded(&request, &file) {
        Some((sidecar, encoding)) => NamedFile::open(sidecar)?.set_content_encoding(encoding),
        None => NamedFile::open(&file)?,
    };
    let mut response =
        named.set_content_type(mime).prefer_utf8(true).disable_content_disposition().into_response(&request);
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static(cache));
    headers.insert(header::VARY, header::HeaderValue::from_static("Accept-Encoding"));
    Ok(response)
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
