//! The format layer for the Dutch message standards iWmo 3.2 (Wmo 2015) and
//! iJw 3.2 (Jeugdwet): parsing with level-1 (XSD-like) checks, the level-2
//! content rules of a declaration (323), and writing the 301 and 325.
//!
//! Pure: no database, no I/O. Amounts are eurocents.

#![warn(missing_docs)]

mod client;
pub mod codes;
mod message301;
mod message305_307;
mod message323;
mod message325;
mod reader;
mod writer;

use chrono::NaiveDate;

pub use client::{Address, Contact, Person};
pub use message301::{write_301, AllocatedProduct, Allocation301, Extent, Outgoing301};
pub use message305_307::{Start305, StartedProduct, Stop307, StoppedProduct};
pub use message323::{content_faults, Declaration323, DeclaredClient, Prestatie};
pub use message325::{write_325, Answer325, AnswerBody};

use reader::{one, Ctx, In, Kids, Node};

/// The law a message falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Law {
    /// Wmo 2015 (iWmo).
    Wmo,
    /// Jeugdwet (iJw).
    Jw,
}

/// The kinds of message [`parse`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// 301: allocation (toewijzing), municipality to provider.
    Allocation301,
    /// 305: start of care, provider to municipality.
    Start305,
    /// 307: stop of care, provider to municipality.
    Stop307,
    /// 323: declaration, provider to municipality.
    Declaration323,
}

/// The versions of the XSDs a message was written with (XsdVersie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XsdVersion {
    /// BasisschemaXsdVersie, e.g. "1.0.0".
    pub basisschema: String,
    /// BerichtXsdVersie, e.g. "1.0.0".
    pub message: String,
}

/// The header of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The law, from the root element's namespace.
    pub law: Law,
    /// The message kind, from the root element's namespace.
    pub kind: Kind,
    /// Afzender: gemeente code (301) or AGB code (305/307/323).
    pub sender: String,
    /// Ontvanger: AGB code (301) or gemeente code (305/307/323).
    pub receiver: String,
    /// BerichtIdentificatie/Identificatie.
    pub message_id: String,
    /// BerichtIdentificatie/Dagtekening.
    pub dated: NaiveDate,
    /// XsdVersie (a 325 copies the 323's into XsdVersieDeclaratie).
    pub xsd_version: XsdVersion,
}

/// A level-1 fault: where (element path like "Client[2]/Prestaties/Prestatie[1]/Bsn" or "Header/BerichtCode") and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Element path below the root `Bericht`, repeated elements indexed from 1; "Document" for the document as a whole.
    pub path: String,
    /// What is wrong, in English.
    pub message: String,
}

/// A parsed message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A 301.
    Allocation(Allocation301),
    /// A 305.
    Start(Start305),
    /// A 307.
    Stop(Stop307),
    /// A 323.
    Declaration(Declaration323),
}

impl Law {
    /// "iwmo" or "ijw", the standard's name in namespaces.
    fn standard(self) -> &'static str {
        match self {
            Law::Wmo => "iwmo",
            Law::Jw => "ijw",
        }
    }

    /// "wmo" or "jw", the message prefix.
    fn prefix(self) -> &'static str {
        match self {
            Law::Wmo => "wmo",
            Law::Jw => "jw",
        }
    }

    /// The basisschema namespace.
    pub fn base_namespace(self) -> String {
        format!(
            "http://www.istandaarden.nl/{}/3_2/basisschema/schema",
            self.standard()
        )
    }

    /// The namespace of message `number` (301, 323, 325, ...).
    pub fn message_namespace(self, number: u16) -> String {
        format!(
            "http://www.istandaarden.nl/{}/3_2/{}{number}/schema",
            self.standard(),
            self.prefix()
        )
    }

    /// The XSD versions of this crate's reference XSDs (written into 301/325).
    pub fn xsd_version(self) -> XsdVersion {
        let v = match self {
            Law::Wmo => "1.0.0",
            Law::Jw => "0.1.0",
        };
        XsdVersion {
            basisschema: v.to_string(),
            message: v.to_string(),
        }
    }

    /// BerichtCode of message `number` (301, 305, 307, 323, 325).
    pub fn message_code(self, number: u16) -> Option<u16> {
        Some(match (self, number) {
            (Law::Wmo, 301) => 414,
            (Law::Wmo, 305) => 418,
            (Law::Wmo, 307) => 420,
            (Law::Wmo, 323) => 484,
            (Law::Wmo, 325) => 485,
            (Law::Jw, 301) => 436,
            (Law::Jw, 305) => 438,
            (Law::Jw, 307) => 440,
            (Law::Jw, 323) => 490,
            (Law::Jw, 325) => 491,
            _ => return None,
        })
    }
}

