//! The zorgregie HTTP API: routes per resource, auth and tenancy extractors,
//! problem+json errors and the OpenAPI document generated from the handlers.

pub mod app;
pub mod auth;
pub mod config;
pub mod csv;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod dutch;
pub mod edge;
pub mod error;
pub mod input;
pub mod pagination;
pub mod region_cache;
pub mod report_files;
pub mod routes;
pub mod spec;
pub mod state;

pub use app::{build_state, openapi_document, openapi_json, serve, server};
