use super::*;

e2e!(bad_input_is_problem_json, |app| {
    let region = app.new_region().await;
    let url = format!("{}{}", app.base, region.path("providers"));
    let send = |body: &'static str, content_type: &'static str| {
        app.client
            .post(&url)
            .bearer_auth(&region.admin)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let malformed = send("{\"agbCode\": ", "application/json").await.unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        malformed.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = malformed.json().await.unwrap();
    assert_eq!(body["status"], 400);
    assert_eq!(body["code"], "ZR-VALIDATION");
    assert!(body["type"].as_str().unwrap().starts_with("https://"));

    let unknown = app
        .post(
            &region.path("providers"),
            &region.admin,
            json!({ "agbCode": "12345678", "kvkNumber": "12345678", "name": "X", "colour": "red" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.error_fields(), ["colour"]);

    let wrong_type = app
        .post(
            &region.path("providers"),
            &region.admin,
            json!({ "agbCode": 12345678, "kvkNumber": "1", "name": "X" }),
        )
        .await;
    assert_eq!(wrong_type.error_fields(), ["agbCode"]);

    let not_json = send("agbCode=1", "text/plain").await.unwrap();
    assert_eq!(not_json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = "x".repeat(300 * 1024);
    let too_large = app
        .client
        .post(&url)
        .bearer_auth(&region.admin)
        .json(&json!({ "name": huge }))
        .send()
        .await
        .unwrap();
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        too_large.headers()["content-type"],
        "application/problem+json"
    );

    let bad_page = app
        .get(
            &region.path("providers?page=0&pageSize=10000"),
            &region.admin,
        )
        .await;
    assert_eq!(bad_page.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_page.error_fields(), ["page", "pageSize"]);
    let not_a_number = app
        .get(&region.path("providers?page=abc"), &region.admin)
        .await;
    assert_eq!(not_a_number.status, StatusCode::BAD_REQUEST);

    let bad_id = app
        .get(&region.path("tariffs/not-a-uuid"), &region.admin)
        .await;
    assert_eq!(bad_id.status, StatusCode::NOT_FOUND);
    assert_eq!(bad_id.header("content-type"), "application/problem+json");

    // Nothing was half-written by any of the above.
    assert_eq!(
        app.get(&region.path("providers"), &region.admin).await.body["total"],
        0
    );
});

e2e!(routes_and_headers_follow_the_conventions, |app| {
    let region = app.new_region().await;
    let ok = app.get(&region.path("providers"), &region.admin).await;
    assert_eq!(ok.header("api-version"), "1.0.0");
    assert_eq!(ok.header("cache-control"), "no-store");
    assert_eq!(ok.header("x-content-type-options"), "nosniff");
    assert_eq!(ok.header("x-frame-options"), "DENY");
    assert_eq!(
        ok.header("content-security-policy"),
        "frame-ancestors 'none'"
    );
    assert_eq!(ok.header("x-total-count"), "0");

    let trailing = app
        .get(&format!("{}/", region.path("providers")), &region.admin)
        .await;
    assert_eq!(trailing.status, StatusCode::NOT_FOUND);
    assert_eq!(trailing.header("content-type"), "application/problem+json");
    let unknown = app.get("/api/v1/nothing-here", &region.admin).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body["code"], "ZR-NOT-FOUND");

    let spec = app
        .send(reqwest::Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(spec.status, StatusCode::OK);
    assert_eq!(spec.header("access-control-allow-origin"), "*");
    assert_eq!(spec.body["openapi"], "3.1.0");
    let docs = app
        .client
        .get(format!("{}/api/v1/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.text().await.unwrap().contains("swagger"));
});
