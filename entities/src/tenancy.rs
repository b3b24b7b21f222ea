//! Tenancy in one place: every query on a tenant table goes through these
//! helpers, which filter on `region_id`. Handlers never filter by region
//! themselves, so none can forget to.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, DeleteMany, EntityTrait, QueryFilter, Select, UpdateMany,
};
use uuid::Uuid;

/// The region (tenant) a request or job acts in. Built by the API's auth
/// extractor from a verified token and the path, or by a job from its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionScope {
    pub region_id: Uuid,
}

impl RegionScope {
    pub fn new(region_id: Uuid) -> Self {
        Self { region_id }
    }
}

/// A table whose rows belong to one region: it has `region_id`.
pub trait TenantEntity: EntityTrait {
    fn region_column() -> Self::Column;

    /// All rows of the scope's region.
    fn scoped(scope: &RegionScope) -> Select<Self> {
        #[allow(clippy::disallowed_methods)]
        Self::find().filter(Self::region_column().eq(scope.region_id))
    }

    /// An update limited to the scope's region; add filters to narrow it.
    fn update_scoped(scope: &RegionScope) -> UpdateMany<Self> {
        #[allow(clippy::disallowed_methods)]
        Self::update_many().filter(Self::region_column().eq(scope.region_id))
    }

    /// A delete limited to the scope's region; add filters to narrow it.
    fn delete_scoped(scope: &RegionScope) -> DeleteMany<Self> {
        #[allow(clippy::disallowed_methods)]
        Self::delete_many().filter(Self::region_column().eq(scope.region_id))
    }
}

/// A tenant table whose rows also have their own `id`.
pub trait TenantRecord: TenantEntity {
    fn id_column() -> Self::Column;

    /// One row by id, or `None` when it does not exist *in this region*.
    #[allow(async_fn_in_trait)]
    async fn find_scoped<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        id: Uuid,
    ) -> Result<Option<Self::Model>, DbErr> {
        Self::scoped(scope)
            .filter(Self::id_column().eq(id))
            .one(db)
            .await
    }

    /// Deletes one row by id, in this region only.
    #[allow(async_fn_in_trait)]
    async fn delete_scoped_by_id<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        id: Uuid,
    ) -> Result<(), DbErr> {
        Self::delete_scoped(scope)
            .filter(Self::id_column().eq(id))
            .exec(db)
            .await?;
        Ok(())
    }
}

/// `column = value`, or `column IS NULL` for `None`: tariff lines are told
/// apart by optional provider and municipality.
pub fn eq_or_null<C: ColumnTrait>(
    column: C,
    value: Option<Uuid>,
) -> sea_orm::sea_query::SimpleExpr {
    match value {
        Some(id) => column.eq(id),
        None => column.is_null(),
    }
}

/// The condition joining the aliased row `to` to the aliased row `from`
/// through `from`'s tenant foreign key `fk`: `to.region_id =
/// from.region_id AND to.id = from.fk` (every tenant key leads with the
/// region, so a join never crosses regions).
pub fn tenant_join(
    to: &sea_orm::sea_query::Alias,
    from: &sea_orm::sea_query::Alias,
    fk: impl sea_orm::sea_query::IntoIden,
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait};
    let region = || Alias::new("region_id");
    Expr::col((to.clone(), region()))
        .equals((from.clone(), region()))
        .and(Expr::col((to.clone(), Alias::new("id"))).equals((from.clone(), fk)))
}

/// Implements [`TenantEntity`] (and with `ids:` also [`TenantRecord`]) for
/// entity modules with a `RegionId` (and `Id`) column.
#[macro_export]
macro_rules! tenant_entity {
    (ids: [$($module:ident),* $(,)?], keyed: [$($keyed:ident),* $(,)?] $(,)?) => {
        $(
            impl $crate::tenancy::TenantEntity for $crate::schema::$module::Entity {
                fn region_column() -> Self::Column { $crate::schema::$module::Column::RegionId }
            }
            impl $crate::tenancy::TenantRecord for $crate::schema::$module::Entity {
                fn id_column() -> Self::Column { $crate::schema::$module::Column::Id }
            }
        )*
        $(
            impl $crate::tenancy::TenantEntity for $crate::schema::$keyed::Entity {
                fn region_column() -> Self::Column { $crate::schema::$keyed::Column::RegionId }
            }
        )*
    };
}
