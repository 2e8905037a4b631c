use std::fmt;

use super::DomainError;

/// A mainland mobile number, normalised to its 11 digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Strips spaces, `-` and a leading `+86`, then requires `^1[3-9]\d{9}$`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        let digits = compact.strip_prefix("+86").unwrap_or(&compact);
        let bytes = digits.as_bytes();
        let valid = bytes.len() == 11
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1])
            && bytes.iter().all(u8::is_ascii_digit);
        if !valid {
            return Err(DomainError::new("请输入正确的11位手机号码"));
        }
        Ok(Self(digits.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****8000`
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

/// Masks a stored phone number without re-validating it.
pub fn mask_phone(value: &str) -> String {
    if value.len() < 7 || !value.is_ascii() {
        return "***********".to_string();
    }
    format!("{}****{}", &value[..3], &value[value.len() - 4..])
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_spaces_dashes_and_country_code() {
        for raw in ["13800138000", "138 0013 8000", "138-0013-8000", "+8613800138000", "+86 138-0013-8000"] {
            assert_eq!(Phone::parse(raw).unwrap().as_str(), "13800138000", "{raw}");
        }
    }

    #[test]
    fn refuses_landlines_short_numbers_and_letters() {
        for raw in ["12800138000", "1380013800", "138001380000", "0531-8888888", "1380013800a", "", "+8512800138000"] {
            assert!(Phone::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn masks_the_middle_four() {
        assert_eq!(Phone::parse("13800138000").unwrap().masked(), "138****8000");
    }

    proptest! {
        #[test]
        fn every_mobile_prefix_3_to_9_is_accepted(second in 3u8..=9, rest in "[0-9]{9}") {
            let raw = format!("1{second}{rest}");
            let parsed = Phone::parse(&raw).unwrap();
            prop_assert_eq!(parsed.as_str(), raw.as_str());
        }

        #[test]
        fn never_panics_on_arbitrary_input(input in ".{0,30}") {
            let _ = Phone::parse(&input);
        }
    }
}
