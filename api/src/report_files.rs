//! A monitoring report's downloads. Programs get the API's field names in
//! plain CSV files (`format=csv`, a zip). People get the tables as the
//! office prints them: Dutch headers, euros and percentages formatted, and
//! "n.v.t." where a share does not apply. That is an XLSX workbook
//! (`format=xlsx`; Table 1 in seed 002's own layout, a frozen header row,
//! column widths) or CSV files Dutch Excel opens as-is (`format=csv-excel`:
//! `;`, decimal comma, UTF-8 byte-order mark).

use std::io::Write;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::csv::Csv;

/// How a column's cells are shown to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Count,
    /// A decimal shown as it is (a median of days may end in .5).
    Number,
    Euro,
    /// A percentage (`"32.46"` in the JSON); "n.v.t." when null.
    Percent,
    /// `wmo` / `jeugdwet`, shown as the law's name.
    Law,
    /// A day (`2025-12-31` in the JSON), shown as `31-12-2025`.
    Date,
    /// A code of the API (`contract-ending`, `succeeded`), shown in Dutch.
    Label,
}

use Kind::{Count, Date, Euro, Label, Law, Number, Percent, Text};

/// A table of the report: its key in the JSON, its names, its columns
/// (JSON key, Dutch header, kind) in the order people read them.
/// The dashboard's pages show their tables through the same definitions.
pub struct Sheet {
    pub key: &'static str,
    /// The file name of the plain CSV (and the API's name for the table).
    pub file: &'static str,
    /// The sheet's name for people.
    pub title: &'static str,
    pub columns: &'static [(&'static str, &'static str, Kind)],
}

