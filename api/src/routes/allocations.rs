//! Allocations (toewijzingen): a municipality allocates a product to a
//! client at a provider for a period, with a volume or a budget. The client
//! is known only by a pseudonymous key; the BSN is checked and dropped.
//! Changes and stops keep their history in the audit trail.

use domain::catalogue;
use domain::client_key::client_key;

use chrono::NaiveDate;
use entities::{
    allocation_rules::{Episode, Grant, Volume},
    bsn_check::is_valid_bsn,
    declaration_rules::grant_of,
    enums::{Gender, Referrer, Unit, VolumeFrequency},
    money::euros_to_cents,
    schema::{allocation, allocation_intensive_episode as episode},
    TenantEntity,
};
use rust_decimal::Decimal;
use sea_orm::{
    sea_query::Condition, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, RelationDef,
};

use super::prelude::*;
use domain::allocations::{
    self as service, AllocatedVolume, Allocation, AllocationCodes, Draft, Granted, IntensiveEpisode,
};
use domain::{
    iwmo,
    vault::{self, Identity},
};

/// An allocated volume: `amount` units per `frequency`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VolumeIo {
    #[schema(example = 4)]
    pub amount: i64,
    #[schema(value_type = Unit, example = "hour")]
    pub unit: String,
    #[schema(value_type = VolumeFrequency, example = "week")]
    pub frequency: String,
}

/// A temporary-intensive episode (tijdelijk intensief, seed 000 §4.1): extra
/// hours of begeleiding per week for a period, declared on the main
/// product's temporary-intensive product (its `intensiveFor`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EpisodeIo {
    #[schema(value_type = NaiveDate, example = "2025-03-01")]
    pub from: String,
    #[schema(value_type = NaiveDate, example = "2025-05-31")]
    pub to: String,
    /// Whole hours per week on top of the allocation, 1 to 168.
    #[schema(example = 3)]
    pub extra_hours_per_week: i64,
}

/// An allocation (toewijzing / beschikking).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AllocationOut {
    #[schema(example = 100001)]
    pub allocation_number: i64,
    /// Pseudonymous client key (HMAC of the BSN); the BSN is never returned or stored.
    pub client_key: String,
    #[schema(example = "GM0202")]
    pub municipality_cbs: String,
    #[schema(example = "BW0A1")]
    pub product_code: String,
    #[schema(example = "98010001")]
    pub provider_agb: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub volume: Option<VolumeIo>,
    /// Budget in euros, for budget allocations.
    #[schema(value_type = Option<String>, example = "1500.00")]
    pub budget: Option<Decimal>,
    pub temporary_intensive: Vec<EpisodeIo>,
    pub stopped_on: Option<NaiveDate>,
    pub stop_reason: Option<String>,
    /// The first day of care, as the provider reported it (iWmo 305).
    pub care_started_on: Option<NaiveDate>,
    /// The last day of care, as the provider reported it (iWmo 307).
    pub care_ended_on: Option<NaiveDate>,
    /// Why the provider ended the care: the 307's RedenBeeindiging (WMO588
    /// or JZ588), when it named one.
    #[schema(example = "02")]
    pub care_end_reason: Option<String>,
    /// When a 301 removed the allocation (RedenWijziging 13); nothing can be declared on it.
    pub removed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Who referred the client (COD327: `01` municipality, `02` GP, `03`
    /// youth doctor, `04` certified institution, `05` medical specialist,
    /// `06` self-referral, `08` court or public prosecutor); null when
    /// unknown (always for an allocation from an iWmo/iJw 301, which has no
    /// Verwijzer).
    #[schema(value_type = Option<Referrer>, example = "02")]
    pub referrer: Option<String>,
    /// The provider's location where the care is given (places).
    pub location_id: Option<uuid::Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// What the caller should know about the allocation just stored: stacked
    /// care (`ZR-ALLOC-OVERLAP`, one per other allocation of the client in
    /// the product group it overlaps). Empty when none, and on reads.
    pub warnings: Vec<WarningOut>,
}

/// A warning in the answer to a stored allocation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WarningOut {
    #[schema(example = "ZR-ALLOC-OVERLAP")]
    pub code: String,
    #[schema(
        example = "stacks on allocation 100001 at another provider in product group BW from 2025-06-01 to 2025-06-30 (30 days)."
    )]
    pub message: String,
    /// The other allocation; null when the caller may not see it (another
    /// municipality's).
    #[schema(example = 100001)]
    pub allocation_number: Option<i64>,
}

