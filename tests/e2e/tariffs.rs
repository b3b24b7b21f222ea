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

// Seed 000 §4.3: an individually agreed tariff in a provider's contract is
// not overridden by a municipality-wide one. The order: the provider's in
// the municipality, the provider's, the municipality's, the region's.
e2e!(a_providers_own_tariff_beats_the_municipalitys, |app| {
    let region = app.new_region().await;
    seed_catalogue(&app, &region).await;
    let t = &region.admin;
    let mut posts = vec![
        (
            "municipalities",
            json!({ "cbsCode": "GM0274", "name": "Renkum" }),
        ),
        (
            "providers",
            json!({ "agbCode": "22222222", "kvkNumber": "22222222", "name": "Other" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "15A01", "validFrom": "2025-01-01", "price": "70.00" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "15A01", "validFrom": "2025-01-01", "price": "75.00", "municipalityCbs": "GM0202" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "15A01", "validFrom": "2025-01-01", "price": "72.00", "providerAgb": "12345678" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "15A01", "validFrom": "2025-01-01", "price": "77.00", "providerAgb": "12345678", "municipalityCbs": "GM0274" }),
        ),
    ];
    for agb in ["12345678", "22222222"] {
        posts.push((
            "contracts",
            json!({ "providerAgb": agb, "procurementForm": "open-house", "productGroupCodes": ["BW"], "municipalityCbsCodes": ["GM0202", "GM0274"], "startDate": "2025-01-01", "initialTermMonths": 48 }),
        ));
    }
    app.create_all(&region, &posts).await;
    let cases = [
        (1, "12345678", "GM0202"),
        (2, "12345678", "GM0274"),
        (3, "22222222", "GM0202"),
        (4, "22222222", "GM0274"),
    ];
    let mut lines = vec![];
    for (number, agb, cbs) in cases {
        let body = json!({
            "allocationNumber": number, "clientBsn": e2e::bsn(number), "municipalityCbs": cbs, "productCode": "15A01",
            "providerAgb": agb, "startDate": "2025-01-01", "endDate": "2025-12-31", "volume": { "amount": 1, "unit": "day", "frequency": "day" }
        });
        let reply = app.post(&region.path("allocations"), t, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        lines.push(json!({ "allocationNumber": number, "productCode": "15A01", "periodStart": "2025-03-01", "periodEnd": "2025-03-02", "deliveredVolume": 2 }));
    }
    let batch = app.declare(&region, t, "precedence", json!(lines)).await;
    assert_eq!(batch.status, StatusCode::CREATED, "{}", batch.body);
    let amounts: Vec<&str> = batch.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amount"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        amounts,
        [
            "144.00", // 2 × 72.00: 12345678's own, not GM0202's 75.00
            "154.00", // 2 × 77.00: 12345678's own in GM0274
            "150.00", // 2 × 75.00: GM0202's, over the region's
            "140.00", // 2 × 70.00: the region's
        ],
        "{}",
        batch.body
    );
});
