//! A token of region B gets 404 for every object of region A, on every
//! resource, whether it names region A in the path or its own region.

use super::*;

e2e!(other_regions_objects_are_404_on_every_resource, |app| {
    let a = app.new_region().await;
    seed_catalogue(&app, &a).await;
    let tariff = app
        .post(
            &a.path("tariffs"),
            &a.admin,
            json!({ "productCode": "15A01", "validFrom": "2025-01-01", "price": "70.00" }),
        )
        .await;
    let tariff_id = tariff.body["id"].as_str().unwrap().to_owned();
    let contract = app
        .post(
            &a.path("contracts"),
            &a.admin,
            json!({ "providerAgb": "12345678", "procurementForm": "sas-tender", "productGroupCodes": ["BW"], "municipalityCbsCodes": ["GM0202"], "startDate": "2025-01-01", "initialTermMonths": 36, "extensionOptionsMonths": [24] }),
        )
        .await;
    let contract_id = contract.body["id"].as_str().unwrap().to_owned();
    let client = app
        .post(
            &a.path("api-clients"),
            &a.admin,
            json!({ "name": "A's app", "role": "auditor" }),
        )
        .await;
    let client_id = client.body["clientId"].as_str().unwrap().to_owned();
    let location = app
        .post(
            &a.path("providers/12345678/locations"),
            &a.admin,
            json!({ "name": "De Linde", "municipalityCbs": "GM0202", "places": [{ "productCode": "15A01", "places": 4, "validFrom": "2025-01-01" }] }),
        )
        .await;
    let location_id = location.body["id"].as_str().unwrap().to_owned();

    let b = app.new_region().await;
    seed_catalogue(&app, &b).await; // same codes in B must not make A's visible
    let objects = [
        "municipalities/GM0202".to_owned(),
        "product-groups/BW".to_owned(),
        "products/15A01".to_owned(),
        "providers/12345678".to_owned(),
        format!("tariffs/{tariff_id}"),
        format!("contracts/{contract_id}"),
        format!("providers/12345678/locations/{location_id}"),
    ];
    let collections = [
        "municipalities",
        "product-groups",
        "products",
        "providers",
        "tariffs",
        "contracts",
        "api-clients",
        "audit-events",
        "providers/12345678/locations",
    ];

    // B's token on A's paths: everything is 404, reads and writes alike.
    assert_eq!(
        app.get(&format!("/api/v1/regions/{}", a.code), &b.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for object in &objects {
        let path = a.path(object);
        assert_eq!(
            app.get(&path, &b.admin).await.status,
            StatusCode::NOT_FOUND,
            "GET {object}"
        );
        assert_eq!(
            app.patch(&path, &b.admin, json!({})).await.status,
            StatusCode::NOT_FOUND,
            "PATCH {object}"
        );
        assert_eq!(
            app.delete(&path, &b.admin).await.status,
            StatusCode::NOT_FOUND,
            "DELETE {object}"
        );
    }
    for collection in collections {
        let path = a.path(collection);
        assert_eq!(
            app.get(&path, &b.admin).await.status,
            StatusCode::NOT_FOUND,
            "GET {collection}"
        );
        // A collection without POST answers 405 in every region alike.
        let expected = if collection == "audit-events" {
            StatusCode::METHOD_NOT_ALLOWED
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(
            app.post(&path, &b.admin, json!({})).await.status,
            expected,
            "POST {collection}"
        );
    }
    // The steering instruments (reads only): A's region is not there for B.
    for instrument in [
        "waiting-list",
        "coverage",
        "capacity",
        "capacity/series",
        "care-overlaps",
        "turning-18",
        "scorecards?productGroupCode=BEG",
        "providers/12345678/scorecard",
        "steering-signals",
    ] {
        assert_eq!(
            app.get(&a.path(instrument), &b.admin).await.status,
            StatusCode::NOT_FOUND,
            "GET {instrument}"
        );
    }
    for sub in ["extensions", "termination"] {
        let path = a.path(&format!("contracts/{contract_id}/{sub}"));
        assert_eq!(
            app.post(
                &path,
                &b.admin,
                json!({ "terminatedOn": "2026-01-01", "reason": "x" })
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        app.delete(&a.path(&format!("api-clients/{client_id}")), &b.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // B's token on its own paths with A's ids: 404 too.
    for object in [
        format!("tariffs/{tariff_id}"),
        format!("contracts/{contract_id}"),
        format!("providers/12345678/locations/{location_id}"),
    ] {
        let path = b.path(&object);
        assert_eq!(
            app.get(&path, &b.admin).await.status,
            StatusCode::NOT_FOUND,
            "GET own {object}"
        );
        assert_eq!(
            app.patch(&path, &b.admin, json!({})).await.status,
            StatusCode::NOT_FOUND,
            "PATCH own {object}"
        );
        assert_eq!(
            app.delete(&path, &b.admin).await.status,
            StatusCode::NOT_FOUND,
            "DELETE own {object}"
        );
    }
    assert_eq!(
        app.post(
            &b.path(&format!("contracts/{contract_id}/extensions")),
            &b.admin,
            json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&b.path(&format!("api-clients/{client_id}")), &b.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // B's lists hold only B's rows, and A's objects survived B's attempts.
    assert_eq!(app.get(&b.path("tariffs"), &b.admin).await.body["total"], 0);
    assert_eq!(
        app.get(&b.path("contracts"), &b.admin).await.body["total"],
        0
    );
    for object in &objects {
        assert_eq!(
            app.get(&a.path(object), &a.admin).await.status,
            StatusCode::OK,
            "{object} still there"
        );
    }
    let b_audit = app
        .get(&b.path("audit-events?pageSize=500"), &b.admin)
        .await;
    assert!(!b_audit.body.to_string().contains(&tariff_id));
});

e2e!(unknown_region_is_404_even_for_the_platform, |app| {
    let reply = app
        .get(
            "/api/v1/regions/does-not-exist/providers",
            &app.platform_token(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
});
