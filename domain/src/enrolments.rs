//! Enrolments (aanmeldingen) for open house and tenders (seed 004 §6, §13):
//! a provider applies for lots and municipalities with evidence for each
//! item of the checklist the region's `enrolment-requirements` policy sets
//! per product group; the office assesses each item and decides. An
//! application passes the same admission rules and compliance register as
//! a contract, and an admission concludes the contract through
//! [`contracts::conclude`].

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    enums::{Assessment, EnrolmentStatus, ProcurementForm, Requirement},
    policy::{kinds, PolicyRules},
    schema::{enrolment, enrolment_evidence, provider},
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QuerySelect, Set};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    audit::Audit,
    codes::CodeBook,
    contracts::{self, Terms},
    error::{DomainError, DomainResult},
    parties::Party,
    policies,
};

/// An item of the checklist with its evidence and assessment.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistItem {
    pub requirement: Requirement,
    /// Whether the region's requirements for the groups name it.
    pub required: bool,
    pub document_reference: Option<String>,
    pub valid_until: Option<NaiveDate>,
    /// None while no evidence was brought.
    pub assessment: Option<Assessment>,
    pub assessment_note: Option<String>,
}

/// An enrolment with its references by their codes and its checklist. The
/// audit trail records it; the API's `EnrolmentOut` shows it field for
/// field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Enrolment {
    pub id: Uuid,
    pub provider_agb: String,
    pub procurement_form: ProcurementForm,
    pub product_group_codes: Vec<String>,
    pub municipality_cbs_codes: Vec<String>,
    pub start_date: NaiveDate,
    pub status: EnrolmentStatus,
    pub checklist: Vec<ChecklistItem>,
    pub decision_reason: Option<String>,
    /// The contract an admission concluded.
    pub contract_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// The ids an enrolment keeps as a JSON list (its groups, municipalities).
pub fn ids_of(json: &serde_json::Value) -> Vec<Uuid> {
    serde_json::from_value(json.clone()).unwrap_or_default()
}

/// The requirements of the region's `enrolment-requirements` policies of
/// the groups, in a stable order.
async fn required<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    codes: &CodeBook,
    groups: &[Uuid],
) -> DomainResult<BTreeSet<&'static str>> {
    let mut needed = BTreeSet::new();
    for group in groups {
        if let Some(PolicyRules::EnrolmentRequirements(p)) = policies::rules(
            db,
            scope,
            kinds::ENROLMENT_REQUIREMENTS,
            &codes.group(*group),
        )
        .await?
        {
            needed.extend(p.requirements.iter().map(Requirement::as_str));
        }
    }
    Ok(needed)
}

/// The enrolment as the region knows it.
pub async fn describe<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    e: enrolment::Model,
) -> DomainResult<Enrolment> {
    let codes = CodeBook::load(db, scope).await?;
    describe_with(db, scope, &codes, e).await
}

/// The enrolment with its checklist, its codes from `codes` (loaded once
/// for a page).
pub async fn describe_with<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    codes: &CodeBook,
    e: enrolment::Model,
) -> DomainResult<Enrolment> {
    let groups = ids_of(&e.product_group_ids);
    let needed = required(db, scope, codes, &groups).await?;
    let evidence = enrolment_evidence::Entity::scoped(scope)
        .filter(enrolment_evidence::Column::EnrolmentId.eq(e.id))
        .all(db)
        .await?;
    let mut checklist: Vec<ChecklistItem> = Requirement::ALL
        .iter()
        .filter_map(|name| {
            let requirement: Requirement = name.parse().ok()?;
            let item = evidence.iter().find(|x| x.requirement == requirement);
            let is_needed = needed.contains(name);
            (is_needed || item.is_some()).then(|| ChecklistItem {
                requirement,
                required: is_needed,
                document_reference: item.map(|x| x.document_reference.clone()),
                valid_until: item.and_then(|x| x.valid_until),
                assessment: item.map(|x| x.assessment),
                assessment_note: item.and_then(|x| x.assessment_note.clone()),
            })
        })
        .collect();
    checklist.sort_by_key(|i| !i.required);
    let mut group_codes: Vec<String> = groups.iter().map(|g| codes.group(*g)).collect();
    group_codes.sort();
    let mut cbs: Vec<String> = ids_of(&e.municipality_ids)
        .iter()
        .map(|m| codes.municipality(*m))
        .collect();
    cbs.sort();
    Ok(Enrolment {
        id: e.id,
        provider_agb: codes.provider(e.provider_id),
        procurement_form: e.procurement_form,
        product_group_codes: group_codes,
        municipality_cbs_codes: cbs,
        start_date: e.start_date,
        status: e.status,
        checklist,
        decision_reason: e.decision_reason,
        contract_id: e.contract_id,
        created_at: e.created_at,
        decided_at: e.decided_at,
    })
}

