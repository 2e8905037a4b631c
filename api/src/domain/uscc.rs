use std::fmt;

use super::DomainError;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// An 18-character unified social credit code (统一社会信用代码, GB 32100-2015).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Uscc(String);

impl Uscc {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = super::text::compatible(raw).trim().to_ascii_uppercase();
        let bytes = value.as_bytes();
        if bytes.len() != 18 {
            return Err(DomainError::new("统一社会信用代码应为18位"));
        }
        let mut sum = 0u32;
        for (index, byte) in bytes.iter().enumerate() {
            let Some(code) = ALPHABET.iter().position(|c| c == byte) else {
                return Err(DomainError::new("统一社会信用代码含有无效字符（不使用I、O、Z、S、V）"));
            };
            if index < 17 {
                sum += code as u32 * WEIGHTS[index];
            }
        }
        let check = ALPHABET[((31 - sum % 31) % 31) as usize];
        if bytes[17] != check {
            return Err(DomainError::new("统一社会信用代码校验位不正确"));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uscc({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_valid_samples_including_the_sum_divisible_by_31() {
        for sample in [
            "91110000600037341L",
            "91350100M000100Y43",
            "9144030071526726XG",
            "121200004013590816",
            "91620105L015101280",
        ] {
            assert!(Uscc::parse(sample).is_ok(), "{sample} should be valid");
        }
    }

    #[test]
    fn refuses_a_wrong_check_character() {
        assert!(Uscc::parse("91110000600037341N").unwrap_err().0.contains("校验位"));
    }

    #[test]
    fn refuses_letters_outside_the_alphabet_and_wrong_lengths() {
        assert!(Uscc::parse("9111000060003734IL").is_err());
        assert!(Uscc::parse("91110000600037341").is_err());
        assert!(Uscc::parse("").is_err());
    }

    #[test]
    fn lowercase_is_read_as_uppercase() {
        assert_eq!(Uscc::parse("91110000600037341l").unwrap().as_str(), "91110000600037341L");
    }

    fn with_check(first17: &str) -> String {
        let sum: u32 =
            first17.bytes().zip(WEIGHTS).map(|(b, w)| ALPHABET.iter().position(|c| *c == b).unwrap() as u32 * w).sum();
        format!("{first17}{}", ALPHABET[((31 - sum % 31) % 31) as usize] as char)
    }

    proptest! {
        #[test]
        fn any_body_with_its_check_character_is_accepted(body in "[0-9A-HJ-NP-RT-UW-Y]{17}") {
            prop_assert!(Uscc::parse(&with_check(&body)).is_ok());
        }

        #[test]
        fn any_other_check_character_is_refused(body in "[0-9A-HJ-NP-RT-UW-Y]{17}", shift in 1usize..31) {
            let valid = with_check(&body);
            let right = ALPHABET.iter().position(|c| *c == valid.as_bytes()[17]).unwrap();
            let wrong = format!("{body}{}", ALPHABET[(right + shift) % 31] as char);
            prop_assert!(Uscc::parse(&wrong).is_err());
        }

        #[test]
        fn never_panics_on_arbitrary_input(input in ".{0,40}") {
            let _ = Uscc::parse(&input);
        }
    }
}
