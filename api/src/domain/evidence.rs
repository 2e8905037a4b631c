//! What an evidence file (证明材料) is, judged by its bytes, and the name it is kept under.
//!
//! The SPA judges a chosen file by the same rule (`frontend/src/lib/upload.ts`), and both sides
//! are tested against one set of files (`api/tests/fixtures/files/manifest.json`).

/// The kinds of evidence accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceKind {
    Pdf,
    Jpeg,
    Png,
}

/// How far into a file `%PDF-` may start. PDF readers (Acrobat, pdf.js) look for the header in
/// the first 1024 bytes (PDF Reference 1.7, implementation note 13), so a PDF written with a
/// byte-order mark or a line break before it opens for the reviewer.
pub const PDF_HEADER_WINDOW: usize = 1024;

/// How many first bytes [`sniff`] needs.
pub const SNIFF_BYTES: usize = PDF_HEADER_WINDOW + 5;

const PNG_SIGNATURE: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
const JPEG_SIGNATURE: &[u8] = &[0xFF, 0xD8, 0xFF];
const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

impl EvidenceKind {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    /// The kind stored under a content type.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        [Self::Pdf, Self::Jpeg, Self::Png].into_iter().find(|kind| kind.content_type() == content_type)
    }

    /// The extension a stored name ends with.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    /// Whether a user's extension already names this kind (`.JPEG` is a JPEG).
    fn is_own_extension(self, extension: &str) -> bool {
        let lower = extension.to_ascii_lowercase();
        match self {
            Self::Pdf => lower == "pdf",
            Self::Jpeg => lower == "jpg" || lower == "jpeg",
            Self::Png => lower == "png",
        }
    }
}

/// The kind of a file by its first bytes, whatever its name says.
///
/// A PNG or JPEG starts with its signature. A PDF starts with `%PDF-`, optionally after a UTF-8
/// byte-order mark and whitespace (space, tab, CR, LF, form feed), within the first
/// [`PDF_HEADER_WINDOW`] bytes; anything else before the header (text, HTML) is not a PDF.
pub fn sniff(head: &[u8]) -> Option<EvidenceKind> {
    if head.starts_with(PNG_SIGNATURE) {
        return Some(EvidenceKind::Png);
    }
    if head.starts_with(JPEG_SIGNATURE) {
        return Some(EvidenceKind::Jpeg);
    }
    let rest = head.strip_prefix(UTF8_BOM).unwrap_or(head);
    let skipped = rest.iter().take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0C)).count();
    let start = head.len() - rest.len() + skipped;
    (start <= PDF_HEADER_WINDOW && head[start..].starts_with(b"%PDF-")).then_some(EvidenceKind::Pdf)
}

/// The longest stored name, in characters, extension included.
pub const MAX_FILENAME_CHARS: usize = 200;

/// The name to keep and serve: the user's name without folders, control or invisible
/// characters, ending with the extension of the kind the bytes are (`学历证书.bat` holding a PDF
/// is kept as `学历证书.pdf`), shortened before the extension when too long.
pub fn stored_filename(raw: &str, kind: EvidenceKind) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().filter(|c| !c.is_control() && !is_invisible(*c)).collect();
    let cleaned = cleaned.trim();
    let stem = match cleaned.rsplit_once('.') {
        Some((stem, extension)) if looks_like_extension(extension) => {
            // A name of only an extension (`.pdf`) has no stem of its own.
            if kind.is_own_extension(extension) && !stem.trim().is_empty() {
                let extension = extension.to_string();
                return with_extension(stem, &extension);
            }
            stem
        }
        _ => cleaned,
    };
    with_extension(stem, kind.extension())
}

fn with_extension(stem: &str, extension: &str) -> String {
    let stem = stem.trim().trim_end_matches('.').trim_end();
    let stem = if stem.is_empty() || stem.chars().all(|c| c == '.') { "证明材料" } else { stem };
    let room = MAX_FILENAME_CHARS - 1 - extension.chars().count();
    let stem: String = stem.chars().take(room).collect();
    format!("{}.{extension}", stem.trim_end())
}