/// The enrolment `party` may see, while it is still being decided (409
/// `ZR-ENROL-DECIDED` afterwards), locked for the transaction: two
/// decisions at once conclude one contract.
pub async fn open<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    party: &Party,
    id: Uuid,
) -> DomainResult<enrolment::Model> {
    enrolment::Entity::scoped(scope)
        .filter(enrolment::Column::Id.eq(id))
        .lock_exclusive()
        .one(db)
        .await?;
    let found = enrolment::Entity::find_scoped(db, scope, id)
        .await?
        .filter(|e| party.sees_provider(e.provider_id))
        .ok_or(DomainError::NotFound)?;
    if found.status != EnrolmentStatus::Applied {
        return Err(DomainError::conflict(
            "ZR-ENROL-DECIDED",
            format!("The enrolment was {} already.", found.status.as_str()),
        ));
    }
    Ok(found)
}

/// One item of evidence: where the document is, and how long it holds.
pub struct Evidence {
    pub requirement: Requirement,
    pub document_reference: String,
    pub valid_until: Option<NaiveDate>,
}

/// Stores (or replaces) one item of evidence, pending assessment.
async fn put_evidence<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    enrolment_id: Uuid,
    evidence: &Evidence,
) -> DomainResult<()> {
    enrolment_evidence::Entity::delete_scoped(scope)
        .filter(enrolment_evidence::Column::EnrolmentId.eq(enrolment_id))
        .filter(enrolment_evidence::Column::Requirement.eq(evidence.requirement))
        .exec(db)
        .await?;
    enrolment_evidence::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        enrolment_id: Set(enrolment_id),
        requirement: Set(evidence.requirement),
        document_reference: Set(evidence.document_reference.trim().to_owned()),
        valid_until: Set(evidence.valid_until),
        assessment: Set(Assessment::Pending),
        assessment_note: Set(None),
        assessed_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// An application, its references resolved.
pub struct Application {
    pub provider: provider::Model,
    pub form: ProcurementForm,
    pub start: NaiveDate,
    pub groups: Vec<Uuid>,
    pub municipalities: Vec<Uuid>,
    pub evidence: Vec<Evidence>,
}

/// Checks the admission rules and the compliance register as for a new
/// contract (each a 422 naming the rule), then stores the application
/// with its evidence and audits it.
pub async fn apply<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    application: Application,
) -> DomainResult<Enrolment> {
    let Application {
        provider,
        form,
        start,
        groups,
        municipalities,
        evidence,
    } = application;
    contracts::check_admission(
        db,
        scope,
        provider.id,
        form,
        start,
        &groups,
        &municipalities,
    )
    .await?;
    contracts::check_compliance(db, scope, &provider, entities::clock::now().date_naive()).await?;
    let saved = enrolment::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        provider_id: Set(provider.id),
        procurement_form: Set(form),
        product_group_ids: Set(serde_json::json!(groups)),
        municipality_ids: Set(serde_json::json!(municipalities)),
        start_date: Set(start),
        status: Set(EnrolmentStatus::Applied),
        decision_reason: Set(None),
        contract_id: Set(None),
        created_at: Set(entities::clock::now()),
        decided_at: Set(None),
    }
    .insert(db)
    .await?;
    for item in &evidence {
        put_evidence(db, scope, saved.id, item).await?;
    }
    let out = describe(db, scope, saved).await?;
    audit
        .record(db, "create", "enrolment", out.id, &out)
        .await?;
    Ok(out)
}

/// Brings (or replaces) the evidence for one item of an open enrolment
/// (see [`open`]); it awaits assessment again.
pub async fn bring_evidence<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    found: enrolment::Model,
    evidence: Evidence,
) -> DomainResult<Enrolment> {
    put_evidence(db, scope, found.id, &evidence).await?;
    let out = describe(db, scope, found).await?;
    audit
        .record(
            db,
            "evidence",
            "enrolment",
            out.id,
            serde_json::json!({
                "requirement": evidence.requirement,
                "documentReference": evidence.document_reference.trim(),
            }),
        )
        .await?;
    Ok(out)
}

