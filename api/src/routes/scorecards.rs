//! `…/providers/{agbCode}/scorecard` and `…/scorecards` (issue 28): where a
//! provider stands beside the other providers of its product groups.
//!
//! Each numeric figure `x` comes with `xRegionMedian`: the median of `x`
//! over the providers of the same product group in the same period (the
//! providers with spend, clients, an allocation or a rejected line in the
//! group), left out where a provider has no figure (`null`).
//!
//! Parties: the office, access teams and municipality users read every
//! provider's scorecard (a scorecard is about a provider, not about a
//! municipality's clients); a provider reads only its own (another's is a
//! 404, as one that does not exist) and, in the list, only its own row.

use chrono::NaiveDate;
use domain::steering::scorecards::{self, GroupCard, ListRow, Period, Scorecard, ScorecardList};
use entities::{
    enums::Law,
    money::cents_to_euros,
    steering::scorecard::{default_period, Medians, SortField},
};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{
    prelude::*,
    reports::FileBytes,
    tables::{self, TableFormat},
};
use crate::report_files::{Kind::*, Sheet};

/// The period of a scorecard.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ScorecardQuery {
    /// The period's first day (default: the first day of the 12 complete
    /// months before the current one). Spend, clients and lines count the
    /// calendar months the period touches.
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    /// The period's last day (default: the last day of the previous month).
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
}

/// The list of a group's providers.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ScorecardListQuery {
    /// The product group (required).
    #[param(required = true, pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub product_group_code: Option<String>,
    /// As in the scorecard.
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
    /// The field to sort on, `-` before it for descending (default
    /// `-spend`): `spend`, `clients`, `hoursPerClient`, `medianWaitDays`,
    /// `rejectedPercent`, `marketSharePercent` or `providerAgb`. Rows
    /// without the figure come last either way; ties by AGB.
    #[param(
        pattern = "^-?(spend|clients|hoursPerClient|medianWaitDays|rejectedPercent|marketSharePercent|providerAgb)$"
    )]
    pub sort: Option<String>,
}

/// The provider's figures in one of its product groups, each beside the
/// region's median for the group's providers (`…RegionMedian`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScorecardGroupOut {
    pub product_group_code: String,
    pub product_group_name: String,
    pub law: Law,
    /// `hour` for a group in hours; else its products' unit (`day`,
    /// `month`, `stay` …), null when they differ.
    pub unit: Option<String>,
    /// The providers of the group the medians are taken over.
    pub providers_in_group: usize,
    /// Approved spend (and paid task instalments) in euros.
    pub spend: Decimal,
    pub spend_region_median: Option<Decimal>,
    /// Distinct clients with approved care in the period.
    pub clients: usize,
    pub clients_region_median: Option<Decimal>,
    /// Approved hours per client (2 decimals); null for a group not in
    /// hours (never 0 for a group bought in days) or without clients.
    pub hours_per_client: Option<Decimal>,
    pub hours_per_client_region_median: Option<Decimal>,
    /// Allocations whose care ended in the period (the 307's end, else
    /// the allocation's end; removed ones left out).
    pub ended_allocations: usize,
    /// Their mean days of care, start (305, else the allocation's start)
    /// to end, both counted.
    pub mean_duration_days: Option<Decimal>,
    pub mean_duration_days_region_median: Option<Decimal>,
    /// Allocations whose care started in the period (the monitoring
    /// report's waiting times).
    pub started_allocations: usize,
    /// Days from the allocation's recording to the start of care.
    pub median_wait_days: Option<Decimal>,
    pub median_wait_days_region_median: Option<Decimal>,
    pub mean_wait_days: Option<Decimal>,
    pub mean_wait_days_region_median: Option<Decimal>,
    /// Approved plus rejected lines.
    pub assessed_lines: i64,
    pub rejected_lines: i64,
    pub rejected_lines_region_median: Option<Decimal>,
    /// Rejected of assessed lines, percent (2 decimals, half away from zero).
    pub rejected_percent: Option<Decimal>,
    pub rejected_percent_region_median: Option<Decimal>,
    /// The provider's spend of the group's spend in the region, percent
    /// (2 decimals, half away from zero); null when the group spent nothing.
    pub market_share_percent: Option<Decimal>,
    pub market_share_percent_region_median: Option<Decimal>,
}

