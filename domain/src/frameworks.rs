//! Municipal budget frameworks (begroting): an amount per municipality, law
//! and year, set or replaced in one operation, and shown with the figures
//! of `funding::framework_figures` and the alert levels its forecast
//! reached.

use entities::{
    enums::Law, funding::levels_crossed, money::cents_to_euros, report::display_percent,
    schema::budget_framework, RegionScope, TenantEntity,
};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, Set};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    audit::Audit,
    catalogue,
    codes::CodeBook,
    error::{DomainError, DomainResult},
    funding::{alert_levels, framework_figures},
};

/// A budget framework with its figures as of a day: the audit trail
/// records it, the API's `BudgetFrameworkOut` shows it field for field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetFramework {
    pub id: Uuid,
    pub municipality_cbs: String,
    pub law: Law,
    pub year: i32,
    pub amount: Decimal,
    pub realised: Decimal,
    pub committed: Decimal,
    pub forecast: Decimal,
    pub forecast_percent: Decimal,
    pub months_closed: u32,
    pub levels_reached: Vec<i32>,
}

/// What describing any framework needs once: the codes and the region's
/// alert levels.
pub struct FrameworkContext {
    names: CodeBook,
    levels: Vec<i32>,
}

impl FrameworkContext {
    pub async fn load<C: ConnectionTrait>(db: &C, scope: &RegionScope) -> DomainResult<Self> {
        Ok(Self {
            names: CodeBook::load(db, scope).await?,
            levels: alert_levels(db, scope).await?,
        })
    }

    /// The framework with its figures as of today.
    pub async fn describe<C: ConnectionTrait>(
        &self,
        db: &C,
        scope: &RegionScope,
        framework: budget_framework::Model,
    ) -> DomainResult<BudgetFramework> {
        let today = entities::clock::now().date_naive();
        let figures = framework_figures(db, scope, &framework, today).await?;
        let percent = if framework.amount_cents == 0 {
            Decimal::ZERO
        } else {
            display_percent(
                Decimal::from(figures.forecast_cents) / Decimal::from(framework.amount_cents),
            )
        };
        Ok(BudgetFramework {
            id: framework.id,
            municipality_cbs: self.names.municipality(framework.municipality_id),
            law: framework.law,
            year: framework.year,
            amount: cents_to_euros(framework.amount_cents),
            realised: cents_to_euros(figures.realised_cents),
            committed: cents_to_euros(figures.committed_cents),
            forecast: cents_to_euros(figures.forecast_cents),
            forecast_percent: percent,
            months_closed: figures.months_closed,
            levels_reached: levels_crossed(
                framework.amount_cents,
                0,
                figures.forecast_cents,
                &self.levels,
            ),
        })
    }
}

/// A framework as a request sets it: the municipality by its CBS code (an
/// unknown one is not found), the amount in cents (positive).
#[derive(Debug, Clone)]
pub struct FrameworkAmount {
    pub municipality_cbs: String,
    pub law: Law,
    pub year: i32,
    pub amount_cents: i64,
}

/// A framework set, and whether it is new (the API answers 201 then).
#[derive(Debug, Clone)]
pub struct Put {
    pub framework: BudgetFramework,
    pub created: bool,
}

/// Sets the municipality's framework for the law and year: a new one, or
/// a new amount for the one there is (one per municipality, law and year).
pub async fn put<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    input: FrameworkAmount,
) -> DomainResult<Put> {
    let municipality = catalogue::municipality(db, scope, &input.municipality_cbs)
        .await?
        .ok_or(DomainError::NotFound)?;
    let existing = budget_framework::Entity::scoped(scope)
        .filter(budget_framework::Column::MunicipalityId.eq(municipality.id))
        .filter(budget_framework::Column::Law.eq(input.law))
        .filter(budget_framework::Column::Year.eq(input.year))
        .one(db)
        .await?;
    let now = entities::clock::now();
    let created = existing.is_none();
    let saved = match existing {
        Some(found) => {
            let mut model: budget_framework::ActiveModel = found.into();
            model.amount_cents = Set(input.amount_cents);
            model.updated_at = Set(now);
            model.update(db).await?
        }
        None => {
            budget_framework::ActiveModel {
                region_id: Set(scope.region_id),
                id: Set(Uuid::now_v7()),
                municipality_id: Set(municipality.id),
                law: Set(input.law),
                year: Set(input.year),
                amount_cents: Set(input.amount_cents),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await?
        }
    };
    let framework = FrameworkContext::load(db, scope)
        .await?
        .describe(db, scope, saved)
        .await?;
    audit
        .record(
            db,
            if created { "create" } else { "update" },
            "budget-framework",
            framework.id,
            &framework,
        )
        .await?;
    Ok(Put { framework, created })
}
