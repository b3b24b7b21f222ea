//! What the steering instruments show in a demo region (issue 28), made
//! through the same domain operations as the year of care ([`super::activity`]):
//!
//! - clients **waiting** now: allocations decided 4 to 80 days ago whose
//!   care has not started, against a waiting norm of 42 days (the demo's
//!   choice; the Contractstandaard points at the Treeknormen);
//! - a **coverage** minimum of 2 active providers per municipality and
//!   group, which the smaller municipalities do not reach;
//! - one **stacked** pair: a client with the same product at two providers
//!   at once;
//! - **locations** with places for the daily products (beschermd wonen and
//!   thuis, respite), one of them full;
//! - **youth turning 18** (the Jeugdwet regions): clients whose birth date
//!   came with the allocation, turning 18 in 2 to 30 months, one with a Wmo
//!   allocation already following, two without a known birth date;
//! - **referrers** are set on the year's allocations ([`referrer_of`]).
//!
//! Deterministic: every choice follows from the region's catalogue, the
//! numbers and `today`.

use chrono::{Datelike, Duration, Months, NaiveDate};
use entities::{
    allocation_rules::{Grant, Volume},
    bsn_check::nth_valid_bsn,
    enums::{ArrangementPeriod, Law, Unit, VolumeFrequency},
    policy::{kinds, CoveragePolicy, PolicyRules, WaitingNormPolicy, REGION_SCOPE},
    schema::allocation,
};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set};
use uuid::Uuid;

use super::{
    activity::{barred, coverage_end, law_of, months_touched, registered_before_care},
    catalogue::{date, Catalogue},
    regions::DemoRegion,
};
use crate::error::ApiResult;
use domain::{
    allocations::{Draft, Granted},
    audit::Audit,
    client_key::client_key,
    parties::Party,
    steering::locations::{NewLocation, Places},
    vault::{DataKeys, Identity},
};

/// What the steering data holds, for the log.
#[derive(Debug, Default)]
pub(super) struct Made {
    pub waiting: usize,
    pub stacked: usize,
    pub locations: usize,
    pub occupied: usize,
    pub youth: usize,
}

/// The waiting norm the demo sets for every group (days).
const WAITING_NORM_DAYS: u32 = 42;
/// Days since the decision of the clients still waiting.
const WAITS: [i64; 10] = [4, 9, 16, 23, 31, 38, 47, 58, 66, 80];
/// Months until the youth clients turn 18 (`None`: birth date unknown).
const TURNING_18_IN: [Option<u32>; 9] = [
    Some(2),
    Some(6),
    Some(11),
    Some(16),
    Some(18),
    Some(19),
    Some(30),
    None,
    None,
];

/// The referrer (COD327) of a year's allocation: youth care mostly through
/// the GP and the municipality, some through a certified institution, a
/// medical specialist or a court; Wmo care through the municipality's
/// access team, now and then unknown.
pub(super) fn referrer_of(law: Law, number: i64) -> Option<String> {
    let code = match (law, number % 20) {
        (Law::Jeugdwet, 0..=6) => "02",
        (Law::Jeugdwet, 7..=11) => "01",
        (Law::Jeugdwet, 12..=13) => "04",
        (Law::Jeugdwet, 14..=15) => "05",
        (Law::Jeugdwet, 16) => "03",
        (Law::Jeugdwet, 17) => "08",
        (Law::Jeugdwet, _) => "06",
        (Law::Wmo, 19) => return None,
        (Law::Wmo, _) => "01",
    };
    Some(code.to_owned())
}

/// One allocation to make: where, what, when.
struct Want {
    municipality: usize,
    product: usize,
    provider: usize,
    start: NaiveDate,
    end: NaiveDate,
    location: Option<Uuid>,
}

/// Numbers and clients of the steering data, apart from the year's.
struct Counter {
    number: i64,
    client: u32,
}

impl Counter {
    fn next(&mut self) -> (i64, u32) {
        self.number += 1;
        self.client += 1;
        (self.number, self.client)
    }
}

/// The context every allocation of the steering data shares.
struct Maker<'a> {
    txn: &'a DatabaseTransaction,
    demo: &'a DemoRegion,
    cat: &'a Catalogue,
    secret: &'a str,
    team: Audit,
    counter: Counter,
}