impl From<domain::steering::care_overlaps::Warning> for WarningOut {
    fn from(w: domain::steering::care_overlaps::Warning) -> Self {
        Self {
            code: w.code.to_owned(),
            message: w.message,
            allocation_number: w.allocation_number,
        }
    }
}

impl AllocationOut {
    /// The answer to a stored allocation, with its warnings.
    fn stored(stored: service::Stored, party: &domain::parties::Party) -> Self {
        Self {
            warnings: stored
                .warnings
                .into_iter()
                .map(|w| w.as_seen_by(party).into())
                .collect(),
            ..stored.out.into()
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AllocationIn {
    /// 1 to 999999999, unique in the region.
    #[schema(example = 100001, minimum = 1, maximum = 999_999_999)]
    pub allocation_number: i64,
    /// The client's BSN (9 digits, eleven-test). Used once to derive the
    /// client key, then dropped: never stored, logged or returned.
    #[schema(example = "111222333")]
    pub client_bsn: String,
    #[schema(example = "GM0202")]
    pub municipality_cbs: String,
    #[schema(example = "BW0A2")]
    pub product_code: String,
    #[schema(example = "98010001")]
    pub provider_agb: String,
    #[schema(value_type = NaiveDate, example = "2025-01-01")]
    pub start_date: String,
    #[schema(value_type = Option<NaiveDate>, example = "2025-12-31")]
    pub end_date: Option<String>,
    pub volume: Option<VolumeIo>,
    /// Euros as a decimal string, for budget allocations.
    pub budget: Option<String>,
    #[serde(default)]
    pub temporary_intensive: Vec<EpisodeIo>,
    /// Optional: who the client is, as an iWmo 301 to the provider needs it.
    /// Kept encrypted in the client vault with the BSN; never returned.
    pub client: Option<ClientIdentityIn>,
    /// Optional: who referred the client (COD327: `01` municipality, `02`
    /// GP, `03` youth doctor, `04` certified institution, `05` medical
    /// specialist, `06` self-referral, `08` court or public prosecutor).
    /// Another value is a 400 naming `referrer`.
    #[schema(value_type = Option<Referrer>, example = "02")]
    pub referrer: Option<String>,
    /// Optional: the provider's location where the care is given (one of
    /// the provider's `…/providers/{agbCode}/locations`).
    pub location_id: Option<uuid::Uuid>,
}

/// The client's identity for the iWmo/iJw 301 (name, birth date, gender).
#[derive(Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientIdentityIn {
    #[schema(value_type = NaiveDate, example = "1967-08-13")]
    pub birth_date: String,
    #[schema(value_type = Gender, example = "female")]
    pub gender: String,
    #[schema(example = "Wit")]
    pub last_name: String,
    #[schema(example = "de")]
    pub prefix: Option<String>,
    #[schema(example = "T")]
    pub initials: Option<String>,
}

// Personal data: never printed.
impl std::fmt::Debug for ClientIdentityIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientIdentityIn(..)")
    }
}

/// The identity to keep in the vault: the BSN, and what `client` adds.
fn identity_of(bsn: &str, client: Option<&ClientIdentityIn>, check: &mut Check) -> Identity {
    let mut identity = Identity {
        bsn: bsn.to_owned(),
        ..Default::default()
    };
    if let Some(c) = client {
        identity.birth_date = check.date("client.birthDate", &c.birth_date);
        identity.gender = check
            .one_of::<Gender>("client.gender", &c.gender)
            .map(|g| g.iwmo_code().to_owned());
        check.name("client.lastName", &c.last_name, 200);
        identity.last_name = Some(c.last_name.trim().to_owned());
        if let Some(prefix) = &c.prefix {
            check.name("client.prefix", prefix, 10);
        }
        if let Some(initials) = &c.initials {
            check.require(
                (1..=6).contains(&initials.len())
                    && initials.bytes().all(|b| b.is_ascii_alphabetic()),
                "client.initials",
                "must be 1 to 6 letters",
            );
        }
        identity.prefix = c.prefix.as_ref().map(|p| p.trim().to_owned());
        identity.initials = c.initials.clone();
    }
    identity
}

