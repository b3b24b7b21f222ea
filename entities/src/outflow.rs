//! The provider-threshold outflow check (drempels, seed 004 §6): providers
//! that served no clients, or fewer than the threshold, within a window, at
//! region level or per product group and/or municipality. Contracts that
//! started inside the window get a grace verdict instead of a flag.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OutflowWindow {
    /// The last full calendar year before the check date.
    CalendarYear,
    /// The twelve months up to and including the check date.
    #[serde(rename = "rolling-12-months")]
    Rolling12Months,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OutflowLevel {
    Region,
    ProductGroup,
    Municipality,
    ProductGroupAndMunicipality,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClientCount {
    /// Distinct clients with approved declaration lines in the window.
    ApprovedDeclarations,
    /// Distinct clients with an allocation running in the window.
    ActiveAllocations,
}

/// The window `[from, to]` of a check made on `as_of`.
pub fn window(kind: OutflowWindow, as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    match kind {
        OutflowWindow::CalendarYear => {
            let year = as_of.year() - 1;
            (
                NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(as_of),
                NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(as_of),
            )
        }
        OutflowWindow::Rolling12Months => {
            let from = as_of
                .checked_sub_months(Months::new(12))
                .and_then(|d| d.succ_opt())
                .unwrap_or(as_of);
            (from, as_of)
        }
    }
}

/// A contract in force during the window, with what it covers.
#[derive(Debug, Clone)]
pub struct ContractCover {
    pub contract_id: Uuid,
    pub provider_id: Uuid,
    pub start_date: NaiveDate,
    pub product_groups: Vec<Uuid>,
    pub municipalities: Vec<Uuid>,
}

/// A client served by a provider in the window (one row per allocation).
#[derive(Debug, Clone)]
pub struct Service {
    pub provider_id: Uuid,
    pub product_group_id: Uuid,
    pub municipality_id: Uuid,
    /// The client's number (`crate::client_number`).
    pub client: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    ZeroClients,
    BelowThreshold,
    Grace,
    Ok,
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::ZeroClients => "zero-clients",
            Self::BelowThreshold => "below-threshold",
            Self::Grace => "grace",
            Self::Ok => "ok",
        }
    }
}

/// One provider in one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub provider_id: Uuid,
    pub product_group_id: Option<Uuid>,
    pub municipality_id: Option<Uuid>,
    /// The provider's latest contract covering the scope: the one to act on.
    pub contract_id: Uuid,
    pub clients: i64,
    pub threshold: i64,
    pub verdict: Verdict,
}

type Scope = (Uuid, Option<Uuid>, Option<Uuid>);

fn scopes_of(c: &ContractCover, level: OutflowLevel) -> Vec<Scope> {
    let p = c.provider_id;
    match level {
        OutflowLevel::Region => vec![(p, None, None)],
        OutflowLevel::ProductGroup => c
            .product_groups
            .iter()
            .map(|g| (p, Some(*g), None))
            .collect(),
        OutflowLevel::Municipality => c
            .municipalities
            .iter()
            .map(|m| (p, None, Some(*m)))
            .collect(),
        OutflowLevel::ProductGroupAndMunicipality => c
            .product_groups
            .iter()
            .flat_map(|g| {
                c.municipalities
                    .iter()
                    .map(move |m| (p, Some(*g), Some(*m)))
            })
            .collect(),
    }
}

fn serves(s: &Service, scope: &Scope) -> bool {
    s.provider_id == scope.0
        && scope.1.is_none_or(|g| g == s.product_group_id)
        && scope.2.is_none_or(|m| m == s.municipality_id)
}

