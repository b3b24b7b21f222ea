//! Who sees what inside a region: the party model, in one place as the
//! region scope is. The region scope keeps regions apart; the [`Party`]
//! keeps the parties inside a region apart. Every handler that reads or
//! changes a party-specific resource filters with the condition named after
//! that resource here, and the README's table says the same in words.
//!
//! | party | allocations | declaration batches and lines | contracts, budget ceilings, outflow flags | tariffs, indexation proposals |
//! |---|---|---|---|---|
//! | office (platform admin, region admin, contract manager, auditor) | all | all | all | all |
//! | central access team (`central-access`, or `access-team` with `municipality: "*"`) | all | all | all | all |
//! | access team or read-only `municipality` user of a municipality | its municipality's | batches with a line for its municipality's allocations; only those lines | all | all |
//! | provider (its token or API client, by AGB) | its own | batches it submitted (all their lines) or with a line for its allocations (only those lines) | its own | region-wide and its own |
//!
//! Catalogue, municipalities, providers, index figures, policies and
//! outflow-check runs are the region's public information for every party;
//! reports, audit events, jobs, API clients, budget signals, the compliance
//! register and contract signals are guarded by role (see `auth.rs`).
//! Enrolments are the office's (auditors read them) and each provider's own. A contract's
//! amendments, bridging agreements and transfer list follow the contract (a
//! provider sees its own contracts'); a municipality's access team sees its
//! own municipality's part of a transfer list.

use entities::{
    enums::Role,
    schema::{
        allocation, budget_ceiling, contract, declaration_batch, declaration_line,
        indexation_proposal, outflow_flag, tariff,
    },
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{
    sea_query::{Condition, SelectStatement},
    ColumnTrait, ConnectionTrait, QueryFilter, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use crate::{
    catalogue,
    error::{DomainError, DomainResult},
};

/// Who the caller is, as its verified token says.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    pub role: Role,
    /// The token's subject.
    pub subject: &'a str,
    /// CBS code of an access team's or a municipality user's municipality.
    pub municipality: Option<&'a str>,
    /// AGB code of a provider.
    pub agb: Option<&'a str>,
}

/// The `municipality` claim of a central access team: every municipality.
pub const ALL_MUNICIPALITIES: &str = "*";

/// The party a verified token acts for. An AGB or CBS code the region does
/// not know resolves to the nil id, which matches no row: such a token sees
/// nothing party-specific.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Party {
    /// The procurement office (and the platform): every row of the region.
    Office,
    /// An access team working for every municipality of the region.
    CentralAccess,
    /// A municipality's access team.
    Municipality { id: Uuid, cbs: String },
    /// A provider, by AGB, whichever token or API client it uses.
    Provider { id: Uuid, agb: String },
}

