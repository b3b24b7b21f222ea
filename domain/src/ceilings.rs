//! Budget ceilings that steer intake (seed 002 §5.3): a ceiling's forecast
//! is its approved spend plus what the running allocations in its reach
//! still commit this year. A new allocation, or a change that raises one,
//! is measured before the write, and after it the allocation's own
//! commitment replaces what it committed before: crossing an alert level records
//! a `forecast` signal (70 % by default, followed by a consultation), taking
//! a provider's hard ceiling (its spending room, pro rata from a contract
//! start in the year) over its room is a client stop: refused with a 422
//! naming the ceiling, except for crisis products (Contractstandaard Wmo
//! 1.2 art. 1.5). Ceilings of a product group or municipality alone only
//! signal. Payment of delivered care is never refused (the declarations
//! book spend, nothing more).

use std::collections::{hash_map::Entry, HashMap};

use chrono::{Datelike, NaiveDate};
use entities::{
    declaration_rules::levels_reached,
    schema::{budget_signal, spend_rollup},
};
use entities::{
    funding::{ceiling_groups, ceiling_reaches_group, levels_crossed, pro_rata_room_cents},
    money::cents_to_euros,
    report::display_percent,
    schema::{allocation, budget_ceiling, budget_ceiling_group, product},
    RegionScope, TenantEntity, TenantRecord,
};
use rust_decimal::Decimal;
use sea_orm::{
    sea_query::Condition, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    audit::Audit,
    catalogue,
    check::Check,
    codes::CodeBook,
    error::{DomainError, DomainResult},
    funding::{alert_levels, commitments, Reach},
};

/// Per ceiling of `ids` that combines product groups, those groups (in id
/// order); a ceiling of one group or of all care has none here.
pub async fn combined_groups<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<Uuid>>, sea_orm::DbErr> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    let mut by: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by);
    }
    for link in budget_ceiling_group::Entity::scoped(scope)
        .filter(budget_ceiling_group::Column::BudgetCeilingId.is_in(ids))
        .order_by_asc(budget_ceiling_group::Column::ProductGroupId)
        .all(db)
        .await?
    {
        by.entry(link.budget_ceiling_id)
            .or_default()
            .push(link.product_group_id);
    }
    Ok(by)
}

/// The product groups a ceiling reaches: its one group, the groups it
/// combines, or `None` for all the care of its provider or municipality.
pub async fn groups_of<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    ceiling: &budget_ceiling::Model,
) -> DomainResult<Option<Vec<Uuid>>> {
    if ceiling.product_group_id.is_some() {
        return Ok(ceiling_groups(ceiling.product_group_id, &[]));
    }
    let combined = combined_groups(db, scope, [ceiling.id]).await?;
    Ok(ceiling_groups(
        None,
        combined.get(&ceiling.id).map_or(&[], Vec::as_slice),
    ))
}

/// The part of a ceiling's forecast an allocation adds: realised spend plus
/// the commitments of every allocation in the ceiling's reach in its year.
pub async fn forecast_of<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    ceiling: &budget_ceiling::Model,
) -> DomainResult<i64> {
    let reach = Reach {
        provider_id: ceiling.provider_id,
        product_group_ids: groups_of(db, scope, ceiling).await?,
        municipality_id: ceiling.municipality_id,
        allocation_id: None,
    };
    let committed: i64 = commitments(db, scope, ceiling.year, &reach)
        .await?
        .values()
        .sum();
    Ok(ceiling.spent_cents.saturating_add(committed))
}

/// A ceiling's room in its year: a provider's ceiling pro rata from the
/// start of the provider's first contract running in the year, when that
/// starts during it (Contractstandaard Wmo 1.2 art. 1.5); other ceilings
/// their amount.
pub async fn room_of<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    ceiling: &budget_ceiling::Model,
) -> DomainResult<i64> {
    use entities::schema::contract;
    let Some(provider_id) = ceiling.provider_id else {
        return Ok(ceiling.amount_cents);
    };
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(ceiling.year, 1, 1),
        NaiveDate::from_ymd_opt(ceiling.year, 12, 31),
    ) else {
        return Ok(ceiling.amount_cents);
    };
    let start = contract::Entity::scoped(scope)
        .filter(contract::Column::ProviderId.eq(provider_id))
        .filter(contract::Column::StartDate.lte(last))
        .filter(
            Condition::any()
                .add(contract::Column::TerminatedOn.is_null())
                .add(contract::Column::TerminatedOn.gte(first)),
        )
        .order_by_asc(contract::Column::StartDate)
        .one(db)
        .await?
        .map(|c| c.start_date);
    Ok(pro_rata_room_cents(
        ceiling.amount_cents,
        ceiling.year,
        start,
    ))
}