impl ScorecardGroupOut {
    fn of(card: &GroupCard) -> Self {
        let (f, m) = (&card.figures, &card.medians);
        Self {
            product_group_code: card.group.code.clone(),
            product_group_name: card.group.name.clone(),
            law: card.group.law,
            unit: card.group.unit.clone(),
            providers_in_group: card.providers,
            spend: f.spend,
            spend_region_median: m.spend,
            clients: f.clients,
            clients_region_median: m.clients,
            hours_per_client: f.hours_per_client,
            hours_per_client_region_median: m.hours_per_client,
            ended_allocations: f.ended,
            mean_duration_days: f.mean_duration_days,
            mean_duration_days_region_median: m.mean_duration_days,
            started_allocations: f.started,
            median_wait_days: f.median_wait_days,
            median_wait_days_region_median: m.median_wait_days,
            mean_wait_days: f.mean_wait_days,
            mean_wait_days_region_median: m.mean_wait_days,
            assessed_lines: f.assessed_lines,
            rejected_lines: f.rejected_lines,
            rejected_lines_region_median: m.rejected_lines,
            rejected_percent: f.rejected_percent,
            rejected_percent_region_median: m.rejected_percent,
            market_share_percent: f.market_share_percent,
            market_share_percent_region_median: m.market_share_percent,
        }
    }
}

/// The provider's ended allocations of a group by reason of ending.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutflowOut {
    pub product_group_code: String,
    /// The RedenBeeindiging code (WMO588 / JZ588); null when the ending has
    /// no code (stopped with a reason in words, a 307 whose reason is not
    /// stored, or the allocation's end date reached).
    pub reason_code: Option<String>,
    /// The reason in Dutch.
    pub reason: String,
    pub allocations: usize,
    /// Of the provider's ended allocations in the group, percent.
    pub share_percent: Option<Decimal>,
    /// The median share over the group's providers with an ended
    /// allocation (0 for those without this reason).
    pub share_percent_region_median: Option<Decimal>,
}

/// A reason code of the provider's rejected lines.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RejectionReasonOut {
    pub reason_code: Option<String>,
    /// What the code means, in Dutch.
    pub meaning: String,
    pub lines: i64,
    /// Of the provider's rejected lines, percent.
    pub share_percent: Option<Decimal>,
}

/// One of the provider's budget ceilings of the period's years.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CeilingUseOut {
    pub budget_ceiling_id: Uuid,
    pub year: i32,
    /// The groups it reaches, comma-separated; null: all the provider's care.
    pub product_group_codes: Option<String>,
    pub municipality_cbs: Option<String>,
    pub hard: bool,
    pub amount: Decimal,
    pub spent: Decimal,
    /// Spent of the amount, percent (2 decimals).
    pub used_percent: Option<Decimal>,
}

/// The provider's latest check of a kind and where it stands today.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckStandingOut {
    pub kind: String,
    pub outcome: String,
    pub checked_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// `valid`, `expiring` (within the `compliance` policy's horizon),
    /// `expired` or `failed`.
    pub standing: String,
}

/// One of the provider's contracts in force in or after the period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContractEndOut {
    pub contract_id: Uuid,
    pub status: String,
    pub procurement_form: String,
    /// Comma-separated.
    pub product_group_codes: String,
    pub start_date: NaiveDate,
    /// Its last day: the term's end with options and amendments, or the
    /// termination date.
    pub ends_on: Option<NaiveDate>,
}

/// The provider's totals over its groups.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScorecardSummaryOut {
    pub provider_agb: String,
    pub provider_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub spend: Decimal,
    pub assessed_lines: i64,
    pub rejected_lines: i64,
    pub rejected_percent: Option<Decimal>,
    /// The worst standing of the latest checks (`failed`, `expired`,
    /// `expiring`, `valid`), or `unchecked` without any.
    pub compliance_standing: String,
}

