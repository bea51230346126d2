//! What docx-rs cannot set, written into the parts of its package: automatic hyphenation
//! (off in the headings), the language ru-RU, Word's own no-break hyphen, and the document's
//! properties. A part is read as XML events and written again, every event copied through as
//! it came and the patch made on the elements found by name, so docx-rs's spacing and
//! attribute order do not matter. Where an element a patch needs is missing, or the XML is
//! broken, the export stops and says so, rather than write a document without the patch.

use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer, XmlVersion};

mod hyphens;
pub use hyphens::document;

const SETTINGS: &str = "word/settings.xml";
const STYLES: &str = "word/styles.xml";
const CORE: &str = "docProps/core.xml";

/// The export stops where docx-rs no longer writes what a patch expects.
fn unexpected(anchor: &str) -> String {
    format!(
        "DOCX не собран: библиотека docx-rs записала документ не так, как ожидает sobes (нет «{anchor}»); ничего не записано"
    )
}

fn malformed(part: &str, at: u64, what: &dyn std::fmt::Display) -> String {
    format!(
        "DOCX не собран: библиотека docx-rs записала {part} с ошибкой XML (байт {at}: {what}); ничего не записано"
    )
}

/// One part read event by event and written again.
struct Rewrite<'a> {
    part: &'static str,
    reader: Reader<&'a [u8]>,
    writer: Writer<Vec<u8>>,
    /// Elements open after the last event read.
    depth: usize,
}

