use super::*;
use api::auth::Audience;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};

fn sign_with(header: Header, claims: &api::auth::Claims, key: &EncodingKey) -> String {
    encode(&header, claims, key).unwrap()
}

fn unsigned(claims: &api::auth::Claims) -> String {
    use base64::Engine;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.",
        b64(&json!({ "alg": "none", "typ": "JWT" })),
        b64(&serde_json::to_value(claims).unwrap())
    )
}

e2e!(bad_tokens_get_401, |app| {
    let region = app.new_region().await;
    let path = region.path("providers");
    let none = app.send(reqwest::Method::GET, &path, None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.header("content-type"), "application/problem+json");
    assert_eq!(none.header("www-authenticate"), "Bearer");

    let mut expired = app.claims(&region.code, Role::RegionAdmin);
    expired.exp = chrono::Utc::now().timestamp() - 3600;
    let mut wrong_audience = app.claims(&region.code, Role::RegionAdmin);
    wrong_audience.aud = Audience::One("someone-else".into());
    let mut not_yet = app.claims(&region.code, Role::RegionAdmin);
    not_yet.nbf = Some(chrono::Utc::now().timestamp() + 3600);
    let mut others_only = app.claims(&region.code, Role::RegionAdmin);
    others_only.aud = Audience::Many(vec!["a".into(), "b".into()]);
    let mut wrong_issuer = app.claims(&region.code, Role::RegionAdmin);
    wrong_issuer.iss = "evil".into();
    let good = app.claims(&region.code, Role::RegionAdmin);
    let forged = sign_with(
        Header::new(Algorithm::HS256),
        &good,
        &EncodingKey::from_secret(b"not-the-secret"),
    );
    let hs512 = sign_with(
        Header::new(Algorithm::HS512),
        &good,
        &EncodingKey::from_secret(e2e::TEST_JWT_SECRET.as_bytes()),
    );
    for (what, token) in [
        ("expired", app.sign(&expired)),
        ("wrong audience", app.sign(&wrong_audience)),
        ("not valid before an hour from now", app.sign(&not_yet)),
        ("audiences without ours", app.sign(&others_only)),
        ("wrong issuer", app.sign(&wrong_issuer)),
        ("forged", forged),
        ("alg none", unsigned(&good)),
        ("HS512", hs512),
        ("garbage", "abc.def.ghi".to_owned()),
    ] {
        let reply = app.get(&path, &token).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{what}: {}",
            reply.body
        );
    }
    assert_eq!(
        app.get(&path, &app.sign(&good)).await.status,
        StatusCode::OK
    );
    // RFC 7519: `aud` may be an array; ours among others is accepted, and
    // so is a `nbf` that has passed.
    let mut audiences = app.claims(&region.code, Role::RegionAdmin);
    audiences.aud = Audience::Many(vec!["other-api".into(), "zorgregie-api".into()]);
    audiences.nbf = Some(chrono::Utc::now().timestamp() - 60);
    let reply = app.get(&path, &app.sign(&audiences)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
});

