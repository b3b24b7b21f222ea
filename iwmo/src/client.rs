//! The client's identity and contact data as the 301/305/307 carry them.

use chrono::NaiveDate;

use crate::codes;
use crate::reader::{one, opt, Ctx, In, Kids};
use crate::writer::{date, Writer};

/// The client's identity as a 301/305/307 carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Bsn (9 digits, eleven-test).
    pub bsn: String,
    /// Geboortedatum/Datum.
    pub birth_date: NaiveDate,
    /// Geboortedatum/DatumGebruik: which part of the date is known (1, 2, 3); None = all.
    pub birth_date_usage: Option<String>,
    /// Geslacht code (0, 1, 2).
    pub gender: String,
    /// Naam/Geslachtsnaam/Achternaam.
    pub last_name: String,
    /// Naam/Geslachtsnaam/Voorvoegsel.
    pub prefix: Option<String>,
    /// Naam/Partnernaam/Achternaam (301 only).
    pub partner_last_name: Option<String>,
    /// Naam/Partnernaam/Voorvoegsel (301 only).
    pub partner_prefix: Option<String>,
    /// Naam/Voornamen.
    pub first_names: Option<String>,
    /// Naam/Voorletters (letters only, max 6).
    pub initials: Option<String>,
    /// Naam/NaamGebruik (required in a 301, absent in 305/307); write_301 writes "1" when None.
    pub name_usage: Option<String>,
}

/// A Contact of the 301 client (Contactgegevens); Telefoon and Periode are not modelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Soort (LDT_AdresSoort: 01 BRP, 02 correspondentie, 03 verblijf, 04 tijdelijk).
    pub kind: String,
    /// Adres.
    pub address: Option<Address>,
    /// Organisatie.
    pub organisation: Option<String>,
    /// Emailadres.
    pub email: Option<String>,
}

/// An Adres (CDT_Adres); the Huis parts are written only when house_number is set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    /// Huis/Huisnummer.
    pub house_number: Option<i64>,
    /// Huis/Huisletter.
    pub house_letter: Option<String>,
    /// Huis/HuisnummerToevoeging.
    pub house_addition: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Straatnaam.
    pub street: Option<String>,
    /// Plaatsnaam.
    pub city: Option<String>,
    /// LandCode (ISO 3166 alpha-2).
    pub country: Option<String>,
}

/// Reads the Person out of a Client's children (Bsn, Geboortedatum, Geslacht, Naam).
pub fn read_person(ctx: &mut Ctx, kids: &Kids<'_>, full_name: bool) -> Person {
    let b = In::Base;
    let bsn = kids.bsn(ctx, "Bsn").unwrap_or_default();
    let (mut birth_date, mut birth_date_usage) = (NaiveDate::default(), None);
    if let Some((node, path)) = kids.get("Geboortedatum") {
        let g = ctx.seq(node, &path, &[one("Datum", b), opt("DatumGebruik", b)]);
        birth_date = g.date(ctx, "Datum").unwrap_or_default();
        birth_date_usage = g.code(ctx, "DatumGebruik", codes::DATE_USAGES, "DatumGebruik");
    }
    let gender = kids
        .code(ctx, "Geslacht", codes::GENDERS, "Geslacht")
        .unwrap_or_default();
    let mut person = Person {
        bsn,
        birth_date,
        birth_date_usage,
        gender,
        last_name: String::new(),
        prefix: None,
        partner_last_name: None,
        partner_prefix: None,
        first_names: None,
        initials: None,
        name_usage: None,
    };
    let Some((node, path)) = kids.get("Naam") else {
        return person;
    };
    let seq: &[_] = if full_name {
        &[
            one("Geslachtsnaam", b),
            opt("Partnernaam", b),
            opt("Voornamen", b),
            opt("Voorletters", b),
            one("NaamGebruik", b),
        ]
    } else {
        &[
            one("Geslachtsnaam", b),
            opt("Voornamen", b),
            opt("Voorletters", b),
        ]
    };
    let n = ctx.seq(node, &path, seq);
    if let Some((last, prefix)) = surname(ctx, &n, "Geslachtsnaam") {
        person.last_name = last;
        person.prefix = prefix;
    }
    if let Some((last, prefix)) = surname(ctx, &n, "Partnernaam") {
        person.partner_last_name = Some(last);
        person.partner_prefix = prefix;
    }
    person.first_names = n.string(ctx, "Voornamen", 200);
    person.initials = n.string(ctx, "Voorletters", 6);
    if let Some(i) = &person.initials {
        if !i.chars().all(char::is_alphabetic) {
            ctx.faults.push(
                &n.path("Voorletters"),
                "Voorletters may contain letters only",
            );
        }
    }
    person.name_usage = n.code(ctx, "NaamGebruik", codes::NAME_USAGES, "NaamGebruik");
    person
}

/// A CDT_Achternaam: Achternaam (max 200) and Voorvoegsel (max 10).
fn surname(ctx: &mut Ctx, kids: &Kids<'_>, name: &str) -> Option<(String, Option<String>)> {
    let (node, path) = kids.get(name)?;
    let b = In::Base;
    let s = ctx.seq(node, &path, &[one("Achternaam", b), opt("Voorvoegsel", b)]);
    Some((
        s.string(ctx, "Achternaam", 200).unwrap_or_default(),
        s.string(ctx, "Voorvoegsel", 10),
    ))
}

