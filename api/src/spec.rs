//! What every operation of the OpenAPI document shares, added in one place
//! after the handlers' own `#[utoipa::path]` are collected: the answers of
//! the extractors and middleware that run before a handler (401, 403, 404,
//! 400, 413, 415, 422, 503), and the field rules `input.rs` enforces for
//! every request field of a kind (dates, codes, money, names, years), so
//! that a request the schema allows is never a 400 and one it refuses never
//! succeeds. A handler's own description of a status wins over the shared one.

use serde_json::{json, Map, Value};

/// The ranges `Check` accepts (the domain's), as the schema spells them.
pub use domain::check::{DATE_RANGE, MAX_YEAR, MIN_YEAR};
/// A calendar-shaped date of 1900 to 2199 (the day's validity is checked on the wire).
const DATE_PATTERN: &str = "^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

/// Euros with at most two decimals and 13 whole digits (`money::parse_euros`).
pub const EUROS_PATTERN: &str = "^-?0*[0-9]{1,13}([.][0-9]{1,2})?$";
const NON_NEGATIVE_EUROS: &str = "^0*[0-9]{1,13}([.][0-9]{1,2})?$";
/// More than zero: a non-zero whole part, or a non-zero fraction.
const POSITIVE_EUROS: &str = "^(0*[1-9][0-9]{0,12}([.][0-9]{1,2})?|0+[.]([1-9][0-9]?|0[1-9]))$";
/// A decimal with at most six decimals and 20 whole digits (`Check::decimal`).
const DECIMAL_PATTERN: &str = "^-?0*[0-9]{1,20}([.][0-9]{1,6})?$";

/// Field rules by property name and JSON type: the same name means the same
/// kind of value everywhere in the API's requests (an AGB code is always 8
/// digits). Blank names and reasons are refused as rules (422), not by a
/// pattern: regex engines disagree on what is white space.
fn rule_for(property: &str, json_type: &str) -> Option<Value> {
    let rule = match (property, json_type) {
        ("agbCode" | "providerAgb" | "agb" | "kvkNumber", "string") => {
            json!({ "pattern": "^[0-9]{8}$" })
        }
        ("cbsCode" | "municipalityCbs", "string") => json!({ "pattern": "^GM[0-9]{4}$" }),
        ("iwmoCategory", "string") => json!({ "pattern": "^[0-9]{2}$" }),
        ("clientBsn", "string") => json!({ "pattern": "^[0-9]{9}$" }),
        ("productCode", "string") => json!({ "maxLength": 5 }),
        // iWmo LDT_ReferentieNummer.
        ("referenceNumber" | "previousReferenceNumber", "string") => {
            json!({ "minLength": 1, "maxLength": 20 })
        }
        ("name" | "lastName", "string") => json!({ "minLength": 1, "maxLength": 200 }),
        // iWmo LDT_Voorvoegsel and LDT_Voorletters.
        ("prefix", "string") => json!({ "minLength": 1, "maxLength": 10 }),
        ("initials", "string") => {
            json!({ "minLength": 1, "maxLength": 6, "pattern": "^[A-Za-z]+$" })
        }
        ("reason" | "note" | "conditions" | "text", "string") => {
            json!({ "minLength": 1, "maxLength": 2000 })
        }
        ("documentReference", "string") => json!({ "minLength": 1, "maxLength": 200 }),
        ("price" | "startUp" | "hoursPerClient" | "hours" | "estimatedValue", "string") => {
            json!({ "pattern": NON_NEGATIVE_EUROS })
        }
        ("amount" | "budget", "string") => json!({ "pattern": POSITIVE_EUROS }),
        ("declaredAmount" | "declaredTariff", "string") => json!({ "pattern": EUROS_PATTERN }),
        ("forecast" | "definitive", "string") => json!({ "pattern": DECIMAL_PATTERN }),
        ("amount", "integer") => json!({ "minimum": 1, "maximum": 1_000_000 }),
        ("extraHoursPerWeek", "integer") => json!({ "minimum": 1, "maximum": 168 }),
        ("inhabitants", "integer") => json!({ "minimum": 0 }),
        // declarations.rs: MAX_DELIVERED_VOLUME (below 1 is a line's ZR07).
        ("deliveredVolume", "integer") => json!({ "maximum": 999_999_999_999i64 }),
        ("year", "integer") => json!({ "minimum": MIN_YEAR, "maximum": MAX_YEAR }),
        ("productGroupCodes" | "municipalityCbsCodes", "array") => json!({ "minItems": 1 }),
        // contracts.rs: MAX_TERM_MONTHS and at most ten options.
        ("initialTermMonths", "integer") => json!({ "minimum": 1, "maximum": 600 }),
        ("extensionOptionsMonths", "array") => json!({
            "maxItems": 10,
            "items": { "type": "integer", "format": "int32", "minimum": 1, "maximum": 600 }
        }),
        // contracts.rs: MAX_NOTICE_MONTHS; contract_amendments.rs: MAX_EXTENSION_MONTHS.
        ("noticeMonths", "integer") => json!({ "minimum": 0, "maximum": 120 }),
        ("extensionMonths", "integer") => json!({ "minimum": 1, "maximum": 600 }),
        // bridging_agreements.rs: MAX_ALLOCATIONS.
        ("allocationNumbers", "array") => json!({ "minItems": 1, "maxItems": 10_000 }),
        // declarations.rs: MAX_LINES.
        ("lines", "array") => json!({ "minItems": 1, "maxItems": 10_000 }),
        _ => return None,
    };
    Some(rule)
}

