//! Lays a [`FormData`] out on A4 pages and writes the PDF with `krilla`.
//!
//! krilla embeds the CJK font as a CID subset with a ToUnicode map, so every character is real,
//! selectable and searchable text. It has no layout engine: this module is a small one — a
//! cursor down the page, tables whose cells wrap (CJK breaks between any two characters) and
//! whose rows continue on the next page under a repeated header — laid out first and written
//! second, so every page can say 第 n 页 / 共 m 页.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use anyhow::{Context, anyhow};
use chrono::{DateTime, FixedOffset};
use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use rustybuzz::ttf_parser::Face;

use super::FormData;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 50.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
/// Where content starts below the running header, and where it must end above the footer.
const TOP: f32 = 66.0;
const BOTTOM: f32 = PAGE_H - 56.0;
const CELL_SIZE: f32 = 9.0;
const LINE_H: f32 = 13.0;
const PAD: f32 = 4.0;
const QR_SIZE: f32 = 84.0;

/// The loaded font: its bytes live for the process (read once, shared by every render).
pub struct PdfFont {
    data: &'static [u8],
    index: u32,
    font: Font,
}

static FONT: OnceLock<Arc<PdfFont>> = OnceLock::new();

/// Reads the font once per process; an unreadable font is an error each time it is asked for.
pub fn load_font(path: &Path, index: u32) -> anyhow::Result<Arc<PdfFont>> {
    if let Some(font) = FONT.get() {
        return Ok(font.clone());
    }
    let bytes = std::fs::read(path)
        .with_context(|| format!("评审表字体 {} 无法读取（APP__DOCUMENTS__FONT_PATH）", path.display()))?;
    let data: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    Face::parse(data, index).map_err(|e| anyhow!("font {} (face {index}) does not parse: {e}", path.display()))?;
    let font =
        Font::new(krilla::Data::from(data), index).ok_or_else(|| anyhow!("krilla cannot use {}", path.display()))?;
    Ok(FONT.get_or_init(|| Arc::new(PdfFont { data, index, font })).clone())
}

/// What is stamped on the form besides its content.
pub struct Stamp {
    pub content_hash: String,
    pub verify_url: String,
    pub generated: DateTime<FixedOffset>,
    /// Not yet submitted: the applicant's preview.
    pub draft: bool,
}

enum Op {
    Text { x: f32, y: f32, size: f32, text: String },
    Frame { x: f32, y: f32, w: f32, h: f32 },
    Shade { x: f32, y: f32, w: f32, h: f32 },
    Qr { x: f32, y: f32, size: f32, width: usize, dark: Vec<bool> },
}

