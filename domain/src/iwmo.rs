//! The national message standard iWmo/iJw 3.2 on top of the services:
//! a 301 allocates, a 305/307 records the start and end of care, a 323
//! declares and is answered with a 325. The format (parsing, level-1 and
//! level-2 checks, writing) is the `iwmo` crate's; this module maps the
//! messages onto the allocation and declaration services, so a prestatie
//! meets exactly the rules of a JSON line.
//!
//! A message is one transaction: stored with its answer (sealed: it carries
//! BSNs), or not at all. The message itself is not kept, only its hash: what
//! it said lives on as allocations and declaration lines, and a second copy
//! of every BSN it named would be personal data kept for nothing. The same message sent again (same sender, type,
//! identification and bytes) returns the stored answer; another message
//! under a used identification is refused (9056).

use crate::catalogue;
use crate::parties::Party;
use chrono::{NaiveTime, Timelike};
use entities::{
    allocation_rules::{Grant, Volume},
    declaration_rules::{codes, grant_of, LineIn},
    enums::{FundingVariant, Law, Unit, VolumeFrequency},
    schema::{
        allocation, iwmo_message, iwmo_outbox, municipality, product, product_group, provider,
    },
    RegionScope, TenantEntity, TenantRecord,
};
use iwmo::{
    AllocatedProduct, Answer325, AnswerBody, Contact, Declaration323, Extent, Header, Message,
    Outgoing301, Person,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    QueryFilter, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::Audit;
use crate::{
    allocations::{self, CareEvent, Draft, Granted},
    declarations::{self, Submission},
    vault::{self, DataKeys, Identity},
};
use crate::{
    client_key::client_key,
    error::{DomainError, DomainResult, FieldError},
};

/// What a message needs from the server's configuration.
pub struct Secrets<'a> {
    pub client_key_secret: &'a str,
    pub data_keys: &'a DataKeys,
}

/// A received message, and the 325 when it was a 323.
pub struct Received {
    pub message: iwmo_message::Model,
    pub answer: Option<String>,
    /// The message was received before: nothing was stored now.
    pub replayed: bool,
}

fn law_of(law: iwmo::Law) -> Law {
    match law {
        iwmo::Law::Wmo => Law::Wmo,
        iwmo::Law::Jw => Law::Jeugdwet,
    }
}

fn standard_law(law: Law) -> iwmo::Law {
    match law {
        Law::Wmo => iwmo::Law::Wmo,
        Law::Jeugdwet => iwmo::Law::Jw,
    }
}

/// WJ756 unit code of a unit; weeks and months have none in iWmo 3.2.
fn unit_code(unit: Unit, variant: FundingVariant) -> Option<&'static str> {
    Some(match unit {
        Unit::Minute => "01",
        Unit::Hour => "04",
        Unit::Day => "14",
        Unit::DayPart => "16",
        Unit::Piece if variant == FundingVariant::Output => "82",
        Unit::Piece => "84",
        Unit::Euro => "83",
        Unit::Week | Unit::Month => return None,
    })
}

fn unit_of(code: &str) -> Option<Unit> {
    Some(match code {
        "01" => Unit::Minute,
        "04" => Unit::Hour,
        "14" => Unit::Day,
        "16" => Unit::DayPart,
        "82" | "84" => Unit::Piece,
        "83" => Unit::Euro,
        _ => return None,
    })
}

fn frequency_code(f: VolumeFrequency) -> &'static str {
    match f {
        VolumeFrequency::Day => "1",
        VolumeFrequency::Week => "2",
        VolumeFrequency::Month => "4",
        VolumeFrequency::Total => "6",
    }
}

