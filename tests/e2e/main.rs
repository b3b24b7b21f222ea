//! End-to-end tests through HTTP. Each test runs twice: on a fresh SQLite
//! file and on PostgreSQL (`TEST_DATABASE_URL`), in a region of its own.

pub use e2e::{e2e, json, seed_catalogue, Reply, Role, StatusCode, TestApp, Value};

mod allocation_rules;
mod architecture;
mod audit;
mod auth;
mod care_flow;
mod care_overlaps;
mod catalogue;
mod contract_life;
mod contracts;
mod corrections;
mod coverage;
mod cut_off;
mod dashboard;
mod demo;
mod edges;
mod errors;
mod faults;
mod funding;
mod indexation;
mod iwmo;
mod migrations;
mod openapi;
mod outflow;
mod parties;
mod places;
mod procurements;
mod providers;
mod referrers;
mod report_sections;
mod reports;
mod schema;
mod scorecards;
mod tariffs;
mod tenancy;
mod turning_18;
mod waiting_list;
