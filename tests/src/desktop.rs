//! The desktop app under test: a private Xvfb display, `tauri-driver` on a free port, and
//! a WebDriver session that starts `kassa-desktop` (the real binary and webview) on its
//! own terminal database. Everything it started stops when it is dropped.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::process::free_addr;
use crate::webdriver::Session;

/// A running app and the processes behind it.
pub struct Desktop {
    pub session: Session,
    xvfb: Child,
    driver: Child,
    /// Where this run saves its screenshots.
    pub shots: PathBuf,
}

impl Drop for Desktop {
    fn drop(&mut self) {
        // tauri-driver runs in a process group of its own with WebKitWebDriver and the
        // app under it: end them all, not just the driver.
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        std::thread::sleep(Duration::from_millis(300));
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        for child in [&mut self.driver, &mut self.xvfb] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The app binary: `KASSA_DESKTOP_BIN` (scripts/test.sh sets it after building).
pub fn binary() -> PathBuf {
    std::env::var_os("KASSA_DESKTOP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::till::sibling_binary("kassa-desktop"))
}

impl Desktop {
    /// Starts the app on the database at `db` (created on first run), its data and logs
    /// under `home`, at `width` x `height`.
    pub async fn start(db: &Path, home: &Path, width: u32, height: u32) -> Self {
        let bin = binary();
        assert!(
            bin.exists(),
            "no desktop app at {}; build it: cargo build -p kassa-desktop",
            bin.display()
        );
        let (xvfb, display) = xvfb(width, height);
        let port = free_addr().port();
        let native = free_addr().port();
        let driver = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .process_group(0)
            .env("DISPLAY", &display)
            .env("KASSA_TERMINAL_DB", db)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("KASSA_LOG", "info,pos_core=debug")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver on PATH (scripts/install-deps.sh installs it)");
        let url = format!("http://127.0.0.1:{port}");
        let caps = json!({ "tauri:options": { "application": bin } });
        let mut session = None;
        for _ in 0..100 {
            match Session::new(&url, caps.clone()).await {
                Ok(s) => {
                    session = Some(s);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
        let session = session.expect("a WebDriver session within 20 s");
        let _ = session.set_window_size(width, height).await;
        // The page at its new size before anything is read or shot off it (a first-run
        // screenshot at 1920 once came back blank, taken before the resized page painted).
        let wanted = json!([width, height]);
        for _ in 0..100 {
            let size = session
                .script("return [window.innerWidth, window.innerHeight]", json!([]))
                .await;
            if size.is_ok_and(|v| v == wanted) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let shots = std::env::var_os("KASSA_SCREENSHOTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| std::env::temp_dir().join("kassa-screenshots"));
        Desktop {
            session,
            xvfb,
            driver,
            shots,
        }
    }

    /// Saves the window as `NAME.png` in the run's screenshot folder.
    pub async fn shot(&self, name: &str) {
        let path = self.shots.join(format!("terminal-{name}.png"));
        // WebKit hands back the last composited frame: wait until the page has painted
        // twice since now, then give the newest frame time to land.
        let painted = self.session.script_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            json!([]),
        );
        let _ = tokio::time::timeout(Duration::from_secs(5), painted).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        // A screenshot that never answers (WebKitGTK's, with GL compositing off) is reported
        // and the run goes on, instead of hanging there.
        match tokio::time::timeout(Duration::from_secs(30), self.session.screenshot(&path)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("screenshot {name} failed: {e}"),
            Err(_) => eprintln!("screenshot {name}: no answer within 30 s"),
        }
    }
}

/// Starts Xvfb on a display it picks itself; returns it and `:N`.
fn xvfb(width: u32, height: u32) -> (Child, String) {
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            &format!("{width}x{height}x24"),
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (scripts/install-deps.sh installs it)");
    let mut out = child.stdout.take().expect("Xvfb stdout");
    let mut number = String::new();
    let mut byte = [0u8; 1];
    while out.read(&mut byte).map(|n| n == 1).unwrap_or(false) && byte[0] != b'\n' {
        number.push(byte[0] as char);
    }
    assert!(!number.trim().is_empty(), "Xvfb reported no display");
    (child, format!(":{}", number.trim()))
}
