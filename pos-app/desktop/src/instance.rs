//! Which database this app runs on, and that only one app runs on it: two windows
//! ringing up sales on one till would each think they own the live cart.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Held for the app's life; dropping it (exit) releases the database.
#[derive(Debug)]
pub struct InstanceLock(#[allow(dead_code)] File);

/// `KASSA_TERMINAL_DB`, or `terminal.db` in the app's data folder.
pub fn database_path(data_dir: &Path) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("KASSA_TERMINAL_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("cannot create the data folder {}: {e}", data_dir.display()))?;
    Ok(data_dir.join("terminal.db"))
}

/// Takes the database's lock file, or says which app holds it.
pub fn lock(db: &Path) -> Result<InstanceLock, String> {
    let mut path = db.as_os_str().to_owned();
    path.push(".lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot open the lock file {}: {e}", path.display()))?;
    file.try_lock().map_err(|_| {
        format!(
            "Kassa is already running on {}; switch to its window (one app per till database)",
            db.display()
        )
    })?;
    Ok(InstanceLock(file))
}
