//! The region's natural keys by id: responses name products, groups,
//! providers and municipalities by their codes, rows hold ids.

use std::{
    collections::{HashMap, HashSet},
    sync::{LazyLock, RwLock},
};

use entities::{
    schema::{municipality, product, product_group, provider},
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::error::DomainResult;

/// Every code of a region's catalogue, providers and municipalities.
pub struct CodeBook {
    products: HashMap<Uuid, String>,
    groups: HashMap<Uuid, String>,
    providers: HashMap<Uuid, String>,
    municipalities: HashMap<Uuid, String>,
}

impl CodeBook {
    pub async fn load<C: ConnectionTrait>(db: &C, scope: &RegionScope) -> DomainResult<Self> {
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

/// Codes already read, by id. Natural keys (product code, AGB, CBS code)
/// never change and ids are UUIDs unique across tables and regions, so an
/// entry is never stale; a miss goes to the database. Bounded by the number
/// of products, providers and municipalities.
static KNOWN: LazyLock<RwLock<HashMap<Uuid, String>>> = LazyLock::new(Default::default);

/// The codes of just these ids (a page's worth): from memory when read
/// before, else as (id, code) pairs in one query; none at all when empty.
pub async fn codes_of<E: TenantRecord, C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    ids: impl IntoIterator<Item = Uuid>,
    code: E::Column,
) -> DomainResult<HashMap<Uuid, String>> {
    let ids: HashSet<Uuid> = ids.into_iter().collect();
    let mut found = HashMap::with_capacity(ids.len());
    let mut missing = Vec::new();
    {
        // A poisoned lock still holds correct entries (they never change).
        let known = KNOWN.read().unwrap_or_else(|e| e.into_inner());
        for id in ids {
            match known.get(&id) {
                Some(code) => {
                    found.insert(id, code.clone());
                }
                None => missing.push(id),
            }
        }
    }
    if missing.is_empty() {
        return Ok(found);
    }
    let read: Vec<(Uuid, String)> = E::scoped(scope)
        .select_only()
        .column(E::id_column())
        .column(code)
        .filter(E::id_column().is_in(missing))
        .into_tuple()
        .all(db)
        .await?;
    KNOWN
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .extend(read.iter().cloned());
    found.extend(read);
    Ok(found)
}
