//! Kassa terminal: the Tauri 2 shell. It opens the till's database (one app per
//! database), hands the screens the till API as commands, runs sync in the background,
//! and refuses to close while sales are not on the server unless a manager confirms.

// Hide the console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod background;
mod commands;
mod device_commands;
mod devices;
mod instance;
mod logging;
mod webview;

use std::sync::Arc;

use pos_core::app::Till;
use tauri::{Emitter, Manager, WindowEvent};

fn main() {
    let result = tauri::Builder::default()
        .setup(|app| {
            let dir = app.path().app_data_dir()?;
            logging::init(
                &app.path()
                    .app_log_dir()
                    .unwrap_or_else(|_| dir.join("logs")),
            );
            webview::tune(app);
            let db_path = instance::database_path(&dir)?;
            let lock = instance::lock(&db_path)?;
            let till = tauri::async_runtime::block_on(Till::open(&db_path))
                .map_err(|e| format!("cannot open the till database {}: {e}", db_path.display()))?;
            tracing::info!(db = %db_path.display(), "till opened");
            let till = Arc::new(till);
            app.manage(lock);
            app.manage(till.clone());
            devices::start(app.handle(), till.clone());
            background::start(app.handle(), till);
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                let app = window.app_handle();
                let till = app.state::<Arc<Till>>().inner().clone();
                let queued = tauri::async_runtime::block_on(till.confirm_leaving_unsynced(None));
                if let Err(e) = queued {
                    // The screens ask for a manager's PIN and call `quit` with it.
                    api.prevent_close();
                    let _ = app.emit("quit_blocked", pos_core::app::ApiError::from(e));
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_version,
            commands::session,
            commands::setup_standalone,
            commands::enroll,
            commands::login_pin,
            commands::lock,
            commands::logout,
            commands::staff_list,
            commands::quit,
            commands::search,
            commands::quick_keys,
            commands::stock,
            commands::cart,
            commands::scan,
            commands::add_product,
            commands::set_qty,
            commands::remove_line,
            commands::set_price,
            commands::line_discount,
            commands::cart_discount,
            commands::attach_customer,
            commands::add_tender,
            commands::remove_tender,
            commands::complete,
            commands::pay_exact_cash,
            commands::clear_cart,
            commands::park,
            commands::parked,
            commands::resume,
            commands::void_parked,
            commands::receipt,
            commands::find_sale,
            commands::refund,
            commands::refund_without_receipt,
            commands::open_shift,
            commands::cash_movement,
            commands::x_report,
            commands::preview_close,
            commands::close_shift,
            commands::customers,
            commands::add_customer,
            commands::debt_payment,
            commands::sync_status,
            commands::sync_now,
            device_commands::sale_devices,
            device_commands::receipt_preview,
            device_commands::refund_slip_preview,
            device_commands::print_copy,
            device_commands::open_drawer,
            device_commands::weigh,
            device_commands::device_settings,
            device_commands::save_device_settings,
            device_commands::test_device,
            device_commands::printer_status,
            commands::email_receipt,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Kassa could not start: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_is_the_package_version() {
        assert_eq!(super::commands::app_version(), env!("CARGO_PKG_VERSION"));
    }
}
