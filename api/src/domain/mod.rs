//! Rules and value types with no HTTP or database in sight.
//!
//! Every type here is built by a `parse` function; holding one is proof the value is valid.

mod enums;
pub mod form;
mod id_card;
mod password;
mod phone;
mod uscc;
mod username;

pub use enums::{DeclarationKind, DeclarationStatus, Level, OrgKind, PathStatus, Role};
pub use id_card::{IdCardNumber, Sex};
pub use password::Password;
pub use phone::Phone;
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
