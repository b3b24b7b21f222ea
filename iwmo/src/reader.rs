//! A namespace-aware element tree built with quick-xml's `NsReader`, and a
//! cursor over it that tracks element paths and pushes level-1 faults.
//!
//! The tree is built first (messages are small) so that the typed readers can
//! check an XSD sequence as a whole: order, unknown, missing and repeated
//! elements.

use chrono::{NaiveDate, NaiveTime};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use std::{borrow::Cow, collections::HashMap, rc::Rc};

use crate::Fault;

/// At most this many faults are reported; the rest are dropped.
pub const MAX_FAULTS: usize = 100;
/// Deepest nesting accepted: iWmo messages are about ten levels deep, and a
/// tree dropped recursively must not exhaust a server thread's stack.
pub const MAX_DEPTH: usize = 32;
/// Most elements accepted: a 323 of 30,000 prestaties has about 750,000.
pub const MAX_ELEMENTS: usize = 1_500_000;

/// One element: its namespace, local name, text and child elements.
#[derive(Debug)]
pub struct Node<'x> {
    /// Shared: a message has a handful of namespaces and thousands of elements.
    pub ns: Option<Rc<str>>,
    /// Shared like `ns`: a message uses a few dozen element names.
    pub name: Rc<str>,
    /// Borrowed from the message where it needs no unescaping.
    pub text: Cow<'x, str>,
    pub children: Vec<Node<'x>>,
}

/// Collects faults, capped at [`MAX_FAULTS`].
#[derive(Debug, Default)]
pub struct Faults(pub Vec<Fault>);

impl Faults {
    pub fn push(&mut self, path: &str, message: impl Into<String>) {
        if self.0.len() < MAX_FAULTS {
            self.0.push(Fault {
                path: path.to_string(),
                message: message.into(),
            });
        }
    }
}

/// Path used for faults about the document as a whole.
pub const DOCUMENT: &str = "Document";

