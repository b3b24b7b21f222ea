use super::*;

e2e!(every_mutation_writes_an_audit_event, |app| {
    let region = app.new_region().await;
    seed_catalogue(&app, &region).await;
    let t = &region.admin;
    let tariff = app
        .post(
            &region.path("tariffs"),
            t,
            json!({ "productCode": "15A01", "validFrom": "2025-01-01", "price": "70.00" }),
        )
        .await;
    let id = tariff.body["id"].as_str().unwrap().to_owned();
    app.patch(
        &region.path(&format!("tariffs/{id}")),
        t,
        json!({ "price": "71.00" }),
    )
    .await;
    app.delete(&region.path(&format!("tariffs/{id}")), t).await;
    // A refused change leaves no event.
    app.post(
        &region.path("tariffs"),
        t,
        json!({ "productCode": "NOPE", "validFrom": "2025-01-01", "price": "1.00" }),
    )
    .await;

    let location = app
        .post(
            &region.path("providers/12345678/locations"),
            t,
            json!({ "name": "De Linde", "municipalityCbs": "GM0202" }),
        )
        .await;
    assert_eq!(location.status, StatusCode::CREATED, "{}", location.body);

    let events = app
        .get(
            &region.path(&format!("audit-events?resource=tariff&resourceId={id}")),
            t,
        )
        .await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.body);
    let actions: Vec<&str> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["delete", "update", "create"], "newest first");
    assert_eq!(events.body["items"][1]["details"]["price"], "71.00");
    assert_eq!(events.body["items"][0]["actor"], "region-admin:e2e");

    let all = app.get(&region.path("audit-events?pageSize=500"), t).await;
    let resources: Vec<&str> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"].as_str().unwrap())
        .collect();
    for resource in [
        "region",
        "municipality",
        "product-group",
        "product",
        "provider",
        "tariff",
        "provider-location",
    ] {
        assert!(
            resources.contains(&resource),
            "no event for {resource}: {resources:?}"
        );
    }
    assert_eq!(all.body["total"], 9);
});
