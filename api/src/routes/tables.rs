//! The steering instruments' answers (issue 28): JSON by default, or their
//! tables as files like the monitoring report's (`format=csv` for programs,
//! `csv-excel` for Dutch Excel, `xlsx` for people). Each instrument names
//! its tables as `report_files::Sheet`s over its JSON: a sheet's `key` is
//! the field holding that table's rows, its columns the rows' fields.

use serde_json::Value;

use super::prelude::*;
use crate::{csv::Csv, report_files};

/// `?format=` of an instrument.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TableFormat {
    /// `json` (the default), `csv` (a zip with one CSV per table, the API's
    /// field names), `csv-excel` (the same tables for Dutch Excel: Dutch
    /// headers, `;`, decimal comma, UTF-8 BOM) or `xlsx` (one sheet per
    /// table, Dutch headers).
    #[param(pattern = "^(json|csv|csv-excel|xlsx)$")]
    pub format: Option<String>,
}

impl TableFormat {
    /// Refuses a `format` the tables cannot be given in (400 on `format`),
    /// beside the instrument's other fields.
    pub fn check(&self, check: &mut Check) {
        if let Some(f) = self.format.as_deref() {
            check.require(
                matches!(f, "json" | "csv" | "csv-excel" | "xlsx"),
                "format",
                "must be json, csv, csv-excel or xlsx",
            );
        }
    }
}

/// The 200 of an instrument in its four formats.
pub const FORMATS_DESCRIPTION: &str = "JSON (default), CSV files in a zip (`format=csv` or `csv-excel`, one per table) or an XLSX workbook (`format=xlsx`)";

/// Answers `body` in the asked format; `name` is the files' base name.
pub fn answer<T: Serialize>(
    format: &TableFormat,
    name: &str,
    body: &T,
    sheets: &[&report_files::Sheet],
) -> ApiResult<HttpResponse> {
    let format = format.format.as_deref().unwrap_or("json");
    if format == "json" {
        return Ok(HttpResponse::Ok().json(body));
    }
    let content = serde_json::to_value(body).map_err(|e| ApiError::Internal(e.to_string()))?;
    let disposition = |ext: &str| format!("attachment; filename=\"{name}.{ext}\"");
    match format {
        "csv" | "csv-excel" => {
            let files = sheets.iter().map(|sheet| {
                let rows = report_files::rows(&content, sheet.key);
                if format == "csv" {
                    (format!("{}.csv", sheet.file), plain_csv(sheet, &rows))
                } else {
                    (
                        format!("{}.csv", sheet.title),
                        report_files::excel_csv(sheet, &rows),
                    )
                }
            });
            let bytes = report_files::zip(files).map_err(ApiError::Internal)?;
            Ok(HttpResponse::Ok()
                .content_type("application/zip")
                .insert_header(("Content-Disposition", disposition("zip")))
                .body(bytes))
        }
        "xlsx" => {
            let tables: Vec<(&report_files::Sheet, Vec<&Value>)> = sheets
                .iter()
                .map(|sheet| (*sheet, report_files::rows(&content, sheet.key)))
                .collect();
            let bytes =
                report_files::workbook(&tables).map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(HttpResponse::Ok()
                .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                .insert_header(("Content-Disposition", disposition("xlsx")))
                .body(bytes))
        }
        _ => Err(ApiError::invalid(
            "format",
            "must be json, csv, csv-excel or xlsx",
        )),
    }
}

/// One table with the API's field names as headers.
fn plain_csv(sheet: &report_files::Sheet, rows: &[&Value]) -> String {
    let keys: Vec<&str> = sheet.columns.iter().map(|(key, _, _)| *key).collect();
    let mut csv = Csv::new(&keys);
    for row in rows {
        csv.row(keys.iter().map(|k| report_files::text(&row[*k])));
    }
    csv.into_string()
}
