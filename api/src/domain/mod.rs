//! Rules and value types with no HTTP or database in sight.
//!
//! Every type here is built by a `parse` function; holding one is proof the value is valid.

pub mod committee;
pub mod division;
pub mod eligibility;
mod enums;
pub mod ethnicity;
pub mod evidence;
pub mod form;
mod id_card;
pub mod lifecycle;
mod password;
mod phone;
pub mod plan;
pub mod text;
mod uscc;
mod username;
pub mod workdays;

pub use enums::{DeclarationKind, DeclarationStatus, Level, OrgKind, OrgVerification, PathStatus, Role};
pub use id_card::{IdCardNumber, Sex, mask_id_number};
pub use password::Password;
pub use phone::{ContactPhone, Phone, mask_phone};
pub use uscc::Uscc;
pub use username::Username;

/// Why a value was refused, in words a user can act on (Chinese first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DomainError(pub String);

impl DomainError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
