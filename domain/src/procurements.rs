//! Procurements (inkoopprocedures, issue 27): the procedure a region's
//! contracts are concluded under, with its form, lots, estimated total
//! value, publication and award dates and the contracts it produced.
//!
//! The EU threshold belongs to the procurement, not to the contract form:
//! a national SAS or a private procurement whose whole value (its estimate,
//! or what its contracts add up to when that is more) exceeds the
//! `contract-life` policy's threshold is flagged or refused; the European
//! SAS procedure and an open-house admission never are
//! (`entities::contract_life::misses_eu_procedure`).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entities::{
    contract_life::{form_fits, has_room_for_award, misses_eu_procedure, procurement_total},
    enums::{ContractSignalKind, ProcedureForm, ProcurementForm},
    money::cents_to_euros,
    policy::{ContractLifePolicy, ThresholdAction},
    schema::{contract, contract_product_group, procurement, procurement_lot},
    RegionScope, TenantEntity,
};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    audit::Audit,
    codes::CodeBook,
    contract_watch::{contract_life_policy, signal},
    error::{DomainError, DomainResult},
};

/// A procurement as the region knows it, its lots by product group code.
/// The audit trail records it; the API's `ProcurementOut` shows it field
/// for field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Procurement {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub form: ProcedureForm,
    /// The lots (product groups).
    pub product_group_codes: Vec<String>,
    /// The estimated value of the whole procurement, in euros.
    pub estimated_value: Option<Decimal>,
    pub published_on: Option<NaiveDate>,
    pub awarded_on: Option<NaiveDate>,
    pub max_selected: Option<u32>,
    pub max_awards: Option<u32>,
    /// Contracts concluded under it.
    pub contract_count: u64,
    /// The sum of their estimated values, in euros.
    pub contracted_value: Decimal,
    /// The value checked against the EU threshold: the estimate, or the
    /// contracted value when that is higher.
    pub threshold_value: Decimal,
    /// Whether it needed a European procedure it is not.
    pub over_eu_threshold: bool,
}

/// A new procurement; `groups` are its lots.
pub struct NewProcurement {
    pub code: String,
    pub name: String,
    pub form: ProcedureForm,
    pub groups: Vec<Uuid>,
    pub estimated_value_cents: Option<i64>,
    pub published_on: Option<NaiveDate>,
    pub awarded_on: Option<NaiveDate>,
    pub max_selected: Option<u32>,
    pub max_awards: Option<u32>,
}

/// What a change sets; `None` leaves a field as it is, `Some(None)`
/// clears an optional one.
#[derive(Default)]
pub struct Change {
    pub name: Option<String>,
    pub form: Option<ProcedureForm>,
    pub groups: Option<Vec<Uuid>>,
    pub estimated_value_cents: Option<Option<i64>>,
    pub published_on: Option<Option<NaiveDate>>,
    pub awarded_on: Option<Option<NaiveDate>>,
    pub max_selected: Option<Option<u32>>,
    pub max_awards: Option<Option<u32>>,
}

/// A procurement of the region by its code.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    code: &str,
) -> DomainResult<Option<procurement::Model>> {
    Ok(procurement::Entity::scoped(scope)
        .filter(procurement::Column::Code.eq(code))
        .one(db)
        .await?)
}

/// Creates a procurement with its lots. Over the EU threshold (a national
/// SAS or private procurement) it is refused (422
/// `ZR-PROCUREMENT-EU-THRESHOLD`) or stored with an `eu-threshold` signal,
/// as the `contract-life` policy says.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    new: NewProcurement,
) -> DomainResult<Procurement> {
    let model = procurement::Model {
        region_id: scope.region_id,
        id: Uuid::now_v7(),
        code: new.code,
        name: new.name,
        form: new.form,
        estimated_value_cents: new.estimated_value_cents,
        published_on: new.published_on,
        awarded_on: new.awarded_on,
        max_selected: new.max_selected.map(|n| n as i32),
        max_awards: new.max_awards.map(|n| n as i32),
        created_at: entities::clock::now(),
    };
    check_fields(&model)?;
    let life = contract_life_policy(db, scope).await?;
    let over = over_threshold(&model, &[], &life)?;
    let stored = procurement::ActiveModel {
        region_id: Set(model.region_id),
        id: Set(model.id),
        code: Set(model.code.clone()),
        name: Set(model.name.clone()),
        form: Set(model.form),
        estimated_value_cents: Set(model.estimated_value_cents),
        published_on: Set(model.published_on),
        awarded_on: Set(model.awarded_on),
        max_selected: Set(model.max_selected),
        max_awards: Set(model.max_awards),
        created_at: Set(model.created_at),
    }
    .insert(db)
    .await?;
    link_lots(db, scope, stored.id, &new.groups).await?;
    if let Some(total) = over {
        flag(db, scope, &stored, total, &life).await?;
    }
    let out = describe(db, scope, stored).await?;
    audit
        .record(db, "create", "procurement", out.id, &out)
        .await?;
    Ok(out)
}

