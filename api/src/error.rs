//! One error type for the whole API, mapped to `application/problem+json`
//! (RFC 9457) in one place. Each kind has a stable machine code in `code`.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use domain::DomainError;
use sea_orm::DbErr;
use serde::Serialize;
use utoipa::ToSchema;

/// One invalid input field.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    /// JSON path of the field, e.g. `validFrom` or `population[1].year`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine code, e.g. `ZR-TARIFF-OVERLAP`.
    pub code: String,
    /// Every invalid field, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication required: {0}")]
    Unauthorized(String),
    #[error("this role may not do this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// Well-formed input that breaks a rule no schema can say (an unknown
    /// reference, an end before its start), per field.
    #[error("unprocessable input")]
    Unprocessable(Vec<FieldError>),
    /// A state conflict with a stable code (duplicate, overlap, in use, …).
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// A business rule refused a valid request.
    #[error("{detail}")]
    Rule { code: &'static str, detail: String },
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("{0} is not allowed on this resource")]
    MethodNotAllowed(String),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// A dependency (the database, the job queue) is away: 503 with
    /// `Retry-After`; nothing was changed, so the client may simply retry.
    #[error("{what} is unavailable")]
    Unavailable { what: &'static str, cause: String },
    #[error("internal error: {0}")]
    Internal(String),
}

/// Seconds a client waits before retrying a 503 (`Retry-After`).
pub const RETRY_AFTER_SECONDS: u32 = 5;

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    pub fn unprocessable(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Unprocessable(vec![FieldError::new(field, message)])
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn rule(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Rule {
            code,
            detail: detail.into(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized(_) => "ZR-UNAUTHORIZED",
            Self::Forbidden => "ZR-FORBIDDEN",
            Self::NotFound => "ZR-NOT-FOUND",
            Self::Validation(_) => "ZR-VALIDATION",
            Self::Unprocessable(_) => "ZR-UNPROCESSABLE",
            Self::Conflict { code, .. } | Self::Rule { code, .. } => code,
            Self::PayloadTooLarge => "ZR-PAYLOAD-TOO-LARGE",
            Self::MethodNotAllowed(_) => "ZR-METHOD-NOT-ALLOWED",
            Self::UnsupportedMediaType(_) => "ZR-UNSUPPORTED-MEDIA-TYPE",
            Self::Unavailable { .. } => "ZR-UNAVAILABLE",
            Self::Internal(_) => "ZR-INTERNAL",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::Unauthorized(_) => "Unauthorized",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "Not Found",
            Self::Validation(_) => "Invalid input",
            Self::Unprocessable(_) => "Unprocessable input",
            Self::Conflict { .. } => "Conflict",
            Self::Rule { .. } => "Rule violated",
            Self::PayloadTooLarge => "Payload Too Large",
            Self::MethodNotAllowed(_) => "Method Not Allowed",
            Self::UnsupportedMediaType(_) => "Unsupported Media Type",
            Self::Unavailable { .. } => "Service Unavailable",
            Self::Internal(_) => "Internal Server Error",
        }
    }

    pub fn to_problem(&self) -> Problem {
        let detail = match self {
            // A 5xx never tells the client its cause; the log does.
            Self::Internal(_) => "The server failed to handle this request.".to_owned(),
            Self::Validation(errors) => format!("{} field(s) are invalid.", errors.len()),
            Self::Unprocessable(errors) => format!(
                "{} field(s) break a rule of the region's data or between fields.",
                errors.len()
            ),
            Self::NotFound => "No such resource.".to_owned(),
            Self::Unavailable { what, .. } => format!(
                "{} is unavailable; nothing was changed. Try again in {RETRY_AFTER_SECONDS} seconds.",
                capitalized(what)
            ),
            other => other.to_string(),
        };
        let code = self.code();
        Problem {
            kind: format!("https://zorgregie.nl/problems/{}", code.to_lowercase()),
            title: self.title().to_owned(),
            status: self.status_code().as_u16(),
            detail,
            code: code.to_owned(),
            errors: match self {
                Self::Validation(errors) | Self::Unprocessable(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Validation(_) => StatusCode::BAD_REQUEST,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Rule { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(%cause, "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::Unauthorized(_) => {
                response.insert_header(("WWW-Authenticate", "Bearer"));
            }
            Self::Unavailable { what, cause } => {
                tracing::warn!(%what, %cause, "answering 503");
                response.insert_header(("Retry-After", RETRY_AFTER_SECONDS.to_string()));
            }
            _ => {}
        }
        response
            .content_type("application/problem+json")
            .json(self.to_problem())
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub use domain::error::database_unavailable;

impl From<worker::queue::EnqueueError> for ApiError {
    fn from(err: worker::queue::EnqueueError) -> Self {
        match err {
            worker::queue::EnqueueError::Queue(cause) => Self::Unavailable {
                what: "the job queue",
                cause,
            },
            worker::queue::EnqueueError::Database(e) => e.into(),
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        DomainError::from(err).into()
    }
}

/// The one place where the domain's refusals become HTTP answers.
impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        let fields = |errors: Vec<domain::FieldError>| {
            errors
                .into_iter()
                .map(|e| FieldError::new(e.field, e.message))
                .collect()
        };
        match err {
            DomainError::NotFound => Self::NotFound,
            DomainError::Forbidden => Self::Forbidden,
            DomainError::Invalid(errors) => Self::Validation(fields(errors)),
            DomainError::Unprocessable(errors) => Self::Unprocessable(fields(errors)),
            DomainError::Conflict { code, detail } => Self::Conflict { code, detail },
            DomainError::Rule { code, detail } => Self::Rule { code, detail },
            DomainError::Unavailable { what, cause } => Self::Unavailable { what, cause },
            DomainError::Internal(cause) => Self::Internal(cause),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ConnAcquireErr;

    #[test]
    fn a_database_that_is_away_is_a_503_with_retry_after() {
        let err = ApiError::from(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout));
        let response = err.error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok()),
            Some("5")
        );
        let problem = err.to_problem();
        assert_eq!(problem.code, "ZR-UNAVAILABLE");
        assert!(problem.detail.starts_with("The database is unavailable"));
    }

    #[test]
    fn a_wrong_query_stays_a_500() {
        let err = ApiError::from(DbErr::Custom("no such column".into()));
        assert_eq!(err.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