/// What one allocation commits in `year` (0 when it does not run then).
async fn commitment_of<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    year: i32,
    allocation_id: uuid::Uuid,
) -> DomainResult<i64> {
    let reach = Reach {
        allocation_id: Some(allocation_id),
        ..Reach::default()
    };
    Ok(commitments(db, scope, year, &reach).await?.values().sum())
}

/// The ceilings an allocation counts against, with their forecasts before
/// the allocation is stored or changed, and what it committed then.
pub struct Steering {
    measured: Vec<(budget_ceiling::Model, i64)>,
    committed_before: HashMap<i32, i64>,
    /// Crisis care is never refused (Contractstandaard Wmo art. 1.5).
    crisis: bool,
}

/// Whether a ceiling refuses new allocations over its room: only a hard
/// ceiling of a provider (its spending room, Contractstandaard Wmo art.
/// 1.5); a ceiling of a product group or municipality alone steers by
/// signals and forecasts, even if stored as hard before that rule.
pub fn refuses(ceiling: &budget_ceiling::Model) -> bool {
    ceiling.hard && ceiling.provider_id.is_some()
}

impl Steering {
    /// Measures the ceilings whose reach holds the allocation's provider,
    /// product group and municipality, in the years it runs; `existing` is
    /// the allocation a change is about to change.
    pub async fn measure<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        product: &product::Model,
        allocation: (uuid::Uuid, uuid::Uuid),
        (start, end): (NaiveDate, Option<NaiveDate>),
        existing: Option<uuid::Uuid>,
    ) -> DomainResult<Self> {
        let (provider_id, municipality_id) = allocation;
        let ceilings = budget_ceiling::Entity::scoped(scope)
            .filter(
                Condition::any()
                    .add(budget_ceiling::Column::ProviderId.is_null())
                    .add(budget_ceiling::Column::ProviderId.eq(provider_id)),
            )
            .filter(
                Condition::any()
                    .add(budget_ceiling::Column::ProductGroupId.is_null())
                    .add(budget_ceiling::Column::ProductGroupId.eq(product.product_group_id)),
            )
            .filter(
                Condition::any()
                    .add(budget_ceiling::Column::MunicipalityId.is_null())
                    .add(budget_ceiling::Column::MunicipalityId.eq(municipality_id)),
            )
            .filter(budget_ceiling::Column::Year.gte(start.year()))
            .apply_if(end, |q, end| {
                q.filter(budget_ceiling::Column::Year.lte(end.year()))
            })
            .all(db)
            .await?;
        // A ceiling without a group of its own may combine groups: it
        // reaches the allocation only if the product's group is one of them.
        let combined = combined_groups(
            db,
            scope,
            ceilings
                .iter()
                .filter(|c| c.product_group_id.is_none())
                .map(|c| c.id),
        )
        .await?;
        let ceilings: Vec<budget_ceiling::Model> = ceilings
            .into_iter()
            .filter(|c| {
                ceiling_reaches_group(
                    c.product_group_id,
                    combined.get(&c.id).map_or(&[], Vec::as_slice),
                    product.product_group_id,
                )
            })
            .collect();
        // A provider's room is checked under a lock on its ceilings (on
        // PostgreSQL; SQLite's writers take turns already), held until the
        // transaction ends, so allocations sent at once are measured one
        // after the other. In id order, so two transactions never wait on
        // each other crosswise. A crisis product is never refused: no lock.
        let refusing: Vec<Uuid> = ceilings
            .iter()
            .filter(|c| refuses(c) && !product.crisis)
            .map(|c| c.id)
            .collect();
        let locked: HashMap<Uuid, budget_ceiling::Model> = if refusing.is_empty() {
            HashMap::new()
        } else {
            budget_ceiling::Entity::scoped(scope)
                .filter(budget_ceiling::Column::Id.is_in(refusing))
                .order_by_asc(budget_ceiling::Column::Id)
                .lock_exclusive()
                .all(db)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect()
        };
        let ceilings: Vec<budget_ceiling::Model> = ceilings
            .into_iter()
            .map(|c| locked.get(&c.id).cloned().unwrap_or(c))
            .collect();
        let mut measured = Vec::with_capacity(ceilings.len());
        let mut committed_before = HashMap::new();
        for ceiling in ceilings {
            let before = forecast_of(db, scope, &ceiling).await?;
            if let (Some(id), Entry::Vacant(year)) =
                (existing, committed_before.entry(ceiling.year))
            {
                year.insert(commitment_of(db, scope, ceiling.year, id).await?);
            }
            measured.push((ceiling, before));
        }
        Ok(Self {
            measured,
            committed_before,
            crisis: product.crisis,
        })
    }

    /// After the write: the forecast with the allocation's new commitment in
    /// place of its old one. Refuses a raise over a hard ceiling, and
    /// signals the alert levels the forecast crossed.
    pub async fn settle<C: ConnectionTrait>(
        self,
        db: &C,
        scope: &RegionScope,
        stored: &allocation::Model,
    ) -> DomainResult<()> {
        if self.measured.is_empty() {
            return Ok(());
        }
        let levels = alert_levels(db, scope).await?;
        let mut committed_after: HashMap<i32, i64> = HashMap::new();
        for (ceiling, before) in self.measured {
            let now = match committed_after.get(&ceiling.year) {
                Some(cents) => *cents,
                None => {
                    let cents = commitment_of(db, scope, ceiling.year, stored.id).await?;
                    committed_after.insert(ceiling.year, cents);
                    cents
                }
            };
            let then = self
                .committed_before
                .get(&ceiling.year)
                .copied()
                .unwrap_or(0);
            let after = before - then + now;
            if after <= before {
                continue;
            }
            let room = room_of(db, scope, &ceiling).await?;
            if !self.crisis && refuses(&ceiling) && after > room {
                return Err(DomainError::rule(
                    "ZR-ALLOC-CEILING",
                    format!(
                        "Client stop: allocation {} would take the provider's spending room, \
                         hard budget ceiling {} ({} for {}), to a forecast of {}: {} \
                         realised and {} committed. The provider takes no new clients \
                         until the room is raised.",
                        stored.allocation_number,
                        ceiling.id,
                        cents_to_euros(room),
                        ceiling.year,
                        cents_to_euros(after),
                        cents_to_euros(ceiling.spent_cents),
                        cents_to_euros(after - ceiling.spent_cents),
                    ),
                ));
            }
            for level in levels_crossed(room, before, after, &levels) {
                record_signal(db, scope, ceiling.id, FORECAST_SIGNAL, level, after).await?;
            }
        }
        Ok(())
    }
}