impl<'a> Rewrite<'a> {
    fn new(part: &'static str, xml: &'a [u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(xml)
            .map_err(|e| malformed(part, e.valid_up_to() as u64, &"не UTF-8"))?;
        Ok(Rewrite {
            part,
            reader: Reader::from_str(text),
            writer: Writer::new(Vec::with_capacity(xml.len() + 1024)),
            depth: 0,
        })
    }

    /// The next event and the level of its element (how many elements are open around it).
    /// The reader checks that end tags match; an element left open at the end is checked
    /// here, as the reader takes it for a fragment.
    fn next(&mut self) -> Result<(Event<'a>, usize), String> {
        let event = self
            .reader
            .read_event()
            .map_err(|e| malformed(self.part, self.reader.error_position(), &e))?;
        let level = match event {
            Event::Start(_) => {
                self.depth += 1;
                self.depth - 1
            }
            Event::End(_) => {
                self.depth = self.depth.saturating_sub(1);
                self.depth
            }
            Event::Eof if self.depth > 0 => {
                let at = self.reader.buffer_position();
                return Err(malformed(self.part, at, &"элемент не закрыт"));
            }
            _ => self.depth,
        };
        Ok((event, level))
    }

    /// What is inside the element just opened at `level`, its end read and left out.
    fn inside(&mut self, level: usize) -> Result<Vec<(Event<'a>, usize)>, String> {
        let mut events = Vec::new();
        loop {
            match self.next()? {
                (Event::End(_), l) if l == level => return Ok(events),
                event => events.push(event),
            }
        }
    }

    /// An attribute's value; a broken attribute is broken XML too.
    fn attribute(&self, e: &BytesStart, name: &str) -> Result<Option<String>, String> {
        let broken =
            |x: &dyn std::fmt::Display| malformed(self.part, self.reader.buffer_position(), x);
        let Some(a) = e.try_get_attribute(name).map_err(|x| broken(&x))? else {
            return Ok(None);
        };
        let value = a.normalized_value(XmlVersion::Implicit1_0);
        Ok(Some(value.map_err(|x| broken(&x))?.into_owned()))
    }

    fn put(&mut self, event: Event) -> Result<(), String> {
        self.writer
            .write_event(event)
            .map_err(|e| format!("DOCX не собран: {e}"))
    }

    /// An element sobes adds, written as docx-rs writes its own (`<w:x w:val="…" />`): the
    /// package reads as one hand wrote it.
    fn put_new(&mut self, name: &str, attributes: &[(&str, &str)]) -> Result<(), String> {
        let e = BytesStart::new(name).with_attributes(attributes.iter().copied());
        self.writer
            .config_mut()
            .add_space_before_slash_in_empty_elements = true;
        let written = self.put(Event::Empty(e));
        self.writer
            .config_mut()
            .add_space_before_slash_in_empty_elements = false;
        written
    }

    fn put_text(&mut self, name: &str, text: &str) -> Result<(), String> {
        // A control character is not allowed in XML at all: Word refuses the whole file.
        let text: String = text.chars().filter(|c| !c.is_control()).collect();
        self.put(Event::Start(BytesStart::new(name)))?;
        self.put(Event::Text(BytesText::new(&text)))?;
        self.put(Event::End(BytesEnd::new(name)))
    }

    fn finish(self) -> Vec<u8> {
        self.writer.into_inner()
    }
}

fn is(e: &BytesStart, name: &str) -> bool {
    e.name().0 == name
}

/// Automatic hyphenation on, right after `w:defaultTabStop`, where the schema's order of the
/// settings puts it.
pub fn settings(xml: &[u8]) -> Result<Vec<u8>, String> {
    let mut rw = Rewrite::new(SETTINGS, xml)?;
    let mut done = false;
    loop {
        let (event, _) = rw.next()?;
        let after = match &event {
            Event::Eof => break,
            Event::Empty(e) => is(e, "w:defaultTabStop"),
            Event::End(e) => e.name().0 == "w:defaultTabStop",
            _ => false,
        };
        rw.put(event)?;
        if after && !done {
            rw.put_new("w:autoHyphenation", &[("w:val", "true")])?;
            done = true;
        }
    }
    if !done {
        return Err(unexpected(&format!("{SETTINGS}: <w:defaultTabStop>")));
    }
    Ok(rw.finish())
}

/// The language ru-RU for every run (Word and LibreOffice then check spelling and hyphenate
/// in Russian), and no hyphenation in the styles `unhyphenated`.
pub fn styles(xml: &[u8], unhyphenated: &[&str]) -> Result<Vec<u8>, String> {
    unhyphenated_styles(&default_language(xml)?, unhyphenated)
}

const LANG: [(&str, &str); 3] = [
    ("w:val", "ru-RU"),
    ("w:eastAsia", "ru-RU"),
    ("w:bidi", "ar-SA"),
];

/// `w:lang` as the last child of the default run properties, after the fonts and size
/// docx-rs writes there (the schema's order).
fn default_language(xml: &[u8]) -> Result<Vec<u8>, String> {
    let mut rw = Rewrite::new(STYLES, xml)?;
    // The level of the open `w:rPrDefault`: its own `w:rPr` is the one a level below.
    let mut defaults = None;
    let mut done = false;
    loop {
        let (event, level) = rw.next()?;
        let own = !done && defaults.is_some_and(|d| level == d + 1);
        match &event {
            Event::Eof => break,
            Event::Start(e) if is(e, "w:rPrDefault") => defaults = Some(level),
            Event::End(e) if e.name().0 == "w:rPrDefault" => defaults = None,
            Event::End(e) if own && e.name().0 == "w:rPr" => {
                rw.put_new("w:lang", &LANG)?;
                done = true;
            }
            Event::Empty(e) if own && is(e, "w:rPr") => {
                rw.put(Event::Start(e.borrow()))?;
                rw.put_new("w:lang", &LANG)?;
                rw.put(Event::End(e.to_end()))?;
                done = true;
                continue;
            }
            _ => {}
        }
        rw.put(event)?;
    }
    if !done {
        return Err(unexpected(&format!("{STYLES}: <w:rPr> в <w:rPrDefault>")));
    }
    Ok(rw.finish())
}

/// What may follow a style's `w:pPr` in the schema's order: a new `w:pPr` goes before the
/// first of them.
const AFTER_PPR: [&str; 5] = ["w:rPr", "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr"];

/// No hyphenation in each style `ids`: see `unhyphenated`.
fn unhyphenated_styles(xml: &[u8], ids: &[&str]) -> Result<Vec<u8>, String> {
    let mut rw = Rewrite::new(STYLES, xml)?;
    let mut found = Vec::new();
    loop {
        let (event, level) = rw.next()?;
        let id = match &event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if is(e, "w:style") => {
                rw.attribute(e, "w:styleId")?
            }
            _ => None,
        };
        let Some(id) = id.filter(|id| ids.contains(&id.as_str())) else {
            rw.put(event)?;
            continue;
        };
        match event {
            Event::Start(e) => {
                let inside = rw.inside(level)?;
                unhyphenated(&mut rw, e, inside, level)?;
            }
            Event::Empty(e) => unhyphenated(&mut rw, e, Vec::new(), level)?,
            _ => {}
        }
        found.push(id);
    }
    match ids.iter().find(|id| !found.iter().any(|f| f == *id)) {
        Some(id) => Err(unexpected(&format!(
            "{STYLES}: <w:style w:styleId=\"{id}\">"
        ))),
        None => Ok(rw.finish()),
    }
}

