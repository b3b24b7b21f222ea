//! Bridging agreements (overbruggingsovereenkomsten, seed 004 §12): named
//! allocations of a contract that ends may run, and be declared, past its
//! last day up to the agreement's `until`. New allocations under an ended
//! contract stay refused, bridge or not.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    contract_life::last_day,
    schema::{bridging_agreement, contract},
    RegionScope,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    audit::Audit,
    check::Check,
    contract_watch::{bridge_numbers, running_past},
    error::{DomainError, DomainResult},
};

/// A bridging agreement as the region knows it. The audit trail records
/// it; the API's `BridgingAgreementOut` shows it field for field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BridgingAgreement {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub until: NaiveDate,
    pub allocation_numbers: Vec<i64>,
    pub conditions: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<bridging_agreement::Model> for BridgingAgreement {
    fn from(m: bridging_agreement::Model) -> Self {
        Self {
            allocation_numbers: bridge_numbers(&m),
            id: m.id,
            contract_id: m.contract_id,
            until: m.until,
            conditions: m.conditions,
            created_at: m.created_at,
        }
    }
}

/// The contract's last day, or 422 when it has none (a term that
/// overflows the calendar cannot be bridged).
pub fn last_day_of(c: &contract::Model) -> DomainResult<NaiveDate> {
    last_day(c).ok_or_else(|| {
        DomainError::rule(
            "ZR-CONTRACT-NO-LAST-DAY",
            "The contract's term runs past the calendar: it has no last day.",
        )
    })
}

/// The allocations a bridge of `contract` until `until` covers: the
/// `asked` numbers (sorted, once each), or every allocation still running
/// past its last day when none are asked. Each rule it breaks (an `until`
/// not after the last day, a number the contract does not run past it) is
/// recorded in `check`, so that one answer lists them with the handler's
/// own; 422 `ZR-CONTRACT-NO-LAST-DAY` at once when the contract has no
/// last day.
pub async fn covered<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    contract: &contract::Model,
    check: &mut Check,
    (until, asked): (Option<NaiveDate>, Option<&[i64]>),
) -> DomainResult<Vec<i64>> {
    let last = last_day_of(contract)?;
    if let Some(until) = until {
        check.require_rule(
            until > last,
            "until",
            &format!("must be after the contract's last day ({last})"),
        );
    }
    let running = running_past(db, scope, contract, last).await?;
    Ok(match asked {
        None => {
            check.require_rule(
                !running.is_empty(),
                "allocationNumbers",
                "no allocation of this contract runs past its last day",
            );
            running.iter().map(|a| a.allocation_number).collect()
        }
        Some(numbers) => {
            for (i, number) in numbers.iter().enumerate() {
                check.require_rule(
                    running.iter().any(|a| a.allocation_number == *number),
                    &format!("allocationNumbers[{i}]"),
                    "is not an allocation of this contract running past its last day",
                );
            }
            let mut numbers = numbers.to_vec();
            numbers.sort_unstable();
            numbers.dedup();
            numbers
        }
    })
}

/// A bridge to store, its allocations worked out by [`covered`].
pub struct NewBridge {
    pub contract_id: Uuid,
    pub until: NaiveDate,
    pub allocation_numbers: Vec<i64>,
    /// The conditions in words.
    pub conditions: Option<String>,
}

/// Stores the bridging agreement and audits it.
pub async fn agree<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    bridge: NewBridge,
) -> DomainResult<BridgingAgreement> {
    let saved = bridging_agreement::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        contract_id: Set(bridge.contract_id),
        until: Set(bridge.until),
        allocation_numbers: Set(serde_json::json!(bridge.allocation_numbers)),
        conditions: Set(bridge.conditions.map(|c| c.trim().to_owned())),
        created_at: Set(entities::clock::now()),
    }
    .insert(db)
    .await?;
    let out = BridgingAgreement::from(saved);
    audit
        .record(db, "create", "bridging-agreement", out.id, &out)
        .await?;
    Ok(out)
}
