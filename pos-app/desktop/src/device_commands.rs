//! The devices' commands: a sale's printer and drawer outcome, a receipt's or slip's
//! preview as printed, a receipt copy, the drawer opened without a sale, weighing a line,
//! and the Device settings with their Test buttons. Each calls the till; saving or
//! testing restarts the scanner on its new port.

use std::sync::Arc;

use pos_core::app::ApiError;
use pos_core::app::device_views::{DeviceKind, DeviceSettings, PrinterView, SaleDevicesView};
use pos_core::app::views::{CartView, ShiftReportView};
use pos_core::app::{ReceiptPreview, Till};
use tauri::{AppHandle, State};

use crate::devices::{self, Devices};

type Res<T> = Result<T, ApiError>;
type TillState<'a> = State<'a, Arc<Till>>;

/// What the devices did for a sale, once done (`None` while they are still at it; the
/// `sale_devices` event follows).
#[tauri::command]
pub fn sale_devices(till: TillState<'_>, sale_id: String) -> Option<SaleDevicesView> {
    till.sale_devices(&sale_id)
}

/// A receipt as the printer prints it (PNG), marked COPY with `copy`.
#[tauri::command]
pub async fn receipt_preview(
    till: TillState<'_>,
    sale_id: String,
    copy: bool,
) -> Res<ReceiptPreview> {
    Ok(till.receipt_preview(&sale_id, copy).await?)
}

/// A refund's slip as the printer prints it (PNG).
#[tauri::command]
pub async fn refund_slip_preview(till: TillState<'_>, refund_id: String) -> Res<ReceiptPreview> {
    Ok(till.refund_slip_preview(&refund_id, false).await?)
}

#[tauri::command]
pub async fn print_copy(till: TillState<'_>, sale_id: String) -> Res<SaleDevicesView> {
    Ok(till.print_copy(&sale_id).await?)
}

#[tauri::command]
pub async fn open_drawer(
    till: TillState<'_>,
    reason: String,
    manager_pin: Option<String>,
) -> Res<ShiftReportView> {
    Ok(till.open_drawer(&reason, manager_pin.as_deref()).await?)
}

#[tauri::command]
pub async fn weigh(till: TillState<'_>, line_id: String) -> Res<CartView> {
    Ok(till.weigh(&line_id).await?)
}

#[tauri::command]
pub async fn device_settings(till: TillState<'_>) -> Res<DeviceSettings> {
    Ok(till.device_settings().await?)
}

#[tauri::command]
pub async fn save_device_settings(
    app: AppHandle,
    till: TillState<'_>,
    settings: DeviceSettings,
    manager_pin: Option<String>,
) -> Res<DeviceSettings> {
    let saved = till
        .save_device_settings(&settings, manager_pin.as_deref())
        .await?;
    devices::restart_scanner(&app, till.inner().clone()).await;
    Ok(saved)
}

#[tauri::command]
pub async fn test_device(
    app: AppHandle,
    till: TillState<'_>,
    kind: DeviceKind,
    settings: DeviceSettings,
    manager_pin: Option<String>,
) -> Res<String> {
    // The running scanner holds its port; a scanner test borrows it.
    if kind == DeviceKind::Scanner {
        devices::stop_scanner(&app).await;
    }
    let outcome = till
        .test_device(kind, &settings, manager_pin.as_deref())
        .await;
    if kind == DeviceKind::Scanner {
        devices::restart_scanner(&app, till.inner().clone()).await;
    }
    Ok(outcome?)
}

/// The printer as the status bar last showed it (`printer` events follow).
#[tauri::command]
pub fn printer_status(devices: State<'_, Devices>) -> Option<PrinterView> {
    devices.printer()
}