/// Builds the element tree; a DTD, an unknown entity or malformed XML is a fault.
pub fn tree(xml: &[u8]) -> Result<Node<'_>, Vec<Fault>> {
    let mut faults = Faults::default();
    // Refuse any DTD before the XML parser sees it: entity expansion
    // (billion laughs, external SYSTEM entities) must never happen.
    if has_markup_declaration(xml, &[b"DOCTYPE", b"ENTITY"]) {
        faults.push(DOCUMENT, "a DOCTYPE/DTD is not allowed");
        return Err(faults.0);
    }
    let Ok(text) = std::str::from_utf8(xml) else {
        faults.push(DOCUMENT, "the message is not UTF-8");
        return Err(faults.0);
    };
    let mut reader = NsReader::from_str(text);
    reader.config_mut().enable_all_checks(true);
    let mut stack: Vec<Node<'_>> = Vec::new();
    let mut root: Option<Node<'_>> = None;
    let mut namespaces: Vec<Rc<str>> = Vec::new();
    let mut names: HashMap<String, Rc<str>> = HashMap::new();
    let mut elements = 0usize;
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (resolve(&ns, &mut namespaces), event),
            Err(e) => {
                faults.push(
                    DOCUMENT,
                    format!(
                        "not well-formed XML at byte {}: {e}",
                        reader.error_position()
                    ),
                );
                return Err(faults.0);
            }
        };
        match event {
            Event::Start(_) | Event::Empty(_) if elements == MAX_ELEMENTS => {
                faults.push(DOCUMENT, format!("more than {MAX_ELEMENTS} elements"));
                return Err(faults.0);
            }
            Event::Start(_) if stack.len() == MAX_DEPTH => {
                faults.push(DOCUMENT, format!("elements nested deeper than {MAX_DEPTH}"));
                return Err(faults.0);
            }
            Event::Start(e) => {
                elements += 1;
                let name = intern(&mut names, e.local_name().as_ref());
                check_attributes(&mut faults, &e, &name);
                let ns = unbound(&mut faults, ns, &name);
                stack.push(Node {
                    ns,
                    name,
                    text: Cow::Borrowed(""),
                    children: Vec::new(),
                });
            }
            Event::Empty(e) => {
                elements += 1;
                let name = intern(&mut names, e.local_name().as_ref());
                check_attributes(&mut faults, &e, &name);
                let ns = unbound(&mut faults, ns, &name);
                let node = Node {
                    ns,
                    name,
                    text: Cow::Borrowed(""),
                    children: Vec::new(),
                };
                if !attach(&mut stack, &mut root, node) {
                    faults.push(DOCUMENT, "more than one root element");
                }
            }
            Event::End(_) => {
                let node = stack.pop().expect("quick-xml checks end names");
                if !attach(&mut stack, &mut root, node) {
                    faults.push(DOCUMENT, "more than one root element");
                }
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                let blank = |s: &str| s.bytes().all(|b| b.is_ascii_whitespace());
                match stack.last_mut() {
                    // Indentation between elements: a blank text stays one
                    // borrowed slice instead of a growing copy per child.
                    Some(top) if blank(&top.text) && blank(&content) => {
                        if top.text.is_empty() {
                            top.text = content;
                        }
                    }
                    Some(top) if top.text.is_empty() => top.text = content,
                    Some(top) => top.text.to_mut().push_str(&content),
                    None if blank(&content) => {}
                    None => faults.push(DOCUMENT, "text outside the root element"),
                }
            }
            Event::CData(t) => {
                let content = t.into_inner().into_owned();
                match stack.last_mut() {
                    Some(top) => top.text.to_mut().push_str(&content),
                    None => faults.push(DOCUMENT, "CDATA outside the root element"),
                }
            }
            Event::GeneralRef(r) => {
                // Only the five predefined entities and character references
                // exist without a DTD; anything else is refused.
                let name = r.to_string();
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten()
                } else {
                    match name.as_str() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "apos" => Some('\''),
                        "quot" => Some('"'),
                        _ => None,
                    }
                };
                match (resolved, stack.last_mut()) {
                    (Some(c), Some(top)) => top.text.to_mut().push(c),
                    _ => {
                        faults.push(DOCUMENT, format!("unknown entity reference &{name};"));
                        return Err(faults.0);
                    }
                }
            }
            Event::DocType(_) => {
                faults.push(DOCUMENT, "a DOCTYPE/DTD is not allowed");
                return Err(faults.0);
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        faults.push(
            DOCUMENT,
            "not well-formed XML: unclosed element(s) at the end",
        );
    }
    match root {
        Some(root) if faults.0.is_empty() => Ok(root),
        None if faults.0.is_empty() => {
            faults.push(DOCUMENT, "no root element");
            Err(faults.0)
        }
        _ => Err(faults.0),
    }
}

/// Whether `<!` followed by one of `words` (any case) occurs anywhere. A
/// memchr search for `<!` (rare: comments and CDATA), so an 8 MB message is
/// checked in about a millisecond.
fn has_markup_declaration(xml: &[u8], words: &[&[u8]]) -> bool {
    memchr::memmem::find_iter(xml, b"<!").any(|at| {
        let rest = &xml[at + 2..];
        words
            .iter()
            .any(|w| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w))
    })
}

/// The shared copy of an element name.
fn intern(names: &mut HashMap<String, Rc<str>>, name: &str) -> Rc<str> {
    if let Some(shared) = names.get(name) {
        return shared.clone();
    }
    let shared: Rc<str> = name.into();
    names.insert(name.to_owned(), shared.clone());
    shared
}

enum Ns {
    Bound(Rc<str>),
    Unbound,
    Unknown(String),
}

fn resolve(ns: &ResolveResult<'_>, known: &mut Vec<Rc<str>>) -> Ns {
    match ns {
        ResolveResult::Bound(n) => {
            let uri = n.as_ref();
            let shared = match known.iter().find(|k| ***k == *uri) {
                Some(k) => k.clone(),
                None => {
                    let k: Rc<str> = uri.into();
                    known.push(k.clone());
                    k
                }
            };
            Ns::Bound(shared)
        }
        ResolveResult::Unbound => Ns::Unbound,
        ResolveResult::Unknown(p) => Ns::Unknown(p.clone()),
    }
}