/// A provider's scorecard over a period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScorecardOut {
    pub provider_agb: String,
    pub provider_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub summary: ScorecardSummaryOut,
    /// Per product group the provider has a figure in, by code.
    pub product_groups: Vec<ScorecardGroupOut>,
    /// Per group, most frequent reason first.
    pub outflow: Vec<OutflowOut>,
    /// The 5 most frequent reason codes of the rejected lines.
    pub rejection_reasons: Vec<RejectionReasonOut>,
    pub budget_ceilings: Vec<CeilingUseOut>,
    pub compliance: Vec<CheckStandingOut>,
    /// Soonest end first.
    pub contracts: Vec<ContractEndOut>,
}

impl From<Scorecard> for ScorecardOut {
    fn from(s: Scorecard) -> Self {
        let outflow = s
            .groups
            .iter()
            .flat_map(|card| {
                card.outflow.iter().map(|row| OutflowOut {
                    product_group_code: card.group.code.clone(),
                    reason_code: row.ending.code(),
                    reason: row.ending.name(card.group.law).to_owned(),
                    allocations: row.allocations,
                    share_percent: row.share_percent,
                    share_percent_region_median: row.share_percent_region_median,
                })
            })
            .collect();
        let joined = |codes: &[String]| codes.join(", ");
        Self {
            summary: ScorecardSummaryOut {
                provider_agb: s.provider_agb.clone(),
                provider_name: s.provider_name.clone(),
                from: s.period.from,
                to: s.period.to,
                spend: s.groups.iter().map(|g| g.figures.spend).sum(),
                assessed_lines: s.assessed_lines,
                rejected_lines: s.rejected_lines,
                rejected_percent: s.rejected_percent,
                compliance_standing: s.compliance_standing.to_owned(),
            },
            provider_agb: s.provider_agb,
            provider_name: s.provider_name,
            from: s.period.from,
            to: s.period.to,
            product_groups: s.groups.iter().map(ScorecardGroupOut::of).collect(),
            outflow,
            rejection_reasons: s
                .rejection_reasons
                .into_iter()
                .map(|r| RejectionReasonOut {
                    reason_code: r.reason_code,
                    meaning: r.meaning,
                    lines: r.lines,
                    share_percent: r.share_percent,
                })
                .collect(),
            budget_ceilings: s
                .ceilings
                .into_iter()
                .map(|c| CeilingUseOut {
                    budget_ceiling_id: c.id,
                    year: c.year,
                    product_group_codes: (!c.product_group_codes.is_empty())
                        .then(|| joined(&c.product_group_codes)),
                    municipality_cbs: c.municipality_cbs,
                    hard: c.hard,
                    amount: cents_to_euros(c.amount_cents),
                    spent: cents_to_euros(c.spent_cents),
                    used_percent: c.used_percent,
                })
                .collect(),
            compliance: s
                .compliance
                .into_iter()
                .map(|c| CheckStandingOut {
                    kind: c.kind,
                    outcome: c.outcome,
                    checked_on: c.checked_on,
                    valid_until: c.valid_until,
                    standing: c.standing.to_owned(),
                })
                .collect(),
            contracts: s
                .contracts
                .into_iter()
                .map(|c| ContractEndOut {
                    contract_id: c.id,
                    status: c.status,
                    procurement_form: c.procurement_form,
                    product_group_codes: joined(&c.product_group_codes),
                    start_date: c.start_date,
                    ends_on: c.ends_on,
                })
                .collect(),
        }
    }
}

/// A provider's main figures in the group.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScorecardRowOut {
    pub provider_agb: String,
    pub provider_name: String,
    pub spend: Decimal,
    pub clients: usize,
    pub hours_per_client: Option<Decimal>,
    pub median_wait_days: Option<Decimal>,
    pub rejected_percent: Option<Decimal>,
    pub market_share_percent: Option<Decimal>,
}

impl From<ListRow> for ScorecardRowOut {
    fn from(r: ListRow) -> Self {
        let f = r.figures;
        Self {
            provider_agb: r.provider_agb,
            provider_name: r.provider_name,
            spend: f.spend,
            clients: f.clients,
            hours_per_client: f.hours_per_client,
            median_wait_days: f.median_wait_days,
            rejected_percent: f.rejected_percent,
            market_share_percent: f.market_share_percent,
        }
    }
}

