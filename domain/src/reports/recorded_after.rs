//! A report's cut-off (`asOf`, issue 28): what was recorded after it,
//! read through the indexes on the recording times, so that the report can
//! take it back from the rollups (`entities::report::cut_off`) and undo the
//! allocations' later changes (`entities::report::rewind`).

use entities::tenancy::tenant_join;
use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entities::{
    report::{rewind, ClientMonths, Recorded, Undo},
    rollup::month_bit,
    schema::{
        allocation, allocation_intensive_episode as episode, audit_event, declaration_batch,
        declaration_line, product,
    },
    RegionScope, TenantEntity,
};
use sea_orm::{
    sea_query::{Alias, Condition, Expr, JoinType, Query},
    ActiveEnum, ColumnTrait, ConnectionTrait, DbErr, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use uuid::Uuid;

/// The most allocations made or changed after a cut-off that are left out
/// by id; with more (a cut-off long ago) those made after it are left out
/// by their time of creation and the changed ones are not rewound.
pub(super) const LATE_BY_ID: usize = 1000;

/// A change of an allocation in the audit trail, to undo.
fn undo_of(action: &str, details: &serde_json::Value) -> Option<Undo> {
    let date = |v: &serde_json::Value| serde_json::from_value::<Option<NaiveDate>>(v.clone()).ok();
    match action {
        "update" => {
            // The allocation's whole value (`allocations::Allocation`).
            let before = &details["before"];
            let episodes = before["temporaryIntensive"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .filter_map(|e| Some((date(&e["from"])??, date(&e["to"])??)))
                        .collect()
                })
                .unwrap_or_default();
            Some(Undo::Update(Recorded {
                end_date: date(&before["endDate"])?,
                stopped_on: date(&before["stoppedOn"])?,
                care_started_on: date(&before["careStartedOn"])?,
                care_ended_on: date(&before["careEndedOn"])?,
                removed: !before["removedAt"].is_null(),
                episodes,
            }))
        }
        "stop" => Some(Undo::Stop {
            end_before: date(&details["endDateBefore"])?,
        }),
        "remove" => Some(Undo::Remove),
        // Events before `before` was kept have none: the date goes.
        "start-care" => Some(Undo::StartCare {
            before: date(&details["before"]).flatten(),
        }),
        "end-care" => Some(Undo::EndCare {
            before: date(&details["before"]).flatten(),
        }),
        _ => None,
    }
}

/// The allocations made by `as_of` and changed after it, as they stood at
/// it: the audit trail's events since (found through its index on `at`)
/// undone, newest first. None when more than `room` changed: those are
/// then read as they are now.
pub(super) async fn rewound_at<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    as_of: DateTime<Utc>,
    municipality: Option<Uuid>,
    room: usize,
) -> Result<Vec<(allocation::Model, Recorded)>, DbErr> {
    let since = || {
        audit_event::Entity::scoped(scope)
            .filter(audit_event::Column::At.gt(as_of))
            .filter(audit_event::Column::Resource.eq("allocation"))
            .filter(audit_event::Column::Action.is_in([
                "update",
                "stop",
                "remove",
                "start-care",
                "end-care",
            ]))
    };
    // Which allocations changed, at most `room` + 1 of them, before any
    // event's details are read: a cut-off long ago reads no more.
    let changed: Vec<String> = since()
        .select_only()
        .column(audit_event::Column::ResourceId)
        .distinct()
        .limit(room as u64 + 1)
        .into_tuple()
        .all(db)
        .await?;
    if changed.is_empty() || changed.len() > room {
        return Ok(vec![]);
    }
    let events = since()
        .filter(audit_event::Column::ResourceId.is_in(changed))
        .order_by_desc(audit_event::Column::At)
        .order_by_desc(audit_event::Column::Id)
        .all(db)
        .await?;
    let mut undo: HashMap<i64, Vec<Undo>> = HashMap::new();
    for event in events {
        if let (Ok(number), Some(u)) = (
            event.resource_id.parse::<i64>(),
            undo_of(&event.action, &event.details),
        ) {
            undo.entry(number).or_default().push(u);
        }
    }
    let models = allocation::Entity::scoped(scope)
        .filter(allocation::Column::AllocationNumber.is_in(undo.keys().copied()))
        .filter(allocation::Column::CreatedAt.lte(as_of))
        .apply_if(municipality, |q, m| {
            q.filter(allocation::Column::MunicipalityId.eq(m))
        })
        .all(db)
        .await?;
    let mut episodes: HashMap<Uuid, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for e in episode::Entity::scoped(scope)
        .filter(episode::Column::AllocationId.is_in(models.iter().map(|m| m.id)))
        .all(db)
        .await?
    {
        episodes
            .entry(e.allocation_id)
            .or_default()
            .push((e.from_date, e.to_date));
    }
    Ok(models
        .into_iter()
        .map(|m| {
            let now = Recorded {
                end_date: m.end_date,
                stopped_on: m.stopped_on,
                care_started_on: m.care_started_on,
                care_ended_on: m.care_ended_on,
                removed: m.removed_at.is_some(),
                episodes: episodes.remove(&m.id).unwrap_or_default(),
            };
            let at_cut = rewind(
                now,
                undo.get(&m.allocation_number).map_or(&[], Vec::as_slice),
            );
            (m, at_cut)
        })
        .collect())
}

