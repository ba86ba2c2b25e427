//! A cursor over a streaming quick-xml reader: the element path, line numbers, limits and the
//! mapping of XML faults to [`ReadError`]s, shared by the message readers.
//!
//! The readers descend the document with [`Cursor::child`]; every element it returns must then
//! be consumed with exactly one of [`Cursor::child`] (until `None`), [`Cursor::text`],
//! [`Cursor::text_or_child`] or [`Cursor::skip`]. Skipping is a loop, not a recursion, so no
//! input can exhaust the stack.

use std::borrow::Cow;
use std::cell::Cell;

use quick_xml::errors::{Error as XmlError, IllFormedError};
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::{NESTING_DEPTH_MAX, READ_BYTES_MAX, ReadError, ReadErrorKind, TEXT_LEN_MAX};

/// Encodings accepted in the XML declaration (ISO 20022 files are UTF-8; ASCII is a subset).
const ENCODINGS_ACCEPTED: [&str; 3] = ["UTF-8", "US-ASCII", "ASCII"];
/// Characters of the input quoted in a message.
const ECHO_LEN_MAX: usize = 40;

/// An element the cursor has entered.
#[derive(Debug)]
pub(super) struct Element<'a> {
    start: BytesStart<'a>,
    /// Where the local name starts in the tag (after the prefix and colon).
    local_start: usize,
    /// The byte offset of the `<` that starts the element (its line is counted on demand).
    offset: usize,
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
        let name_len = self.start.name().0.len();
        self.start.get(self.local_start..name_len).unwrap_or("")
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
                .normalized_value(XmlVersion::Implicit1_0)
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

/// One step of the reader inside an element read for its text.
enum Step<'a> {
    /// An element was entered.
    Open(Element<'a>),
    /// The innermost element was left.
    Close,
    /// A piece of text (a text node, CDATA or a resolved reference).
    Text(Cow<'a, str>),
    /// A comment or processing instruction.
    Nothing,
}

/// Counts lines up to a byte offset, moving from the last offset asked rather than from the
/// start, so that reading a file counts each byte about once. Lines are asked for the elements
/// that carry one (accounts, entries, transactions, payments) and for errors: in file order,
/// but for errors about an element already read.
#[derive(Debug)]
struct Lines<'a> {
    input: &'a [u8],
    /// The last offset asked and its line.
    mark: Cell<(usize, u64)>,
}

impl Lines<'_> {
    fn at(&self, offset: usize) -> u64 {
        let offset = offset.min(self.input.len());
        let (from, line) = self.mark.get();
        let newlines = |bytes: &[u8]| bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        let line = if offset >= from {
            line + newlines(&self.input[from..offset])
        } else {
            line - newlines(&self.input[offset..from])
        };
        self.mark.set((offset, line));
        line
    }
}

/// An open element: its local name (a byte range of the input) and where it starts.
#[derive(Debug, Clone, Copy)]
struct Level {
    name_start: usize,
    name_end: usize,
    offset: usize,
}

/// A namespace prefix declared on an open element (`xmlns` or `xmlns:p`).
///
/// The readers resolve prefixes themselves rather than through quick-xml's `NsReader`, which
/// looks at every element's attributes and costs more than the parse: in bank files the
/// declarations are on the root, and elements with attributes are few.
#[derive(Debug)]
struct Binding {
    /// The depth of the element that declares it.
    depth: usize,
    /// "" for the default namespace.
    prefix: String,
    /// Whether the prefix is bound to the document's namespace.
    document: bool,
}

