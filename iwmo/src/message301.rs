//! 301: the allocation (toewijzing) a municipality sends a provider.

use chrono::{NaiveDate, NaiveTime};

use crate::client::{read_contacts, read_person, write_contacts, write_person, Contact, Person};
use crate::codes;
use crate::reader::{many, one, opt, skip, Ctx, In, Kids, Node};
use crate::writer::{date, Writer};
use crate::{Header, Law};

/// A parsed 301.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation301 {
    /// The client.
    pub client: Person,
    /// JuridischeStatus code, if given.
    pub legal_status: Option<String>,
    /// WettelijkeVertegenwoordiging code, if given.
    pub legal_representation: Option<String>,
    /// The client's Commentaar.
    pub comment: Option<String>,
    /// Contactgegevens (at least one Contact in a valid 301).
    pub contacts: Vec<Contact>,
    /// ToegewezenProducten.
    pub products: Vec<AllocatedProduct>,
}

/// One ToegewezenProduct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocatedProduct {
    /// ToewijzingNummer.
    pub number: i64,
    /// ReferentieAanbieder (set when answering a request), max 36.
    pub provider_reference: Option<String>,
    /// Product/Categorie; empty when the 301 carries no Product (the XSD allows that).
    pub category: String,
    /// Product/Code.
    pub code: Option<String>,
    /// Ingangsdatum.
    pub start: NaiveDate,
    /// Einddatum.
    pub end: Option<NaiveDate>,
    /// Toewijzingsdatum.
    pub allocated_on: NaiveDate,
    /// Toewijzingstijd (required by the XSD).
    pub allocated_at: NaiveTime,
    /// RedenWijziging code; "13" = verwijderd.
    pub change_reason: Option<String>,
    /// Omvang.
    pub volume: Option<Extent>,
    /// Budget in eurocents.
    pub budget_cents: Option<i64>,
    /// Commentaar of the product.
    pub comment: Option<String>,
}

/// Omvang: volume per unit per frequency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extent {
    /// Volume.
    pub volume: i64,
    /// WJ756 unit code, e.g. "04".
    pub unit: String,
    /// WMO757 frequency code.
    pub frequency: String,
}

/// A 301 to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing301 {
    /// Wmo or Jeugdwet.
    pub law: Law,
    /// Afzender: gemeente code (4 digits).
    pub sender: String,
    /// Ontvanger: AGB code (8 digits).
    pub receiver: String,
    /// BerichtIdentificatie/Identificatie (max 12).
    pub message_id: String,
    /// BerichtIdentificatie/Dagtekening.
    pub dated: NaiveDate,
    /// The client.
    pub client: Person,
    /// JuridischeStatus code.
    pub legal_status: Option<String>,
    /// WettelijkeVertegenwoordiging code.
    pub legal_representation: Option<String>,
    /// The client's Commentaar.
    pub comment: Option<String>,
    /// Contactgegevens: the XSD requires at least one.
    pub contacts: Vec<Contact>,
    /// ToegewezenProducten: the XSD requires at least one.
    pub products: Vec<AllocatedProduct>,
}

impl Outgoing301 {
    /// A 301 to write from a parsed one (e.g. to resend it).
    pub fn from_parsed(header: &Header, a: Allocation301) -> Outgoing301 {
        Outgoing301 {
            law: header.law,
            sender: header.sender.clone(),
            receiver: header.receiver.clone(),
            message_id: header.message_id.clone(),
            dated: header.dated,
            client: a.client,
            legal_status: a.legal_status,
            legal_representation: a.legal_representation,
            comment: a.comment,
            contacts: a.contacts,
            products: a.products,
        }
    }

    /// The body as [`crate::parse`] returns it.
    pub fn allocation(&self) -> Allocation301 {
        Allocation301 {
            client: self.client.clone(),
            legal_status: self.legal_status.clone(),
            legal_representation: self.legal_representation.clone(),
            comment: self.comment.clone(),
            contacts: self.contacts.clone(),
            products: self.products.clone(),
        }
    }
}

const LEGAL_STATUSES: &[&str] = &["01", "02", "03", "04", "05", "11", "12"];
const LEGAL_REPRESENTATIONS: &[&str] = &["06", "07", "08", "09", "10"];
/// LDT_Commentaar has no maxLength in 3.2; this bounds what we accept.
const MAX_COMMENT: usize = 4000;

pub(crate) fn read(ctx: &mut Ctx, node: &Node<'_>, path: &str) -> Allocation301 {
    let m = In::Msg;
    let kids = ctx.seq(
        node,
        path,
        &[
            one("Bsn", m),
            one("Geboortedatum", m),
            one("Geslacht", m),
            one("Naam", m),
            skip("Communicatie", m),
            opt("JuridischeStatus", m),
            opt("WettelijkeVertegenwoordiging", m),
            opt("Commentaar", m),
            skip("Relaties", m),
            one("Contactgegevens", m),
            one("ToegewezenProducten", m),
        ],
    );
    let client = read_person(ctx, &kids, true);
    let legal_status = kids.code(ctx, "JuridischeStatus", LEGAL_STATUSES, "JuridischeStatus");
    let legal_representation = kids.code(
        ctx,
        "WettelijkeVertegenwoordiging",
        LEGAL_REPRESENTATIONS,
        "WettelijkeVertegenwoordiging",
    );
    let comment = kids.string(ctx, "Commentaar", MAX_COMMENT);
    let contacts = read_contacts(ctx, &kids);
    let mut products = Vec::new();
    if let Some((node, path)) = kids.get("ToegewezenProducten") {
        let list = ctx.seq(node, &path, &[many("ToegewezenProduct", m)]);
        for (node, path) in list.all("ToegewezenProduct") {
            products.push(read_product(ctx, node, &path));
        }
    }
    Allocation301 {
        client,
        legal_status,
        legal_representation,
        comment,
        contacts,
        products,
    }
}

