//! The rows of a demo region that the office keeps by hand: region,
//! municipalities, lots, products and their tariffs, policies, index
//! figures, providers and contracts. A product is made in one place
//! ([`insert_product`]), and so is a contract ([`insert_contract`]).

use chrono::{Datelike, NaiveDate};
use entities::{
    contract_term::current_end_date,
    enums::{ContractStatus, FundingVariant, TaskBudgetSplit, Unit},
    money::{euros_to_cents, round_to_cents_half_away_from_zero},
    schema::{
        contract, contract_municipality, contract_product_group, index_figure, municipality,
        municipality_population, policy, product, product_group, provider, region, tariff,
        task_budget,
    },
    RegionScope,
};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use uuid::Uuid;

use super::regions::{DemoProduct, DemoRegion, Track, INDEX_FIGURES};

/// A demo region as stored, in the order of its description.
pub(super) struct Catalogue {
    pub scope: RegionScope,
    pub municipalities: Vec<municipality::Model>,
    pub groups: Vec<product_group::Model>,
    pub products: Vec<product::Model>,
    pub providers: Vec<provider::Model>,
    pub covers: Vec<Cover>,
}

/// What one contract covers, as the generator needs it.
pub(super) struct Cover {
    pub provider: usize,
    pub groups: &'static [&'static str],
    /// Indices into the region's municipalities.
    pub municipalities: Vec<usize>,
    pub start: NaiveDate,
    /// The current end (initial term and exercised options).
    pub end: NaiveDate,
}

