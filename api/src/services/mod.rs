//! The business rules, one module per aggregate; each state change is one transaction.

pub mod accounts;
pub mod audit;
pub mod bootstrap;
pub mod codes;
pub mod sms;
pub mod sso;