/// The type a schema declares (`"string"`, or the first non-null of a list).
fn json_type(object: &Map<String, Value>) -> &str {
    match object.get("type") {
        Some(Value::String(t)) => t,
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or(""),
        _ => "",
    }
}

/// Completes the collected document (see the module comment).
pub fn complete(doc: &mut Value) {
    add_shared_responses(doc);
    if let Some(paths) = doc["paths"].as_object_mut() {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, operation) in item.iter_mut() {
                if matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                    complete_operation(path, operation);
                }
            }
        }
    }
    // Only what requests carry: an answer may hold what no request could
    // (a window computed before 1900, a name stored before a rule).
    let requests = request_schemas(doc);
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for (name, schema) in schemas.iter_mut() {
            if requests.contains(name) {
                constrain_schema(schema, None);
            }
        }
    }
}

/// The names of the component schemas a request body refers to, directly or
/// through other schemas.
fn request_schemas(doc: &Value) -> std::collections::BTreeSet<String> {
    fn refs(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    if let Some(name) = r.strip_prefix("#/components/schemas/") {
                        found.push(name.to_owned());
                    }
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let mut pending = Vec::new();
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for operation in item.as_object().into_iter().flat_map(|o| o.values()) {
            if let Some(body) = operation.get("requestBody") {
                refs(body, &mut pending);
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = pending.pop() {
        if seen.insert(name.clone()) {
            refs(&doc["components"]["schemas"][&name], &mut pending);
        }
    }
    seen
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
    })
}

fn add_shared_responses(doc: &mut Value) {
    let mut unauthorized = problem(
        "No valid bearer token: missing, expired, not yet valid, forged, of a revoked API client, or for another audience",
    );
    unauthorized["headers"] = json!({ "WWW-Authenticate": { "schema": { "type": "string" } } });
    let mut unavailable = problem(
        "The database or the job queue is unavailable; retry after the number of seconds in `Retry-After`",
    );
    unavailable["headers"] = json!({ "Retry-After": { "schema": { "type": "integer" }, "description": "Seconds to wait" } });
    let shared = json!({
        "BadRequest": problem("Invalid input: every invalid field is listed in `errors`"),
        "Unauthorized": unauthorized,
        "Forbidden": problem("The token's role may not do this, or lacks the municipality or AGB claim its role needs"),
        "NotFound": problem("No such resource in this region (another region's object is a 404 too)"),
        "PayloadTooLarge": problem("The request body is larger than the server accepts"),
        "UnsupportedMediaType": problem("The request body is not of the documented media type (JSON in UTF-8)"),
        "Unprocessable": problem("Well-formed input that breaks a rule no schema can say: a code that names nothing in this region, an end before its start, a business rule (`code` says which; `errors` lists the fields)"),
        "Unavailable": unavailable,
    });
    let responses = doc["components"]
        .as_object_mut()
        .map(|c| c.entry("responses").or_insert_with(|| json!({})));
    if let Some(Value::Object(responses)) = responses {
        if let Value::Object(shared) = shared {
            responses.extend(shared);
        }
    }
}

fn complete_operation(path: &str, operation: &mut Value) {
    let secured = operation["security"]
        .as_array()
        .is_some_and(|s| !s.is_empty());
    let has_body = operation.get("requestBody").is_some();
    let has_input = operation["parameters"].as_array().is_some_and(|params| {
        params
            .iter()
            .any(|p| matches!(p["in"].as_str(), Some("query" | "header")))
    });
    let mut shared = Vec::new();
    if has_body || has_input {
        shared.push(("400", "BadRequest"));
    }
    if secured {
        shared.push(("401", "Unauthorized"));
        shared.push(("403", "Forbidden"));
    }
    if path.contains('{') {
        shared.push(("404", "NotFound"));
    }
    if has_body {
        shared.push(("413", "PayloadTooLarge"));
        shared.push(("415", "UnsupportedMediaType"));
        shared.push(("422", "Unprocessable"));
    }
    // Liveness answers without the database; everything else may need it.
    if path != "/api/v1/health" {
        shared.push(("503", "Unavailable"));
    }
    if let Some(responses) = operation["responses"].as_object_mut() {
        for (status, response) in responses.iter_mut() {
            if response.get("description") == Some(&json!("")) {
                response["description"] = json!(reason(status));
            }
        }
        for (status, name) in shared {
            responses
                .entry(status)
                .or_insert_with(|| json!({ "$ref": format!("#/components/responses/{name}") }));
        }
    }
    // Parameters: dates and years are checked wherever they come from; a
    // code filter (`providerAgb=…`) that matches nothing is an empty list.
    // `get_mut`: indexing a missing key mutably would insert `null`.
    if let Some(params) = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
    {
        for param in params {
            let name = param["name"].as_str().unwrap_or("").to_owned();
            let Some(schema) = param.get_mut("schema") else {
                continue;
            };
            match name.as_str() {
                "year" => constrain_schema(schema, Some("year")),
                // `idempotency_key` in declarations.rs.
                "Idempotency-Key" => {
                    if let Some(object) = schema.as_object_mut() {
                        object.extend(
                            json!({ "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$" })
                                .as_object()
                                .cloned()
                                .unwrap_or_default(),
                        );
                    }
                }
                _ => constrain_schema(schema, None),
            }
        }
    }
}

/// The description of a response a handler left without one.
fn reason(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted: the work is queued; follow `jobId`",
        "204" => "Done; no content",
        "400" => "Invalid input: every invalid field is listed in `errors`",
        "404" => "No such resource in this region",
        "409" => "Conflict with the resource's current state (`code` says which)",
        "422" => "A business rule refused the request (`code` says which)",
        _ => "See `code` in the problem document",
    }
}

