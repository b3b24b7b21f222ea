//! What the edge answers before any handler: a NUL character in the path or
//! query (400: PostgreSQL cannot store it, and no code or key holds one),
//! and a path the API has but not with this method (405 with `Allow`),
//! apart from a path it does not have at all (404).

use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
    HttpRequest, HttpResponse,
};

use crate::{error::ApiError, input::NUL_MESSAGE};

/// Refuses `%00` in the path or query string (a URI can carry U+0000 no
/// other way).
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let uri = req.uri();
    let field = if uri.path().contains("%00") {
        Some("path")
    } else if uri.query().is_some_and(|q| q.contains("%00")) {
        Some("query")
    } else {
        None
    };
    if let Some(field) = field {
        let response = HttpResponse::from_error(ApiError::invalid(field, NUL_MESSAGE));
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// No route took the request: 405 with the allowed methods when the path is
/// one of the API's, 404 otherwise.
pub async fn unrouted(req: HttpRequest) -> HttpResponse {
    let allowed = allowed_methods(req.path());
    if allowed.is_empty() {
        return HttpResponse::from_error(ApiError::NotFound);
    }
    let mut response =
        HttpResponse::from_error(ApiError::MethodNotAllowed(req.method().to_string()));
    response.headers_mut().insert(
        header::ALLOW,
        header::HeaderValue::from_str(&allowed.join(", "))
            .unwrap_or(header::HeaderValue::from_static("GET")),
    );
    response
}

/// The methods the OpenAPI document lists for the path template `path`
/// matches (`{name}` matches one segment).
fn allowed_methods(path: &str) -> Vec<&'static str> {
    static ROUTES: std::sync::OnceLock<Vec<(Vec<String>, Vec<&'static str>)>> =
        std::sync::OnceLock::new();
    let routes = ROUTES.get_or_init(|| {
        let paths = crate::openapi_document()["paths"].as_object();
        paths
            .into_iter()
            .flatten()
            .map(|(template, item)| {
                let methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
                    .into_iter()
                    .filter(|method| item.get(method.to_lowercase()).is_some())
                    .collect();
                (template.split('/').map(str::to_owned).collect(), methods)
            })
            .collect()
    });
    let segments: Vec<&str> = path.split('/').collect();
    routes
        .iter()
        .filter(|(template, _)| {
            template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s)
        })
        .flat_map(|(_, methods)| methods.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collections_allow_their_methods() {
        let allowed = allowed_methods("/api/v1/regions/x/providers");
        assert_eq!(allowed, ["GET", "POST"]);
        assert!(allowed_methods("/api/v1/regions/x/nothing").is_empty());
        assert!(allowed_methods("/api/v1/regions/x/providers/").is_empty());
    }
}