struct Layout<'a> {
    face: Face<'a>,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'a> Layout<'a> {
    fn new(face: Face<'a>) -> Self {
        Self { face, pages: vec![Vec::new()], y: TOP }
    }

    fn op(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn room_for(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.new_page();
        }
    }

    fn advance(&self, c: char, size: f32) -> f32 {
        let upem = f32::from(self.face.units_per_em());
        self.face
            .glyph_index(c)
            .and_then(|g| self.face.glyph_hor_advance(g))
            .map(|a| f32::from(a) / upem * size)
            .unwrap_or(size)
    }

    /// Breaks `text` into lines no wider than `width`: at its own line breaks, then between
    /// characters (a Latin word longer than the cell breaks too).
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let mut used = 0.0;
            for c in paragraph.chars() {
                let w = self.advance(c, size);
                if used + w > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    used = 0.0;
                }
                line.push(c);
                used += w;
            }
            lines.push(line);
        }
        lines
    }

    fn text(&mut self, x: f32, size: f32, text: &str) {
        let y = self.y;
        self.op(Op::Text { x, y, size, text: text.to_string() });
    }

    fn heading(&mut self, text: &str) {
        self.room_for(48.0);
        self.y += 20.0;
        self.text(MARGIN_X, 12.0, text);
        self.y += 8.0;
    }

    fn paragraph(&mut self, text: &str, size: f32) {
        for line in self.wrap(text, size, CONTENT_W) {
            self.room_for(size * 1.5);
            self.y += size * 1.4;
            self.text(MARGIN_X, size, &line);
        }
    }

    /// A table with column widths as fractions of the text width; `header` repeats on every
    /// page the table continues on, and a row taller than what is left continues too.
    fn table(&mut self, fractions: &[f32], header: Option<&[String]>, rows: &[Vec<String>]) {
        let widths: Vec<f32> = fractions.iter().map(|f| f * CONTENT_W).collect();
        if let Some(header) = header {
            self.room_for(3.0 * LINE_H + 2.0 * PAD);
            self.row(&widths, header, true);
        }
        for row in rows {
            let cells: Vec<Vec<String>> =
                row.iter().zip(&widths).map(|(text, w)| self.wrap(text, CELL_SIZE, w - 2.0 * PAD)).collect();
            let total = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let mut done = 0;
            while done < total {
                let fit = ((BOTTOM - self.y - 2.0 * PAD) / LINE_H).floor().max(0.0) as usize;
                if fit == 0 {
                    self.new_page();
                    if let Some(header) = header {
                        self.row(&widths, header, true);
                    }
                    continue;
                }
                let take = fit.min(total - done);
                let slice: Vec<Vec<String>> =
                    cells.iter().map(|c| c.iter().skip(done).take(take).cloned().collect()).collect();
                self.draw_cells(&widths, &slice, take, false);
                done += take;
                if done < total {
                    self.new_page();
                    if let Some(header) = header {
                        self.row(&widths, header, true);
                    }
                }
            }
        }
    }

    fn row(&mut self, widths: &[f32], texts: &[String], shaded: bool) {
        let cells: Vec<Vec<String>> =
            texts.iter().zip(widths).map(|(text, w)| self.wrap(text, CELL_SIZE, w - 2.0 * PAD)).collect();
        let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        self.draw_cells(widths, &cells, lines, shaded);
    }

    fn draw_cells(&mut self, widths: &[f32], cells: &[Vec<String>], lines: usize, shaded: bool) {
        let h = lines as f32 * LINE_H + 2.0 * PAD;
        let top = self.y;
        let mut x = MARGIN_X;
        for (lines, w) in cells.iter().zip(widths) {
            if shaded {
                self.op(Op::Shade { x, y: top, w: *w, h });
            }
            self.op(Op::Frame { x, y: top, w: *w, h });
            for (i, line) in lines.iter().enumerate() {
                let y = top + PAD + (i as f32 + 1.0) * LINE_H - 3.0;
                self.op(Op::Text { x: x + PAD, y, size: CELL_SIZE, text: line.clone() });
            }
            x += w;
        }
        self.y = top + h;
    }
}

fn numeral(n: usize) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => DIGITS[n].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", DIGITS[n - 10]),
        20..=99 => format!("{}十{}", DIGITS[n / 10], DIGITS[n % 10]),
        _ => n.to_string(),
    }
}

fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{:.0} KB", (bytes as f64 / 1024.0).ceil())
    }
}

fn pairs_rows(pairs: &[(String, String)]) -> Vec<Vec<String>> {
    // Two label–value pairs per row, as paper forms are printed.
    pairs
        .chunks(2)
        .map(|chunk| {
            let mut row = Vec::with_capacity(4);
            for (label, value) in chunk {
                row.push(label.clone());
                row.push(value.clone());
            }
            while row.len() < 4 {
                row.push(String::new());
            }
            row
        })
        .collect()
}

