//! argon2id hashing (m=19 MiB, t=2, p=1: the crate default), off the async workers.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Hashes on a blocking thread: argon2 is deliberately slow and must not stall the event loop.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|error| anyhow::anyhow!("hashing failed: {error}"))
    })
    .await?
}

/// True when `password` matches `stored`. With no stored hash it still spends the same time,
/// so an unknown account cannot be told apart by timing.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && stored != DUMMY_HASH
    })
    .await
    .unwrap_or(false)
}

/// The hash of an account no password opens yet (an applicant imported by her employer, until
/// she sets her own with an SMS code): checking against it costs as much as any other and fails.
pub fn unusable_hash() -> String {
    DUMMY_HASH.to_string()
}

/// An argon2id hash (default parameters) of a random string nobody knows.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Yd9n9qoVJMY1C+kqW7oaOPlUi/6yvI1pVKjtmPXBbw";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let stored = hash("Nurse#2026".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("Nurse#2026".into(), Some(stored.clone())).await);
        assert!(!verify("Nurse#2027".into(), Some(stored)).await);
    }

    #[tokio::test]
    async fn the_dummy_hash_never_verifies() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify("anything".into(), None).await);
    }
}
