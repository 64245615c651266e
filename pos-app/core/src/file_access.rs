//! Who may read the till's database files. They hold the device secret (traded for server
//! tokens) and the receipt signing key, so only the account that runs the till may read
//! or write them: mode 0600 on the database, its WAL and its shared-memory file.
//!
//! Why file modes and not an OS keyring: a till is an unattended kiosk account with no
//! desktop session, where Secret Service keyrings are locked or absent; a keyring would
//! also split one atomic database (sale, journal, keys) into two stores that can disagree
//! after a restore. Someone with root or the disk in hand still reads the file: the
//! server's answer to that is revoking the terminal (docs/security.md).

use std::path::Path;

/// Restricts `db` and its SQLite side files (those that exist) to the owner.
pub fn restrict_to_owner(db: &Path) -> std::io::Result<()> {
    let mut files = vec![db.to_path_buf()];
    for suffix in ["-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        files.push(name.into());
    }
    for file in files.iter().filter(|f| f.exists()) {
        set_owner_only(file)?;
    }
    Ok(())
}

#[cfg(unix)]
fn set_owner_only(file: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut perms = std::fs::metadata(file)?.permissions();
    if perms.mode() & 0o077 != 0 {
        perms.set_mode(perms.mode() & 0o700);
        std::fs::set_permissions(file, perms)?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_owner_only(_file: &Path) -> std::io::Result<()> {
    // Windows: the per-user profile directory the till stores into is already private.
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use crate::store::LocalDb;

    #[tokio::test]
    async fn only_the_tills_own_account_can_read_its_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("till.db");
        let db = LocalDb::open(&path).await.unwrap();
        crate::store::set_setting(db.pool(), "probe", "x")
            .await
            .unwrap();
        for name in ["till.db", "till.db-wal", "till.db-shm"] {
            let file = dir.path().join(name);
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{name} is readable by others: {mode:o}");
        }
    }
}
