//! Declaring: assess lines against the allocations, tariffs, earlier
//! approved lines and budget ceilings, store the batch with every verdict,
//! book the ceilings, roll the approved amounts up for the reports, and
//! audit. The JSON batch and the iWmo 323 both come through [`submit`].

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use entities::{
    allocation_rules::Episode,
    declaration_rules::{
        AbsenceDays, AllocationFacts, ApprovedLine, Assessor, DayLine, LineIn, ReferenceKey,
        TakenReference, Verdict,
    },
    enums::{Law, LineStatus, VolumeFrequency},
    money::cents_to_euros,
    policy::{kinds, PolicyRules},
    rollup::{ApprovedCell, Rollups},
    schema::{
        allocation, allocation_intensive_episode as episode, budget_ceiling, declaration_batch,
        declaration_line, policy, product, product_group, tariff,
    },
    RegionScope, TenantEntity,
};
use sea_orm::{
    sea_query::{Condition, Expr},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QuerySelect, QueryTrait, Set,
};
use uuid::Uuid;

use crate::audit::Audit;
use crate::{ceilings, contracts::Cover, error::DomainResult};

/// Ids per `IN (…)` list, well inside every database's limits.
const CHUNK: usize = 500;
/// Reference numbers per `IN (…)` list: a 323's 10,000 in two queries
/// (SQLite allows 32,766 parameters).
const REFERENCE_CHUNK: usize = 5_000;
/// (Provider, product) pairs per tariff read, under SQLite's 32,766
/// parameters.
const TARIFF_PAIRS: usize = 5_000;
/// Lines per multi-row insert: 22 columns × 1,000 stays under SQLite's
/// 32,766 parameters; fewer, larger statements are what makes a batch fast.
const LINES_PER_INSERT: usize = 1_000;

/// Who submits a batch, and under which key.
pub struct Submission {
    pub idempotency_key: String,
    /// SHA-256 of the request, so a retry with the same key is recognised.
    pub request_hash: String,
    /// `provider:<AGB>` or `actor:<role>:<sub>`: idempotency keys are per submitter.
    pub submitter: String,
    /// The declaring provider when a provider declares: it declares only on
    /// its own allocations, and its references are its own.
    pub declarer: Option<Uuid>,
}

/// A stored batch with its lines, in order.
pub struct Submitted {
    pub batch: declaration_batch::Model,
    pub lines: Vec<declaration_line::Model>,
}

/// Assesses and stores a batch in `txn`; the caller commits. A unique-key
/// race on the idempotency key comes back as `ZR-DUPLICATE`.
pub async fn submit(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    audit: &Audit,
    submission: Submission,
    lines: &[LineIn],
) -> DomainResult<Submitted> {
    if let Some(provider) = submission.declarer {
        one_batch_at_a_time(txn, scope, provider).await?;
    }
    let mut assessor = prepare_assessor(txn, scope, lines, submission.declarer).await?;
    let before: HashMap<Uuid, i64> = assessor
        .ceilings()
        .iter()
        .map(|c| (c.id, c.spent_cents))
        .collect();
    let ids: Vec<Uuid> = lines.iter().map(|_| Uuid::now_v7()).collect();
    let verdicts: Vec<Verdict> = lines
        .iter()
        .zip(&ids)
        .map(|(l, id)| assessor.assess(l, *id))
        .collect();
    let batch = declaration_batch::Model {
        region_id: scope.region_id,
        id: Uuid::now_v7(),
        idempotency_key: submission.idempotency_key,
        request_hash: submission.request_hash,
        submitted_by: audit.actor.clone(),
        submitter: submission.submitter,
        line_count: lines.len() as i32,
        approved_count: verdicts.iter().filter(|v| v.approved).count() as i32,
        created_at: entities::clock::now(),
    };
    let stored = store(txn, scope, batch.clone(), lines, &ids, &verdicts).await?;
    book_ceilings(txn, scope, &assessor, &before).await?;
    roll_up(&assessor, lines, &verdicts)
        .save(txn, scope)
        .await?;
    let approved: i64 = stored.iter().filter_map(|l| l.amount_cents).sum();
    audit
        .record(
            txn,
            "submit",
            "declaration-batch",
            batch.id,
            serde_json::json!({
                "lineCount": batch.line_count,
                "approvedCount": batch.approved_count,
                "approvedAmount": cents_to_euros(approved),
            }),
        )
        .await?;
    Ok(Submitted {
        batch,
        lines: stored,
    })
}

