//! A year of care in a demo region, made through the domain operations so every
//! rule applies: allocations by the access teams
//! ([`domain::allocations::create`]) and monthly declaration batches by
//! the providers ([`domain::declarations::submit`]), over the last twelve
//! complete months before today. Deterministic per region and date (a
//! seeded `StdRng`); clients are made-up BSNs, kept only as pseudonyms.
//!
//! A few percent of the lines are rejected for reasons providers really
//! run into: a month declared whole though the allocation ended in it
//! (9308, declared again correctly the next month), more hours than
//! allocated (9321), last year's tariff in January (0611, declared again),
//! and a month declared twice (9389). Before the declarations, a few budget
//! ceilings are set for the year from what the plan will approve, one of
//! them so that it ends just past its 80 % alert level.

use domain::client_key::client_key;
use std::collections::BTreeMap;

use chrono::{Datelike, Duration, Months, NaiveDate};
use entities::{
    allocation_rules::{Grant, Volume},
    bsn_check::nth_valid_bsn,
    declaration_rules::{max_in_window, LineIn},
    enums::{ArrangementPeriod, LineStatus, Unit, VolumeFrequency},
    policy::{kinds, PolicyRules},
    schema::{allocation, budget_ceiling},
};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    catalogue::{date, price_on, Catalogue},
    regions::{DemoRegion, Usage},
};
use crate::error::ApiResult;
use domain::audit::Audit;
use domain::{
    self,
    allocations::{CareEvent, Draft, Granted},
    declarations::Submission,
};

/// What the generated year holds.
#[derive(Debug, Default)]
pub(super) struct Summary {
    pub allocations: usize,
    /// Allocations a rule refused (none, unless the rules changed).
    pub refused: usize,
    pub lines: usize,
    pub rejected: usize,
    /// Lines whose verdict differs from the plan (none, unless the rules changed).
    pub unexpected: usize,
}

/// The last twelve complete months before `today`: (first day, last day).
pub fn window(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let this_month = today.with_day(1).unwrap_or(today);
    let first = this_month
        .checked_sub_months(Months::new(12))
        .unwrap_or(this_month);
    (first, this_month - Duration::days(1))
}

struct Planned {
    number: i64,
    client: u32,
    municipality: usize,
    product: usize,
    provider: usize,
    start: NaiveDate,
    end: NaiveDate,
    volume: Volume,
}

/// A planned declaration line and the verdict it should get.
struct PlannedLine {
    allocation: usize,
    period: (NaiveDate, NaiveDate),
    volume: i64,
    declared_tariff: Option<i64>,
    reference: String,
    /// `None`: approved; else the reason code.
    expect: Option<&'static str>,
}