fn unbound(faults: &mut Faults, ns: Ns, name: &str) -> Option<Rc<str>> {
    match ns {
        Ns::Bound(n) => Some(n),
        Ns::Unbound => None,
        Ns::Unknown(prefix) => {
            faults.push(
                DOCUMENT,
                format!("element {name}: undeclared prefix {prefix}"),
            );
            None
        }
    }
}

/// The XSDs declare no attributes: only namespace declarations and xsi:* pass.
fn check_attributes(faults: &mut Faults, e: &quick_xml::events::BytesStart<'_>, name: &str) {
    for attr in e.attributes() {
        match attr {
            Ok(a) => {
                let key = a.key.as_ref().to_string();
                if key != "xmlns" && !key.starts_with("xmlns:") && !key.starts_with("xsi:") {
                    faults.push(
                        DOCUMENT,
                        format!("element {name}: unexpected attribute {key}"),
                    );
                }
            }
            Err(err) => faults.push(DOCUMENT, format!("element {name}: bad attribute: {err}")),
        }
    }
}

/// Adds a finished node to its parent; false when it is a second root.
fn attach<'x>(stack: &mut [Node<'x>], root: &mut Option<Node<'x>>, node: Node<'x>) -> bool {
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(node);
            true
        }
        None if root.is_none() => {
            *root = Some(node);
            true
        }
        None => false,
    }
}

/// Which namespace an element of a sequence lives in.
#[derive(Clone, Copy)]
pub enum In {
    /// The message's own namespace (wmo301, jw323, ...).
    Msg,
    /// The basisschema namespace (elements of the CDT_ types).
    Base,
}

/// One element of an XSD sequence: name, namespace, minOccurs, maxOccurs>1.
#[derive(Clone, Copy)]
pub struct Item {
    pub name: &'static str,
    pub ns: In,
    pub required: bool,
    pub repeated: bool,
}

/// A required, single element.
pub const fn one(name: &'static str, ns: In) -> Item {
    Item {
        name,
        ns,
        required: true,
        repeated: false,
    }
}

/// An optional, single element.
pub const fn opt(name: &'static str, ns: In) -> Item {
    Item {
        name,
        ns,
        required: false,
        repeated: false,
    }
}

/// A required element that may repeat (maxOccurs unbounded).
pub const fn many(name: &'static str, ns: In) -> Item {
    Item {
        name,
        ns,
        required: true,
        repeated: true,
    }
}

/// An optional element whose content is accepted unchecked (parts of a 301
/// this crate does not model); same as `opt`, named for the reader.
pub const fn skip(name: &'static str, ns: In) -> Item {
    opt(name, ns)
}

/// Parse context: the faults and the namespaces of the message being read.
pub struct Ctx {
    pub faults: Faults,
    pub msg_ns: String,
    pub base_ns: String,
    pub law: crate::Law,
}

/// The children of an element, checked against a sequence.
pub struct Kids<'a> {
    path: String,
    /// The accepted children in document order, with the name each matched:
    /// a sequence keeps each name's children together, so a name's are one
    /// slice of `nodes` (two allocations per element instead of one per item).
    names: Vec<&'static str>,
    nodes: Vec<&'a Node<'a>>,
}

impl Ctx {
    fn ns_of(&self, ns: In) -> &str {
        match ns {
            In::Msg => &self.msg_ns,
            In::Base => &self.base_ns,
        }
    }