/// The allocations made by the cut-off: every one but those made after it.
/// Those are few when the cut-off is recent (found through the index on
/// `created_at`, migration 26) and left out by id, which the report's
/// covering indexes hold; no cut-off (a report made before migration 25)
/// leaves out none.
pub(super) fn made_by(as_of: Option<DateTime<Utc>>, late: &[Uuid]) -> Condition {
    match as_of {
        Some(_) if late.is_empty() => Condition::all(),
        Some(_) if late.len() <= LATE_BY_ID => {
            Condition::all().add(allocation::Column::Id.is_not_in(late.iter().copied()))
        }
        Some(at) => Condition::all().add(allocation::Column::CreatedAt.lte(at)),
        None => Condition::all(),
    }
}

/// A line recorded after the cut-off, as read: [`LaterLine`] with the
/// provider's id.
pub(super) type LaterRow = (NaiveDate, Uuid, Uuid, Uuid, i64, Option<String>, i64, i64);

/// The approved lines of the batches recorded after `as_of` with a period
/// from `first` to `to`: what they added to the rollups. The batches are
/// found first, through the index on their `created_at` (migration 26);
/// by default (`as_of` = now) there are none and no line is read.
pub(super) async fn later_lines<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    as_of: DateTime<Utc>,
    municipality: Option<Uuid>,
    (first, to): (NaiveDate, NaiveDate),
) -> Result<Vec<LaterRow>, DbErr> {
    use sea_orm::sea_query::ExprTrait;
    use sea_orm::QuerySelect;
    let batches: Vec<Uuid> = declaration_batch::Entity::scoped(scope)
        .select_only()
        .column(declaration_batch::Column::Id)
        .filter(declaration_batch::Column::CreatedAt.gt(as_of))
        .into_tuple()
        .all(db)
        .await?;
    let (l, a, p, lp) = (
        Alias::new("l"),
        Alias::new("a"),
        Alias::new("p"),
        Alias::new("lp"),
    );
    let mut found = Vec::new();
    for chunk in batches.chunks(LATE_BY_ID) {
        let mut select = Query::select();
        select
            .column((l.clone(), declaration_line::Column::PeriodStart))
            .column((p.clone(), product::Column::ProductGroupId))
            .column((a.clone(), allocation::Column::MunicipalityId))
            .column((a.clone(), allocation::Column::ProviderId))
            .column((a.clone(), allocation::Column::ClientNumber))
            .column((a.clone(), allocation::Column::Referrer))
            .expr(Expr::cust("CAST(COALESCE(l.amount_cents, 0) AS BIGINT)"))
            // The minutes as the rollups count them (`rollup::minutes_of`).
            .expr(Expr::cust(
                "CAST(CASE lp.unit WHEN 'hour' THEN 60 * l.delivered_volume \
                 WHEN 'minute' THEN l.delivered_volume ELSE 0 END \
                 * CASE WHEN l.credit THEN -1 ELSE 1 END AS BIGINT)",
            ))
            .from_as(declaration_line::Entity, l.clone())
            .join_as(
                JoinType::InnerJoin,
                allocation::Entity,
                a.clone(),
                tenant_join(&a, &l, declaration_line::Column::AllocationId),
            )
            .join_as(
                JoinType::InnerJoin,
                product::Entity,
                p.clone(),
                tenant_join(&p, &a, allocation::Column::ProductId),
            )
            .join_as(
                JoinType::LeftJoin,
                product::Entity,
                lp.clone(),
                Expr::col((lp.clone(), product::Column::RegionId))
                    .equals((l.clone(), declaration_line::Column::RegionId))
                    .and(
                        Expr::col((lp.clone(), product::Column::Code))
                            .equals((l.clone(), declaration_line::Column::ProductCode)),
                    ),
            )
            .and_where(
                Expr::col((l.clone(), declaration_line::Column::RegionId)).eq(scope.region_id),
            )
            .and_where(
                Expr::col((l.clone(), declaration_line::Column::BatchId))
                    .is_in(chunk.iter().copied()),
            )
            .and_where(
                Expr::col((l.clone(), declaration_line::Column::Status))
                    .eq(Expr::val(entities::enums::LineStatus::Approved.to_value())),
            )
            .and_where(
                Expr::col((l.clone(), declaration_line::Column::PeriodStart)).between(first, to),
            );
        if let Some(m) = municipality {
            select.and_where(Expr::col((a.clone(), allocation::Column::MunicipalityId)).eq(m));
        }
        for row in db.query_all(&select).await? {
            found.push((
                row.try_get_by_index::<NaiveDate>(0)?,
                row.try_get_by_index::<Uuid>(1)?,
                row.try_get_by_index::<Uuid>(2)?,
                row.try_get_by_index::<Uuid>(3)?,
                row.try_get_by_index::<i64>(4)?,
                row.try_get_by_index::<Option<String>>(5)?,
                row.try_get_by_index::<i64>(6)?,
                row.try_get_by_index::<i64>(7)?,
            ));
        }
    }
    Ok(found)
}

