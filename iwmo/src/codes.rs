//! Code lists of iWmo 3.2 / iJw 3.2, limited to the codes this crate checks.
//! Values follow the enumerations in the basisschema XSDs (which the code
//! list documents agree with).

use crate::Law;

/// WJ756 Eenheid: unit code and its meaning.
pub const UNITS: &[(&str, &str)] = &[
    ("01", "Minuut"),
    ("04", "Uur"),
    ("14", "Etmaal"),
    ("16", "Dagdeel (4 uur)"),
    ("82", "Stuks (output)"),
    ("83", "Euro's"),
    ("84", "Stuks (inspanning)"),
];

/// WJ756 code for "Euro's": the unit for which ProductTarief stays empty.
pub const UNIT_EUROS: &str = "83";

/// WMO757 Frequentie: frequency code and its meaning.
pub const FREQUENCIES: &[(&str, &str)] = &[
    ("1", "Per dag"),
    ("2", "Per week"),
    ("4", "Per maand"),
    ("6", "Totaal binnen geldigheidsduur toewijzing"),
];

/// WMO020 Productcategorie (Wmo).
pub const WMO_CATEGORIES: &[&str] = &[
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16",
    "17", "18",
];

/// JZ020 Productcategorie (Jeugdwet).
pub const JW_CATEGORIES: &[&str] = &[
    "31", "32", "33", "34", "35", "36", "37", "38", "40", "41", "42", "43", "44", "45", "46", "47",
    "48", "49", "50", "51", "52", "53", "54", "55",
];

/// WMO002 RedenWijziging; "13" means the allocation was removed.
pub const CHANGE_REASONS: &[&str] = &[
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14",
];

/// RedenBeeindiging (307) for Wmo.
pub const WMO_STOP_REASONS: &[&str] = &[
    "02", "19", "20", "21", "22", "23", "31", "36", "37", "38", "39",
];

/// RedenBeeindiging (307) for Jeugdwet.
pub const JW_STOP_REASONS: &[&str] = &[
    "02", "20", "31", "32", "33", "34", "35", "36", "37", "38", "39",
];

/// Geslacht per basisschema (0 onbekend, 1 man, 2 vrouw; the XSD has no 9).
pub const GENDERS: &[&str] = &["0", "1", "2"];

/// DatumGebruik (which part of a birth date is known).
pub const DATE_USAGES: &[&str] = &["1", "2", "3"];

/// NaamGebruik.
pub const NAME_USAGES: &[&str] = &["1", "2", "3", "4", "5", "6"];

/// StatusAanlevering (305/307).
pub const DELIVERY_STATUSES: &[&str] = &["1", "2", "3", "9"];

/// Soort of a Contact (LDT_AdresSoort).
pub const ADDRESS_KINDS: &[&str] = &["01", "02", "03", "04"];

/// COD043 DebetCredit.
pub const DEBIT_CREDIT: &[&str] = &["D", "C"];

/// WJ001 Retourcode as the 3.2 basisschema enumerates it (both laws).
pub const RETURN_CODES: &[&str] = &[
    "0001", "0200", "0233", "0611", "8001", "8017", "8021", "8187", "8214", "8848", "9019", "9056",
    "9063", "9069", "9071", "9074", "9307", "9308", "9319", "9321", "9322", "9326", "9332", "9333",
    "9338", "9339", "9340", "9341", "9346", "9347", "9349", "9350", "9351", "9355", "9357", "9359",
    "9360", "9361", "9365", "9366", "9367", "9369", "9373", "9374", "9375", "9379", "9384", "9385",
    "9387", "9388", "9389", "9390", "9411", "9412", "9413", "9414", "9415", "S300", "S329",
];

/// The meaning of a WJ756 unit code, if it is one.
pub fn unit_meaning(code: &str) -> Option<&'static str> {
    UNITS.iter().find(|(c, _)| *c == code).map(|(_, m)| *m)
}

/// Whether `code` is a WJ756 unit.
pub fn is_unit(code: &str) -> bool {
    unit_meaning(code).is_some()
}

/// Whether `code` is a WMO757 frequency.
pub fn is_frequency(code: &str) -> bool {
    FREQUENCIES.iter().any(|(c, _)| *c == code)
}

/// The product categories of a law (WMO020 resp. JZ020).
pub fn categories(law: Law) -> &'static [&'static str] {
    match law {
        Law::Wmo => WMO_CATEGORIES,
        Law::Jw => JW_CATEGORIES,
    }
}

/// The RedenBeeindiging codes of a law.
pub fn stop_reasons(law: Law) -> &'static [&'static str] {
    match law {
        Law::Wmo => WMO_STOP_REASONS,
        Law::Jw => JW_STOP_REASONS,
    }
}

/// Whether `code` is a WJ001 return code the 325 XSD accepts.
pub fn is_return_code(code: &str) -> bool {
    RETURN_CODES.contains(&code)
}