    /// Checks `node`'s children against `seq` (order, unknown, missing,
    /// repeats, stray text) and returns them by name.
    pub fn seq<'a>(&mut self, node: &'a Node<'a>, path: &str, seq: &[Item]) -> Kids<'a> {
        if !node.text.trim().is_empty() {
            self.faults
                .push(path, "unexpected text in an element with child elements");
        }
        let mut names: Vec<&'static str> = Vec::with_capacity(node.children.len());
        let mut nodes: Vec<&'a Node<'a>> = Vec::with_capacity(node.children.len());
        let mut at = 0;
        for child in &node.children {
            // Built only for a fault: most elements have none.
            let here = || join(path, &child.name);
            let pos = seq.iter().position(|i| {
                *i.name == *child.name && child.ns.as_deref() == Some(self.ns_of(i.ns))
            });
            match pos {
                None => {
                    let msg = if seq.iter().any(|i| *i.name == *child.name) {
                        format!(
                            "element {} is in the wrong namespace {}",
                            child.name,
                            child.ns.as_deref().unwrap_or("(none)")
                        )
                    } else {
                        format!("unknown element {}", child.name)
                    };
                    self.faults.push(&here(), msg);
                }
                Some(p) if p < at => {
                    self.faults
                        .push(&here(), format!("element {} is out of order", child.name));
                }
                Some(p) => {
                    at = p;
                    if !seq[p].repeated && names.last() == Some(&seq[p].name) {
                        self.faults.push(
                            &here(),
                            format!("element {} occurs more than once", child.name),
                        );
                    } else {
                        names.push(seq[p].name);
                        nodes.push(child);
                    }
                }
            }
        }
        for item in seq {
            if item.required && !names.contains(&item.name) {
                self.faults.push(
                    &join(path, item.name),
                    format!("required element {} is missing", item.name),
                );
            }
        }
        Kids {
            path: path.to_string(),
            names,
            nodes,
        }
    }

    /// Text of a simple element; text-only (child elements are a fault).
    fn simple<'a>(&mut self, node: &'a Node<'a>, path: &dyn Fn() -> String) -> &'a str {
        if !node.children.is_empty() {
            self.faults
                .push(&path(), "unexpected child elements in a simple element");
        }
        &node.text
    }
}

pub fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}/{name}")
    }
}

impl<'a> Kids<'a> {
    fn nodes(&self, name: &str) -> &[&'a Node<'a>] {
        let Some(start) = self.names.iter().position(|n| *n == name) else {
            return &[];
        };
        let len = self.names[start..]
            .iter()
            .take_while(|n| **n == name)
            .count();
        &self.nodes[start..start + len]
    }

    /// Path of a child element (no index).
    pub fn path(&self, name: &str) -> String {
        join(&self.path, name)
    }

    fn first(&self, name: &str) -> Option<&'a Node<'a>> {
        self.nodes(name).first().copied()
    }

    /// The single child `name`, with its path.
    pub fn get(&self, name: &str) -> Option<(&'a Node<'a>, String)> {
        self.nodes(name).first().map(|n| (*n, self.path(name)))
    }

    /// All children `name` with indexed paths (`Name[1]`, `Name[2]`, ...).
    pub fn all(&self, name: &str) -> Vec<(&'a Node<'a>, String)> {
        self.nodes(name)
            .iter()
            .enumerate()
            .map(|(i, n)| (*n, format!("{}[{}]", self.path(name), i + 1)))
            .collect()
    }

    /// Raw text of an optional simple child.
    pub fn text(&self, ctx: &mut Ctx, name: &str) -> Option<String> {
        let node = self.first(name)?;
        // The path is built only for a fault.
        let path = || self.path(name);
        Some(ctx.simple(node, &path).to_string())
    }

    /// A string with XSD length limits; must contain a non-space character.
    pub fn string(&self, ctx: &mut Ctx, name: &str, max: usize) -> Option<String> {
        let node = self.first(name)?;
        // The path is built only for a fault.
        let path = || self.path(name);
        let s = ctx.simple(node, &path);
        let len = s.chars().count();
        if s.trim().is_empty() {
            ctx.faults.push(&path(), format!("{name} is empty"));
        } else if len > max {
            ctx.faults.push(
                &path(),
                format!("{name} is {len} characters, at most {max} allowed"),
            );
        }
        Some(s.to_string())
    }

