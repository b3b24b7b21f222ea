//! Logging in and out of the dashboard. The form posts an API client's id
//! and secret (checked as the token endpoint checks them) or a token of the
//! identity provider; the token goes into the session cookie, never into a
//! URL. Posts from another origin are refused.

use actix_web::{
    cookie::{time::Duration, Cookie, SameSite},
    http::{header, StatusCode},
    web, HttpRequest, HttpResponse,
};
use entities::schema::region;
use maud::{html, Markup};
use sea_orm::{EntityTrait, QueryOrder};
use serde::Deserialize;

use super::{first_page, html_response, layout, PageError, PageResult, COOKIE};
use crate::{auth::Claims, routes::auth_token, state::AppState};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoginForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    token: String,
}

fn login_page(status: StatusCode, problem: Option<&str>) -> HttpResponse {
    let body: Markup = html! {
        @if let Some(problem) = problem {
            p.problem role="alert" { (problem) }
        }
        form.login method="post" action="/dashboard/login" {
            fieldset {
                legend { "Met een API-client" }
                label for="clientId" { "Client-id" }
                input id="clientId" name="clientId" autocomplete="username";
                label for="clientSecret" { "Geheim" }
                input id="clientSecret" name="clientSecret" type="password" autocomplete="current-password";
            }
            fieldset {
                legend { "Of met een token" }
                label for="token" { "Token van de identiteitsprovider (of van " code { "api token" } ")" }
                textarea id="token" name="token" rows="3" {}
            }
            button type="submit" { "Inloggen" }
        }
    };
    html_response(status, layout("Inloggen", None, body))
}

/// `GET /dashboard/login`
pub async fn form() -> HttpResponse {
    login_page(StatusCode::OK, None)
}

/// A post must come from this site: SameSite=Strict keeps the cookie off
/// other sites' requests, and this keeps their forms out.
fn same_origin(req: &HttpRequest) -> bool {
    let host = req.connection_info().host().to_owned();
    match req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    {
        None => true,
        Some(origin) => origin.split_once("://").map(|(_, h)| h) == Some(host.as_str()),
    }
}

/// Refuses a post from another site.
pub fn check_origin(req: &HttpRequest) -> Result<(), PageError> {
    if same_origin(req) {
        Ok(())
    } else {
        Err(PageError::Status(
            StatusCode::FORBIDDEN,
            "Dit formulier kwam van een andere site.",
        ))
    }
}

/// `POST /dashboard/login`
pub async fn submit(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> PageResult {
    check_origin(&req)?;
    let form: LoginForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let claims = if !form.token.trim().is_empty() {
        state.jwt.verify(form.token.trim())
    } else if !form.client_id.is_empty() && !form.client_secret.is_empty() {
        auth_token::authenticate(&state, &form.client_id, &form.client_secret).await
    } else {
        return Ok(login_page(
            StatusCode::BAD_REQUEST,
            Some("Vul een client-id en geheim in, of een token."),
        ));
    };
    let claims = match claims {
        Ok(claims) => claims,
        Err(crate::error::ApiError::Unauthorized(_)) => {
            return Ok(login_page(
                StatusCode::UNAUTHORIZED,
                Some("Deze gegevens geven geen toegang."),
            ))
        }
        Err(other) => return Err(other.into()),
    };
    let token = match form.token.trim() {
        "" => state.jwt.sign(&claims)?,
        given => given.to_owned(),
    };
    let cookie = session_cookie(&state, &claims, token);
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, start_page(&claims)))
        .cookie(cookie)
        .finish())
}

fn session_cookie(state: &AppState, claims: &Claims, token: String) -> Cookie<'static> {
    let seconds = (claims.exp - chrono::Utc::now().timestamp()).max(0);
    Cookie::build(COOKIE, token)
        .path("/dashboard")
        .http_only(true)
        .same_site(SameSite::Strict)
        // Development (the built-in JWT secret) runs on plain http.
        .secure(!state.config.jwt.secret_is_default)
        .max_age(Duration::seconds(seconds))
        .finish()
}

/// The cookie that removes the session.
pub fn expired_cookie() -> Cookie<'static> {
    let mut cookie = Cookie::build(COOKIE, "")
        .path("/dashboard")
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish();
    cookie.make_removal();
    cookie
}

/// Where a person lands: the region chooser for the platform, else the
/// first page the role may open.
fn start_page(claims: &Claims) -> String {
    match (claims.region.as_str(), first_page(claims.role)) {
        ("*", _) => "/dashboard/regions".to_owned(),
        (region, Some(page)) => format!("/dashboard/{region}/{page}"),
        (_, None) => "/dashboard/login".to_owned(),
    }
}

/// `POST /dashboard/logout`
pub async fn logout(req: HttpRequest) -> PageResult {
    check_origin(&req)?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/dashboard/login"))
        .cookie(expired_cookie())
        .finish())
}

fn session(req: &HttpRequest, state: &AppState) -> Result<Claims, PageError> {
    let token = req.cookie(COOKIE).ok_or(PageError::Login)?;
    Ok(state.jwt.verify(token.value())?)
}

/// `GET /dashboard`: the start page of whoever is logged in.
pub async fn home(req: HttpRequest, state: web::Data<AppState>) -> PageResult {
    let claims = session(&req, &state)?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, start_page(&claims)))
        .finish())
}

/// `GET /dashboard/regions`: the platform administrator picks a region.
pub async fn regions(req: HttpRequest, state: web::Data<AppState>) -> PageResult {
    let claims = session(&req, &state)?;
    if claims.region != "*" {
        return Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, start_page(&claims)))
            .finish());
    }
    #[allow(clippy::disallowed_methods)] // the platform sees every region
    let all = region::Entity::find()
        .order_by_asc(region::Column::Name)
        .all(&state.db)
        .await?;
    let body = html! {
        ul.regions {
            @for r in &all {
                li { a href=(format!("/dashboard/{}/monitor", r.code)) { (r.name) } }
            }
        }
    };
    Ok(html_response(StatusCode::OK, layout("Regio's", None, body)))
}
