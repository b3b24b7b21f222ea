//! Index figures: per year and series (`ova`, `ppc`, or a region's own), the
//! forecast and later the definitive percentage, as decimal strings.

use domain::index_figures::{self, IndexFigure, Percentages};
use entities::{schema::index_figure, TenantEntity};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use super::prelude::*;

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

impl From<IndexFigure> for IndexFigureOut {
    fn from(f: IndexFigure) -> Self {
        Self {
            series: f.series,
            year: f.year,
            forecast: f.forecast,
            definitive: f.definitive,
            updated_at: f.updated_at,
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
        items
            .into_iter()
            .map(|m| IndexFigureOut::from(IndexFigure::from(m)))
            .collect(),
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
    // Given fields parsed (the check passed): `Some` sets, `None` keeps.
    let set = Percentages {
        forecast: forecast.flatten(),
        definitive: definitive.flatten(),
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let out = index_figures::put(&txn, &auth.scope, &auth.audit(), (&series, year), set).await?;
    txn.commit().await?;
    Ok(web::Json(out.into()))
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
    index_figures::delete(&txn, &auth.scope, &auth.audit(), (&path.1, path.2)).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