pub const SHEETS: &[Sheet] = &[
    Sheet {
        key: "productGroups",
        file: "product-groups",
        title: "Tabel 1",
        columns: &[
            ("law", "Wet", Law),
            ("productGroup", "Perceel", Text),
            ("approvedAmount", "Goedgekeurd bedrag", Euro),
            ("contractedProviders", "Ingeschreven aanbieders", Count),
            ("clients", "Aantal cliënten", Count),
            ("top3Share", "Aandeel top-3", Percent),
            ("top10Share", "Aandeel top-10", Percent),
        ],
    },
    Sheet {
        key: "municipalities",
        file: "municipalities",
        title: "Gemeenten",
        columns: &[
            ("cbsCode", "CBS-code", Text),
            ("municipality", "Gemeente", Text),
            ("spend", "Uitgaven", Euro),
            ("inhabitants", "Inwoners", Count),
            ("spendPerInhabitant", "Uitgaven per inwoner", Euro),
            ("wmoSpend", "Uitgaven Wmo", Euro),
            ("wmoFramework", "Budgetkader Wmo", Euro),
            ("jeugdwetSpend", "Uitgaven Jeugdwet", Euro),
            ("jeugdwetFramework", "Budgetkader Jeugdwet", Euro),
            ("clients", "Aantal cliënten", Count),
            ("allocations", "Toewijzingen", Count),
        ],
    },
    Sheet {
        key: "flows",
        file: "flows",
        title: "Stromen",
        columns: &[
            ("inflow", "Instroom", Count),
            ("outflow", "Uitstroom", Count),
            ("throughflow", "Doorstroom", Count),
        ],
    },
    Sheet {
        key: "clientFlows",
        file: "client-flows",
        title: "Stromen in cliënten",
        columns: &[
            ("productGroupCode", "Perceel", Text),
            ("municipalityCbs", "CBS-code gemeente", Text),
            ("month", "Maand", Text),
            ("inflow", "Instroom", Count),
            ("outflow", "Uitstroom", Count),
            ("throughflow", "Doorstroom", Count),
        ],
    },
    Sheet {
        key: "trends",
        file: "trends",
        title: "Trends",
        columns: &[
            ("month", "Maand", Text),
            ("spend", "Uitgaven", Euro),
            ("wmoSpend", "Uitgaven Wmo", Euro),
            ("jeugdwetSpend", "Uitgaven Jeugdwet", Euro),
            ("clients", "Aantal cliënten", Count),
            ("inflow", "Instroom", Count),
            ("outflow", "Uitstroom", Count),
            ("hours", "Uren", Number),
            ("hoursPerClient", "Uren per cliënt", Number),
        ],
    },
    Sheet {
        key: "budgetCeilings",
        file: "budget-ceilings",
        title: "Budgetplafonds",
        columns: &[
            ("providerAgb", "AGB-code aanbieder", Text),
            ("productGroupCode", "Perceel", Text),
            ("municipalityCbs", "CBS-code gemeente", Text),
            ("year", "Jaar", Text),
            ("amount", "Plafond", Euro),
            ("spent", "Besteed", Euro),
            ("usedPercent", "Benut", Percent),
        ],
    },
    Sheet {
        key: "temporaryIntensive",
        file: "temporary-intensive",
        title: "Tijdelijk intensief",
        columns: &[
            ("productCode", "Productcode", Text),
            ("allocations", "Toewijzingen", Count),
            ("days", "Dagen", Count),
        ],
    },
    Sheet {
        key: "contractsEnding",
        file: "contracts-ending",
        title: "Aflopende contracten",
        columns: &[
            ("contractId", "Contract", Text),
            ("providerAgb", "AGB-code aanbieder", Text),
            ("endsOn", "Einddatum", Date),
        ],
    },
    Sheet {
        key: "waitingTimes",
        file: "waiting-times",
        title: "Wachttijden",
        columns: &[
            ("dimension", "Naar", Label),
            ("code", "Code", Text),
            ("allocations", "Toewijzingen", Count),
            ("medianDays", "Mediaan (dagen)", Number),
            ("p90Days", "90e percentiel (dagen)", Count),
        ],
    },
    Sheet {
        key: "durations",
        file: "durations",
        title: "Duur",
        columns: &[
            ("productGroupCode", "Perceel", Text),
            ("ended", "Beëindigd", Count),
            ("medianDays", "Mediaan (dagen)", Number),
            ("meanDays", "Gemiddelde (dagen)", Number),
        ],
    },
    Sheet {
        key: "compliance",
        file: "compliance",
        title: "Naleving",
        columns: &[
            ("providerAgb", "AGB-code aanbieder", Text),
            ("kind", "Toets", Label),
            ("standing", "Stand", Label),
            ("checkedOn", "Getoetst op", Date),
            ("validUntil", "Geldig tot", Date),
        ],
    },
    Sheet {
        key: "referrers",
        file: "referrers",
        title: "Verwijzers",
        columns: &[
            ("productGroupCode", "Perceel", Text),
            ("productGroup", "Naam perceel", Text),
            ("referrer", "Code verwijzer", Text),
            ("referrerName", "Verwijzer", Text),
            ("spend", "Uitgaven", Euro),
            ("clients", "Aantal cliënten", Count),
        ],
    },
    Sheet {
        key: "places",
        file: "places",
        title: "Plaatsen",
        columns: &[
            ("month", "Maand", Text),
            ("productCode", "Productcode", Text),
            ("product", "Product", Text),
            ("averagePlaces", "Plaatsen (gemiddeld)", Number),
            ("averageOccupied", "Bezet (gemiddeld)", Number),
            ("occupancyPercent", "Bezetting", Percent),
            ("placeDays", "Plaatsdagen", Count),
            ("occupiedDays", "Bezette dagen", Count),
        ],
    },
    Sheet {
        key: "stackedCare",
        file: "stacked-care",
        title: "Stapeling",
        columns: &[
            ("productGroupCode", "Perceel", Text),
            ("productGroup", "Naam perceel", Text),
            ("pairs", "Gestapelde paren", Count),
            ("differentProviders", "Bij twee aanbieders", Count),
            ("sameProduct", "Zelfde product", Count),
            ("clients", "Aantal cliënten", Count),
        ],
    },
];