/// Counts distinct clients per provider and scope and gives each a verdict.
/// Findings come sorted: worst verdict first, then fewest clients.
pub fn assess(
    contracts: &[ContractCover],
    services: &[Service],
    level: OutflowLevel,
    min_clients: i64,
    window_from: NaiveDate,
    grace_for_new_contracts: bool,
) -> Vec<Finding> {
    // Per scope: the latest covering contract and the earliest start.
    let mut covered: BTreeMap<Scope, (NaiveDate, Uuid, NaiveDate)> = BTreeMap::new();
    for c in contracts {
        for scope in scopes_of(c, level) {
            let entry = covered
                .entry(scope)
                .or_insert((c.start_date, c.contract_id, c.start_date));
            if c.start_date >= entry.0 {
                entry.0 = c.start_date;
                entry.1 = c.contract_id;
            }
            entry.2 = entry.2.min(c.start_date);
        }
    }
    // Each scope looks at its provider's services only.
    let mut by_provider: BTreeMap<Uuid, Vec<&Service>> = BTreeMap::new();
    for s in services {
        by_provider.entry(s.provider_id).or_default().push(s);
    }
    let mut findings: Vec<Finding> = covered
        .into_iter()
        .map(|(scope, (_, contract_id, first_start))| {
            let clients = by_provider
                .get(&scope.0)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .filter(|s| serves(s, &scope))
                .map(|s| s.client)
                .collect::<BTreeSet<_>>()
                .len() as i64;
            let verdict = if clients >= min_clients {
                Verdict::Ok
            } else if grace_for_new_contracts && first_start >= window_from {
                Verdict::Grace
            } else if clients == 0 {
                Verdict::ZeroClients
            } else {
                Verdict::BelowThreshold
            };
            Finding {
                provider_id: scope.0,
                product_group_id: scope.1,
                municipality_id: scope.2,
                contract_id,
                clients,
                threshold: min_clients,
                verdict,
            }
        })
        .collect();
    findings.sort_by(|a, b| {
        (a.verdict, a.clients, a.provider_id).cmp(&(b.verdict, b.clients, b.provider_id))
    });
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const A: Uuid = Uuid::from_u128(1);
    const B: Uuid = Uuid::from_u128(2);
    const C: Uuid = Uuid::from_u128(3);
    const NEW: Uuid = Uuid::from_u128(4);
    const BEG: Uuid = Uuid::from_u128(10);
    const DB: Uuid = Uuid::from_u128(11);
    const ARNHEM: Uuid = Uuid::from_u128(20);
    const RENKUM: Uuid = Uuid::from_u128(21);

    fn contract(n: u128, provider: Uuid, start: &str) -> ContractCover {
        ContractCover {
            contract_id: Uuid::from_u128(100 + n),
            provider_id: provider,
            start_date: d(start),
            product_groups: vec![BEG, DB],
            municipalities: vec![ARNHEM, RENKUM],
        }
    }

    fn service(provider: Uuid, group: Uuid, municipality: Uuid, client: i64) -> Service {
        Service {
            provider_id: provider,
            product_group_id: group,
            municipality_id: municipality,
            client,
        }
    }

    /// A serves 6 distinct clients (one twice), B serves 2, C none, NEW (a
    /// contract from inside the window) serves 1. Threshold 5.
    fn data() -> (Vec<ContractCover>, Vec<Service>) {
        let contracts = vec![
            contract(1, A, "2023-01-01"),
            contract(2, B, "2023-01-01"),
            contract(3, C, "2023-01-01"),
            contract(4, NEW, "2025-04-01"),
        ];
        let mut services: Vec<Service> = (1..=5).map(|k| service(A, BEG, ARNHEM, k)).collect();
        services.push(service(A, DB, RENKUM, 6));
        services.push(service(A, DB, ARNHEM, 1)); // the same client in another group: still one client
        services.push(service(B, BEG, ARNHEM, 11));
        services.push(service(B, BEG, RENKUM, 12));
        services.push(service(NEW, BEG, ARNHEM, 21));
        (contracts, services)
    }

    #[test]
    fn region_level() {
        let (contracts, services) = data();
        let findings = assess(
            &contracts,
            &services,
            OutflowLevel::Region,
            5,
            d("2025-01-01"),
            true,
        );
        let summary: Vec<(Uuid, i64, Verdict)> = findings
            .iter()
            .map(|f| (f.provider_id, f.clients, f.verdict))
            .collect();
        assert_eq!(
            summary,
            [
                (C, 0, Verdict::ZeroClients),
                (B, 2, Verdict::BelowThreshold),
                (NEW, 1, Verdict::Grace),
                (A, 6, Verdict::Ok)
            ]
        );
        assert_eq!(findings[0].contract_id, Uuid::from_u128(103));
        // without grace the new contract is flagged too
        let strict = assess(
            &contracts,
            &services,
            OutflowLevel::Region,
            5,
            d("2025-01-01"),
            false,
        );
        assert!(strict
            .iter()
            .any(|f| f.provider_id == NEW && f.verdict == Verdict::BelowThreshold));
    }

    #[test]
    fn per_product_group_and_municipality() {
        let (contracts, services) = data();
        let per_group = assess(
            &contracts,
            &services,
            OutflowLevel::ProductGroup,
            5,
            d("2025-01-01"),
            true,
        );
        let a: Vec<(Option<Uuid>, i64, Verdict)> = per_group
            .iter()
            .filter(|f| f.provider_id == A)
            .map(|f| (f.product_group_id, f.clients, f.verdict))
            .collect();
        // A: BEG 5 clients (ok), DB 2 (a6, a1: below)
        assert!(
            a.contains(&(Some(BEG), 5, Verdict::Ok))
                && a.contains(&(Some(DB), 2, Verdict::BelowThreshold)),
            "{a:?}"
        );
        let both = assess(
            &contracts,
            &services,
            OutflowLevel::ProductGroupAndMunicipality,
            1,
            d("2025-01-01"),
            true,
        );
        assert_eq!(both.len(), 16, "4 providers × 2 groups × 2 municipalities");
        let b_renkum = both
            .iter()
            .find(|f| {
                f.provider_id == B
                    && f.product_group_id == Some(BEG)
                    && f.municipality_id == Some(RENKUM)
            })
            .unwrap();
        assert_eq!((b_renkum.clients, b_renkum.verdict), (1, Verdict::Ok));
        let b_db = both
            .iter()
            .find(|f| {
                f.provider_id == B
                    && f.product_group_id == Some(DB)
                    && f.municipality_id == Some(ARNHEM)
            })
            .unwrap();
        assert_eq!(b_db.verdict, Verdict::ZeroClients);
    }

    #[test]
    fn windows() {
        assert_eq!(
            window(OutflowWindow::CalendarYear, d("2026-01-15")),
            (d("2025-01-01"), d("2025-12-31"))
        );
        assert_eq!(
            window(OutflowWindow::Rolling12Months, d("2026-03-31")),
            (d("2025-04-01"), d("2026-03-31"))
        );
    }
}