/// The kinds of budget signal: approved spend, or an allocation's forecast.
pub const SPENT_SIGNAL: &str = "spent";
pub const FORECAST_SIGNAL: &str = "forecast";

/// Records that a ceiling reached a level: one signal per ceiling, kind
/// and level, however often it is reached.
pub async fn record_signal<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    ceiling_id: Uuid,
    kind: &str,
    level_percent: i32,
    spent_cents: i64,
) -> DomainResult<()> {
    budget_signal::Entity::insert(budget_signal::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        budget_ceiling_id: Set(ceiling_id),
        kind: Set(kind.into()),
        level_percent: Set(level_percent),
        spent_cents: Set(spent_cents),
        created_at: Set(entities::clock::now()),
        consulted_on: Set(None),
        outcome: Set(None),
    })
    .on_conflict_do_nothing_on([
        budget_signal::Column::RegionId,
        budget_signal::Column::BudgetCeilingId,
        budget_signal::Column::Kind,
        budget_signal::Column::LevelPercent,
    ])
    .exec(db)
    .await?;
    Ok(())
}

/// Counts the approved spend of a ceiling's scope (provider, year, and its
/// product group or groups and municipality if set) from the spend rollups, stores it,
/// and records the signals of the alert levels it has already reached: a
/// ceiling set after spend was approved starts where the spend is.
pub async fn count_spend(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    ceiling: budget_ceiling::Model,
) -> DomainResult<budget_ceiling::Model> {
    use sea_orm::sea_query::Expr;
    let from = NaiveDate::from_ymd_opt(ceiling.year, 1, 1);
    let to = NaiveDate::from_ymd_opt(ceiling.year, 12, 31);
    let (Some(from), Some(to)) = (from, to) else {
        return Err(DomainError::invalid(
            "year",
            "must be a year from 1900 to 2199",
        ));
    };
    let groups = groups_of(txn, scope, &ceiling).await?;
    let spent: Option<i64> = spend_rollup::Entity::scoped(scope)
        .select_only()
        // PostgreSQL sums a bigint as numeric.
        .column_as(Expr::cust("CAST(SUM(amount_cents) AS BIGINT)"), "spent")
        .filter(spend_rollup::Column::Month.between(from, to))
        .apply_if(ceiling.provider_id, |q, id| {
            q.filter(spend_rollup::Column::ProviderId.eq(id))
        })
        .apply_if(groups, |q, ids| {
            q.filter(spend_rollup::Column::ProductGroupId.is_in(ids))
        })
        .apply_if(ceiling.municipality_id, |q, id| {
            q.filter(spend_rollup::Column::MunicipalityId.eq(id))
        })
        .into_tuple()
        .one(txn)
        .await?
        .flatten();
    let spent = spent.unwrap_or(0);
    let levels = crate::funding::alert_levels(txn, scope).await?;
    let room = room_of(txn, scope, &ceiling).await?;
    for level in levels_reached(room, spent, &levels) {
        record_signal(txn, scope, ceiling.id, SPENT_SIGNAL, level, spent).await?;
    }
    if spent == ceiling.spent_cents {
        return Ok(ceiling);
    }
    let mut model: budget_ceiling::ActiveModel = ceiling.into();
    model.spent_cents = Set(spent);
    Ok(model.update(txn).await?)
}