/// The plain CSV files keep every field of the JSON, by its API name.
const PLAIN_COLUMNS: &[(&str, &[&str])] = &[
    (
        "productGroups",
        &[
            "law",
            "productGroupCode",
            "productGroup",
            "approvedAmount",
            "contractedProviders",
            "providersWithClients",
            "clients",
            "top3Share",
            "top3ShareNotApplicable",
            "top10Share",
            "top10ShareNotApplicable",
        ],
    ),
    (
        "municipalities",
        &[
            "cbsCode",
            "municipality",
            "spend",
            "inhabitants",
            "spendPerInhabitant",
            "wmoSpend",
            "wmoFramework",
            "jeugdwetSpend",
            "jeugdwetFramework",
            "clients",
            "allocations",
        ],
    ),
    ("flows", &["inflow", "outflow", "throughflow"]),
    (
        "clientFlows",
        &[
            "productGroupCode",
            "municipalityCbs",
            "month",
            "inflow",
            "outflow",
            "throughflow",
        ],
    ),
    (
        "trends",
        &[
            "month",
            "spend",
            "wmoSpend",
            "jeugdwetSpend",
            "clients",
            "inflow",
            "outflow",
            "hours",
            "hoursPerClient",
        ],
    ),
    (
        "budgetCeilings",
        &[
            "providerAgb",
            "productGroupCode",
            "municipalityCbs",
            "year",
            "amount",
            "spent",
            "usedPercent",
        ],
    ),
    (
        "temporaryIntensive",
        &["productCode", "allocations", "days"],
    ),
    ("contractsEnding", &["contractId", "providerAgb", "endsOn"]),
    (
        "waitingTimes",
        &["dimension", "code", "allocations", "medianDays", "p90Days"],
    ),
    (
        "durations",
        &["productGroupCode", "ended", "medianDays", "meanDays"],
    ),
    (
        "compliance",
        &["providerAgb", "kind", "standing", "checkedOn", "validUntil"],
    ),
    (
        "referrers",
        &[
            "productGroupCode",
            "productGroup",
            "referrer",
            "referrerName",
            "spend",
            "clients",
        ],
    ),
    (
        "places",
        &[
            "month",
            "productCode",
            "product",
            "placeDays",
            "occupiedDays",
            "averagePlaces",
            "averageOccupied",
            "occupancyPercent",
        ],
    ),
    (
        "stackedCare",
        &[
            "productGroupCode",
            "productGroup",
            "pairs",
            "differentProviders",
            "sameProduct",
            "clients",
        ],
    ),
];

/// The rows of a table: an array, or one object (the flows).
pub fn rows<'a>(content: &'a Value, key: &str) -> Vec<&'a Value> {
    match &content[key] {
        Value::Array(rows) => rows.iter().collect(),
        row @ Value::Object(_) => vec![row],
        _ => Vec::new(),
    }
}

pub fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.to_string().parse().ok(),
        _ => None,
    }
}

pub const NOT_APPLICABLE: &str = "n.v.t.";

pub fn law_name(code: &str) -> &str {
    match code {
        "wmo" => "Wmo 2015",
        "jeugdwet" => "Jeugdwet",
        other => other,
    }
}

/// A cell as Dutch Excel reads it from text: decimal comma, `%` for shares.
fn excel_text(kind: Kind, v: &Value) -> String {
    match (kind, decimal(v)) {
        (Percent, None) if v.is_null() => NOT_APPLICABLE.to_owned(),
        (Percent, Some(d)) => format!("{}%", d.round_dp(2).to_string().replace('.', ",")),
        (Euro, Some(d)) => format!("{:.2}", d).replace('.', ","),
        (Count | Number, Some(d)) => d.normalize().to_string().replace('.', ","),
        (Law, _) => law_name(&text(v)).to_owned(),
        (Date, _) => dutch_date(v),
        (Label, _) => crate::dutch::label(&text(v)).to_owned(),
        _ => text(v),
    }
}

/// A JSON day as `31-12-2025` (a moment as `31-12-2025 14:05`, UTC);
/// anything else as it is.
pub fn dutch_date(v: &Value) -> String {
    let shown = text(v);
    if let Ok(day) = shown.parse::<chrono::NaiveDate>() {
        return crate::dutch::date(day);
    }
    match shown.parse::<chrono::DateTime<chrono::Utc>>() {
        Ok(moment) => moment.format("%d-%m-%Y %H:%M").to_string(),
        Err(_) => shown,
    }
}

/// One table as a CSV file for Dutch Excel.
pub fn excel_csv(sheet: &Sheet, rows: &[&Value]) -> String {
    let headers: Vec<&str> = sheet.columns.iter().map(|(_, label, _)| *label).collect();
    let mut csv = Csv::excel(&headers);
    for row in rows {
        csv.row(
            sheet
                .columns
                .iter()
                .map(|(key, _, kind)| excel_text(*kind, &row[*key])),
        );
    }
    csv.into_string()
}

