//! The plain get, list, create answer and delete of the keyed catalogue
//! resources (municipalities, product groups, products, providers), written
//! once over `domain::catalogue::Item`; each resource's module keeps its
//! own documented handlers, input types and filters.

use actix_web::{web, HttpRequest, HttpResponse};
use domain::{
    audit::Audit,
    catalogue::{self, Item},
};
use entities::RegionScope;
use sea_orm::{DatabaseConnection, Select};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    error::ApiResult,
    pagination::{fetch_page, Page, PageRequest},
};

/// `GET …/{key}`: the item, or 404.
pub async fn get<T: Item, Out: From<T::Value>>(
    db: &DatabaseConnection,
    scope: &RegionScope,
    key: &str,
) -> ApiResult<web::Json<Out>> {
    let value = catalogue::get::<T, _>(db, scope, key).await?;
    Ok(web::Json(value.into()))
}

/// `GET …`: one page of `select`, described.
pub async fn list<T, Out>(
    req: &HttpRequest,
    db: &DatabaseConnection,
    scope: &RegionScope,
    select: Select<T>,
    page: PageRequest,
) -> ApiResult<HttpResponse>
where
    T: Item,
    T::Model: Sync,
    Out: From<T::Value> + Serialize + ToSchema,
{
    let (rows, total) = fetch_page(db, select, page).await?;
    let items = T::describe(db, scope, rows).await?;
    let items = items.into_iter().map(Out::from).collect();
    Ok(Page::new(items, page, total).respond(req))
}

/// `201 Created` with the new item's `Location`.
pub fn created(
    region_code: &str,
    collection: &str,
    key: &str,
    body: &impl Serialize,
) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/regions/{region_code}/{collection}/{key}"),
        ))
        .json(body)
}

/// `DELETE …/{key}`: 204, 404, or 409 while something refers to it.
pub async fn delete<T: Item>(
    db: &DatabaseConnection,
    scope: &RegionScope,
    audit: &Audit,
    key: &str,
) -> ApiResult<HttpResponse> {
    let txn = entities::transaction::begin_write(db).await?;
    catalogue::delete::<T, _>(&txn, scope, audit, key).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
