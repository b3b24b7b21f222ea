//! `api --demo`: the five regions of DOMAIN.md with their real municipalities
//! (CBS codes; inhabitants rounded, about 1 January 2024), a catalogue drawn
//! from the seed documents, plausible tariffs for 2025 and 2026, and a few
//! providers with contracts. Provider names, AGB/KvK numbers, iWmo categories
//! and prices are invented. A region that already exists is left alone.

use chrono::NaiveDate;
use entities::{
    enums::{ContractStatus, FundingVariant, Law, ProcurementForm, Unit},
    money::{euros_to_cents, round_to_cents_half_away_from_zero},
    schema::{
        contract, contract_municipality, contract_product_group, municipality,
        municipality_population, policy, product, product_group, provider, region, tariff,
    },
    RegionScope,
};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

struct DemoRegion {
    code: &'static str,
    name: &'static str,
    /// (CBS code, name, inhabitants)
    municipalities: &'static [(&'static str, &'static str, i64)],
    /// (code, name, law)
    groups: &'static [(&'static str, &'static str, Law)],
    /// (code, name, group code, iWmo category, unit, funding variant, 2025 price in cents)
    products: &'static [(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        Unit,
        FundingVariant,
        i64,
    )],
    /// (kind, scope, rules)
    policies: &'static [(&'static str, &'static str, &'static str)],
    procurement: ProcurementForm,
    initial_term_months: u32,
    extension_options_months: &'static [u32],
    providers: &'static [&'static str],
}

use FundingVariant::{Effort, Output, Task};
use Law::{Jeugdwet, Wmo};
use Unit::{Day, DayPart, Euro, Hour, Piece};