/// Adds the rules of `rule_for` and the date range to a schema and, through
/// objects, arrays and combinators, to everything inside it.
fn constrain_schema(schema: &mut Value, property: Option<&str>) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if json_type(object) == "string" && object.get("format") == Some(&json!("date")) {
        object.insert("pattern".into(), json!(DATE_PATTERN));
    }
    if let Some(Value::Object(rule)) = property.and_then(|p| rule_for(p, json_type(object))) {
        object.extend(rule);
    }
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        for (name, value) in properties.iter_mut() {
            constrain_schema(value, Some(name));
        }
    }
    if let Some(items) = object.get_mut("items") {
        // `municipalityCbsCodes: [..]` holds what `municipalityCbs` does.
        constrain_schema(items, property.and_then(|p| p.strip_suffix("Codes")));
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(Value::Array(parts)) = object.get_mut(combinator) {
            for part in parts {
                constrain_schema(part, property);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_get_the_shared_answers() {
        let mut op = json!({
            "security": [{ "bearer": [] }],
            "requestBody": {},
            "responses": { "201": {}, "400": { "description": "own" } },
        });
        complete_operation("/api/v1/regions/{regionCode}/providers", &mut op);
        let codes: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
        assert_eq!(
            codes,
            ["201", "400", "401", "403", "404", "413", "415", "422", "503"]
        );
        assert_eq!(op["responses"]["400"]["description"], "own");
    }

    #[test]
    fn fields_get_their_rules() {
        let mut schema = json!({
            "type": "object",
            "properties": {
                "agbCode": { "type": "string" },
                "municipalityCbsCodes": { "type": "array", "items": { "type": "string" } },
                "year": { "type": "integer" },
                "startDate": { "type": "string", "format": "date" },
                "name": { "type": "string" },
            }
        });
        constrain_schema(&mut schema, None);
        let p = &schema["properties"];
        assert_eq!(p["agbCode"]["pattern"], "^[0-9]{8}$");
        assert_eq!(
            p["municipalityCbsCodes"]["items"]["pattern"],
            "^GM[0-9]{4}$"
        );
        assert_eq!(p["year"]["maximum"], MAX_YEAR);
        assert_eq!(p["startDate"]["pattern"], DATE_PATTERN);
        assert!(p["name"].get("pattern").is_none());
    }
}