/// Reads Contactgegevens/Contact[n].
pub fn read_contacts(ctx: &mut Ctx, kids: &Kids<'_>) -> Vec<Contact> {
    let Some((node, path)) = kids.get("Contactgegevens") else {
        return Vec::new();
    };
    let list = ctx.seq(node, &path, &[crate::reader::many("Contact", In::Msg)]);
    list.all("Contact")
        .into_iter()
        .map(|(node, path)| read_contact(ctx, node, &path))
        .collect()
}

fn read_contact(ctx: &mut Ctx, node: &crate::reader::Node<'_>, path: &str) -> Contact {
    let (m, b) = (In::Msg, In::Base);
    let c = ctx.seq(
        node,
        path,
        &[
            one("Soort", m),
            opt("Adres", m),
            opt("Organisatie", m),
            crate::reader::skip("Telefoon", m),
            opt("Emailadres", m),
            crate::reader::skip("Periode", m),
        ],
    );
    let kind = c
        .code(ctx, "Soort", codes::ADDRESS_KINDS, "AdresSoort")
        .unwrap_or_default();
    let address = c.get("Adres").map(|(node, path)| {
        let a = ctx.seq(
            node,
            &path,
            &[
                opt("Huis", b),
                opt("Postcode", b),
                opt("Straatnaam", b),
                opt("Plaatsnaam", b),
                opt("LandCode", b),
            ],
        );
        let mut address = Address::default();
        if let Some((node, path)) = a.get("Huis") {
            let h = ctx.seq(
                node,
                &path,
                &[
                    one("Huisnummer", b),
                    opt("Huisletter", b),
                    opt("HuisnummerToevoeging", b),
                    crate::reader::skip("AanduidingWoonadres", b),
                ],
            );
            address.house_number = h.int(ctx, "Huisnummer", 99_999);
            address.house_letter = h.string(ctx, "Huisletter", 1);
            address.house_addition = h.string(ctx, "HuisnummerToevoeging", 4);
        }
        address.postcode = a.string(ctx, "Postcode", 8);
        address.street = a.string(ctx, "Straatnaam", 24);
        address.city = a.string(ctx, "Plaatsnaam", 80);
        address.country = a.string(ctx, "LandCode", 2);
        address
    });
    Contact {
        kind,
        address,
        organisation: c.string(ctx, "Organisatie", 35),
        email: c.string(ctx, "Emailadres", 80),
    }
}

/// Writes Bsn, Geboortedatum, Geslacht and Naam (full name when `full_name`).
pub fn write_person(w: &mut Writer, p: &Person, full_name: bool) {
    w.leaf("Bsn", &p.bsn);
    w.open("Geboortedatum");
    w.base_leaf("Datum", &date(p.birth_date));
    w.opt_base_leaf("DatumGebruik", p.birth_date_usage.as_deref());
    w.close("Geboortedatum");
    w.leaf("Geslacht", &p.gender);
    w.open("Naam");
    w.open_in(true, "Geslachtsnaam");
    w.base_leaf("Achternaam", &p.last_name);
    w.opt_base_leaf("Voorvoegsel", p.prefix.as_deref());
    w.close_in(true, "Geslachtsnaam");
    if full_name {
        if let Some(last) = &p.partner_last_name {
            w.open_in(true, "Partnernaam");
            w.base_leaf("Achternaam", last);
            w.opt_base_leaf("Voorvoegsel", p.partner_prefix.as_deref());
            w.close_in(true, "Partnernaam");
        }
    }
    w.opt_base_leaf("Voornamen", p.first_names.as_deref());
    w.opt_base_leaf("Voorletters", p.initials.as_deref());
    if full_name {
        w.base_leaf("NaamGebruik", p.name_usage.as_deref().unwrap_or("1"));
    }
    w.close("Naam");
}

/// Writes Contactgegevens.
pub fn write_contacts(w: &mut Writer, contacts: &[Contact]) {
    w.open("Contactgegevens");
    for c in contacts {
        w.open("Contact");
        w.leaf("Soort", &c.kind);
        if let Some(a) = &c.address {
            w.open("Adres");
            if let Some(n) = a.house_number {
                w.open_in(true, "Huis");
                w.base_leaf("Huisnummer", &n.to_string());
                w.opt_base_leaf("Huisletter", a.house_letter.as_deref());
                w.opt_base_leaf("HuisnummerToevoeging", a.house_addition.as_deref());
                w.close_in(true, "Huis");
            }
            w.opt_base_leaf("Postcode", a.postcode.as_deref());
            w.opt_base_leaf("Straatnaam", a.street.as_deref());
            w.opt_base_leaf("Plaatsnaam", a.city.as_deref());
            w.opt_base_leaf("LandCode", a.country.as_deref());
            w.close("Adres");
        }
        w.opt_leaf("Organisatie", c.organisation.as_deref());
        w.opt_leaf("Emailadres", c.email.as_deref());
        w.close("Contact");
    }
    w.close("Contactgegevens");
}