fn read_product(ctx: &mut Ctx, node: &Node<'_>, path: &str) -> AllocatedProduct {
    let m = In::Msg;
    let p = ctx.seq(
        node,
        path,
        &[
            one("ToewijzingNummer", m),
            opt("ReferentieAanbieder", m),
            opt("Product", m),
            one("Toewijzingsdatum", m),
            one("Toewijzingstijd", m),
            one("Ingangsdatum", m),
            opt("Einddatum", m),
            opt("RedenWijziging", m),
            opt("Omvang", m),
            opt("Budget", m),
            opt("Commentaar", m),
        ],
    );
    let (category, code) = read_product_code(ctx, &p, "Product");
    AllocatedProduct {
        number: p
            .int(ctx, "ToewijzingNummer", 999_999_999)
            .unwrap_or_default(),
        provider_reference: p.string(ctx, "ReferentieAanbieder", 36),
        category: category.unwrap_or_default(),
        code,
        allocated_on: p.date(ctx, "Toewijzingsdatum").unwrap_or_default(),
        allocated_at: p.time(ctx, "Toewijzingstijd").unwrap_or_default(),
        start: p.date(ctx, "Ingangsdatum").unwrap_or_default(),
        end: p.date(ctx, "Einddatum"),
        change_reason: p.code(ctx, "RedenWijziging", codes::CHANGE_REASONS, "WMO002"),
        volume: p
            .get("Omvang")
            .map(|(node, path)| read_extent(ctx, node, &path)),
        budget_cents: p.int(ctx, "Budget", 99_999_999),
        comment: p.string(ctx, "Commentaar", MAX_COMMENT),
    }
}

/// A CDT_Product: Categorie and optional Code (max 5).
pub(crate) fn read_product_code(
    ctx: &mut Ctx,
    kids: &Kids<'_>,
    name: &str,
) -> (Option<String>, Option<String>) {
    let Some((node, path)) = kids.get(name) else {
        return (None, None);
    };
    let b = In::Base;
    let p = ctx.seq(node, &path, &[one("Categorie", b), opt("Code", b)]);
    (p.category(ctx, "Categorie"), p.string(ctx, "Code", 5))
}

fn read_extent(ctx: &mut Ctx, node: &Node<'_>, path: &str) -> Extent {
    let b = In::Base;
    let o = ctx.seq(
        node,
        path,
        &[one("Volume", b), one("Eenheid", b), one("Frequentie", b)],
    );
    let units: Vec<&str> = codes::UNITS.iter().map(|(c, _)| *c).collect();
    let frequencies: Vec<&str> = codes::FREQUENCIES.iter().map(|(c, _)| *c).collect();
    Extent {
        volume: o.int(ctx, "Volume", 99_999_999).unwrap_or_default(),
        unit: o.code(ctx, "Eenheid", &units, "WJ756").unwrap_or_default(),
        frequency: o
            .code(ctx, "Frequentie", &frequencies, "WMO757")
            .unwrap_or_default(),
    }
}

/// Writes a 301 in the layout of the reference examples; valid against WMO301.xsd / JW301.xsd when the values are.
pub fn write_301(m: &Outgoing301) -> String {
    let mut w = Writer::new(m.law, 301);
    w.header_start(m.law, 301, &m.sender, &m.receiver, &m.message_id, m.dated);
    w.close("Header");
    w.open("Client");
    write_person(&mut w, &m.client, true);
    w.opt_leaf("JuridischeStatus", m.legal_status.as_deref());
    w.opt_leaf(
        "WettelijkeVertegenwoordiging",
        m.legal_representation.as_deref(),
    );
    w.opt_leaf("Commentaar", m.comment.as_deref());
    write_contacts(&mut w, &m.contacts);
    w.open("ToegewezenProducten");
    for p in &m.products {
        w.open("ToegewezenProduct");
        w.leaf("ToewijzingNummer", &p.number.to_string());
        w.opt_leaf("ReferentieAanbieder", p.provider_reference.as_deref());
        if !p.category.is_empty() {
            w.open("Product");
            w.base_leaf("Categorie", &p.category);
            w.opt_base_leaf("Code", p.code.as_deref());
            w.close("Product");
        }
        w.leaf("Toewijzingsdatum", &date(p.allocated_on));
        w.leaf(
            "Toewijzingstijd",
            &p.allocated_at.format("%H:%M:%S%.f").to_string(),
        );
        w.leaf("Ingangsdatum", &date(p.start));
        w.opt_leaf("Einddatum", p.end.map(date).as_deref());
        w.opt_leaf("RedenWijziging", p.change_reason.as_deref());
        if let Some(e) = &p.volume {
            w.open("Omvang");
            w.base_leaf("Volume", &e.volume.to_string());
            w.base_leaf("Eenheid", &e.unit);
            w.base_leaf("Frequentie", &e.frequency);
            w.close("Omvang");
        }
        w.opt_leaf("Budget", p.budget_cents.map(|b| b.to_string()).as_deref());
        w.opt_leaf("Commentaar", p.comment.as_deref());
        w.close("ToegewezenProduct");
    }
    w.close("ToegewezenProducten");
    w.close("Client");
    w.finish()
}