/// A budget ceiling with its use so far, as the region names it: the audit
/// trail records it, the API's `BudgetCeilingOut` shows it field for field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetCeiling {
    pub id: Uuid,
    pub provider_agb: Option<String>,
    pub product_group_code: Option<String>,
    /// Every group the ceiling reaches (its one group, or those it
    /// combines, by code); `None` for all care.
    pub product_group_codes: Option<Vec<String>>,
    pub municipality_cbs: Option<String>,
    pub year: i32,
    pub amount: Decimal,
    /// The amount pro rata when the provider's contract starts in the year.
    pub room: Decimal,
    pub hard: bool,
    pub spent: Decimal,
    pub used_percent: Decimal,
    pub committed: Decimal,
    pub forecast: Decimal,
    pub forecast_percent: Decimal,
}

/// The codes a ceiling's reach is named by, loaded once for a page of
/// ceilings.
pub struct CeilingNames(CodeBook);

impl CeilingNames {
    pub async fn load<C: ConnectionTrait>(db: &C, scope: &RegionScope) -> DomainResult<Self> {
        Ok(Self(CodeBook::load(db, scope).await?))
    }

    /// The ceiling with its forecast as of now.
    pub async fn describe<C: ConnectionTrait>(
        &self,
        db: &C,
        scope: &RegionScope,
        c: budget_ceiling::Model,
    ) -> DomainResult<BudgetCeiling> {
        let room = room_of(db, scope, &c).await?;
        let percent = |cents: i64| {
            if room == 0 {
                Decimal::ZERO
            } else {
                display_percent(Decimal::from(cents) / Decimal::from(room))
            }
        };
        let forecast = forecast_of(db, scope, &c).await?;
        let product_group_codes = groups_of(db, scope, &c).await?.map(|ids| {
            let mut codes: Vec<String> = ids.into_iter().map(|id| self.0.group(id)).collect();
            codes.sort();
            codes
        });
        Ok(BudgetCeiling {
            id: c.id,
            provider_agb: c.provider_id.map(|id| self.0.provider(id)),
            product_group_code: c.product_group_id.map(|id| self.0.group(id)),
            product_group_codes,
            municipality_cbs: c.municipality_id.map(|id| self.0.municipality(id)),
            year: c.year,
            amount: cents_to_euros(c.amount_cents),
            room: cents_to_euros(room),
            hard: c.hard,
            spent: cents_to_euros(c.spent_cents),
            used_percent: percent(c.spent_cents),
            committed: cents_to_euros(forecast - c.spent_cents),
            forecast: cents_to_euros(forecast),
            forecast_percent: percent(forecast),
        })
    }
}

/// A ceiling's reach by natural keys, as a request names it.
#[derive(Debug, Clone, Default)]
pub struct ReachCodes {
    pub provider_agb: Option<String>,
    pub product_group_code: Option<String>,
    /// Several groups combined (not with `product_group_code`).
    pub product_group_codes: Option<Vec<String>>,
    pub municipality_cbs: Option<String>,
}

