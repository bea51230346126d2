//! The annex as a Word document: A4, Times New Roman 14, headings with styles of their own
//! (docx-rs ships only «Normal»), items with their numbers written out, lists as running
//! text, page numbers in the footer. The same document gives the same bytes: paragraph ids
//! are numbered here rather than by docx-rs's per-thread counter, and the document dates come
//! from the campaign (the latest recorded change), not from the clock.

use super::document::{DRAFT, Document, GAPS_HEADING, Node};
use super::typeset::NB_HYPHEN;
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
            "word/settings.xml" => insert_after(&text, "<w:defaultTabStop", AUTO_HYPHENATION)?,
            "word/styles.xml" => {
                let xml = String::from_utf8_lossy(&text);
                let mut xml = replaced(
                    &xml,
                    "</w:rPr></w:rPrDefault>",
                    &format!("{LANG}</w:rPr></w:rPrDefault>"),
                )?;
                for style in UNHYPHENATED {
                    xml = suppress_hyphens(&xml, style)?;
                }
                xml.into_bytes()
            }
            // Word's own no-break hyphen, not a character a font may lack.
            "word/document.xml" => no_break_hyphens(&String::from_utf8_lossy(&text)).into_bytes(),
            "docProps/core.xml" => properties(&text, doc)?,
            _ => text,
        };
        out.start_file(name, options)?;
        out.write_all(&text)?;
    }
    Ok(out.finish()?.into_inner())
}

const AUTO_HYPHENATION: &str = "<w:autoHyphenation w:val=\"true\" />";
const LANG: &str = "<w:lang w:val=\"ru-RU\" w:eastAsia=\"ru-RU\" w:bidi=\"ar-SA\" />";

/// The patches below are written against docx-rs's own output. Where it no longer writes
/// what a patch expects, the export stops and says so, rather than writing a document
/// without its language, hyphenation or properties.
fn unexpected(anchor: &str) -> String {
    format!(
        "DOCX не собран: библиотека docx-rs записала документ не так, как ожидает sobes (нет «{anchor}»); ничего не записано"
    )
}

/// `xml` with the first `anchor` replaced by `with`; an error where there is none.
fn replaced(xml: &str, anchor: &str, with: &str) -> Result<String, String> {
    match xml.find(anchor) {
        Some(_) => Ok(xml.replacen(anchor, with, 1)),
        None => Err(unexpected(anchor)),
    }
}

/// The XML with `insert` after the element that starts with `element`.
fn insert_after(xml: &[u8], element: &str, insert: &str) -> Result<Vec<u8>, String> {
    let text = String::from_utf8_lossy(xml);
    let at = text
        .find(element)
        .and_then(|start| text[start..].find("/>").map(|end| start + end + 2))
        .ok_or_else(|| unexpected(element))?;
    Ok(format!("{}{insert}{}", &text[..at], &text[at..]).into_bytes())
}

/// Each run with a no-break hyphen in its text split around Word's own `<w:noBreakHyphen />`
/// (a font may lack the character), every piece keeping the run's properties.
fn no_break_hyphens(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(start) = rest.find("<w:r>") {
        let Some(len) = rest[start..].find("</w:r>") else {
            break;
        };
        let end = start + len + "</w:r>".len();
        let run = &rest[start..end];
        out.push_str(&rest[..start]);
        rest = &rest[end..];
        let text_at = run
            .find("<w:t")
            .and_then(|t| run[t..].find('>').map(|g| t + g + 1));
        let (Some(text_at), true) = (text_at, run.contains(NB_HYPHEN)) else {
            out.push_str(run);
            continue;
        };
        let Some(text_end) = run[text_at..].find("</w:t>").map(|e| text_at + e) else {
            out.push_str(run);
            continue;
        };
        let props = run
            .find("<w:rPr")
            .and_then(|p| {
                run[p..]
                    .find("</w:rPr>")
                    .map(|e| &run[p..p + e + "</w:rPr>".len()])
            })
            .unwrap_or("");
        let pieces: Vec<String> = run[text_at..text_end]
            .split(NB_HYPHEN)
            .map(|piece| format!("<w:r>{props}<w:t xml:space=\"preserve\">{piece}</w:t></w:r>"))
            .collect();
        out.push_str(&pieces.join(&format!("<w:r>{props}<w:noBreakHyphen /></w:r>")));
    }
    out.push_str(rest);
    out
}

/// The style `id` in styles.xml with `<w:suppressAutoHyphens />` in its paragraph
/// properties.
fn suppress_hyphens(xml: &str, id: &str) -> Result<String, String> {
    let anchor = format!("w:styleId=\"{id}\"");
    let start = xml.find(&anchor).ok_or_else(|| unexpected(&anchor))?;
    let end = xml[start..]
        .find("</w:style>")
        .map(|e| start + e)
        .ok_or_else(|| unexpected("</w:style>"))?;
    let style = &xml[start..end];
    let patched = match style.find("<w:pPr>") {
        Some(p) => format!(
            "{}<w:pPr><w:suppressAutoHyphens />{}",
            &style[..p],
            &style[p + "<w:pPr>".len()..]
        ),
        None => format!("{style}<w:pPr><w:suppressAutoHyphens /></w:pPr>"),
    };
    Ok(format!("{}{patched}{}", &xml[..start], &xml[end..]))
}

fn properties(xml: &[u8], doc: &Document) -> Result<Vec<u8>, String> {
    // A control character is not allowed in XML at all: Word refuses the whole file.
    let escape = |s: &str| {
        s.chars()
            .filter(|c| !c.is_control())
            .collect::<String>()
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let author = escape(&doc.author);
    let xml = String::from_utf8_lossy(xml);
    let xml = replaced(
        &xml,
        "<dc:creator>unknown</dc:creator>",
        &format!("<dc:creator>{author}</dc:creator>"),
    )?;
    let xml = replaced(
        &xml,
        "<cp:lastModifiedBy>unknown</cp:lastModifiedBy>",
        &format!("<cp:lastModifiedBy>{author}</cp:lastModifiedBy>"),
    )?;
    let xml = replaced(
        &xml,
        "</cp:coreProperties>",
        &format!(
            "<dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:language>ru-RU</dc:language></cp:coreProperties>",
            escape(&doc.title),
            escape(&doc.campaign)
        ),
    )?;
    Ok(xml.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A patch whose anchor docx-rs no longer writes stops the export, naming it.
    #[test]
    fn a_patch_that_finds_nothing_says_so() {
        let e = insert_after(
            b"<w:settings></w:settings>",
            "<w:defaultTabStop",
            AUTO_HYPHENATION,
        )
        .unwrap_err();
        assert!(e.contains("«<w:defaultTabStop»"), "{e}");
        let e = suppress_hyphens("<w:styles/>", "Heading1").unwrap_err();
        assert!(
            e.contains("Heading1") && e.contains("ничего не записано"),
            "{e}"
        );
        let doc = Document {
            title: "t".into(),
            author: "a".into(),
            campaign: "c".into(),
            nodes: Vec::new(),
            modified: None,
        };
        assert!(properties(b"<cp:coreProperties></cp:coreProperties>", &doc).is_err());
        let ok = replaced("x<a/>y", "<a/>", "<b/>").unwrap();
        assert_eq!(ok, "x<b/>y");
    }
}