e2e!(public_key_tokens_by_kid, |app| {
    let region = app.new_region().await;
    let claims = app.claims(&region.code, Role::Auditor);
    let es256 =
        EncodingKey::from_ec_pem(&std::fs::read(e2e::fixture("es256-private.pem")).unwrap())
            .unwrap();
    let rs256 =
        EncodingKey::from_rsa_pem(&std::fs::read(e2e::fixture("rs256-private.pem")).unwrap())
            .unwrap();
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("test-es256".into());
    assert_eq!(
        app.get(
            &region.path("providers"),
            &sign_with(header.clone(), &claims, &es256)
        )
        .await
        .status,
        StatusCode::OK
    );
    let mut rs_header = Header::new(Algorithm::RS256);
    rs_header.kid = Some("test-rs256".into());
    assert_eq!(
        app.get(
            &region.path("providers"),
            &sign_with(rs_header, &claims, &rs256)
        )
        .await
        .status,
        StatusCode::OK
    );
    // Unknown kid, or a key used under the wrong kid: 401.
    header.kid = Some("rotated-away".into());
    assert_eq!(
        app.get(
            &region.path("providers"),
            &sign_with(header.clone(), &claims, &es256)
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    let mut swapped = Header::new(Algorithm::RS256);
    swapped.kid = Some("test-es256".into());
    assert_eq!(
        app.get(
            &region.path("providers"),
            &sign_with(swapped, &claims, &rs256)
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
});

e2e!(wrong_role_gets_403, |app| {
    let region = app.new_region().await;
    seed_catalogue(&app, &region).await;
    let auditor = app.token(&region.code, Role::Auditor);
    let mut access = app.claims(&region.code, Role::AccessTeam);
    access.municipality = Some("GM0202".into());
    let access = app.sign(&access);
    let manager = app.token(&region.code, Role::ContractManager);
    let tariff = json!({ "productCode": "15A01", "validFrom": "2025-01-01", "price": "1.00" });
    assert_eq!(
        app.post(&region.path("tariffs"), &auditor, tariff.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&region.path("tariffs"), &manager, tariff)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            &region.path("municipalities"),
            &access,
            json!({ "cbsCode": "GM0274", "name": "Renkum" })
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.delete(&region.path("providers/12345678"), &auditor)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&region.path("audit-events"), &access).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&region.path("audit-events"), &auditor).await.status,
        StatusCode::OK
    );
    // Reading is open to every role of the region.
    assert_eq!(
        app.get(&region.path("products"), &access).await.status,
        StatusCode::OK
    );
    // Regions are the platform's: a region admin may not create or list them.
    assert_eq!(
        app.post(
            "/api/v1/regions",
            &region.admin,
            json!({ "code": "x-y", "name": "X" })
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/regions", &region.admin).await.status,
        StatusCode::FORBIDDEN
    );
});

e2e!(api_clients_get_tokens, |app| {
    let region = app.new_region().await;
    seed_catalogue(&app, &region).await;
    let created = app
        .post(
            &region.path("api-clients"),
            &region.admin,
            json!({ "name": "Portal", "role": "provider", "providerAgb": "12345678" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let client_id = created.body["clientId"].as_str().unwrap().to_owned();
    let secret = created.body["clientSecret"].as_str().unwrap().to_owned();

    // The secret is shown once: not in the list, and stored only as an argon2 hash.
    let list = app.get(&region.path("api-clients"), &region.admin).await;
    assert_eq!(list.body["items"][0]["clientId"], client_id.as_str());
    assert!(list.body["items"][0].get("clientSecret").is_none());
    assert!(!list.body.to_string().contains(&secret));

    let token = app
        .request_token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ])
        .await;
    assert_eq!(token.status, StatusCode::OK, "{}", token.body);
    assert_eq!(token.body["token_type"], "Bearer");
    let access_token = token.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&region.path("contracts"), &access_token)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.post(&region.path("providers"), &access_token, json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let wrong = app
        .request_token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", "nope"),
        ])
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let grant = app
        .request_token(&[
            ("grant_type", "password"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ])
        .await;
    assert_eq!(grant.status, StatusCode::BAD_REQUEST);

    assert_eq!(
        app.delete(
            &region.path(&format!("api-clients/{client_id}")),
            &region.admin
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let revoked = app
        .request_token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ])
        .await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    // A token issued before the revocation stops working at once.
    let after = app.get(&region.path("contracts"), &access_token).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.body);

    let bad = app
        .post(
            &region.path("api-clients"),
            &region.admin,
            json!({ "name": "X", "role": "platform-admin" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_agb = app
        .post(
            &region.path("api-clients"),
            &region.admin,
            json!({ "name": "X", "role": "provider" }),
        )
        .await;
    assert_eq!(no_agb.error_fields(), ["providerAgb"]);
});
