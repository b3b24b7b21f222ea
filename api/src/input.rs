//! Reading input: a JSON body extractor that reports the field at fault;
//! [`Check`] (in the domain) parses raw fields into domain types while
//! collecting *every* invalid field, so one 400 lists them all.

use std::{future::Future, pin::Pin};

use actix_web::{dev::Payload, http::StatusCode, web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

pub use domain::check::{is_cbs_code, Check};

use crate::error::{ApiError, FieldError};

/// A JSON request body. Unknown fields and wrong types are 400s naming the
/// field; the size limit is the app's `PayloadConfig` (413 beyond it).
///
/// Its errors wait for [`Body::take`]: actix runs extractors side by side,
/// and an unauthenticated or unauthorised caller must get 401/403/404 from
/// the auth extractor, never a 400 about a body it may not send.
pub struct Body<T>(Result<T, ApiError>);

impl<T> Body<T> {
    pub fn take(self) -> Result<T, ApiError> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_json_body::<T>(req, payload);
        Box::pin(async move { Ok(Body(body.await)) })
    }
}

fn read_json_body<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
) -> impl Future<Output = Result<T, ApiError>> + 'static {
    {
        let is_json = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_json_in_utf8);
        let bytes = web::Bytes::from_request(req, payload);
        async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "expected application/json".into(),
                ));
            }
            let bytes = bytes.await.map_err(|e| {
                if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::invalid("", "the request body could not be read")
                }
            })?;
            if has_escaped_nul(&bytes) {
                return Err(ApiError::invalid("", NUL_MESSAGE));
            }
            parse_json(&bytes)
        }
    }
}

/// An XML request body (an iWmo/iJw message): `application/xml` or
/// `text/xml` in UTF-8, as raw bytes for the message parser. Errors wait
/// for [`XmlBody::take`], like [`Body`]'s.
pub struct XmlBody(Result<web::Bytes, ApiError>);

impl XmlBody {
    pub fn take(self) -> Result<web::Bytes, ApiError> {
        self.0
    }
}

impl FromRequest for XmlBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    /// Reads up to `MAX_MESSAGE_BYTES` (a 323 of 10,000 prestaties is about
    /// 8 MB, more than the JSON body limit allows).
    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        use futures_util::StreamExt;
        let is_xml = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_xml_in_utf8);
        let limit = req
            .app_data::<web::Data<crate::state::AppState>>()
            .map_or(crate::config::DEFAULT_MAX_MESSAGE_BYTES, |s| {
                s.config.max_message_bytes
            });
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_xml {
                return Ok(XmlBody(Err(ApiError::UnsupportedMediaType(
                    "expected application/xml".into(),
                ))));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let Ok(chunk) = chunk else {
                    return Ok(XmlBody(Err(ApiError::invalid(
                        "",
                        "the request body could not be read",
                    ))));
                };
                if body.len() + chunk.len() > limit {
                    return Ok(XmlBody(Err(ApiError::PayloadTooLarge)));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(XmlBody(Ok(body.freeze())))
        })
    }
}

fn is_xml_in_utf8(content_type: &str) -> bool {
    let mut parts = content_type.split(';').map(str::trim);
    let mime = parts.next().unwrap_or("").to_ascii_lowercase();
    let xml = mime == "application/xml" || mime == "text/xml";
    xml && parts.all(|param| match param.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
            value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    })
}

pub const NUL_MESSAGE: &str = "must not contain the NUL character (U+0000)";

/// `application/json` or `…+json`, with no charset or UTF-8 (RFC 8259:
/// JSON exchanged between systems is UTF-8).
fn is_json_in_utf8(content_type: &str) -> bool {
    let mut parts = content_type.split(';').map(str::trim);
    let mime = parts.next().unwrap_or("").to_ascii_lowercase();
    let json = mime == "application/json" || mime.ends_with("+json");
    json && parts.all(|param| match param.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
            value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    })
}

/// Whether a JSON text holds U+0000 in a string: as `\u0000` (an escape,
/// i.e. preceded by an odd number of backslashes) or as a raw byte (which
/// the parser refuses anyway). PostgreSQL cannot store it in text, so it is
/// refused at the edge on every database.
fn has_escaped_nul(bytes: &[u8]) -> bool {
    if bytes.contains(&0) {
        return true;
    }
    let mut from = 0;
    while let Some(at) = bytes[from..].windows(5).position(|w| w == b"u0000") {
        let at = from + at;
        let backslashes = bytes[..at]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        if backslashes % 2 == 1 {
            return true;
        }
        from = at + 5;
    }
    false
}

/// For `#[serde(default, deserialize_with = "present")]` on a PATCH field
/// that may be absent (`None`, left as it is), `null` (`Some(None)`,
/// cleared) or a value.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Deserializes a JSON object, reporting the path of the offending field.
/// Every body is an object: serde would also fill a struct from an array
/// (fields by position), which the spec does not allow.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(ApiError::invalid("", "the body must be a JSON object"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let first = serde_path_to_error::deserialize(&mut deserializer);
    // JSON does not tell 2024 from 2024.0, and a JSON Schema `integer`
    // allows both: read whole numbers written as decimals as integers (only
    // when the fast path failed, so a normal body is parsed once).
    let result = match first {
        Err(e)
            if e.inner()
                .to_string()
                .contains("invalid type: floating point") =>
        {
            let mut value: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|e| ApiError::invalid("", e.to_string()))?;
            whole_numbers_as_integers(&mut value);
            serde_path_to_error::deserialize(value)
        }
        other => other,
    };
    result.map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { String::new() } else { path };
        ApiError::Validation(vec![FieldError::new(field, e.inner().to_string())])
    })
}

fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // Within i64; a larger whole number stays a float and is refused.
            if f.fract() == 0.0 && (-9.2e18..=9.2e18).contains(&f) {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_only_where_it_is_a_character() {
        assert!(has_escaped_nul(br#"{"name": "a\u0000b"}"#));
        assert!(has_escaped_nul(br#"{"name": "\\\u0000"}"#));
        assert!(has_escaped_nul(b"{\"name\": \"a\0\"}"));
        // An escaped backslash followed by the text u0000 is no NUL.
        assert!(!has_escaped_nul(br#"{"name": "\\u0000"}"#));
        assert!(!has_escaped_nul(br#"{"name": "u0000"}"#));
    }

    #[test]
    fn whole_numbers_may_be_written_as_decimals() {
        #[derive(serde::Deserialize, Debug)]
        struct Year {
            year: i32,
        }
        let parsed: Year = parse_json(br#"{"year": 2024.0}"#).unwrap();
        assert_eq!(parsed.year, 2024);
        let Err(ApiError::Validation(errors)) = parse_json::<Year>(br#"{"year": 2024.5}"#) else {
            panic!("a fraction is no year")
        };
        assert_eq!(errors[0].field, "year");
    }

    #[test]
    fn json_must_be_utf8() {
        assert!(is_json_in_utf8("application/json"));
        assert!(is_json_in_utf8("application/json; charset=UTF-8"));
        assert!(is_json_in_utf8("application/merge-patch+json"));
        assert!(!is_json_in_utf8("application/json; charset=latin1"));
        assert!(!is_json_in_utf8("text/plain"));
    }
}
