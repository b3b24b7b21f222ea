//! The domain's error: what an operation refuses and why, with no HTTP in
//! it. The API maps it to problem+json in one place (`api::error`), a job
//! to its failure (`runs::JobError`).

use sea_orm::DbErr;

/// One invalid input field.
#[derive(Debug, Clone, PartialEq, Eq)]
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

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// No such object in the caller's scope (or one the party may not see).
    #[error("not found")]
    NotFound,
    /// The party may not do this.
    #[error("this party may not do this")]
    Forbidden,
    /// Input that is wrong in itself, per field.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Well-formed input that breaks a rule no schema can say (an unknown
    /// reference, an end before its start), per field.
    #[error("unprocessable input")]
    Unprocessable(Vec<FieldError>),
    /// A state conflict with a stable code (duplicate, overlap, in use, …).
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// A business rule refused a valid request, with its stable code.
    #[error("{detail}")]
    Rule { code: &'static str, detail: String },
    /// A dependency (the database, the job queue) is away; nothing changed.
    #[error("{what} is unavailable")]
    Unavailable { what: &'static str, cause: String },
    #[error("internal error: {0}")]
    Internal(String),
}

pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
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
}

/// Whether `err` means the database is away (no connection in the acquire
/// timeout, a broken or refused connection, a server shutting down or
/// starting up) rather than a query being wrong.
pub fn database_unavailable(err: &DbErr) -> bool {
    use sea_orm::{sqlx, RuntimeErr};
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            match &**e {
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => true,
                // SQLSTATE 08: connection exception; 57P: operator
                // intervention (shutdown, crash recovery, starting up).
                sqlx::Error::Database(db) => db
                    .code()
                    .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
                _ => false,
            }
        }
        _ => false,
    }
}

impl From<DbErr> for DomainError {
    fn from(err: DbErr) -> Self {
        use sea_orm::SqlErr;
        if database_unavailable(&err) {
            return Self::Unavailable {
                what: "the database",
                cause: err.to_string(),
            };
        }
        const IN_USE: &str =
            "The resource is referenced by other resources and cannot be changed this way.";
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                Self::conflict("ZR-DUPLICATE", "A resource with this key already exists.")
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => Self::conflict("ZR-IN-USE", IN_USE),
            // SQLite reports an ON DELETE RESTRICT violation with the extended
            // code 1811, which sea-orm does not classify.
            _ if err.to_string().contains("FOREIGN KEY constraint failed") => {
                Self::conflict("ZR-IN-USE", IN_USE)
            }
            _ => Self::Internal(err.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ConnAcquireErr;

    #[test]
    fn a_database_that_is_away_is_unavailable() {
        let err = DomainError::from(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout));
        assert!(matches!(
            err,
            DomainError::Unavailable {
                what: "the database",
                ..
            }
        ));
    }

    #[test]
    fn a_wrong_query_is_internal() {
        let err = DomainError::from(DbErr::Custom("no such column".into()));
        assert!(matches!(err, DomainError::Internal(_)));
    }
}
