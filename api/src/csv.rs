//! CSV downloads: one writer with RFC 4180 quoting, and the `format` query
//! value shared by the resources that offer CSV beside JSON.

use actix_web::HttpResponse;

use crate::error::{ApiError, ApiResult};

/// Whether `format` asks for CSV (`csv`) rather than JSON (absent or `json`).
pub fn wants_csv(format: Option<&str>) -> ApiResult<bool> {
    match format {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(_) => Err(ApiError::invalid("format", "must be json or csv")),
    }
}

/// A CSV text built row by row.
pub struct Csv {
    text: String,
    separator: char,
}

impl Csv {
    /// For programs: comma-separated, no byte-order mark.
    pub fn new(columns: &[&str]) -> Self {
        let mut csv = Self {
            text: String::new(),
            separator: ',',
        };
        csv.row(columns.iter().copied());
        csv
    }

    /// For Dutch Excel, which opens it as-is: a UTF-8 byte-order mark and
    /// `;` between fields (the comma is its decimal separator).
    pub fn excel(columns: &[&str]) -> Self {
        let mut csv = Self {
            text: String::from('\u{feff}'),
            separator: ';',
        };
        csv.row(columns.iter().copied());
        csv
    }

    /// Appends a row, quoting fields with the separator, quotes or line breaks.
    pub fn row<I: IntoIterator<Item = S>, S: AsRef<str>>(&mut self, fields: I) {
        let separator = self.separator;
        let fields: Vec<String> = fields
            .into_iter()
            .map(|f| field(f.as_ref(), separator))
            .collect();
        self.text.push_str(&fields.join(&separator.to_string()));
        self.text.push('\n');
    }

    pub fn into_string(self) -> String {
        self.text
    }

    /// The CSV as a download named `filename`.
    pub fn respond(self, filename: &str) -> HttpResponse {
        HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{filename}\""),
            ))
            .body(self.text)
    }
}

fn field(text: &str, separator: char) -> String {
    if text.contains([separator, '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it() {
        let mut csv = Csv::new(&["a", "b"]);
        csv.row(["plain", "with, comma"]);
        csv.row(["say \"hi\"", ""]);
        assert_eq!(
            csv.into_string(),
            "a,b\nplain,\"with, comma\"\n\"say \"\"hi\"\"\",\n"
        );
        assert!(wants_csv(Some("xml")).is_err());
        let mut excel = Csv::excel(&["Perceel", "Bedrag"]);
        excel.row(["Begeleiding; groep", "8802420,00"]);
        assert_eq!(
            excel.into_string(),
            "\u{feff}Perceel;Bedrag\n\"Begeleiding; groep\";8802420,00\n"
        );
        assert_eq!(wants_csv(None).ok(), Some(false));
    }
}