/// Records the office's assessment of one item of an open enrolment's
/// evidence; 404 when no evidence was brought for it. The trail keeps the
/// note as given, the checklist trimmed.
pub async fn assess<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    found: enrolment::Model,
    (requirement, assessment): (Requirement, Assessment),
    note: Option<&str>,
) -> DomainResult<Enrolment> {
    let item = enrolment_evidence::Entity::scoped(scope)
        .filter(enrolment_evidence::Column::EnrolmentId.eq(found.id))
        .filter(enrolment_evidence::Column::Requirement.eq(requirement))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let mut model: enrolment_evidence::ActiveModel = item.into();
    model.assessment = Set(assessment);
    model.assessment_note = Set(note.map(|n| n.trim().to_owned()));
    model.assessed_at = Set(Some(entities::clock::now()));
    model.update(db).await?;
    let out = describe(db, scope, found).await?;
    audit
        .record(
            db,
            "assess",
            "enrolment",
            out.id,
            serde_json::json!({ "requirement": requirement, "assessment": assessment, "note": note }),
        )
        .await?;
    Ok(out)
}

/// The office's decision, and for an admission the contract's terms.
pub struct Decision {
    /// `admitted` or `rejected`.
    pub decision: EnrolmentStatus,
    pub reason: Option<String>,
    pub initial_term_months: u32,
    pub extension_options_months: Vec<u32>,
    pub notice_months: u32,
    pub estimated_value_cents: Option<i64>,
}

/// Decides an open enrolment. An admission needs every required item
/// accepted and valid (422 `ZR-ENROL-EVIDENCE`) and concludes the contract
/// under the region's rules; a rejection only records its reason.
pub async fn decide<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    found: enrolment::Model,
    decision: Decision,
) -> DomainResult<Enrolment> {
    let mut contract_id = None;
    if decision.decision == EnrolmentStatus::Admitted {
        check_checklist(db, scope, &found).await?;
        let provider = provider::Entity::find_scoped(db, scope, found.provider_id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let out = contracts::conclude(
            db,
            scope,
            audit,
            Terms {
                provider,
                form: found.procurement_form,
                start: found.start_date,
                initial_term_months: decision.initial_term_months,
                extension_options_months: decision.extension_options_months,
                notice_months: decision.notice_months,
                estimated_value_cents: decision.estimated_value_cents,
                groups: ids_of(&found.product_group_ids),
                municipalities: ids_of(&found.municipality_ids),
                procurement: None,
            },
        )
        .await?;
        contract_id = Some(out.id);
    }
    let (status, reason) = (decision.decision, decision.reason);
    let mut model: enrolment::ActiveModel = found.into();
    model.status = Set(status);
    model.decision_reason = Set(reason.clone());
    model.contract_id = Set(contract_id);
    model.decided_at = Set(Some(entities::clock::now()));
    let out = describe(db, scope, model.update(db).await?).await?;
    audit
        .record(
            db,
            "decide",
            "enrolment",
            out.id,
            serde_json::json!({ "decision": status, "reason": reason, "contractId": contract_id }),
        )
        .await?;
    Ok(out)
}

/// 422 `ZR-ENROL-EVIDENCE` naming every required item without evidence,
/// not accepted, or accepted but no longer valid today.
async fn check_checklist<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    found: &enrolment::Model,
) -> DomainResult<()> {
    let codes = CodeBook::load(db, scope).await?;
    let needed = required(db, scope, &codes, &ids_of(&found.product_group_ids)).await?;
    let evidence = enrolment_evidence::Entity::scoped(scope)
        .filter(enrolment_evidence::Column::EnrolmentId.eq(found.id))
        .all(db)
        .await?;
    let today = entities::clock::now().date_naive();
    let problems: Vec<String> = needed
        .into_iter()
        .filter_map(|name| {
            let item = evidence.iter().find(|e| e.requirement.as_str() == name);
            let problem = match item {
                None => "has no evidence",
                Some(e) if e.assessment != Assessment::Accepted => "is not accepted",
                Some(e) if e.valid_until.is_some_and(|until| until < today) => "has expired",
                Some(_) => return None,
            };
            Some(format!("{name} {problem}"))
        })
        .collect();
    if !problems.is_empty() {
        return Err(DomainError::rule(
            "ZR-ENROL-EVIDENCE",
            format!(
                "An admission needs every required item accepted and valid: {}.",
                problems.join("; ")
            ),
        ));
    }
    Ok(())
}