pub(super) fn date((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The 2026 tariffs: 2025 indexed by 4.96 % (the VNG worked example, and
/// the demo's 2026 index figures), cents half away from zero.
fn indexed(cents: i64, factor: Decimal) -> i64 {
    let price = round_to_cents_half_away_from_zero(Decimal::new(cents, 2) * factor);
    euros_to_cents(price).unwrap_or(cents)
}

const INDEX_2026: Decimal = Decimal::from_parts(10496, 0, 0, false, 4);
const DIFFERENTIATION: Decimal = Decimal::from_parts(102, 0, 0, false, 2);

/// The tariff (cents) of `product` for `provider` on `day`, as
/// [`insert_tariffs`] stores it: the region's 2025 price, indexed from 2026,
/// and 2 % above it from 2026 for a provider with its own tariff.
pub(super) fn price_on(
    demo: &DemoRegion,
    product: &DemoProduct,
    provider: usize,
    day: NaiveDate,
) -> Option<i64> {
    let cents = product.price_2025?;
    if day < date((2025, 1, 1)) || product.last_day.is_some_and(|last| day > date(last)) {
        return None;
    }
    if day < date((2026, 1, 1)) {
        return Some(cents);
    }
    if demo.differentiated_tariff == Some((product.code, provider)) {
        return Some(indexed(cents, INDEX_2026 * DIFFERENTIATION));
    }
    Some(indexed(cents, INDEX_2026))
}

/// The years a demo made on `today` shows: the twelve months before it
/// (which may span two years), the 24 months of the reports' trends, and
/// the next year (task budgets, indexation).
pub(super) fn years_shown(today: NaiveDate) -> std::ops::RangeInclusive<i32> {
    let (_, last) = super::activity::window(today);
    (last.year() - 2).min(2024)..=(last.year() + 1).max(2027)
}

/// Stores the region and its catalogue, rules, providers and contracts;
/// every municipality with its inhabitants for every year in `years`.
pub(super) async fn insert<C: ConnectionTrait>(
    db: &C,
    index: usize,
    demo: &DemoRegion,
    years: std::ops::RangeInclusive<i32>,
) -> Result<Catalogue, DbErr> {
    let now = entities::clock::now();
    let region = region::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(demo.code.into()),
        name: Set(demo.name.into()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    let scope = RegionScope::new(region.id);
    let rid = scope.region_id;

    let mut municipalities = Vec::new();
    for (cbs, name, inhabitants) in demo.municipalities {
        let m = municipality::ActiveModel {
            region_id: Set(rid),
            id: Set(Uuid::now_v7()),
            cbs_code: Set((*cbs).into()),
            name: Set((*name).into()),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
        // The same (rounded, approximate) CBS figure each year: see regions.rs.
        for year in years.clone() {
            municipality_population::ActiveModel {
                region_id: Set(rid),
                municipality_id: Set(m.id),
                year: Set(year),
                inhabitants: Set(*inhabitants),
            }
            .insert(db)
            .await?;
        }
        municipalities.push(m);
    }

    let mut groups = Vec::new();
    for (code, name, law) in demo.groups {
        let g = product_group::ActiveModel {
            region_id: Set(rid),
            id: Set(Uuid::now_v7()),
            code: Set((*code).into()),
            name: Set((*name).into()),
            law: Set(*law),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
        groups.push(g);
    }
    let group_id = |code: &str| {
        groups
            .iter()
            .find(|g| g.code == code)
            .map(|g| g.id)
            .unwrap_or_default()
    };

    let mut products = Vec::new();
    for p in demo.products {
        // Main products come before their temporary-intensive products.
        let main = p.intensive_for.and_then(|code| {
            products
                .iter()
                .find(|m: &&product::Model| m.code == code)
                .map(|m| m.id)
        });
        products.push(insert_product(db, rid, group_id(p.group), p, main).await?);
    }

    for (kind, scope_key, rules) in demo.policies {
        // Checked as `PUT …/policies` checks them: a typo is an error, not
        // a rule that silently does not apply.
        let body: serde_json::Value =
            serde_json::from_str(rules).map_err(|e| DbErr::Custom(format!("{kind}: {e}")))?;
        entities::policy::PolicyRules::parse(kind, body.clone())
            .map_err(|e| DbErr::Custom(format!("{kind}: {e}")))?;
        policy::ActiveModel {
            region_id: Set(rid),
            id: Set(Uuid::now_v7()),
            kind: Set((*kind).into()),
            scope_key: Set((*scope_key).into()),
            body: Set(body),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
    }
    // The figures of the series the region's indexation policy weighs.
    let weighed: Vec<String> = demo
        .policies
        .iter()
        .filter(|(kind, _, _)| *kind == entities::policy::kinds::INDEXATION)
        .filter_map(|(_, _, rules)| serde_json::from_str::<serde_json::Value>(rules).ok())
        .filter_map(|body| {
            body["weights"]
                .as_object()
                .map(|w| w.keys().cloned().collect::<Vec<_>>())
        })
        .flatten()
        .collect();
    for (series, year, forecast, definitive) in INDEX_FIGURES
        .iter()
        .filter(|(series, ..)| weighed.iter().any(|w| w == series))
    {
        index_figure::ActiveModel {
            region_id: Set(rid),
            id: Set(Uuid::now_v7()),
            series: Set((*series).into()),
            year: Set(*year),
            forecast_percent: Set(Some((*forecast).into())),
            definitive_percent: Set(definitive.map(Into::into)),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
    }

    let mut providers = Vec::new();
    for (n, p) in demo.providers.iter().enumerate() {
        let agb = format!("98{:02}{:04}", index + 1, n + 1);
        let kvk = format!("6{:02}{:05}", index + 1, 1000 + n);
        providers.push(
            provider::ActiveModel {
                region_id: Set(rid),
                id: Set(Uuid::now_v7()),
                agb_code: Set(agb),
                kvk_number: Set(kvk),
                name: Set(p.name.into()),
                uses_self_employed: Set(p.self_employed),
                integrity_checked_on: Set(Some(date((2024, 9, 1)))),
                financial_checked_on: Set(Some(date((2024, 10, 15)))),
                created_at: Set(now),
            }
            .insert(db)
            .await?,
        );
    }

    for (p, model) in demo.products.iter().zip(&products) {
        insert_tariffs(db, rid, demo, p, model.id, &providers).await?;
    }

    let mut covers = Vec::new();
    for track in demo.tracks {
        let served: Vec<usize> = demo
            .municipalities
            .iter()
            .enumerate()
            .filter(|(_, (cbs, _, _))| !track.except.contains(cbs))
            .map(|(i, _)| i)
            .collect();
        let group_ids: Vec<Uuid> = track.groups.iter().map(|g| group_id(g)).collect();
        let municipality_ids: Vec<Uuid> = served.iter().map(|i| municipalities[*i].id).collect();
        for &n in track.providers {
            let c = insert_contract(
                db,
                rid,
                providers[n].id,
                track,
                &group_ids,
                &municipality_ids,
            )
            .await?;
            if let Some(task) = products
                .iter()
                .find(|p| p.funding_variant == FundingVariant::Task)
                .filter(|p| group_ids.contains(&p.product_group_id))
            {
                insert_task_budget(db, rid, &c, task).await?;
            }
            let end = current_end_date(
                c.start_date,
                track.initial_term_months,
                track.extension_options_months,
                track.extensions_exercised as usize,
            );
            covers.push(Cover {
                provider: n,
                groups: track.groups,
                municipalities: served.clone(),
                start: c.start_date,
                end: end.unwrap_or(c.start_date),
            });
        }
    }
    Ok(Catalogue {
        scope,
        municipalities,
        groups,
        products,
        providers,
        covers,
    })
}

/// Seed 003 §3.3: Amersfoort's begeleiding as a task for its first year,
/// of the document's size: "In 2024 bedroegen de totale kosten voor Wmo
/// begeleiding circa € 18 miljoen" and the number of clients "blijft
/// stabiel". The demo's split of that sum: 2,300 clients × 120 hours × the
/// task product's tariff (€ 65.08 an hour: 2,300 × 120 × 65.08 = €
/// 17,962,080); split by inhabitants, with the start-up costs at the 5%
/// maximum. The API shows
/// the budget; the monthly funding run pays it from its first month.
async fn insert_task_budget<C: ConnectionTrait>(
    db: &C,
    region_id: Uuid,
    contract: &contract::Model,
    task: &product::Model,
) -> Result<(), DbErr> {
    let year = contract.start_date.year();
    let scope = RegionScope::new(region_id);
    let bands = vec![entities::funding::IntensityBand {
        clients: 2_300,
        hours: rust_decimal::Decimal::from(120),
    }];
    // Only a year the task product has a price for (not the 2023 open house).
    let Some(price) =
        domain::funding::hourly_price(db, &scope, task.id, contract.provider_id, year).await?
    else {
        return Ok(());
    };
    let Some(annual) = entities::funding::annual_budget_cents(&bands, price) else {
        return Ok(());
    };
    let now = entities::clock::now();
    task_budget::ActiveModel {
        region_id: Set(region_id),
        id: Set(Uuid::now_v7()),
        contract_id: Set(contract.id),
        product_id: Set(task.id),
        year: Set(year),
        planned_clients: Set(bands.iter().map(|b| b.clients as i32).sum()),
        intensity_bands: Set(serde_json::json!(bands)),
        startup_cents: Set(annual * entities::funding::MAX_STARTUP_PERCENT / 100),
        split: Set(TaskBudgetSplit::Inhabitants),
        planned_clients_per_municipality: Set(None),
        schedule: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// One product of the catalogue.
async fn insert_product<C: ConnectionTrait>(
    db: &C,
    region_id: Uuid,
    group_id: Uuid,
    p: &DemoProduct,
    intensive_for: Option<Uuid>,
) -> Result<product::Model, DbErr> {
    product::ActiveModel {
        region_id: Set(region_id),
        id: Set(Uuid::now_v7()),
        code: Set(p.code.into()),
        name: Set(p.name.into()),
        product_group_id: Set(group_id),
        iwmo_category: Set(p.category.into()),
        unit: Set(p.unit),
        funding_variant: Set(p.variant),
        intensive_for_product_id: Set(intensive_for),
        arrangement_period: Set(p.arrangement),
        closed_to_new_clients_from: Set(p.closed_from.map(date)),
        crisis: Set(false),
        created_at: Set(entities::clock::now()),
    }
    .insert(db)
    .await
}

/// The product's tariffs: 2025, its indexed 2026 successor (open-ended, or
/// to the product's last day), and a provider's own 2026 tariff where the
/// region differentiates. Exactly what [`price_on`] answers.
async fn insert_tariffs<C: ConnectionTrait>(
    db: &C,
    region_id: Uuid,
    demo: &DemoRegion,
    p: &DemoProduct,
    product_id: Uuid,
    providers: &[provider::Model],
) -> Result<(), DbErr> {
    let Some(cents) = p.price_2025 else {
        return Ok(()); // a budget or task product has no unit price
    };
    if p.unit == Unit::Euro {
        return Ok(());
    }
    let jan_2026 = date((2026, 1, 1));
    let until = p.last_day.map(date);
    let first = insert_tariff(
        db,
        region_id,
        product_id,
        None,
        (date((2025, 1, 1)), Some(date((2025, 12, 31)))),
        cents,
        None,
    )
    .await?;
    let region_2026 = price_on(demo, p, usize::MAX, jan_2026).unwrap_or(cents);
    insert_tariff(
        db,
        region_id,
        product_id,
        None,
        (jan_2026, until),
        region_2026,
        Some(first),
    )
    .await?;
    if let Some((code, n)) = demo.differentiated_tariff {
        if code == p.code {
            let own = price_on(demo, p, n, jan_2026).unwrap_or(region_2026);
            insert_tariff(
                db,
                region_id,
                product_id,
                providers.get(n).map(|m| m.id),
                (jan_2026, until),
                own,
                None,
            )
            .await?;
        }
    }
    Ok(())
}

async fn insert_tariff<C: ConnectionTrait>(
    db: &C,
    region_id: Uuid,
    product_id: Uuid,
    provider_id: Option<Uuid>,
    (valid_from, valid_to): (NaiveDate, Option<NaiveDate>),
    price_cents: i64,
    supersedes_id: Option<Uuid>,
) -> Result<Uuid, DbErr> {
    let t = tariff::ActiveModel {
        region_id: Set(region_id),
        id: Set(Uuid::now_v7()),
        product_id: Set(product_id),
        provider_id: Set(provider_id),
        municipality_id: Set(None),
        valid_from: Set(valid_from),
        valid_to: Set(valid_to),
        price_cents: Set(price_cents),
        supersedes_id: Set(supersedes_id),
        indexation_run_id: Set(None),
        created_at: Set(entities::clock::now()),
    };
    Ok(t.insert(db).await?.id)
}

/// One framework contract of a track with one provider, covering the
/// track's lots in the municipalities it serves.
async fn insert_contract<C: ConnectionTrait>(
    db: &C,
    region_id: Uuid,
    provider_id: Uuid,
    track: &Track,
    group_ids: &[Uuid],
    municipality_ids: &[Uuid],
) -> Result<contract::Model, DbErr> {
    let c = contract::ActiveModel {
        region_id: Set(region_id),
        id: Set(Uuid::now_v7()),
        provider_id: Set(provider_id),
        procurement_form: Set(track.form),
        start_date: Set(date(track.start)),
        initial_term_months: Set(track.initial_term_months as i32),
        extension_options_months: Set(serde_json::json!(track.extension_options_months)),
        extensions_exercised: Set(track.extensions_exercised as i32),
        status: Set(ContractStatus::Active),
        terminated_on: Set(None),
        termination_reason: Set(None),
        termination_ground: Set(None),
        notice_months: Set(track.notice_months as i32),
        amended_months: Set(0),
        estimated_value_cents: Set(None),
        procurement_id: Set(None),
        created_at: Set(entities::clock::now()),
    }
    .insert(db)
    .await?;
    for group_id in group_ids {
        contract_product_group::ActiveModel {
            region_id: Set(region_id),
            contract_id: Set(c.id),
            product_group_id: Set(*group_id),
        }
        .insert(db)
        .await?;
    }
    for municipality_id in municipality_ids {
        contract_municipality::ActiveModel {
            region_id: Set(region_id),
            contract_id: Set(c.id),
            municipality_id: Set(*municipality_id),
        }
        .insert(db)
        .await?;
    }
    Ok(c)
}
