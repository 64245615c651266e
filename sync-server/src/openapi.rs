//! The OpenAPI document generated from the handlers, and the page that browses it.

mod conventions;
pub mod fields;

use conventions::Conventions;

use axum::{Json, response::Html};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};

use crate::services::{
    analytics, audit, auth, catalog, company, debt, inventory, sales, shop, sync,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Kassa API", description = "Kassa sync-server: platform, company, shop and identity services. Errors are always `{code, message, details}`."),
    paths(
        crate::health::health,
        auth::routes::register, auth::routes::login, auth::routes::refresh, auth::routes::logout,
        auth::routes::me, auth::routes::update_me, auth::routes::change_password, auth::routes::pin_login,
        auth::routes::device_token,
        company::routes::create_company, company::routes::list_companies, company::routes::get_company,
        company::routes::update_company, company::routes::delete_company, company::routes::get_settings,
        company::routes::put_settings, company::routes::put_plan,
        shop::routes::create_shop, shop::routes::list_shops, shop::routes::get_shop, shop::routes::update_shop,
        shop::routes::delete_shop, shop::routes::put_hours,
        shop::staff::add_staff, shop::staff::list_staff, shop::staff::remove_staff, shop::staff::set_pin,
        shop::locations::add_location, shop::locations::list_locations,
        shop::terminals::create_enrollment_code, shop::terminals::enroll_terminal,
        shop::terminals::list_terminals, shop::terminals::revoke_terminal,
        audit::routes::list_audit, audit::routes::verify_audit,
        catalog::routes::create_product, catalog::routes::list_products, catalog::routes::get_product,
        catalog::routes::update_product, catalog::routes::delete_product, catalog::import::import_products,
        catalog::sheet::import_csv, catalog::sheet::export_csv,
        catalog::variants::create_variant, catalog::variants::list_variants,
        catalog::categories::list_categories,
        catalog::prices::set_shop_price, catalog::prices::remove_shop_price, catalog::prices::get_shop_price,
        catalog::prices::list_shop_prices,
        catalog::promotions::create_promotion, catalog::promotions::put_promotion,
        catalog::promotions::end_promotion, catalog::promotions::get_promotion,
        catalog::promotions::list_promotions,
        inventory::balances::list_balances, inventory::exceptions::list_exceptions,
        inventory::exceptions::resolve_exception, inventory::movements::list_movements,
        inventory::routes::adjust, inventory::routes::set_reorder_level,
        inventory::balances::list_low_stock,
        sales::routes::list_orders, sales::routes::get_order,
        sales::shifts::list_shifts, sales::shifts::get_shift,
        debt::routes::list_customers, debt::routes::create_customer, debt::routes::get_customer,
        debt::routes::update_customer, debt::payments::take_payment,
        sync::routes::config, sync::routes::state_of, sync::routes::push, sync::routes::stream_page,
        sync::routes::receipt_key,
        crate::realtime::presence::list,
        analytics::routes::dashboard, analytics::routes::export,
        sales::receipts_email::email_receipt,
    ),
    components(schemas(pos_shared::error::WireError, pos_shared::error::FieldError)),
    modifiers(&BearerAuth, &Conventions),
)]
pub struct ApiDoc;

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
