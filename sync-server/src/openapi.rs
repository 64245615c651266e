//! The OpenAPI document generated from the handlers, and the page that browses it.

mod conventions;
pub mod fields;

use conventions::Conventions;

use axum::{Json, response::Html};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};

/// The document's frame: what belongs to no service (health, presence), the shared error
/// schemas and the title. Each service adds its own operations (`Service::openapi`).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kassa API",
        description = "Kassa sync-server: platform, company, shop and identity services. Errors are always `{code, message, details}`."
    ),
    paths(crate::health::health, crate::realtime::presence::list),
    components(schemas(pos_shared::error::WireError, pos_shared::error::FieldError))
)]
struct Frame;

/// The whole document: the frame, every service's part (whether or not this process runs
/// it, as one gateway fronts them all), then the conventions applied over all of them.
pub struct ApiDoc;

impl OpenApi for ApiDoc {
    fn openapi() -> utoipa::openapi::OpenApi {
        let mut doc = Frame::openapi();
        for service in crate::services::ALL {
            doc.merge((service.openapi)());
        }
        BearerAuth.modify(&mut doc);
        Conventions.modify(&mut doc);
        doc
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// A dependency-free browsable page: every operation with its method, path, summary and
/// responses, rendered client-side from /api/openapi.json.
pub async fn docs_page() -> Html<&'static str> {
    Html(include_str!("openapi-page.html"))
}
