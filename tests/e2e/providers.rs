use super::*;

e2e!(provider_crud, |app| {
    let region = app.new_region().await;
    let t = &region.admin;
    let created = app
        .post(&region.path("providers"), t, json!({ "agbCode": "12345678", "kvkNumber": "87654321", "name": "Zorg BV", "usesSelfEmployed": true, "integrityCheckedOn": "2025-03-01" }))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["integrityCheckedOn"], "2025-03-01");
    assert_eq!(created.body["financialCheckedOn"], Value::Null);

    let patched = app
        .patch(
            &region.path("providers/12345678"),
            t,
            json!({ "financialCheckedOn": "2025-06-30", "usesSelfEmployed": false }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["financialCheckedOn"], "2025-06-30");
    assert_eq!(patched.body["usesSelfEmployed"], false);

    app.post(&region.path("providers"), t, json!({ "agbCode": "11111111", "kvkNumber": "22222222", "name": "ZZP Zorg", "usesSelfEmployed": true })).await;
    let self_employed = app
        .get(&region.path("providers?usesSelfEmployed=true"), t)
        .await;
    assert_eq!(self_employed.body["total"], 1);
    assert_eq!(self_employed.body["items"][0]["agbCode"], "11111111");

    // A contract manager may manage providers too.
    let manager = app.token(&region.code, Role::ContractManager);
    assert_eq!(
        app.delete(&region.path("providers/11111111"), &manager)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&region.path("providers/11111111"), t).await.status,
        StatusCode::NOT_FOUND
    );
});

e2e!(provider_codes_are_checked, |app| {
    let region = app.new_region().await;
    let bad = app
        .post(&region.path("providers"), &region.admin, json!({ "agbCode": "1234567", "kvkNumber": "8765432X", "name": "", "integrityCheckedOn": "01-03-2025" }))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.error_fields(),
        ["agbCode", "kvkNumber", "name", "integrityCheckedOn"]
    );
});
