use super::*;

e2e!(tariff_crud_and_filters, |app| {
    let region = app.new_region().await;
    seed_catalogue(&app, &region).await;
    let t = &region.admin;
    let created = app
        .post(&region.path("tariffs"), t, json!({ "productCode": "15A01", "validFrom": "2025-01-01", "validTo": "2025-12-31", "price": "70.00" }))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["price"], "70.00");
    assert_eq!(created.body["providerAgb"], Value::Null);
    let id = created.body["id"].as_str().unwrap().to_owned();

    let provider_specific = app
        .post(&region.path("tariffs"), t, json!({ "productCode": "15A01", "validFrom": "2025-01-01", "price": "72.50", "providerAgb": "12345678", "municipalityCbs": "GM0202" }))
        .await;
    assert_eq!(
        provider_specific.status,
        StatusCode::CREATED,
        "{}",
        provider_specific.body
    );
    assert_eq!(provider_specific.body["providerAgb"], "12345678");
    assert_eq!(provider_specific.body["municipalityCbs"], "GM0202");
    assert_eq!(provider_specific.body["validTo"], Value::Null);

    let next_year = app
        .post(
            &region.path("tariffs"),
            t,
            json!({ "productCode": "15A01", "validFrom": "2026-01-01", "price": "73.47" }),
        )
        .await;
    assert_eq!(next_year.status, StatusCode::CREATED, "{}", next_year.body);

    let on_date = app
        .get(&region.path("tariffs?productCode=15A01&date=2026-03-01"), t)
        .await;
    assert_eq!(on_date.body["total"], 2, "{}", on_date.body);
    let prices: Vec<&str> = on_date.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["price"].as_str().unwrap())
        .collect();
    assert!(
        prices.contains(&"73.47") && prices.contains(&"72.50"),
        "{prices:?}"
    );
    let by_provider = app
        .get(&region.path("tariffs?providerAgb=12345678"), t)
        .await;
    assert_eq!(by_provider.body["total"], 1);
    let unknown_product = app.get(&region.path("tariffs?productCode=XXXXX"), t).await;
    assert_eq!(unknown_product.body["total"], 0);

    let patched = app
        .patch(
            &region.path(&format!("tariffs/{id}")),
            t,
            json!({ "price": "70.50" }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["price"], "70.50");
    let got = app.get(&region.path(&format!("tariffs/{id}")), t).await;
    assert_eq!(got.body["price"], "70.50");

    assert_eq!(
        app.delete(&region.path(&format!("tariffs/{id}")), t)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&region.path(&format!("tariffs/{id}")), t)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

e2e!(overlapping_tariffs_are_rejected, |app| {
    let region = app.new_region().await;
    seed_catalogue(&app, &region).await;
    let t = &region.admin;
    let tariffs = region.path("tariffs");
    let first = app.post(&tariffs, t, json!({ "productCode": "15A01", "validFrom": "2025-01-01", "validTo": "2025-12-31", "price": "70.00" })).await;
    assert_eq!(first.status, StatusCode::CREATED);

    let overlap = app
        .post(
            &tariffs,
            t,
            json!({ "productCode": "15A01", "validFrom": "2025-12-31", "price": "71.00" }),
        )
        .await;
    assert_eq!(overlap.status, StatusCode::CONFLICT, "{}", overlap.body);
    assert_eq!(overlap.body["code"], "ZR-TARIFF-OVERLAP");
    assert_eq!(overlap.header("content-type"), "application/problem+json");

    // Adjacent is fine; so is the same period for a provider-specific line.
    let adjacent = app
        .post(
            &tariffs,
            t,
            json!({ "productCode": "15A01", "validFrom": "2026-01-01", "price": "71.00" }),
        )
        .await;
    assert_eq!(adjacent.status, StatusCode::CREATED, "{}", adjacent.body);
    let specific = app.post(&tariffs, t, json!({ "productCode": "15A01", "validFrom": "2025-06-01", "price": "75.00", "providerAgb": "12345678" })).await;
    assert_eq!(specific.status, StatusCode::CREATED, "{}", specific.body);
    let specific_overlap = app.post(&tariffs, t, json!({ "productCode": "15A01", "validFrom": "2025-01-01", "validTo": "2025-06-01", "price": "74.00", "providerAgb": "12345678" })).await;
    assert_eq!(specific_overlap.status, StatusCode::CONFLICT);

    // Reopening the first version by moving its end into the next one overlaps too.
    let id = first.body["id"].as_str().unwrap();
    let stretch = app
        .patch(
            &region.path(&format!("tariffs/{id}")),
            t,
            json!({ "validTo": "2026-02-01" }),
        )
        .await;
    assert_eq!(stretch.status, StatusCode::CONFLICT);
    let list = app.get(&tariffs, t).await;
    assert_eq!(list.body["total"], 3, "nothing half-written: {}", list.body);
});

e2e!(tariff_price_must_be_a_decimal_string, |app| {
    let region = app.new_region().await;
    seed_catalogue(&app, &region).await;
    let t = &region.admin;
    let number = app
        .post(
            &region.path("tariffs"),
            t,
            json!({ "productCode": "15A01", "validFrom": "2025-01-01", "price": 70.5 }),
        )
        .await;
    assert_eq!(number.status, StatusCode::BAD_REQUEST);
    assert_eq!(number.error_fields(), ["price"]);
    let sub_cent = app
        .post(&region.path("tariffs"), t, json!({ "productCode": "NOPE", "validFrom": "2025-02-30", "validTo": "2024-01-01", "price": "70.005" }))
        .await;
    assert_eq!(sub_cent.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        sub_cent.error_fields(),
        ["validFrom", "price", "productCode"]
    );
    let backwards = app
        .post(&region.path("tariffs"), t, json!({ "productCode": "15A01", "validFrom": "2025-02-01", "validTo": "2025-01-31", "price": "1.00", "providerAgb": "99999999" }))
        .await;
    assert_eq!(backwards.error_fields(), ["validTo", "providerAgb"]);
});

e2e!(provider_tokens_see_only_their_own_tariffs, |app| {
    let region = app.new_region().await;
    seed_catalogue(&app, &region).await;
    let t = &region.admin;
    app.post(
        &region.path("providers"),
        t,
        json!({ "agbCode": "22222222", "kvkNumber": "22222222", "name": "Other" }),
    )
    .await;
    app.post(
        &region.path("tariffs"),
        t,
        json!({ "productCode": "15A01", "validFrom": "2025-01-01", "price": "70.00" }),
    )
    .await;
    app.post(&region.path("tariffs"), t, json!({ "productCode": "15A01", "validFrom": "2025-01-01", "price": "72.00", "providerAgb": "12345678" })).await;
    let other = app.post(&region.path("tariffs"), t, json!({ "productCode": "15A01", "validFrom": "2025-01-01", "price": "69.00", "providerAgb": "22222222" })).await;
    let mut claims = app.claims(&region.code, Role::Provider);
    claims.agb = Some("12345678".into());
    let provider = app.sign(&claims);
    let seen = app.get(&region.path("tariffs"), &provider).await;
    assert_eq!(seen.body["total"], 2, "{}", seen.body);
    let other_id = other.body["id"].as_str().unwrap();
    assert_eq!(
        app.get(&region.path(&format!("tariffs/{other_id}")), &provider)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});
