//! A cursor over a streaming quick-xml reader: the element path, line numbers, limits and the
//! mapping of XML faults to [`ReadError`]s, shared by the message readers.
//!
//! The readers descend the document with [`Cursor::child`]; every element it returns must then
//! be consumed with exactly one of [`Cursor::child`] (until `None`), [`Cursor::text`],
//! [`Cursor::text_or_child`] or [`Cursor::skip`]. Skipping is a loop, not a recursion, so no
//! input can exhaust the stack.

use std::borrow::Cow;

use quick_xml::NsReader;
use quick_xml::errors::{Error as XmlError, IllFormedError};
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};

use super::{NESTING_DEPTH_MAX, READ_BYTES_MAX, ReadError, ReadErrorKind, TEXT_LEN_MAX};

/// Encodings accepted in the XML declaration (ISO 20022 files are UTF-8; ASCII is a subset).
const ENCODINGS_ACCEPTED: [&str; 3] = ["UTF-8", "US-ASCII", "ASCII"];
/// Characters of the input quoted in a message.
const ECHO_LEN_MAX: usize = 40;

/// An element the cursor has entered.
#[derive(Debug)]
pub(super) struct Element<'a> {
    start: BytesStart<'a>,
    /// The line of the `<` that starts the element.
    pub(super) line: u64,
    /// The length of the cursor's path before this element was entered: its parent's path.
    parent_len: usize,
    /// How many elements are open while this one is (itself included).
    depth: usize,
    /// `<Name/>`: there is nothing to read inside.
    empty: bool,
    /// In the document's namespace; elements of other namespaces are never read.
    own: bool,
}

impl<'a> Element<'a> {
    /// The local name, or "" for an element of another namespace (so that it matches nothing).
    pub(super) fn name(&self) -> &str {
        if self.own { self.local_name() } else { "" }
    }

    pub(super) fn local_name(&self) -> &str {
        self.start.local_name().into_inner()
    }

    /// The value of an attribute without namespace prefix, such as `Ccy`.
    pub(super) fn attribute(&self, name: &str) -> Result<Option<Cow<'_, str>>, String> {
        let found = self
            .start
            .try_get_attribute(name)
            .map_err(|e| format!("malformed attributes: {e}"))?;
        match found {
            None => Ok(None),
            Some(attribute) => attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(Some)
                .map_err(|e| format!("attribute {name}: {e}")),
        }
    }
}

/// What is inside an element read for its text, when it may also hold elements (an entry's
/// `Sts` is text before version .001.08 and holds `Cd` after).
pub(super) enum Leaf<'a> {
    /// The text, without surrounding whitespace; the element is closed.
    Text(Cow<'a, str>),
    /// The first child element, entered; the parent is still open.
    Child(Element<'a>),
}

/// One step of the reader.
enum Step<'a> {
    /// An element was entered (and, if empty, must still be left with [`Cursor::pop`]).
    Open(Element<'a>),
    /// The innermost element was left.
    Close,
    /// A piece of text (a text node, CDATA or a resolved reference).
    Text(Cow<'a, str>),
    /// A comment or processing instruction.
    Nothing,
}

/// Counts lines up to a byte offset, moving from the last offset asked rather than from the
/// start, so that reading a file counts each byte about once.
#[derive(Debug)]
struct Lines<'a> {
    input: &'a [u8],
    offset: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.input.len());
        let newlines = |bytes: &[u8]| bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        if offset >= self.offset {
            self.line += newlines(&self.input[self.offset..offset]);
        } else {
            self.line -= newlines(&self.input[offset..self.offset]);
        }
        self.offset = offset;
        self.line
    }
}

/// An open element: where its parent's path ends, and its line.
#[derive(Debug, Clone, Copy)]
struct Level {
    parent_len: usize,
    line: u64,
}

/// The streaming reader with the path of open elements.
pub(super) struct Cursor<'a> {
    reader: NsReader<&'a [u8]>,
    input: &'a [u8],
    /// The namespace of the root element; only elements in it are read.
    namespace: String,
    /// The local names of the open elements joined by `/`.
    path: String,
    levels: Vec<Level>,
    lines: Lines<'a>,
}

