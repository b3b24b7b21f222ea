//! Numbers, money, dates and the API's codes as Dutch readers write them:
//! `€ 8.802.420,00`, `32,46%`, `1.656`, `31-12-2025`, `jan 2025`,
//! "contract loopt af". Pure functions, so the dashboard's pages and the
//! report's downloads for people (`report_files`) agree on one notation.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

/// Digits grouped by three with a dot, the decimal comma after them.
fn grouped(value: Decimal, decimals: u32) -> String {
    let rounded = value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.*}", decimals as usize, rounded.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::with_capacity(text.len() + whole.len() / 3 + 1);
    if rounded.is_sign_negative() && !rounded.is_zero() {
        out.push('-');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(digit);
    }
    if !fraction.is_empty() {
        out.push(',');
        out.push_str(fraction);
    }
    out
}

/// An amount in euros with its cents: `€ 8.802.420,00`.
pub fn euro(value: Decimal) -> String {
    format!("€ {}", grouped(value, 2))
}

/// A large amount in whole euros, for axes and bars: `€ 8.802.420`.
pub fn whole_euro(value: Decimal) -> String {
    format!("€ {}", grouped(value, 0))
}

/// A share in percent (the API's `"32.46"`), two decimals: `32,46%`.
pub fn percent(value: Decimal) -> String {
    format!("{}%", grouped(value, 2))
}

/// A count: `1.656`.
pub fn count(value: i64) -> String {
    grouped(Decimal::from(value), 0)
}

/// A decimal as it is, grouped (a median of days may end in ,5).
pub fn number(value: Decimal) -> String {
    let value = value.normalize();
    grouped(value, value.scale())
}

/// A day: `31-12-2025`.
pub fn date(value: NaiveDate) -> String {
    value.format("%d-%m-%Y").to_string()
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];

/// A month of the API (`2025-01`) as `jan 2025`; anything else unchanged.
pub fn month(value: &str) -> String {
    let parsed = value
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<usize>().ok()?)));
    match parsed {
        Some((year, m)) if (1..=12).contains(&m) && value.len() == 7 => {
            format!("{} {year}", MONTHS[m - 1])
        }
        _ => value.to_owned(),
    }
}

/// The API's codes as the pages and downloads name them; an unknown code
/// as it is.
pub fn label(code: &str) -> &str {
    match code {
        // contract signals and the compliance register
        "contract-ending" => "contract loopt af",
        "check-expiring" => "toets verloopt",
        "check-expired" => "toets verlopen",
        "eu-threshold" => "boven EU-drempel",
        "integrity" => "integriteit",
        "financial" => "financieel",
        "governance-code" => "governancecode",
        "quality-mark" => "kwaliteitskeurmerk",
        "valid" => "geldig",
        "expiring" => "verloopt",
        "expired" => "verlopen",
        "failed" => "mislukt",
        // budget signals
        "spent" => "besteed",
        "forecast" => "verwacht",
        // outflow verdicts
        "zero-clients" => "geen cliënten",
        "below-threshold" => "onder de drempel",
        "grace" => "aanloopperiode",
        "ok" => "in orde",
        // jobs, runs, proposals
        "queued" => "in de wachtrij",
        "running" => "bezig",
        "succeeded" => "geslaagd",
        "previewed" => "voorstel klaar",
        "approved" => "goedgekeurd",
        "applying" => "wordt toegepast",
        "applied" => "toegepast",
        "proposed" => "voorgesteld",
        "skipped" => "overgeslagen",
        "done" => "klaar",
        "monitoring-report" => "monitorrapportage",
        "contract-watch" => "contractbewaking",
        "outflow-check" => "uitstroomtoets",
        "indexation-preview" => "indexatie: voorstel",
        "indexation-apply" => "indexatie: toepassen",
        "indexation-schedule" => "indexatie: jaarplanning",
        "outflow-schedule" => "uitstroomtoets: jaarplanning",
        // roles (the header says who is looking)
        "platform-admin" => "platformbeheer",
        "region-admin" => "regiokantoor",
        "contract-manager" => "contractmanager",
        "access-team" => "toegangsteam",
        "central-access" => "centrale toegang",
        "auditor" => "controleur",
        // contracts and checks on a provider's scorecard
        "active" => "actief",
        "outflow-proposed" => "uitstroom voorgesteld",
        "terminated" => "beëindigd",
        "open-house" => "open house",
        "sas-tender" => "sociale en andere specifieke diensten",
        "eu-tender" => "Europese aanbesteding",
        "passed" => "voldaan",
        "unchecked" => "niet getoetst",
        // steering signals and stacked care
        "waiting-norm" => "wacht langer dan de norm",
        "coverage" => "te weinig aanbieders",
        "care-overlap" => "stapeling van zorg",
        "different-providers" => "bij twee aanbieders",
        "same-product" => "hetzelfde product twee keer",
        // waiting-time dimensions (and roles of the same name)
        "product-group" => "perceel",
        "municipality" => "gemeente",
        "provider" => "aanbieder",
        other => other,
    }
}

/// A status of a page that could not be shown, in Dutch.
pub fn status(status: actix_web::http::StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Onjuiste vraag",
        403 => "Geen toegang",
        404 => "Niet gevonden",
        503 => "Niet beschikbaar",
        _ => "Fout",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn money_and_shares_in_dutch_notation() {
        assert_eq!(euro(d("8802420")), "€ 8.802.420,00");
        assert_eq!(euro(d("1300.5")), "€ 1.300,50");
        assert_eq!(euro(d("999.994")), "€ 999,99");
        assert_eq!(euro(d("999.995")), "€ 1.000,00");
        assert_eq!(euro(d("-1234.5")), "€ -1.234,50");
        assert_eq!(euro(d("0")), "€ 0,00");
        assert_eq!(whole_euro(d("8802420.49")), "€ 8.802.420");
        assert_eq!(whole_euro(d("8802420.5")), "€ 8.802.421");
        assert_eq!(percent(d("32.46")), "32,46%");
        assert_eq!(percent(d("100")), "100,00%");
        assert_eq!(count(1656), "1.656");
        assert_eq!(count(1_000_000), "1.000.000");
        assert_eq!(count(12), "12");
        assert_eq!(number(d("5.50")), "5,5");
        assert_eq!(number(d("1234")), "1.234");
    }

    #[test]
    fn days_and_months() {
        let day = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        assert_eq!(date(day), "31-12-2025");
        assert_eq!(month("2025-01"), "jan 2025");
        assert_eq!(month("2024-10"), "okt 2024");
        assert_eq!(month("2024-13"), "2024-13");
    }
}