impl Maker<'_> {
    /// Makes `want` for a new client (or `client`); `None` when a rule
    /// (a ceiling, a closed product) refuses it.
    async fn allocate(
        &mut self,
        want: &Want,
        client: Option<u32>,
    ) -> ApiResult<Option<(allocation::Model, u32)>> {
        let (number, fresh) = self.counter.next();
        let client = client.unwrap_or(fresh);
        let product = &self.demo.products[want.product];
        let Some(usage) = product.usage else {
            return Ok(None);
        };
        let amount = match product.arrangement {
            Some(ArrangementPeriod::Month) => months_touched(want.start, want.end),
            Some(ArrangementPeriod::Stay) => 1,
            None => usage.amount.0,
        };
        let law = self.law_of(want.product);
        let draft = Draft {
            number,
            client_key: client_key(self.secret, &nth_valid_bsn(client)),
            municipality: self.cat.municipalities[want.municipality].clone(),
            product: self.cat.products[want.product].clone(),
            provider: self.cat.providers[want.provider].clone(),
            central_access: false,
            start: want.start,
            end: Some(want.end),
            granted: Granted {
                grant: Grant::Volume(Volume {
                    amount,
                    unit: product.unit,
                    frequency: usage.frequency,
                }),
                episodes: Vec::new(),
            },
            referrer: referrer_of(law, number),
            location_id: want.location,
        };
        match domain::allocations::create(self.txn, &self.cat.scope, &self.team, draft).await {
            Ok(stored) => Ok(Some((stored.model, client))),
            Err(domain::DomainError::Rule { code, detail }) => {
                tracing::debug!(code, detail, "demo steering allocation refused");
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Makes `want`, registered `wait` days before care started on its start.
    async fn in_care(&mut self, want: &Want, client: Option<u32>, wait: i64) -> ApiResult<bool> {
        match self.allocate(want, client).await? {
            Some((model, _)) => {
                registered_before_care(self.txn, &self.team, model, want.start, wait).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn law_of(&self, product: usize) -> Law {
        law_of(self.demo, product)
    }

    /// Products a new client may get on `day` (used, not ended or closed).
    fn offered(&self, day: NaiveDate) -> Vec<usize> {
        (0..self.demo.products.len())
            .filter(|&k| {
                let p = &self.demo.products[k];
                p.usage.is_some()
                    && p.last_day.is_none_or(|d| date(d) > day)
                    && p.closed_from.is_none_or(|d| date(d) > day)
            })
            .collect()
    }

    /// (provider, municipality, contract end) pairs that may serve
    /// `product` from `start`, in a stable order.
    fn servers(&self, product: usize, start: NaiveDate) -> Vec<(usize, usize, NaiveDate)> {
        let group = self.demo.products[product].group;
        let mut found = Vec::new();
        for m in 0..self.demo.municipalities.len() {
            let cbs = self.demo.municipalities[m].0;
            for (n, provider) in self.demo.providers.iter().enumerate() {
                if barred(self.demo, cbs, provider.self_employed) {
                    continue;
                }
                if let Some(end) = coverage_end(self.cat, n, group, m, start) {
                    found.push((n, m, end));
                }
            }
        }
        found
    }

    /// `want` for `product` from `start` for `months`, at the `nth` server.
    fn want(&self, product: usize, start: NaiveDate, months: u32, nth: usize) -> Option<Want> {
        let servers = self.servers(product, start);
        let (provider, municipality, covered) = *servers.get(nth % servers.len().max(1))?;
        let end = (start + Months::new(months) - Duration::days(1)).min(covered);
        (end >= start).then_some(Want {
            municipality,
            product,
            provider,
            start,
            end,
            location: None,
        })
    }
}

/// Makes the steering data of a demo region (see the module's text).
pub(super) async fn generate(
    txn: &DatabaseTransaction,
    seed: u64,
    (demo, cat): (&DemoRegion, &Catalogue),
    (secret, keys): (&str, &DataKeys),
    today: NaiveDate,
) -> ApiResult<Made> {
    let office = Audit {
        scope: cat.scope,
        actor: "region-admin:demo".into(),
    };
    set_policies(txn, &office, cat).await?;
    let mut maker = Maker {
        txn,
        demo,
        cat,
        secret,
        team: Audit {
            scope: cat.scope,
            actor: "access-team:demo".into(),
        },
        counter: Counter {
            number: 2_000_000 + seed as i64 * 10_000,
            client: seed as u32 * 100_000 + 90_000,
        },
    };
    let mut made = Made::default();
    waiting(&mut maker, today, &mut made).await?;
    stacked(&mut maker, today, &mut made).await?;
    places(&mut maker, &office, today, &mut made).await?;
    youth(&mut maker, keys, today, &mut made).await?;
    Ok(made)
}

async fn set_policies(txn: &DatabaseTransaction, office: &Audit, cat: &Catalogue) -> ApiResult<()> {
    let rules = [
        (
            kinds::WAITING_NORM,
            PolicyRules::WaitingNorm(WaitingNormPolicy {
                days: WAITING_NORM_DAYS,
            }),
        ),
        (
            kinds::COVERAGE,
            PolicyRules::Coverage(CoveragePolicy {
                minimum_providers: 2,
            }),
        ),
    ];
    for (kind, rules) in rules {
        domain::policies::put(txn, &cat.scope, office, (kind, REGION_SCOPE), &rules).await?;
    }
    Ok(())
}

/// Clients decided on `WAITS` days ago whose care has not started.
async fn waiting(maker: &mut Maker<'_>, today: NaiveDate, made: &mut Made) -> ApiResult<()> {
    for (i, wait) in WAITS.into_iter().enumerate() {
        let decided = today - Duration::days(wait);
        let offered = maker.offered(decided);
        let Some(&product) = offered.get(i % offered.len().max(1)) else {
            return Ok(());
        };
        let Some(want) = maker.want(product, decided, 6, i * 7) else {
            continue;
        };
        if let Some((model, _)) = maker.allocate(&want, None).await? {
            let mut row: allocation::ActiveModel = model.into();
            row.created_at = Set(decided.and_hms_opt(10, 0, 0).unwrap_or_default().and_utc());
            row.update(maker.txn).await?;
            made.waiting += 1;
        }
    }
    Ok(())
}

/// One client with the same product at two providers at once.
async fn stacked(maker: &mut Maker<'_>, today: NaiveDate, made: &mut Made) -> ApiResult<()> {
    let first_start = today - Duration::days(100);
    for product in maker.offered(first_start) {
        let servers = maker.servers(product, first_start);
        // Two providers serving one municipality.
        let pair = servers.iter().find_map(|a| {
            servers
                .iter()
                .find(|b| b.1 == a.1 && b.0 != a.0 && b.2 >= today + Duration::days(90))
                .filter(|_| a.2 >= today + Duration::days(60))
                .map(|b| (*a, *b))
        });
        let Some(((first, m, _), (second, _, _))) = pair else {
            continue;
        };
        let want = |provider, start: NaiveDate, end: NaiveDate| Want {
            municipality: m,
            product,
            provider,
            start,
            end,
            location: None,
        };
        let Some((model, client)) = maker
            .allocate(&want(first, first_start, today + Duration::days(60)), None)
            .await?
        else {
            continue;
        };
        registered_before_care(maker.txn, &maker.team, model, first_start, 12).await?;
        let second_start = today - Duration::days(30);
        let again = want(second, second_start, today + Duration::days(90));
        if maker.in_care(&again, Some(client), 9).await? {
            made.stacked += 1;
        }
        return Ok(());
    }
    Ok(())
}

/// Products paid per day, seven days a week (a place): the group of the
/// first gets locations at up to three of its providers, two of them
/// partly and one wholly occupied.
async fn places(
    maker: &mut Maker<'_>,
    office: &Audit,
    today: NaiveDate,
    made: &mut Made,
) -> ApiResult<()> {
    let start = today - Duration::days(120);
    let daily: Vec<usize> = maker
        .offered(start)
        .into_iter()
        .filter(|&k| {
            let p = &maker.demo.products[k];
            p.unit == Unit::Day
                && p.usage
                    .is_some_and(|u| u.frequency == VolumeFrequency::Week && u.amount == (7, 7))
        })
        .collect();
    let Some(&first) = daily.first() else {
        return Ok(());
    };
    let group = maker.demo.products[first].group;
    let products: Vec<usize> = daily
        .into_iter()
        .filter(|&k| maker.demo.products[k].group == group)
        .take(2)
        .collect();
    // One location per provider, in the first municipality it serves.
    let mut sites: Vec<(usize, usize)> = Vec::new();
    for (n, m, end) in maker.servers(first, start) {
        if end > today + Duration::days(200) && !sites.iter().any(|(p, _)| *p == n) {
            sites.push((n, m));
        }
    }
    const PLACES: [i64; 2] = [6, 4];
    // Occupants of the first product at each site: full, half, one.
    const OCCUPANTS: [usize; 3] = [6, 3, 1];
    for (site, (n, m)) in sites.into_iter().take(3).enumerate() {
        let town = maker.demo.municipalities[m].1;
        let location = domain::steering::locations::create(
            maker.txn,
            &maker.cat.scope,
            office,
            &Party::Office,
            &maker.cat.providers[n].agb_code,
            NewLocation {
                name: format!("Locatie {town}"),
                municipality_cbs: maker.demo.municipalities[m].0.to_owned(),
                places: products
                    .iter()
                    .zip(PLACES)
                    .map(|(&k, places)| Places {
                        product_code: maker.demo.products[k].code.to_owned(),
                        places,
                        valid_from: today - Duration::days(365),
                        valid_to: None,
                    })
                    .collect(),
            },
        )
        .await?;
        made.locations += 1;
        for i in 0..OCCUPANTS[site] {
            let moved_in = start + Duration::days(10 * i as i64);
            let want = Want {
                municipality: m,
                product: first,
                provider: n,
                start: moved_in,
                end: today + Duration::days(200),
                location: Some(location.id),
            };
            if maker.in_care(&want, None, 14).await? {
                made.occupied += 1;
            }
        }
    }
    Ok(())
}

/// Youth clients in care whose 18th birthday comes in `TURNING_18_IN`
/// months; the first gets the Wmo allocation that follows.
async fn youth(
    maker: &mut Maker<'_>,
    keys: &DataKeys,
    today: NaiveDate,
    made: &mut Made,
) -> ApiResult<()> {
    let start = today - Duration::days(60);
    let offered = maker.offered(start);
    let youth: Vec<usize> = offered
        .iter()
        .copied()
        .filter(|&k| maker.law_of(k) == Law::Jeugdwet)
        .collect();
    let adult: Option<usize> = offered
        .iter()
        .copied()
        .find(|&k| maker.law_of(k) == Law::Wmo);
    let this_month = today.with_day(1).unwrap_or(today);
    for (i, months) in TURNING_18_IN.into_iter().enumerate() {
        let Some(&product) = youth.get(i % youth.len().max(1)) else {
            return Ok(());
        };
        let Some(want) = maker.want(product, start, 14, i * 3) else {
            continue;
        };
        let Some((model, client)) = maker.allocate(&want, None).await? else {
            continue;
        };
        registered_before_care(maker.txn, &maker.team, model.clone(), start, 10).await?;
        made.youth += 1;
        let Some(months) = months else {
            continue;
        };
        let turns_18 = (this_month + Months::new(months)) + Duration::days(8 + i as i64);
        let birth_date = turns_18 - Months::new(18 * 12);
        let identity = Identity {
            bsn: nth_valid_bsn(client),
            birth_date: Some(birth_date),
            gender: Some("9".into()),
            last_name: None,
            prefix: None,
            initials: None,
            first_names: None,
        };
        domain::vault::store(
            maker.txn,
            &maker.cat.scope,
            keys,
            &model.client_key,
            identity,
        )
        .await?;
        // The first goes on in the Wmo from the day it turns 18, where a
        // provider serves its municipality.
        let follow_up = adult.filter(|_| i == 0).and_then(|adult| {
            let (provider, municipality, covered) = maker
                .servers(adult, turns_18)
                .into_iter()
                .find(|(_, m, _)| *m == want.municipality)?;
            Some(Want {
                municipality,
                product: adult,
                provider,
                start: turns_18,
                end: (turns_18 + Months::new(12)).min(covered),
                location: None,
            })
        });
        if let Some(next) = follow_up {
            maker.allocate(&next, Some(client)).await?;
        }
    }
    Ok(())
}
