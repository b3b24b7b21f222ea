use super::*;

e2e!(municipality_crud, |app| {
    let region = app.new_region().await;
    let t = &region.admin;
    let created = app
        .post(&region.path("municipalities"), t, json!({ "cbsCode": "GM0202", "name": "Arnhem", "population": [{ "year": 2023, "inhabitants": 165000 }, { "year": 2024, "inhabitants": 166000 }] }))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["population"][1]["inhabitants"], 166000);

    let got = app.get(&region.path("municipalities/GM0202"), t).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body["name"], "Arnhem");

    let patched = app
        .patch(&region.path("municipalities/GM0202"), t, json!({ "name": "Gemeente Arnhem", "population": [{ "year": 2025, "inhabitants": 167000 }] }))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["name"], "Gemeente Arnhem");
    assert_eq!(
        patched.body["population"],
        json!([{ "year": 2025, "inhabitants": 167000 }])
    );

    app.post(
        &region.path("municipalities"),
        t,
        json!({ "cbsCode": "GM0274", "name": "Renkum" }),
    )
    .await;
    let list = app.get(&region.path("municipalities?pageSize=1"), t).await;
    assert_eq!(list.body["total"], 2);
    assert_eq!(list.body["items"][0]["cbsCode"], "GM0202");
    assert!(
        list.header("link").contains("rel=\"next\""),
        "{}",
        list.header("link")
    );

    let duplicate = app
        .post(
            &region.path("municipalities"),
            t,
            json!({ "cbsCode": "GM0202", "name": "Again" }),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);

    assert_eq!(
        app.delete(&region.path("municipalities/GM0274"), t)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&region.path("municipalities/GM0274"), t)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

e2e!(product_group_and_product_crud, |app| {
    let region = app.new_region().await;
    let t = &region.admin;
    let group = app
        .post(
            &region.path("product-groups"),
            t,
            json!({ "code": "BW", "name": "Beschermd Wonen", "law": "wmo" }),
        )
        .await;
    assert_eq!(group.status, StatusCode::CREATED, "{}", group.body);
    app.post(
        &region.path("product-groups"),
        t,
        json!({ "code": "JZ", "name": "Jeugd", "law": "jeugdwet" }),
    )
    .await;
    let only_youth = app
        .get(&region.path("product-groups?law=jeugdwet"), t)
        .await;
    assert_eq!(only_youth.body["total"], 1);
    assert_eq!(only_youth.body["items"][0]["code"], "JZ");

    let product = app
        .post(&region.path("products"), t, json!({ "code": "15A01", "name": "BW A", "productGroupCode": "BW", "iwmoCategory": "15", "unit": "day", "fundingVariant": "effort" }))
        .await;
    assert_eq!(product.status, StatusCode::CREATED, "{}", product.body);
    assert_eq!(product.body["productGroupCode"], "BW");

    let patched = app
        .patch(
            &region.path("products/15A01"),
            t,
            json!({ "unit": "day-part", "productGroupCode": "JZ" }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["unit"], "day-part");
    assert_eq!(patched.body["productGroupCode"], "JZ");
    let by_group = app
        .get(&region.path("products?productGroupCode=JZ"), t)
        .await;
    assert_eq!(by_group.body["total"], 1);

    // A group with products cannot go; once empty it can.
    let in_use = app.delete(&region.path("product-groups/JZ"), t).await;
    assert_eq!(in_use.status, StatusCode::CONFLICT, "{}", in_use.body);
    assert_eq!(in_use.body["code"], "ZR-IN-USE");
    assert_eq!(
        app.delete(&region.path("products/15A01"), t).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&region.path("product-groups/JZ"), t)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&region.path("product-groups/JZ"), t).await.status,
        StatusCode::NOT_FOUND
    );
});

e2e!(product_rules, |app| {
    let region = app.new_region().await;
    let t = &region.admin;
    app.post(
        &region.path("product-groups"),
        t,
        json!({ "code": "BW", "name": "Beschermd Wonen", "law": "wmo" }),
    )
    .await;
    let bad = app
        .post(&region.path("products"), t, json!({ "code": "TOOLONG", "name": "x", "productGroupCode": "NOPE", "iwmoCategory": "1", "unit": "hours", "fundingVariant": "lump" }))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.error_fields(),
        ["code", "iwmoCategory", "unit", "fundingVariant"]
    );
    let no_group = app
        .post(&region.path("products"), t, json!({ "code": "15A01", "name": "x", "productGroupCode": "NOPE", "iwmoCategory": "15", "unit": "hour", "fundingVariant": "effort" }))
        .await;
    assert_eq!(no_group.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_group.error_fields(), ["productGroupCode"]);
});