/// The region's medians of the main figures over the group's providers.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegionMediansOut {
    pub product_group_code: String,
    pub providers_in_group: usize,
    pub spend: Option<Decimal>,
    pub clients: Option<Decimal>,
    pub hours_per_client: Option<Decimal>,
    pub median_wait_days: Option<Decimal>,
    pub rejected_percent: Option<Decimal>,
    pub market_share_percent: Option<Decimal>,
}

/// A product group's providers with their main figures.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScorecardListOut {
    pub product_group_code: String,
    pub product_group_name: String,
    pub law: Law,
    pub unit: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Over every provider of the group, whoever reads the list.
    pub region_medians: RegionMediansOut,
    /// The providers the caller sees (a provider: its own row only), sorted.
    pub providers: Vec<ScorecardRowOut>,
}

impl From<ScorecardList> for ScorecardListOut {
    fn from(l: ScorecardList) -> Self {
        let m: Medians = l.medians;
        Self {
            region_medians: RegionMediansOut {
                product_group_code: l.group.code.clone(),
                providers_in_group: l.providers,
                spend: m.spend,
                clients: m.clients,
                hours_per_client: m.hours_per_client,
                median_wait_days: m.median_wait_days,
                rejected_percent: m.rejected_percent,
                market_share_percent: m.market_share_percent,
            },
            product_group_code: l.group.code,
            product_group_name: l.group.name,
            law: l.group.law,
            unit: l.group.unit,
            from: l.period.from,
            to: l.period.to,
            providers: l.rows.into_iter().map(Into::into).collect(),
        }
    }
}

pub static SUMMARY: Sheet = Sheet {
    key: "summary",
    file: "scorecard",
    title: "Samenvatting",
    columns: &[
        ("providerAgb", "AGB-code", Text),
        ("providerName", "Aanbieder", Text),
        ("from", "Van", Date),
        ("to", "Tot en met", Date),
        ("spend", "Goedgekeurd bedrag", Euro),
        ("assessedLines", "Beoordeelde regels", Count),
        ("rejectedLines", "Afgewezen regels", Count),
        ("rejectedPercent", "Afgewezen (%)", Percent),
        ("complianceStanding", "Compliance", Text),
    ],
};

pub static GROUPS: Sheet = Sheet {
    key: "productGroups",
    file: "scorecard-product-groups",
    title: "Per perceel",
    columns: &[
        ("productGroupCode", "Perceelcode", Text),
        ("productGroupName", "Perceel", Text),
        ("law", "Wet", crate::report_files::Kind::Law),
        ("unit", "Eenheid", Text),
        ("providersInGroup", "Aanbieders in perceel", Count),
        ("spend", "Goedgekeurd bedrag", Euro),
        ("spendRegionMedian", "Mediaan regio bedrag", Euro),
        ("clients", "Cliënten", Count),
        ("clientsRegionMedian", "Mediaan regio cliënten", Number),
        ("hoursPerClient", "Uren per cliënt", Number),
        (
            "hoursPerClientRegionMedian",
            "Mediaan regio uren per cliënt",
            Number,
        ),
        ("endedAllocations", "Beëindigde toewijzingen", Count),
        ("meanDurationDays", "Gemiddelde duur (dagen)", Number),
        (
            "meanDurationDaysRegionMedian",
            "Mediaan regio gemiddelde duur",
            Number,
        ),
        ("startedAllocations", "Gestarte toewijzingen", Count),
        ("medianWaitDays", "Mediaan wachttijd (dagen)", Number),
        (
            "medianWaitDaysRegionMedian",
            "Mediaan regio mediaan wachttijd",
            Number,
        ),
        ("meanWaitDays", "Gemiddelde wachttijd (dagen)", Number),
        (
            "meanWaitDaysRegionMedian",
            "Mediaan regio gemiddelde wachttijd",
            Number,
        ),
        ("assessedLines", "Beoordeelde regels", Count),
        ("rejectedLines", "Afgewezen regels", Count),
        (
            "rejectedLinesRegionMedian",
            "Mediaan regio afgewezen regels",
            Number,
        ),
        ("rejectedPercent", "Afgewezen (%)", Percent),
        (
            "rejectedPercentRegionMedian",
            "Mediaan regio afgewezen (%)",
            Percent,
        ),
        ("marketSharePercent", "Marktaandeel (%)", Percent),
        (
            "marketSharePercentRegionMedian",
            "Mediaan regio marktaandeel (%)",
            Percent,
        ),
    ],
};

