//! sea-orm entities: storage only. Clients never see these; routes map them to DTOs.

pub mod account;
pub mod attachment;
pub mod audit_log;
pub mod declaration;
pub mod declaration_event;
pub mod declaration_holder;
pub mod declaration_item;
pub mod form_template;
pub mod item_attachment;
pub mod login_attempt;
pub mod one_time_code;
pub mod org;
pub mod path;
pub mod refresh_token;
pub mod report;
pub mod report_item;
pub mod series;
pub mod series_level;
pub mod sms_outbox;
pub mod specialty;
pub mod sso_binding;
pub mod sso_grant;
pub mod sso_login;