/// Makes the year; `seed` tells the regions apart.
pub(super) async fn generate(
    txn: &DatabaseTransaction,
    seed: u64,
    demo: &DemoRegion,
    cat: &Catalogue,
    secret: &str,
    today: NaiveDate,
) -> ApiResult<Summary> {
    let mut rng = StdRng::seed_from_u64(0x5eed_0000 + seed);
    let (first, last) = window(today);
    let planned = plan_allocations(&mut rng, demo, cat, seed, (first, last));
    let batches = plan_declarations(&mut rng, demo, &planned, (first, last));

    let mut waits = StdRng::seed_from_u64(0x3a17_0000 + seed);
    let mut summary = Summary::default();
    let mut created = vec![false; planned.len()];
    let team = Audit {
        scope: cat.scope,
        actor: "access-team:demo".into(),
    };
    for (i, a) in planned.iter().enumerate() {
        let draft = Draft {
            number: a.number,
            client_key: client_key(secret, &nth_valid_bsn(a.client)),
            municipality: cat.municipalities[a.municipality].clone(),
            product: cat.products[a.product].clone(),
            provider: cat.providers[a.provider].clone(),
            central_access: false,
            start: a.start,
            end: Some(a.end),
            granted: Granted {
                grant: Grant::Volume(a.volume),
                episodes: Vec::new(),
            },
            referrer: super::steering::referrer_of(law_of(demo, a.product), a.number),
            location_id: None,
        };
        // Days between the decision and the start of care, drawn from a
        // stream of its own so the plan above stays as it was.
        let wait = waits.gen_range(5..=40);
        match domain::allocations::create(txn, &cat.scope, &team, draft).await {
            Ok(stored) => {
                registered_before_care(txn, &team, stored.model, a.start, wait).await?;
                created[i] = true;
                summary.allocations += 1;
            }
            Err(domain::DomainError::Rule { code, detail }) => {
                tracing::debug!(code, detail, "demo allocation refused");
                summary.refused += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }

    // After the allocations: a ceiling steers intake, and the demo's
    // ceilings are set on the year as it went (booked by the declarations).
    set_ceilings(txn, demo, cat, &planned, &batches, last.year()).await?;
    for ((month, provider), lines) in &batches {
        let lines: Vec<&PlannedLine> = lines.iter().filter(|l| created[l.allocation]).collect();
        if lines.is_empty() {
            continue;
        }
        let input: Vec<LineIn> = lines
            .iter()
            .map(|l| {
                let a = &planned[l.allocation];
                LineIn {
                    declared_tariff_cents: l.declared_tariff,
                    reference: Some(l.reference.clone()),
                    ..LineIn::debit(
                        a.number,
                        demo.products[a.product].code.into(),
                        l.period,
                        l.volume,
                    )
                }
            })
            .collect();
        let agb = &cat.providers[*provider].agb_code;
        let key = format!("demo-{}", month.format("%Y-%m"));
        let submission = Submission {
            request_hash: format!("{:x}", Sha256::digest(format!("{agb}:{key}"))),
            idempotency_key: key,
            submitter: format!("provider:{agb}"),
            declarer: Some(cat.providers[*provider].id),
        };
        let audit = Audit {
            scope: cat.scope,
            actor: format!("provider:{agb}"),
        };
        let submitted =
            domain::declarations::submit(txn, &cat.scope, &audit, submission, &input).await?;
        for (stored, plan) in submitted.lines.iter().zip(&lines) {
            summary.lines += 1;
            if stored.status == LineStatus::Rejected {
                summary.rejected += 1;
            }
            if stored.reason_code.as_deref() != plan.expect {
                summary.unexpected += 1;
                tracing::debug!(
                    reference = plan.reference,
                    got = ?stored.reason_code,
                    expected = ?plan.expect,
                    "demo line assessed otherwise than planned"
                );
            }
        }
    }
    Ok(summary)
}

/// The allocation as the access team registered it, `wait` days before
/// care starts on `start`, and the provider's 305 reporting that start:
/// the report's waiting time is the days between the two.
pub(super) async fn registered_before_care(
    txn: &DatabaseTransaction,
    audit: &Audit,
    model: allocation::Model,
    start: NaiveDate,
    wait: i64,
) -> ApiResult<()> {
    let started =
        domain::allocations::record_care(txn, audit, model, CareEvent::Started, start).await?;
    let decided = (start - Duration::days(wait))
        .and_hms_opt(10, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let mut row: allocation::ActiveModel = started.into();
    row.created_at = Set(decided);
    row.update(txn).await?;
    Ok(())
}

fn pick(rng: &mut StdRng, weights: impl Iterator<Item = u64>) -> Option<usize> {
    let weights: Vec<u64> = weights.collect();
    let total: u64 = weights.iter().sum();
    if total == 0 {
        return None;
    }
    let mut r = rng.gen_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if r < *w {
            return Some(i);
        }
        r -= w;
    }
    None
}

/// The law of the `product`th product's group.
pub(super) fn law_of(demo: &DemoRegion, product: usize) -> entities::enums::Law {
    let group = demo.products[product].group;
    demo.groups
        .iter()
        .find(|(code, _, _)| *code == group)
        .map(|(_, _, law)| *law)
        .unwrap_or(entities::enums::Law::Wmo)
}

/// Whether the municipality's self-employed policy bars the provider.
pub(super) fn barred(demo: &DemoRegion, cbs: &str, self_employed: bool) -> bool {
    self_employed
        && demo.policies.iter().any(|(kind, scope, rules)| {
            *kind == kinds::SELF_EMPLOYED
                && *scope == cbs
                && matches!(
                    PolicyRules::parse(kind, serde_json::from_str(rules).unwrap_or_default()),
                    Ok(PolicyRules::SelfEmployed(p)) if p.forbidden
                )
        })
}

/// The last day the provider's contracts cover `group` in the municipality
/// without a gap, from a contract in force on `start`; `None` when none is.
pub(super) fn coverage_end(
    cat: &Catalogue,
    provider: usize,
    group: &str,
    municipality: usize,
    start: NaiveDate,
) -> Option<NaiveDate> {
    let mut covers: Vec<_> = cat
        .covers
        .iter()
        .filter(|c| {
            c.provider == provider
                && c.groups.contains(&group)
                && c.municipalities.contains(&municipality)
        })
        .collect();
    covers.sort_by_key(|c| c.start);
    let mut end: Option<NaiveDate> = None;
    for c in covers {
        match end {
            None if c.start <= start && start <= c.end => end = Some(c.end),
            Some(e) if c.start <= e + Duration::days(1) && c.end > e => end = Some(c.end),
            _ => {}
        }
    }
    end
}

fn plan_allocations(
    rng: &mut StdRng,
    demo: &DemoRegion,
    cat: &Catalogue,
    seed: u64,
    (first, last): (NaiveDate, NaiveDate),
) -> Vec<Planned> {
    let earliest = first.checked_sub_months(Months::new(9)).unwrap_or(first);
    let latest = last - Duration::days(20);
    let span = (latest - earliest).num_days().max(1);
    let mut planned = Vec::new();
    for client in 0..demo.clients {
        let Some(m) = pick(
            rng,
            demo.municipalities
                .iter()
                .map(|(_, _, inhabitants)| *inhabitants as u64),
        ) else {
            continue;
        };
        let count = if rng.gen_bool(0.35) { 2 } else { 1 };
        let mut start = earliest + Duration::days(rng.gen_range(0..=span));
        for _ in 0..count {
            if start > latest {
                break;
            }
            let Some(mut a) = plan_one(rng, demo, cat, m, start) else {
                continue;
            };
            a.client = seed as u32 * 100_000 + client;
            // A second product beside the first, or a new allocation after it.
            start = if rng.gen_bool(0.5) {
                a.start + Duration::days(rng.gen_range(0..=30))
            } else {
                a.end + Duration::days(rng.gen_range(1..=30))
            };
            planned.push(a);
        }
    }
    for (k, product) in demo.products.iter().enumerate() {
        if product.closed_from.is_some() {
            plan_current_clients(rng, demo, cat, seed, k, (first, last), &mut planned);
        }
    }
    planned.sort_by_key(|a| (a.start, a.client));
    for (i, a) in planned.iter_mut().enumerate() {
        a.number = 1_000_001 + i as i64;
    }
    planned
}

/// The clients of a product closed to new clients (seed 002 §4.3): a few
/// who held it before it closed, each with the allocation of then running
/// into the generated year and its reassessment after it; no one else.
fn plan_current_clients(
    rng: &mut StdRng,
    demo: &DemoRegion,
    cat: &Catalogue,
    seed: u64,
    product: usize,
    (first, last): (NaiveDate, NaiveDate),
    planned: &mut Vec<Planned>,
) {
    let p = &demo.products[product];
    let (Some(closed), Some(usage)) = (p.closed_from.map(date), p.usage) else {
        return;
    };
    for k in 0..6 {
        let Some(m) = pick(rng, demo.municipalities.iter().map(|m| m.2 as u64)) else {
            continue;
        };
        let start = closed - Duration::days(rng.gen_range(60..=700));
        let ends: Vec<Option<NaiveDate>> = (0..demo.providers.len())
            .map(|n| coverage_end(cat, n, p.group, m, start))
            .collect();
        let Some(provider) = pick(
            rng,
            ends.iter().zip(demo.providers).map(|(end, pr)| {
                if end.is_some() {
                    u64::from(pr.share)
                } else {
                    0
                }
            }),
        ) else {
            continue;
        };
        let covered = ends[provider].unwrap_or(start);
        let renewal = first + Duration::days(rng.gen_range(0..=210));
        let months = rng.gen_range(usage.months.0..=usage.months.1);
        let renewal_end = renewal
            .checked_add_months(Months::new(months))
            .unwrap_or(renewal)
            .min(covered);
        let periods = [
            (start, (renewal - Duration::days(1)).min(covered)),
            (renewal, renewal_end.min(last + Duration::days(365))),
        ];
        for (from, to) in periods {
            if to < from {
                continue;
            }
            planned.push(Planned {
                number: 0,
                client: seed as u32 * 100_000 + 90_000 + k,
                municipality: m,
                product,
                provider,
                start: from,
                end: to,
                volume: Volume {
                    amount: rng.gen_range(usage.amount.0..=usage.amount.1),
                    unit: p.unit,
                    frequency: usage.frequency,
                },
            });
        }
    }
}

/// One allocation starting on `start` in municipality `m`: a product the
/// region allocates, a provider contracted for it there on that day.
fn plan_one(
    rng: &mut StdRng,
    demo: &DemoRegion,
    cat: &Catalogue,
    m: usize,
    start: NaiveDate,
) -> Option<Planned> {
    let cbs = demo.municipalities[m].0;
    for _ in 0..6 {
        let product = pick(
            rng,
            demo.products.iter().map(|p| match p.usage {
                // A product closed to new clients goes to its current
                // clients only (`plan_current_clients`).
                Some(u)
                    if p.last_day.is_none_or(|d| date(d) > start)
                        && p.closed_from.is_none_or(|d| date(d) > start) =>
                {
                    u64::from(u.share)
                }
                _ => 0,
            }),
        )?;
        let p = &demo.products[product];
        let usage: Usage = p.usage?;
        let ends: Vec<Option<NaiveDate>> = (0..demo.providers.len())
            .map(|n| {
                if barred(demo, cbs, demo.providers[n].self_employed) {
                    return None;
                }
                coverage_end(cat, n, p.group, m, start)
            })
            .collect();
        let Some(provider) = pick(
            rng,
            ends.iter().zip(demo.providers).map(|(end, pr)| {
                if end.is_some() {
                    u64::from(pr.share)
                } else {
                    0
                }
            }),
        ) else {
            continue;
        };
        let months = rng.gen_range(usage.months.0..=usage.months.1);
        let mut end = start
            .checked_add_months(Months::new(months))
            .unwrap_or(start)
            - Duration::days(1);
        if let Some(covered) = ends[provider] {
            end = end.min(covered);
        }
        if let Some(last_day) = p.last_day {
            end = end.min(date(last_day));
        }
        if end < start {
            continue;
        }
        return Some(Planned {
            number: 0,
            client: 0,
            municipality: m,
            product,
            provider,
            start,
            end,
            volume: Volume {
                amount: match p.arrangement {
                    // An arrangement per month: every month the allocation touches.
                    Some(ArrangementPeriod::Month) => months_touched(start, end),
                    Some(ArrangementPeriod::Stay) => 1,
                    None => rng.gen_range(usage.amount.0..=usage.amount.1),
                },
                unit: p.unit,
                frequency: usage.frequency,
            },
        });
    }
    None
}

/// The calendar months from `start`'s to `end`'s, both counted.
pub(super) fn months_touched(start: NaiveDate, end: NaiveDate) -> i64 {
    i64::from(end.year() * 12 + end.month() as i32 - start.year() * 12 - start.month() as i32) + 1
}

type Batches = BTreeMap<(NaiveDate, usize), Vec<PlannedLine>>;

fn plan_declarations(
    rng: &mut StdRng,
    demo: &DemoRegion,
    planned: &[Planned],
    (first, last): (NaiveDate, NaiveDate),
) -> Batches {
    let months: Vec<NaiveDate> = (0..12)
        .filter_map(|i| first.checked_add_months(Months::new(i)))
        .filter(|m| *m <= last)
        .collect();
    // One provider per region still uses last year's tariffs in January.
    let late_indexer = 1 % demo.providers.len().max(1);
    let mut batches = Batches::new();
    for (mi, &month) in months.iter().enumerate() {
        let month_end =
            month.checked_add_months(Months::new(1)).unwrap_or(month) - Duration::days(1);
        let next = months.get(mi + 1).copied();
        for (ai, a) in planned.iter().enumerate() {
            if a.end < month || a.start > month_end {
                continue;
            }
            let period = (a.start.max(month), a.end.min(month_end));
            let days = (period.1 - period.0).num_days() + 1;
            let max = max_in_window(&a.volume, days);
            if max < 1 {
                continue;
            }
            let volume =
                if a.volume.unit == Unit::Day && a.volume.frequency == VolumeFrequency::Week {
                    max
                } else {
                    rng.gen_range((max * 6 / 10).max(1)..=max)
                };
            let reference = format!("{}-{}", month.format("%Y%m"), a.number);
            let line = |volume, reference: String, declared_tariff, expect| PlannedLine {
                allocation: ai,
                period,
                volume,
                declared_tariff,
                reference,
                expect,
            };
            let product = &demo.products[a.product];
            if let Some(per) = product.arrangement {
                // Declared once a month, or once for the stay in the month
                // it ends; an arrangement's lines are the plain ones.
                if per == ArrangementPeriod::Month || a.end <= month_end {
                    let reference = format!("{}-{}", month.format("%Y%m"), a.number);
                    batches
                        .entry((month, a.provider))
                        .or_default()
                        .push(PlannedLine {
                            allocation: ai,
                            period,
                            volume: 1,
                            declared_tariff: None,
                            reference,
                            expect: None,
                        });
                }
                continue;
            }
            let old_price = price_on(demo, product, a.provider, month - Duration::days(1));
            let new_price = price_on(demo, product, a.provider, month);
            let r: f64 = rng.gen();
            let ends_inside = a.end < month_end;
            // This month's line, and one the provider sends the month after.
            let (now, later) = if ends_inside && next.is_some() && rng.gen_bool(0.3) {
                // The whole month, though the allocation ended in it.
                let whole = PlannedLine {
                    period: (period.0, month_end),
                    ..line(volume, reference.clone(), None, Some("9308"))
                };
                (
                    whole,
                    Some(line(volume, format!("{reference}-2"), None, None)),
                )
            } else if month.month() == 1
                && a.provider == late_indexer
                && next.is_some()
                && old_price.is_some()
                && old_price != new_price
            {
                (
                    line(volume, reference.clone(), old_price, Some("0611")),
                    Some(line(volume, format!("{reference}-2"), None, None)),
                )
            } else if r < 0.012 && a.volume.unit != Unit::Day {
                let over = max + rng.gen_range(1..=3);
                (line(over, reference, None, Some("9321")), None)
            } else if r < 0.02 && next.is_some() {
                (
                    line(volume, reference.clone(), None, None),
                    Some(line(volume, format!("{reference}-D"), None, Some("9389"))),
                )
            } else {
                (line(volume, reference, None, None), None)
            };
            batches.entry((month, a.provider)).or_default().push(now);
            if let (Some(next), Some(later)) = (next, later) {
                batches.entry((next, a.provider)).or_default().push(later);
            }
        }
    }
    batches
}

/// A few budget ceilings for `year`, set from the plan's approved spend:
/// the largest provider's at about 83 % (past the 80 % alert), another's
/// product group at about 55 %, a third's group in one municipality at
/// about 68 %. Soft ceilings: delivered care is paid.
async fn set_ceilings(
    txn: &DatabaseTransaction,
    demo: &DemoRegion,
    cat: &Catalogue,
    planned: &[Planned],
    batches: &Batches,
    year: i32,
) -> ApiResult<()> {
    // Approved spend per (provider, product index, municipality) in `year`.
    let mut spend: BTreeMap<(usize, &str, usize), i64> = BTreeMap::new();
    for line in batches.values().flatten() {
        let a = &planned[line.allocation];
        let product = &demo.products[a.product];
        if line.expect.is_some() || line.period.0.year() != year {
            continue;
        }
        let price = price_on(demo, product, a.provider, line.period.0).unwrap_or(0);
        *spend
            .entry((a.provider, product.group, a.municipality))
            .or_default() += price * line.volume;
    }
    let total_of = |f: &dyn Fn(&(usize, &str, usize)) -> bool| -> i64 {
        spend.iter().filter(|(k, _)| f(k)).map(|(_, v)| *v).sum()
    };
    let mut by_provider: Vec<(i64, usize)> = (0..demo.providers.len())
        .map(|n| (total_of(&|k| k.0 == n), n))
        .filter(|(s, _)| *s > 0)
        .collect();
    by_provider.sort_by(|a, b| b.cmp(a));
    let mut ceilings = Vec::new();
    if let Some((s, n)) = by_provider.first() {
        ceilings.push((*n, None, None, *s, 83));
    }
    if let Some((_, n)) = by_provider.get(1) {
        let best = demo
            .groups
            .iter()
            .map(|(g, _, _)| (total_of(&|k| k.0 == *n && k.1 == *g), *g))
            .max();
        if let Some((s, g)) = best.filter(|(s, _)| *s > 0) {
            ceilings.push((*n, Some(g), None, s, 55));
        }
    }
    if let Some((_, n)) = by_provider.get(2) {
        let best = spend
            .iter()
            .filter(|(k, _)| k.0 == *n)
            .map(|(k, v)| (*v, k.1, k.2))
            .max();
        if let Some((s, g, m)) = best {
            ceilings.push((*n, Some(g), Some(m), s, 68));
        }
    }
    for (n, group, municipality, spent, percent) in ceilings {
        // Whole hundreds of euros, rounded up.
        let amount = (spent * 100 / percent + 9_999) / 10_000 * 10_000;
        budget_ceiling::ActiveModel {
            region_id: Set(cat.scope.region_id),
            id: Set(Uuid::now_v7()),
            provider_id: Set(Some(cat.providers[n].id)),
            product_group_id: Set(
                group.and_then(|g| cat.groups.iter().find(|m| m.code == g).map(|m| m.id))
            ),
            municipality_id: Set(municipality.map(|m| cat.municipalities[m].id)),
            year: Set(year),
            amount_cents: Set(amount),
            hard: Set(false),
            spent_cents: Set(0),
            created_at: Set(entities::clock::now()),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}
