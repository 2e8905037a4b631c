use std::fmt;

use super::DomainError;

/// A mainland mobile number, normalised to its 11 digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Reads full-width digits as digits (NFKC), strips spaces, `-` and a leading `+86`, then requires `^1[3-9]\d{9}$`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let compact: String =
            super::text::compatible(raw).chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
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

/// An organisation's 联系电话: a mobile number, or a landline with its area code (`0531-84221234`,
/// `010 6512 3456`, `053184221234`), stored as `0531-84221234`. A person's phone stays [`Phone`]:
/// codes go to it by SMS.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum ContactPhone {
    Mobile(Phone),
    /// Area code (3–4 digits, starting with 0) and number (7–8 digits).
    Landline {
        area: String,
        number: String,
    },
}

impl ContactPhone {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if let Ok(mobile) = Phone::parse(raw) {
            return Ok(Self::Mobile(mobile));
        }
        let compact: String = super::text::compatible(raw).chars().filter(|c| !c.is_whitespace()).collect();
        let compact =
            compact.strip_prefix("+86").map(|rest| format!("0{}", rest.trim_start_matches('-'))).unwrap_or(compact);
        let refused = || DomainError::new("请输入正确的联系电话：手机号码，或带区号的固定电话（如 0531-84221234）");
        if !compact.starts_with('0') || compact.starts_with("00") {
            return Err(refused());
        }
        let (area, number) = match compact.split_once('-') {
            Some((area, number)) => (area.to_string(), number.to_string()),
            None => {
                // Without a dash: 010/02x are three-digit area codes, the rest four.
                let area_len = if compact.starts_with("010") || compact.starts_with("02") { 3 } else { 4 };
                if compact.len() <= area_len {
                    return Err(refused());
                }
                (compact[..area_len].to_string(), compact[area_len..].to_string())
            }
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(&area) && digits(&number) && (3..=4).contains(&area.len()) && (7..=8).contains(&number.len()))
            || number.starts_with('0')
        {
            return Err(refused());
        }
        Ok(Self::Landline { area, number })
    }

    /// `0531-84221234`, or the 11 digits of a mobile number.
    pub fn as_string(&self) -> String {
        match self {
            Self::Mobile(phone) => phone.as_str().to_string(),
            Self::Landline { area, number } => format!("{area}-{number}"),
        }
    }

    /// The number SMS can reach, if it is a mobile one.
    pub fn mobile(&self) -> Option<&Phone> {
        match self {
            Self::Mobile(phone) => Some(phone),
            Self::Landline { .. } => None,
        }
    }
}

impl fmt::Debug for ContactPhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mobile(phone) => write!(f, "ContactPhone({})", phone.masked()),
            Self::Landline { area, .. } => write!(f, "ContactPhone({area}-****)"),
        }
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
mod contact_tests {
    use super::*;

    #[test]
    fn an_organisation_may_give_a_landline_with_its_area_code() {
        for (raw, stored) in [
            ("0531-84221234", "0531-84221234"),
            ("0531 8422 1234", "0531-84221234"),
            ("053184221234", "0531-84221234"),
            ("010-65123456", "010-65123456"),
            ("01065123456", "010-65123456"),
            ("021-6212345", "021-6212345"),
            ("+86-531-84221234", "0531-84221234"),
            ("138 0013 8000", "13800138000"),
        ] {
            assert_eq!(ContactPhone::parse(raw).map(|p| p.as_string()), Ok(stored.to_string()), "{raw}");
        }
        assert!(ContactPhone::parse("13800138000").unwrap().mobile().is_some());
        assert!(ContactPhone::parse("0531-84221234").unwrap().mobile().is_none());
    }

    #[test]
    fn anything_else_is_refused() {
        for raw in [
            "84221234",
            "0531-842212",
            "0531-842212345",
            "00531-84221234",
            "531-84221234",
            "0531-04221234",
            "0531-8422123a",
            "05318-4221234-1",
            "12345678901",
            "",
            "0531-",
        ] {
            assert!(ContactPhone::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn a_landline_is_not_printed_in_full_in_logs() {
        assert_eq!(format!("{:?}", ContactPhone::parse("0531-84221234").unwrap()), "ContactPhone(0531-****)");
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