/// The plain CSV files in a zip, one per table.
pub fn csv_zip(content: &Value) -> Result<Vec<u8>, String> {
    let files = SHEETS
        .iter()
        .zip(PLAIN_COLUMNS)
        .map(|(sheet, (key, columns))| {
            let mut csv = Csv::new(columns);
            for row in rows(content, key) {
                csv.row(columns.iter().map(|c| text(&row[*c])));
            }
            (format!("{}.csv", sheet.file), csv.into_string())
        });
    zip(files)
}

/// The CSV files for Dutch Excel in a zip, one per table.
pub fn excel_csv_zip(content: &Value) -> Result<Vec<u8>, String> {
    let files = SHEETS.iter().map(|sheet| {
        let text = excel_csv(sheet, &rows(content, sheet.key));
        (format!("{}.csv", sheet.title), text)
    });
    zip(files)
}

pub fn zip(files: impl Iterator<Item = (String, String)>) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .map_err(|e| e.to_string())?;
        zip.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    }
    zip.finish()
        .map(|c| c.into_inner())
        .map_err(|e| e.to_string())
}

/// The workbook: one sheet per table, Dutch headers in a frozen first row,
/// euros and percentages as numbers with their formats, "n.v.t." as text.
pub fn xlsx(content: &Value) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let tables: Vec<(&Sheet, Vec<&Value>)> = SHEETS
        .iter()
        .map(|sheet| (sheet, rows(content, sheet.key)))
        .collect();
    workbook(&tables)
}

/// A workbook of the given tables, one sheet each.
pub fn workbook(tables: &[(&Sheet, Vec<&Value>)]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatAlign, Workbook};
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_text_wrap();
    let euro = Format::new().set_num_format("€ #,##0.00");
    let percent = Format::new().set_num_format("0.00%");
    let count = Format::new().set_num_format("#,##0");
    let not_applicable = Format::new().set_align(FormatAlign::Right);
    for (sheet, rows) in tables {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet.title)?;
        ws.set_freeze_panes(1, 0)?;
        ws.set_row_height(0, 30)?;
        for (c, (_, label, kind)) in sheet.columns.iter().enumerate() {
            let c = c as u16;
            ws.write_string_with_format(0, c, *label, &header)?;
            let width = match kind {
                Text if c == 1 && sheet.key == "productGroups" => 36.0,
                Text | Date | Label => 22.0,
                Euro => 20.0,
                Law => 12.0,
                Count | Number | Percent => 16.0,
            };
            ws.set_column_width(c, width)?;
        }
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, (key, _, kind)) in sheet.columns.iter().enumerate() {
                let (c, cell) = (c as u16, &row[*key]);
                let number = decimal(cell).and_then(|d| d.to_string().parse::<f64>().ok());
                match (kind, number) {
                    (Euro, Some(n)) => ws.write_number_with_format(r, c, n, &euro)?,
                    (Percent, Some(n)) => ws.write_number_with_format(r, c, n / 100.0, &percent)?,
                    (Percent, None) => {
                        ws.write_string_with_format(r, c, NOT_APPLICABLE, &not_applicable)?
                    }
                    (Count, Some(n)) => ws.write_number_with_format(r, c, n, &count)?,
                    (Number, Some(n)) => ws.write_number(r, c, n)?,
                    (Law, _) => ws.write_string(r, c, law_name(&text(cell)))?,
                    (Date, _) => ws.write_string(r, c, dutch_date(cell))?,
                    (Label, _) => ws.write_string(r, c, crate::dutch::label(&text(cell)))?,
                    _ => ws.write_string(r, c, text(cell))?,
                };
            }
        }
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_as_dutch_excel_reads_them() {
        assert_eq!(excel_text(Euro, &json!("8802420.00")), "8802420,00");
        assert_eq!(excel_text(Percent, &json!("32.46")), "32,46%");
        assert_eq!(excel_text(Percent, &json!(null)), "n.v.t.");
        assert_eq!(excel_text(Law, &json!("jeugdwet")), "Jeugdwet");
        assert_eq!(excel_text(Count, &json!(1656)), "1656");
        assert_eq!(excel_text(Number, &json!("5.5")), "5,5");
    }

    #[test]
    fn every_table_has_its_plain_columns() {
        for (sheet, (key, _)) in SHEETS.iter().zip(PLAIN_COLUMNS) {
            assert_eq!(sheet.key, *key);
        }
    }
}
