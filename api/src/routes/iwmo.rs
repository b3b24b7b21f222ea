//! iWmo/iJw 3.2 messages (the i-Standaarden through GGk and VECOZO): a
//! municipality's system sends 301s, a provider's 305, 307 and 323; a 323
//! is answered at once with its 325. Received messages and their answers
//! are kept and listed here; the outbox holds the 301s for allocations made
//! through the JSON API. The work is in `domain::iwmo`.

use chrono::NaiveDate;
use domain::parties::Party;
use entities::{
    enums::Law,
    schema::{iwmo_message, iwmo_outbox},
    TenantEntity,
};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::allocations::find_visible;
use super::prelude::*;
use crate::input::XmlBody;
use domain::iwmo::{self as service, Received, Secrets};

const XML: &str = "application/xml";

/// A received message (its content is not shown: it carries BSNs).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IwmoMessageOut {
    pub id: Uuid,
    pub law: Law,
    /// `301`, `305`, `307` or `323`.
    #[schema(example = "323")]
    pub message_type: String,
    /// Afzender: a municipality code (301) or the provider's AGB.
    #[schema(example = "98010001")]
    pub sender: String,
    #[schema(example = "0202")]
    pub receiver: String,
    /// BerichtIdentificatie/Identificatie.
    pub identification: String,
    pub dated: NaiveDate,
    /// `processed`; for a 323 also `rejected` (level 2: a 325 with 0001)
    /// or `declaration-rejected` (the DeclaratieNummer was used before: 9333).
    pub outcome: String,
    /// Allocations (301), products (305/307) or prestaties (323).
    pub item_count: i32,
    pub approved_count: Option<i32>,
    /// The approved total of a 323 in euros.
    #[schema(value_type = Option<String>, example = "580.00")]
    pub approved_amount: Option<rust_decimal::Decimal>,
    pub declaration_number: Option<String>,
    /// The declaration batch the 323's prestaties were stored in.
    pub batch_id: Option<Uuid>,
    pub has_answer: bool,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

fn message_out(m: &iwmo_message::Model) -> IwmoMessageOut {
    IwmoMessageOut {
        id: m.id,
        law: m.law,
        message_type: m.message_type.clone(),
        sender: m.sender.clone(),
        receiver: m.receiver.clone(),
        identification: m.identification.clone(),
        dated: m.dated,
        outcome: m.outcome.clone(),
        item_count: m.item_count,
        approved_count: m.approved_count,
        approved_amount: m.approved_cents.map(entities::money::cents_to_euros),
        declaration_number: m.declaration_number.clone(),
        batch_id: m.batch_id,
        has_answer: m.answer_sealed.is_some(),
        received_at: m.received_at,
    }
}

fn secrets(state: &AppState) -> Secrets<'_> {
    Secrets {
        client_key_secret: &state.config.client_key_secret,
        data_keys: &state.config.data_keys,
    }
}

/// Receive one iWmo/iJw 3.2 message (`Content-Type: application/xml`):
/// a 301 (from a municipality), 305, 307 or 323 (from a provider, as its
/// own AGB). A 323 is answered with its 325 (`200`, `application/xml`);
/// the other messages with the stored message (`201`). The same message
/// sent again returns the first answer (`Idempotent-Replayed: true`);
/// another message under a used identification is a 409 (`ZR-IWMO-9056`).
/// A message that is not well-formed or not valid against the standard's
/// schema is a 400 naming each fault (and gets no 325); one addressed to a
/// municipality outside the region, or that a rule refuses (a 301 or
/// 305/307 for an unknown allocation), is a 422. Nothing is half-stored.
#[utoipa::path(
    tag = "iwmo",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body(content = String, content_type = "application/xml", description = "One iWmo/iJw 3.2 Bericht (WMO301/305/307/323 or JW301/305/307/323)"),
    responses(
        (status = 200, description = "The 325 answering a 323", body = String, content_type = "application/xml"),
        (status = 201, description = "A 301, 305 or 307, stored", body = IwmoMessageOut),
        (status = 400, description = "Not well-formed or not valid against the standard", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The identification was used for another message (9056)", body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Addressed outside the region, or a rule refuses it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/iwmo/messages")]
pub async fn receive_message(
    state: web::Data<AppState>,
    auth: Scoped<Exchange>,
    body: XmlBody,
) -> ApiResult<HttpResponse> {
    let xml = body.take()?;
    let received = service::receive(
        &state.db,
        &auth.scope,
        &auth.audit(),
        &auth.party,
        auth.submitter(),
        &secrets(&state),
        &xml,
    )
    .await?;
    let Received {
        message,
        answer,
        replayed,
    } = received;
    let location = format!(
        "/api/v1/regions/{}/iwmo/messages/{}",
        auth.region.code, message.id
    );
    let mut response = match answer {
        Some(_) => HttpResponse::Ok(),
        None => HttpResponse::Created(),
    };
    response.insert_header(("Location", location));
    if replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(match answer {
        Some(xml) => response.content_type(XML).body(xml),
        None => response.json(message_out(&message)),
    })
}

fn visible_messages<P: Permission>(auth: &Scoped<P>) -> sea_orm::Select<iwmo_message::Entity> {
    iwmo_message::Entity::scoped(&auth.scope).filter(auth.party.iwmo_messages())
}