impl Kind {
    /// The message number: 301, 305, 307 or 323.
    pub fn number(self) -> u16 {
        match self {
            Kind::Allocation301 => 301,
            Kind::Start305 => 305,
            Kind::Stop307 => 307,
            Kind::Declaration323 => 323,
        }
    }

    /// Whether the municipality sends this kind (else the provider does).
    fn sent_by_municipality(self) -> bool {
        self == Kind::Allocation301
    }
}

const KINDS: [Kind; 4] = [
    Kind::Allocation301,
    Kind::Start305,
    Kind::Stop307,
    Kind::Declaration323,
];

/// Parses one Bericht; Err lists EVERY structural fault found (not just the first).
pub fn parse(xml: &[u8]) -> Result<(Header, Message), Vec<Fault>> {
    let root = reader::tree(xml)?;
    let found = [Law::Wmo, Law::Jw].into_iter().find_map(|law| {
        KINDS
            .into_iter()
            .find(|k| root.ns.as_deref() == Some(&law.message_namespace(k.number())))
            .map(|k| (law, k))
    });
    let Some((law, kind)) = found.filter(|_| &*root.name == "Bericht") else {
        return Err(vec![Fault {
            path: reader::DOCUMENT.into(),
            message: format!(
                "root element {{{}}}{} is not a Bericht of a 301, 305, 307 or 323 in iWmo/iJw 3.2",
                root.ns.as_deref().unwrap_or(""),
                root.name
            ),
        }]);
    };
    let mut ctx = Ctx {
        faults: Default::default(),
        msg_ns: law.message_namespace(kind.number()),
        base_ns: law.base_namespace(),
        law,
    };
    let body_name = match kind {
        Kind::Declaration323 => "Declaratie",
        _ => "Client",
    };
    let kids = ctx.seq(
        &root,
        "",
        &[one("Header", In::Msg), one(body_name, In::Msg)],
    );
    let header = kids
        .get("Header")
        .map(|(node, path)| read_header(&mut ctx, kind, node, &path));
    let message = kids.get(body_name).map(|(node, path)| match kind {
        Kind::Allocation301 => Message::Allocation(message301::read(&mut ctx, node, &path)),
        Kind::Start305 => Message::Start(message305_307::read_305(&mut ctx, node, &path)),
        Kind::Stop307 => Message::Stop(message305_307::read_307(&mut ctx, node, &path)),
        Kind::Declaration323 => Message::Declaration(message323::read(&mut ctx, node, &path)),
    });
    match (header, message) {
        (Some(h), Some(m)) if ctx.faults.0.is_empty() => Ok((h, m)),
        _ => Err(ctx.faults.0),
    }
}

fn read_header(ctx: &mut Ctx, kind: Kind, node: &Node<'_>, path: &str) -> Header {
    let law = ctx.law;
    let m = In::Msg;
    let kids = ctx.seq(
        node,
        path,
        &[
            one("BerichtCode", m),
            one("BerichtVersie", m),
            one("BerichtSubversie", m),
            one("Afzender", m),
            one("Ontvanger", m),
            one("BerichtIdentificatie", m),
            one("XsdVersie", m),
        ],
    );
    let expected = law.message_code(kind.number()).unwrap_or_default();
    if let Some(code) = kids.int(ctx, "BerichtCode", 999) {
        if code != i64::from(expected) {
            ctx.faults.push(
                &kids.path("BerichtCode"),
                format!(
                    "BerichtCode {code} does not match the namespace of a {}{} (expected {expected})",
                    law.prefix(),
                    kind.number()
                ),
            );
        }
    }
    for (name, want) in [("BerichtVersie", "3"), ("BerichtSubversie", "2")] {
        if let Some(v) = kids.text(ctx, name) {
            if v.trim() != want {
                ctx.faults.push(
                    &kids.path(name),
                    format!("{name} is {v:?}, expected {want}"),
                );
            }
        }
    }
    let (sender_digits, receiver_digits) = if kind.sent_by_municipality() {
        (4, 8)
    } else {
        (8, 4)
    };
    let sender = party(ctx, &kids, "Afzender", sender_digits);
    let receiver = party(ctx, &kids, "Ontvanger", receiver_digits);
    let (message_id, dated) = identification(ctx, &kids, "BerichtIdentificatie");
    let xsd_version = xsd_version(ctx, &kids, "XsdVersie");
    Header {
        law,
        kind,
        sender,
        receiver,
        message_id,
        dated,
        xsd_version,
    }
}

