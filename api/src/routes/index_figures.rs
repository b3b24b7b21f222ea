//! Index figures: per year and series (`ova`, `ppc`, or a region's own), the
//! forecast and later the definitive percentage, as decimal strings.

use actix_web::{delete, get, put, web, HttpRequest, HttpResponse};
use entities::{schema::index_figure, RegionScope, TenantEntity, TenantRecord};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    auth::{ManageCatalogue, ReadRegion, Scoped},
    error::{ApiError, ApiResult, Problem},
    input::{Body, Check},
    pagination::{fetch_page, Page, PageQuery},
    state::AppState,
};

/// The published percentages of one index series for one year.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndexFigureOut {
    /// e.g. `ova` (wages), `ppc` (prices), or a region's own series.
    #[schema(example = "ova")]
    pub series: String,
    #[schema(example = 2025)]
    pub year: i32,
    #[schema(example = "4.18")]
    pub forecast: Option<String>,
    #[schema(example = "6.00")]
    pub definitive: Option<String>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<index_figure::Model> for IndexFigureOut {
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

/// Percentages as decimal strings; a field left out keeps its value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IndexFigureIn {
    #[schema(example = "4.18")]
    pub forecast: Option<String>,
    #[schema(example = "6.00")]
    pub definitive: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct IndexFigureFilter {
    pub series: Option<String>,
    pub year: Option<i32>,
}

async fn find<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    series: &str,
    year: i32,
) -> ApiResult<Option<index_figure::Model>> {
    Ok(index_figure::Entity::scoped(scope)
        .filter(index_figure::Column::Series.eq(series))
        .filter(index_figure::Column::Year.eq(year))
        .one(db)
        .await?)
}

/// List index figures, by series and year.
#[utoipa::path(
    tag = "indexation",
    params(("regionCode" = String, Path, description = "Region code"), IndexFigureFilter, PageQuery),
    responses((status = 200, body = Page<IndexFigureOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/index-figures")]
pub async fn list_index_figures(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    filter: web::Query<IndexFigureFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut check = Check::new();
    if let Some(year) = filter.year {
        check.year("year", year);
    }
    check.finish()?;
    let mut select = index_figure::Entity::scoped(&auth.scope)
        .order_by_asc(index_figure::Column::Series)
        .order_by_asc(index_figure::Column::Year);
    if let Some(series) = &filter.series {
        select = select.filter(index_figure::Column::Series.eq(series.as_str()));
    }
    if let Some(year) = filter.year {
        select = select.filter(index_figure::Column::Year.eq(year));
    }
    let (items, total) = fetch_page(&state.db, select, page).await?;
    Ok(Page::new(
        items.into_iter().map(IndexFigureOut::from).collect(),
        page,
        total,
    )
    .respond(&req))
}

/// Set the forecast and/or definitive percentage of a series for a year.
#[utoipa::path(
    tag = "indexation",
    params(("regionCode" = String, Path, description = "Region code"), ("series" = String, Path, description = "Series, e.g. ova"), ("year" = i32, Path, description = "Year")),
    request_body = IndexFigureIn,
    responses((status = 200, body = IndexFigureOut), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[put("/regions/{regionCode}/index-figures/{series}/{year}")]
pub async fn put_index_figure(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    path: web::Path<(String, String, i32)>,
    body: Body<IndexFigureIn>,
) -> ApiResult<web::Json<IndexFigureOut>> {
    let input = body.take()?;
    let (_, series, year) = path.into_inner();
    let mut check = Check::new();
    check.code("series", &series, 32);
    check.year("year", year);
    let forecast = input
        .forecast
        .as_deref()
        .map(|f| check.decimal("forecast", f));
    let definitive = input
        .definitive
        .as_deref()
        .map(|d| check.decimal("definitive", d));
    check.require_rule(
        input.forecast.is_some() || input.definitive.is_some(),
        "forecast",
        "give a forecast, a definitive figure, or both",
    );
    check.finish()?;
    let txn = entities::transaction::begin_write(&state.db).await?;
    let now = entities::clock::now();
    let text = |v: Option<Option<rust_decimal::Decimal>>| v.flatten().map(|d| d.to_string());
    let saved = match find(&txn, &auth.scope, &series, year).await? {
        Some(existing) => {
            let mut model: index_figure::ActiveModel = existing.into();
            if forecast.is_some() {
                model.forecast_percent = Set(text(forecast));
            }
            if definitive.is_some() {
                model.definitive_percent = Set(text(definitive));
            }
            model.updated_at = Set(now);
            model.update(&txn).await?
        }
        None => {
            index_figure::ActiveModel {
                region_id: Set(auth.scope.region_id),
                id: Set(uuid::Uuid::now_v7()),
                series: Set(series.clone()),
                year: Set(year),
                forecast_percent: Set(text(forecast)),
                definitive_percent: Set(text(definitive)),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?
        }
    };
    let out = IndexFigureOut::from(saved);
    auth.audit()
        .record(
            &txn,
            "put",
            "index-figure",
            format!("{series}/{year}"),
            &out,
        )
        .await?;
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Remove the figures of a series for a year.
#[utoipa::path(
    tag = "indexation",
    params(("regionCode" = String, Path, description = "Region code"), ("series" = String, Path, description = "Series"), ("year" = i32, Path, description = "Year")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/regions/{regionCode}/index-figures/{series}/{year}")]
pub async fn delete_index_figure(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    path: web::Path<(String, String, i32)>,
) -> ApiResult<HttpResponse> {
    let txn = entities::transaction::begin_write(&state.db).await?;
    let existing = find(&txn, &auth.scope, &path.1, path.2)
        .await?
        .ok_or(ApiError::NotFound)?;
    index_figure::Entity::delete_scoped_by_id(&txn, &auth.scope, existing.id).await?;
    auth.audit()
        .record(
            &txn,
            "delete",
            "index-figure",
            format!("{}/{}", path.1, path.2),
            serde_json::json!({}),
        )
        .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