/// A ceiling's reach by ids; `None` is open.
#[derive(Debug, Clone, Default)]
pub struct CeilingReach {
    pub provider_id: Option<Uuid>,
    pub product_group_id: Option<Uuid>,
    /// Two or more groups combined (then `product_group_id` is `None`).
    pub product_group_ids: Vec<Uuid>,
    pub municipality_id: Option<Uuid>,
}

/// Resolves a reach's codes into `check` (422s per unknown code, and for an
/// empty reach), so the caller's format errors and these come in one answer.
pub async fn resolve_reach<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    check: &mut Check,
    codes: &ReachCodes,
) -> DomainResult<CeilingReach> {
    // A rule between two fields, which no schema says: 422.
    check.require_rule(
        codes.product_group_code.is_none() || codes.product_group_codes.is_none(),
        "productGroupCodes",
        "give productGroupCode or productGroupCodes, not both",
    );
    check.require(
        codes
            .product_group_codes
            .as_ref()
            .is_none_or(|c| !c.is_empty()),
        "productGroupCodes",
        "must name at least one product group",
    );
    check.require_rule(
        codes.provider_agb.is_some()
            || codes.product_group_code.is_some()
            || codes.product_group_codes.is_some()
            || codes.municipality_cbs.is_some(),
        "providerAgb",
        "set a provider, a product group, a municipality or a combination",
    );
    let mut reach = CeilingReach::default();
    if let Some(agb) = &codes.provider_agb {
        let found = catalogue::provider(db, scope, agb).await?;
        check.require_rule(
            found.is_some(),
            "providerAgb",
            "no such provider in this region",
        );
        reach.provider_id = found.map(|p| p.id);
    }
    if let Some(code) = &codes.product_group_code {
        let found = catalogue::product_group(db, scope, code).await?;
        check.require_rule(
            found.is_some(),
            "productGroupCode",
            "no such product group in this region",
        );
        reach.product_group_id = found.map(|g| g.id);
    }
    if let Some(list) = &codes.product_group_codes {
        let mut ids = Vec::with_capacity(list.len());
        for code in list {
            let found = catalogue::product_group(db, scope, code).await?;
            if found.is_none() {
                check.fail_rule(
                    "productGroupCodes",
                    format!("no such product group in this region: {code}"),
                );
            }
            ids.extend(found.map(|g| g.id));
        }
        ids.sort();
        ids.dedup();
        // One group is a ceiling of that group, as `productGroupCode`.
        if let [one] = ids[..] {
            reach.product_group_id = Some(one);
        } else if codes.product_group_code.is_none() {
            reach.product_group_ids = ids;
        }
    }
    if let Some(cbs) = &codes.municipality_cbs {
        let found = catalogue::municipality(db, scope, cbs).await?;
        check.require_rule(
            found.is_some(),
            "municipalityCbs",
            "no such municipality in this region",
        );
        reach.municipality_id = found.map(|m| m.id);
    }
    Ok(reach)
}

/// Only a provider's ceiling can be hard: a ceiling of a product group or
/// municipality alone steers by signals and forecasts and never refuses
/// care (Contractstandaard Wmo 1.2 art. 1.5; seed 004 §8, open-ended
/// funding; seed 002 §5.3).
fn check_hard(hard: bool, provider_id: Option<Uuid>) -> DomainResult<()> {
    if hard && provider_id.is_none() {
        return Err(DomainError::rule(
            "ZR-CEILING-HARD-PROVIDER",
            "Only a provider's ceiling (its spending room) can be hard; a ceiling of a \
             product group or municipality alone steers by signals and never refuses care.",
        ));
    }
    Ok(())
}

/// A new ceiling, its reach resolved and its amount in cents (positive).
#[derive(Debug, Clone)]
pub struct NewCeiling {
    pub reach: CeilingReach,
    pub year: i32,
    pub amount_cents: i64,
    pub hard: bool,
}

/// Sets a ceiling; it starts at the spend already approved in its reach.
pub async fn create(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    audit: &Audit,
    input: NewCeiling,
) -> DomainResult<BudgetCeiling> {
    check_hard(input.hard, input.reach.provider_id)?;
    let saved = budget_ceiling::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        provider_id: Set(input.reach.provider_id),
        product_group_id: Set(input.reach.product_group_id),
        municipality_id: Set(input.reach.municipality_id),
        year: Set(input.year),
        amount_cents: Set(input.amount_cents),
        hard: Set(input.hard),
        spent_cents: Set(0),
        created_at: Set(entities::clock::now()),
    }
    .insert(txn)
    .await?;
    if !input.reach.product_group_ids.is_empty() {
        budget_ceiling_group::Entity::insert_many(input.reach.product_group_ids.iter().map(
            |&group| budget_ceiling_group::ActiveModel {
                region_id: Set(scope.region_id),
                budget_ceiling_id: Set(saved.id),
                product_group_id: Set(group),
            },
        ))
        .exec_without_returning(txn)
        .await?;
    }
    let saved = count_spend(txn, scope, saved).await?;
    let value = CeilingNames::load(txn, scope)
        .await?
        .describe(txn, scope, saved)
        .await?;
    audit
        .record(txn, "create", "budget-ceiling", value.id, &value)
        .await?;
    Ok(value)
}

