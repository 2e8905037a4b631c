use std::fmt;

use super::DomainError;

/// The most common passwords that would otherwise pass the class rule (compared case-insensitively).
const COMMON: &[&str] = &[
    "password1!",
    "password123",
    "password@123",
    "p@ssw0rd",
    "p@ssword1",
    "passw0rd!",
    "qwerty123!",
    "qwer1234!",
    "admin123!",
    "admin@123",
    "admin@2024",
    "admin@2025",
    "admin@2026",
    "abc123456!",
    "abcd1234!",
    "aa123456!",
    "a123456789",
    "a1234567!",
    "1qaz2wsx!",
    "1qaz@wsx",
    "1qaz!qaz",
    "zaq12wsx!",
    "welcome1!",
    "welcome@123",
    "iloveyou1!",
    "test@1234",
    "root@123",
    "huawei@123",
    "woaini1314!",
    "changeme1!",
    "letmein1!",
    "qq123456!",
    "abc@123456",
    "test1234!",
    "password!1",
];

/// A password meeting the platform policy: 8–128 characters from at least three of the four
/// classes (lower case, upper case, digits, symbols), and not one of the most common ones.
/// The composition rule is required by 等保 2.0 even though ASVS advises against it (see README).
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let length = raw.chars().count();
        if length < 8 {
            return Err(DomainError::new("密码至少8位"));
        }
        if length > 128 {
            return Err(DomainError::new("密码不能超过128位"));
        }
        let classes = [
            raw.chars().any(|c| c.is_ascii_lowercase()),
            raw.chars().any(|c| c.is_ascii_uppercase()),
            raw.chars().any(|c| c.is_ascii_digit()),
            raw.chars().any(|c| !c.is_ascii_alphanumeric()),
        ];
        if classes.iter().filter(|present| **present).count() < 3 {
            return Err(DomainError::new("密码须包含大写字母、小写字母、数字、符号中的至少三类"));
        }
        if COMMON.contains(&raw.to_lowercase().as_str()) {
            return Err(DomainError::new("该密码过于常见，请换一个"));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_three_classes_of_eight_or_more() {
        for good in ["Nurse2026", "nurse-2026", "NURSE_2026", "Zhang San 1990!", "长安Aa12345"] {
            assert!(Password::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn refuses_short_or_two_class_or_common_passwords() {
        assert!(Password::parse("Ab1!").unwrap_err().0.contains("8"));
        assert!(Password::parse("abcdefgh1").unwrap_err().0.contains("三类"));
        assert!(Password::parse("ABCDEFGHI").is_err());
        assert!(Password::parse("Password123").unwrap_err().0.contains("常见"));
        assert!(Password::parse(&"Aa1".repeat(50)).is_err());
    }

    #[test]
    fn accepts_long_passphrases_up_to_128() {
        assert!(Password::parse(&format!("Aa1{}", "x".repeat(125))).is_ok());
    }

    #[test]
    fn debug_never_shows_the_password() {
        assert_eq!(format!("{:?}", Password::parse("Nurse2026").unwrap()), "Password(***)");
    }

    proptest! {
        #[test]
        fn any_password_with_three_classes_and_enough_length_is_accepted(
            lower in "[a-z]{3,20}", upper in "[A-Z]{3,20}", digits in "[0-9]{2,20}"
        ) {
            let candidate = format!("{lower}{upper}{digits}");
            prop_assert!(Password::parse(&candidate).is_ok());
        }

        #[test]
        fn a_single_class_is_always_refused(letters in "[a-z]{8,64}") {
            prop_assert!(Password::parse(&letters).is_err());
        }
    }
}
