//! 323: the declaration a provider sends, and its level-2 content rules.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};

use crate::codes;
use crate::reader::{many, one, opt, Ctx, In, Kids, Node};
use crate::Fault;

/// A parsed 323.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration323 {
    /// DeclaratieNummer (alphanumeric, max 12).
    pub number: String,
    /// DeclaratiePeriode (Begindatum, Einddatum).
    pub period: (NaiveDate, NaiveDate),
    /// DeclaratieDagtekening.
    pub dated: NaiveDate,
    /// TotaalIngediendBedrag, signed: D positive, C negative.
    pub total_cents: i64,
    /// Clienten.
    pub clients: Vec<DeclaredClient>,
}

/// One Client of a 323.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredClient {
    /// Bsn.
    pub bsn: String,
    /// Prestaties.
    pub prestaties: Vec<Prestatie>,
}

/// One Prestatie of a 323.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prestatie {
    /// ProductReferentie/ReferentieNummer (max 20).
    pub reference: String,
    /// ProductReferentie/VorigReferentieNummer.
    pub previous_reference: Option<String>,
    /// ToewijzingNummer.
    pub allocation_number: i64,
    /// ProductCategorie.
    pub category: String,
    /// ProductCode (required by the 323 XSD, so always Some after parse).
    pub code: Option<String>,
    /// ProductPeriode (Begindatum, Einddatum).
    pub period: (NaiveDate, NaiveDate),
    /// GeleverdVolume.
    pub volume: i64,
    /// Eenheid (WJ756).
    pub unit: String,
    /// ProductTarief in eurocents.
    pub tariff_cents: Option<i64>,
    /// IngediendBedrag/Bedrag in eurocents, unsigned.
    pub amount_cents: i64,
    /// IngediendBedrag/DebetCredit is C.
    pub credit: bool,
}

impl Prestatie {
    /// The amount signed: debit positive, credit negative.
    pub fn signed_cents(&self) -> i64 {
        if self.credit {
            -self.amount_cents
        } else {
            self.amount_cents
        }
    }
}

/// Path of a prestatie, as faults name it (indexes from 1).
pub(crate) fn prestatie_path(client: usize, prestatie: usize) -> String {
    format!(
        "Declaratie/Clienten/Client[{}]/Prestaties/Prestatie[{}]",
        client + 1,
        prestatie + 1
    )
}

pub(crate) fn read(ctx: &mut Ctx, node: &Node<'_>, path: &str) -> Declaration323 {
    let (m, b) = (In::Msg, In::Base);
    let d = ctx.seq(
        node,
        path,
        &[
            one("DeclaratieNummer", m),
            one("DeclaratiePeriode", m),
            one("DeclaratieDagtekening", m),
            one("TotaalIngediendBedrag", m),
            one("Clienten", m),
        ],
    );
    let number = d.string(ctx, "DeclaratieNummer", 12).unwrap_or_default();
    if !number.bytes().all(|c| c.is_ascii_alphanumeric()) {
        ctx.faults.push(
            &d.path("DeclaratieNummer"),
            "DeclaratieNummer may contain only letters a-z, A-Z and digits",
        );
    }
    let period = period(ctx, &d, "DeclaratiePeriode");
    let dated = d.date(ctx, "DeclaratieDagtekening").unwrap_or_default();
    let total_cents = amount(
        ctx,
        &d,
        "TotaalIngediendBedrag",
        "TotaalBedrag",
        999_999_999_999,
    );
    let mut clients = Vec::new();
    if let Some((node, path)) = d.get("Clienten") {
        let list = ctx.seq(node, &path, &[many("Client", m)]);
        for (node, path) in list.all("Client") {
            let c = ctx.seq(node, &path, &[one("Bsn", m), one("Prestaties", m)]);
            let bsn = c.bsn(ctx, "Bsn").unwrap_or_default();
            let mut prestaties = Vec::new();
            if let Some((node, path)) = c.get("Prestaties") {
                let list = ctx.seq(node, &path, &[many("Prestatie", m)]);
                for (node, path) in list.all("Prestatie") {
                    prestaties.push(read_prestatie(ctx, node, &path, b));
                }
            }
            clients.push(DeclaredClient { bsn, prestaties });
        }
    }
    Declaration323 {
        number,
        period,
        dated,
        total_cents,
        clients,
    }
}