pub static OUTFLOW: Sheet = Sheet {
    key: "outflow",
    file: "scorecard-outflow",
    title: "Uitstroom per reden",
    columns: &[
        ("productGroupCode", "Perceelcode", Text),
        ("reasonCode", "Reden beëindiging", Text),
        ("reason", "Omschrijving", Text),
        ("allocations", "Toewijzingen", Count),
        ("sharePercent", "Aandeel (%)", Percent),
        (
            "sharePercentRegionMedian",
            "Mediaan regio aandeel (%)",
            Percent,
        ),
    ],
};

pub static REASONS: Sheet = Sheet {
    key: "rejectionReasons",
    file: "scorecard-rejection-reasons",
    title: "Redenen van afwijzing",
    columns: &[
        ("reasonCode", "Code", Text),
        ("meaning", "Betekenis", Text),
        ("lines", "Regels", Count),
        ("sharePercent", "Aandeel (%)", Percent),
    ],
};

pub static CEILINGS: Sheet = Sheet {
    key: "budgetCeilings",
    file: "scorecard-budget-ceilings",
    title: "Budgetplafonds",
    columns: &[
        ("year", "Jaar", Text),
        ("productGroupCodes", "Percelen", Text),
        ("municipalityCbs", "CBS-code gemeente", Text),
        ("hard", "Hard plafond", Text),
        ("amount", "Plafond", Euro),
        ("spent", "Besteed", Euro),
        ("usedPercent", "Benut (%)", Percent),
    ],
};

pub static COMPLIANCE: Sheet = Sheet {
    key: "compliance",
    file: "scorecard-compliance",
    title: "Toetsen",
    columns: &[
        ("kind", "Soort", Label),
        ("outcome", "Uitkomst", Label),
        ("checkedOn", "Getoetst op", Date),
        ("validUntil", "Geldig tot", Date),
        ("standing", "Stand", Label),
    ],
};

pub static CONTRACTS: Sheet = Sheet {
    key: "contracts",
    file: "scorecard-contracts",
    title: "Contracten",
    columns: &[
        ("status", "Status", Label),
        ("procurementForm", "Inkoopvorm", Label),
        ("productGroupCodes", "Percelen", Text),
        ("startDate", "Ingangsdatum", Date),
        ("endsOn", "Einddatum", Date),
    ],
};

pub static ROWS: Sheet = Sheet {
    key: "providers",
    file: "scorecards",
    title: "Aanbieders",
    columns: &[
        ("providerAgb", "AGB-code", Text),
        ("providerName", "Aanbieder", Text),
        ("spend", "Goedgekeurd bedrag", Euro),
        ("clients", "Cliënten", Count),
        ("hoursPerClient", "Uren per cliënt", Number),
        ("medianWaitDays", "Mediaan wachttijd (dagen)", Number),
        ("rejectedPercent", "Afgewezen (%)", Percent),
        ("marketSharePercent", "Marktaandeel (%)", Percent),
    ],
};

pub static MEDIANS: Sheet = Sheet {
    key: "regionMedians",
    file: "scorecards-region-medians",
    title: "Mediaan regio",
    columns: &[
        ("productGroupCode", "Perceelcode", Text),
        ("providersInGroup", "Aanbieders in perceel", Count),
        ("spend", "Goedgekeurd bedrag", Euro),
        ("clients", "Cliënten", Number),
        ("hoursPerClient", "Uren per cliënt", Number),
        ("medianWaitDays", "Mediaan wachttijd (dagen)", Number),
        ("rejectedPercent", "Afgewezen (%)", Percent),
        ("marketSharePercent", "Marktaandeel (%)", Percent),
    ],
};