/// A change of a ceiling: what is `None` stays.
#[derive(Debug, Clone, Default)]
pub struct CeilingChange {
    pub amount_cents: Option<i64>,
    pub hard: Option<bool>,
}

/// Changes a ceiling's amount or hardness and counts its spend again (a
/// lower amount may reach levels the spend had not reached before).
pub async fn change(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    audit: &Audit,
    id: Uuid,
    input: CeilingChange,
) -> DomainResult<BudgetCeiling> {
    let existing = budget_ceiling::Entity::find_scoped(txn, scope, id)
        .await?
        .ok_or(DomainError::NotFound)?;
    if input.hard == Some(true) {
        check_hard(true, existing.provider_id)?;
    }
    let mut model: budget_ceiling::ActiveModel = existing.into();
    if let Some(cents) = input.amount_cents {
        model.amount_cents = Set(cents);
    }
    if let Some(hard) = input.hard {
        model.hard = Set(hard);
    }
    let updated = count_spend(txn, scope, model.update(txn).await?).await?;
    let value = CeilingNames::load(txn, scope)
        .await?
        .describe(txn, scope, updated)
        .await?;
    audit
        .record(txn, "update", "budget-ceiling", value.id, &value)
        .await?;
    Ok(value)
}

/// Removes a ceiling; its signals and combined groups go with it (the
/// schema cascades; the groups are removed here too, as SQLite may not).
pub async fn delete<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    id: Uuid,
) -> DomainResult<()> {
    let existing = budget_ceiling::Entity::find_scoped(db, scope, id)
        .await?
        .ok_or(DomainError::NotFound)?;
    budget_ceiling_group::Entity::delete_scoped(scope)
        .filter(budget_ceiling_group::Column::BudgetCeilingId.eq(existing.id))
        .exec(db)
        .await?;
    budget_ceiling::Entity::delete_scoped_by_id(db, scope, existing.id).await?;
    audit
        .record(
            db,
            "delete",
            "budget-ceiling",
            existing.id,
            serde_json::json!({}),
        )
        .await?;
    Ok(())
}

/// The consultation that follows a signal: the provider is told in writing
/// when a level is reached and consulted within two weeks (Contractstandaard
/// Wmo 1.2 art. 1.5); the region records when and what came of it.
#[derive(Debug, Clone)]
pub struct Consultation {
    pub consulted_on: NaiveDate,
    pub outcome: String,
}

/// Records (or corrects) a signal's consultation, audited with the signal
/// before and after.
pub async fn record_consultation(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    audit: &Audit,
    id: Uuid,
    input: Consultation,
) -> DomainResult<budget_signal::Model> {
    let existing = budget_signal::Entity::find_scoped(txn, scope, id)
        .await?
        .ok_or(DomainError::NotFound)?;
    if input.consulted_on < existing.created_at.date_naive() {
        return Err(DomainError::unprocessable(
            "consultedOn",
            "cannot be before the signal was raised",
        ));
    }
    if input.outcome.trim().is_empty() {
        return Err(DomainError::invalid("outcome", "must not be empty"));
    }
    let before = serde_json::json!({
        "consultedOn": existing.consulted_on,
        "outcome": existing.outcome,
    });
    let mut model: budget_signal::ActiveModel = existing.into();
    model.consulted_on = Set(Some(input.consulted_on));
    model.outcome = Set(Some(input.outcome));
    let saved = model.update(txn).await?;
    audit
        .record(
            txn,
            "update",
            "budget-signal",
            saved.id,
            serde_json::json!({
                "before": before,
                "after": { "consultedOn": saved.consulted_on, "outcome": saved.outcome },
                "budgetCeilingId": saved.budget_ceiling_id,
                "levelPercent": saved.level_percent,
            }),
        )
        .await?;
    Ok(saved)
}
