//! Integration tests: each test gets its own database and a real server on a free port.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed expectation is the point

mod helpers;

mod accounts;
mod attachments;
mod authz;
mod catalogue;
mod chain;
mod declarations;
mod errors;
mod login;
mod openapi;
mod paths;
mod recovery;
mod reports;
mod reviewers;
mod reviews;
mod sso;
mod tokens;
mod totp;