/// The style opened by `start` at `level`, with what is `inside` it, written again with
/// `<w:suppressAutoHyphens />` first in its `w:pPr`, or in a `w:pPr` of its own where it has
/// none. First is where the schema wants it among what docx-rs writes in a style's `w:pPr`
/// (spacing, alignment, outline level). The whole style is read first: docx-rs writes a
/// style's `w:rPr` before its `w:pPr`, so meeting the one says nothing of the other.
fn unhyphenated<'a>(
    rw: &mut Rewrite<'a>,
    start: BytesStart<'a>,
    inside: Vec<(Event<'a>, usize)>,
    level: usize,
) -> Result<(), String> {
    let child = |names: &[&str]| {
        inside.iter().position(|(e, l)| {
            *l == level + 1
                && matches!(e, Event::Start(s) | Event::Empty(s) if names.contains(&s.name().0))
        })
    };
    let paragraph = child(&["w:pPr"]).is_some();
    let at = child(&["w:pPr"]).or_else(|| child(&AFTER_PPR));
    rw.put(Event::Start(start.borrow()))?;
    for (i, (event, _)) in inside.into_iter().enumerate() {
        if Some(i) != at {
            rw.put(event)?;
            continue;
        }
        match event {
            Event::Start(_) if paragraph => {
                rw.put(event)?;
                rw.put_new("w:suppressAutoHyphens", &[])?;
            }
            Event::Empty(e) if paragraph => {
                rw.put(Event::Start(e.borrow()))?;
                rw.put_new("w:suppressAutoHyphens", &[])?;
                rw.put(Event::End(e.to_end()))?;
            }
            event => {
                suppressed_paragraph(rw)?;
                rw.put(event)?;
            }
        }
    }
    if at.is_none() {
        suppressed_paragraph(rw)?;
    }
    rw.put(Event::End(start.to_end()))
}

fn suppressed_paragraph(rw: &mut Rewrite) -> Result<(), String> {
    rw.put(Event::Start(BytesStart::new("w:pPr")))?;
    rw.put_new("w:suppressAutoHyphens", &[])?;
    rw.put(Event::End(BytesEnd::new("w:pPr")))
}

