//! The till's verbs as Tauri commands: each one unpacks its arguments, calls the same
//! `pos_core::app::Till` method the tests drive, and answers `{code, message}` on error.
//! Nothing here decides anything.

use std::collections::BTreeMap;
use std::sync::Arc;

use pos_core::app::views::{
    CartView, CompletedSale, CustomerView, DiscountView, ParkedView, ProductHit, QuickKeyGroup,
    ReceiptEmailView, RefundDone, RefundItem, SaleLookup, SessionView, ShiftReportView, StaffView,
    StockView, SyncView, ZView,
};
use pos_core::app::{ApiError, StandaloneSetup, Till};
use tauri::{AppHandle, State};

use crate::{background, devices};

type Res<T> = Result<T, ApiError>;
type TillState<'a> = State<'a, Arc<Till>>;

/// The terminal application's version (the desktop crate's package version).
#[tauri::command]
pub fn app_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[tauri::command]
pub async fn session(till: TillState<'_>) -> Res<SessionView> {
    Ok(till.session().await?)
}

#[tauri::command]
pub async fn setup_standalone(
    till: TillState<'_>,
    shop_name: String,
    currency: String,
    manager_name: String,
    manager_pin: String,
) -> Res<SessionView> {
    let setup = StandaloneSetup {
        shop_name,
        currency,
        manager_name,
        manager_pin,
    };
    Ok(till.setup_standalone(&setup).await?)
}

#[tauri::command]
pub async fn enroll(
    app: AppHandle,
    till: TillState<'_>,
    server_url: String,
    code: String,
    ca_pem: Option<String>,
) -> Res<SessionView> {
    let name = format!("Till {}", hostname());
    background::catching_up(&app, true);
    let outcome = till
        .enroll(&server_url, &code, &name, ca_pem.as_deref())
        .await;
    background::catching_up(&app, false);
    let view = outcome?;
    background::start_sync(&app, till.inner().clone());
    Ok(view)
}

#[tauri::command]
pub async fn login_pin(till: TillState<'_>, pin: String) -> Res<SessionView> {
    Ok(till.login_pin(&pin).await?)
}

#[tauri::command]
pub async fn lock(till: TillState<'_>) -> Res<SessionView> {
    Ok(till.lock().await?)
}

#[tauri::command]
pub async fn logout(till: TillState<'_>, manager_pin: Option<String>) -> Res<SessionView> {
    Ok(till.logout(manager_pin.as_deref()).await?)
}

#[tauri::command]
pub async fn staff_list(till: TillState<'_>) -> Res<Vec<StaffView>> {
    Ok(till.staff_list().await?)
}

/// Quits the app; with facts still queued for the server a manager's PIN confirms.
#[tauri::command]
pub async fn quit(app: AppHandle, till: TillState<'_>, manager_pin: Option<String>) -> Res<i64> {
    let left = till
        .confirm_leaving_unsynced(manager_pin.as_deref())
        .await?;
    tracing::info!(queued = left, "quitting");
    app.exit(0);
    Ok(left)
}

#[tauri::command]
pub async fn search(till: TillState<'_>, query: String, limit: usize) -> Res<Vec<ProductHit>> {
    Ok(till.search(&query, limit).await?)
}

#[tauri::command]
pub async fn quick_keys(till: TillState<'_>) -> Res<Vec<QuickKeyGroup>> {
    Ok(till.quick_keys().await?)
}

#[tauri::command]
pub async fn stock(till: TillState<'_>, product_id: String) -> Res<StockView> {
    Ok(till.stock(&product_id).await?)
}

#[tauri::command]
pub async fn cart(till: TillState<'_>) -> Res<CartView> {
    Ok(till.cart().await?)
}

#[tauri::command]
pub async fn scan(till: TillState<'_>, code: String, qty_milli: Option<i64>) -> Res<CartView> {
    Ok(till.scan(&code, qty_milli).await?)
}

#[tauri::command]
pub async fn add_product(
    till: TillState<'_>,
    product_id: String,
    qty_milli: Option<i64>,
) -> Res<CartView> {
    Ok(till.add_product(&product_id, qty_milli).await?)
}

#[tauri::command]
pub async fn set_qty(till: TillState<'_>, line_id: String, qty_milli: i64) -> Res<CartView> {
    Ok(till.set_qty(&line_id, qty_milli).await?)
}

#[tauri::command]
pub async fn remove_line(till: TillState<'_>, line_id: String) -> Res<CartView> {
    Ok(till.remove_line(&line_id).await?)
}

#[tauri::command]
pub async fn set_price(
    till: TillState<'_>,
    line_id: String,
    unit_price_minor: i64,
    manager_pin: Option<String>,
) -> Res<CartView> {
    Ok(till
        .set_price(&line_id, unit_price_minor, manager_pin.as_deref())
        .await?)
}

#[tauri::command]
pub async fn line_discount(
    till: TillState<'_>,
    line_id: String,
    discount: Option<DiscountView>,
) -> Res<CartView> {
    Ok(till.line_discount(&line_id, discount).await?)
}

#[tauri::command]
pub async fn cart_discount(till: TillState<'_>, discount: Option<DiscountView>) -> Res<CartView> {
    Ok(till.cart_discount(discount).await?)
}

#[tauri::command]
pub async fn attach_customer(till: TillState<'_>, customer_id: Option<String>) -> Res<CartView> {
    Ok(till.attach_customer(customer_id.as_deref()).await?)
}

#[tauri::command]
pub async fn add_tender(
    till: TillState<'_>,
    kind: String,
    amount_minor: i64,
    reference: Option<String>,
) -> Res<CartView> {
    Ok(till
        .add_tender(&kind, amount_minor, reference.as_deref())
        .await?)
}