/// Afzender/Ontvanger: a gemeente code (4 digits) or an AGB code (8 digits).
fn party(ctx: &mut Ctx, kids: &Kids<'_>, name: &str, digits: usize) -> String {
    let Some(v) = kids.text(ctx, name) else {
        return String::new();
    };
    if v.len() != digits || !v.bytes().all(|b| b.is_ascii_digit()) {
        let what = if digits == 4 {
            "a gemeente code"
        } else {
            "an AGB code"
        };
        ctx.faults.push(
            &kids.path(name),
            format!("{name} {v:?} is not {what} of {digits} digits"),
        );
    }
    v
}

/// A CDT_BerichtIdentificatie: Identificatie (max 12) and Dagtekening.
fn identification(ctx: &mut Ctx, kids: &Kids<'_>, name: &str) -> (String, NaiveDate) {
    let Some((node, path)) = kids.get(name) else {
        return Default::default();
    };
    let b = In::Base;
    let inner = ctx.seq(
        node,
        &path,
        &[one("Identificatie", b), one("Dagtekening", b)],
    );
    (
        inner.string(ctx, "Identificatie", 12).unwrap_or_default(),
        inner.date(ctx, "Dagtekening").unwrap_or_default(),
    )
}

/// A CDT_XsdVersie with two versions "n.n.n".
fn xsd_version(ctx: &mut Ctx, kids: &Kids<'_>, name: &str) -> XsdVersion {
    let Some((node, path)) = kids.get(name) else {
        return Law::Wmo.xsd_version();
    };
    let b = In::Base;
    let inner = ctx.seq(
        node,
        &path,
        &[one("BasisschemaXsdVersie", b), one("BerichtXsdVersie", b)],
    );
    let mut version = |name: &str| {
        let v = inner.text(ctx, name).unwrap_or_default();
        let ok = v.split('.').count() == 3
            && v.split('.').all(|p| {
                !p.is_empty()
                    && p.bytes().all(|b| b.is_ascii_digit())
                    && (p == "0" || !p.starts_with('0'))
            });
        if !ok && inner.get(name).is_some() {
            ctx.faults.push(
                &inner.path(name),
                format!("{name} {v:?} is not a version n.n.n"),
            );
        }
        v
    };
    XsdVersion {
        basisschema: version("BasisschemaXsdVersie"),
        message: version("BerichtXsdVersie"),
    }
}

/// Whether `bsn` is 9 digits passing the eleven-test (9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 mod 11).
pub fn is_valid_bsn(bsn: &str) -> bool {
    let b = bsn.as_bytes();
    if b.len() != 9 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let d = |i: usize| i64::from(b[i] - b'0');
    let sum: i64 = (0..8).map(|i| d(i) * (9 - i as i64)).sum::<i64>() - d(8);
    sum % 11 == 0
}

/// The CBS code of a gemeente: "0384" → "GM0384".
pub fn municipality_code_to_cbs(code: &str) -> String {
    format!("GM{code}")
}

/// The gemeente code of a CBS code: "GM0384" → Some("0384"); None unless "GM" + 4 digits.
pub fn cbs_to_municipality_code(cbs: &str) -> Option<String> {
    let code = cbs.strip_prefix("GM")?;
    (code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit())).then(|| code.to_string())
}