/// Serialises a provider's batches (PostgreSQL; SQLite runs one writer at a
/// time anyway): its reference numbers (TR314) and declaration numbers
/// (TR333) are checked against what is stored, so two of its batches must
/// not check at the same time.
pub async fn one_batch_at_a_time(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    provider_id: Uuid,
) -> DomainResult<()> {
    lock_in_region(txn, scope, lock_key(provider_id)).await
}

/// A 32-bit advisory-lock key from an id (a collision only serialises two
/// unrelated writers, it never lets two through).
pub fn lock_key(id: Uuid) -> i32 {
    let (high, low) = id.as_u64_pair();
    ((high ^ low) as i32) ^ ((high ^ low) >> 32) as i32
}

/// A transaction-scoped advisory lock on (region, `key`) on PostgreSQL,
/// reentrant within the transaction; nothing on SQLite, whose writers take
/// turns already.
pub async fn lock_in_region(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    key: i32,
) -> DomainResult<()> {
    use sea_orm::{DbBackend, Statement};
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1, $2)",
        [lock_key(scope.region_id).into(), key.into()],
    ))
    .await?;
    Ok(())
}

/// The batch a submitter stored under `key` (keys are the submitter's own).
pub async fn find_by_key<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    submitter: &str,
    key: &str,
) -> DomainResult<Option<declaration_batch::Model>> {
    Ok(declaration_batch::Entity::scoped(scope)
        .filter(declaration_batch::Column::Submitter.eq(submitter))
        .filter(declaration_batch::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

/// The period whose approved lines can share a volume window (day, week or
/// month) with the batch's lines: their months, widened by a week each side.
fn history_window(lines: &[LineIn]) -> (NaiveDate, NaiveDate) {
    let first = lines
        .iter()
        .map(|l| l.period_start)
        .min()
        .unwrap_or_default();
    let last = lines.iter().map(|l| l.period_end).max().unwrap_or_default();
    let month_start = first.with_day(1).unwrap_or(first);
    let month_end = last
        .with_day(1)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .unwrap_or(last);
    (
        month_start - chrono::Duration::days(7),
        month_end + chrono::Duration::days(7),
    )
}

/// The tariffs that can apply to `lines`: per product, the region-wide ones
/// and those of the providers that have it allocated or declare it (a
/// temporary-intensive product on their allocation), not every provider's.
/// A batch of one month names a fifth of a region's tariffs (bench: 6,006
/// of 30,000), and reading rows is most of what this costs.
async fn applicable_tariffs(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    lines: &[LineIn],
    allocations: &[allocation::Model],
    products: &[product::Model],
) -> DomainResult<Vec<tariff::Model>> {
    let mut providers_of: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for a in allocations {
        providers_of
            .entry(a.product_id)
            .or_default()
            .insert(a.provider_id);
    }
    let provider_of: HashMap<i64, Uuid> = allocations
        .iter()
        .map(|a| (a.allocation_number, a.provider_id))
        .collect();
    let product_of: HashMap<&str, Uuid> =
        products.iter().map(|p| (p.code.as_str(), p.id)).collect();
    for l in lines {
        if let (Some(provider), Some(product)) = (
            provider_of.get(&l.allocation_number),
            product_of.get(l.product_code.as_str()),
        ) {
            providers_of.entry(*product).or_default().insert(*provider);
        }
    }
    let mut tariffs = Vec::new();
    let mut wanted = Condition::any();
    let mut bound = 0;
    for (i, p) in products.iter().enumerate() {
        let providers = providers_of.remove(&p.id).unwrap_or_default();
        bound += providers.len() + 1;
        wanted = wanted.add(
            Condition::all()
                .add(tariff::Column::ProductId.eq(p.id))
                .add(
                    Condition::any()
                        .add(tariff::Column::ProviderId.is_null())
                        .add(tariff::Column::ProviderId.is_in(providers)),
                ),
        );
        if bound >= TARIFF_PAIRS || i + 1 == products.len() {
            tariffs.extend(
                tariff::Entity::scoped(scope)
                    .filter(std::mem::replace(&mut wanted, Condition::any()))
                    .all(txn)
                    .await?,
            );
            bound = 0;
        }
    }
    Ok(tariffs)
}

/// Loads what the lines refer to and sets up the assessor, locking the
/// allocations and ceilings involved (PostgreSQL) so concurrent batches
/// count against each other correctly.
async fn prepare_assessor(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    lines: &[LineIn],
    declarer: Option<Uuid>,
) -> DomainResult<Assessor> {
    let numbers: Vec<i64> = lines
        .iter()
        .map(|l| l.allocation_number)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut allocations = Vec::new();
    for chunk in numbers.chunks(CHUNK) {
        allocations.extend(
            allocation::Entity::scoped(scope)
                .filter(allocation::Column::AllocationNumber.is_in(chunk.iter().copied()))
                .lock_exclusive()
                .all(txn)
                .await?,
        );
    }
    let allocation_ids: Vec<Uuid> = allocations.iter().map(|a| a.id).collect();
    let product_ids: HashSet<Uuid> = allocations.iter().map(|a| a.product_id).collect();
    let codes: HashSet<&str> = lines.iter().map(|l| l.product_code.as_str()).collect();
    let products = product::Entity::scoped(scope).all(txn).await?;
    let products: Vec<product::Model> = products
        .into_iter()
        .filter(|p| product_ids.contains(&p.id) || codes.contains(p.code.as_str()))
        .collect();
    let laws: HashMap<Uuid, Law> = product_group::Entity::scoped(scope)
        .all(txn)
        .await?
        .into_iter()
        .map(|g| (g.id, g.law))
        .collect();
    let tariffs = applicable_tariffs(txn, scope, lines, &allocations, &products).await?;

    // The approved history the volume and budget checks need: all of it for
    // budgets and total volumes, else only lines near the batch's months
    // (a week or month window around each line), not every year before.
    // Credits and the debits they reversed cancel out and are left out.
    let (lo, hi) = history_window(lines);
    let needs_all: HashSet<Uuid> = allocations
        .iter()
        .filter(|a| {
            a.budget_cents.is_some()
                || !matches!(
                    a.volume_frequency,
                    Some(VolumeFrequency::Day | VolumeFrequency::Week | VolumeFrequency::Month)
                )
        })
        .map(|a| a.id)
        .collect();
    let by_id: HashMap<Uuid, &product::Model> = products.iter().map(|p| (p.id, p)).collect();
    let allocation_product: HashMap<Uuid, Uuid> =
        allocations.iter().map(|a| (a.id, a.product_id)).collect();
    let mut episodes: HashMap<Uuid, Vec<Episode>> = HashMap::new();
    let mut approved: HashMap<Uuid, Vec<ApprovedLine>> = HashMap::new();
    for chunk in allocation_ids.chunks(CHUNK) {
        for e in episode::Entity::scoped(scope)
            .filter(episode::Column::AllocationId.is_in(chunk.iter().copied()))
            .all(txn)
            .await?
        {
            episodes.entry(e.allocation_id).or_default().push(Episode {
                from: e.from_date,
                to: e.to_date,
                extra: e.extra_amount,
            });
        }
        type Row = (
            Uuid,
            Option<Uuid>,
            NaiveDate,
            NaiveDate,
            i64,
            Option<i64>,
            String,
        );
        let rows: Vec<Row> = declaration_line::Entity::scoped(scope)
            .select_only()
            .column(declaration_line::Column::Id)
            .column(declaration_line::Column::AllocationId)
            .column(declaration_line::Column::PeriodStart)
            .column(declaration_line::Column::PeriodEnd)
            .column(declaration_line::Column::DeliveredVolume)
            .column(declaration_line::Column::AmountCents)
            .column(declaration_line::Column::ProductCode)
            .filter(declaration_line::Column::AllocationId.is_in(chunk.iter().copied()))
            .filter(declaration_line::Column::Status.eq(LineStatus::Approved))
            .filter(declaration_line::Column::Credit.eq(false))
            .filter(declaration_line::Column::ReversedBy.is_null())
            .apply_if(
                (!chunk.iter().any(|id| needs_all.contains(id))).then_some((lo, hi)),
                |q, (lo, hi)| q.filter(declaration_line::Column::PeriodStart.between(lo, hi)),
            )
            .into_tuple()
            .all(txn)
            .await?;
        for (line_id, id, period_start, period_end, delivered_volume, amount, code) in rows {
            if let Some(id) = id {
                let main_code = allocation_product
                    .get(&id)
                    .and_then(|p| by_id.get(p))
                    .map(|p| p.code.as_str());
                approved.entry(id).or_default().push(ApprovedLine {
                    line_id,
                    period_start,
                    period_end,
                    delivered_volume,
                    amount_cents: amount.unwrap_or(0),
                    intensive: main_code.is_some_and(|main| main != code),
                });
            }
        }
    }
    let cover = Cover::load(
        txn,
        scope,
        allocations
            .iter()
            .map(|a| a.provider_id)
            .collect::<HashSet<_>>(),
    )
    .await?;
    let facts = allocations
        .into_iter()
        .filter_map(|a| {
            let product = (*by_id.get(&a.product_id)?).clone();
            let law = *laws.get(&product.product_group_id)?;
            let episodes = episodes.remove(&a.id).unwrap_or_default();
            let care_until = cover.care_until(&a, product.product_group_id);
            Some(AllocationFacts {
                allocation: a,
                product,
                law,
                episodes,
                care_until,
            })
        })
        .collect::<Vec<_>>();
    let taken = taken_references(txn, scope, lines, &facts, declarer).await?;
    let (absence, day_lines) = absence_days(txn, scope, lines, &facts, (lo, hi)).await?;

    let years: HashSet<i32> = lines.iter().map(|l| l.period_start.year()).collect();
    let provider_ids: HashSet<Uuid> = facts.iter().map(|f| f.allocation.provider_id).collect();
    let ceilings = budget_ceiling::Entity::scoped(scope)
        .filter(
            Condition::any()
                .add(budget_ceiling::Column::ProviderId.is_null())
                .add(budget_ceiling::Column::ProviderId.is_in(provider_ids)),
        )
        .filter(budget_ceiling::Column::Year.is_in(years))
        .lock_exclusive()
        .all(txn)
        .await?;
    // Ceilings combining product groups book the lines of any of them.
    let ceiling_groups = ceilings::combined_groups(
        txn,
        scope,
        ceilings
            .iter()
            .filter(|c| c.product_group_id.is_none())
            .map(|c| c.id),
    )
    .await?;
    let levels = crate::funding::alert_levels(txn, scope).await?;
    Ok(Assessor::new(
        facts, products, tariffs, declarer, approved, ceilings, levels,
    )
    .with_ceiling_groups(ceiling_groups)
    .with_references(taken)
    .with_absence_days(absence, day_lines))
}

/// The region's absence-day policies (seed 000 §4.1) and, for the clients
/// the batch declares those products or the day products they replace
/// for, the approved debits that stand of any of their allocations in the
/// batch's months. Nothing is read when the region has no such policy.
async fn absence_days(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    lines: &[LineIn],
    facts: &[AllocationFacts],
    (lo, hi): (NaiveDate, NaiveDate),
) -> DomainResult<(AbsenceDays, HashMap<i64, Vec<DayLine>>)> {
    let absence: AbsenceDays = policy::Entity::scoped(scope)
        .filter(policy::Column::Kind.eq(kinds::ABSENCE_DAY))
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|p| match PolicyRules::parse(&p.kind, p.body).ok()? {
            PolicyRules::AbsenceDay(rules) => {
                Some((p.scope_key, rules.replaces.into_iter().collect()))
            }
            _ => None,
        })
        .collect();
    let mut day_lines: HashMap<i64, Vec<DayLine>> = HashMap::new();
    if absence.is_empty() {
        return Ok((absence, day_lines));
    }
    let codes: HashSet<String> = absence
        .iter()
        .flat_map(|(code, replaced)| std::iter::once(code).chain(replaced))
        .cloned()
        .collect();
    let client_of: HashMap<i64, i64> = facts
        .iter()
        .map(|f| (f.allocation.allocation_number, f.allocation.client_number))
        .collect();
    let clients: Vec<i64> = lines
        .iter()
        .filter(|l| codes.contains(&l.product_code))
        .filter_map(|l| client_of.get(&l.allocation_number).copied())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    for chunk in clients.chunks(CHUNK) {
        let allocations: HashMap<Uuid, i64> = allocation::Entity::scoped(scope)
            .select_only()
            .column(allocation::Column::Id)
            .column(allocation::Column::ClientNumber)
            .filter(allocation::Column::ClientNumber.is_in(chunk.iter().copied()))
            .into_tuple::<(Uuid, i64)>()
            .all(txn)
            .await?
            .into_iter()
            .collect();
        let ids: Vec<Uuid> = allocations.keys().copied().collect();
        for ids in ids.chunks(CHUNK) {
            let rows: Vec<(Uuid, Option<Uuid>, String, NaiveDate, NaiveDate, i64)> =
                declaration_line::Entity::scoped(scope)
                    .select_only()
                    .column(declaration_line::Column::Id)
                    .column(declaration_line::Column::AllocationId)
                    .column(declaration_line::Column::ProductCode)
                    .column(declaration_line::Column::PeriodStart)
                    .column(declaration_line::Column::PeriodEnd)
                    .column(declaration_line::Column::DeliveredVolume)
                    .filter(declaration_line::Column::AllocationId.is_in(ids.iter().copied()))
                    .filter(declaration_line::Column::Status.eq(LineStatus::Approved))
                    .filter(declaration_line::Column::Credit.eq(false))
                    .filter(declaration_line::Column::ReversedBy.is_null())
                    .filter(declaration_line::Column::ProductCode.is_in(codes.iter().cloned()))
                    .filter(declaration_line::Column::PeriodStart.between(lo, hi))
                    .into_tuple()
                    .all(txn)
                    .await?;
            for (line_id, allocation_id, product_code, period_start, period_end, days) in rows {
                if let Some(client) = allocation_id.and_then(|id| allocations.get(&id)) {
                    day_lines.entry(*client).or_default().push(DayLine {
                        line_id,
                        product_code,
                        period_start,
                        period_end,
                        days,
                    });
                }
            }
        }
    }
    Ok((absence, day_lines))
}

/// The references (and previous references) the lines name that some line
/// took before, with the state of that line.
async fn taken_references(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    lines: &[LineIn],
    facts: &[AllocationFacts],
    declarer: Option<Uuid>,
) -> DomainResult<HashMap<ReferenceKey, TakenReference>> {
    let named: Vec<String> = lines
        .iter()
        .filter(|l| l.reference.is_some())
        .flat_map(|l| l.reference.iter().chain(&l.previous_reference).cloned())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if named.is_empty() {
        return Ok(HashMap::new());
    }
    let providers: HashSet<Uuid> = match declarer {
        Some(p) => HashSet::from([p]),
        None => facts.iter().map(|f| f.allocation.provider_id).collect(),
    };
    let mut taken = HashMap::new();
    for chunk in named.chunks(REFERENCE_CHUNK) {
        let lines = declaration_line::Entity::scoped(scope)
            .filter(declaration_line::Column::ReferenceProviderId.is_in(providers.iter().copied()))
            .filter(declaration_line::Column::ReferenceNumber.is_in(chunk.iter().cloned()))
            .all(txn)
            .await?;
        for line in lines {
            let (Some(provider), Some(law), Some(number)) = (
                line.reference_provider_id,
                line.reference_law,
                line.reference_number.clone(),
            ) else {
                continue;
            };
            taken.insert(
                (provider, law, number),
                TakenReference {
                    line_id: line.id,
                    allocation_number: line.allocation_number,
                    credit: line.credit,
                    approved: line.status == LineStatus::Approved,
                    reversed: line.reversed_by.is_some(),
                    amount_cents: line.amount_cents,
                    period_start: line.period_start,
                },
            );
        }
    }
    Ok(taken)
}

async fn store(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    batch: declaration_batch::Model,
    lines: &[LineIn],
    ids: &[Uuid],
    verdicts: &[Verdict],
) -> DomainResult<Vec<declaration_line::Model>> {
    // Debits reversed by a credit of this same batch are stored reversed.
    let reversed_here: HashMap<Uuid, Uuid> = ids
        .iter()
        .zip(verdicts)
        .filter_map(|(id, v)| Some((v.reverses?, *id)))
        .collect();
    let rows: Vec<declaration_line::Model> = lines
        .iter()
        .zip(verdicts)
        .zip(ids)
        .enumerate()
        .map(|(i, ((l, v), id))| declaration_line::Model {
            region_id: scope.region_id,
            id: *id,
            batch_id: batch.id,
            line_no: i as i32 + 1,
            allocation_id: v.allocation_id,
            allocation_number: l.allocation_number,
            product_code: l.product_code.clone(),
            period_start: l.period_start,
            period_end: l.period_end,
            delivered_volume: l.delivered_volume,
            declared_amount_cents: l.declared_amount_cents,
            amount_cents: v.amount_cents,
            tariff_id: v.tariff_id,
            status: if v.approved {
                LineStatus::Approved
            } else {
                LineStatus::Rejected
            },
            reason_code: v.reason_code.map(str::to_owned),
            reason: v.reason.clone(),
            reference_number: l.reference.clone(),
            reference_provider_id: v.took_reference.as_ref().map(|r| r.0),
            reference_law: v.took_reference.as_ref().map(|r| r.1),
            previous_reference: l.previous_reference.clone(),
            credit: l.credit,
            reversed_by: reversed_here.get(id).copied(),
        })
        .collect();
    declaration_batch::ActiveModel::from(batch)
        .insert(txn)
        .await?;
    for chunk in rows.chunks(LINES_PER_INSERT) {
        declaration_line::Entity::insert_many(
            chunk
                .iter()
                .cloned()
                .map(declaration_line::ActiveModel::from),
        )
        // Nothing read back: `exec` would return every line's key.
        .exec_without_returning(txn)
        .await?;
    }
    // Debits of earlier batches that a credit here reversed.
    for (debit, credit) in reversed_here.iter().filter(|(d, _)| !ids.contains(d)) {
        declaration_line::Entity::update_scoped(scope)
            .col_expr(declaration_line::Column::ReversedBy, Expr::value(*credit))
            .filter(declaration_line::Column::Id.eq(*debit))
            .exec(txn)
            .await?;
    }
    Ok(rows)
}

async fn book_ceilings(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    assessor: &Assessor,
    before: &HashMap<Uuid, i64>,
) -> DomainResult<()> {
    for c in assessor
        .ceilings()
        .iter()
        .filter(|c| before.get(&c.id) != Some(&c.spent_cents))
    {
        let mut model: budget_ceiling::ActiveModel = c.clone().into();
        model.spent_cents = Set(c.spent_cents);
        model.update(txn).await?;
    }
    for s in assessor.signals() {
        ceilings::record_signal(
            txn,
            scope,
            s.budget_ceiling_id,
            ceilings::SPENT_SIGNAL,
            s.level_percent,
            s.spent_cents,
        )
        .await?;
    }
    Ok(())
}

/// The approved lines as rollup cells, for the monitoring reports; a
/// credit's negative amount takes its debit's out again, and a client whose
/// last standing debit of a month it reverses leaves that month.
fn roll_up(assessor: &Assessor, lines: &[LineIn], verdicts: &[Verdict]) -> Rollups {
    let mut rollups = Rollups::default();
    for (line, verdict) in lines.iter().zip(verdicts).filter(|(_, v)| v.approved) {
        if let Some(facts) = assessor.facts(line.allocation_number) {
            rollups.add(ApprovedCell {
                period_start: line.period_start,
                product_group_id: facts.product.product_group_id,
                municipality_id: facts.allocation.municipality_id,
                provider_id: facts.allocation.provider_id,
                client_number: facts.allocation.client_number,
                amount_cents: verdict.amount_cents.unwrap_or(0),
                // The line's own product counts the time (temporary
                // intensive is in hours on a product counted in days).
                minutes: assessor
                    .product(&line.product_code)
                    .map(|p| entities::rollup::minutes_of(p.unit, line.delivered_volume))
                    .map(|m| if line.credit { -m } else { m })
                    .unwrap_or(0),
                // A credit may take the client out of its month again.
                credit: line.credit,
                referrer: facts.allocation.referrer.clone(),
            });
        }
    }
    rollups
}