fn read_prestatie(ctx: &mut Ctx, node: &Node<'_>, path: &str, b: In) -> Prestatie {
    let m = In::Msg;
    let p = ctx.seq(
        node,
        path,
        &[
            one("ProductReferentie", m),
            one("ToewijzingNummer", m),
            one("ProductCategorie", m),
            one("ProductCode", m),
            one("ProductPeriode", m),
            one("GeleverdVolume", m),
            one("Eenheid", m),
            opt("ProductTarief", m),
            one("IngediendBedrag", m),
        ],
    );
    let (mut reference, mut previous_reference) = (String::new(), None);
    if let Some((node, path)) = p.get("ProductReferentie") {
        let r = ctx.seq(
            node,
            &path,
            &[one("ReferentieNummer", b), opt("VorigReferentieNummer", b)],
        );
        reference = r.string(ctx, "ReferentieNummer", 20).unwrap_or_default();
        previous_reference = r.string(ctx, "VorigReferentieNummer", 20);
    }
    let units: Vec<&str> = codes::UNITS.iter().map(|(c, _)| *c).collect();
    let signed = amount(ctx, &p, "IngediendBedrag", "Bedrag", 99_999_999);
    Prestatie {
        reference,
        previous_reference,
        allocation_number: p
            .int(ctx, "ToewijzingNummer", 999_999_999)
            .unwrap_or_default(),
        category: p.category(ctx, "ProductCategorie").unwrap_or_default(),
        code: p.string(ctx, "ProductCode", 5),
        period: period(ctx, &p, "ProductPeriode"),
        volume: p.int(ctx, "GeleverdVolume", 99_999_999).unwrap_or_default(),
        unit: p.code(ctx, "Eenheid", &units, "WJ756").unwrap_or_default(),
        tariff_cents: p.int(ctx, "ProductTarief", 99_999_999),
        amount_cents: signed.abs(),
        credit: signed < 0,
    }
}

/// A CDT_GeslotenPeriode.
fn period(ctx: &mut Ctx, kids: &Kids<'_>, name: &str) -> (NaiveDate, NaiveDate) {
    let Some((node, path)) = kids.get(name) else {
        return Default::default();
    };
    let b = In::Base;
    let p = ctx.seq(node, &path, &[one("Begindatum", b), one("Einddatum", b)]);
    (
        p.date(ctx, "Begindatum").unwrap_or_default(),
        p.date(ctx, "Einddatum").unwrap_or_default(),
    )
}

/// An amount with DebetCredit, returned signed (C negative).
fn amount(ctx: &mut Ctx, kids: &Kids<'_>, name: &str, inner: &'static str, max: i64) -> i64 {
    let Some((node, path)) = kids.get(name) else {
        return 0;
    };
    let b = In::Base;
    let a = ctx.seq(node, &path, &[one(inner, b), one("DebetCredit", b)]);
    let cents = a.int(ctx, inner, max).unwrap_or_default();
    match a
        .code(ctx, "DebetCredit", codes::DEBIT_CREDIT, "COD043")
        .as_deref()
    {
        Some("C") => -cents,
        _ => cents,
    }
}

fn fault(path: impl Into<String>, message: impl Into<String>) -> Fault {
    Fault {
        path: path.into(),
        message: message.into(),
    }
}