/// Changes a procurement. Lots its contracts cover stay (422), at most
/// `maxAwards` stays at least its contracts (422), and a changed form or
/// estimate is checked against the EU threshold as on creation.
pub async fn change<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    existing: procurement::Model,
    change: Change,
) -> DomainResult<Procurement> {
    let before = describe(db, scope, existing.clone()).await?;
    let mut model = existing.clone();
    if let Some(name) = change.name {
        model.name = name;
    }
    if let Some(form) = change.form {
        model.form = form;
    }
    if let Some(value) = change.estimated_value_cents {
        model.estimated_value_cents = value;
    }
    if let Some(on) = change.published_on {
        model.published_on = on;
    }
    if let Some(on) = change.awarded_on {
        model.awarded_on = on;
    }
    if let Some(n) = change.max_selected {
        model.max_selected = n.map(|n| n as i32);
    }
    if let Some(n) = change.max_awards {
        model.max_awards = n.map(|n| n as i32);
    }
    check_fields(&model)?;
    let contracts = contracts_of(db, scope, &[existing.id]).await?;
    if let Some(max) = model.max_awards {
        if (contracts.len() as i64) > i64::from(max) {
            return Err(DomainError::unprocessable(
                "maxAwards",
                format!(
                    "{} contracts were concluded under this procurement already",
                    contracts.len()
                ),
            ));
        }
    }
    if model.form != existing.form {
        if let Some(c) = contracts
            .iter()
            .find(|c| !form_fits(c.procurement_form, model.form))
        {
            return Err(DomainError::unprocessable(
                "form",
                format!(
                    "contract {} under this procurement is {}",
                    c.id,
                    c.procurement_form.as_str()
                ),
            ));
        }
    }
    if let Some(groups) = &change.groups {
        let ids: Vec<Uuid> = contracts.iter().map(|c| c.id).collect();
        let covered = contract_product_group::Entity::scoped(scope)
            .filter(contract_product_group::Column::ContractId.is_in(ids))
            .all(db)
            .await?;
        if let Some(missing) = covered
            .iter()
            .find(|l| !groups.contains(&l.product_group_id))
        {
            let codes = CodeBook::load(db, scope).await?;
            return Err(DomainError::unprocessable(
                "productGroupCodes",
                format!(
                    "contracts under this procurement cover {}: it stays a lot",
                    codes.group(missing.product_group_id)
                ),
            ));
        }
    }
    // Checked again when what it depends on changes: a procurement flagged
    // before keeps its name and dates changeable under a refusing policy.
    let life = contract_life_policy(db, scope).await?;
    let values: Vec<Option<i64>> = contracts.iter().map(|c| c.estimated_value_cents).collect();
    let over = if model.form != existing.form
        || model.estimated_value_cents != existing.estimated_value_cents
    {
        over_threshold(&model, &values, &life)?
    } else {
        None
    };
    let stored = procurement::ActiveModel {
        name: Set(model.name),
        form: Set(model.form),
        estimated_value_cents: Set(model.estimated_value_cents),
        published_on: Set(model.published_on),
        awarded_on: Set(model.awarded_on),
        max_selected: Set(model.max_selected),
        max_awards: Set(model.max_awards),
        ..existing.into()
    }
    .update(db)
    .await?;
    if let Some(groups) = &change.groups {
        link_lots(db, scope, stored.id, groups).await?;
    }
    if let Some(total) = over {
        flag(db, scope, &stored, total, &life).await?;
    }
    let after = describe(db, scope, stored).await?;
    audit
        .record(
            db,
            "update",
            "procurement",
            after.id,
            serde_json::json!({ "before": before, "after": &after }),
        )
        .await?;
    Ok(after)
}

