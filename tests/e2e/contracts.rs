use super::*;

async fn contract(app: &TestApp, region: &e2e::Region) -> Reply {
    app.post(
        &region.path("contracts"),
        &region.admin,
        json!({
            "providerAgb": "12345678",
            "procurementForm": "open-house",
            "productGroupCodes": ["BW"],
            "municipalityCbsCodes": ["GM0202"],
            "startDate": "2025-01-01",
            "initialTermMonths": 48,
            "extensionOptionsMonths": [24, 24]
        }),
    )
    .await
}

e2e!(contract_end_dates_and_extensions, |app| {
    let region = app.new_region().await;
    seed_catalogue(&app, &region).await;
    let created = contract(&app, &region).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["currentEndDate"], "2028-12-31");
    assert_eq!(created.body["maxEndDate"], "2032-12-31");
    assert_eq!(created.body["extensionsExercised"], 0);
    assert_eq!(created.body["status"], "active");
    assert_eq!(created.body["productGroupCodes"], json!(["BW"]));
    let id = created.body["id"].as_str().unwrap();
    let extensions = region.path(&format!("contracts/{id}/extensions"));

    let first = app.post(&extensions, &region.admin, json!({})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["currentEndDate"], "2030-12-31");
    let second = app.post(&extensions, &region.admin, json!({})).await;
    assert_eq!(second.body["currentEndDate"], "2032-12-31");
    let third = app.post(&extensions, &region.admin, json!({})).await;
    assert_eq!(third.status, StatusCode::CONFLICT);
    assert_eq!(third.body["code"], "ZR-NO-EXTENSION-LEFT");
    let got = app
        .get(&region.path(&format!("contracts/{id}")), &region.admin)
        .await;
    assert_eq!(got.body["extensionsExercised"], 2);
});

e2e!(contract_crud_outflow_and_termination, |app| {
    let region = app.new_region().await;
    seed_catalogue(&app, &region).await;
    let t = &region.admin;
    app.post(
        &region.path("municipalities"),
        t,
        json!({ "cbsCode": "GM1734", "name": "Overbetuwe" }),
    )
    .await;
    let created = contract(&app, &region).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = region.path(&format!("contracts/{id}"));

    let patched = app
        .patch(
            &path,
            t,
            json!({ "municipalityCbsCodes": ["GM1734", "GM0202"], "status": "outflow-proposed" }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(
        patched.body["municipalityCbsCodes"],
        json!(["GM0202", "GM1734"])
    );
    assert_eq!(patched.body["status"], "outflow-proposed");
    let filtered = app
        .get(
            &region.path(
                "contracts?status=outflow-proposed&municipalityCbs=GM1734&productGroupCode=BW",
            ),
            t,
        )
        .await;
    assert_eq!(filtered.body["total"], 1, "{}", filtered.body);
    let none = app
        .get(&region.path("contracts?providerAgb=99999999"), t)
        .await;
    assert_eq!(none.body["total"], 0);

    let early = app
        .post(
            &format!("{path}/termination"),
            t,
            json!({ "terminatedOn": "2024-12-31", "ground": "by-agreement", "reason": "x" }),
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    let terminated = app
        .post(
            &format!("{path}/termination"),
            t,
            json!({ "terminatedOn": "2026-06-30", "ground": "underperformance", "reason": "Too few clients" }),
        )
        .await;
    assert_eq!(terminated.status, StatusCode::OK, "{}", terminated.body);
    assert_eq!(terminated.body["status"], "terminated");
    assert_eq!(terminated.body["terminatedOn"], "2026-06-30");
    assert_eq!(terminated.body["terminationReason"], "Too few clients");
    assert_eq!(
        app.post(&format!("{path}/extensions"), t, json!({}))
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.patch(&path, t, json!({ "status": "active" }))
            .await
            .status,
        StatusCode::CONFLICT
    );

    assert_eq!(app.delete(&path, t).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path, t).await.status, StatusCode::NOT_FOUND);
});

e2e!(contract_input_is_checked, |app| {
    let region = app.new_region().await;
    seed_catalogue(&app, &region).await;
    let bad = app
        .post(
            &region.path("contracts"),
            &region.admin,
            json!({ "providerAgb": "00000000", "procurementForm": "auction", "productGroupCodes": ["BW", "XX"], "municipalityCbsCodes": [], "startDate": "2025-01-01", "initialTermMonths": 0, "extensionOptionsMonths": [24, 0] }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.error_fields(),
        [
            "procurementForm",
            "initialTermMonths",
            "extensionOptionsMonths[1]",
            "municipalityCbsCodes",
            // Codes that name nothing come after the fields of a wrong form.
            "providerAgb",
            "productGroupCodes[1]"
        ]
    );
});

e2e!(providers_see_only_their_own_contracts, |app| {
    let region = app.new_region().await;
    seed_catalogue(&app, &region).await;
    let created = contract(&app, &region).await;
    let id = created.body["id"].as_str().unwrap();
    let mut claims = app.claims(&region.code, Role::Provider);
    claims.agb = Some("99999999".into());
    let stranger = app.sign(&claims);
    assert_eq!(
        app.get(&region.path(&format!("contracts/{id}")), &stranger)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&region.path("contracts"), &stranger).await.body["total"],
        0
    );
    claims.agb = Some("12345678".into());
    let own = app.sign(&claims);
    assert_eq!(
        app.get(&region.path(&format!("contracts/{id}")), &own)
            .await
            .status,
        StatusCode::OK
    );
    // A filter narrows what a provider sees, never widens it.
    assert_eq!(
        app.get(&region.path("contracts?providerAgb=99999999"), &own)
            .await
            .body["total"],
        0
    );
});