/// The PDF of a form.
pub fn render(font: &PdfFont, data: &FormData, stamp: &Stamp) -> anyhow::Result<Vec<u8>> {
    let face = Face::parse(font.data, font.index).map_err(|e| anyhow!("font: {e}"))?;
    let mut layout = Layout::new(face);

    // Title block, the QR code to its right.
    let qr = qrcode::QrCode::new(stamp.verify_url.as_bytes()).map_err(|e| anyhow!("QR code: {e}"))?;
    let dark: Vec<bool> = qr.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    layout.op(Op::Qr { x: PAGE_W - MARGIN_X - QR_SIZE, y: TOP - 6.0, size: QR_SIZE, width: qr.width(), dark });
    layout.y = TOP + 22.0;
    layout.text(MARGIN_X, 18.0, "专业技术职务任职资格评审表");
    layout.y += 22.0;
    layout.text(MARGIN_X, 11.0, &data.subtitle);
    layout.y += 18.0;
    if stamp.draft {
        layout.text(MARGIN_X, 10.0, "【预览】尚未确认申报，本表仅供申报人核对");
        layout.y += 14.0;
    }
    layout.text(MARGIN_X, 7.0, &format!("核验地址：{}", stamp.verify_url));
    layout.y = layout.y.max(TOP + QR_SIZE + 4.0);
    layout.op(Op::Text {
        x: PAGE_W - MARGIN_X - QR_SIZE + 18.0,
        y: TOP + QR_SIZE + 4.0,
        size: 7.0,
        text: "扫码核验本表".into(),
    });

    let mut n = 0;
    let mut next = |title: &str| {
        n += 1;
        format!("{}、{title}", numeral(n))
    };
    layout.heading(&next("基本信息"));
    layout.table(&[0.16, 0.34, 0.16, 0.34], None, &pairs_rows(&data.basics));
    if !data.info.is_empty() {
        layout.heading(&next("申报信息"));
        layout.table(&[0.16, 0.34, 0.16, 0.34], None, &pairs_rows(&data.info));
    }
    for section in &data.sections {
        layout.heading(&next(&section.name));
        if section.rows.is_empty() {
            layout.paragraph("（无）", 9.0);
            continue;
        }
        let count = section.columns.len().max(1);
        let evidence_share = 0.1;
        let share = (1.0 - evidence_share) / (count.saturating_sub(1).max(1)) as f32;
        let mut fractions = vec![share; count.saturating_sub(1)];
        fractions.push(evidence_share);
        layout.table(&fractions, Some(&section.columns), &section.rows);
    }
    layout.heading(&next("证明材料清单"));
    if data.evidence.is_empty() {
        layout.paragraph("（无）", 9.0);
    } else {
        let header: Vec<String> =
            ["序号", "所属栏目", "文件名", "大小", "SHA-256（前16位）"].iter().map(|s| s.to_string()).collect();
        let rows: Vec<Vec<String>> = data
            .evidence
            .iter()
            .enumerate()
            .map(|(i, e)| {
                vec![
                    (i + 1).to_string(),
                    e.section.clone(),
                    e.filename.clone(),
                    size_label(e.size),
                    e.sha256.chars().take(16).collect(),
                ]
            })
            .collect();
        layout.table(&[0.08, 0.17, 0.43, 0.1, 0.22], Some(&header), &rows);
    }
    layout.heading(&next("各级审核意见"));
    if data.opinions.is_empty() {
        layout.paragraph("（尚无审核意见）", 9.0);
    } else {
        let header: Vec<String> =
            ["审核单位", "审核人员", "审核结果", "审核意见", "日期"].iter().map(|s| s.to_string()).collect();
        let rows: Vec<Vec<String>> = data
            .opinions
            .iter()
            .map(|o| {
                vec![o.org_name.clone(), o.actor_name.clone(), o.action.clone(), o.opinion.clone(), o.date.clone()]
            })
            .collect();
        layout.table(&[0.24, 0.12, 0.13, 0.35, 0.16], Some(&header), &rows);
    }
    layout.y += 6.0;
    layout.paragraph(
        &format!(
            "本表由职称申报评审服务平台生成于 {}，内容校验码 {}。",
            stamp.generated.format("%Y-%m-%d %H:%M"),
            stamp.content_hash
        ),
        7.0,
    );
    let running = format!("专业技术职务任职资格评审表 · {} · {}年度", data.applicant_name, data.year);
    let pages = layout.pages;
    write(font, pages, &running, stamp)
}