/// The checks of a contract to be concluded under `p`: an open-house
/// contract only under an open-house admission and the other way round
/// (422 `ZR-PROCUREMENT-FORM`), only its lots (422 `ZR-PROCUREMENT-LOT`),
/// no more than its `maxAwards` (422 `ZR-PROCUREMENT-FULL`). Returns the
/// procurement's total with the new contract when that misses the EU
/// threshold; the caller refuses or flags it.
pub async fn admit<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    p: &procurement::Model,
    (form, groups, value_cents): (ProcurementForm, &[Uuid], Option<i64>),
    life: &ContractLifePolicy,
) -> DomainResult<Option<i64>> {
    if !form_fits(form, p.form) {
        return Err(DomainError::rule(
            "ZR-PROCUREMENT-FORM",
            format!(
                "Procurement {} is {}: a {} contract is not concluded under it.",
                p.code,
                p.form.as_str(),
                form.as_str()
            ),
        ));
    }
    let lots = lots_of(db, scope, &[p.id]).await?;
    let lots: HashSet<Uuid> = lots.get(&p.id).into_iter().flatten().copied().collect();
    if !lots.is_empty() {
        if let Some(outside) = groups.iter().find(|g| !lots.contains(g)) {
            let codes = CodeBook::load(db, scope).await?;
            return Err(DomainError::rule(
                "ZR-PROCUREMENT-LOT",
                format!(
                    "Product group {} is no lot of procurement {}.",
                    codes.group(*outside),
                    p.code
                ),
            ));
        }
    }
    let contracts = contracts_of(db, scope, &[p.id]).await?;
    let max_awards = p.max_awards.map(|n| n.max(0) as u32);
    if !has_room_for_award(max_awards, contracts.len() as u64) {
        return Err(DomainError::rule(
            "ZR-PROCUREMENT-FULL",
            format!(
                "Procurement {} awards at most {} contracts; it has {}.",
                p.code,
                max_awards.unwrap_or_default(),
                contracts.len()
            ),
        ));
    }
    let values = contracts
        .iter()
        .map(|c| c.estimated_value_cents)
        .chain([value_cents]);
    let total = procurement_total(p.estimated_value_cents, values);
    Ok(misses_eu_procedure(p.form, total, life.eu_threshold).then_some(total))
}

/// The procurement as the region knows it.
pub async fn describe<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    model: procurement::Model,
) -> DomainResult<Procurement> {
    Ok(describe_all(db, scope, vec![model])
        .await?
        .pop()
        .expect("one in, one out"))
}

/// A page of procurements with their lots and contracts, loaded together.
pub async fn describe_all<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    models: Vec<procurement::Model>,
) -> DomainResult<Vec<Procurement>> {
    let ids: Vec<Uuid> = models.iter().map(|p| p.id).collect();
    let lots = lots_of(db, scope, &ids).await?;
    let mut contracts: HashMap<Uuid, Vec<Option<i64>>> = HashMap::new();
    for c in contracts_of(db, scope, &ids).await? {
        if let Some(id) = c.procurement_id {
            contracts
                .entry(id)
                .or_default()
                .push(c.estimated_value_cents);
        }
    }
    let codes = CodeBook::load(db, scope).await?;
    let life = contract_life_policy(db, scope).await?;
    Ok(models
        .into_iter()
        .map(|p| {
            let values = contracts.remove(&p.id).unwrap_or_default();
            let contracted = procurement_total(None, values.iter().copied());
            let total = procurement_total(p.estimated_value_cents, values.iter().copied());
            let mut groups: Vec<String> = lots
                .get(&p.id)
                .into_iter()
                .flatten()
                .map(|g| codes.group(*g))
                .collect();
            groups.sort();
            Procurement {
                id: p.id,
                over_eu_threshold: misses_eu_procedure(p.form, total, life.eu_threshold),
                code: p.code,
                name: p.name,
                form: p.form,
                product_group_codes: groups,
                estimated_value: p.estimated_value_cents.map(cents_to_euros),
                published_on: p.published_on,
                awarded_on: p.awarded_on,
                max_selected: p.max_selected.map(|n| n.max(0) as u32),
                max_awards: p.max_awards.map(|n| n.max(0) as u32),
                contract_count: values.len() as u64,
                contracted_value: cents_to_euros(contracted),
                threshold_value: cents_to_euros(total),
            }
        })
        .collect())
}

