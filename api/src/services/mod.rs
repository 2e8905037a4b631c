//! The business rules, one module per aggregate; each state change is one transaction.

pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod bootstrap;
pub mod catalogue;
pub mod codes;
pub mod declarations;
pub mod forms;
pub mod orgs;
pub mod paths;
pub mod reports;
pub mod reviewers;
pub mod reviews;
pub mod sms;
pub mod sso;
pub mod totp;
