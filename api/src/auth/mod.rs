//! Who is calling: password hashing, tokens, and the `AuthUser` extractor.

mod extractor;
pub mod password;
pub mod tokens;

pub use extractor::{AuthUser, ClientIp, VerifiedToken, client_address};