impl<'a> Cursor<'a> {
    /// Checks the input as a whole, reads up to the root element and enters it.
    pub(super) fn open(input: &'a [u8]) -> Result<(Cursor<'a>, Element<'a>), ReadError> {
        if input.len() > READ_BYTES_MAX {
            let message = format!(
                "the input has {} bytes, more than the {READ_BYTES_MAX} read",
                input.len()
            );
            return Err(bare(None, ReadErrorKind::TooLarge, message));
        }
        check_utf8(input)?;
        let mut cursor = Cursor {
            reader: NsReader::from_reader(input),
            input,
            namespace: String::new(),
            path: String::new(),
            levels: Vec::new(),
            lines: Lines {
                input,
                offset: 0,
                line: 1,
            },
        };
        let root = cursor.prolog()?;
        Ok((cursor, root))
    }

    /// The namespace of the root element.
    pub(super) fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Reads the XML declaration, comments and whitespace before the root, and enters the root.
    fn prolog(&mut self) -> Result<Element<'a>, ReadError> {
        loop {
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => return Err(self.xml_error(e)),
            };
            match event {
                Event::Start(start) => return self.root(start, false),
                Event::Empty(start) => return self.root(start, true),
                Event::Decl(decl) => {
                    if let Some(Ok(encoding)) = decl.encoding()
                        && !ENCODINGS_ACCEPTED
                            .iter()
                            .any(|e| e.eq_ignore_ascii_case(&encoding))
                    {
                        let message = format!(
                            "the XML declaration names encoding {}; only UTF-8 is read",
                            echo(&encoding)
                        );
                        return Err(self.error_at_end_of_read(ReadErrorKind::NotXml, message));
                    }
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(text) if is_xml_whitespace(&text) => {}
                Event::DocType(_) => return Err(self.doctype()),
                Event::Eof => {
                    let message = if self.input.is_empty() {
                        "the input is empty".to_owned()
                    } else {
                        "the input ends before the root element".to_owned()
                    };
                    return Err(self.error_at_end(ReadErrorKind::Truncated, message));
                }
                other => {
                    let message = format!(
                        "expected an XML document, found {} before the root element",
                        describe(&other)
                    );
                    return Err(self.error_at_end_of_read(ReadErrorKind::NotXml, message));
                }
            }
        }
    }

    /// Enters the root element, which must be an ISO 20022 `Document` with a namespace.
    fn root(&mut self, start: BytesStart<'a>, empty: bool) -> Result<Element<'a>, ReadError> {
        let namespace = match self.reader.resolver().resolve_element(start.name()).0 {
            ResolveResult::Bound(Namespace(namespace)) => Some(namespace.to_owned()),
            _ => None,
        };
        let root = self.push(start, empty, true)?;
        let Some(namespace) = namespace else {
            let message = format!(
                "the root element {} has no namespace; expected an ISO 20022 Document",
                root.local_name()
            );
            return Err(self.error(&root, ReadErrorKind::UnknownMessage, message));
        };
        if root.local_name() != "Document" {
            let message = format!(
                "the root element is {} (namespace {}); expected an ISO 20022 Document",
                echo(root.local_name()),
                echo(&namespace)
            );
            return Err(self.error(&root, ReadErrorKind::UnknownMessage, message));
        }
        self.namespace = namespace;
        Ok(root)
    }

    /// The next child element of `parent`, entered; `None` once `parent` has closed. Text
    /// between elements is passed over.
    pub(super) fn child(&mut self, parent: &Element<'a>) -> Result<Option<Element<'a>>, ReadError> {
        debug_assert_eq!(
            self.levels.len(),
            parent.depth,
            "child of an element not innermost"
        );
        if parent.empty {
            self.pop();
            return Ok(None);
        }
        loop {
            match self.step()? {
                Step::Open(child) => return Ok(Some(child)),
                Step::Close => return Ok(None),
                Step::Text(_) | Step::Nothing => {}
            }
        }
    }

    /// The text of `element`, which must hold no element, without surrounding whitespace.
    pub(super) fn text(&mut self, element: &Element<'a>) -> Result<Cow<'a, str>, ReadError> {
        match self.text_or_child(element)? {
            Leaf::Text(text) => Ok(text),
            Leaf::Child(child) => {
                let message = format!("{} holds text, not elements", element.local_name());
                Err(self.error(&child, ReadErrorKind::Invalid, message))
            }
        }
    }

    /// The text of `element`, or its first child element if it holds elements.
    pub(super) fn text_or_child(&mut self, element: &Element<'a>) -> Result<Leaf<'a>, ReadError> {
        debug_assert_eq!(
            self.levels.len(),
            element.depth,
            "text of an element not innermost"
        );
        if element.empty {
            self.pop();
            return Ok(Leaf::Text(Cow::Borrowed("")));
        }
        let mut text: Cow<'a, str> = Cow::Borrowed("");
        loop {
            match self.step()? {
                Step::Text(piece) if text.is_empty() => text = piece,
                Step::Text(piece) => text.to_mut().push_str(&piece),
                Step::Open(child) => return Ok(Leaf::Child(child)),
                Step::Close => return Ok(Leaf::Text(trim_cow(text))),
                Step::Nothing => {}
            }
            if text.len() > TEXT_LEN_MAX {
                return Err(self.text_too_long(text.len()));
            }
        }
    }

    /// Passes over `element` and everything inside it.
    pub(super) fn skip(&mut self, element: &Element<'a>) -> Result<(), ReadError> {
        debug_assert_eq!(
            self.levels.len(),
            element.depth,
            "skip of an element not innermost"
        );
        if element.empty {
            self.pop();
            return Ok(());
        }
        loop {
            match self.step()? {
                Step::Open(inner) if inner.empty => self.pop(),
                Step::Close if self.levels.len() < element.depth => return Ok(()),
                _ => {}
            }
        }
    }

    /// After the message: the root must close with no other element in it, and nothing but
    /// whitespace, comments and processing instructions may follow it.
    pub(super) fn finish(mut self, root: &Element<'a>) -> Result<(), ReadError> {
        if let Some(extra) = self.child(root)? {
            let message = format!(
                "Document holds one message; found another element {}",
                echo(extra.local_name())
            );
            return Err(self.error(&extra, ReadErrorKind::Invalid, message));
        }
        loop {
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => return Err(self.xml_error(e)),
            };
            match event {
                Event::Eof => return Ok(()),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(text) if is_xml_whitespace(&text) => {}
                Event::DocType(_) => return Err(self.doctype()),
                other => {
                    let message = format!("{} after the end of Document", describe(&other));
                    return Err(self.error_at_end_of_read(ReadErrorKind::NotXml, message));
                }
            }
        }
    }

    /// Reads one event inside the root element.
    fn step(&mut self) -> Result<Step<'a>, ReadError> {
        let (own, undeclared, event) = match self.reader.read_resolved_event() {
            Ok((resolved, event)) => {
                let own =
                    matches!(resolved, ResolveResult::Bound(Namespace(n)) if n == self.namespace);
                (own, matches!(resolved, ResolveResult::Unknown(_)), event)
            }
            Err(e) => return Err(self.xml_error(e)),
        };
        match event {
            Event::Start(start) | Event::Empty(start) if undeclared => {
                let message = format!("element {} has an undeclared prefix", echo(start.name().0));
                Err(self.error_at_end_of_read(ReadErrorKind::NotXml, message))
            }
            Event::Start(start) => Ok(Step::Open(self.push(start, false, own)?)),
            Event::Empty(start) => Ok(Step::Open(self.push(start, true, own)?)),
            Event::End(_) => {
                self.pop();
                Ok(Step::Close)
            }
            Event::Text(text) => self.piece(text.xml10_content()),
            Event::CData(data) => self.piece(data.xml10_content()),
            Event::GeneralRef(reference) => match reference.resolve_char_ref() {
                Ok(Some(c)) => Ok(Step::Text(Cow::Owned(c.to_string()))),
                Ok(None) => match resolve_xml_entity(&reference) {
                    Some(text) => Ok(Step::Text(Cow::Borrowed(text))),
                    None => {
                        let message = format!("unknown entity &{};", echo(&reference));
                        Err(self.error_here(ReadErrorKind::Invalid, message))
                    }
                },
                Err(e) => {
                    let message = format!("bad character reference &{};: {e}", echo(&reference));
                    Err(self.error_here(ReadErrorKind::Invalid, message))
                }
            },
            Event::Comment(_) | Event::PI(_) => Ok(Step::Nothing),
            Event::DocType(_) => Err(self.doctype()),
            Event::Decl(_) => Err(self.error_here(
                ReadErrorKind::NotXml,
                "an XML declaration inside the document".to_owned(),
            )),
            Event::Eof => Err(self.truncated()),
        }
    }

    fn piece(&self, text: Cow<'a, str>) -> Result<Step<'a>, ReadError> {
        if text.len() > TEXT_LEN_MAX {
            return Err(self.text_too_long(text.len()));
        }
        Ok(Step::Text(text))
    }

    /// Enters an element: checks the depth, extends the path, counts its line.
    fn push(
        &mut self,
        start: BytesStart<'a>,
        empty: bool,
        own: bool,
    ) -> Result<Element<'a>, ReadError> {
        // The event ends after `>`; the tag is `<` + content + `>` (or `/>` when empty).
        let tag_len = start.len() + if empty { 3 } else { 2 };
        let end = usize::try_from(self.reader.buffer_position()).unwrap_or(self.input.len());
        let line = self.lines.at(end.saturating_sub(tag_len));
        let parent_len = self.path.len();
        if !self.path.is_empty() {
            self.path.push('/');
        }
        self.path.push_str(start.local_name().into_inner());
        self.levels.push(Level { parent_len, line });
        let element = Element {
            start,
            line,
            parent_len,
            depth: self.levels.len(),
            empty,
            own,
        };
        if element.depth > NESTING_DEPTH_MAX {
            let message = format!("elements nest deeper than {NESTING_DEPTH_MAX}");
            return Err(self.error(&element, ReadErrorKind::TooMany, message));
        }
        Ok(element)
    }

    /// Leaves the innermost element.
    fn pop(&mut self) {
        if let Some(level) = self.levels.pop() {
            self.path.truncate(level.parent_len);
        }
    }

    /// An error about `element`, which may be open or already closed (its parent must be open).
    pub(super) fn error(
        &self,
        element: &Element<'_>,
        kind: ReadErrorKind,
        message: String,
    ) -> ReadError {
        ReadError {
            line: Some(element.line),
            path: self.path_of(element),
            kind,
            message,
        }
    }

    /// `child` of `element` is required but absent.
    pub(super) fn missing(&self, element: &Element<'_>, child: &str) -> ReadError {
        ReadError {
            line: Some(element.line),
            path: format!("{}/{child}", self.path_of(element)),
            kind: ReadErrorKind::Missing,
            message: format!("{} has no {child}", element.local_name()),
        }
    }

    fn path_of(&self, element: &Element<'_>) -> String {
        let parent = self.path.get(..element.parent_len).unwrap_or("");
        if parent.is_empty() {
            element.local_name().to_owned()
        } else {
            format!("{parent}/{}", element.local_name())
        }
    }

    /// An error about the innermost open element.
    fn error_here(&self, kind: ReadErrorKind, message: String) -> ReadError {
        ReadError {
            line: self.levels.last().map(|level| level.line),
            path: self.path.clone(),
            kind,
            message,
        }
    }

    /// An error at the place the reader has reached, in the innermost open element.
    fn error_at_end_of_read(&mut self, kind: ReadErrorKind, message: String) -> ReadError {
        let offset = usize::try_from(self.reader.buffer_position()).unwrap_or(self.input.len());
        ReadError {
            line: Some(self.lines.at(offset)),
            path: self.path.clone(),
            kind,
            message,
        }
    }

    /// An error at the end of the input, in the innermost open element.
    fn error_at_end(&mut self, kind: ReadErrorKind, message: String) -> ReadError {
        ReadError {
            line: Some(self.lines.at(self.input.len())),
            path: self.path.clone(),
            kind,
            message,
        }
    }

    fn truncated(&mut self) -> ReadError {
        let open = self.path.rsplit('/').next().unwrap_or("");
        let message = format!("the input ends before </{open}>: the file is truncated");
        self.error_at_end(ReadErrorKind::Truncated, message)
    }

    fn text_too_long(&self, len: usize) -> ReadError {
        let message = format!("a text of {len} bytes, more than the {TEXT_LEN_MAX} read");
        self.error_here(ReadErrorKind::TooMany, message)
    }

    fn doctype(&mut self) -> ReadError {
        let message = "a DOCTYPE is refused: ISO 20022 files have none, and it could declare \
                       entities"
            .to_owned();
        self.error_at_end_of_read(ReadErrorKind::Invalid, message)
    }

    /// Maps a quick-xml error: a construct the input ends inside of is a truncation; anything
    /// else is not well-formed XML.
    fn xml_error(&mut self, error: XmlError) -> ReadError {
        let at_end = usize::try_from(self.reader.buffer_position())
            .is_ok_and(|position| position >= self.input.len());
        let kind = match &error {
            // quick-xml reports a syntax error only where the input ends inside markup.
            XmlError::Syntax(_) => ReadErrorKind::Truncated,
            XmlError::IllFormed(IllFormedError::UnclosedReference) if at_end => {
                ReadErrorKind::Truncated
            }
            XmlError::Escape(_) => ReadErrorKind::Invalid,
            _ => ReadErrorKind::NotXml,
        };
        let offset = usize::try_from(self.reader.error_position()).unwrap_or(self.input.len());
        let message = match kind {
            ReadErrorKind::Truncated => format!("the input ends early: {error}"),
            _ => format!("not well-formed XML: {error}"),
        };
        ReadError {
            line: Some(self.lines.at(offset)),
            path: self.path.clone(),
            kind,
            message,
        }
    }
}

/// Refuses input that is not UTF-8, telling a cut multi-byte character (truncation) from
/// bytes that are no UTF-8 at all.
fn check_utf8(input: &[u8]) -> Result<(), ReadError> {
    let Err(error) = std::str::from_utf8(input) else {
        return Ok(());
    };
    let at = error.valid_up_to();
    let line = 1 + input[..at].iter().filter(|&&b| b == b'\n').count() as u64;
    if input.starts_with(&[0xFF, 0xFE]) || input.starts_with(&[0xFE, 0xFF]) {
        let message = "the input is UTF-16; only UTF-8 is read".to_owned();
        return Err(bare(Some(1), ReadErrorKind::NotXml, message));
    }
    match error.error_len() {
        None => Err(bare(
            Some(line),
            ReadErrorKind::Truncated,
            "the input ends inside a UTF-8 character".to_owned(),
        )),
        Some(_) => Err(bare(
            Some(line),
            ReadErrorKind::NotXml,
            format!("the input is not UTF-8: byte {} (0x{:02X})", at, input[at]),
        )),
    }
}

fn bare(line: Option<u64>, kind: ReadErrorKind, message: String) -> ReadError {
    ReadError {
        line,
        path: String::new(),
        kind,
        message,
    }
}

pub(super) fn is_xml_whitespace(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

fn trim_cow(text: Cow<'_, str>) -> Cow<'_, str> {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim_matches(is_space)),
        Cow::Owned(s) => {
            let trimmed = s.trim_matches(is_space);
            if trimmed.len() == s.len() {
                Cow::Owned(s)
            } else {
                Cow::Owned(trimmed.to_owned())
            }
        }
    }
}

/// Input quoted in a message: at most [`ECHO_LEN_MAX`] characters, debug-escaped.
pub(super) fn echo(text: &str) -> String {
    match text.char_indices().nth(ECHO_LEN_MAX) {
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
        None => format!("{text:?}"),
    }
}

fn describe(event: &Event<'_>) -> String {
    match event {
        Event::Text(text) => format!("text {}", echo(text)),
        Event::End(end) => format!("a closing tag </{}>", echo(end.name().0)),
        Event::Start(start) | Event::Empty(start) => {
            format!("an element {}", echo(start.name().0))
        }
        Event::CData(_) => "CDATA".to_owned(),
        Event::GeneralRef(_) => "an entity reference".to_owned(),
        Event::Decl(_) => "an XML declaration".to_owned(),
        Event::DocType(_) => "a DOCTYPE".to_owned(),
        Event::Comment(_) | Event::PI(_) | Event::Eof => "markup".to_owned(),
    }
}