    /// A code from a code list.
    pub fn code(
        &self,
        ctx: &mut Ctx,
        name: &str,
        list: &[&str],
        list_name: &str,
    ) -> Option<String> {
        let node = self.first(name)?;
        // The path is built only for a fault.
        let path = || self.path(name);
        let s = ctx.simple(node, &path);
        if !list.contains(&s) {
            ctx.faults.push(
                &path(),
                format!("{name} {s:?} is not in code list {list_name}"),
            );
        }
        Some(s.to_string())
    }

    /// A BSN: 9 digits passing the eleven-test.
    pub fn bsn(&self, ctx: &mut Ctx, name: &str) -> Option<String> {
        let node = self.first(name)?;
        // The path is built only for a fault.
        let path = || self.path(name);
        let s = ctx.simple(node, &path);
        if !crate::is_valid_bsn(s) {
            ctx.faults.push(
                &path(),
                // The value itself is not repeated: it may be a real BSN.
                format!("{name} is not 9 digits passing the eleven-test"),
            );
        }
        Some(s.to_string())
    }

    /// A product category of the message's law (WMO020 / JZ020).
    pub fn category(&self, ctx: &mut Ctx, name: &str) -> Option<String> {
        let (list, list_name) = match ctx.law {
            crate::Law::Wmo => (crate::codes::WMO_CATEGORIES, "WMO020"),
            crate::Law::Jw => (crate::codes::JW_CATEGORIES, "JZ020"),
        };
        self.code(ctx, name, list, list_name)
    }

    /// A non-negative integer of at most `max` (xs:integer, whitespace collapsed).
    pub fn int(&self, ctx: &mut Ctx, name: &str, max: i64) -> Option<i64> {
        let node = self.first(name)?;
        // The path is built only for a fault.
        let path = || self.path(name);
        let s = ctx.simple(node, &path).trim();
        let digits = s.strip_prefix('+').unwrap_or(s);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            ctx.faults.push(
                &path(),
                format!("{name} {s:?} is not a non-negative integer"),
            );
            return Some(0);
        }
        match digits.parse::<i64>() {
            Ok(v) if v <= max => Some(v),
            _ => {
                ctx.faults
                    .push(&path(), format!("{name} {s} exceeds the maximum {max}"));
                Some(0)
            }
        }
    }

    /// A date `YYYY-MM-DD` without time zone.
    pub fn date(&self, ctx: &mut Ctx, name: &str) -> Option<NaiveDate> {
        let node = self.first(name)?;
        // The path is built only for a fault.
        let path = || self.path(name);
        let s = ctx.simple(node, &path).trim();
        Some(parse_date(s).unwrap_or_else(|| {
            ctx.faults.push(
                &path(),
                format!("{name} {s:?} is not a date YYYY-MM-DD without time zone"),
            );
            NaiveDate::default()
        }))
    }

    /// A time `hh:mm:ss` (optional fraction) without time zone.
    pub fn time(&self, ctx: &mut Ctx, name: &str) -> Option<NaiveTime> {
        let node = self.first(name)?;
        // The path is built only for a fault.
        let path = || self.path(name);
        let s = ctx.simple(node, &path).trim();
        let ok = s.len() >= 8
            && !s.contains(['Z', '+'])
            && s.is_ascii()
            && !s[1..].contains('-')
            && s.as_bytes()[2] == b':'
            && s.as_bytes()[5] == b':';
        Some(
            NaiveTime::parse_from_str(s, "%H:%M:%S%.f")
                .ok()
                .filter(|_| ok)
                .unwrap_or_else(|| {
                    ctx.faults.push(
                        &path(),
                        format!("{name} {s:?} is not a time hh:mm:ss without time zone"),
                    );
                    NaiveTime::default()
                }),
        )
    }
}

/// Parses exactly `YYYY-MM-DD` (four-digit year); None for anything else or an impossible date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::from_ymd_opt(
        s[0..4].parse().ok()?,
        s[5..7].parse().ok()?,
        s[8..10].parse().ok()?,
    )
}