fn black() -> Fill {
    Fill { paint: luma::Color::black().into(), opacity: NormalizedF32::ONE, rule: Default::default() }
}

fn write(font: &PdfFont, pages: Vec<Vec<Op>>, running: &str, stamp: &Stamp) -> anyhow::Result<Vec<u8>> {
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new().title("专业技术职务任职资格评审表".into()).creator("职称申报评审服务平台".into()),
    );
    let total = pages.len();
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| anyhow!("page size"))?;
    let short_hash: String = stamp.content_hash.chars().take(16).collect();
    for (index, ops) in pages.into_iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        let text =
            |surface: &mut Surface<'_>, x: f32, y: f32, size: f32, t: &str| draw_text(surface, font, x, y, size, t);
        surface.set_fill(Some(black()));
        text(&mut surface, MARGIN_X, 36.0, 8.0, running);
        text(&mut surface, PAGE_W - MARGIN_X - 120.0, 36.0, 8.0, &format!("校验码 {short_hash}"));
        rule(&mut surface, 42.0);
        rule(&mut surface, PAGE_H - 44.0);
        text(&mut surface, PAGE_W / 2.0 - 30.0, PAGE_H - 30.0, 8.0, &format!("第 {} 页 / 共 {} 页", index + 1, total));
        for op in ops {
            match op {
                Op::Text { x, y, size, text: t } => text(&mut surface, x, y, size, &t),
                Op::Frame { x, y, w, h } => {
                    if let Some(path) = rect_path(&[(x, y, w, h)]) {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke { width: 0.5, ..Default::default() }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(black()));
                    }
                }
                Op::Shade { x, y, w, h } => {
                    if let Some(path) = rect_path(&[(x, y, w, h)]) {
                        surface.set_fill(Some(Fill {
                            paint: luma::Color::new(232).into(),
                            opacity: NormalizedF32::ONE,
                            rule: Default::default(),
                        }));
                        surface.draw_path(&path);
                        surface.set_fill(Some(black()));
                    }
                }
                Op::Qr { x, y, size, width, dark } => {
                    let module = size / width.max(1) as f32;
                    let rects: Vec<(f32, f32, f32, f32)> = dark
                        .iter()
                        .enumerate()
                        .filter(|(_, d)| **d)
                        .map(|(i, _)| {
                            (x + (i % width) as f32 * module, y + (i / width) as f32 * module, module, module)
                        })
                        .collect();
                    if let Some(path) = rect_path(&rects) {
                        surface.set_fill(Some(black()));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| anyhow!("PDF: {e:?}"))
}

fn draw_text(surface: &mut Surface<'_>, font: &PdfFont, x: f32, y: f32, size: f32, text: &str) {
    if !text.is_empty() {
        surface.draw_text(Point::from_xy(x, y), font.font.clone(), size, text, false, TextDirection::Auto);
    }
}

fn rule(surface: &mut Surface<'_>, y: f32) {
    let mut builder = PathBuilder::new();
    builder.move_to(MARGIN_X, y);
    builder.line_to(PAGE_W - MARGIN_X, y);
    if let Some(path) = builder.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke { width: 0.5, ..Default::default() }));
        surface.draw_path(&path);
        surface.set_stroke(None);
        surface.set_fill(Some(black()));
    }
}

fn rect_path(rects: &[(f32, f32, f32, f32)]) -> Option<krilla::geom::Path> {
    let mut builder = PathBuilder::new();
    for (x, y, w, h) in rects {
        builder.push_rect(Rect::from_xywh(*x, *y, *w, *h)?);
    }
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_numerals_read_as_chinese() {
        assert_eq!(numeral(1), "一");
        assert_eq!(numeral(10), "十");
        assert_eq!(numeral(12), "十二");
        assert_eq!(numeral(21), "二十一");
    }

    #[test]
    fn sizes_read_in_kilobytes_or_megabytes() {
        assert_eq!(size_label(1), "1 KB");
        assert_eq!(size_label(3 * 1024 * 1024 / 2), "1.5 MB");
    }
}