/// The streaming reader with the path of open elements.
pub(super) struct Cursor<'a> {
    reader: Reader<&'a [u8]>,
    input: &'a [u8],
    /// The input as text (it was checked to be UTF-8), for the names in paths.
    text: &'a str,
    /// The namespace of the root element; only elements in it are read.
    namespace: String,
    /// The namespace declarations in scope, innermost last.
    bindings: Vec<Binding>,
    /// The open elements, the root first.
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
        let text = check_utf8(input)?;
        let mut cursor = Cursor {
            reader: Reader::from_reader(input),
            input,
            text,
            namespace: String::new(),
            bindings: Vec::new(),
            levels: Vec::new(),
            lines: Lines {
                input,
                mark: Cell::new((0, 1)),
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
        let declared = declarations(&start);
        let prefix = prefix_of(&start).to_owned();
        let root = self.push(start, empty, true)?;
        let declared = declared.map_err(|m| self.error(&root, ReadErrorKind::NotXml, m))?;
        let namespace = declared
            .iter()
            .rev()
            .find(|(declared, _)| *declared == prefix)
            .map(|(_, namespace)| namespace.clone())
            .filter(|namespace| !namespace.is_empty());
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
        self.bindings = declared
            .into_iter()
            .map(|(prefix, declared)| Binding {
                depth: root.depth,
                prefix,
                document: declared == namespace,
            })
            .collect();
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
        // Between elements, quick-xml may pass over whitespace without making an event of it:
        // half the events of an indented file.
        self.reader.config_mut().trim_text_start = true;
        loop {
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => return Err(self.xml_error(e)),
            };
            match event {
                Event::Start(start) => return self.enter(start, false).map(Some),
                Event::Empty(start) => return self.enter(start, true).map(Some),
                Event::End(_) => {
                    self.pop();
                    return Ok(None);
                }
                Event::Text(text) => {
                    self.piece_len(text.len())?;
                }
                Event::CData(data) => {
                    self.piece_len(data.len())?;
                }
                Event::GeneralRef(reference) => {
                    self.reference(&reference)?;
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::DocType(_) => return Err(self.doctype()),
                Event::Decl(_) => return Err(self.declaration_inside()),
                Event::Eof => return Err(self.truncated()),
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
        // Inside a skipped element nothing is entered: no path, line or namespace is kept, so
        // an error inside names the skipped element. Depth, text length, references and
        // well-formedness are still checked.
        self.reader.config_mut().trim_text_start = true;
        let mut inner_depth = 0usize;
        loop {
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => return Err(self.xml_error(e)),
            };
            match event {
                Event::Start(_) => {
                    inner_depth += 1;
                    if element.depth + inner_depth > NESTING_DEPTH_MAX {
                        let message = format!("elements nest deeper than {NESTING_DEPTH_MAX}");
                        return Err(self.error_here(ReadErrorKind::TooMany, message));
                    }
                }
                Event::End(_) if inner_depth == 0 => {
                    self.pop();
                    return Ok(());
                }
                Event::End(_) => inner_depth -= 1,
                Event::Text(text) => {
                    self.piece_len(text.len())?;
                }
                Event::CData(data) => {
                    self.piece_len(data.len())?;
                }
                Event::GeneralRef(reference) => {
                    self.reference(&reference)?;
                }
                Event::Empty(_) | Event::Comment(_) | Event::PI(_) => {}
                Event::DocType(_) => return Err(self.doctype()),
                Event::Decl(_) => return Err(self.declaration_inside()),
                Event::Eof => return Err(self.truncated()),
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

    /// Reads one event inside an element read for its text.
    fn step(&mut self) -> Result<Step<'a>, ReadError> {
        // Never pass over whitespace here: after `&amp;` in `A &amp; B`, the space before `B`
        // belongs to the text.
        self.reader.config_mut().trim_text_start = false;
        let event = match self.reader.read_event() {
            Ok(event) => event,
            Err(e) => return Err(self.xml_error(e)),
        };
        match event {
            Event::Start(start) => Ok(Step::Open(self.enter(start, false)?)),
            Event::Empty(start) => Ok(Step::Open(self.enter(start, true)?)),
            Event::End(_) => {
                self.pop();
                Ok(Step::Close)
            }
            Event::Text(text) => self.piece(text.xml10_content()),
            Event::CData(data) => self.piece(data.xml10_content()),
            Event::GeneralRef(reference) => Ok(Step::Text(self.reference(&reference)?)),
            Event::Comment(_) | Event::PI(_) => Ok(Step::Nothing),
            Event::DocType(_) => Err(self.doctype()),
            Event::Decl(_) => Err(self.declaration_inside()),
            Event::Eof => Err(self.truncated()),
        }
    }

    /// What a reference stands for: a character reference or one of the five predefined
    /// entities (no other can be declared, since a DOCTYPE is refused).
    fn reference(&self, reference: &BytesRef<'_>) -> Result<Cow<'static, str>, ReadError> {
        match reference.resolve_char_ref() {
            Ok(Some(c)) => Ok(Cow::Owned(c.to_string())),
            Ok(None) => match resolve_xml_entity(reference) {
                Some(text) => Ok(Cow::Borrowed(text)),
                None => {
                    let message = format!("unknown entity &{};", echo(reference));
                    Err(self.error_here(ReadErrorKind::Invalid, message))
                }
            },
            Err(e) => {
                let message = format!("bad character reference &{};: {e}", echo(reference));
                Err(self.error_here(ReadErrorKind::Invalid, message))
            }
        }
    }

    fn declaration_inside(&self) -> ReadError {
        let message = "an XML declaration inside the document".to_owned();
        self.error_here(ReadErrorKind::NotXml, message)
    }

    /// Checks the length of a text node that is not read.
    fn piece_len(&self, len: usize) -> Result<(), ReadError> {
        if len > TEXT_LEN_MAX {
            return Err(self.text_too_long(len));
        }
        Ok(())
    }

    fn piece(&self, text: Cow<'a, str>) -> Result<Step<'a>, ReadError> {
        if text.len() > TEXT_LEN_MAX {
            return Err(self.text_too_long(text.len()));
        }
        Ok(Step::Text(text))
    }

    /// Enters an element below the root: takes its namespace declarations, resolves its prefix.
    fn enter(&mut self, start: BytesStart<'a>, empty: bool) -> Result<Element<'a>, ReadError> {
        let depth = self.levels.len() + 1;
        // Most elements have no attribute (and `Amt` only `Ccy`): look no further for those.
        let attributes = start.attributes_raw();
        if !attributes.is_empty() && attributes.contains("xmlns") {
            let declared = declarations(&start)
                .map_err(|m| self.error_at_end_of_read(ReadErrorKind::NotXml, m))?;
            for (prefix, namespace) in declared {
                let document = namespace == self.namespace;
                self.bindings.push(Binding {
                    depth,
                    prefix,
                    document,
                });
            }
        }
        let prefix = prefix_of(&start);
        // Most elements have no prefix: test for that before comparing text (a call to memcmp,
        // even for empty strings, which cost a third of the reading time).
        let bound = self.bindings.iter().rev().find(|b| {
            if prefix.is_empty() {
                b.prefix.is_empty()
            } else {
                b.prefix == prefix
            }
        });
        let own = match bound {
            Some(binding) => binding.document,
            None if prefix.is_empty() => false,
            None => {
                let message = format!("element {} has an undeclared prefix", echo(start.name().0));
                return Err(self.error_at_end_of_read(ReadErrorKind::NotXml, message));
            }
        };
        self.push(start, empty, own)
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
        let offset = end.saturating_sub(tag_len);
        // The tag is `<prefix:local …`: the local name ends the qualified name.
        let name_end = offset + 1 + start.name().0.len();
        let local_len = start.local_name().into_inner().len();
        let name_start = name_end - local_len;
        let local_start = start.name().0.len() - local_len;
        self.levels.push(Level {
            name_start,
            name_end,
            offset,
        });
        let element = Element {
            start,
            local_start,
            offset,
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
        self.levels.pop();
        let depth = self.levels.len();
        while self.bindings.last().is_some_and(|b| b.depth > depth) {
            self.bindings.pop();
        }
    }

    /// The line where `element` starts.
    pub(super) fn line(&self, element: &Element<'_>) -> u64 {
        self.lines.at(element.offset)
    }

    /// An error about `element`, which may be open or already closed (its parent must be open).
    pub(super) fn error(
        &self,
        element: &Element<'_>,
        kind: ReadErrorKind,
        message: String,
    ) -> ReadError {
        ReadError {
            line: Some(self.line(element)),
            path: self.path_of(element),
            kind,
            message,
        }
    }

    /// `child` of `element` is required but absent.
    pub(super) fn missing(&self, element: &Element<'_>, child: &str) -> ReadError {
        ReadError {
            line: Some(self.line(element)),
            path: format!("{}/{child}", self.path_of(element)),
            kind: ReadErrorKind::Missing,
            message: format!("{} has no {child}", element.local_name()),
        }
    }

    /// The path of `element`: the names of its open ancestors and its own.
    fn path_of(&self, element: &Element<'_>) -> String {
        let mut path = self.path_to(element.depth.saturating_sub(1));
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(element.local_name());
        path
    }

    /// The path of the `depth` outermost open elements.
    fn path_to(&self, depth: usize) -> String {
        let open = &self.levels[..depth.min(self.levels.len())];
        let names = open.iter().map(|level| {
            self.text
                .get(level.name_start..level.name_end)
                .unwrap_or("?")
        });
        names.collect::<Vec<_>>().join("/")
    }

    /// The path of the innermost open element.
    fn path(&self) -> String {
        self.path_to(self.levels.len())
    }

    /// An error about the innermost open element.
    fn error_here(&self, kind: ReadErrorKind, message: String) -> ReadError {
        ReadError {
            line: self.levels.last().map(|level| self.lines.at(level.offset)),
            path: self.path(),
            kind,
            message,
        }
    }

    /// An error at the place the reader has reached, in the innermost open element.
    fn error_at_end_of_read(&mut self, kind: ReadErrorKind, message: String) -> ReadError {
        let offset = usize::try_from(self.reader.buffer_position()).unwrap_or(self.input.len());
        ReadError {
            line: Some(self.lines.at(offset)),
            path: self.path(),
            kind,
            message,
        }
    }

    /// An error at the end of the input, in the innermost open element.
    fn error_at_end(&mut self, kind: ReadErrorKind, message: String) -> ReadError {
        ReadError {
            line: Some(self.lines.at(self.input.len())),
            path: self.path(),
            kind,
            message,
        }
    }

    fn truncated(&mut self) -> ReadError {
        let path = self.path();
        let open = path.rsplit('/').next().unwrap_or("");
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
            path: self.path(),
            kind,
            message,
        }
    }
}

/// Refuses input that is not UTF-8, telling a cut multi-byte character (truncation) from
/// bytes that are no UTF-8 at all.
fn check_utf8(input: &[u8]) -> Result<&str, ReadError> {
    let error = match std::str::from_utf8(input) {
        Ok(text) => return Ok(text),
        Err(error) => error,
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

/// The namespace declarations of an element: (prefix, namespace), "" for the default.
fn declarations(start: &BytesStart<'_>) -> Result<Vec<(String, String)>, String> {
    let mut found = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| format!("malformed attributes: {e}"))?;
        let key = attribute.key.0;
        let prefix = match key.strip_prefix("xmlns") {
            Some("") => "",
            Some(rest) => match rest.strip_prefix(':') {
                Some(prefix) => prefix,
                None => continue,
            },
            None => continue,
        };
        let namespace = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("attribute {}: {e}", echo(key)))?;
        found.push((prefix.to_owned(), namespace.into_owned()));
    }
    Ok(found)
}

/// The prefix of an element's name, "" if none.
fn prefix_of<'s>(start: &'s BytesStart<'_>) -> &'s str {
    let name = start.name().0;
    match name.bytes().position(|b| b == b':') {
        Some(colon) => &name[..colon],
        None => "",
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
