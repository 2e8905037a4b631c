use chrono::{Datelike, NaiveDate, Utc};
use std::fmt;

use super::DomainError;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// An 18-digit resident identity card number (GB 11643-1999) with a valid check digit
/// and a real birth date that is not in the future.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdCardNumber(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

impl IdCardNumber {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        // Full-width digits from a Chinese input method are digits (NFKC).
        let value = super::text::compatible(raw).trim().to_ascii_uppercase();
        let bytes = value.as_bytes();
        if bytes.len() != 18 {
            return Err(DomainError::new("身份证号应为18位"));
        }
        if !bytes[..17].iter().all(u8::is_ascii_digit) || !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return Err(DomainError::new("身份证号只能由数字和末位X组成"));
        }
        if bytes[0] == b'0' {
            return Err(DomainError::new("身份证号的地区码无效"));
        }
        let sum: u32 = bytes[..17].iter().zip(WEIGHTS).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
        if CHECK[(sum % 11) as usize] != bytes[17] {
            return Err(DomainError::new("身份证号校验位不正确"));
        }
        let birth = NaiveDate::parse_from_str(&value[6..14], "%Y%m%d")
            .map_err(|_| DomainError::new("身份证号中的出生日期无效"))?;
        if birth.year() < 1900 || birth > Utc::now().date_naive() {
            return Err(DomainError::new("身份证号中的出生日期无效"));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        // Checked in `parse`, so this cannot fail; fall back to the epoch rather than panic.
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").unwrap_or_default()
    }

    /// The 17th digit is odd for men and even for women.
    pub fn sex(&self) -> Sex {
        let digit = self.0.as_bytes()[16] - b'0';
        if digit % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// `110105********002X`: region code and the last four, as shown in every list.
    pub fn masked(&self) -> String {
        mask_id_number(&self.0)
    }
}

/// Masks a stored ID number without re-validating it (used for values read back from storage).
pub fn mask_id_number(value: &str) -> String {
    if value.len() != 18 || !value.is_ascii() {
        return "******************".to_string();
    }
    format!("{}********{}", &value[..6], &value[14..])
}

impl fmt::Debug for IdCardNumber {
    // Never print the full number, not even in a debug log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdCardNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_valid_samples_of_the_standard() {
        for sample in ["11010519491231002X", "360426199101010071", "44011320141005001X", "110102199101010078"] {
            assert!(IdCardNumber::parse(sample).is_ok(), "{sample} should be valid");
        }
    }

    #[test]
    fn a_lowercase_x_is_the_same_number() {
        let parsed = IdCardNumber::parse("11010519491231002x").unwrap();
        assert_eq!(parsed.as_str(), "11010519491231002X");
    }

    #[test]
    fn refuses_a_wrong_check_digit() {
        let error = IdCardNumber::parse("360426199101010072").unwrap_err();
        assert!(error.0.contains("校验位"));
    }

    #[test]
    fn refuses_wrong_lengths_letters_and_impossible_dates() {
        assert!(IdCardNumber::parse("36042619910101007").is_err());
        assert!(IdCardNumber::parse("3604261991010100711").is_err());
        assert!(IdCardNumber::parse("36042619910101A071").is_err());
        // 1991-02-30 with a check digit that would otherwise be right
        assert!(IdCardNumber::parse(&with_check("36042619910230007")).is_err());
    }

    #[test]
    fn refuses_a_birth_date_in_the_future() {
        assert!(IdCardNumber::parse(&with_check("36042621000101007")).is_err());
    }

    #[test]
    fn reads_birth_date_and_sex() {
        let woman = IdCardNumber::parse("11010519491231002X").unwrap();
        assert_eq!(woman.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(woman.sex(), Sex::Female);
        let man = IdCardNumber::parse("360426199101010071").unwrap();
        assert_eq!(man.sex(), Sex::Male);
    }

    #[test]
    fn masks_all_but_region_and_last_four() {
        let id = IdCardNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert!(!format!("{id:?}").contains("19491231"));
    }

    /// Appends the right check digit to 17 digits.
    pub(crate) fn with_check(first17: &str) -> String {
        let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
        format!("{first17}{}", CHECK[(sum % 11) as usize] as char)
    }

    proptest! {
        #[test]
        fn any_real_date_with_its_check_digit_is_accepted(
            region in 110000u32..659999,
            days in 0i64..(365 * 100),
            seq in 0u32..999,
        ) {
            let date = NaiveDate::from_ymd_opt(1920, 1, 1).unwrap() + chrono::Duration::days(days);
            let first17 = format!("{region}{}{seq:03}", date.format("%Y%m%d"));
            let id = with_check(&first17);
            let parsed = IdCardNumber::parse(&id).unwrap();
            prop_assert_eq!(parsed.birth_date(), date);
        }

        #[test]
        fn changing_any_one_digit_breaks_the_check(position in 0usize..17, delta in 1u8..10) {
            let valid = "360426199101010071";
            let mut bytes = valid.as_bytes().to_vec();
            bytes[position] = b'0' + (bytes[position] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(IdCardNumber::parse(&changed).is_err());
        }

        #[test]
        fn never_panics_on_arbitrary_input(input in ".{0,40}") {
            let _ = IdCardNumber::parse(&input);
        }
    }
}
