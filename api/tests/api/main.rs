//! Integration tests: each test gets its own database and a real server on a free port.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed expectation is the point

mod helpers;

mod accounts;
mod attachments;
mod authz;
mod catalogue;
mod chain;
mod changes;
mod committees;
mod cost_and_audit;
mod dashboard;
mod declarations;
mod eligibility;
mod errors;
mod exports;
mod imports;
mod instances;
mod jobs;
mod lists;
mod login;
mod messages;
mod openapi;
mod ops;
mod org_verification;
mod paths;
mod plans;
mod publicity;
mod recovery;
mod reminders;
mod reports;
mod review_forms;
mod review_order;
mod reviewers;
mod reviews;
mod sms;
mod sso;
mod text;
mod tokens;
mod totp;
