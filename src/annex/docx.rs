//! The annex as a Word document: A4, Times New Roman 14, headings with styles of their own
//! (docx-rs ships only «Normal»), items with their numbers written out, lists as running
//! text, page numbers in the footer. The same document gives the same bytes: paragraph ids
//! are numbered here rather than by docx-rs's per-thread counter, and the document dates come
//! from the campaign (the latest recorded change), not from the clock.

use super::{Document, Node};
use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, LineSpacing, PageMargin, PageNum, Paragraph, Run,
    RunFonts, SpecialIndentType, Style, StyleType,
};
use std::io::Cursor;

const FONT: &str = "Times New Roman";
/// Half-points: 14 pt.
const SIZE: usize = 28;
/// 1.25 cm in twentieths of a point.
const FIRST_LINE: i32 = 709;
/// Dates in docProps/core.xml when the campaign records none.
const NO_DATE: &str = "2000-01-01T00:00:00Z";

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .east_asia(FONT)
        .cs(FONT)
}

fn styles(docx: Docx) -> Docx {
    let heading = |id: &str, name: &str, level: usize, align: AlignmentType| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .fonts(fonts())
            .size(SIZE)
            .bold()
            .align(align)
            .outline_lvl(level)
            .line_spacing(LineSpacing::new().before(240).after(120).line(240))
    };
    docx.add_style(heading("AnnexTitle", "Title", 0, AlignmentType::Center))
        .add_style(heading("Heading1", "heading 1", 0, AlignmentType::Center))
        .add_style(heading("Heading2", "heading 2", 1, AlignmentType::Left))
}

/// Numbers paragraphs so the ids do not depend on what this thread built before.
struct Ids(usize);

impl Ids {
    fn next(&mut self, mut p: Paragraph) -> Paragraph {
        self.0 += 1;
        p.id = format!("{:08X}", self.0);
        p
    }
}

fn text_run(text: &str) -> Run {
    Run::new().add_text(text)
}

fn body(text_runs: Vec<Run>) -> Paragraph {
    let mut p = Paragraph::new().align(AlignmentType::Both).indent(
        None,
        Some(SpecialIndentType::FirstLine(FIRST_LINE)),
        None,
        None,
    );
    for r in text_runs {
        p = p.add_run(r);
    }
    p
}

pub fn render(doc: &Document) -> Result<Vec<u8>, String> {
    let date = doc.modified.as_deref().unwrap_or(NO_DATE);
    let mut ids = Ids(0);
    let mut docx = Docx::new()
        .default_fonts(fonts())
        .default_size(SIZE)
        .default_line_spacing(LineSpacing::new().line(240).after(0))
        .page_size(11906, 16838)
        .page_margin(PageMargin {
            top: 1134,
            left: 1701,
            bottom: 1134,
            right: 850,
            header: 709,
            footer: 709,
            gutter: 0,
        })
        .created_at(date)
        .updated_at(date);
    docx = styles(docx);
    let footer = Footer::new().add_paragraph(
        ids.next(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_page_num(PageNum::new()),
        ),
    );
    docx = docx.footer(footer);
    for node in &doc.nodes {
        let p = match node {
            Node::Right(lines) => {
                let mut run = Run::new();
                for (i, line) in lines.iter().enumerate() {
                    if i > 0 {
                        run = run.add_break(BreakType::TextWrapping);
                    }
                    run = run.add_text(line);
                }
                Paragraph::new()
                    .align(AlignmentType::Right)
                    .line_spacing(LineSpacing::new().after(240))
                    .add_run(run)
            }
            Node::Title(t) => Paragraph::new()
                .style("AnnexTitle")
                .keep_next(true)
                .add_run(text_run(t)),
            Node::Heading(t) => Paragraph::new()
                .style("Heading1")
                .keep_next(true)
                .add_run(text_run(t)),
            Node::Subheading(t) => Paragraph::new()
                .style("Heading2")
                .keep_next(true)
                .add_run(text_run(t)),
            Node::Paragraph(t) => body(vec![text_run(t)]),
            Node::Item(n, t) => body(vec![text_run(&format!("{n} {t}"))]),
            Node::Notice(t) => body(vec![text_run(t).bold().italic().color("C00000")]),
            Node::Empty(_) => continue,
        };
        docx = docx.add_paragraph(ids.next(p));
    }
    let mut buf = Cursor::new(Vec::new());
    docx.build()
        .pack(&mut buf)
        .map_err(|e| format!("не удалось собрать DOCX: {e}"))?;
    finish(buf.into_inner(), doc).map_err(|e| format!("не удалось собрать DOCX: {e}"))
}

/// What docx-rs cannot set, written into its package: the language ru-RU (Word and
/// LibreOffice then check spelling and hyphenate in Russian), automatic hyphenation, and the
/// document's properties (who issued it, title, campaign) instead of «unknown».
fn finish(bytes: Vec<u8>, doc: &Document) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    use std::io::{Read, Write};
    use zip::write::SimpleFileOptions;
    let mut package = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // A fixed time in the package: the same campaign gives the same bytes.
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for i in 0..package.len() {
        let mut part = package.by_index(i)?;
        let name = part.name()?.to_string();
        let mut text = Vec::new();
        part.read_to_end(&mut text)?;
        let text = match name.as_str() {
            "word/settings.xml" => after(&text, "<w:defaultTabStop", AUTO_HYPHENATION),
            "word/styles.xml" => String::from_utf8_lossy(&text)
                .replacen(
                    "</w:rPr></w:rPrDefault>",
                    &format!("{LANG}</w:rPr></w:rPrDefault>"),
                    1,
                )
                .into_bytes(),
            "docProps/core.xml" => properties(&text, doc),
            _ => text,
        };
        out.start_file(name, options)?;
        out.write_all(&text)?;
    }
    Ok(out.finish()?.into_inner())
}

const AUTO_HYPHENATION: &str = "<w:autoHyphenation w:val=\"true\" />";
const LANG: &str = "<w:lang w:val=\"ru-RU\" w:eastAsia=\"ru-RU\" w:bidi=\"ar-SA\" />";

/// The XML with `insert` after the element that starts with `element` (or at the end of the
/// root's first child when there is none).
fn after(xml: &[u8], element: &str, insert: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(xml);
    let at = text
        .find(element)
        .and_then(|start| text[start..].find("/>").map(|end| start + end + 2));
    match at {
        Some(at) => format!("{}{insert}{}", &text[..at], &text[at..]).into_bytes(),
        None => text.into_owned().into_bytes(),
    }
}

fn properties(xml: &[u8], doc: &Document) -> Vec<u8> {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let author = escape(&doc.author);
    String::from_utf8_lossy(xml)
        .replace(
            "<dc:creator>unknown</dc:creator>",
            &format!("<dc:creator>{author}</dc:creator>"),
        )
        .replace(
            "<cp:lastModifiedBy>unknown</cp:lastModifiedBy>",
            &format!("<cp:lastModifiedBy>{author}</cp:lastModifiedBy>"),
        )
        .replace(
            "</cp:coreProperties>",
            &format!(
                "<dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:language>ru-RU</dc:language></cp:coreProperties>",
                escape(&doc.title),
                escape(&doc.campaign)
            ),
        )
        .into_bytes()
}
