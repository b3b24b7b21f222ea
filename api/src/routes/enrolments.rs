//! Enrolments (aanmeldingen) for open house and tenders (seed 004 §6, §13):
//! a provider applies for lots and municipalities, with evidence for each
//! item of the checklist the region's `enrolment-requirements` policy sets
//! per product group (quality mark, certificate, VOG, financial statement,
//! Governance Code declaration, proven experience…); the office assesses
//! each item and decides. An admission concludes the contract through the
//! same rules as `POST .../contracts`; an application outside an entry
//! window, into a closed group or past a municipality's cap is a 422
//! naming the rule, as is one of a provider the compliance register blocks.

use domain::catalogue;
use domain::codes::CodeBook;

use chrono::NaiveDate;
use entities::{
    enums::{Assessment, EnrolmentStatus, ProcurementForm, Requirement},
    schema::enrolment,
    TenantEntity,
};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::prelude::*;
use domain::contracts::{resolve_groups, resolve_municipalities};
use domain::enrolments::{self, Application, Decision, Enrolment, Evidence};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvidenceIn {
    #[schema(value_type = Requirement)]
    pub requirement: String,
    /// Where the document is (a reference in the office's document system).
    #[schema(example = "DMS-2026-0412")]
    pub document_reference: String,
    #[schema(value_type = Option<NaiveDate>, example = "2027-12-31")]
    pub valid_until: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnrolmentIn {
    /// A provider token applies only for its own AGB.
    #[schema(example = "73730001")]
    pub provider_agb: String,
    #[schema(value_type = ProcurementForm)]
    pub procurement_form: String,
    pub product_group_codes: Vec<String>,
    pub municipality_cbs_codes: Vec<String>,
    /// The day the contract would start: within the groups' entry windows.
    #[schema(value_type = NaiveDate, example = "2027-01-01")]
    pub start_date: String,
    #[serde(default)]
    pub evidence: Vec<EvidenceIn>,
}

/// An item of the checklist with its evidence and assessment.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistItem {
    pub requirement: Requirement,
    /// Whether the region's requirements for the groups name it (evidence
    /// beyond the checklist is kept, but not needed).
    pub required: bool,
    pub document_reference: Option<String>,
    pub valid_until: Option<NaiveDate>,
    /// None while no evidence was brought.
    pub assessment: Option<Assessment>,
    pub assessment_note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnrolmentOut {
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
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssessmentIn {
    /// `accepted` or `rejected`.
    #[schema(value_type = Assessment)]
    pub assessment: String,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvidenceUpdateIn {
    #[schema(example = "DMS-2026-0413")]
    pub document_reference: String,
    #[schema(value_type = Option<NaiveDate>, example = "2027-12-31")]
    pub valid_until: Option<String>,
}

/// The decision: `admitted` with the contract's terms, or `rejected` with a reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionIn {
    /// `admitted` or `rejected`.
    #[schema(value_type = EnrolmentStatus)]
    pub decision: String,
    /// Required for a rejection.
    pub reason: Option<String>,
    /// For an admission: the contract's initial term.
    #[schema(example = 48)]
    pub initial_term_months: Option<u32>,
    #[serde(default)]
    #[schema(example = json!([24, 24]))]
    pub extension_options_months: Vec<u32>,
    #[serde(default)]
    #[schema(example = 12)]
    pub notice_months: u32,
    #[schema(example = "600000.00")]
    pub estimated_value: Option<String>,
}

impl From<enrolments::ChecklistItem> for ChecklistItem {
    fn from(i: enrolments::ChecklistItem) -> Self {
        Self {
            requirement: i.requirement,
            required: i.required,
            document_reference: i.document_reference,
            valid_until: i.valid_until,
            assessment: i.assessment,
            assessment_note: i.assessment_note,
        }
    }
}

impl From<Enrolment> for EnrolmentOut {
    fn from(e: Enrolment) -> Self {
        Self {
            id: e.id,
            provider_agb: e.provider_agb,
            procurement_form: e.procurement_form,
            product_group_codes: e.product_group_codes,
            municipality_cbs_codes: e.municipality_cbs_codes,
            start_date: e.start_date,
            status: e.status,
            checklist: e.checklist.into_iter().map(Into::into).collect(),
            decision_reason: e.decision_reason,
            contract_id: e.contract_id,
            created_at: e.created_at,
            decided_at: e.decided_at,
        }
    }
}

/// An enrolment the caller may see: a provider only its own.
async fn find_visible<C: ConnectionTrait, P: Permission>(
    db: &C,
    auth: &Scoped<P>,
    id: Uuid,
) -> ApiResult<enrolment::Model> {
    let seen = auth
        .party
        .sees_by_id::<enrolment::Entity, _>(db, &auth.scope, id, |row| row.provider_id);
    Ok(seen.await?)
}

/// Apply for lots and municipalities.
#[utoipa::path(
    tag = "enrolments",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = EnrolmentIn,
    responses(
        (status = 201, body = EnrolmentOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A provider applying for another AGB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Outside an entry window, into a closed group, over a cap, or a blocked provider", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/enrolments")]
pub async fn create_enrolment(
    state: web::Data<AppState>,
    auth: Scoped<Enrol>,
    body: Body<EnrolmentIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    let form = check.one_of::<ProcurementForm>("procurementForm", &input.procurement_form);
    let start = check.date("startDate", &input.start_date);
    let mut evidence = Vec::new();
    for (i, e) in input.evidence.iter().enumerate() {
        let requirement =
            check.one_of::<Requirement>(&format!("evidence[{i}].requirement"), &e.requirement);
        check.name(
            &format!("evidence[{i}].documentReference"),
            &e.document_reference,
            200,
        );
        let until = check.optional_date(
            &format!("evidence[{i}].validUntil"),
            e.valid_until.as_deref(),
        );
        if let (Some(r), Some(until)) = (requirement, until) {
            if evidence.iter().any(|x: &Evidence| x.requirement == r) {
                check.fail_rule(format!("evidence[{i}].requirement"), "is listed twice");
            }
            evidence.push(Evidence {
                requirement: r,
                document_reference: e.document_reference.clone(),
                valid_until: until,
            });
        }
    }
    let txn = entities::transaction::begin_write(&state.db).await?;
    let scope = &auth.scope;
    let provider = catalogue::provider(&txn, scope, &input.provider_agb).await?;
    // A provider applies for itself only.
    if provider
        .as_ref()
        .is_some_and(|p| !auth.party.sees_provider(p.id))
    {
        return Err(ApiError::Forbidden);
    }
    check.require_rule(
        provider.is_some(),
        "providerAgb",
        "no such provider in this region",
    );
    let groups = resolve_groups(&txn, scope, &mut check, &input.product_group_codes).await?;
    let cbs =
        resolve_municipalities(&txn, scope, &mut check, &input.municipality_cbs_codes).await?;
    let ((form, start), provider) = check.done(form.zip(start).zip(provider))?;
    let application = Application {
        provider,
        form,
        start,
        groups,
        municipalities: cbs,
        evidence,
    };
    let out = EnrolmentOut::from(enrolments::apply(&txn, scope, &auth.audit(), application).await?);
    txn.commit().await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/regions/{}/enrolments/{}", auth.region.code, out.id),
        ))
        .json(out))
}

