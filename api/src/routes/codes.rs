//! The region's natural keys by id: responses name products, groups,
//! providers and municipalities by their codes, rows hold ids.

use std::collections::{HashMap, HashSet};

use entities::{
    schema::{municipality, product, product_group, provider},
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::error::ApiResult;

/// Every code of a region's catalogue, providers and municipalities.
pub struct CodeBook {
    products: HashMap<Uuid, String>,
    groups: HashMap<Uuid, String>,
    providers: HashMap<Uuid, String>,
    municipalities: HashMap<Uuid, String>,
}

impl CodeBook {
    pub async fn load<C: ConnectionTrait>(db: &C, scope: &RegionScope) -> ApiResult<Self> {
        Ok(Self {
            products: product::Entity::scoped(scope)
                .all(db)
                .await?
                .into_iter()
                .map(|p| (p.id, p.code))
                .collect(),
            groups: product_group::Entity::scoped(scope)
                .all(db)
                .await?
                .into_iter()
                .map(|g| (g.id, g.code))
                .collect(),
            providers: provider::Entity::scoped(scope)
                .all(db)
                .await?
                .into_iter()
                .map(|p| (p.id, p.agb_code))
                .collect(),
            municipalities: municipality::Entity::scoped(scope)
                .all(db)
                .await?
                .into_iter()
                .map(|m| (m.id, m.cbs_code))
                .collect(),
        })
    }

    fn code(map: &HashMap<Uuid, String>, id: Uuid) -> String {
        map.get(&id).cloned().unwrap_or_default()
    }

    pub fn product(&self, id: Uuid) -> String {
        Self::code(&self.products, id)
    }

    pub fn group(&self, id: Uuid) -> String {
        Self::code(&self.groups, id)
    }

    pub fn provider(&self, id: Uuid) -> String {
        Self::code(&self.providers, id)
    }

    pub fn municipality(&self, id: Uuid) -> String {
        Self::code(&self.municipalities, id)
    }
}

/// The codes of just these ids (a page's worth), read as (id, code) pairs;
/// no query at all when there are none.
pub async fn codes_of<E: TenantRecord, C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    ids: impl IntoIterator<Item = Uuid>,
    code: E::Column,
) -> ApiResult<HashMap<Uuid, String>> {
    let ids: HashSet<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(E::scoped(scope)
        .select_only()
        .column(E::id_column())
        .column(code)
        .filter(E::id_column().is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}
