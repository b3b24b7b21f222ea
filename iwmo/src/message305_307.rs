//! 305 (start of care) and 307 (stop of care), sent by the provider.

use chrono::NaiveDate;

use crate::client::{read_person, Person};
use crate::codes;
use crate::message301::read_product_code;
use crate::reader::{many, one, opt, Ctx, In, Kids, Node};

/// A parsed 305.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start305 {
    /// The client.
    pub client: Person,
    /// StartProducten.
    pub products: Vec<StartedProduct>,
}

/// One StartProduct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedProduct {
    /// ToewijzingNummer (optional in the XSD; required here, see TR019).
    pub number: i64,
    /// Product/Categorie; empty when the message carries no Product.
    pub category: String,
    /// Product/Code.
    pub code: Option<String>,
    /// ToewijzingIngangsdatum (optional in the XSD; required here).
    pub allocation_start: NaiveDate,
    /// Begindatum.
    pub start: NaiveDate,
    /// StatusAanlevering: 1 new, 2 correction, 3 removal, 9 other.
    pub status: String,
}

/// A parsed 307.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop307 {
    /// The client.
    pub client: Person,
    /// StopProducten.
    pub products: Vec<StoppedProduct>,
}

/// One StopProduct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoppedProduct {
    /// ToewijzingNummer (optional in the XSD; required here, see TR019).
    pub number: i64,
    /// Product/Categorie; empty when the message carries no Product.
    pub category: String,
    /// Product/Code.
    pub code: Option<String>,
    /// ToewijzingIngangsdatum (optional in the XSD; required here).
    pub allocation_start: NaiveDate,
    /// Begindatum (required by the XSD, so always Some after parse).
    pub start: Option<NaiveDate>,
    /// Einddatum.
    pub end: NaiveDate,
    /// RedenBeeindiging (required by the XSD, so always Some after parse).
    pub reason: Option<String>,
    /// StatusAanlevering: 1 new, 2 correction, 3 removal, 9 other.
    pub status: String,
}

/// The client part both messages share, and its product list.
fn read_client<'a>(
    ctx: &mut Ctx,
    node: &'a Node<'a>,
    path: &str,
    list: &'static str,
    item: &'static str,
) -> (Person, Vec<(&'a Node<'a>, String)>) {
    let m = In::Msg;
    let kids = ctx.seq(
        node,
        path,
        &[
            one("Bsn", m),
            one("Geboortedatum", m),
            one("Geslacht", m),
            one("Naam", m),
            one(list, m),
        ],
    );
    let person = read_person(ctx, &kids, false);
    let items = match kids.get(list) {
        Some((node, path)) => ctx.seq(node, &path, &[many(item, m)]).all(item),
        None => Vec::new(),
    };
    (person, items)
}

/// ToewijzingNummer and ToewijzingIngangsdatum: optional in the XSD for
/// inspanningsgericht work; this crate links start/stop to an allocation, so
/// it requires them.
fn allocation_key(ctx: &mut Ctx, p: &Kids<'_>) -> (i64, NaiveDate) {
    for name in ["ToewijzingNummer", "ToewijzingIngangsdatum"] {
        if p.get(name).is_none() {
            ctx.faults.push(
                &p.path(name),
                format!("{name} is required to link to the allocation (TR019)"),
            );
        }
    }
    (
        p.int(ctx, "ToewijzingNummer", 999_999_999)
            .unwrap_or_default(),
        p.date(ctx, "ToewijzingIngangsdatum").unwrap_or_default(),
    )
}

fn status(ctx: &mut Ctx, p: &Kids<'_>) -> String {
    p.code(
        ctx,
        "StatusAanlevering",
        codes::DELIVERY_STATUSES,
        "StatusAanlevering",
    )
    .unwrap_or_default()
}

pub(crate) fn read_305(ctx: &mut Ctx, node: &Node<'_>, path: &str) -> Start305 {
    let m = In::Msg;
    let (client, items) = read_client(ctx, node, path, "StartProducten", "StartProduct");
    let products = items
        .into_iter()
        .map(|(node, path)| {
            let p = ctx.seq(
                node,
                &path,
                &[
                    opt("ToewijzingNummer", m),
                    opt("Product", m),
                    opt("ToewijzingIngangsdatum", m),
                    one("Begindatum", m),
                    one("StatusAanlevering", m),
                ],
            );
            let (number, allocation_start) = allocation_key(ctx, &p);
            let (category, code) = read_product_code(ctx, &p, "Product");
            StartedProduct {
                number,
                category: category.unwrap_or_default(),
                code,
                allocation_start,
                start: p.date(ctx, "Begindatum").unwrap_or_default(),
                status: status(ctx, &p),
            }
        })
        .collect();
    Start305 { client, products }
}

pub(crate) fn read_307(ctx: &mut Ctx, node: &Node<'_>, path: &str) -> Stop307 {
    let m = In::Msg;
    let (client, items) = read_client(ctx, node, path, "StopProducten", "StopProduct");
    let law = ctx.law;
    let products = items
        .into_iter()
        .map(|(node, path)| {
            let p = ctx.seq(
                node,
                &path,
                &[
                    opt("ToewijzingNummer", m),
                    opt("Product", m),
                    opt("ToewijzingIngangsdatum", m),
                    one("Begindatum", m),
                    one("RedenBeeindiging", m),
                    one("Einddatum", m),
                    one("StatusAanlevering", m),
                ],
            );
            let (number, allocation_start) = allocation_key(ctx, &p);
            let (category, code) = read_product_code(ctx, &p, "Product");
            StoppedProduct {
                number,
                category: category.unwrap_or_default(),
                code,
                allocation_start,
                start: p.date(ctx, "Begindatum"),
                reason: p.code(
                    ctx,
                    "RedenBeeindiging",
                    codes::stop_reasons(law),
                    "RedenBeeindiging",
                ),
                end: p.date(ctx, "Einddatum").unwrap_or_default(),
                status: status(ctx, &p),
            }
        })
        .collect();
    Stop307 { client, products }
}
