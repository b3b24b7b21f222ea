//! 325: the municipality's answer to a declaration (rules/IV087, TR342).

use chrono::NaiveDate;

use crate::message323::{Declaration323, Prestatie};
use crate::writer::{date, Writer};
use crate::{Header, Law};

/// Version of the XSLTs (level-2 checks) written into XsltVersie.
pub const XSLT_VERSION: &str = "1.0.0";

/// The 325 answer to a 323.
#[derive(Debug, Clone)]
pub struct Answer325<'a> {
    /// Wmo or Jeugdwet.
    pub law: Law,
    /// Afzender: gemeente code, the 323's Ontvanger.
    pub sender: String,
    /// Ontvanger: AGB code, the 323's Afzender.
    pub receiver: String,
    /// BerichtIdentificatie/Identificatie of this 325.
    pub message_id: String,
    /// BerichtIdentificatie/Dagtekening of this 325.
    pub dated: NaiveDate,
    /// The 323's header: its Identificatie+Dagtekening go in DeclaratieIdentificatie, its XsdVersie in XsdVersieDeclaratie.
    pub request: &'a Header,
    /// What the answer says.
    pub body: AnswerBody<'a>,
}

/// The content of a 325.
#[derive(Debug, Clone)]
pub enum AnswerBody<'a> {
    /// Level-2 rejection: header RetourCode 0001 and no DeclaratieAntwoord (the XSD makes it optional).
    Rejected,
    /// Level 3/4 rejection of the Declaratie itself (e.g. 9333): header 0200, DeclaratieAntwoord with these codes, TotaalToegekendBedrag 0, no Clienten.
    DeclarationRejected {
        /// The declaration answered.
        declaration: &'a Declaration323,
        /// The codes for the Declaratie, e.g. "9333".
        codes: Vec<String>,
    },
    /// The declaration was assessed per client and prestatie.
    Assessed {
        /// The declaration answered.
        declaration: &'a Declaration323,
        /// Per client (same order as declaration.clients), per prestatie: the return codes; empty = approved.
        prestatie_codes: Vec<Vec<Vec<String>>>,
        /// Per client: client-level codes (e.g. "8187"); empty = none.
        client_codes: Vec<Vec<String>>,
        /// The approved total, signed; when everything is approved IV087 fills in the declared total instead.
        approved_total_cents: i64,
    },
}

const NO_REMARKS: &str = "0200";
const NOT_ASSESSED: &str = "0233";
const FULLY_APPROVED: &str = "8001";
const TECHNICAL_REJECTION: &str = "0001";

