//! Word (.docx) and Excel (.xlsx) files as offices expect them: A4, Chinese official-document
//! fonts (仿宋 for text, 黑体 for headings, 方正小标宋/宋体 for titles — with fallbacks, so a
//! machine without them still shows Chinese), page numbers, and every string made safe for
//! XML first. Shared by the notice (通报) and the periodical.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use docx_rs::{AlignmentType, Docx, Footer, PageMargin, PageNum, Paragraph, Run, RunFonts, SpecialIndentType, TableCell, WidthType};

use crate::error::AppError;

/// Title font: what offices set titles in, then what most machines have.
pub const TITLE_FONT: &str = "方正小标宋简体";
pub const HEADING_FONT: &str = "黑体";
pub const BODY_FONT: &str = "仿宋";
/// Sizes in half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt, 小四 12 pt, 五号 10.5 pt.
pub const SIZE_TITLE: usize = 44;
pub const SIZE_BODY: usize = 32;
pub const SIZE_SMALL: usize = 24;
pub const SIZE_TABLE: usize = 21;

/// Drops what XML 1.0 cannot carry (control characters other than tab and line breaks,
/// unpaired surrogates cannot occur in a Rust `String`); everything else is kept as it is and
/// escaped by the writer.
pub fn xml_safe(text: &str) -> String {
    text.chars().filter(|c| matches!(c, '\t' | '\n' | '\r') || !(c.is_control() || matches!(*c, '\u{FFFE}' | '\u{FFFF}'))).collect()
}

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new().east_asia(east_asia).ascii("Times New Roman").hi_ansi("Times New Roman")
}

/// A run of text in `font` at `size` (half-points).
pub fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(xml_safe(text)).fonts(fonts(font)).size(size)
}

/// A centred title line (e.g. the notice's title).
pub fn title(text: &str) -> Paragraph {
    Paragraph::new().align(AlignmentType::Center).add_run(run(text, TITLE_FONT, SIZE_TITLE).bold())
}

/// A heading (一、二、…) in 黑体.
pub fn heading(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text, HEADING_FONT, SIZE_BODY))
}

/// A body paragraph in 仿宋 三号 with the customary two-character first-line indent.
pub fn body(text: &str) -> Paragraph {
    // Two characters of 三号 (16 pt): 640 twips.
    Paragraph::new().indent(None, Some(SpecialIndentType::FirstLine(640)), None, None).add_run(run(text, BODY_FONT, SIZE_BODY))
}

/// A table cell with one line of text.
pub fn cell(text: &str, bold: bool, width: usize) -> TableCell {
    let r = run(text, BODY_FONT, SIZE_TABLE);
    TableCell::new().width(width, WidthType::Dxa).add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(if bold {
        r.bold()
    } else {
        r
    }))
}

/// A new A4 document (portrait, the margins of official documents) with page numbers centred
/// in the footer.
pub fn a4() -> Docx {
    let footer = Footer::new().add_paragraph(Paragraph::new().align(AlignmentType::Center).add_page_num(PageNum::new()));
    Docx::new()
        .page_size(11_906, 16_838)
        .page_margin(PageMargin { top: 2098, left: 1587, bottom: 1984, right: 1474, header: 851, footer: 992, gutter: 0 })
        .default_fonts(fonts(BODY_FONT))
        .default_size(SIZE_BODY)
        .footer(footer)
}

/// The bytes of a finished document.
pub fn docx_bytes(doc: Docx) -> Result<Vec<u8>, AppError> {
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| AppError::Internal(anyhow::anyhow!("writing docx: {e}")))?;
    Ok(out.into_inner())
}

pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A download: the bytes with their type and a Chinese file name (RFC 6266 / 5987).
pub fn download(bytes: Vec<u8>, mime: &'static str, file_name: &str) -> Response {
    let encoded: String = file_name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    let disposition = format!("attachment; filename=\"download\"; filename*=UTF-8''{encoded}");
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_kept_but_what_xml_cannot_carry_is_dropped() {
        assert_eq!(xml_safe("兰州湾镇\u{0}\u{1b}<script>\u{202e}"), "兰州湾镇<script>\u{202e}");
        assert_eq!(xml_safe("一\t二\n三"), "一\t二\n三");
    }
}
