//! Index figures: per year and series (`ova`, `ppc`, or a region's own),
//! the forecast and later the definitive percentage the indexation reads.

use chrono::{DateTime, Utc};
use entities::{schema::index_figure, RegionScope, TenantEntity, TenantRecord};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, Set};
use serde::Serialize;

use crate::{
    audit::Audit,
    error::{DomainError, DomainResult},
};

/// The published percentages of one series for one year, as decimal
/// strings. The audit trail records it; the API's `IndexFigureOut` shows it
/// field for field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexFigure {
    pub series: String,
    pub year: i32,
    pub forecast: Option<String>,
    pub definitive: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl From<index_figure::Model> for IndexFigure {
    fn from(m: index_figure::Model) -> Self {
        Self {
            series: m.series,
            year: m.year,
            forecast: m.forecast_percent,
            definitive: m.definitive_percent,
            updated_at: m.updated_at,
        }
    }
}

/// The figures of `series` for `year`, if the region has them.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    series: &str,
    year: i32,
) -> DomainResult<Option<index_figure::Model>> {
    Ok(index_figure::Entity::scoped(scope)
        .filter(index_figure::Column::Series.eq(series))
        .filter(index_figure::Column::Year.eq(year))
        .one(db)
        .await?)
}

/// The percentages to set; one left out keeps its stored value (or stays
/// empty for a new year).
pub struct Percentages {
    pub forecast: Option<Decimal>,
    pub definitive: Option<Decimal>,
}

/// Sets the forecast and/or definitive percentage of a series for a year.
pub async fn put<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    (series, year): (&str, i32),
    set: Percentages,
) -> DomainResult<IndexFigure> {
    let now = entities::clock::now();
    let text = |v: Option<Decimal>| v.map(|d| d.to_string());
    let saved = match find(db, scope, series, year).await? {
        Some(existing) => {
            let mut model: index_figure::ActiveModel = existing.into();
            if set.forecast.is_some() {
                model.forecast_percent = Set(text(set.forecast));
            }
            if set.definitive.is_some() {
                model.definitive_percent = Set(text(set.definitive));
            }
            model.updated_at = Set(now);
            model.update(db).await?
        }
        None => {
            index_figure::ActiveModel {
                region_id: Set(scope.region_id),
                id: Set(uuid::Uuid::now_v7()),
                series: Set(series.to_owned()),
                year: Set(year),
                forecast_percent: Set(text(set.forecast)),
                definitive_percent: Set(text(set.definitive)),
                updated_at: Set(now),
            }
            .insert(db)
            .await?
        }
    };
    let out = IndexFigure::from(saved);
    audit
        .record(db, "put", "index-figure", format!("{series}/{year}"), &out)
        .await?;
    Ok(out)
}

/// Removes the figures of a series for a year.
pub async fn delete<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    (series, year): (&str, i32),
) -> DomainResult<()> {
    let existing = find(db, scope, series, year)
        .await?
        .ok_or(DomainError::NotFound)?;
    index_figure::Entity::delete_scoped_by_id(db, scope, existing.id).await?;
    audit
        .record(
            db,
            "delete",
            "index-figure",
            format!("{series}/{year}"),
            serde_json::json!({}),
        )
        .await?;
    Ok(())
}