/// Change the end date, volume, budget or temporary intensive. Provider,
/// product and municipality do not change: that is a new allocation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AllocationPatch {
    #[schema(value_type = Option<NaiveDate>)]
    pub end_date: Option<String>,
    pub volume: Option<VolumeIo>,
    pub budget: Option<String>,
    /// Replaces all episodes.
    pub temporary_intensive: Option<Vec<EpisodeIo>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StopIn {
    /// Last day of care; becomes the end date.
    #[schema(value_type = NaiveDate, example = "2025-06-30")]
    pub stopped_on: String,
    #[schema(example = "Client moved out of the region")]
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AllocationFilter {
    pub municipality_cbs: Option<String>,
    pub provider_agb: Option<String>,
    pub product_code: Option<String>,
    pub client_key: Option<String>,
    /// Only allocations running on this date.
    #[param(value_type = Option<NaiveDate>)]
    pub active_on: Option<String>,
    /// Only allocations of this referrer (COD327 code).
    #[param(value_type = Option<Referrer>)]
    pub referrer: Option<String>,
}

fn parse_volume(check: &mut Check, v: &VolumeIo) -> Option<Volume> {
    check.require(
        (1..=1_000_000).contains(&v.amount),
        "volume.amount",
        "must be 1 to 1000000",
    );
    let unit = check.one_of::<Unit>("volume.unit", &v.unit);
    let frequency = check.one_of::<VolumeFrequency>("volume.frequency", &v.frequency);
    Some(Volume {
        amount: v.amount,
        unit: unit?,
        frequency: frequency?,
    })
}

fn parse_episodes(check: &mut Check, list: &[EpisodeIo]) -> Option<Vec<Episode>> {
    let mut episodes = Vec::new();
    for (i, e) in list.iter().enumerate() {
        let from = check.date(&format!("temporaryIntensive[{i}].from"), &e.from);
        let to = check.date(&format!("temporaryIntensive[{i}].to"), &e.to);
        check.require(
            (1..=168).contains(&e.extra_hours_per_week),
            &format!("temporaryIntensive[{i}].extraHoursPerWeek"),
            "must be 1 to 168 (hours in a week)",
        );
        episodes.push(Episode {
            from: from?,
            to: to?,
            extra: e.extra_hours_per_week,
        });
    }
    Some(episodes)
}

fn parse_grant(
    check: &mut Check,
    volume: Option<&VolumeIo>,
    budget: Option<&str>,
    episodes: &[EpisodeIo],
) -> Option<Granted> {
    let grant = match (volume, budget) {
        (Some(_), Some(_)) => {
            check.fail_rule("budget", "give either a volume or a budget, not both");
            None
        }
        (Some(v), None) => parse_volume(check, v).map(Grant::Volume),
        (None, Some(b)) => {
            let euros = check.euros("budget", b);
            if let Some(euros) = euros {
                check.require(
                    euros > rust_decimal::Decimal::ZERO,
                    "budget",
                    "must be positive",
                );
            }
            euros.and_then(euros_to_cents).map(Grant::Budget)
        }
        (None, None) => Some(Grant::Nothing),
    };
    let episodes = parse_episodes(check, episodes);
    Some(Granted {
        grant: grant?,
        episodes: episodes?,
    })
}

impl From<IntensiveEpisode> for EpisodeIo {
    fn from(e: IntensiveEpisode) -> Self {
        Self {
            from: e.from.to_string(),
            to: e.to.to_string(),
            extra_hours_per_week: e.extra_hours_per_week,
        }
    }
}

impl From<AllocatedVolume> for VolumeIo {
    fn from(v: AllocatedVolume) -> Self {
        Self {
            amount: v.amount,
            unit: v.unit,
            frequency: v.frequency,
        }
    }
}

impl From<Allocation> for AllocationOut {
    fn from(a: Allocation) -> Self {
        Self {
            allocation_number: a.allocation_number,
            client_key: a.client_key,
            municipality_cbs: a.municipality_cbs,
            product_code: a.product_code,
            provider_agb: a.provider_agb,
            start_date: a.start_date,
            end_date: a.end_date,
            volume: a.volume.map(Into::into),
            budget: a.budget,
            temporary_intensive: a.temporary_intensive.into_iter().map(Into::into).collect(),
            stopped_on: a.stopped_on,
            stop_reason: a.stop_reason,
            care_started_on: a.care_started_on,
            care_ended_on: a.care_ended_on,
            care_end_reason: a.care_end_reason,
            removed_at: a.removed_at,
            referrer: a.referrer,
            location_id: a.location_id,
            created_at: a.created_at,
            updated_at: a.updated_at,
            warnings: Vec::new(),
        }
    }
}

/// From an allocation to its episodes, on the region and the id (the
/// schema declares no relations; this one serves a join).
fn episodes_of_allocation() -> RelationDef {
    let episode_to_allocation: RelationDef = episode::Entity::belongs_to(allocation::Entity)
        .from((episode::Column::RegionId, episode::Column::AllocationId))
        .to((allocation::Column::RegionId, allocation::Column::Id))
        .into();
    episode_to_allocation.rev()
}

/// The allocation with `number`, if the caller's party sees it.
fn visible<P: Permission>(auth: &Scoped<P>, number: i64) -> sea_orm::Select<allocation::Entity> {
    allocation::Entity::scoped(&auth.scope)
        .filter(allocation::Column::AllocationNumber.eq(number))
        .filter(auth.party.allocations())
}

pub async fn find_visible<C: ConnectionTrait, P: Permission>(
    db: &C,
    auth: &Scoped<P>,
    number: i64,
) -> ApiResult<allocation::Model> {
    visible(auth, number)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Allocate a product to a client. Format errors are 400s; broken rules are
/// 422s naming the rule: `ZR-ALLOC-NO-CONTRACT`, `ZR-ALLOC-EXECUTION-VARIANT`,
/// `ZR-ALLOC-TEMPORARY-INTENSIVE`, `ZR-ALLOC-SELF-EMPLOYED`, `ZR-ALLOC-GROUP-CLOSED`.
/// An access-team token allocates only for its own municipality (403).
/// Stacked care (another allocation of the client in the product group
/// overlapping at another provider, or of the same product) is stored with
/// a `ZR-ALLOC-OVERLAP` warning and a `care-overlap` steering signal; under
/// the policy `care-overlap` `{ "action": "refuse" }` it is a 422
/// `ZR-ALLOC-OVERLAP` instead.
#[utoipa::path(
    tag = "allocations",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = AllocationIn,
    responses(
        (status = 201, body = AllocationOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The allocation number is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule refuses the allocation", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/allocations")]
pub async fn create_allocation(
    state: web::Data<AppState>,
    auth: Scoped<Allocate>,
    body: Body<AllocationIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    check.require(
        (1..=999_999_999).contains(&input.allocation_number),
        "allocationNumber",
        "must be 1 to 999999999",
    );
    // The message never repeats the number: it may be a real BSN.
    // Nine digits is the form (the schema's pattern); the eleven-test a rule.
    if check.digits("clientBsn", &input.client_bsn, 9) {
        check.require_rule(
            is_valid_bsn(&input.client_bsn),
            "clientBsn",
            "must pass the BSN eleven-test",
        );
    }
    let start = check.date("startDate", &input.start_date);
    let end = check.optional_date("endDate", input.end_date.as_deref());
    let granted = parse_grant(
        &mut check,
        input.volume.as_ref(),
        input.budget.as_deref(),
        &input.temporary_intensive,
    );
    let identity = identity_of(&input.client_bsn, input.client.as_ref(), &mut check);
    if let Some(code) = &input.referrer {
        check.one_of::<Referrer>("referrer", code);
    }
    if !auth.party.may_allocate_in(&input.municipality_cbs) {
        return Err(ApiError::Forbidden);
    }
    let txn = entities::transaction::begin_write(&state.db).await?;
    let scope = &auth.scope;
    let municipality = catalogue::municipality(&txn, scope, &input.municipality_cbs).await?;
    check.require_rule(
        municipality.is_some(),
        "municipalityCbs",
        "no such municipality in this region",
    );
    let product = catalogue::product(&txn, scope, &input.product_code).await?;
    check.require_rule(
        product.is_some(),
        "productCode",
        "no such product in this region",
    );
    let provider = catalogue::provider(&txn, scope, &input.provider_agb).await?;
    check.require_rule(
        provider.is_some(),
        "providerAgb",
        "no such provider in this region",
    );
    let ((((municipality, product), provider), (start, end)), granted) = check.done(
        municipality
            .zip(product)
            .zip(provider)
            .zip(start.zip(end))
            .zip(granted),
    )?;

    let client_key = client_key(&state.config.client_key_secret, &input.client_bsn);
    let draft = Draft {
        number: input.allocation_number,
        client_key: client_key.clone(),
        municipality,
        product,
        provider,
        central_access: auth.party == domain::parties::Party::CentralAccess,
        start,
        end,
        granted,
        referrer: input.referrer.clone(),
        location_id: input.location_id,
    };
    let stored = service::create(&txn, scope, &auth.audit(), draft).await?;
    vault::store(&txn, scope, &state.config.data_keys, &client_key, identity).await?;
    iwmo::queue_301(&txn, scope, &state.config.data_keys, &stored.model).await?;
    let out = AllocationOut::stored(stored, &auth.party);
    txn.commit().await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!(
                "/api/v1/regions/{}/allocations/{}",
                auth.region.code, out.allocation_number
            ),
        ))
        .json(out))
}

