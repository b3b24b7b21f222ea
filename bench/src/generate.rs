//! The deterministic data generator: the same seed and scale give the same
//! rows (ids included). Volume tables go in through the bulk path
//! (`bulk::load`); the rollups are then built by the migration's backfill,
//! exactly as an upgraded installation gets them.
//!
//! The shape follows DOMAIN.md: a product mix over six product groups, each
//! served by about a third of the providers with Zipf-like shares (top 3
//! about 35%, top 10 about 60% of spend, as in seed 002 Table 1), one
//! allocation per client (a fifth have a second one in another product group;
//! a tenth move on to another provider mid-year), and
//! one approved declaration line per allocation and month, January to
//! November 2025. December is left for the ingestion benchmark.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entities::{
    enums::{
        ContractStatus, FundingVariant, Law, LineStatus, ProcurementForm, Unit, VolumeFrequency,
    },
    schema::{
        allocation, contract, contract_municipality, contract_product_group, declaration_batch,
        declaration_line, municipality, municipality_population, product, product_group, provider,
        region, tariff,
    },
};
use rand::{distributions::WeightedIndex, prelude::*, rngs::StdRng};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use uuid::Uuid;

use crate::{bulk, scale::RegionSize, Scale};

pub const YEAR: i32 = 2025;
/// Months with declarations; the bench declares the next one over HTTP.
pub const DECLARED_MONTHS: u32 = 11;

/// (code, name, law, unit, share of clients in percent, price range in cents)
type GroupSpec = (&'static str, &'static str, Law, Unit, u32, (i64, i64));

const GROUPS: &[GroupSpec] = &[
    (
        "HO",
        "Huishoudelijke ondersteuning",
        Law::Wmo,
        Unit::Hour,
        30,
        (3_000, 4_500),
    ),
    (
        "BG",
        "Begeleiding",
        Law::Wmo,
        Unit::Hour,
        25,
        (5_500, 9_000),
    ),
    (
        "DB",
        "Dagbesteding",
        Law::Wmo,
        Unit::DayPart,
        15,
        (3_500, 6_500),
    ),
    (
        "BW",
        "Beschermd wonen",
        Law::Wmo,
        Unit::Day,
        5,
        (9_000, 20_000),
    ),
    (
        "JA",
        "Jeugdhulp ambulant",
        Law::Jeugdwet,
        Unit::Hour,
        20,
        (7_000, 11_000),
    ),
    (
        "JV",
        "Jeugdhulp met verblijf",
        Law::Jeugdwet,
        Unit::Day,
        5,
        (12_000, 30_000),
    ),
];

/// Region codes are `bench-01` … so a bench database is never mistaken for a real one.
pub fn region_code(index: usize) -> String {
    format!("bench-{:02}", index + 1)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn month_end(y: i32, m: u32) -> NaiveDate {
    let next = if m == 12 {
        date(y + 1, 1, 1)
    } else {
        date(y, m + 1, 1)
    };
    next.pred_opt().unwrap_or(next)
}

fn id(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.gen()).into_uuid()
}

fn created() -> DateTime<Utc> {
    DateTime::from_timestamp(1_733_011_200, 0).unwrap_or_default() // 2024-12-01
}

/// What was generated, for the log.
#[derive(Debug, Default)]
pub struct Generated {
    pub regions: usize,
    pub providers: usize,
    pub clients: usize,
    pub tariffs: usize,
    pub lines: usize,
}

/// Fills an empty, migrated database.
pub async fn generate(
    db: &DatabaseConnection,
    scale: Scale,
    seed: u64,
) -> Result<Generated, DbErr> {
    let mut total = Generated::default();
    for (index, size) in scale.regions().into_iter().enumerate() {
        let mut rng =
            StdRng::seed_from_u64(seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        region_data(db, &mut rng, index, size, &mut total).await?;
        total.regions += 1;
        eprintln!(
            "generated region {}/{}: {} clients, {} lines so far",
            index + 1,
            scale.regions().len(),
            size.clients,
            total.lines
        );
    }
    let started = std::time::Instant::now();
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Statistics first: without them the rollup joins run as nested loops.
        db.execute_unprepared("ANALYZE").await?;
    }
    migration::backfill_rollups(db).await?;
    eprintln!("rolled up in {:.1} s", started.elapsed().as_secs_f64());
    Ok(total)
}