fn frequency_of(code: &str) -> Option<VolumeFrequency> {
    Some(match code {
        "1" => VolumeFrequency::Day,
        "2" => VolumeFrequency::Week,
        "4" => VolumeFrequency::Month,
        "6" => VolumeFrequency::Total,
        _ => return None,
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A message identification of our own: 12 characters, unique enough per
/// sender (48 random bits of a UUID v7).
fn new_identification() -> String {
    let hex = Uuid::now_v7().simple().to_string();
    hex[hex.len() - 12..].to_owned()
}

fn sealing_context(scope: &RegionScope, id: Uuid) -> Vec<u8> {
    [scope.region_id.as_bytes().as_slice(), id.as_bytes()].concat()
}

/// Refusal of the whole message: which part and why.
fn refuse(field: &str, message: impl Into<String>) -> DomainError {
    DomainError::unprocessable(field, message)
}

/// Receives one message: checks it, applies it in one transaction and
/// returns what was stored (and the 325 for a 323).
pub async fn receive(
    db: &DatabaseConnection,
    scope: &RegionScope,
    audit: &Audit,
    party: &Party,
    submitter: String,
    secrets: &Secrets<'_>,
    xml: &[u8],
) -> DomainResult<Received> {
    let (header, message) = iwmo::parse(xml).map_err(|faults| {
        DomainError::Invalid(
            faults
                .into_iter()
                .map(|f| FieldError::new(f.path, f.message))
                .collect(),
        )
    })?;
    let (gemeente, agb) = match header.kind {
        iwmo::Kind::Allocation301 => (&header.sender, &header.receiver),
        _ => (&header.receiver, &header.sender),
    };
    let municipality =
        catalogue::municipality(db, scope, &iwmo::municipality_code_to_cbs(gemeente))
            .await?
            .ok_or_else(|| {
                refuse(
                    if header.kind == iwmo::Kind::Allocation301 {
                        "Header/Afzender"
                    } else {
                        "Header/Ontvanger"
                    },
                    format!("municipality {gemeente} is not in this region"),
                )
            })?;
    authorise(party, &header, &municipality)?;
    // Only after authorising: a stored 325 names the sender's clients.
    let hash = sha256_hex(xml);
    let mut replaces = None;
    match find_message(db, scope, &header).await? {
        // A message rejected at level 2 (0001) counts as not received: its
        // identification may come again with other content (TR056).
        Some(earlier) if earlier.outcome == REJECTED && earlier.request_hash != hash => {
            replaces = Some(earlier.id);
        }
        Some(earlier) => return replay(secrets.data_keys, scope, earlier, &hash),
        None => {}
    }
    let provider = catalogue::provider(db, scope, agb).await?;
    let parties = Parties {
        provider: provider.as_ref(),
        municipality: &municipality,
        central_access: *party == Party::CentralAccess,
    };
    let receipt = Receipt {
        hash,
        submitter,
        replaces,
    };
    let applied = apply(
        db, scope, audit, secrets, &header, message, &parties, receipt,
    )
    .await;
    match applied {
        // A copy of this message (or another message taking the same
        // references) was stored first by a concurrent request.
        Err(DomainError::Conflict {
            code: "ZR-DUPLICATE",
            ..
        }) => match find_message(db, scope, &header).await? {
            Some(earlier) => replay(secrets.data_keys, scope, earlier, &sha256_hex(xml)),
            None => Err(DomainError::conflict(
                "ZR-IWMO-CONCURRENT",
                "A concurrent message took one of these reference numbers; send this message again.",
            )),
        },
        other => other,
    }
}

/// The outcome of a 323 rejected at level 2 (a 325 with 0001 only).
const REJECTED: &str = "rejected";

/// What is known of a message before it is applied.
struct Receipt {
    /// SHA-256 of its bytes.
    hash: String,
    submitter: String,
    /// The record of a message rejected at level 2 under the same
    /// identification, which this one replaces.
    replaces: Option<Uuid>,
}

/// Applies a checked, authorised message in one transaction and stores it.
#[allow(clippy::too_many_arguments)]
async fn apply(
    db: &DatabaseConnection,
    scope: &RegionScope,
    audit: &Audit,
    secrets: &Secrets<'_>,
    header: &Header,
    message: Message,
    parties: &Parties<'_>,
    receipt: Receipt,
) -> DomainResult<Received> {
    let Receipt {
        hash,
        submitter,
        replaces,
    } = receipt;
    let message_type = header.kind.number().to_string();
    let txn = entities::transaction::begin_write(db).await?;
    if let Some(earlier) = replaces {
        iwmo_message::Entity::delete_scoped_by_id(&txn, scope, earlier).await?;
    }
    let id = Uuid::now_v7();
    let mut row = iwmo_message::Model {
        region_id: scope.region_id,
        id,
        law: law_of(header.law),
        message_type,
        sender: header.sender.clone(),
        receiver: header.receiver.clone(),
        identification: header.message_id.clone(),
        dated: header.dated,
        request_hash: hash,
        submitter: submitter.clone(),
        submitted_by: audit.actor.clone(),
        outcome: "processed".into(),
        item_count: 0,
        approved_count: None,
        approved_cents: None,
        declaration_number: None,
        batch_id: None,
        key_id: secrets.data_keys.current_id().to_owned(),
        answer_sealed: None,
        received_at: entities::clock::now(),
    };
    let answer = match message {
        Message::Allocation(m) => {
            let provider = parties.provider.ok_or_else(|| {
                refuse(
                    "Header/Ontvanger",
                    format!("provider {} is not in this region", header.receiver),
                )
            })?;
            row.item_count = m.products.len() as i32;
            let target = Target {
                municipality: parties.municipality,
                provider,
                central_access: parties.central_access,
            };
            apply_301(&txn, scope, audit, secrets, &target, m).await?;
            None
        }
        Message::Start(m) => {
            row.item_count = m.products.len() as i32;
            let key = client_key(secrets.client_key_secret, &m.client.bsn);
            for p in &m.products {
                let a = provider_allocation(&txn, scope, parties, &key, p.number).await?;
                allocations::record_care(&txn, audit, a, CareEvent::Started, p.start).await?;
            }
            None
        }
        Message::Stop(m) => {
            row.item_count = m.products.len() as i32;
            let key = client_key(secrets.client_key_secret, &m.client.bsn);
            for p in &m.products {
                let a = provider_allocation(&txn, scope, parties, &key, p.number).await?;
                allocations::record_care(
                    &txn,
                    audit,
                    a,
                    CareEvent::Ended {
                        reason: p.reason.clone(),
                    },
                    p.end,
                )
                .await?;
            }
            None
        }
        Message::Declaration(d) => {
            row.item_count = d.clients.iter().map(|c| c.prestaties.len() as i32).sum();
            row.declaration_number = Some(d.number.clone());
            let answer = declare(
                &txn, scope, audit, secrets, header, &d, parties, &mut row, submitter,
            )
            .await?;
            row.answer_sealed = Some(
                secrets
                    .data_keys
                    .seal(answer.as_bytes(), &sealing_context(scope, id))?,
            );
            Some(answer)
        }
    };
    // A concurrent copy of this message breaks the unique index here (or
    // on its lines before): the caller answers it as a resend.
    let stored = iwmo_message::ActiveModel::from(row).insert(&txn).await?;
    audit
        .record(
            &txn,
            "receive",
            "iwmo-message",
            stored.id,
            serde_json::json!({
                "messageType": stored.message_type,
                "sender": stored.sender,
                "identification": stored.identification,
                "outcome": stored.outcome,
                "itemCount": stored.item_count,
            }),
        )
        .await?;
    txn.commit().await?;
    Ok(Received {
        message: stored,
        answer,
        replayed: false,
    })
}

/// A 301 comes from a municipality (the office or that municipality's
/// access team); a 305, 307 or 323 from a provider (the office may relay).
fn authorise(
    party: &Party,
    header: &Header,
    municipality: &municipality::Model,
) -> DomainResult<()> {
    let allowed = match (header.kind, party) {
        (_, Party::Office) => true,
        (iwmo::Kind::Allocation301, Party::CentralAccess) => true,
        (iwmo::Kind::Allocation301, Party::Municipality { cbs, .. }) => {
            *cbs == municipality.cbs_code
        }
        (iwmo::Kind::Allocation301, Party::Provider { .. }) => false,
        (_, Party::Provider { agb, .. }) => *agb == header.sender,
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

async fn find_message<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    header: &Header,
) -> DomainResult<Option<iwmo_message::Model>> {
    // TR056: unique per sender and message type, within a law.
    Ok(iwmo_message::Entity::scoped(scope)
        .filter(iwmo_message::Column::Sender.eq(&header.sender))
        .filter(iwmo_message::Column::Law.eq(law_of(header.law)))
        .filter(iwmo_message::Column::MessageType.eq(header.kind.number().to_string()))
        .filter(iwmo_message::Column::Identification.eq(&header.message_id))
        .one(db)
        .await?)
}

/// The stored answer to a message sent again; another message under the
/// same identification is refused with the standard's 9056.
fn replay(
    keys: &DataKeys,
    scope: &RegionScope,
    earlier: iwmo_message::Model,
    hash: &str,
) -> DomainResult<Received> {
    if earlier.request_hash != hash {
        return Err(DomainError::conflict(
            "ZR-IWMO-9056",
            format!(
                "9056: Identificatie {} was used before by {} for another {} message; each message needs its own.",
                earlier.identification, earlier.sender, earlier.message_type
            ),
        ));
    }
    let answer = opened_answer(keys, scope, &earlier)?;
    Ok(Received {
        message: earlier,
        answer,
        replayed: true,
    })
}

/// The 325 kept with a message, opened.
pub fn opened_answer(
    keys: &DataKeys,
    scope: &RegionScope,
    message: &iwmo_message::Model,
) -> DomainResult<Option<String>> {
    message
        .answer_sealed
        .as_ref()
        .map(|sealed| {
            let bytes = keys.open(&message.key_id, sealed, &sealing_context(scope, message.id))?;
            String::from_utf8(bytes).map_err(|e| DomainError::Internal(e.to_string()))
        })
        .transpose()
}

/// The allocation a 305/307 names: the sending provider's, in the
/// addressed municipality, for this client, and not removed.
async fn provider_allocation(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    parties: &Parties<'_>,
    client_key: &str,
    number: i64,
) -> DomainResult<allocation::Model> {
    let found = allocation::Entity::scoped(scope)
        .filter(allocation::Column::AllocationNumber.eq(number))
        .one(txn)
        .await?
        .filter(|a| {
            parties.provider.is_some_and(|p| p.id == a.provider_id)
                && a.municipality_id == parties.municipality.id
        });
    match found {
        None => Err(refuse(
            "ToewijzingNummer",
            format!("no allocation {number} of this provider in this municipality (TR019)"),
        )),
        Some(a) if a.client_key != client_key => Err(refuse(
            "Client/Bsn",
            format!("allocation {number} is for another client (8187)"),
        )),
        Some(a) if a.removed_at.is_some() => Err(refuse(
            "ToewijzingNummer",
            format!("allocation {number} was removed (9384)"),
        )),
        Some(a) => Ok(a),
    }
}

/// Who a 301 is from and for.
struct Target<'a> {
    municipality: &'a municipality::Model,
    provider: &'a provider::Model,
    central_access: bool,
}

fn person_identity(p: &Person) -> Identity {
    Identity {
        bsn: p.bsn.clone(),
        birth_date: Some(p.birth_date),
        gender: Some(p.gender.clone()),
        last_name: Some(p.last_name.clone()),
        prefix: p.prefix.clone(),
        initials: p.initials.clone(),
        first_names: p.first_names.clone(),
    }
}

/// A 301: each ToegewezenProduct creates, changes or (RedenWijziging 13)
/// removes the allocation with its number.
async fn apply_301(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    audit: &Audit,
    secrets: &Secrets<'_>,
    target: &Target<'_>,
    m: iwmo::Allocation301,
) -> DomainResult<()> {
    let key = client_key(secrets.client_key_secret, &m.client.bsn);
    vault::store(
        txn,
        scope,
        secrets.data_keys,
        &key,
        person_identity(&m.client),
    )
    .await?;
    for (i, p) in m.products.iter().enumerate() {
        let field = format!("Client/ToegewezenProducten/ToegewezenProduct[{}]", i + 1);
        let existing = allocation::Entity::scoped(scope)
            .filter(allocation::Column::AllocationNumber.eq(p.number))
            .one(txn)
            .await?;
        if let Some(a) = &existing {
            let same = a.client_key == key
                && a.provider_id == target.provider.id
                && a.municipality_id == target.municipality.id;
            if !same {
                return Err(refuse(
                    &field,
                    format!(
                        "allocation {} belongs to another client, provider or municipality",
                        p.number
                    ),
                ));
            }
        }
        if p.change_reason.as_deref() == Some("13") {
            let a = existing
                .ok_or_else(|| refuse(&field, format!("no allocation {} to remove", p.number)))?;
            if target.central_access {
                allocations::check_central_access_to(txn, scope, &a).await?;
            }
            allocations::remove(txn, audit, a).await?;
            continue;
        }
        let grant = grant_of_product(p).map_err(|e| refuse(&field, e))?;
        match existing {
            // A 301 lists the client's current allocations again: an
            // unchanged one is left as it is (its temporary-intensive
            // episodes, a stop made through the JSON API).
            Some(a) if grant_of(&a) == grant && a.end_date == p.end => {}
            Some(a) if a.start_date != p.start => {
                return Err(refuse(
                    &field,
                    format!(
                        "allocation {} starts on {}: a new start date is a new allocation",
                        p.number, a.start_date
                    ),
                ));
            }
            Some(a) => {
                if target.central_access {
                    allocations::check_central_access_to(txn, scope, &a).await?;
                }
                let granted = Granted {
                    grant,
                    episodes: allocations::episodes_of(txn, scope, a.id).await?,
                };
                allocations::change(txn, scope, audit, a, p.end, granted).await?;
            }
            None => {
                let code = p.code.as_deref().ok_or_else(|| {
                    refuse(&field, "a new allocation needs Product/Code: zorgregie allocates products, not categories")
                })?;
                let product = catalogue::product(txn, scope, code)
                    .await?
                    .ok_or_else(|| refuse(&field, format!("no product {code} in this region")))?;
                if product.iwmo_category != p.category {
                    return Err(refuse(
                        &field,
                        format!("product {code} is in category {}", product.iwmo_category),
                    ));
                }
                let draft = Draft {
                    number: p.number,
                    client_key: key.clone(),
                    municipality: target.municipality.clone(),
                    product,
                    provider: target.provider.clone(),
                    central_access: target.central_access,
                    start: p.start,
                    end: p.end,
                    granted: Granted {
                        grant,
                        episodes: Vec::new(),
                    },
                    referrer: None,
                    location_id: None,
                };
                allocations::create(txn, scope, audit, draft).await?;
            }
        }
    }
    Ok(())
}

/// Omvang or Budget as the allocation's grant.
fn grant_of_product(p: &AllocatedProduct) -> Result<Grant, String> {
    match (&p.volume, p.budget_cents) {
        (Some(e), None) => Ok(Grant::Volume(Volume {
            amount: e.volume,
            unit: unit_of(&e.unit).ok_or_else(|| format!("unit {} is not supported", e.unit))?,
            frequency: frequency_of(&e.frequency)
                .ok_or_else(|| format!("frequency {} is not supported", e.frequency))?,
        })),
        (None, Some(cents)) => Ok(Grant::Budget(cents)),
        (None, None) => Ok(Grant::Nothing),
        (Some(_), Some(_)) => Err("give either Omvang or Budget, not both".into()),
    }
}

/// Who a 323 is from and to.
struct Parties<'a> {
    provider: Option<&'a provider::Model>,
    municipality: &'a municipality::Model,
    /// Sent by the central access team (its policy's groups only).
    central_access: bool,
}

/// A 323: level 2 (content) first, then 9333, then every prestatie through
/// the declaration service; returns the 325.
#[allow(clippy::too_many_arguments)]
async fn declare(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    audit: &Audit,
    secrets: &Secrets<'_>,
    header: &Header,
    d: &Declaration323,
    parties: &Parties<'_>,
    row: &mut iwmo_message::Model,
    submitter: String,
) -> DomainResult<String> {
    let answer = |body: AnswerBody<'_>| {
        iwmo::write_325(&Answer325 {
            law: header.law,
            sender: header.receiver.clone(),
            receiver: header.sender.clone(),
            message_id: new_identification(),
            dated: entities::clock::now().date_naive(),
            request: header,
            body,
        })
    };
    if !iwmo::content_faults(d).is_empty() {
        row.outcome = REJECTED.into();
        return Ok(answer(AnswerBody::Rejected));
    }
    if let Some(provider) = parties.provider {
        declarations::one_batch_at_a_time(txn, scope, provider.id).await?;
    }
    let reused = iwmo_message::Entity::scoped(scope)
        .filter(iwmo_message::Column::MessageType.eq("323"))
        .filter(iwmo_message::Column::Sender.eq(&header.sender))
        .filter(iwmo_message::Column::Law.eq(law_of(header.law)))
        .filter(iwmo_message::Column::DeclarationNumber.eq(&d.number))
        .filter(iwmo_message::Column::Outcome.eq("processed"))
        .one(txn)
        .await?
        .is_some();
    if reused {
        row.outcome = "declaration-rejected".into();
        row.approved_count = Some(0);
        row.approved_cents = Some(0);
        return Ok(answer(AnswerBody::DeclarationRejected {
            declaration: d,
            codes: vec![codes::DECLARATION_NUMBER_USED.to_owned()],
        }));
    }
    let lines: Vec<LineIn> = d
        .clients
        .iter()
        .flat_map(|c| {
            let key = client_key(secrets.client_key_secret, &c.bsn);
            c.prestaties.iter().map(move |p| LineIn {
                declared_amount_cents: Some(p.amount_cents),
                declared_tariff_cents: p.tariff_cents,
                unit: unit_of(&p.unit),
                client_key: Some(key.clone()),
                reference: Some(p.reference.clone()),
                credit: p.credit,
                previous_reference: p.previous_reference.clone(),
                declaration_period: Some(d.period),
                municipality_id: Some(parties.municipality.id),
                law: Some(law_of(header.law)),
                category: Some(p.category.clone()),
                ..LineIn::debit(
                    p.allocation_number,
                    p.code.clone().unwrap_or_default(),
                    p.period,
                    // A budget is declared in euros: the amount is the volume.
                    if p.unit == iwmo::codes::UNIT_EUROS {
                        p.amount_cents
                    } else {
                        p.volume
                    },
                )
            })
        })
        .collect();
    let submission = Submission {
        idempotency_key: format!(
            "iwmo:{}:{}:{}",
            law_of(header.law).as_str(),
            header.sender,
            header.message_id
        ),
        request_hash: row.request_hash.clone(),
        submitter,
        // The message is the sending provider's: it declares on its own
        // allocations (an unknown AGB declares on none).
        declarer: Some(parties.provider.map_or(Uuid::nil(), |p| p.id)),
    };
    let submitted = declarations::submit(txn, scope, audit, submission, &lines).await?;
    let verdicts: Vec<Vec<String>> = submitted
        .lines
        .iter()
        .map(|l| match (&l.reason_code, l.status) {
            (Some(code), _) => vec![codes::standard_code(code).to_owned()],
            _ => Vec::new(),
        })
        .collect();
    let mut next = verdicts.into_iter();
    let mut prestatie_codes = Vec::new();
    let mut client_codes = Vec::new();
    for c in &d.clients {
        let mine: Vec<Vec<String>> = next.by_ref().take(c.prestaties.len()).collect();
        // When none of the client's prestaties belongs to the client, the
        // fault is the client's (8187 on the client, 0233 on its prestaties).
        let not_this_client = !mine.is_empty()
            && mine
                .iter()
                .all(|codes| codes.iter().any(|c| c == codes::NOT_THIS_CLIENT));
        client_codes.push(if not_this_client {
            vec![codes::NOT_THIS_CLIENT.to_owned()]
        } else {
            Vec::new()
        });
        prestatie_codes.push(mine);
    }
    let approved_cents: i64 = submitted.lines.iter().filter_map(|l| l.amount_cents).sum();
    row.batch_id = Some(submitted.batch.id);
    row.approved_count = Some(submitted.batch.approved_count);
    row.approved_cents = Some(approved_cents);
    Ok(answer(AnswerBody::Assessed {
        declaration: d,
        prestatie_codes,
        client_codes,
        approved_total_cents: approved_cents,
    }))
}

/// A 301 written for a provider.
pub struct Built301 {
    pub law: Law,
    pub identification: String,
    pub xml: String,
}

/// The 301 of an allocation, to its provider, as the municipality sends it;
/// `Err(why)` when the vault lacks the client's name, birth date or gender,
/// or the allocation's unit has no iWmo code.
pub async fn outgoing_301<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    keys: &DataKeys,
    a: &allocation::Model,
) -> DomainResult<Result<Built301, String>> {
    let Some(identity) = vault::find(db, scope, keys, &a.client_key).await? else {
        return Ok(Err(
            "the client vault holds no identity for this client".into()
        ));
    };
    let (Some(birth_date), Some(gender), Some(last_name)) = (
        identity.birth_date,
        identity.gender.clone(),
        identity.last_name.clone(),
    ) else {
        return Ok(Err("the client's name, birth date and gender are needed for a 301: give `client` when allocating".into()));
    };
    let product = product::Entity::find_scoped(db, scope, a.product_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let group = product_group::Entity::find_scoped(db, scope, product.product_group_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let municipality = municipality::Entity::find_scoped(db, scope, a.municipality_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let provider = provider::Entity::find_scoped(db, scope, a.provider_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let volume = match grant_of(a) {
        Grant::Volume(v) => {
            let Some(unit) = unit_code(v.unit, product.funding_variant) else {
                return Ok(Err(format!(
                    "the unit {} has no iWmo code",
                    v.unit.as_str()
                )));
            };
            Some(Extent {
                volume: v.amount,
                unit: unit.into(),
                frequency: frequency_code(v.frequency).into(),
            })
        }
        _ => None,
    };
    let gemeente = iwmo::cbs_to_municipality_code(&municipality.cbs_code).unwrap_or_default();
    let law = group.law;
    let created = a.created_at.naive_utc();
    let identification = new_identification();
    let message = Outgoing301 {
        law: standard_law(law),
        sender: gemeente,
        receiver: provider.agb_code,
        message_id: identification.clone(),
        dated: entities::clock::now().date_naive(),
        client: Person {
            bsn: identity.bsn,
            birth_date,
            birth_date_usage: None,
            gender,
            last_name,
            prefix: identity.prefix,
            partner_last_name: None,
            partner_prefix: None,
            first_names: identity.first_names,
            initials: identity.initials,
            name_usage: None,
        },
        legal_status: None,
        legal_representation: None,
        comment: None,
        // The BRP address (soort 01) without the address itself: the
        // provider's system takes it from the BRP; zorgregie keeps none.
        contacts: vec![Contact {
            kind: "01".into(),
            address: None,
            organisation: None,
            email: None,
        }],
        products: vec![AllocatedProduct {
            number: a.allocation_number,
            provider_reference: None,
            category: product.iwmo_category,
            code: Some(product.code),
            start: a.start_date,
            end: if a.removed_at.is_some() {
                Some(a.start_date)
            } else {
                a.end_date
            },
            allocated_on: created.date(),
            allocated_at: NaiveTime::from_hms_opt(
                created.hour(),
                created.minute(),
                created.second(),
            )
            .unwrap_or_default(),
            change_reason: if a.removed_at.is_some() {
                Some("13".into())
            } else if a.stopped_on.is_some() {
                Some("05".into())
            } else {
                None
            },
            volume,
            budget_cents: a.budget_cents,
            comment: None,
        }],
    };
    Ok(Ok(Built301 {
        law,
        identification,
        xml: iwmo::write_301(&message),
    }))
}

/// The advisory-lock key of a region's outbox (`lock_in_region`).
const OUTBOX_LOCK: i32 = 301;

/// Puts the allocation's current 301 in its provider's outbox, sealed;
/// allocations whose client the vault cannot name get none (the JSON
/// allocation did not give `client`).
pub async fn queue_301(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    keys: &DataKeys,
    a: &allocation::Model,
) -> DomainResult<()> {
    let Ok(built) = outgoing_301(txn, scope, keys, a).await? else {
        return Ok(());
    };
    // The outbox is read with an id cursor: ids must grow in commit order,
    // so the region's outbox writers take turns, and the id is taken under
    // the lock (a smaller id committed later would be skipped for good).
    declarations::lock_in_region(txn, scope, OUTBOX_LOCK).await?;
    let id = Uuid::now_v7();
    iwmo_outbox::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(id),
        provider_id: Set(a.provider_id),
        allocation_number: Set(a.allocation_number),
        law: Set(built.law),
        identification: Set(built.identification),
        key_id: Set(keys.current_id().to_owned()),
        sealed: Set(keys.seal(built.xml.as_bytes(), &sealing_context(scope, id))?),
        created_at: Set(entities::clock::now()),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// An outbox entry's 301, opened.
pub fn opened_outbox(
    keys: &DataKeys,
    scope: &RegionScope,
    entry: &iwmo_outbox::Model,
) -> DomainResult<String> {
    let bytes = keys.open(
        &entry.key_id,
        &entry.sealed,
        &sealing_context(scope, entry.id),
    )?;
    String::from_utf8(bytes).map_err(|e| DomainError::Internal(e.to_string()))
}
