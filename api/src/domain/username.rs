use super::DomainError;

/// A login name: 4–32 characters, a letter first, then letters, digits, `_`, `.` or `-`.
/// Starting with a letter keeps it apart from ID numbers and phones, which also log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = super::text::compatible(raw);
        let value = value.trim();
        let mut chars = value.chars();
        let first_is_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !(4..=32).contains(&value.len()) || !first_is_letter || !rest_ok {
            return Err(DomainError::new("用户名为4-32位，以字母开头，可含字母、数字、下划线、点和减号"));
        }
        Ok(Self(value.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_start_with_a_letter_and_are_case_insensitive() {
        assert_eq!(Username::parse("Nurse.Li").unwrap().as_str(), "nurse.li");
        assert!(Username::parse("13800138000").is_err());
        assert!(Username::parse("abc").is_err());
        assert!(Username::parse("li si").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
    }
}