struct Product {
    id: Uuid,
    code: String,
    group: usize,
    unit: Unit,
    /// Price per provider, by provider index.
    prices: Vec<(Uuid, i64)>,
}

async fn region_data(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    index: usize,
    size: RegionSize,
    total: &mut Generated,
) -> Result<(), DbErr> {
    let region_id = id(rng);
    let now = created();
    bulk::load::<region::Entity>(
        db,
        vec![region::Model {
            id: region_id,
            code: region_code(index),
            name: format!("Benchmarkregio {}", index + 1),
            created_at: now,
        }],
    )
    .await?;

    // Municipalities, with inhabitants for the spend-per-inhabitant table.
    let municipalities: Vec<municipality::Model> = (0..size.municipalities)
        .map(|m| municipality::Model {
            region_id,
            id: id(rng),
            cbs_code: format!("GM{:04}", 1 + index * 20 + m),
            name: format!("Gemeente {}-{}", index + 1, m + 1),
            created_at: now,
        })
        .collect();
    let inhabitants: Vec<i64> = municipalities
        .iter()
        .map(|_| rng.gen_range(8_000..180_000))
        .collect();
    let populations = municipalities
        .iter()
        .zip(&inhabitants)
        .map(|(m, n)| municipality_population::Model {
            region_id,
            municipality_id: m.id,
            year: YEAR,
            inhabitants: *n,
        })
        .collect();
    bulk::load::<municipality::Entity>(db, municipalities.clone()).await?;
    bulk::load::<municipality_population::Entity>(db, populations).await?;

    // Catalogue: products spread over the groups by their share.
    let groups: Vec<product_group::Model> = GROUPS
        .iter()
        .map(|(code, name, law, ..)| product_group::Model {
            region_id,
            id: id(rng),
            code: (*code).into(),
            name: (*name).into(),
            law: *law,
            created_at: now,
        })
        .collect();
    let group_by_share = WeightedIndex::new(GROUPS.iter().map(|g| g.4)).map_err(custom)?;
    let mut product_groups: Vec<usize> = (0..GROUPS.len()).collect(); // each group at least one
    while product_groups.len() < size.products {
        product_groups.push(group_by_share.sample(rng));
    }
    product_groups.sort_unstable();

    // Providers, each serving one to three groups; per group a Zipf share by a random rank.
    let providers: Vec<provider::Model> = (0..size.providers)
        .map(|p| provider::Model {
            region_id,
            id: id(rng),
            agb_code: format!("{:02}{:06}", index + 10, p + 1),
            kvk_number: format!("{:02}{:06}", index + 10, p + 1),
            name: format!("Zorgaanbieder {}-{}", index + 1, p + 1),
            uses_self_employed: rng.gen_bool(0.2),
            integrity_checked_on: Some(date(2024, 6, 1)),
            financial_checked_on: Some(date(2024, 6, 1)),
            created_at: now,
        })
        .collect();
    let mut serves: Vec<Vec<usize>> = vec![Vec::new(); GROUPS.len()];
    for p in 0..providers.len() {
        let count = rng.gen_range(1..=3);
        for g in rand::seq::index::sample(rng, GROUPS.len(), count) {
            serves[g].push(p);
        }
    }
    for (g, list) in serves.iter_mut().enumerate() {
        if list.is_empty() {
            list.push(g % providers.len());
        }
        list.shuffle(rng);
    }
    let group_providers: Vec<WeightedIndex<f64>> = serves
        .iter()
        .map(|list| WeightedIndex::new((1..=list.len()).map(|rank| 1.0 / rank as f64)))
        .collect::<Result<_, _>>()
        .map_err(custom)?;

    let mut products = Vec::new();
    let mut product_rows = Vec::new();
    let mut tariffs = Vec::new();
    for (n, &g) in product_groups.iter().enumerate() {
        let (code, name, _, unit, _, (low, high)) = GROUPS[g];
        let product_id = id(rng);
        let product_code = format!("{code}{:03}", n + 1);
        product_rows.push(product::Model {
            region_id,
            id: product_id,
            code: product_code.clone(),
            name: format!("{name} {}", n + 1),
            product_group_id: groups[g].id,
            iwmo_category: format!("{:02}", g + 1),
            unit,
            funding_variant: FundingVariant::Effort,
            intensive_for_product_id: None,
            arrangement_period: None,
            closed_to_new_clients_from: None,
            crisis: false,
            created_at: now,
        });
        let base = rng.gen_range(low..high);
        let prices: Vec<(Uuid, i64)> = providers
            .iter()
            .map(|p| {
                let tariff_id = id(rng);
                let price = base + rng.gen_range(-(base / 20)..=base / 20);
                tariffs.push(tariff::Model {
                    region_id,
                    id: tariff_id,
                    product_id,
                    provider_id: Some(p.id),
                    municipality_id: None,
                    valid_from: date(YEAR, 1, 1),
                    valid_to: None,
                    price_cents: price,
                    supersedes_id: None,
                    indexation_run_id: None,
                    created_at: now,
                });
                (tariff_id, price)
            })
            .collect();
        products.push(Product {
            id: product_id,
            code: product_code,
            group: g,
            unit,
            prices,
        });
    }
    total.tariffs += tariffs.len();
    total.providers += providers.len();
    bulk::load::<product_group::Entity>(db, groups.clone()).await?;
    bulk::load::<product::Entity>(db, product_rows).await?;
    bulk::load::<provider::Entity>(db, providers.clone()).await?;
    bulk::load::<tariff::Entity>(db, tariffs).await?;

    // One open-house contract per provider for its groups, in every municipality.
    let mut contracts = Vec::new();
    let mut contract_groups = Vec::new();
    let mut contract_municipalities = Vec::new();
    for (p, provider) in providers.iter().enumerate() {
        let contract_id = id(rng);
        contracts.push(contract::Model {
            region_id,
            id: contract_id,
            provider_id: provider.id,
            procurement_form: ProcurementForm::OpenHouse,
            start_date: date(2023, 1, 1),
            initial_term_months: 48,
            extension_options_months: serde_json::json!([24, 24]),
            extensions_exercised: 0,
            status: ContractStatus::Active,
            terminated_on: None,
            termination_reason: None,
            termination_ground: None,
            notice_months: 12,
            amended_months: 0,
            estimated_value_cents: None,
            procurement_id: None,
            created_at: now,
        });
        for (g, list) in serves.iter().enumerate() {
            if list.contains(&p) {
                contract_groups.push(contract_product_group::Model {
                    region_id,
                    contract_id,
                    product_group_id: groups[g].id,
                });
            }
        }
        for m in &municipalities {
            contract_municipalities.push(contract_municipality::Model {
                region_id,
                contract_id,
                municipality_id: m.id,
            });
        }
    }
    bulk::load::<contract::Entity>(db, contracts).await?;
    bulk::load::<contract_product_group::Entity>(db, contract_groups).await?;
    bulk::load::<contract_municipality::Entity>(db, contract_municipalities).await?;

    // Clients: municipality by inhabitants, group by share, provider by Zipf.
    let by_inhabitants = WeightedIndex::new(&inhabitants).map_err(custom)?;
    let products_of_group: Vec<Vec<usize>> = (0..GROUPS.len())
        .map(|g| {
            (0..products.len())
                .filter(|&p| products[p].group == g)
                .collect()
        })
        .collect();
    let batches: Vec<declaration_batch::Model> = (1..=DECLARED_MONTHS)
        .map(|m| declaration_batch::Model {
            region_id,
            id: id(rng),
            idempotency_key: format!("generated-{YEAR}-{m:02}"),
            request_hash: String::new(),
            submitted_by: "generator".into(),
            submitter: "actor:generator".into(),
            line_count: 0,
            approved_count: 0,
            created_at: now,
        })
        .collect();
    let mut line_counts = vec![0i32; batches.len()];
    let mut allocations = Vec::with_capacity(size.clients + size.clients / 10);
    let mut lines = Vec::new();
    let mut number = 100_000i64;
    for _ in 0..size.clients {
        let client_key = format!("{:032x}{:032x}", rng.gen::<u128>(), rng.gen::<u128>());
        let municipality_id = municipalities[by_inhabitants.sample(rng)].id;
        // A fifth of the clients get care from a second product group too.
        let mut used_group = usize::MAX;
        for _ in 0..if rng.gen_bool(0.2) { 2 } else { 1 } {
            let mut g = group_by_share.sample(rng);
            if g == used_group {
                g = (g + 1) % GROUPS.len();
            }
            used_group = g;
            let product = &products[*products_of_group[g].choose(rng).unwrap_or(&0)];
            // 70% run all year; the rest start or end within it.
            let (start, mut end) = match rng.gen_range(0..10) {
                0..=6 => (date(YEAR - 1, 1, 1), None),
                7 | 8 => (date(YEAR, rng.gen_range(2..=DECLARED_MONTHS), 1), None),
                _ => {
                    let m = rng.gen_range(1..DECLARED_MONTHS);
                    (date(YEAR - 1, 6, 1), Some(month_end(YEAR, m)))
                }
            };
            let first_provider = serves[g][group_providers[g].sample(rng)];
            // A tenth of the year-round clients move to another provider mid-year.
            let mut stints = vec![(first_provider, start)];
            if end.is_none() && start.year() < YEAR && rng.gen_bool(0.1) && serves[g].len() > 1 {
                let m = rng.gen_range(2..=DECLARED_MONTHS);
                end = Some(month_end(YEAR, m - 1));
                let other = *serves[g]
                    .iter()
                    .find(|p| **p != first_provider)
                    .unwrap_or(&first_provider);
                stints.push((other, date(YEAR, m, 1)));
            }
            let amount: i64 = match product.unit {
                Unit::Day => rng.gen_range(10..=31),
                Unit::DayPart => rng.gen_range(8..=20),
                _ => rng.gen_range(8..=40),
            };
            for (i, (p, from)) in stints.iter().enumerate() {
                let to = if i == 0 { end } else { None };
                number += 1;
                let allocation_id = id(rng);
                allocations.push(allocation::Model {
                    region_id,
                    id: allocation_id,
                    allocation_number: number,
                    client_key: client_key.clone(),
                    client_number: entities::client_number::client_number(&client_key),
                    municipality_id,
                    product_id: product.id,
                    provider_id: providers[*p].id,
                    start_date: *from,
                    end_date: to,
                    volume_amount: Some(amount),
                    volume_unit: Some(product.unit),
                    volume_frequency: Some(VolumeFrequency::Month),
                    budget_cents: None,
                    stopped_on: None,
                    stop_reason: None,
                    care_started_on: None,
                    care_ended_on: None,
                    care_end_reason: None,
                    removed_at: None,
                    referrer: None,
                    location_id: None,
                    created_at: now,
                    updated_at: now,
                });
                let (tariff_id, price) = product.prices[*p];
                for m in 1..=DECLARED_MONTHS {
                    let (first, last) = (date(YEAR, m, 1), month_end(YEAR, m));
                    if first < *from || to.is_some_and(|t| last > t) {
                        continue;
                    }
                    let volume = rng.gen_range((amount / 2).max(1)..=amount);
                    let b = (m - 1) as usize;
                    line_counts[b] += 1;
                    lines.push(declaration_line::Model {
                        region_id,
                        id: id(rng),
                        batch_id: batches[b].id,
                        line_no: line_counts[b],
                        allocation_id: Some(allocation_id),
                        allocation_number: number,
                        product_code: product.code.clone(),
                        period_start: first,
                        period_end: last,
                        delivered_volume: volume,
                        declared_amount_cents: None,
                        amount_cents: Some(volume * price),
                        tariff_id: Some(tariff_id),
                        status: LineStatus::Approved,
                        reason_code: None,
                        reason: None,
                        reference_number: None,
                        reference_provider_id: None,
                        reference_law: None,
                        previous_reference: None,
                        credit: false,
                        reversed_by: None,
                    });
                }
            }
        }
    }
    total.clients += size.clients;
    total.lines += lines.len();
    let batches = batches
        .into_iter()
        .zip(line_counts)
        .map(|(b, n)| declaration_batch::Model {
            line_count: n,
            approved_count: n,
            ..b
        })
        .collect();
    let started = std::time::Instant::now();
    bulk::load::<allocation::Entity>(db, allocations).await?;
    bulk::load::<declaration_batch::Entity>(db, batches).await?;
    bulk::load::<declaration_line::Entity>(db, lines).await?;
    eprintln!(
        "loaded allocations and lines in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn custom(e: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(e.to_string())
}