#[tauri::command]
pub async fn remove_tender(till: TillState<'_>, index: i64) -> Res<CartView> {
    Ok(till.remove_tender(index).await?)
}

/// Completes the sale; its drawer and receipt follow in the background (`sale_devices`).
#[tauri::command]
pub async fn complete(
    app: AppHandle,
    till: TillState<'_>,
    manager_pin: Option<String>,
) -> Res<CompletedSale> {
    let sale = till.complete(manager_pin.as_deref()).await?;
    devices::after_sale(&app, till.inner().clone(), sale.sale_id.clone());
    Ok(sale)
}

#[tauri::command]
pub async fn pay_exact_cash(
    app: AppHandle,
    till: TillState<'_>,
    manager_pin: Option<String>,
) -> Res<CompletedSale> {
    let sale = till.pay_exact_cash(manager_pin.as_deref()).await?;
    devices::after_sale(&app, till.inner().clone(), sale.sale_id.clone());
    Ok(sale)
}

#[tauri::command]
pub async fn clear_cart(
    till: TillState<'_>,
    reason: String,
    manager_pin: Option<String>,
) -> Res<CartView> {
    Ok(till.clear_cart(&reason, manager_pin.as_deref()).await?)
}

#[tauri::command]
pub async fn park(till: TillState<'_>, note: Option<String>) -> Res<CartView> {
    Ok(till.park(note.as_deref()).await?)
}

#[tauri::command]
pub async fn parked(till: TillState<'_>) -> Res<Vec<ParkedView>> {
    Ok(till.parked().await?)
}

#[tauri::command]
pub async fn resume(till: TillState<'_>, parked_id: String) -> Res<CartView> {
    Ok(till.resume(&parked_id).await?)
}

#[tauri::command]
pub async fn void_parked(
    till: TillState<'_>,
    parked_id: String,
    reason: String,
    manager_pin: Option<String>,
) -> Res<Vec<ParkedView>> {
    Ok(till
        .void_parked(&parked_id, &reason, manager_pin.as_deref())
        .await?)
}

#[tauri::command]
pub async fn receipt(till: TillState<'_>, sale_id: String) -> Res<CompletedSale> {
    Ok(till.receipt(&sale_id).await?)
}

/// Queues a receipt to be emailed; the server sends it once the till reaches it.
#[tauri::command]
pub async fn email_receipt(
    till: TillState<'_>,
    sale_id: String,
    email: String,
) -> Res<ReceiptEmailView> {
    Ok(till.email_receipt(&sale_id, &email).await?)
}

#[tauri::command]
pub async fn find_sale(till: TillState<'_>, text: String) -> Res<SaleLookup> {
    Ok(till.find_sale(&text).await?)
}

#[tauri::command]
pub async fn refund(
    till: TillState<'_>,
    sale: SaleLookup,
    items: Vec<RefundItem>,
    to: String,
    reason: String,
    manager_pin: Option<String>,
) -> Res<RefundDone> {
    Ok(till
        .refund(&sale, &items, &to, &reason, manager_pin.as_deref())
        .await?)
}

#[tauri::command]
pub async fn refund_without_receipt(
    till: TillState<'_>,
    items: Vec<RefundItem>,
    to: String,
    reason: String,
    manager_pin: Option<String>,
) -> Res<RefundDone> {
    Ok(till
        .refund_without_receipt(&items, &to, &reason, manager_pin.as_deref())
        .await?)
}

#[tauri::command]
pub async fn open_shift(till: TillState<'_>, float_minor: i64) -> Res<SessionView> {
    Ok(till.open_shift(float_minor).await?)
}

#[tauri::command]
pub async fn cash_movement(
    till: TillState<'_>,
    kind: String,
    amount_minor: i64,
    reason: String,
    manager_pin: Option<String>,
) -> Res<ShiftReportView> {
    Ok(till
        .cash_movement(&kind, amount_minor, &reason, manager_pin.as_deref())
        .await?)
}

#[tauri::command]
pub async fn x_report(till: TillState<'_>) -> Res<ShiftReportView> {
    Ok(till.x_report().await?)
}

#[tauri::command]
pub async fn preview_close(till: TillState<'_>, counted: BTreeMap<String, i64>) -> Res<ZView> {
    Ok(till.preview_close(&counted).await?)
}

#[tauri::command]
pub async fn close_shift(
    till: TillState<'_>,
    counted: BTreeMap<String, i64>,
    manager_pin: Option<String>,
) -> Res<ZView> {
    Ok(till.close_shift(counted, manager_pin.as_deref()).await?)
}

#[tauri::command]
pub async fn customers(till: TillState<'_>, query: String) -> Res<Vec<CustomerView>> {
    Ok(till.customers(&query).await?)
}

#[tauri::command]
pub async fn add_customer(
    till: TillState<'_>,
    name: String,
    phone: Option<String>,
    email: Option<String>,
) -> Res<CustomerView> {
    Ok(till
        .add_customer(&name, phone.as_deref(), email.as_deref())
        .await?)
}

#[tauri::command]
pub async fn debt_payment(
    till: TillState<'_>,
    customer_id: String,
    amount_minor: i64,
) -> Res<CustomerView> {
    Ok(till.debt_payment(&customer_id, amount_minor).await?)
}

#[tauri::command]
pub async fn sync_status(till: TillState<'_>) -> Res<SyncView> {
    Ok(till.sync_view().await?)
}

#[tauri::command]
pub async fn sync_now(till: TillState<'_>) -> Res<SyncView> {
    Ok(till.sync_now().await?)
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "desktop".to_owned())
}
