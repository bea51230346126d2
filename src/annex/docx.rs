//! The annex as a Word document: A4, Times New Roman 14, headings with styles of their own
//! (docx-rs ships only «Normal»), items with their numbers written out, lists as running
//! text, page numbers in the footer. The same document gives the same bytes: paragraph ids
//! are numbered here rather than by docx-rs's per-thread counter, and the document dates come
//! from the campaign (the latest recorded change), not from the clock.

use super::document::{DRAFT, Document, GAPS_HEADING, Node};
use super::docx_patch as patch;
use docx_rs::{
    AlignmentType, BreakType, Docx, Header, LineSpacing, PageMargin, PageNum, Paragraph, Run,
    RunFonts, SpecialIndentType, Style, StyleType, Tab, TabValueType,
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
        .add_style(
            Style::new("AnnexStamp", StyleType::Paragraph)
                .name("Annex stamp")
                .based_on("Normal")
                .align(AlignmentType::Right),
        )
        .add_style(
            Style::new("LetterSender", StyleType::Paragraph)
                .name("Letter sender")
                .based_on("Normal")
                .align(AlignmentType::Left),
        )
}

/// The styles never hyphenated: the title, headings and the stamp or header of a letter
/// (hyphenation stays on for the body). docx-rs has no switch for it.
const UNHYPHENATED: [&str; 5] = [
    "AnnexTitle",
    "Heading1",
    "Heading2",
    "AnnexStamp",
    "LetterSender",
];

/// Numbers paragraphs so the ids do not depend on what this thread built before.
struct Ids(usize);

impl Ids {
    fn next(&mut self, mut p: Paragraph) -> Paragraph {
        self.0 += 1;
        p.id = format!("{:08X}", self.0);
        p
    }
}

/// Lines of a block broken inside one run.
fn lines_run(lines: &[String]) -> Run {
    let mut run = Run::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    run
}

/// The width of the text on an A4 page with these margins, in twentieths of a point.
const TEXT_WIDTH: usize = 11906 - 1701 - 850;

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
    let mut ids = Ids(0);
    let mut docx = page(doc, &mut ids);
    for (i, node) in doc.nodes.iter().enumerate() {
        let Some(p) = paragraph(node) else {
            continue;
        };
        let keep = matches!(node, Node::Notice(_)) && i + 1 < doc.nodes.len();
        let p = if keep { p.keep_next(true) } else { p };
        docx = docx.add_paragraph(ids.next(p));
    }
    let mut buf = Cursor::new(Vec::new());
    docx.build()
        .pack(&mut buf)
        .map_err(|e| format!("не удалось собрать DOCX: {e}"))?;
    finish(buf.into_inner(), doc).map_err(|e| format!("не удалось собрать DOCX: {e}"))
}

/// An empty document: A4 with its margins, the styles, the campaign's date, and the page
/// numbers.
fn page(doc: &Document, ids: &mut Ids) -> Docx {
    let date = doc.modified.as_deref().unwrap_or(NO_DATE);
    let docx = Docx::new()
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
    // ГОСТ Р 7.0.97-2016: page numbers at the top, centred, none on the first page.
    let header = Header::new().add_paragraph(
        ids.next(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_page_num(PageNum::new()),
        ),
    );
    styles(docx)
        .header(header)
        .first_header(Header::new().add_paragraph(ids.next(Paragraph::new())))
}

/// A node as a paragraph; none for the sentence of an empty section, gone once numbered.
fn paragraph(node: &Node) -> Option<Paragraph> {
    Some(match node {
        Node::Right(lines) if lines.len() == 1 && lines[0] == DRAFT => Paragraph::new()
            .align(AlignmentType::Right)
            .add_run(text_run(DRAFT).bold()),
        Node::Right(lines) => Paragraph::new()
            .style("AnnexStamp")
            .line_spacing(LineSpacing::new().after(240))
            .add_run(lines_run(lines)),
        Node::Left(lines) => Paragraph::new()
            .style("LetterSender")
            .line_spacing(LineSpacing::new().after(240))
            .add_run(lines_run(lines)),
        // The position at the left, the name at the right margin, on one line.
        Node::Signature(position, name) => Paragraph::new()
            .style("LetterSender")
            .line_spacing(LineSpacing::new().before(480))
            .add_tab(Tab::new().val(TabValueType::Right).pos(TEXT_WIDTH))
            .add_run(text_run(position).add_tab().add_text(name)),
        Node::Title(t) => Paragraph::new()
            .style("AnnexTitle")
            .keep_next(true)
            .add_run(text_run(t)),
        Node::Salutation(t) => Paragraph::new()
            .align(AlignmentType::Center)
            .keep_next(true)
            .line_spacing(LineSpacing::new().after(240))
            .add_run(text_run(t)),
        // The gaps on a page of their own, after the text.
        Node::Heading(t) if t == GAPS_HEADING => Paragraph::new()
            .style("Heading1")
            .page_break_before(true)
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
        Node::Empty(_) => return None,
    })
}

/// What docx-rs cannot set, written into its package (see `docx_patch`), the parts copied
/// into a new package with a fixed time: the same campaign gives the same bytes.
fn finish(bytes: Vec<u8>, doc: &Document) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    use std::io::{Read, Write};
    use zip::write::SimpleFileOptions;
    let mut package = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for i in 0..package.len() {
        let mut part = package.by_index(i)?;
        let name = part.name()?.to_string();
        let mut xml = Vec::new();
        part.read_to_end(&mut xml)?;
        let xml = match name.as_str() {
            "word/settings.xml" => patch::settings(&xml)?,
            "word/styles.xml" => patch::styles(&xml, &UNHYPHENATED)?,
            "word/document.xml" => patch::document(&xml)?,
            "docProps/core.xml" => patch::core(&xml, &doc.author, &doc.title, &doc.campaign)?,
            _ => xml,
        };
        out.start_file(name, options)?;
        out.write_all(&xml)?;
    }
    Ok(out.finish()?.into_inner())
}
