//! Two rules on allocations that belong to the client rather than to one
//! allocation (issue 27), through the JSON API and an iWmo 301 alike:
//! - temporary intensive counts over all the client's allocations of the
//!   product (seed 000 §4.1: "per jaar voor maximaal 3 maanden", product C
//!   "binnen de beschikkingsduur voor maximaal 1 jaar");
//! - a product closed to new clients from a date keeps its current clients
//!   (seed 002 §4.3: "enkel … voor de huidige groep gebruikers").

use super::*;
use e2e::{bsn, iwmo_example, Region};

const PROVIDER: &str = "65656055";
/// The provider of the example 301.
const OTHER_PROVIDER: &str = "42420001";
/// The client of the example 301.
const CLIENT: &str = "999900006";

/// GM0384 (the example 301's sender) and GM0363, group HH (Wmo) with
/// 01A01 (minutes, the example 301's product) and its temporary-intensive
/// product 01A02, both providers contracted for HH in both from 2022 for
/// six years.
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    let posts = [
        (
            "municipalities",
            json!({ "cbsCode": "GM0384", "name": "Diemen" }),
        ),
        (
            "municipalities",
            json!({ "cbsCode": "GM0363", "name": "Amsterdam" }),
        ),
        (
            "product-groups",
            json!({ "code": "HH", "name": "Begeleiding", "law": "wmo" }),
        ),
        (
            "products",
            json!({ "code": "01A01", "name": "Begeleiding", "productGroupCode": "HH", "iwmoCategory": "01", "unit": "minute", "fundingVariant": "effort" }),
        ),
        (
            "products",
            json!({ "code": "01A02", "name": "Begeleiding, tijdelijk intensief", "productGroupCode": "HH", "iwmoCategory": "01", "unit": "minute", "fundingVariant": "effort", "intensiveFor": "01A01" }),
        ),
        (
            "providers",
            json!({ "agbCode": PROVIDER, "kvkNumber": "65656055", "name": "Zorg Noord" }),
        ),
        (
            "providers",
            json!({ "agbCode": OTHER_PROVIDER, "kvkNumber": "42420001", "name": "Zorg Zuid" }),
        ),
    ];
    app.create_all(&region, &posts).await;
    for agb in [PROVIDER, OTHER_PROVIDER] {
        let reply = app
            .post(
                &region.path("contracts"),
                &region.admin,
                json!({ "providerAgb": agb, "procurementForm": "open-house", "productGroupCodes": ["HH"], "municipalityCbsCodes": ["GM0384", "GM0363"], "startDate": "2022-01-01", "initialTermMonths": 72 }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    region
}

/// An access-team token for GM0384, the example 301's sender.
fn access_team(app: &TestApp, region: &Region) -> String {
    let mut claims = app.claims(&region.code, Role::AccessTeam);
    claims.municipality = Some("GM0384".into());
    app.sign(&claims)
}

/// 01A01, 10 minutes a day, for `bsn` at `agb` in `cbs`, with `episodes`
/// (from, to) of 5 extra minutes a day.
fn allocation(
    number: i64,
    bsn: &str,
    agb: &str,
    cbs: &str,
    start: &str,
    end: &str,
    episodes: &[(&str, &str)],
) -> Value {
    json!({
        "allocationNumber": number, "clientBsn": bsn, "municipalityCbs": cbs,
        "productCode": "01A01", "providerAgb": agb, "startDate": start, "endDate": end,
        "volume": { "amount": 10, "unit": "minute", "frequency": "day" },
        "temporaryIntensive": episodes_of(episodes),
    })
}

fn episodes_of(episodes: &[(&str, &str)]) -> Value {
    Value::Array(
        episodes
            .iter()
            .map(|(from, to)| json!({ "from": from, "to": to, "extraHoursPerWeek": 5 }))
            .collect(),
    )
}

fn detail(reply: &Reply) -> String {
    reply.body["detail"].as_str().unwrap_or_default().to_owned()
}

e2e!(
    temporary_intensive_is_the_clients_over_all_allocations,
    |app| {
        let region = setup(&app).await;
        let t = &region.admin;
        let policy = app
            .put_admin(
                &region,
                "policies/temporary-intensive/01A01",
                json!({ "maxMonths": 3, "per": "calendar-year" }),
            )
            .await;
        assert_eq!(policy.status, StatusCode::OK, "{}", policy.body);
        let client = bsn(501);
        let path = region.path("allocations");
        // February – March 2023: 2 months at Zorg Noord in Diemen.
        let first = app
            .post(
                &path,
                t,
                allocation(
                    501,
                    &client,
                    PROVIDER,
                    "GM0384",
                    "2023-01-01",
                    "2023-12-31",
                    &[("2023-02-01", "2023-03-31")],
                ),
            )
            .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        // June – July at another provider in another municipality: 2 + 2 = 4
        // months in 2023, one more than the policy's 3.
        let second = |episodes: &[(&str, &str)]| {
            allocation(
                502,
                &client,
                OTHER_PROVIDER,
                "GM0363",
                "2023-01-01",
                "2023-12-31",
                episodes,
            )
        };
        let refused = app
            .post(&path, t, second(&[("2023-06-01", "2023-07-31")]))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert_eq!(refused.body["code"], "ZR-ALLOC-TEMPORARY-INTENSIVE");
        assert_eq!(
            detail(&refused),
            "Product 01A01: 4 months of temporary intensive for this client: 2 on this allocation \
         and 2 already used on allocation 501 (2 months) in 2023; at most 3 per calendar year."
        );
        // June alone: 2 + 1 = 3, allowed.
        let made = app
            .post(&path, t, second(&[("2023-06-01", "2023-06-30")]))
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        // A change adding July: refused again, and nothing changes.
        let change = app
            .patch(
                &region.path("allocations/502"),
                t,
                json!({ "temporaryIntensive": episodes_of(&[("2023-06-01", "2023-07-31")]) }),
            )
            .await;
        assert_eq!(
            change.body["code"], "ZR-ALLOC-TEMPORARY-INTENSIVE",
            "{}",
            change.body
        );
        assert!(
            detail(&change).contains("2 already used on allocation 501 (2 months) in 2023"),
            "{}",
            change.body
        );
        let read = app.get(&region.path("allocations/502"), t).await;
        assert_eq!(
            read.body["temporaryIntensive"],
            json!([{ "from": "2023-06-01", "to": "2023-06-30", "extraHoursPerWeek": 5 }])
        );
        // The first allocation changes too: its own 2 months with 502's June
        // are 3; a third month is refused, naming 502.
        let change = app
            .patch(
                &region.path("allocations/501"),
                t,
                json!({ "temporaryIntensive": episodes_of(&[("2023-02-01", "2023-04-30")]) }),
            )
            .await;
        assert_eq!(
            change.body["code"], "ZR-ALLOC-TEMPORARY-INTENSIVE",
            "{}",
            change.body
        );
        assert!(
            detail(&change).contains("1 already used on allocation 502 (1 month) in 2023"),
            "{}",
            change.body
        );
        // Stopped on 14 February, 501's episode ran half of February: 1 month.
        // Now 502 may have June and July (1 + 2 = 3).
        let stop = app
            .post(
                &region.path("allocations/501/stop"),
                t,
                json!({ "stoppedOn": "2023-02-14", "reason": "Client moved" }),
            )
            .await;
        assert_eq!(stop.status, StatusCode::OK, "{}", stop.body);
        let change = app
            .patch(
                &region.path("allocations/502"),
                t,
                json!({ "temporaryIntensive": episodes_of(&[("2023-06-01", "2023-07-31")]) }),
            )
            .await;
        assert_eq!(change.status, StatusCode::OK, "{}", change.body);
        // The limit is the client's: another client has 3 months of his own,
        // and in 2024 this client has 3 again.
        let other = app
            .post(
                &path,
                t,
                allocation(
                    503,
                    &bsn(503),
                    PROVIDER,
                    "GM0384",
                    "2023-01-01",
                    "2023-12-31",
                    &[("2023-01-01", "2023-03-31")],
                ),
            )
            .await;
        assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
        let next_year = app
            .post(
                &path,
                t,
                allocation(
                    504,
                    &client,
                    PROVIDER,
                    "GM0384",
                    "2024-01-01",
                    "2024-12-31",
                    &[("2024-01-01", "2024-03-31")],
                ),
            )
            .await;
        assert_eq!(next_year.status, StatusCode::CREATED, "{}", next_year.body);
    }
);

e2e!(a_301_meets_the_clients_temporary_intensive_limit, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    // Product C's kind of limit: 3 months within an allocation's period.
    let policy = app
        .put_admin(
            &region,
            "policies/temporary-intensive/01A01",
            json!({ "maxMonths": 3, "per": "allocation" }),
        )
        .await;
    assert_eq!(policy.status, StatusCode::OK, "{}", policy.body);
    // The example 301 allocates 101 (2023) to the client at 42420001.
    let access = access_team(&app, &region);
    let example = iwmo_example("WMO301.xml");
    let reply = app.send_message(&region, &access, &example).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    // 101 gets October – November 2023 (2 months) through the JSON API.
    let change = app
        .patch(
            &region.path("allocations/101"),
            t,
            json!({ "temporaryIntensive": episodes_of(&[("2023-10-01", "2023-11-30")]) }),
        )
        .await;
    assert_eq!(change.status, StatusCode::OK, "{}", change.body);
    // The client's second allocation, at Zorg Noord in the first half of
    // 2024, with February – March 2024 (2 months): its period holds none
    // of 101's months.
    let second = app
        .post(
            &region.path("allocations"),
            t,
            allocation(
                102,
                CLIENT,
                PROVIDER,
                "GM0384",
                "2024-01-01",
                "2024-06-30",
                &[("2024-02-01", "2024-03-31")],
            ),
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    // A 301 extends 101 to the end of 2024: its period would hold its own
    // 2 months and 102's 2, 4 of 3. Refused, 101 keeps its end date.
    let extended = example.replace("123456789012", "123456789013").replace(
        "<wmo301:Einddatum>2023-12-31",
        "<wmo301:Einddatum>2024-12-31",
    );
    let reply = app.send_message(&region, &access, &extended).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert_eq!(
        reply.body["code"], "ZR-ALLOC-TEMPORARY-INTENSIVE",
        "{}",
        reply.text
    );
    assert_eq!(
        reply.body["detail"],
        "Product 01A01: 4 months of temporary intensive for this client: 2 on this allocation \
         and 2 already used on allocation 102 (2 months) within this allocation's period \
         (2023-01-01 – 2024-12-31); at most 3 within an allocation.",
        "{}",
        reply.text
    );
    let read = app.get(&region.path("allocations/101"), t).await;
    assert_eq!(read.body["endDate"], "2023-12-31");
    // To the end of January 2024: 102's months fall outside, accepted.
    let extended = example.replace("123456789012", "123456789014").replace(
        "<wmo301:Einddatum>2023-12-31",
        "<wmo301:Einddatum>2024-01-31",
    );
    let reply = app.send_message(&region, &access, &extended).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let read = app.get(&region.path("allocations/101"), t).await;
    assert_eq!(read.body["endDate"], "2024-01-31");
});

e2e!(
    a_product_closed_to_new_clients_keeps_its_current_clients,
    |app| {
        let region = setup(&app).await;
        let t = &region.admin;
        let product = region.path("products/01A01");
        // Closed from 2024; a bad date is a 400.
        let bad = app
            .patch(
                &product,
                t,
                json!({ "closedToNewClientsFrom": "2024-13-01" }),
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
        assert_eq!(bad.error_fields(), ["closedToNewClientsFrom"]);
        let closed = app
            .patch(
                &product,
                t,
                json!({ "closedToNewClientsFrom": "2024-01-01" }),
            )
            .await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
        assert_eq!(closed.body["closedToNewClientsFrom"], "2024-01-01");
        // A change of something else leaves it closed.
        let renamed = app
            .patch(&product, t, json!({ "name": "Begeleiding (oud)" }))
            .await;
        assert_eq!(renamed.body["closedToNewClientsFrom"], "2024-01-01");
        let path = region.path("allocations");
        let current = bsn(601);
        let former = bsn(602);
        let new = bsn(603);
        // Care starting before the date is allowed to anyone: a current client
        // (in care on 31 December 2023) and a former one (until June 2023).
        for (number, client, end) in [(601, &current, "2023-12-31"), (602, &former, "2023-06-30")] {
            let made = app
                .post(
                    &path,
                    t,
                    allocation(number, client, PROVIDER, "GM0384", "2023-01-01", end, &[]),
                )
                .await;
            assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        }
        // From 2024 a new client is refused, and so is the former one.
        for (number, client) in [(611, &new), (612, &former)] {
            let refused = app
                .post(
                    &path,
                    t,
                    allocation(
                        number,
                        client,
                        PROVIDER,
                        "GM0384",
                        "2024-02-01",
                        "2024-12-31",
                        &[],
                    ),
                )
                .await;
            assert_eq!(
                refused.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                refused.body
            );
            assert_eq!(refused.body["code"], "ZR-ALLOC-PRODUCT-CLOSED");
        }
        assert_eq!(
            detail(
                &app.post(
                    &path,
                    t,
                    allocation(
                        611,
                        &new,
                        PROVIDER,
                        "GM0384",
                        "2024-01-01",
                        "2024-12-31",
                        &[]
                    ),
                )
                .await
            ),
            "Product 01A01 is closed to new clients from 2024-01-01; this client held no \
         allocation of it on 2023-12-31."
        );
        // The current client keeps it: a new allocation at another provider in
        // another municipality from 2024, and changes to the old one.
        let kept = app
            .post(
                &path,
                t,
                allocation(
                    613,
                    &current,
                    OTHER_PROVIDER,
                    "GM0363",
                    "2024-01-01",
                    "2024-12-31",
                    &[],
                ),
            )
            .await;
        assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.body);
        let changed = app
            .patch(
                &region.path("allocations/601"),
                t,
                json!({ "volume": { "amount": 20, "unit": "minute", "frequency": "day" } }),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        // Open again (null): the new client is allocated.
        let opened = app
            .patch(&product, t, json!({ "closedToNewClientsFrom": null }))
            .await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
        assert_eq!(opened.body["closedToNewClientsFrom"], Value::Null);
        let made = app
            .post(
                &path,
                t,
                allocation(
                    611,
                    &new,
                    PROVIDER,
                    "GM0384",
                    "2024-02-01",
                    "2024-12-31",
                    &[],
                ),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        // A product can be created closed.
        let created = app
        .post(
            &region.path("products"),
            t,
            json!({ "code": "01A05", "name": "Persoonlijke verzorging", "productGroupCode": "HH", "iwmoCategory": "01", "unit": "hour", "fundingVariant": "effort", "closedToNewClientsFrom": "2023-01-01" }),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(created.body["closedToNewClientsFrom"], "2023-01-01");
    }
);

e2e!(
    a_301_for_a_new_client_of_a_closed_product_is_refused,
    |app| {
        let region = setup(&app).await;
        let t = &region.admin;
        let closed = app
            .patch(
                &region.path("products/01A01"),
                t,
                json!({ "closedToNewClientsFrom": "2023-01-01" }),
            )
            .await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
        // The example 301 allocates 01A01 from 2023-01-01 to a client who had
        // none in 2022: refused, nothing stored.
        let access = access_team(&app, &region);
        let example = iwmo_example("WMO301.xml");
        let reply = app.send_message(&region, &access, &example).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.text
        );
        assert_eq!(
            reply.body["code"], "ZR-ALLOC-PRODUCT-CLOSED",
            "{}",
            reply.text
        );
        assert_eq!(
            app.get(&region.path("allocations/101"), t).await.status,
            StatusCode::NOT_FOUND
        );
        // In care in 2022 (another provider): a current client, the 301 is
        // accepted and its change too.
        let before = app
            .post(
                &region.path("allocations"),
                t,
                allocation(
                    100,
                    CLIENT,
                    PROVIDER,
                    "GM0384",
                    "2022-01-01",
                    "2022-12-31",
                    &[],
                ),
            )
            .await;
        assert_eq!(before.status, StatusCode::CREATED, "{}", before.body);
        let reply = app
            .send_message(
                &region,
                &access,
                &example.replace("123456789012", "123456789015"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let changed = example
            .replace("123456789012", "123456789016")
            .replace("<iwmo:Volume>10", "<iwmo:Volume>20");
        let reply = app.send_message(&region, &access, &changed).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let read = app.get(&region.path("allocations/101"), t).await;
        assert_eq!(read.body["volume"]["amount"], 20, "{}", read.body);
    }
);