/// The region's procurements by code.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
) -> DomainResult<Vec<procurement::Model>> {
    Ok(procurement::Entity::scoped(scope)
        .order_by_asc(procurement::Column::Code)
        .all(db)
        .await?)
}

/// Dates in order, and no more awards than candidates selected.
fn check_fields(p: &procurement::Model) -> DomainResult<()> {
    if let (Some(published), Some(awarded)) = (p.published_on, p.awarded_on) {
        if awarded < published {
            return Err(DomainError::unprocessable(
                "awardedOn",
                "must not be before publishedOn",
            ));
        }
    }
    if let (Some(selected), Some(awards)) = (p.max_selected, p.max_awards) {
        if awards > selected {
            return Err(DomainError::unprocessable(
                "maxAwards",
                "must not exceed maxSelected: contracts are awarded among the selected",
            ));
        }
    }
    Ok(())
}

/// The procurement's total when it misses the EU threshold; 422
/// `ZR-PROCUREMENT-EU-THRESHOLD` when the policy refuses it.
fn over_threshold(
    p: &procurement::Model,
    contract_values: &[Option<i64>],
    life: &ContractLifePolicy,
) -> DomainResult<Option<i64>> {
    let total = procurement_total(p.estimated_value_cents, contract_values.iter().copied());
    if !misses_eu_procedure(p.form, total, life.eu_threshold) {
        return Ok(None);
    }
    if life.eu_threshold_action == ThresholdAction::Refuse {
        return Err(DomainError::rule(
            "ZR-PROCUREMENT-EU-THRESHOLD",
            format!(
                "A procurement worth € {} is above the EU threshold of € {}: it needs the European procedure, not {}.",
                cents_to_euros(total),
                life.eu_threshold,
                p.form.as_str()
            ),
        ));
    }
    Ok(Some(total))
}

/// The `eu-threshold` signal of a flagged procurement, once per day due.
async fn flag<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    p: &procurement::Model,
    total: i64,
    life: &ContractLifePolicy,
) -> DomainResult<()> {
    let due = p
        .published_on
        .unwrap_or_else(|| entities::clock::now().date_naive());
    signal(
        db,
        scope,
        ContractSignalKind::EuThreshold,
        (p.id, None),
        due,
        format!(
            "Procurement {} is worth € {}, more than € {}, but is {}.",
            p.code,
            cents_to_euros(total),
            life.eu_threshold,
            p.form.as_str()
        ),
    )
    .await?;
    Ok(())
}

/// The lots of the procurements, by procurement.
async fn lots_of<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<Uuid>>> {
    let mut lots: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for lot in procurement_lot::Entity::scoped(scope)
        .filter(procurement_lot::Column::ProcurementId.is_in(ids.to_vec()))
        .all(db)
        .await?
    {
        lots.entry(lot.procurement_id)
            .or_default()
            .push(lot.product_group_id);
    }
    Ok(lots)
}

/// The contracts concluded under the procurements.
async fn contracts_of<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    ids: &[Uuid],
) -> DomainResult<Vec<contract::Model>> {
    Ok(contract::Entity::scoped(scope)
        .filter(contract::Column::ProcurementId.is_in(ids.to_vec()))
        .all(db)
        .await?)
}

async fn link_lots<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    procurement_id: Uuid,
    ids: &[Uuid],
) -> DomainResult<()> {
    procurement_lot::Entity::delete_scoped(scope)
        .filter(procurement_lot::Column::ProcurementId.eq(procurement_id))
        .exec(db)
        .await?;
    if ids.is_empty() {
        return Ok(());
    }
    procurement_lot::Entity::insert_many(ids.iter().map(|id| procurement_lot::ActiveModel {
        region_id: Set(scope.region_id),
        procurement_id: Set(procurement_id),
        product_group_id: Set(*id),
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}
