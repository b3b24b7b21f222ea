//! Paged lists: `page` / `pageSize` (1-based, bounded), a deterministic order
//! chosen by each query, an RFC 8288 `Link` header and the total.

use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult};

pub const MAX_PAGE_SIZE: u64 = 500;
const DEFAULT_PAGE_SIZE: u64 = 50;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, 1 to 1,000,000.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Items per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub page_size: Option<u64>,
}

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: u64,
    pub page_size: u64,
}

impl PageRequest {
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.page_size
    }
}

impl PageQuery {
    pub fn validate(&self) -> ApiResult<PageRequest> {
        let page = self.page.unwrap_or(1);
        let page_size = self.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        let mut errors = Vec::new();
        if page == 0 || page > 1_000_000 {
            errors.push(crate::error::FieldError::new(
                "page",
                "must be 1 to 1000000",
            ));
        }
        if page_size == 0 || page_size > MAX_PAGE_SIZE {
            errors.push(crate::error::FieldError::new(
                "pageSize",
                "must be 1 to 500",
            ));
        }
        if errors.is_empty() {
            Ok(PageRequest { page, page_size })
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub page: u64,
    pub page_size: u64,
    /// Number of items over all pages.
    pub total: u64,
}

impl<T: ToSchema + Serialize> Page<T> {
    pub fn new(items: Vec<T>, request: PageRequest, total: u64) -> Self {
        Self {
            items,
            page: request.page,
            page_size: request.page_size,
            total,
        }
    }

    /// The JSON response with `Link` (first/prev/next/last) and `X-Total-Count`.
    pub fn respond(self, req: &HttpRequest) -> HttpResponse {
        let last = self.total.div_ceil(self.page_size).max(1);
        let link = |page: u64, rel: &str| {
            let mut query: Vec<(String, String)> =
                serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
            query.retain(|(k, _)| k != "page" && k != "pageSize");
            query.push(("page".into(), page.to_string()));
            query.push(("pageSize".into(), self.page_size.to_string()));
            let query = serde_urlencoded::to_string(&query).unwrap_or_default();
            format!("<{}?{}>; rel=\"{}\"", req.path(), query, rel)
        };
        let mut links = vec![link(1, "first")];
        if self.page > 1 {
            links.push(link((self.page - 1).min(last), "prev"));
        }
        if self.page < last {
            links.push(link(self.page + 1, "next"));
        }
        links.push(link(last, "last"));
        HttpResponse::Ok()
            .insert_header(("Link", links.join(", ")))
            .insert_header(("X-Total-Count", self.total.to_string()))
            .json(self)
    }
}

/// Runs a select as one page plus the total count.
pub async fn fetch_page<E, C>(
    db: &C,
    select: sea_orm::Select<E>,
    request: PageRequest,
) -> ApiResult<(Vec<E::Model>, u64)>
where
    E: sea_orm::EntityTrait,
    E::Model: Sync,
    C: sea_orm::ConnectionTrait,
{
    use sea_orm::{PaginatorTrait, QuerySelect};
    let total = select.clone().count(db).await?;
    let items = select
        .offset(request.offset())
        .limit(request.page_size)
        .all(db)
        .await?;
    Ok((items, total))
}
