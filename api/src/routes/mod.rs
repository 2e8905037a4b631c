//! HTTP handlers and their DTOs. Handlers parse requests into domain types and call one service.

pub mod admin;
pub mod attachments;
pub mod auth;
pub mod catalogue;
pub mod committees;
pub mod dashboard;
pub mod declarations;
pub mod exports;
pub mod forms;
pub mod imports;
pub mod json;
pub mod me;
pub mod messages;
pub mod orgs;
pub mod paths;
pub mod plans;
pub mod publicity;
pub mod reports;
pub mod review_forms;
pub mod review_sessions;
pub mod reviewers;
pub mod reviews;
pub mod sso;
pub mod totp;
pub mod uri;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::{DomainError, text};
use crate::error::{AppError, AppResult, FieldError};

/// Mounts every API handler under the caller's scope (`/api/v1`).
pub fn configure(config: &mut ServiceConfig) {
    // Before `auth`: its `/auth` scope would otherwise claim `/auth/sso/*`.
    sso::configure(config);
    auth::configure(config);
    totp::configure(config);
    me::configure(config);
    admin::configure(config);
    catalogue::configure(config);
    orgs::configure(config);
    paths::configure(config);
    plans::configure(config);
    reviewers::configure(config);
    forms::configure(config);
    declarations::configure(config);
    attachments::configure(config);
    reviews::configure(config);
    reports::configure(config);
    messages::configure(config);
    committees::configure(config);
    review_sessions::configure(config);
    review_forms::configure(config);
    exports::configure(config);
    imports::configure(config);
    dashboard::configure(config);
    publicity::configure(config);
}

/// Largest page anybody may ask for.
pub const MAX_PAGE_SIZE: u64 = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page number.
    #[param(minimum = 1, default = 1)]
    pub page: Option<u64>,
    /// Items per page, at most 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub page_size: Option<u64>,
}

impl PageQuery {
    /// The page (1-based) and size, refusing nonsense instead of silently clamping it.
    pub fn resolve(&self) -> AppResult<(u64, u64)> {
        let page = self.page.unwrap_or(1);
        let size = self.page_size.unwrap_or(20);
        let mut check = Check::default();
        if page == 0 || page > 1_000_000 {
            check.fail("/page", "页码须为正整数");
        }
        if size == 0 || size > MAX_PAGE_SIZE {
            check.fail("/page_size", format!("每页条数须在1到{MAX_PAGE_SIZE}之间"));
        }
        check.finish()?;
        Ok((page, size))
    }
}

/// One page of a list, with the total across all pages.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

/// Collects every field problem of a request so the answer lists them all at once.
#[derive(Debug, Default)]
pub struct Check(Vec<FieldError>);

impl Check {
    pub fn parse<T>(&mut self, field: &str, result: Result<T, DomainError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.fail(field, error.0);
                None
            }
        }
    }

    /// A required single-line text of `min..=max` characters, cleaned ([`text::single_line`]).
    pub fn text(&mut self, field: &str, value: &str, label: &str, min: usize, max: usize) -> Option<String> {
        self.bounded(field, text::single_line(value), label, min, max)
    }

    /// A required multi-line free text (an opinion, a reason) of `min..=max` characters: as
    /// [`Check::text`], but line breaks are kept.
    pub fn free_text(&mut self, field: &str, value: &str, label: &str, min: usize, max: usize) -> Option<String> {
        self.bounded(field, text::clean(value), label, min, max)
    }

    fn bounded(
        &mut self,
        field: &str,
        cleaned: Result<String, DomainError>,
        label: &str,
        min: usize,
        max: usize,
    ) -> Option<String> {
        let cleaned = match cleaned {
            Ok(cleaned) => cleaned,
            // Control and format characters are refused by `text`, so nothing else is checked here.
            Err(error) => {
                self.fail(field, format!("{label}{error}"));
                return None;
            }
        };
        let trimmed = cleaned.as_str();
        let length = trimmed.chars().count();
        if length == 0 {
            self.fail(field, format!("请填写{label}"));
            None
        } else if length < min || length > max {
            self.fail(field, format!("{label}长度须在{min}到{max}个字符之间"));
            None
        } else {
            Some(trimmed.to_string())
        }
    }

    /// A person's real name: 2–50 characters, no digits, one kind of middle dot (`·`).
    pub fn real_name(&mut self, field: &str, value: &str) -> Option<String> {
        let name = text::fold_name_dots(&self.text(field, value, "姓名", 2, 50)?);
        if name.chars().any(|c| c.is_ascii_digit()) {
            self.fail(field, "姓名不能包含数字");
            return None;
        }
        Some(name)
    }

    /// A 6-digit code of an authenticator app (spaces allowed, as apps show `123 456`).
    pub fn totp_code(&mut self, field: &str, value: &str) -> Option<String> {
        let code: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            Some(code)
        } else {
            self.fail(field, "请输入6位数字动态口令");
            None
        }
    }

    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::fields(self.0)) }
    }
}

/// After `Check::finish` succeeded every `Option` it returned is `Some`; this unpacks them.
#[macro_export]
macro_rules! checked {
    ($($name:ident),+ $(,)?) => {
        let ($(Some($name),)+) = ($($name,)+) else {
            return Err($crate::error::AppError::Unexpected(anyhow::anyhow!("a checked field was missing")));
        };
    };
}
