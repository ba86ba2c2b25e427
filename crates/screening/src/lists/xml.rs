//! Streaming XML for the list formats: the file is read event by event (quick-xml), and each
//! listed record (a UN `<INDIVIDUAL>`, an EU `<sanctionEntity>`) is gathered into a small
//! [`Element`] tree, so memory holds one record at a time. Namespace prefixes are dropped: only
//! local names count. An unclosed element at the end of the file is an error naming it and the
//! byte offset where it was opened.

use std::io::{BufReader, Read};

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::{Capped, ENTITIES_MAX, FIELD_BYTES_MAX, ParseError, Position, common};
use crate::entity::Entity;

/// Deepest nesting accepted (the list formats use five levels).
const DEPTH_MAX: usize = 64;
/// Most elements inside one record (a UN entry has a few dozen).
const ELEMENTS_PER_RECORD_MAX: usize = 100_000;

/// One element of a record, with its attributes, text and children.
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// An attribute's value, empty when absent.
    pub(crate) fn attr(&self, key: &str) -> &str {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    pub(crate) fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child so named, empty when absent.
    pub(crate) fn child_text<'a>(&'a self, name: &'a str) -> &'a str {
        self.children_named(name)
            .next()
            .map_or("", |c| c.text.trim())
    }
}

/// A start tag met while scanning for records.
#[derive(Debug)]
pub(crate) struct Start {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// 1 for the root element.
    pub depth: usize,
    /// Byte offset of the tag.
    pub position: u64,
    empty: bool,
}

/// Where an XML list keeps its records.
pub(crate) struct Layout {
    /// The root element's local name.
    pub root: &'static str,
    /// The root attribute holding the list's generation date.
    pub date_attribute: &'static str,
    /// Depth of the record elements (the root is 1).
    pub record_depth: usize,
    /// Local names of the record elements.
    pub records: &'static [&'static str],
}

/// Reads every record of an XML list into an entity with `record`; returns the list date from
/// the root and the entities. A file with no record at all is an error.
pub(crate) fn read_list(
    file: &str,
    reader: impl Read,
    layout: &Layout,
    record: impl Fn(&Element) -> Result<Entity, String>,
) -> Result<(Option<String>, Vec<Entity>), ParseError> {
    let mut xml = XmlStream::new(file, reader);
    let mut date = None;
    let mut entities = Vec::new();
    while let Some(start) = xml.next_start()? {
        if start.depth == 1 {
            if start.name != layout.root {
                let message = format!("root element <{}>, not <{}>", start.name, layout.root);
                return Err(xml.error(start.position, message));
            }
            let generated = start.attrs.iter().find(|(k, _)| k == layout.date_attribute);
            date = generated.and_then(|(_, value)| common::iso_day(value));
            continue;
        }
        if start.depth != layout.record_depth || !layout.records.contains(&start.name.as_str()) {
            continue;
        }
        let position = start.position;
        let element = xml.read_element(start)?;
        let entity = record(&element).map_err(|message| xml.error(position, message))?;
        if entities.len() >= ENTITIES_MAX {
            return Err(xml.error(position, format!("more than {ENTITIES_MAX} entities")));
        }
        entities.push(entity);
    }
    if entities.is_empty() {
        let names: Vec<String> = layout.records.iter().map(|r| format!("<{r}>")).collect();
        let message = format!("no {} at all", names.join(" or "));
        return Err(ParseError::new(file, Position::Unknown, message));
    }
    Ok((date, entities))
}

pub(crate) struct XmlStream<R: Read> {
    reader: Reader<BufReader<Capped<R>>>,
    buf: Vec<u8>,
    file: String,
    /// Open elements: local name and the byte offset of their start tag.
    open: Vec<(String, u64)>,
    saw_root: bool,
}

impl<R: Read> XmlStream<R> {
    pub(crate) fn new(file: &str, reader: R) -> Self {
        let mut reader =
            Reader::from_reader(BufReader::with_capacity(64 * 1024, Capped::new(reader)));
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        XmlStream {
            reader,
            buf: Vec::new(),
            file: file.to_owned(),
            open: Vec::new(),
            saw_root: false,
        }
    }

    pub(crate) fn error(&self, position: u64, message: impl Into<String>) -> ParseError {
        ParseError::new(&self.file, Position::Byte(position), message)
    }

    /// The next start tag at any depth; `None` at a proper end of the document.
    pub(crate) fn next_start(&mut self) -> Result<Option<Start>, ParseError> {
        loop {
            match self.next_event()? {
                Piece::Start(start) => return Ok(Some(start)),
                Piece::End | Piece::Text(_) => {}
                Piece::Eof => return Ok(None),
            }
        }
    }