/// Checks the period and the format: each bad field a 400, `from` after
/// `to` a 422 naming both.
fn period(check: &mut Check, from: Option<&str>, to: Option<&str>) -> Option<Period> {
    let from = check.optional_date("from", from);
    let to = check.optional_date("to", to);
    let (default_from, default_to) = default_period(entities::clock::now().date_naive());
    let (from, to) = (from?.unwrap_or(default_from), to?.unwrap_or(default_to));
    if from > to {
        check.fail_rule("from", "must not be after to");
        check.fail_rule("to", "must not be before from");
    }
    Some(Period { from, to })
}

/// A provider's scorecard over a period (default the last 12 complete
/// months): per product group its spend, clients, hours per client, mean
/// duration of care, waiting times, rejected lines and market share, each
/// beside the region's median for the group's providers (`…RegionMedian`);
/// its outflow by reason of ending (RedenBeeindiging), the top reasons of
/// its rejected lines, its budget ceilings' use, its compliance standing
/// and its contracts with their ends. A provider reads only its own.
#[utoipa::path(
    tag = "steering",
    params(
        ("regionCode" = String, Path, description = "Region code"),
        ("agbCode" = String, Path, description = "The provider's AGB code"),
        ScorecardQuery, TableFormat
    ),
    responses(
        (status = 200, description = tables::FORMATS_DESCRIPTION, content(
            (ScorecardOut = "application/json"),
            (inline(FileBytes) = "application/zip"),
            (inline(FileBytes) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the region, or another provider's scorecard asked by a provider", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`from` after `to`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/providers/{agbCode}/scorecard")]
pub async fn get_scorecard(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, String)>,
    query: web::Query<ScorecardQuery>,
    format: web::Query<TableFormat>,
) -> ApiResult<HttpResponse> {
    let mut check = Check::new();
    let period = period(&mut check, query.from.as_deref(), query.to.as_deref());
    format.check(&mut check);
    let period = check.done(period)?;
    let card = scorecards::scorecard(&state.db, &auth.scope, &auth.party, &path.1, period).await?;
    let name = format!(
        "scorecard-{}-{}-{}",
        card.provider_agb, period.from, period.to
    );
    tables::answer(
        &format,
        &name,
        &ScorecardOut::from(card),
        &[
            &SUMMARY,
            &GROUPS,
            &OUTFLOW,
            &REASONS,
            &CEILINGS,
            &COMPLIANCE,
            &CONTRACTS,
        ],
    )
}

/// The providers of a product group with their main figures over a period
/// (as the scorecard: spend, clients, hours per client, median wait,
/// rejected share, market share) and the region's medians, sorted on
/// `sort`. A provider sees only its own row; the medians stay the region's.
#[utoipa::path(
    tag = "steering",
    params(("regionCode" = String, Path, description = "Region code"), ScorecardListQuery, TableFormat),
    responses(
        (status = 200, description = tables::FORMATS_DESCRIPTION, content(
            (ScorecardListOut = "application/json"),
            (inline(FileBytes) = "application/zip"),
            (inline(FileBytes) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No product group with this code in the region", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`from` after `to`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/scorecards")]
pub async fn list_scorecards(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    query: web::Query<ScorecardListQuery>,
    format: web::Query<TableFormat>,
) -> ApiResult<HttpResponse> {
    let mut check = Check::new();
    let code = query.product_group_code.as_deref();
    match code {
        Some(code) => {
            check.code("productGroupCode", code, 32);
        }
        None => check.fail("productGroupCode", "is required"),
    }
    let sort = match query.sort.as_deref() {
        None => Some((SortField::Spend, true)),
        Some(text) => {
            let parsed = SortField::parse(text);
            if parsed.is_none() {
                check.fail(
                    "sort",
                    format!(
                        "must be one of {}, with '-' before it for descending",
                        SortField::NAMES.join(", ")
                    ),
                );
            }
            parsed
        }
    };
    let period = period(&mut check, query.from.as_deref(), query.to.as_deref());
    format.check(&mut check);
    let (period, sort) = check.done(period.zip(sort))?;
    let code = code.unwrap_or_default();
    let list = scorecards::list(&state.db, &auth.scope, &auth.party, code, period, sort).await?;
    tables::answer(
        &format,
        &format!("scorecards-{code}-{}-{}", period.from, period.to),
        &ScorecardListOut::from(list),
        &[&ROWS, &MEDIANS],
    )
}
