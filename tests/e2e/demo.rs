use super::*;

/// On a fresh SQLite file only: the shared PostgreSQL test database keeps
/// the demo regions of earlier runs, which `load` rightly leaves alone.
#[tokio::test]
async fn demo_loads_the_five_regions_once() {
    let app = TestApp::spawn(e2e::Backend::Sqlite).await.unwrap();
    assert_eq!(api::demo::load(&app.state.db).await.unwrap(), 5);
    assert_eq!(
        api::demo::load(&app.state.db).await.unwrap(),
        0,
        "loading twice adds nothing"
    );

    let cg = app.token("centraal-gelderland", Role::Auditor);
    let municipalities = app
        .get("/api/v1/regions/centraal-gelderland/municipalities", &cg)
        .await;
    assert_eq!(municipalities.body["total"], 10);
    let arnhem = app
        .get(
            "/api/v1/regions/centraal-gelderland/municipalities/GM0202",
            &cg,
        )
        .await;
    assert_eq!(arnhem.body["name"], "Arnhem");
    let products = app
        .get("/api/v1/regions/centraal-gelderland/products", &cg)
        .await;
    assert_eq!(products.body["total"], 8);
    let contracts = app
        .get("/api/v1/regions/centraal-gelderland/contracts", &cg)
        .await;
    assert_eq!(contracts.body["items"][0]["maxEndDate"], "2032-12-31");
    // 2026 tariff of BW0C1 = 182.75 × 1.0496 = 191.8144 → 191.81
    let tariff = app
        .get(
            "/api/v1/regions/centraal-gelderland/tariffs?productCode=BW0C1&date=2026-06-01",
            &cg,
        )
        .await;
    assert_eq!(
        tariff.body["items"][0]["price"], "191.81",
        "{}",
        tariff.body
    );

    let policies = app
        .get("/api/v1/regions/centraal-gelderland/policies", &cg)
        .await;
    assert_eq!(policies.body["total"], 6);

    let nijmegen = app.token("rijk-van-nijmegen", Role::Auditor);
    let contract = app
        .get("/api/v1/regions/rijk-van-nijmegen/contracts", &nijmegen)
        .await;
    assert_eq!(contract.body["items"][0]["maxEndDate"], "2037-12-31");
    let regions = app
        .get("/api/v1/regions?pageSize=500", &app.platform_token())
        .await;
    for code in [
        "centraal-gelderland",
        "rijk-van-nijmegen",
        "rivierenland",
        "regio-amersfoort",
        "midden-ijssel-oost-veluwe",
    ] {
        assert!(regions.body.to_string().contains(code), "{code}");
    }
    app.stop().await;
}