/// Enrolments, newest first; a provider sees its own.
#[utoipa::path(
    tag = "enrolments",
    params(("regionCode" = String, Path, description = "Region code"), PageQuery),
    responses((status = 200, body = Page<EnrolmentOut>), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/enrolments")]
pub async fn list_enrolments(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadEnrolments>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut select = enrolment::Entity::scoped(&auth.scope)
        .order_by_desc(enrolment::Column::CreatedAt)
        .order_by_desc(enrolment::Column::Id);
    if let Some(own) = auth.party.provider_id() {
        select = select.filter(enrolment::Column::ProviderId.eq(own));
    }
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let codes = CodeBook::load(&state.db, &auth.scope).await?;
    let mut out = Vec::with_capacity(items.len());
    for e in items {
        let e = enrolments::describe_with(&state.db, &auth.scope, &codes, e).await?;
        out.push(EnrolmentOut::from(e));
    }
    Ok(Page::new(out, page, total).respond(&req))
}

/// An enrolment with its checklist.
#[utoipa::path(
    tag = "enrolments",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Enrolment id")),
    responses((status = 200, body = EnrolmentOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/enrolments/{id}")]
pub async fn get_enrolment(
    state: web::Data<AppState>,
    auth: Scoped<ReadEnrolments>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<web::Json<EnrolmentOut>> {
    let found = find_visible(&state.db, &auth, path.1).await?;
    let out = enrolments::describe(&state.db, &auth.scope, found).await?;
    Ok(web::Json(out.into()))
}

/// Bring (or replace) the evidence for one item; it awaits assessment again.
#[utoipa::path(
    tag = "enrolments",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Enrolment id"), ("requirement" = Requirement, Path, description = "Checklist item")),
    request_body = EvidenceUpdateIn,
    responses(
        (status = 200, body = EnrolmentOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The enrolment was decided", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/regions/{regionCode}/enrolments/{id}/evidence/{requirement}")]
pub async fn put_enrolment_evidence(
    state: web::Data<AppState>,
    auth: Scoped<Enrol>,
    path: web::Path<(String, Uuid, String)>,
    body: Body<EvidenceUpdateIn>,
) -> ApiResult<web::Json<EnrolmentOut>> {
    let input = body.take()?;
    let requirement: Requirement = path.2.parse().map_err(|_| ApiError::NotFound)?;
    let mut check = Check::new();
    check.name("documentReference", &input.document_reference, 200);
    let until = check.optional_date("validUntil", input.valid_until.as_deref());
    let until = check.done(until)?;
    let txn = entities::transaction::begin_write(&state.db).await?;
    let found = enrolments::open(&txn, &auth.scope, &auth.party, path.1).await?;
    let evidence = Evidence {
        requirement,
        document_reference: input.document_reference,
        valid_until: until,
    };
    let out = enrolments::bring_evidence(&txn, &auth.scope, &auth.audit(), found, evidence).await?;
    txn.commit().await?;
    Ok(web::Json(out.into()))
}

/// Record the office's assessment of one item of evidence.
#[utoipa::path(
    tag = "enrolments",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Enrolment id"), ("requirement" = Requirement, Path, description = "Checklist item")),
    request_body = AssessmentIn,
    responses(
        (status = 200, body = EnrolmentOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such enrolment, or no evidence for the item", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The enrolment was decided", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/enrolments/{id}/evidence/{requirement}/assessment")]
pub async fn assess_evidence(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, Uuid, String)>,
    body: Body<AssessmentIn>,
) -> ApiResult<web::Json<EnrolmentOut>> {
    let input = body.take()?;
    let requirement: Requirement = path.2.parse().map_err(|_| ApiError::NotFound)?;
    let mut check = Check::new();
    let assessment = check.one_of::<Assessment>("assessment", &input.assessment);
    check.require_rule(
        assessment != Some(Assessment::Pending),
        "assessment",
        "must be accepted or rejected",
    );
    if let Some(note) = &input.note {
        check.name("note", note, 2000);
    }
    let assessment = check.done(assessment)?;
    let txn = entities::transaction::begin_write(&state.db).await?;
    let found = enrolments::open(&txn, &auth.scope, &auth.party, path.1).await?;
    let out = enrolments::assess(
        &txn,
        &auth.scope,
        &auth.audit(),
        found,
        (requirement, assessment),
        input.note.as_deref(),
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(out.into()))
}

/// Decide: admit (concluding the contract under the region's rules) or reject.
#[utoipa::path(
    tag = "enrolments",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Enrolment id")),
    request_body = DecisionIn,
    responses(
        (status = 200, body = EnrolmentOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The enrolment was decided", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A required item not accepted or expired, or an admission rule", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/enrolments/{id}/decision")]
pub async fn decide_enrolment(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, Uuid)>,
    body: Body<DecisionIn>,
) -> ApiResult<web::Json<EnrolmentOut>> {
    let input = body.take()?;
    let mut check = Check::new();
    let decision = check.one_of::<EnrolmentStatus>("decision", &input.decision);
    check.require_rule(
        decision != Some(EnrolmentStatus::Applied),
        "decision",
        "must be admitted or rejected",
    );
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(reason) = reason {
        check.name("reason", reason, 2000);
    }
    if decision == Some(EnrolmentStatus::Rejected) {
        check.require_rule(reason.is_some(), "reason", "a rejection states its reason");
    }
    let admitted = decision == Some(EnrolmentStatus::Admitted);
    if admitted {
        check.require_rule(
            input
                .initial_term_months
                .is_some_and(|m| (1..=600).contains(&m)),
            "initialTermMonths",
            "an admission names the contract's initial term, 1 to 600 months",
        );
        check.require(
            input.extension_options_months.len() <= 10
                && input
                    .extension_options_months
                    .iter()
                    .all(|m| (1..=600).contains(m)),
            "extensionOptionsMonths",
            "at most 10 options of 1 to 600 months",
        );
        check.require(
            input.notice_months <= 120,
            "noticeMonths",
            "must be 0 to 120 months",
        );
    }
    let value = input
        .estimated_value
        .as_deref()
        .map(|text| check.non_negative_euros("estimatedValue", text));
    let decision = check.done(decision)?;
    let txn = entities::transaction::begin_write(&state.db).await?;
    let scope = &auth.scope;
    let found = enrolments::open(&txn, scope, &auth.party, path.1).await?;
    let decision = Decision {
        decision,
        reason: reason.map(str::to_owned),
        initial_term_months: input.initial_term_months.unwrap_or(1),
        extension_options_months: input.extension_options_months.clone(),
        notice_months: input.notice_months,
        estimated_value_cents: value.flatten(),
    };
    let out = enrolments::decide(&txn, scope, &auth.audit(), found, decision).await?;
    txn.commit().await?;
    Ok(web::Json(out.into()))
}