/// The months of `clients` (in the years `first` to `last`) with an
/// approved debit recorded by `as_of` that no credit recorded by then
/// reversed: what the clients' months were at the cut-off, as
/// `Rollups::save` and the rebuild count them.
pub(super) async fn standing_at<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    as_of: DateTime<Utc>,
    clients: &[i64],
    (first, last): (i32, i32),
) -> Result<Vec<ClientMonths>, DbErr> {
    let (Some(from), Some(to)) = (
        NaiveDate::from_ymd_opt(first, 1, 1),
        NaiveDate::from_ymd_opt(last, 12, 31),
    ) else {
        return Ok(vec![]);
    };
    let mut months: HashMap<(i32, i64, Uuid, Uuid), i32> = HashMap::new();
    for chunk in clients.chunks(LATE_BY_ID) {
        let select = entities::rollup::standing_debits(scope, chunk, (from, to), Some(as_of));
        for row in db.query_all(&select).await? {
            let start = row.try_get_by_index::<NaiveDate>(4)?;
            let key = (
                start.year(),
                row.try_get_by_index::<i64>(0)?,
                row.try_get_by_index::<Uuid>(1)?,
                row.try_get_by_index::<Uuid>(2)?,
            );
            *months.entry(key).or_default() |= month_bit(start);
        }
    }
    Ok(months
        .into_iter()
        .map(|((year, client, group, municipality), mask)| {
            (year, client, group, municipality, mask)
        })
        .collect())
}
