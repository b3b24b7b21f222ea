//! Municipalities (gemeenten) of a region, by CBS code, with their
//! inhabitants per year (for spend per inhabitant in the reports).

use entities::{
    schema::{municipality, municipality_population as population},
    RegionScope, TenantEntity,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use uuid::Uuid;

use super::{audited, existing, Item};
use crate::{audit::Audit, error::DomainResult};

/// Inhabitants of a municipality in a year.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Population {
    pub year: i32,
    pub inhabitants: i64,
}

/// A municipality as the region knows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Municipality {
    pub cbs_code: String,
    pub name: String,
    /// Inhabitants per year, oldest first.
    pub population: Vec<Population>,
}

impl Item for municipality::Entity {
    const RESOURCE: &'static str = "municipality";
    type Value = Municipality;

    async fn describe<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        rows: Vec<municipality::Model>,
    ) -> DomainResult<Vec<Municipality>> {
        let all = population::Entity::scoped(scope)
            .filter(population::Column::MunicipalityId.is_in(rows.iter().map(|m| m.id)))
            .order_by_asc(population::Column::Year)
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| Municipality {
                population: all
                    .iter()
                    .filter(|p| p.municipality_id == m.id)
                    .map(|p| Population {
                        year: p.year,
                        inhabitants: p.inhabitants,
                    })
                    .collect(),
                cbs_code: m.cbs_code,
                name: m.name,
            })
            .collect())
    }
}

/// A municipality to add.
pub struct NewMunicipality {
    pub cbs_code: String,
    pub name: String,
    pub population: Vec<Population>,
}

/// What a change may change; `population`, when given, replaces the list.
pub struct MunicipalityChange {
    pub name: Option<String>,
    pub population: Option<Vec<Population>>,
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    new: NewMunicipality,
) -> DomainResult<Municipality> {
    let row = municipality::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        cbs_code: Set(new.cbs_code),
        name: Set(new.name.trim().to_owned()),
        created_at: Set(entities::clock::now()),
    }
    .insert(db)
    .await?;
    replace_population(db, scope, row.id, &new.population).await?;
    audited::<municipality::Entity, C>(db, scope, audit, "create", row).await
}

pub async fn change<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    cbs: &str,
    change: MunicipalityChange,
) -> DomainResult<Municipality> {
    let mut row: municipality::ActiveModel = existing::<municipality::Entity, C>(db, scope, cbs)
        .await?
        .into();
    if let Some(name) = change.name {
        row.name = Set(name.trim().to_owned());
    }
    let row = row.update(db).await?;
    if let Some(list) = &change.population {
        replace_population(db, scope, row.id, list).await?;
    }
    audited::<municipality::Entity, C>(db, scope, audit, "update", row).await
}

async fn replace_population<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    municipality_id: Uuid,
    list: &[Population],
) -> DomainResult<()> {
    population::Entity::delete_scoped(scope)
        .filter(population::Column::MunicipalityId.eq(municipality_id))
        .exec(db)
        .await?;
    for p in list {
        population::ActiveModel {
            region_id: Set(scope.region_id),
            municipality_id: Set(municipality_id),
            year: Set(p.year),
            inhabitants: Set(p.inhabitants),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}
