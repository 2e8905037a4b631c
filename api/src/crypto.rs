//! Field-level protection of personal data: AES-256-GCM for the value, HMAC-SHA256 for lookups.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Encrypts ID numbers and phones at rest and derives the keyed hashes that index them.
#[derive(Clone)]
pub struct FieldCrypto {
    cipher: Aes256Gcm,
    /// Keyed once; each lookup hash clones it.
    index_mac: HmacSha256,
}

impl FieldCrypto {
    pub fn new(key: &[u8; 32]) -> anyhow::Result<Self> {
        // Separate keys for encryption and indexing, both derived from the one configured key.
        let derive = |label: &[u8]| -> anyhow::Result<[u8; 32]> {
            let mut mac = <HmacSha256 as Mac>::new_from_slice(key)?;
            mac.update(label);
            Ok(mac.finalize().into_bytes().into())
        };
        let encryption_key = derive(b"zhicheng field encryption v1")?;
        let index_key = derive(b"zhicheng field index v1")?;
        Ok(Self {
            cipher: Aes256Gcm::new(&encryption_key.into()),
            index_mac: <HmacSha256 as Mac>::new_from_slice(&index_key)?,
        })
    }

    /// `base64(nonce || ciphertext)`; a fresh random nonce each time.
    pub fn encrypt(&self, plain: &str) -> anyhow::Result<String> {
        let nonce_bytes: [u8; 12] = rand::random();
        let ciphertext = self
            .cipher
            .encrypt(&Nonce::from(nonce_bytes), plain.as_bytes())
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&ciphertext);
        Ok(BASE64.encode(out))
    }

    pub fn decrypt(&self, stored: &str) -> anyhow::Result<String> {
        let bytes = BASE64.decode(stored)?;
        if bytes.len() < 13 {
            anyhow::bail!("ciphertext too short");
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into()?;
        let plain = self
            .cipher
            .decrypt(&Nonce::from(nonce), ciphertext)
            .map_err(|_| anyhow::anyhow!("decryption failed: wrong data key or tampered value"))?;
        Ok(String::from_utf8(plain)?)
    }

    /// A keyed hash for equality lookups and uniqueness, useless without the key.
    pub fn index(&self, kind: &str, value: &str) -> String {
        let mut mac = self.index_mac.clone();
        mac.update(kind.as_bytes());
        mac.update(b":");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A URL-safe random token of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    let buffer: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    URL_SAFE_NO_PAD.encode(buffer)
}

/// A uniformly random decimal code of `digits` digits.
pub fn random_digits(digits: u32) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..digits).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_round_trips_and_never_repeats() {
        let crypto = FieldCrypto::new(&[7u8; 32]).unwrap();
        let first = crypto.encrypt("11010519491231002X").unwrap();
        let second = crypto.encrypt("11010519491231002X").unwrap();
        assert_ne!(first, second);
        assert_eq!(crypto.decrypt(&first).unwrap(), "11010519491231002X");
        assert!(!first.contains("1949"));
    }

    #[test]
    fn another_key_cannot_read_and_the_index_is_keyed() {
        let ours = FieldCrypto::new(&[7u8; 32]).unwrap();
        let theirs = FieldCrypto::new(&[8u8; 32]).unwrap();
        let stored = ours.encrypt("13800138000").unwrap();
        assert!(theirs.decrypt(&stored).is_err());
        assert_eq!(ours.index("phone", "13800138000"), ours.index("phone", "13800138000"));
        assert_ne!(ours.index("phone", "13800138000"), theirs.index("phone", "13800138000"));
        assert_ne!(ours.index("phone", "13800138000"), ours.index("id", "13800138000"));
    }

    #[test]
    fn codes_are_digits_of_the_asked_length() {
        let code = random_digits(6);
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        assert!(constant_time_eq(&code, &code.clone()));
        assert!(!constant_time_eq("123456", "123457"));
    }
}
