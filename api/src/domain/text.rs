//! Text that arrives from outside, made safe to store, show and search (issue 11 §3).
//!
//! Every incoming string goes through [`clean`] (the JSON extractor and the URI guard call it
//! for every field), so a name cannot carry an invisible character or a bidirectional override
//! that makes `invoice\u{202e}gpj.exe` show as `invoiceexe.jpg`:
//!
//! - line breaks (`\r\n`, `\r`, U+0085, U+2028, U+2029) become `\n`, which multi-line free text
//!   (opinions, descriptions) may hold and single-line fields refuse ([`single_line`]);
//! - zero-width characters (U+200B–200D, U+2060, U+FEFF) are removed;
//! - bidirectional controls, every other format character (Cf) and control characters (NUL
//!   included) are refused: they have no business in a name, and PostgreSQL refuses NUL;
//! - the rest is put in Unicode NFC and trimmed.
//!
//! Codes typed with a Chinese input method come full-width (`３７０１２６…`): ID numbers, phones,
//! credit codes and usernames are read through [`compatible`] (NFKC) first. The middle dots of
//! minority names (`·`, `•`, `・` …) are one character, U+00B7, for storage and search ([`fold_name_dots`]).

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use super::DomainError;

/// Removed wherever they appear: they are invisible and only hide a name from search.
const ZERO_WIDTH: [char; 5] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];

/// Characters that reorder what is shown: refused, with their own message.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{0085}' | '\u{2028}' | '\u{2029}')
}

/// Why a text was refused.
pub fn refusal(c: char) -> Option<&'static str> {
    if c == '\0' {
        Some("含有空字符（NUL），请删除后重试")
    } else if is_bidi_control(c) {
        Some("含有改变文字方向的控制字符，请删除后重试")
    } else if c.is_control() && c != '\n' && c != '\t' {
        Some("含有控制字符，请删除后重试")
    } else if !ZERO_WIDTH.contains(&c) && c.general_category() == GeneralCategory::Format {
        Some("含有不可见的格式字符，请删除后重试")
    } else {
        None
    }
}

/// Any text from outside: line breaks unified, zero-width characters removed, bidirectional
/// controls, other format characters and control characters (except `\n` and `\t`) refused,
/// NFC, trimmed.
pub fn clean(raw: &str) -> Result<String, DomainError> {
    let mut text = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            continue;
        }
        if is_line_break(c) {
            text.push('\n');
        } else if let Some(message) = refusal(c) {
            return Err(DomainError::new(message));
        } else if !ZERO_WIDTH.contains(&c) {
            text.push(c);
        }
    }
    let normal: String = text.nfc().collect();
    Ok(normal.trim().to_string())
}

/// A single-line field (a name, a title, a file name): [`clean`], and no line break or tab.
pub fn single_line(raw: &str) -> Result<String, DomainError> {
    let text = clean(raw)?;
    if text.contains(['\n', '\t']) {
        return Err(DomainError::new("不能包含换行或制表符"));
    }
    Ok(text)
}

/// A secret (a password) is kept as typed, but a NUL or another control character is still refused.
pub fn screen_secret(raw: &str) -> Result<(), DomainError> {
    match raw.chars().find(|c| c.is_control()) {
        Some('\0') => Err(DomainError::new("含有空字符（NUL），请删除后重试")),
        Some(_) => Err(DomainError::new("含有控制字符，请删除后重试")),
        None => Ok(()),
    }
}

/// NFKC, for codes: full-width digits and letters (`３７０１２６`, `ＡＢＣ`) and the full-width
/// hyphen and space become their ASCII forms.
pub fn compatible(raw: &str) -> String {
    raw.nfkc().filter(|c| !ZERO_WIDTH.contains(c)).collect()
}

/// Middle dots that people type in a minority name (`阿依古丽•买买提`, `・`, `‧`, `･`, `∙`, `⋅`)
/// all become U+00B7 `·`, so a name is stored and found one way.
pub fn fold_name_dots(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '\u{2022}' | '\u{30FB}' | '\u{2027}' | '\u{FF65}' | '\u{2219}' | '\u{22C5}' | '\u{0387}' | '\u{16EB}' => {
                '\u{00B7}'
            }
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_width_characters_and_the_byte_order_mark_are_removed() {
        assert_eq!(clean("张\u{200B}三").unwrap(), "张三");
        assert_eq!(clean("\u{FEFF}李四").unwrap(), "李四");
        assert_eq!(clean("王\u{200D}五\u{2060}").unwrap(), "王五");
        assert_eq!(clean("  赵六\u{3000}").unwrap(), "赵六");
    }

    #[test]
    fn bidirectional_controls_are_refused() {
        for text in ["invoice\u{202E}gpj.exe", "a\u{2066}b", "a\u{200F}b", "a\u{061C}b", "\u{202A}x"] {
            assert!(clean(text).unwrap_err().0.contains("方向"), "{text:?}");
        }
    }

    #[test]
    fn format_and_control_characters_are_refused() {
        for text in ["a\u{0}b", "a\u{7}b", "a\u{AD}b", "a\u{E0041}b", "a\u{FFF9}b", "a\u{1B}[31m"] {
            assert!(clean(text).is_err(), "{text:?}");
        }
        assert!(screen_secret("pass\u{0}word").is_err());
        assert!(screen_secret(" Zz9!pass word\u{200B} ").is_ok());
    }

    #[test]
    fn line_breaks_are_unified_and_single_line_fields_refuse_them() {
        assert_eq!(clean("第一段\r\n第二段\u{2029}第三段\r末").unwrap(), "第一段\n第二段\n第三段\n末");
        assert!(single_line("张\u{2028}三").is_err());
        assert!(single_line("张\n三").is_err());
        assert!(single_line("张\t三").is_err());
        assert_eq!(single_line(" 张三 ").unwrap(), "张三");
    }

    #[test]
    fn text_is_composed_to_nfc() {
        assert_eq!(clean("e\u{301}").unwrap(), "\u{E9}");
        assert_eq!(clean("\u{212B}").unwrap(), "\u{C5}");
    }

    #[test]
    fn codes_are_read_in_nfkc() {
        assert_eq!(compatible("３７０１２６１９９００３０７００１Ｘ"), "37012619900307001X");
        assert_eq!(compatible("１３８－００１３－８０００"), "138-0013-8000");
    }

    #[test]
    fn every_middle_dot_is_one() {
        for dot in ['·', '•', '・', '‧', '･', '∙', '⋅'] {
            assert_eq!(fold_name_dots(&format!("阿依古丽{dot}买买提")), "阿依古丽·买买提");
        }
    }
}