/// List received messages, newest first. A provider sees the messages it
/// sent, a municipality's access team those of its municipality.
#[utoipa::path(
    tag = "iwmo",
    params(("regionCode" = String, Path, description = "Region code"), PageQuery),
    responses((status = 200, body = Page<IwmoMessageOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/iwmo/messages")]
pub async fn list_messages(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let select = visible_messages(&auth).order_by_desc(iwmo_message::Column::Id);
    let (items, total) = fetch_page(&state.db, select, page).await?;
    Ok(Page::new(items.iter().map(message_out).collect(), page, total).respond(&req))
}

async fn find_message<P: Permission>(
    state: &AppState,
    auth: &Scoped<P>,
    id: Uuid,
) -> ApiResult<iwmo_message::Model> {
    visible_messages(auth)
        .filter(iwmo_message::Column::Id.eq(id))
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Get a received message.
#[utoipa::path(
    tag = "iwmo",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Message id")),
    responses((status = 200, body = IwmoMessageOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/iwmo/messages/{id}")]
pub async fn get_message(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<web::Json<IwmoMessageOut>> {
    Ok(web::Json(message_out(
        &find_message(&state, &auth, path.1).await?,
    )))
}

/// The 325 that answered a 323, as it was sent (404 for other messages).
/// It names clients by BSN: only the parties that exchange messages read it
/// (not auditors or contract managers).
#[utoipa::path(
    tag = "iwmo",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Message id")),
    responses(
        (status = 200, description = "The 325", body = String, content_type = "application/xml"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/iwmo/messages/{id}/answer")]
pub async fn get_answer(
    state: web::Data<AppState>,
    auth: Scoped<Exchange>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let message = find_message(&state, &auth, path.1).await?;
    let answer = service::opened_answer(&state.config.data_keys, &auth.scope, &message)?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().content_type(XML).body(answer))
}

/// The allocation as a WMO301/JW301 to its provider, valid against the
/// standard's schema. It carries the client's identity: only the parties
/// that exchange messages read it (not auditors or contract managers). A 422 when the client vault lacks the client's name,
/// birth date or gender (give `client` when allocating).
#[utoipa::path(
    tag = "iwmo",
    params(("regionCode" = String, Path, description = "Region code"), ("allocationNumber" = i64, Path, description = "Allocation number")),
    responses(
        (status = 200, description = "The 301", body = String, content_type = "application/xml"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The 301 cannot be written for this allocation", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/allocations/{allocationNumber}/iwmo-301")]
pub async fn allocation_301(
    state: web::Data<AppState>,
    auth: Scoped<Exchange>,
    path: web::Path<(String, i64)>,
) -> ApiResult<HttpResponse> {
    let allocation = find_visible(&state.db, &auth, path.1).await?;
    let built = service::outgoing_301(&state.db, &auth.scope, &state.config.data_keys, &allocation)
        .await?
        .map_err(|why| ApiError::rule("ZR-IWMO-NO-301", why))?;
    Ok(HttpResponse::Ok().content_type(XML).body(built.xml))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// The `nextCursor` of the previous page; absent for the oldest entries.
    pub after: Option<Uuid>,
    /// Entries per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

/// A 301 waiting for a provider.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntryOut {
    pub id: Uuid,
    pub allocation_number: i64,
    pub law: Law,
    pub identification: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The WMO301/JW301 message.
    pub message: String,
}

/// A page of the outbox, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutboxPage {
    pub items: Vec<OutboxEntryOut>,
    /// Pass as `after` for the next page; absent when this page is the last so far.
    pub next_cursor: Option<Uuid>,
}

/// The 301s for allocations made or changed through the JSON API, oldest
/// first, with a cursor: a provider token reads its own, the office every
/// provider's. Each is written when the allocation changes, so the
/// provider's system can take them in order (`after` = the last cursor).
#[utoipa::path(
    tag = "iwmo",
    params(("regionCode" = String, Path, description = "Region code"), OutboxQuery),
    responses((status = 200, body = OutboxPage), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/iwmo/outbox")]
pub async fn outbox(
    state: web::Data<AppState>,
    auth: Scoped<Exchange>,
    query: web::Query<OutboxQuery>,
) -> ApiResult<web::Json<OutboxPage>> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be 1 to 100"));
    }
    let mut select = iwmo_outbox::Entity::scoped(&auth.scope).order_by_asc(iwmo_outbox::Column::Id);
    match &auth.party {
        Party::Office => {}
        Party::Provider { id, .. } => {
            select = select.filter(iwmo_outbox::Column::ProviderId.eq(*id));
        }
        _ => return Err(ApiError::Forbidden),
    }
    if let Some(after) = query.after {
        select = select.filter(iwmo_outbox::Column::Id.gt(after));
    }
    let entries = select.limit(limit + 1).all(&state.db).await?;
    let more = entries.len() as u64 > limit;
    let items = entries
        .iter()
        .take(limit as usize)
        .map(|e| {
            Ok(OutboxEntryOut {
                id: e.id,
                allocation_number: e.allocation_number,
                law: e.law,
                identification: e.identification.clone(),
                created_at: e.created_at,
                message: service::opened_outbox(&state.config.data_keys, &auth.scope, e)?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let next_cursor = if more {
        items.last().map(|e| e.id)
    } else {
        None
    };
    Ok(web::Json(OutboxPage { items, next_cursor }))
}
