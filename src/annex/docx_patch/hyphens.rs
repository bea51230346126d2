//! Word's own no-break hyphen in place of the character in the text of document.xml.

use super::{Rewrite, is};
use crate::annex::typeset::NB_HYPHEN;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

/// Word's own no-break hyphen, not a character a font may lack: each run with one in its
/// text is split into runs around `<w:noBreakHyphen />`, every piece keeping the run's
/// properties.
pub fn document(xml: &[u8]) -> Result<Vec<u8>, String> {
    let mut rw = Rewrite::new("word/document.xml", xml)?;
    loop {
        match rw.next()? {
            (Event::Eof, _) => break,
            (Event::Start(run), level) if is(&run, "w:r") => {
                let inside = rw.inside(level)?;
                hyphenated_run(&mut rw, run, inside, level)?;
            }
            (event, _) => rw.put(event)?,
        }
    }
    Ok(rw.finish())
}

/// What a run holds, in order, its properties apart.
enum Piece<'a> {
    Copied(Event<'a>),
    /// Text kept escaped as it was read, to be written back without escaping it twice.
    Text(String),
    Hyphen,
}

/// Whether a text or a character reference is the no-break hyphen, or holds it.
fn breaks_not(event: &Event) -> bool {
    match event {
        Event::Text(t) => t.contains(NB_HYPHEN),
        Event::GeneralRef(r) => matches!(r.resolve_char_ref(), Ok(Some(NB_HYPHEN))),
        _ => false,
    }
}

/// The run opened by `start` at `level` with what is `inside` it, split at its no-break
/// hyphens; written as it came where it has none.
fn hyphenated_run<'a>(
    rw: &mut Rewrite<'a>,
    start: BytesStart<'a>,
    inside: Vec<(Event<'a>, usize)>,
    level: usize,
) -> Result<(), String> {
    let (props, pieces) = match inside.iter().any(|(e, _)| breaks_not(e)) {
        true => pieces(&inside, level),
        false => (Vec::new(), Vec::new()),
    };
    if !pieces.iter().any(|p| matches!(p, Piece::Hyphen)) {
        let end = start.to_end().into_owned();
        rw.put(Event::Start(start))?;
        for (event, _) in inside {
            rw.put(event)?;
        }
        return rw.put(Event::End(end));
    }
    let open = |rw: &mut Rewrite<'a>| -> Result<(), String> {
        rw.put(Event::Start(start.borrow()))?;
        props.iter().try_for_each(|e| rw.put(e.clone()))
    };
    let close = |rw: &mut Rewrite<'a>| rw.put(Event::End(start.to_end()));
    // Whether a run is open for the text that follows; a hyphen takes a run of its own.
    let mut running = false;
    for piece in pieces {
        let hyphen = matches!(piece, Piece::Hyphen);
        if running && hyphen {
            close(rw)?;
        }
        if !running || hyphen {
            open(rw)?;
        }
        running = !hyphen;
        match piece {
            Piece::Copied(event) => rw.put(event)?,
            // A piece may begin or end with a space, which Word drops without `preserve`.
            Piece::Text(text) => {
                let t = BytesStart::new("w:t").with_attributes([("xml:space", "preserve")]);
                rw.put(Event::Start(t))?;
                rw.put(Event::Text(BytesText::from_escaped(text)))?;
                rw.put(Event::End(BytesEnd::new("w:t")))?;
            }
            Piece::Hyphen => {
                rw.put_new("w:noBreakHyphen", &[])?;
                close(rw)?;
            }
        }
    }
    if running { close(rw) } else { Ok(()) }
}

/// A run's properties (`w:rPr` with all it holds) and the rest of what is `inside` it as
/// pieces, the texts of its `w:t` cut at the no-break hyphens.
fn pieces<'a>(inside: &[(Event<'a>, usize)], level: usize) -> (Vec<Event<'a>>, Vec<Piece<'a>>) {
    // Only the run's own children count, not those of a text box drawn inside it.
    let child = level + 1;
    let (mut props, mut pieces) = (Vec::new(), Vec::new());
    let mut in_props = false;
    // The text of the `w:t` being read, escaped as in the XML.
    let mut text: Option<String> = None;
    for (event, l) in inside {
        let here = *l == child;
        match event {
            Event::Start(e) if here && is(e, "w:rPr") => in_props = true,
            Event::Empty(e) if here && is(e, "w:rPr") => {
                props.push(event.clone());
                continue;
            }
            Event::Start(e) if here && is(e, "w:t") => {
                text = Some(String::new());
                continue;
            }
            Event::End(e) if here && e.name().0 == "w:t" => {
                split(&text.take().unwrap_or_default(), &mut pieces);
                continue;
            }
            _ => {}
        }
        if in_props {
            props.push(event.clone());
            in_props = !(here && matches!(event, Event::End(_)));
            continue;
        }
        match (&mut text, event) {
            (Some(t), Event::GeneralRef(_)) if breaks_not(event) => t.push(NB_HYPHEN),
            (Some(t), Event::GeneralRef(r)) => t.push_str(&format!("&{};", &**r)),
            (Some(t), Event::Text(x)) => t.push_str(x),
            (Some(t), Event::CData(c)) => t.push_str(&quick_xml::escape::partial_escape(&**c)),
            // Nothing else belongs in a text (a comment there is left out).
            (Some(_), _) => {}
            (None, _) => pieces.push(Piece::Copied(event.clone())),
        }
    }
    (props, pieces)
}

fn split(text: &str, pieces: &mut Vec<Piece>) {
    for (i, part) in text.split(NB_HYPHEN).enumerate() {
        if i > 0 {
            pieces.push(Piece::Hyphen);
        }
        if !part.is_empty() {
            pieces.push(Piece::Text(part.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run with attributes, a character reference, an entity and a second text after a
    /// break: every piece keeps the run's tag and properties, and nothing of it is lost.
    #[test]
    fn a_no_break_hyphen_is_words_own_in_a_run_of_its_own() {
        let xml = format!(
            "<w:p><w:r w:rsidR=\"01\"><w:rPr><w:b/></w:rPr><w:t>Усть{NB_HYPHEN}Катавский &amp; \
             Катав&#8209;Ивановский</w:t><w:br/><w:t>ГО</w:t></w:r><w:r><w:t>Без</w:t></w:r></w:p>"
        );
        let run = |inside: &str| format!("<w:r w:rsidR=\"01\"><w:rPr><w:b/></w:rPr>{inside}</w:r>");
        let t = |s: &str| format!("<w:t xml:space=\"preserve\">{s}</w:t>");
        let hyphen = run("<w:noBreakHyphen />");
        let last = run(&format!("{}<w:br/>{}", t("Ивановский"), t("ГО")));
        let runs = [
            run(&t("Усть")),
            hyphen.clone(),
            run(&t("Катавский &amp; Катав")),
            hyphen,
            last,
        ];
        let want = format!("<w:p>{}<w:r><w:t>Без</w:t></w:r></w:p>", runs.concat());
        let patched = document(xml.as_bytes()).unwrap();
        assert_eq!(String::from_utf8(patched).unwrap(), want);
    }
}
