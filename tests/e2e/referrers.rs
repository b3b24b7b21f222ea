//! Referrers (issue 28): an allocation carries who referred the client
//! (COD327: 01 municipality … 08 court), validated in the JSON body, shown
//! in the answer and filterable in the list. A 301 has no Verwijzer: its
//! allocations have none (`care_overlaps::an_allocation_from_a_301_…`).

use e2e::{bsn, seed_catalogue, Region};

use super::*;

async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    seed_catalogue(app, &region).await;
    let reply = app
        .post(
            &region.path("contracts"),
            &region.admin,
            json!({ "providerAgb": "12345678", "procurementForm": "open-house", "productGroupCodes": ["BW"], "municipalityCbsCodes": ["GM0202"], "startDate": "2025-01-01", "initialTermMonths": 60 }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    region
}

async fn allocate(app: &TestApp, region: &Region, number: i64, referrer: Option<&str>) -> Reply {
    let mut body = json!({ "allocationNumber": number, "clientBsn": bsn(number as u32), "municipalityCbs": "GM0202",
                           "productCode": "15A01", "providerAgb": "12345678", "startDate": "2026-01-01",
                           "volume": { "amount": 31, "unit": "day", "frequency": "month" } });
    if let Some(code) = referrer {
        body["referrer"] = json!(code);
    }
    app.post(&region.path("allocations"), &region.admin, body)
        .await
}

e2e!(an_allocation_carries_its_referrer, |app| {
    let region = setup(&app).await;
    // A GP, a certified institution, a court; and one without.
    for (number, code) in [(1, Some("02")), (2, Some("04")), (3, Some("08")), (4, None)] {
        let reply = allocate(&app, &region, number, code).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(reply.body["referrer"], json!(code));
    }
    let read = app.get(&region.path("allocations/1"), &region.admin).await;
    assert_eq!(read.body["referrer"], "02");
    assert_eq!(
        app.get(&region.path("allocations/4"), &region.admin)
            .await
            .body["referrer"],
        Value::Null
    );

    // Not in COD327 (07 is not a code; 2 is not two digits): 400 naming it.
    for bad in ["07", "2", "huisarts", ""] {
        let reply = allocate(&app, &region, 9, Some(bad)).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.body
        );
        assert_eq!(reply.error_fields(), vec!["referrer"], "{bad}");
    }
    assert_eq!(
        app.get(&region.path("allocations/9"), &region.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The list by referrer.
    let court = app
        .get(&region.path("allocations?referrer=08"), &region.admin)
        .await;
    assert_eq!(court.status, StatusCode::OK, "{}", court.body);
    let items = court.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["allocationNumber"], 3);
    let none = app
        .get(&region.path("allocations?referrer=05"), &region.admin)
        .await;
    assert!(none.body["items"].as_array().unwrap().is_empty());
    let bad = app
        .get(&region.path("allocations?referrer=99"), &region.admin)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error_fields(), vec!["referrer"]);

    // Another region's admin does not see the allocation.
    let other = app.new_region().await;
    assert_eq!(
        app.get(&region.path("allocations/1"), &other.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});