const REGIONS: &[DemoRegion] = &[
    DemoRegion {
        code: "centraal-gelderland",
        name: "Centraal Gelderland",
        municipalities: &[
            ("GM0274", "Renkum", 31_800),
            ("GM1734", "Overbetuwe", 49_600),
            ("GM0202", "Arnhem", 166_000),
            ("GM0277", "Rozendaal", 1_700),
            ("GM0293", "Westervoort", 15_200),
            ("GM1705", "Lingewaard", 48_600),
            ("GM0226", "Duiven", 25_900),
            ("GM0275", "Rheden", 44_200),
            ("GM0221", "Doesburg", 11_500),
            ("GM0299", "Zevenaar", 45_000),
        ],
        groups: &[("BW", "Beschermd Wonen en Beschermd Thuis", Wmo)],
        products: &[
            (
                "BW0A1",
                "A. Zelfstandig Beschermd Thuis",
                "BW",
                "07",
                Day,
                Effort,
                9_650,
            ),
            (
                "BW0A2",
                "A. Zelfstandig Beschermd Thuis, tijdelijk intensief",
                "BW",
                "07",
                Hour,
                Effort,
                7_000,
            ),
            (
                "BW0B1",
                "B. Beschermd Thuis",
                "BW",
                "07",
                Day,
                Effort,
                13_540,
            ),
            (
                "BW0B2",
                "B. Beschermd Thuis, tijdelijk intensief",
                "BW",
                "07",
                Hour,
                Effort,
                7_000,
            ),
            (
                "BW0C1",
                "C. Beschermd Wonen",
                "BW",
                "07",
                Day,
                Effort,
                18_275,
            ),
            (
                "BW0C2",
                "C. Beschermd Wonen, tijdelijk intensief",
                "BW",
                "07",
                Hour,
                Effort,
                7_000,
            ),
            ("BW0D1", "D. Logeren", "BW", "07", Day, Effort, 12_100),
            (
                "BW0E1",
                "E. Afwezigheidsdag",
                "BW",
                "07",
                Day,
                Effort,
                6_050,
            ),
        ],
        // Seed 000 §4.1, and the self-employed bans of DOMAIN.md.
        policies: &[
            (
                "temporary-intensive",
                "BW0A1",
                r#"{"maxMonths": 3, "per": "calendar-year"}"#,
            ),
            (
                "temporary-intensive",
                "BW0B1",
                r#"{"maxMonths": 3, "per": "calendar-year"}"#,
            ),
            (
                "temporary-intensive",
                "BW0C1",
                r#"{"maxMonths": 12, "per": "allocation"}"#,
            ),
            ("self-employed", "GM0202", r#"{"forbidden": true}"#),
            ("self-employed", "GM1734", r#"{"forbidden": true}"#),
            ("budget-alerts", "region", r#"{"levelsPercent": [80, 100]}"#),
        ],
        procurement: ProcurementForm::EuTender,
        initial_term_months: 48,
        extension_options_months: &[24, 24],
        providers: &[
            "Stichting Beschermd Thuis Veluwezoom",
            "Pro Persona Wonen",
            "Iriszorg Beschermd Wonen",
            "RIBW Arnhem & Veluwe Vallei",
        ],
    },
    DemoRegion {
        code: "rijk-van-nijmegen",
        name: "Rijk van Nijmegen",
        municipalities: &[
            ("GM1945", "Berg en Dal", 35_800),
            ("GM0209", "Beuningen", 26_400),
            ("GM0225", "Druten", 19_900),
            ("GM0252", "Heumen", 16_900),
            ("GM0944", "Mook en Middelaar", 8_000),
            ("GM0268", "Nijmegen", 184_000),
            ("GM0296", "Wijchen", 41_700),
        ],
        groups: &[
            ("BEG", "Begeleiding", Wmo),
            ("DB", "Dagbesteding", Wmo),
            ("KV", "Kortdurend verblijf", Wmo),
        ],
        products: &[
            (
                "02A01",
                "Begeleiding individueel basis",
                "BEG",
                "02",
                Hour,
                Effort,
                6_840,
            ),
            (
                "02A02",
                "Begeleiding individueel specialistisch",
                "BEG",
                "02",
                Hour,
                Effort,
                7_820,
            ),
            (
                "03A01",
                "Dagbesteding basis",
                "DB",
                "03",
                DayPart,
                Effort,
                4_520,
            ),
            (
                "03A02",
                "Dagbesteding specialistisch",
                "DB",
                "03",
                DayPart,
                Effort,
                5_960,
            ),
            (
                "04A01",
                "Kortdurend verblijf",
                "KV",
                "04",
                Day,
                Effort,
                15_000,
            ),
        ],
        policies: &[],
        procurement: ProcurementForm::EuTender,
        initial_term_months: 48,
        extension_options_months: &[36, 36, 36],
        providers: &[
            "Driestroom",
            "Stichting Dagbesteding Nijmegen",
            "Begeleiding Waal en Rijn",
            "Logeerhuis De Linde",
        ],
    },
    DemoRegion {
        code: "rivierenland",
        name: "Rivierenland",
        municipalities: &[
            ("GM0214", "Buren", 28_100),
            ("GM0216", "Culemborg", 30_100),
            ("GM1740", "Neder-Betuwe", 25_400),
            ("GM0281", "Tiel", 43_000),
            ("GM1960", "West Betuwe", 52_300),
            ("GM0668", "West Maas en Waal", 20_200),
        ],
        groups: &[
            ("PV", "Persoonlijke verzorging", Wmo),
            ("IB", "Individuele begeleiding", Wmo),
            ("GB", "Begeleiding (groep)/Dagbesteding", Wmo),
            ("JAB", "Ambulante begeleiding", Jeugdwet),
            ("JBH", "Ambulante behandeling", Jeugdwet),
            ("JLO", "Logeren", Jeugdwet),
        ],
        products: &[
            (
                "01B01",
                "Persoonlijke verzorging",
                "PV",
                "01",
                Hour,
                Effort,
                6_150,
            ),
            (
                "02B01",
                "Individuele begeleiding",
                "IB",
                "02",
                Hour,
                Effort,
                6_720,
            ),
            (
                "03B01",
                "Begeleiding groep",
                "GB",
                "03",
                DayPart,
                Effort,
                4_380,
            ),
            (
                "45A01",
                "Jeugd ambulante begeleiding",
                "JAB",
                "45",
                Hour,
                Effort,
                7_110,
            ),
            (
                "54A01",
                "Jeugd ambulante behandeling",
                "JBH",
                "54",
                Hour,
                Effort,
                10_450,
            ),
            ("43A01", "Jeugd logeren", "JLO", "43", Day, Effort, 16_800),
        ],
        policies: &[],
        procurement: ProcurementForm::OpenHouse,
        initial_term_months: 36,
        extension_options_months: &[36, 36],
        providers: &[
            "Zorggroep Betuwe",
            "Jeugdhulp Rivierenland",
            "Stichting Ambulant Tiel",
            "Kwadraad Zorg",
        ],
    },
    DemoRegion {
        code: "regio-amersfoort",
        name: "Regio Amersfoort",
        municipalities: &[
            ("GM0307", "Amersfoort", 160_000),
            ("GM0308", "Baarn", 25_300),
            ("GM0313", "Bunschoten", 22_100),
            ("GM0327", "Leusden", 30_600),
            ("GM0267", "Nijkerk", 45_300),
            ("GM0342", "Soest", 47_400),
            ("GM0351", "Woudenberg", 14_400),
        ],
        groups: &[
            ("BEG", "Wmo begeleiding", Wmo),
            ("BW", "Beschermd wonen", Wmo),
            ("SH", "Safehouse", Wmo),
            ("RV", "Respijtverblijf", Wmo),
        ],
        products: &[
            (
                "02C01",
                "Begeleiding (taakgericht budget)",
                "BEG",
                "02",
                Euro,
                Task,
                1,
            ),
            ("07C01", "Beschermd wonen", "BW", "07", Day, Effort, 17_950),
            ("07C02", "Safehouse", "SH", "07", Day, Effort, 21_000),
            ("04C01", "Respijtverblijf", "RV", "04", Day, Effort, 13_200),
        ],
        policies: &[],
        procurement: ProcurementForm::SasTender,
        initial_term_months: 36,
        extension_options_months: &[24, 24, 24],
        providers: &[
            "Amersfoortse Begeleidingscombinatie",
            "Stichting Beschermd Eemland",
            "Safe Haven Utrecht-Oost",
            "Respijthuis De Eem",
        ],
    },
    DemoRegion {
        code: "midden-ijssel-oost-veluwe",
        name: "Midden-IJssel/Oost-Veluwe",
        municipalities: &[
            ("GM0200", "Apeldoorn", 167_000),
            ("GM0213", "Brummen", 21_500),
            ("GM0232", "Epe", 33_500),
            ("GM0244", "Hattem", 12_500),
            ("GM0246", "Heerde", 19_100),
            ("GM1859", "Lochem", 34_100),
            ("GM0285", "Voorst", 25_000),
            ("GM0301", "Zutphen", 48_800),
        ],
        groups: &[
            ("HH", "Hulp bij het huishouden", Wmo),
            ("BEG", "Begeleiding", Wmo),
            ("VV", "Vervoer", Wmo),
            ("RZ", "Respijtzorg", Wmo),
        ],
        products: &[
            (
                "01D01",
                "Hulp bij het huishouden",
                "HH",
                "01",
                Hour,
                Output,
                3_960,
            ),
            (
                "02D01",
                "Begeleiding basis",
                "BEG",
                "02",
                Hour,
                Effort,
                6_590,
            ),
            (
                "02D02",
                "Begeleiding complex",
                "BEG",
                "02",
                Hour,
                Effort,
                8_140,
            ),
            (
                "08D01",
                "Vervoer dagbesteding (rit)",
                "VV",
                "08",
                Piece,
                Effort,
                1_450,
            ),
            (
                "04D01",
                "Respijtzorg (etmaal)",
                "RZ",
                "04",
                Day,
                Effort,
                14_300,
            ),
        ],
        policies: &[],
        procurement: ProcurementForm::OpenHouse,
        initial_term_months: 48,
        extension_options_months: &[24, 24],
        providers: &[
            "Thuiszorg IJsselstroom",
            "Begeleiding Oost-Veluwe",
            "Taxi Zorgvervoer Apeldoorn",
            "Zorgboerderij De Hattemse Hoeve",
        ],
    },
];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Loads every demo region that does not exist yet; returns how many it added.
pub async fn load(db: &DatabaseConnection) -> Result<usize, String> {
    let mut added = 0;
    for (index, demo) in REGIONS.iter().enumerate() {
        #[allow(clippy::disallowed_methods)] // checks for the tenant itself
        let exists = region::Entity::find()
            .filter(region::Column::Code.eq(demo.code))
            .one(db)
            .await;
        if exists.map_err(|e| e.to_string())?.is_some() {
            continue;
        }
        let txn = entities::transaction::begin_write(db)
            .await
            .map_err(|e| e.to_string())?;
        load_region(&txn, index, demo)
            .await
            .map_err(|e| format!("demo region {}: {e}", demo.code))?;
        txn.commit().await.map_err(|e| e.to_string())?;
        tracing::info!(region = demo.code, "demo region loaded");
        added += 1;
    }
    Ok(added)
}

async fn load_region<C: ConnectionTrait>(
    db: &C,
    index: usize,
    demo: &DemoRegion,
) -> Result<(), sea_orm::DbErr> {
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

    let mut municipality_ids = Vec::new();
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
        municipality_population::ActiveModel {
            region_id: Set(rid),
            municipality_id: Set(m.id),
            year: Set(2024),
            inhabitants: Set(*inhabitants),
        }
        .insert(db)
        .await?;
        municipality_ids.push(m.id);
    }

    let mut group_ids = Vec::new();
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
        group_ids.push((*code, g.id));
    }

    // 2026 tariffs: 2025 indexed by 4.96% (the VNG worked example), cents half away from zero.
    let index_2026 = Decimal::new(10496, 4);
    let mut first_product = None;
    for (code, name, group, category, unit, variant, cents) in demo.products {
        let group_id = group_ids
            .iter()
            .find(|(c, _)| c == group)
            .map(|(_, id)| *id)
            .unwrap_or_default();
        let p = product::ActiveModel {
            region_id: Set(rid),
            id: Set(Uuid::now_v7()),
            code: Set((*code).into()),
            name: Set((*name).into()),
            product_group_id: Set(group_id),
            iwmo_category: Set((*category).into()),
            unit: Set(*unit),
            funding_variant: Set(*variant),
            intensive_for_product_id: Set(None),
            arrangement_period: Set(None),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
        if *unit == Euro {
            continue; // a budget product has no unit price
        }
        first_product.get_or_insert((p.id, *cents));
        let first = insert_tariff(
            db,
            rid,
            p.id,
            None,
            date(2025, 1, 1),
            Some(date(2025, 12, 31)),
            *cents,
            None,
        )
        .await?;
        let indexed = round_to_cents_half_away_from_zero(Decimal::new(*cents, 2) * index_2026);
        let indexed = euros_to_cents(indexed).unwrap_or(*cents);
        insert_tariff(
            db,
            rid,
            p.id,
            None,
            date(2026, 1, 1),
            None,
            indexed,
            Some(first),
        )
        .await?;
    }

    for (kind, scope_key, rules) in demo.policies {
        policy::ActiveModel {
            region_id: Set(rid),
            id: Set(Uuid::now_v7()),
            kind: Set((*kind).into()),
            scope_key: Set((*scope_key).into()),
            body: Set(serde_json::from_str(rules).unwrap_or_default()),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
    }

    for (n, name) in demo.providers.iter().enumerate() {
        let agb = format!("98{:02}{:04}", index + 1, n + 1);
        let kvk = format!("6{:02}{:05}", index + 1, 1000 + n);
        let p = provider::ActiveModel {
            region_id: Set(rid),
            id: Set(Uuid::now_v7()),
            agb_code: Set(agb),
            kvk_number: Set(kvk),
            name: Set((*name).into()),
            uses_self_employed: Set(n == 3),
            integrity_checked_on: Set(Some(date(2024, 9, 1))),
            financial_checked_on: Set(Some(date(2024, 10, 15))),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
        if let (0, Some((product_id, cents))) = (n, first_product) {
            // A differentiated tariff (seed 000 §4.3): 2% above the region's from 2026.
            let price = round_to_cents_half_away_from_zero(
                Decimal::new(cents, 2) * index_2026 * Decimal::new(102, 2),
            );
            let price = euros_to_cents(price).unwrap_or(cents);
            insert_tariff(
                db,
                rid,
                product_id,
                Some(p.id),
                date(2026, 1, 1),
                None,
                price,
                None,
            )
            .await?;
        }
        let c = contract::ActiveModel {
            region_id: Set(rid),
            id: Set(Uuid::now_v7()),
            provider_id: Set(p.id),
            procurement_form: Set(demo.procurement),
            start_date: Set(date(2025, 1, 1)),
            initial_term_months: Set(demo.initial_term_months as i32),
            extension_options_months: Set(serde_json::json!(demo.extension_options_months)),
            extensions_exercised: Set(0),
            status: Set(ContractStatus::Active),
            terminated_on: Set(None),
            termination_reason: Set(None),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
        // Each provider takes every other lot, starting at its own; all municipalities.
        for (g, (_, group_id)) in group_ids.iter().enumerate() {
            if group_ids.len() == 1 || (g + n) % 2 == 0 {
                contract_product_group::ActiveModel {
                    region_id: Set(rid),
                    contract_id: Set(c.id),
                    product_group_id: Set(*group_id),
                }
                .insert(db)
                .await?;
            }
        }
        for municipality_id in &municipality_ids {
            contract_municipality::ActiveModel {
                region_id: Set(rid),
                contract_id: Set(c.id),
                municipality_id: Set(*municipality_id),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_tariff<C: ConnectionTrait>(
    db: &C,
    region_id: Uuid,
    product_id: Uuid,
    provider_id: Option<Uuid>,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    price_cents: i64,
    supersedes_id: Option<Uuid>,
) -> Result<Uuid, sea_orm::DbErr> {
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
    }
    .insert(db)
    .await?;
    Ok(t.id)
}
