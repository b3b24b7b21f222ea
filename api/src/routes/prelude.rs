//! What the route modules share: actix's handler pieces, the scoped
//! permissions, errors, input, pagination and the app state, and the derives
//! of their input and view types. A route module starts with
//! `use super::prelude::*;` and imports only what is its own.

pub use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
pub use serde::{Deserialize, Serialize};
pub use utoipa::{IntoParams, ToSchema};

pub use crate::{
    auth::{
        Allocate, Declare, Enrol, Exchange, ManageApiClients, ManageCatalogue, ManageContracts,
        Monitor, Permission, ReadAudit, ReadEnrolments, ReadJobs, ReadMonitor, ReadRegion, Scoped,
    },
    error::{ApiError, ApiResult, Problem},
    input::{Body, Check},
    pagination::{fetch_page, Page, PageQuery},
    state::AppState,
};