/// The properties: who issued the document (in `dc:creator` and `cp:lastModifiedBy`, where
/// docx-rs writes «unknown»), its title, the campaign as its subject, and the language.
pub fn core(xml: &[u8], author: &str, title: &str, campaign: &str) -> Result<Vec<u8>, String> {
    const WHO: [&str; 2] = ["dc:creator", "cp:lastModifiedBy"];
    // Written at the end; docx-rs's own, should it come to write them, would be there twice.
    const ADDED: [&str; 3] = ["dc:title", "dc:subject", "dc:language"];
    let replaced = |e: &BytesStart| WHO.contains(&e.name().0) || ADDED.contains(&e.name().0);
    let mut rw = Rewrite::new(CORE, xml)?;
    let mut found = Vec::new();
    let mut closed = false;
    loop {
        let (event, level) = rw.next()?;
        let e = match event {
            Event::Eof => break,
            Event::Start(e) if level == 1 && replaced(&e) => {
                rw.inside(level)?;
                e
            }
            Event::Empty(e) if level == 1 && replaced(&e) => e,
            Event::End(e) if level == 0 && e.name().0 == "cp:coreProperties" => {
                rw.put_text("dc:title", title)?;
                rw.put_text("dc:subject", campaign)?;
                rw.put_text("dc:language", "ru-RU")?;
                rw.put(Event::End(e))?;
                closed = true;
                continue;
            }
            event => {
                rw.put(event)?;
                continue;
            }
        };
        if WHO.contains(&e.name().0) {
            rw.put_text(e.name().0, author)?;
            found.push(e.name().0.to_string());
        }
    }
    let missing = WHO.iter().find(|w| !found.iter().any(|f| f == *w));
    match (missing, closed) {
        (Some(w), _) => Err(unexpected(&format!("{CORE}: <{w}>"))),
        (None, false) => Err(unexpected(&format!("{CORE}: </cp:coreProperties>"))),
        (None, true) => Ok(rw.finish()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFF: &str = "<w:suppressAutoHyphens />";

    fn text(patched: Result<Vec<u8>, String>) -> String {
        String::from_utf8(patched.unwrap()).unwrap()
    }

    /// `patch` gives `marked` with each mark replaced, from `marked` without its marks.
    fn patches(
        patch: impl Fn(&[u8]) -> Result<Vec<u8>, String>,
        marked: &str,
        marks: &[(char, &str)],
    ) {
        let xml: String = marked
            .chars()
            .filter(|c| marks.iter().all(|m| m.0 != *c))
            .collect();
        let want = marks
            .iter()
            .fold(marked.to_string(), |s, (m, with)| s.replace(*m, with));
        assert_eq!(text(patch(xml.as_bytes())), want);
    }

    fn refused(patched: Result<Vec<u8>, String>, said: &[&str]) {
        let e = patched.unwrap_err();
        for s in ["DOCX не собран", "ничего не записано"].iter().chain(said)
        {
            assert!(e.contains(s), "{s}: {e}");
        }
    }

    /// Where there is nothing to patch, what docx-rs wrote comes out byte for byte.
    #[test]
    fn events_are_copied_through_as_they_came() {
        let xml = "<?xml version=\"1.0\" standalone=\"yes\"?>\n<w:document xmlns:w=\"w\"><!-- c -->\
                   <w:body>\n <w:p><w:r><w:rPr /><w:t xml:space='preserve'>a &amp; b &#8212; «c»\
                   </w:t><w:br/></w:r></w:p></w:body></w:document>";
        patches(document, xml, &[]);
    }

    /// The old search for «<w:defaultTabStop» and the next «/>» put the switch inside the
    /// next element where the tab stop had an end tag.
    #[test]
    fn hyphenation_follows_the_tab_stop_however_written() {
        let on = [('§', "<w:autoHyphenation w:val=\"true\" />")];
        let xml = "<w:settings><w:zoom w:percent=\"100\"/><w:defaultTabStop\n w:val='708'>\
                   </w:defaultTabStop>§<w:compat w:x=\"1\"/></w:settings>";
        patches(settings, xml, &on);
        patches(
            settings,
            "<w:settings><w:defaultTabStop w:val=\"840\" />§</w:settings>",
            &on,
        );
        refused(
            settings(b"<w:settings/>"),
            &["word/settings.xml: <w:defaultTabStop>"],
        );
    }

    /// The old search for «</w:rPr></w:rPrDefault>» missed a line break between them.
    #[test]
    fn the_language_is_the_last_default_run_property() {
        let lang = "<w:lang w:val=\"ru-RU\" w:eastAsia=\"ru-RU\" w:bidi=\"ar-SA\" />";
        let xml = "<w:styles><w:docDefaults><w:rPrDefault>\n<w:rPr><w:sz w:val=\"28\" />§</w:rPr>\n\
                   </w:rPrDefault><w:pPrDefault><w:pPr><w:rPr/></w:pPr></w:pPrDefault>\
                   </w:docDefaults></w:styles>";
        patches(default_language, xml, &[('§', lang)]);
        let empty = default_language(b"<w:styles><w:rPrDefault><w:rPr/></w:rPrDefault></w:styles>");
        let want =
            format!("<w:styles><w:rPrDefault><w:rPr>{lang}</w:rPr></w:rPrDefault></w:styles>");
        assert_eq!(text(empty), want);
        let xml = b"<w:styles><w:docDefaults><w:rPrDefault/></w:docDefaults></w:styles>";
        refused(
            default_language(xml),
            &["word/styles.xml: <w:rPr> в <w:rPrDefault>"],
        );
    }

    /// The id in single quotes and after the type, `w:pPr` after `w:rPr` (as docx-rs writes
    /// it) or with a space in its tag, none, or empty; a table style's inner `w:pPr` and a
    /// style not listed are left alone. The old search missed the first two.
    #[test]
    fn listed_styles_suppress_hyphens_in_their_paragraph_properties() {
        let s = |id: &str, inside: &str| {
            format!("<w:style w:type=\"p\" w:styleId='{id}'>{inside}</w:style>")
        };
        let marked = [
            s(
                "H",
                "<w:rPr><w:b/></w:rPr><w:pPr >§<w:jc w:val=\"c\"/></w:pPr>",
            ),
            s("T", "<w:name w:val=\"T\"/>¶<w:rPr><w:b/></w:rPr>"),
            s("S", "<w:name w:val=\"S\"/>¶"),
            s("G", "¶<w:tblPr/><w:tblStylePr><w:pPr/></w:tblStylePr>"),
            s("N", "<w:pPr/>"),
        ];
        let marked = format!("<w:styles>{}</w:styles>", marked.concat());
        let ids = ["H", "T", "S", "G"];
        let new = format!("<w:pPr>{OFF}</w:pPr>");
        patches(
            |x| unhyphenated_styles(x, &ids),
            &marked,
            &[('§', OFF), ('¶', &new)],
        );
        let empty = b"<w:styles><w:style w:styleId=\"E\"><w:pPr/></w:style><w:style w:styleId=\"F\"/></w:styles>";
        let e = |id: &str| format!("<w:style w:styleId=\"{id}\">{new}</w:style>");
        let want = format!("<w:styles>{}{}</w:styles>", e("E"), e("F"));
        assert_eq!(text(unhyphenated_styles(empty, &["E", "F"])), want);
        refused(
            unhyphenated_styles(empty, &["E", "Heading9"]),
            &["<w:style w:styleId=\"Heading9\">"],
        );
    }

    /// Who issued it in place of whatever docx-rs wrote, in any order, escaped and without
    /// control characters; title, subject and language added once.
    #[test]
    fn the_properties_say_who_issued_the_document() {
        let xml = "<?xml version=\"1.0\"?>\n<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"d\">\
                   <cp:lastModifiedBy>someone</cp:lastModifiedBy><dc:title>old</dc:title>\
                   <dc:creator/><cp:revision>1</cp:revision></cp:coreProperties>";
        let got = core(
            xml.as_bytes(),
            "ГБУ «И» <&> \"Q\"\u{1}",
            "Итоги\u{b}",
            "Кампания",
        );
        let who = "ГБУ «И» &lt;&amp;&gt; &quot;Q&quot;";
        let want = format!(
            "<?xml version=\"1.0\"?>\n<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"d\">\
             <cp:lastModifiedBy>{who}</cp:lastModifiedBy><dc:creator>{who}</dc:creator>\
             <cp:revision>1</cp:revision><dc:title>Итоги</dc:title><dc:subject>Кампания\
             </dc:subject><dc:language>ru-RU</dc:language></cp:coreProperties>"
        );
        assert_eq!(text(got), want);
        let no_editor = b"<cp:coreProperties><dc:creator>x</dc:creator></cp:coreProperties>";
        refused(
            core(no_editor, "a", "t", "c"),
            &["docProps/core.xml: <cp:lastModifiedBy>"],
        );
        let other = b"<cp:other><dc:creator/><cp:lastModifiedBy/></cp:other>";
        refused(
            core(other, "a", "t", "c"),
            &["docProps/core.xml: </cp:coreProperties>"],
        );
    }

    /// Broken XML names its part and where the reader stopped.
    #[test]
    fn malformed_xml_stops_the_export_naming_the_part_and_place() {
        let unclosed = b"<w:settings><w:defaultTabStop w:val=\"1\"/>";
        let at = format!("байт {}", unclosed.len());
        refused(
            settings(unclosed),
            &["word/settings.xml", "ошибкой XML", &at],
        );
        refused(
            styles(b"<w:styles><w:style></w:styles>", &[]),
            &["word/styles.xml", "байт 19"],
        );
        refused(
            document(b"<w:t>\xff</w:t>"),
            &["word/document.xml", "байт 5", "не UTF-8"],
        );
    }
}
