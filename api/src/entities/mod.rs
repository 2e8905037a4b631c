//! sea-orm entities: storage only. Clients never see these; routes map them to DTOs.

pub mod account;
pub mod audit_log;
pub mod login_attempt;
pub mod one_time_code;
pub mod org;
pub mod refresh_token;
pub mod sms_outbox;
pub mod sso_binding;
pub mod sso_grant;
pub mod sso_login;