impl Party {
    /// The party of `claims` in `scope`. An access team without a
    /// `municipality` claim or a provider without an `agb` claim is a 403.
    pub async fn resolve<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        caller: &Caller<'_>,
    ) -> DomainResult<Self> {
        match caller.role {
            Role::Municipality => match caller.municipality {
                Some(cbs) if cbs != ALL_MUNICIPALITIES => Self::municipality(db, scope, cbs).await,
                _ => Err(DomainError::Forbidden),
            },
            Role::AccessTeam => match caller.municipality {
                Some(ALL_MUNICIPALITIES) => Ok(Self::CentralAccess),
                Some(cbs) => Self::municipality(db, scope, cbs).await,
                None => Err(DomainError::Forbidden),
            },
            Role::CentralAccess => Ok(Self::CentralAccess),
            Role::Provider => match caller.agb {
                Some(agb) => Ok(Self::Provider {
                    id: catalogue::provider(db, scope, agb)
                        .await?
                        .map(|p| p.id)
                        .unwrap_or_default(),
                    agb: agb.to_owned(),
                }),
                None => Err(DomainError::Forbidden),
            },
            Role::PlatformAdmin | Role::RegionAdmin | Role::ContractManager | Role::Auditor => {
                Ok(Self::Office)
            }
        }
    }

    /// A municipality's party (its access team or its read-only user).
    async fn municipality<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        cbs: &str,
    ) -> DomainResult<Self> {
        Ok(Self::Municipality {
            id: catalogue::municipality(db, scope, cbs)
                .await?
                .map(|m| m.id)
                .unwrap_or_default(),
            cbs: cbs.to_owned(),
        })
    }

    /// The region's row of `E` with `id`, if the party sees it: another
    /// provider's row is as missing as one that does not exist.
    pub async fn sees_by_id<E: TenantRecord, C: ConnectionTrait>(
        &self,
        db: &C,
        scope: &RegionScope,
        id: Uuid,
        provider_of: impl Fn(&E::Model) -> Uuid,
    ) -> DomainResult<E::Model> {
        E::find_scoped(db, scope, id)
            .await?
            .filter(|row| self.sees_provider(provider_of(row)))
            .ok_or(DomainError::NotFound)
    }

    /// Whether the party sees a row of `provider_id`'s: a provider only its
    /// own, everyone else all (another provider's row is a 404 to it).
    pub fn sees_provider(&self, provider_id: Uuid) -> bool {
        self.provider_id().is_none_or(|own| own == provider_id)
    }

    /// The provider's id, for a provider.
    pub fn provider_id(&self) -> Option<Uuid> {
        match self {
            Self::Provider { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// Whether the party may allocate care in the municipality `cbs`.
    pub fn may_allocate_in(&self, cbs: &str) -> bool {
        match self {
            Self::Municipality { cbs: own, .. } => own == cbs,
            _ => true,
        }
    }

    /// Who a declaration batch (and its idempotency key) belongs to: a
    /// provider by AGB, anyone else as the token's role and subject.
    pub fn submitter(&self, caller: &Caller<'_>) -> String {
        match self {
            Self::Provider { agb, .. } => format!("provider:{agb}"),
            _ => format!("actor:{}:{}", caller.role.as_str(), caller.subject),
        }
    }

    pub fn allocations(&self) -> Condition {
        match self {
            Self::Office | Self::CentralAccess => Condition::all(),
            Self::Municipality { id, .. } => {
                Condition::all().add(allocation::Column::MunicipalityId.eq(*id))
            }
            Self::Provider { id, .. } => {
                Condition::all().add(allocation::Column::ProviderId.eq(*id))
            }
        }
    }

    /// The iWmo messages the party sees: a provider those it sent or was
    /// sent, a municipality's access team those of its municipality.
    pub fn iwmo_messages(&self) -> Condition {
        use entities::schema::iwmo_message::Column;
        let party_code = match self {
            Self::Office | Self::CentralAccess => return Condition::all(),
            Self::Municipality { cbs, .. } => {
                iwmo::cbs_to_municipality_code(cbs).unwrap_or_default()
            }
            Self::Provider { agb, .. } => agb.clone(),
        };
        Condition::any()
            .add(Column::Sender.eq(party_code.clone()))
            .add(Column::Receiver.eq(party_code))
    }

    /// The ids of the allocations the party sees, or `None` for all.
    fn allocation_ids(&self, scope: &RegionScope) -> Option<SelectStatement> {
        match self {
            Self::Office | Self::CentralAccess => None,
            _ => Some(
                allocation::Entity::scoped(scope)
                    .select_only()
                    .column(allocation::Column::Id)
                    .filter(self.allocations())
                    .into_query(),
            ),
        }
    }

    pub fn declaration_batches(&self, scope: &RegionScope, caller: &Caller<'_>) -> Condition {
        let Some(allocations) = self.allocation_ids(scope) else {
            return Condition::all();
        };
        let with_visible_lines = declaration_line::Entity::scoped(scope)
            .select_only()
            .column(declaration_line::Column::BatchId)
            .filter(declaration_line::Column::AllocationId.in_subquery(allocations))
            .into_query();
        let visible =
            Condition::any().add(declaration_batch::Column::Id.in_subquery(with_visible_lines));
        match self {
            Self::Provider { .. } => {
                visible.add(declaration_batch::Column::Submitter.eq(self.submitter(caller)))
            }
            _ => visible,
        }
    }

    /// The declaration lines the party sees: those of its allocations and,
    /// for a provider, every line of the batches it submitted.
    pub fn declaration_lines(&self, scope: &RegionScope, caller: &Caller<'_>) -> Condition {
        let Some(allocations) = self.allocation_ids(scope) else {
            return Condition::all();
        };
        let visible =
            Condition::any().add(declaration_line::Column::AllocationId.in_subquery(allocations));
        match self {
            Self::Provider { .. } => {
                let submitted = declaration_batch::Entity::scoped(scope)
                    .select_only()
                    .column(declaration_batch::Column::Id)
                    .filter(declaration_batch::Column::Submitter.eq(self.submitter(caller)))
                    .into_query();
                visible.add(declaration_line::Column::BatchId.in_subquery(submitted))
            }
            _ => visible,
        }
    }

    /// Whether the party sees every row of the region.
    pub fn sees_everything(&self) -> bool {
        matches!(self, Self::Office | Self::CentralAccess)
    }

    pub fn contracts(&self) -> Condition {
        self.own_rows(contract::Column::ProviderId)
    }

    pub fn budget_ceilings(&self) -> Condition {
        self.own_rows(budget_ceiling::Column::ProviderId)
    }

    pub fn outflow_flags(&self) -> Condition {
        self.own_rows(outflow_flag::Column::ProviderId)
    }

    /// Region-wide tariffs, and a provider's own.
    pub fn tariffs(&self) -> Condition {
        self.region_wide_or_own(tariff::Column::ProviderId)
    }

    /// The proposed next prices of the tariffs the party sees.
    pub fn indexation_proposals(&self) -> Condition {
        self.region_wide_or_own(indexation_proposal::Column::ProviderId)
    }

    fn region_wide_or_own(&self, provider_column: impl ColumnTrait) -> Condition {
        match self {
            Self::Provider { id, .. } => Condition::any()
                .add(provider_column.is_null())
                .add(provider_column.eq(*id)),
            _ => Condition::all(),
        }
    }

    /// Rows of a provider-specific resource: a provider sees its own.
    fn own_rows(&self, provider_column: impl ColumnTrait) -> Condition {
        match self {
            Self::Provider { id, .. } => Condition::all().add(provider_column.eq(*id)),
            _ => Condition::all(),
        }
    }
}
