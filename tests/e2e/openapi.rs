//! The committed `openapi/openapi.json` must equal the document generated
//! from the handlers. Regenerate with `UPDATE_OPENAPI=1 cargo test -p e2e openapi`.

use std::collections::BTreeSet;

use super::*;

fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json")
}

#[test]
fn committed_openapi_matches_the_code() {
    let generated = api::openapi_json();
    if std::env::var("UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(committed_path(), &generated).unwrap();
    }
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test -p e2e openapi` and commit it"
    );
}

/// A light structural check of OpenAPI 3.1: every `$ref` resolves, every
/// operation has an id and responses, and every path parameter is declared.
#[test]
fn openapi_is_well_formed() {
    let doc: &Value = api::openapi_document();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut refs = BTreeSet::new();
    collect_refs(doc, &mut refs);
    for r in &refs {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("unexpected ref {r}"));
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
    }
    let mut operation_ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, op) in item.as_object().unwrap() {
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} has no responses"
            );
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(
                operation_ids.insert(id.to_owned()),
                "duplicate operationId {id}"
            );
            let declared: BTreeSet<&str> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "path")
                        .filter_map(|p| p["name"].as_str())
                        .collect()
                })
                .unwrap_or_default();
            for segment in path.split('/').filter(|s| s.starts_with('{')) {
                let name = segment.trim_matches(|c| c == '{' || c == '}');
                assert!(
                    declared.contains(name),
                    "{method} {path} does not declare {name}"
                );
            }
        }
    }
}

/// The spec is the wire: enum values as sent, and every answer the edge
/// gives before a handler runs is documented on every operation it can
/// reach.
#[test]
fn openapi_describes_the_wire() {
    let doc: &Value = api::openapi_document();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["Law"]["enum"], json!(["wmo", "jeugdwet"]));
    assert_eq!(
        schemas["FundingVariant"]["enum"],
        json!(["effort", "output", "task"])
    );
    assert_eq!(schemas["Role"]["enum"][0], "platform-admin");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let has = |status: &str| responses.contains_key(status);
            if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                assert!(has("401") && has("403"), "{method} {path}: 401/403");
            }
            if op.get("requestBody").is_some() {
                assert!(
                    has("400") && has("413") && has("415"),
                    "{method} {path}: body errors"
                );
            }
            if path.contains("{regionCode}") {
                assert!(has("404"), "{method} {path}: another region's 404");
            }
        }
    }
    let token = &doc["paths"]["/api/v1/auth/token"]["post"]["responses"];
    assert_eq!(
        token["415"]["$ref"],
        "#/components/responses/UnsupportedMediaType"
    );
    // Field rules the handlers enforce are in the schemas.
    let provider = &schemas["ProviderIn"]["properties"];
    assert_eq!(provider["agbCode"]["pattern"], "^[0-9]{8}$");
    assert!(schemas["ContractIn"]["properties"]["startDate"]["pattern"]
        .as_str()
        .is_some_and(|p| p.starts_with("^(19|20|21)")));
}

fn collect_refs(value: &Value, refs: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                refs.insert(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, refs));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}