/// List allocations. An access team sees its municipality's, a provider its own.
#[utoipa::path(
    tag = "allocations",
    params(("regionCode" = String, Path, description = "Region code"), AllocationFilter, PageQuery),
    responses((status = 200, body = Page<AllocationOut>), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/allocations")]
pub async fn list_allocations(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    filter: web::Query<AllocationFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut check = Check::new();
    let active_on = filter
        .active_on
        .as_deref()
        .map(|d| check.date("activeOn", d));
    let referrer = filter
        .referrer
        .as_deref()
        .and_then(|code| check.one_of::<Referrer>("referrer", code));
    check.finish()?;
    let db = &state.db;
    let scope = &auth.scope;
    let mut select =
        allocation::Entity::scoped(scope).order_by_asc(allocation::Column::AllocationNumber);
    if let Some(cbs) = &filter.municipality_cbs {
        let id = catalogue::municipality(db, scope, cbs).await?.map(|m| m.id);
        select = select.filter(allocation::Column::MunicipalityId.eq(id.unwrap_or_default()));
    }
    if let Some(agb) = &filter.provider_agb {
        let id = catalogue::provider(db, scope, agb).await?.map(|p| p.id);
        select = select.filter(allocation::Column::ProviderId.eq(id.unwrap_or_default()));
    }
    if let Some(code) = &filter.product_code {
        let id = catalogue::product(db, scope, code).await?.map(|p| p.id);
        select = select.filter(allocation::Column::ProductId.eq(id.unwrap_or_default()));
    }
    if let Some(key) = &filter.client_key {
        // The number finds the rows through its index; the key is exact.
        select = select
            .filter(
                allocation::Column::ClientNumber.eq(entities::client_number::client_number(key)),
            )
            .filter(allocation::Column::ClientKey.eq(key.as_str()));
    }
    if let Some(Some(date)) = active_on {
        select = select
            .filter(allocation::Column::StartDate.lte(date))
            .filter(
                Condition::any()
                    .add(allocation::Column::EndDate.is_null())
                    .add(allocation::Column::EndDate.gte(date)),
            );
    }
    if let Some(referrer) = referrer {
        select = select.filter(allocation::Column::Referrer.eq(referrer.as_str()));
    }
    let select = select.filter(auth.party.allocations());
    let (items, total) = fetch_page(db, select, page).await?;
    let names = AllocationCodes::load(db, scope, &items).await?;
    Ok(Page::new(
        items
            .into_iter()
            .map(|a| AllocationOut::from(names.describe(a)))
            .collect(),
        page,
        total,
    )
    .respond(&req))
}

/// Get an allocation by its number.
#[utoipa::path(
    tag = "allocations",
    params(("regionCode" = String, Path, description = "Region code"), ("allocationNumber" = i64, Path, description = "Allocation number")),
    responses((status = 200, body = AllocationOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/allocations/{allocationNumber}")]
pub async fn get_allocation(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<AllocationOut>> {
    // The allocation and its episodes in one query: one round trip.
    let mut rows = visible(&auth, path.1)
        .join(JoinType::LeftJoin, episodes_of_allocation())
        .select_also(episode::Entity)
        .order_by_asc(episode::Column::FromDate)
        .all(&state.db)
        .await?
        .into_iter();
    let (found, first) = rows.next().ok_or(ApiError::NotFound)?;
    let episodes: Vec<episode::Model> = first
        .into_iter()
        .chain(rows.filter_map(|(_, e)| e))
        .collect();
    let names = AllocationCodes::with_episodes(
        &state.db,
        &auth.scope,
        std::slice::from_ref(&found),
        episodes,
    )
    .await?;
    Ok(web::Json(names.describe(found).into()))
}

/// Change an allocation's end date, volume, budget or temporary intensive;
/// the rules are checked again and the audit trail keeps before and after.
/// An end date that adds stacked days with another allocation of the client
/// in the product group answers with a `ZR-ALLOC-OVERLAP` warning (or a 422
/// under the `care-overlap` policy's `refuse`), as a new allocation does.
#[utoipa::path(
    tag = "allocations",
    params(("regionCode" = String, Path, description = "Region code"), ("allocationNumber" = i64, Path, description = "Allocation number")),
    request_body = AllocationPatch,
    responses(
        (status = 200, body = AllocationOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The allocation is stopped", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/regions/{regionCode}/allocations/{allocationNumber}")]
pub async fn update_allocation(
    state: web::Data<AppState>,
    auth: Scoped<Allocate>,
    path: web::Path<(String, i64)>,
    body: Body<AllocationPatch>,
) -> ApiResult<web::Json<AllocationOut>> {
    let input = body.take()?;
    let txn = entities::transaction::begin_write(&state.db).await?;
    let scope = &auth.scope;
    let existing = find_visible(&txn, &auth, path.1).await?;
    if auth.party == domain::parties::Party::CentralAccess {
        service::check_central_access_to(&txn, scope, &existing).await?;
    }
    let before = AllocationOut::from(service::describe(&txn, scope, existing.clone()).await?);
    let mut check = Check::new();
    let end = match &input.end_date {
        Some(text) => check.date("endDate", text).map(Some),
        None => Some(existing.end_date),
    };
    let episodes_in = input
        .temporary_intensive
        .clone()
        .unwrap_or_else(|| before.temporary_intensive.clone());
    let granted = if input.volume.is_some() || input.budget.is_some() {
        parse_grant(
            &mut check,
            input.volume.as_ref(),
            input.budget.as_deref(),
            &episodes_in,
        )
    } else {
        parse_episodes(&mut check, &episodes_in).map(|episodes| Granted {
            grant: grant_of(&existing),
            episodes,
        })
    };
    let (end, granted) = check.done(end.zip(granted))?;
    let stored = service::change(&txn, scope, &auth.audit(), existing, end, granted).await?;
    iwmo::queue_301(&txn, scope, &state.config.data_keys, &stored.model).await?;
    let out = AllocationOut::stored(stored, &auth.party);
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Stop an allocation: care ends on `stoppedOn`, which becomes the end date.
#[utoipa::path(
    tag = "allocations",
    params(("regionCode" = String, Path, description = "Region code"), ("allocationNumber" = i64, Path, description = "Allocation number")),
    request_body = StopIn,
    responses(
        (status = 200, body = AllocationOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/allocations/{allocationNumber}/stop")]
pub async fn stop_allocation(
    state: web::Data<AppState>,
    auth: Scoped<Allocate>,
    path: web::Path<(String, i64)>,
    body: Body<StopIn>,
) -> ApiResult<web::Json<AllocationOut>> {
    let input = body.take()?;
    let txn = entities::transaction::begin_write(&state.db).await?;
    let existing = find_visible(&txn, &auth, path.1).await?;
    if auth.party == domain::parties::Party::CentralAccess {
        service::check_central_access_to(&txn, &auth.scope, &existing).await?;
    }
    let mut check = Check::new();
    let on = check.date("stoppedOn", &input.stopped_on);
    check.name("reason", &input.reason, 2000);
    if let Some(on) = on {
        check.require_rule(
            on >= existing.start_date,
            "stoppedOn",
            "must not be before the start date",
        );
        check.require_rule(
            existing.end_date.is_none_or(|end| on <= end),
            "stoppedOn",
            "must not be after the end date",
        );
    }
    let on = check.done(on)?;
    let saved = service::stop(
        &txn,
        &auth.audit(),
        existing,
        on,
        input.reason.trim().to_owned(),
    )
    .await?;
    iwmo::queue_301(&txn, &auth.scope, &state.config.data_keys, &saved).await?;
    let out = AllocationOut::from(service::describe(&txn, &auth.scope, saved).await?);
    txn.commit().await?;
    Ok(web::Json(out))
}