    /// Reads the element opened by `start` to its end tag.
    pub(crate) fn read_element(&mut self, start: Start) -> Result<Element, ParseError> {
        let mut stack = vec![Element {
            name: start.name,
            attrs: start.attrs,
            ..Element::default()
        }];
        if start.empty {
            return Ok(stack.remove(0));
        }
        let mut count = 0usize;
        loop {
            match self.next_event()? {
                Piece::Start(child) => {
                    count += 1;
                    if count > ELEMENTS_PER_RECORD_MAX {
                        return Err(self.error(child.position, "too many elements in one record"));
                    }
                    let element = Element {
                        name: child.name,
                        attrs: child.attrs,
                        ..Element::default()
                    };
                    if child.empty {
                        if let Some(parent) = stack.last_mut() {
                            parent.children.push(element);
                        }
                    } else {
                        stack.push(element);
                    }
                }
                Piece::Text(text) => {
                    if let Some(current) = stack.last_mut() {
                        if current.text.len() + text.len() > FIELD_BYTES_MAX {
                            let at = self.reader.buffer_position();
                            return Err(self
                                .error(at, format!("a text longer than {FIELD_BYTES_MAX} bytes")));
                        }
                        current.text.push_str(&text);
                    }
                }
                Piece::End => {
                    let Some(done) = stack.pop() else { continue };
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => return Ok(done),
                    }
                }
                Piece::Eof => {
                    return Err(self.error(self.reader.buffer_position(), "unexpected end of file"));
                }
            }
        }
    }

    fn next_event(&mut self) -> Result<Piece, ParseError> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let piece = self.read_piece(&mut buf);
        self.buf = buf;
        piece
    }

    fn read_piece(&mut self, buf: &mut Vec<u8>) -> Result<Piece, ParseError> {
        let before = self.reader.buffer_position();
        let event = self.reader.read_event_into(buf);
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                let at = self.reader.error_position();
                let inside = match self.open.last() {
                    Some((name, opened)) => format!(" inside <{name}> opened at byte {opened}"),
                    None => String::new(),
                };
                let message = format!("malformed XML{inside}: {error}");
                return Err(ParseError::new(&self.file, Position::Byte(at), message));
            }
        };
        match event {
            Event::Start(tag) => self.start(&tag, false, before).map(Piece::Start),
            Event::Empty(tag) => self.start(&tag, true, before).map(Piece::Start),
            Event::End(_) => {
                self.open.pop();
                Ok(Piece::End)
            }
            Event::Text(text) => Ok(Piece::Text(text.xml10_content().into_owned())),
            Event::CData(data) => Ok(Piece::Text((*data).to_owned())),
            Event::GeneralRef(reference) => self.reference(&reference).map(Piece::Text),
            Event::Eof => self.eof().map(|()| Piece::Eof),
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {
                Ok(Piece::Text(String::new()))
            }
        }
    }

    fn start(
        &mut self,
        tag: &BytesStart<'_>,
        empty: bool,
        position: u64,
    ) -> Result<Start, ParseError> {
        let name = tag.local_name().into_inner().to_owned();
        if self.open.is_empty() {
            if self.saw_root {
                return Err(self.error(position, "a second root element"));
            }
            self.saw_root = true;
        }
        let depth = self.open.len() + 1;
        if depth > DEPTH_MAX {
            return Err(self.error(position, format!("elements nested deeper than {DEPTH_MAX}")));
        }
        let mut attrs = Vec::new();
        for attr in tag.attributes() {
            let attr =
                attr.map_err(|e| self.error(position, format!("malformed attribute: {e}")))?;
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| self.error(position, format!("malformed attribute value: {e}")))?;
            attrs.push((
                attr.key.local_name().into_inner().to_owned(),
                value.into_owned(),
            ));
        }
        if !empty {
            self.open.push((name.clone(), position));
        }
        Ok(Start {
            name,
            attrs,
            depth,
            position,
            empty,
        })
    }

    fn reference(&self, reference: &BytesRef<'_>) -> Result<String, ParseError> {
        let at = self.reader.buffer_position();
        if let Ok(Some(c)) = reference.resolve_char_ref() {
            return Ok(c.to_string());
        }
        match quick_xml::escape::resolve_predefined_entity(reference) {
            Some(text) => Ok(text.to_owned()),
            None => Err(self.error(at, format!("unknown entity &{};", &**reference))),
        }
    }

    fn eof(&self) -> Result<(), ParseError> {
        if let Some((name, opened)) = self.open.last() {
            let at = self.reader.buffer_position();
            return Err(self.error(
                at,
                format!("unexpected end of file inside <{name}> opened at byte {opened}: the file is cut short"),
            ));
        }
        if !self.saw_root {
            return Err(self.error(0, "no XML element at all"));
        }
        Ok(())
    }
}

enum Piece {
    Start(Start),
    End,
    Text(String),
    Eof,
}