/// Level 2 of the standard: message-content rules of a 323 (xslt level, return code 0001): TR358, CS340, CD087, TR315, TR416, TR316, TR137; empty = fine.
///
/// Each fault's message starts with the rule code.
pub fn content_faults(d: &Declaration323) -> Vec<Fault> {
    let mut faults = Vec::new();

    // TR358: the total equals the sum of the amounts, debit minus credit.
    let sum: i64 = d
        .clients
        .iter()
        .flat_map(|c| &c.prestaties)
        .map(Prestatie::signed_cents)
        .sum();
    if sum != d.total_cents {
        faults.push(fault(
            "Declaratie/TotaalIngediendBedrag",
            format!(
                "TR358: TotaalIngediendBedrag is {} but the prestaties add up to {sum} (debit minus credit)",
                d.total_cents
            ),
        ));
    }

    // CS340: the declaration period is exactly one calendar month.
    let (begin, end) = d.period;
    if begin.day() != 1 || end != last_of_month(begin) {
        faults.push(fault(
            "Declaratie/DeclaratiePeriode",
            format!("CS340: DeclaratiePeriode {begin} – {end} is not exactly one calendar month"),
        ));
    }

    // TR137: Einddatum of a period is on or after its Begindatum and not after the DeclaratieDagtekening.
    let mut period_rule = |path: String, (b, e): (NaiveDate, NaiveDate)| {
        if e < b || e > d.dated {
            faults.push(fault(
                path,
                format!("TR137: Einddatum {e} must be on or after Begindatum {b} and not after the DeclaratieDagtekening {}", d.dated),
            ));
        }
    };
    period_rule("Declaratie/DeclaratiePeriode/Einddatum".into(), d.period);
    for (ci, c) in d.clients.iter().enumerate() {
        for (pi, p) in c.prestaties.iter().enumerate() {
            period_rule(
                format!("{}/ProductPeriode/Einddatum", prestatie_path(ci, pi)),
                p.period,
            );
        }
    }

    let mut previous: HashSet<&str> = HashSet::new();
    let mut debits: HashSet<DebitKey<'_>> = HashSet::new();
    let debit_refs: HashSet<&str> = d
        .clients
        .iter()
        .flat_map(|c| &c.prestaties)
        .filter(|p| !p.credit)
        .map(|p| p.reference.as_str())
        .collect();
    for (ci, c) in d.clients.iter().enumerate() {
        for (pi, p) in c.prestaties.iter().enumerate() {
            let path = prestatie_path(ci, pi);
            // CD087: ProductTarief is required unless the unit is Euro's (83).
            if p.tariff_cents.is_none() && p.unit != codes::UNIT_EUROS {
                faults.push(fault(
                    format!("{path}/ProductTarief"),
                    format!(
                        "CD087: ProductTarief is required when Eenheid is {} (not 83)",
                        p.unit
                    ),
                ));
            }
            // TR315: VorigReferentieNummer is unique in the message.
            if let Some(prev) = &p.previous_reference {
                if !previous.insert(prev) {
                    faults.push(fault(
                        format!("{path}/ProductReferentie/VorigReferentieNummer"),
                        format!("TR315: VorigReferentieNummer {prev} occurs more than once in the message"),
                    ));
                }
            }
            if p.credit {
                // TR316: a debit in this message may not be credited in it
                // too; the credit names its debit by VorigReferentieNummer.
                if let Some(previous) = p
                    .previous_reference
                    .as_deref()
                    .filter(|r| debit_refs.contains(r))
                {
                    faults.push(fault(
                        format!("{path}/ProductReferentie/VorigReferentieNummer"),
                        format!(
                            "TR316: credit of debit prestatie {previous} that is in the same message"
                        ),
                    ));
                }
            } else {
                // TR416: one debit per allocation, product and period in a message.
                let key = (
                    p.allocation_number,
                    p.category.as_str(),
                    p.code.as_deref(),
                    p.period,
                );
                if !debits.insert(key) {
                    faults.push(fault(
                        path,
                        format!(
                            "TR416: a debit prestatie for ToewijzingNummer {}, product {}/{} and period {} – {} is already in the message",
                            p.allocation_number,
                            p.category,
                            p.code.as_deref().unwrap_or(""),
                            p.period.0,
                            p.period.1
                        ),
                    ));
                }
            }
        }
    }
    faults
}

/// TR416's key: ToewijzingNummer, ProductCategorie, ProductCode, ProductPeriode.
type DebitKey<'a> = (i64, &'a str, Option<&'a str>, (NaiveDate, NaiveDate));

fn last_of_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|n| n.pred_opt())
        .unwrap_or(d)
}