/// `bat`, `jpeg`, `PDF`: a short ASCII word after the last dot. `第2.5版` is not an extension.
fn looks_like_extension(text: &str) -> bool {
    (1..=5).contains(&text.len()) && text.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Characters that change how a name displays without being seen: bidirectional controls
/// (`invoice\u{202E}gpj.exe` shows as `invoiceexe.jpg`), zero-width characters, the BOM.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n...";

    #[test]
    fn kinds_are_decided_by_the_bytes() {
        assert_eq!(sniff(PDF), Some(EvidenceKind::Pdf));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F']), Some(EvidenceKind::Jpeg));
        assert_eq!(sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]), Some(EvidenceKind::Png));
        assert_eq!(sniff(b"<!doctype html><html>"), None);
        assert_eq!(sniff(b"GIF89a......"), None);
        assert_eq!(sniff(b"PK\x03\x04zip"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn a_pdf_may_start_after_a_bom_and_whitespace_in_the_first_kilobyte() {
        assert_eq!(sniff(&[UTF8_BOM, PDF].concat()), Some(EvidenceKind::Pdf));
        assert_eq!(sniff(&[b"\r\n".as_slice(), PDF].concat()), Some(EvidenceKind::Pdf));
        assert_eq!(sniff(&[UTF8_BOM, b" \n\t", PDF].concat()), Some(EvidenceKind::Pdf));
        let edge = [vec![b'\n'; PDF_HEADER_WINDOW], PDF.to_vec()].concat();
        assert_eq!(sniff(&edge), Some(EvidenceKind::Pdf));
        let past = [vec![b'\n'; PDF_HEADER_WINDOW + 1], PDF.to_vec()].concat();
        assert_eq!(sniff(&past), None);
        assert_eq!(sniff(&[b"hello\n".as_slice(), PDF].concat()), None);
        assert_eq!(sniff(&[b"\n".as_slice(), UTF8_BOM, PDF].concat()), None, "a BOM only comes first");
    }

    #[test]
    fn the_stored_name_ends_with_the_kind_of_the_bytes() {
        assert_eq!(stored_filename("学历证书.bat", EvidenceKind::Pdf), "学历证书.pdf");
        assert_eq!(stored_filename("scan.png", EvidenceKind::Jpeg), "scan.jpg");
        assert_eq!(stored_filename("毕业证", EvidenceKind::Png), "毕业证.png");
        assert_eq!(stored_filename("照片.JPEG", EvidenceKind::Jpeg), "照片.JPEG");
        assert_eq!(stored_filename("论文第2.5版", EvidenceKind::Pdf), "论文第2.5版.pdf");
        assert_eq!(stored_filename("a.tar.exe", EvidenceKind::Pdf), "a.tar.pdf");
        assert_eq!(stored_filename(".pdf", EvidenceKind::Pdf), "证明材料.pdf");
        assert_eq!(stored_filename("..", EvidenceKind::Pdf), "证明材料.pdf");
    }

    #[test]
    fn file_names_lose_folders_control_and_invisible_characters() {
        assert_eq!(stored_filename("../../etc/passwd", EvidenceKind::Pdf), "passwd.pdf");
        assert_eq!(stored_filename("C:\\证书\\学历证书.pdf", EvidenceKind::Pdf), "学历证书.pdf");
        assert_eq!(stored_filename("a\u{0}b\nc.pdf", EvidenceKind::Pdf), "abc.pdf");
        assert_eq!(stored_filename("invoice\u{202E}gpj.exe", EvidenceKind::Png), "invoicegpj.png");
        assert_eq!(stored_filename("证\u{200B}书\u{FEFF}.pdf", EvidenceKind::Pdf), "证书.pdf");
    }

    #[test]
    fn a_content_type_names_its_kind() {
        assert_eq!(EvidenceKind::from_content_type("image/jpeg"), Some(EvidenceKind::Jpeg));
        assert_eq!(EvidenceKind::from_content_type("text/html"), None);
    }

    #[test]
    fn a_long_name_is_shortened_before_its_extension() {
        let long = format!("{}.pdf", "材".repeat(300));
        let stored = stored_filename(&long, EvidenceKind::Pdf);
        assert_eq!(stored.chars().count(), MAX_FILENAME_CHARS);
        assert!(stored.ends_with("材.pdf"), "{stored}");
        let wrong = stored_filename(&format!("{}.bat", "料".repeat(300)), EvidenceKind::Jpeg);
        assert!(wrong.ends_with("料.jpg") && wrong.chars().count() == MAX_FILENAME_CHARS);
        let bare = stored_filename(&"长".repeat(300), EvidenceKind::Png);
        assert!(bare.ends_with("长.png") && bare.chars().count() == MAX_FILENAME_CHARS);
    }
}
