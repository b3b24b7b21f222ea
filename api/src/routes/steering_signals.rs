//! `…/steering-signals`: what the steering instruments ask the office to
//! act on (a client waiting past the norm, a municipality short of
//! providers in a group, stacked care), newest first.

use chrono::NaiveDate;
use domain::{codes::CodeBook, steering::signals};
use entities::{enums::SteeringSignalKind, schema::steering_signal};
use uuid::Uuid;

use super::prelude::*;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SteeringSignalFilter {
    #[param(value_type = Option<SteeringSignalKind>)]
    pub kind: Option<String>,
}

/// A steering signal, raised once per subject.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SteeringSignalOut {
    pub id: Uuid,
    pub kind: SteeringSignalKind,
    /// What it is about, unique per kind: the allocation id (waiting norm),
    /// `"<cbs>:<group code>"` (coverage), the two allocation ids joined by
    /// `:` (care overlap).
    pub subject: String,
    pub provider_agb: Option<String>,
    pub municipality_cbs: Option<String>,
    pub product_group_code: Option<String>,
    /// The day the situation was seen.
    pub observed_on: NaiveDate,
    pub detail: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl SteeringSignalOut {
    fn of(s: steering_signal::Model, codes: &CodeBook) -> Self {
        Self {
            id: s.id,
            kind: s.kind,
            subject: s.subject,
            provider_agb: s.provider_id.map(|id| codes.provider(id)),
            municipality_cbs: s.municipality_id.map(|id| codes.municipality(id)),
            product_group_code: s.product_group_id.map(|id| codes.group(id)),
            observed_on: s.observed_on,
            detail: s.detail,
            created_at: s.created_at,
        }
    }
}

/// Steering signals, newest first: clients waiting past their group's norm,
/// municipalities short of providers in a group, stacked care.
#[utoipa::path(
    tag = "steering",
    params(("regionCode" = String, Path, description = "Region code"), SteeringSignalFilter, PageQuery),
    responses(
        (status = 200, body = Page<SteeringSignalOut>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/steering-signals")]
pub async fn list_steering_signals(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<Monitor>,
    filter: web::Query<SteeringSignalFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut check = Check::new();
    let kind = filter
        .kind
        .as_deref()
        .and_then(|k| check.one_of::<SteeringSignalKind>("kind", k));
    check.finish()?;
    let select = signals::newest_first(&auth.scope, kind);
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let codes = CodeBook::load(&state.db, &auth.scope).await?;
    let out: Vec<SteeringSignalOut> = items
        .into_iter()
        .map(|s| SteeringSignalOut::of(s, &codes))
        .collect();
    Ok(Page::new(out, page, total).respond(&req))
}

/// The newest `limit` signals of `kind` as the list shows them, or `None`
/// for a role the list refuses (`Monitor`): the dashboard's pages show
/// each kind where it belongs, to the office.
pub async fn newest<P: Permission>(
    state: &AppState,
    auth: &Scoped<P>,
    kind: SteeringSignalKind,
    limit: u64,
) -> ApiResult<Option<Vec<SteeringSignalOut>>> {
    use sea_orm::QuerySelect;
    if !Monitor::ROLES.contains(&auth.claims.role) {
        return Ok(None);
    }
    let found = signals::newest_first(&auth.scope, Some(kind))
        .limit(limit)
        .all(&state.db)
        .await?;
    let codes = CodeBook::load(&state.db, &auth.scope).await?;
    Ok(Some(
        found
            .into_iter()
            .map(|s| SteeringSignalOut::of(s, &codes))
            .collect(),
    ))
}