/// Writes the 325; byte-stable, valid against WMO325.xsd / JW325.xsd when the codes are WJ001 codes.
pub fn write_325(a: &Answer325<'_>) -> String {
    let mut w = Writer::new(a.law, 325);
    w.header_start(a.law, 325, &a.sender, &a.receiver, &a.message_id, a.dated);
    w.identification_of("DeclaratieIdentificatie", a.request);
    w.leaf("XsltVersie", XSLT_VERSION);
    w.xsd_version("XsdVersieDeclaratie", &a.request.xsd_version);
    let header_code = match a.body {
        AnswerBody::Rejected => TECHNICAL_REJECTION,
        _ => NO_REMARKS,
    };
    return_codes(&mut w, &[header_code]);
    w.close("Header");
    match &a.body {
        AnswerBody::Rejected => {}
        AnswerBody::DeclarationRejected { declaration, codes } => {
            antwoord_start(&mut w, declaration, 0);
            return_codes(&mut w, codes);
            w.close("DeclaratieAntwoord");
        }
        AnswerBody::Assessed {
            declaration,
            prestatie_codes,
            client_codes,
            approved_total_cents,
        } => {
            let codes_of = |ci: usize, pi: usize| -> &[String] {
                prestatie_codes
                    .get(ci)
                    .and_then(|c| c.get(pi))
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
            };
            let client_codes_of =
                |ci: usize| -> &[String] { client_codes.get(ci).map(Vec::as_slice).unwrap_or(&[]) };
            // A client is listed when it has codes itself or a rejected prestatie.
            let listed: Vec<usize> = (0..declaration.clients.len())
                .filter(|&ci| {
                    !client_codes_of(ci).is_empty()
                        || (0..declaration.clients[ci].prestaties.len())
                            .any(|pi| !codes_of(ci, pi).is_empty())
                })
                .collect();
            if listed.is_empty() {
                // IV087: fully approved, the approved total is the declared total.
                antwoord_start(&mut w, declaration, declaration.total_cents);
                return_codes(&mut w, &[FULLY_APPROVED]);
            } else {
                antwoord_start(&mut w, declaration, *approved_total_cents);
                w.open("Clienten");
                for ci in listed {
                    let client = &declaration.clients[ci];
                    let own = client_codes_of(ci);
                    w.open("Client");
                    w.leaf("Bsn", &client.bsn);
                    w.open("Prestaties");
                    for (pi, p) in client.prestaties.iter().enumerate() {
                        if !own.is_empty() {
                            // The client was not assessed: every prestatie gets 0233.
                            write_prestatie(&mut w, p, &[NOT_ASSESSED]);
                        } else if !codes_of(ci, pi).is_empty() {
                            write_prestatie(&mut w, p, codes_of(ci, pi));
                        }
                    }
                    w.close("Prestaties");
                    if own.is_empty() {
                        return_codes(&mut w, &[NO_REMARKS]);
                    } else {
                        return_codes(&mut w, own);
                    }
                    w.close("Client");
                }
                w.close("Clienten");
                return_codes(&mut w, &[NO_REMARKS]);
            }
            w.close("DeclaratieAntwoord");
        }
    }
    w.finish()
}

/// DeclaratieAntwoord up to TotaalToegekendBedrag.
fn antwoord_start(w: &mut Writer, d: &Declaration323, approved_cents: i64) {
    w.open("DeclaratieAntwoord");
    w.leaf("DeclaratieNummer", &d.number);
    total(w, "TotaalIngediendBedrag", d.total_cents);
    total(w, "TotaalToegekendBedrag", approved_cents);
}

/// A CDT_TotaalBedragMetDC: the amount unsigned, D for zero and up, C below.
fn total(w: &mut Writer, name: &str, cents: i64) {
    w.open(name);
    w.base_leaf("TotaalBedrag", &cents.unsigned_abs().to_string());
    w.base_leaf("DebetCredit", if cents < 0 { "C" } else { "D" });
    w.close(name);
}

fn return_codes<S: AsRef<str>>(w: &mut Writer, codes: &[S]) {
    w.open("RetourCodes");
    for c in codes {
        w.leaf("RetourCode", c.as_ref());
    }
    w.close("RetourCodes");
}

/// A prestatie as declared (TR367: values equal the 323's), with its codes.
fn write_prestatie<S: AsRef<str>>(w: &mut Writer, p: &Prestatie, codes: &[S]) {
    w.open("Prestatie");
    w.open("ProductReferentie");
    w.base_leaf("ReferentieNummer", &p.reference);
    w.opt_base_leaf("VorigReferentieNummer", p.previous_reference.as_deref());
    w.close("ProductReferentie");
    w.leaf("ToewijzingNummer", &p.allocation_number.to_string());
    w.leaf("ProductCategorie", &p.category);
    w.opt_leaf("ProductCode", p.code.as_deref());
    w.open("ProductPeriode");
    w.base_leaf("Begindatum", &date(p.period.0));
    w.base_leaf("Einddatum", &date(p.period.1));
    w.close("ProductPeriode");
    w.leaf("GeleverdVolume", &p.volume.to_string());
    w.leaf("Eenheid", &p.unit);
    w.opt_leaf(
        "ProductTarief",
        p.tariff_cents.map(|t| t.to_string()).as_deref(),
    );
    w.open("IngediendBedrag");
    w.base_leaf("Bedrag", &p.amount_cents.to_string());
    w.base_leaf("DebetCredit", if p.credit { "C" } else { "D" });
    w.close("IngediendBedrag");
    return_codes(w, codes);
    w.close("Prestatie");
}
