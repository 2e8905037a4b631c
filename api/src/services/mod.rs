//! The business rules, one module per aggregate; each state change is one transaction.

pub mod accounts;
pub mod audit;
pub mod bootstrap;
pub mod catalogue;
pub mod codes;
pub mod orgs;
pub mod paths;
pub mod reviewers;
pub mod sms;
