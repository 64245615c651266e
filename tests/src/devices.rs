//! Device test support: the emupos simulator (an independent printer, drawer, scale and
//! scanner simulator, from PyPI) and socat pty pairs, each started by the test that needs
//! it and stopped when dropped; and a standalone till with an accented catalog.
//!
//! emupos is looked up at `KASSA_EMUPOS`, else `.venv-emupos/bin/emupos` in the workspace
//! (`python3.13 -m venv .venv-emupos && .venv-emupos/bin/pip install emupos`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pos_core::LocalDb;
use pos_core::checkout::{Cart, Tender};
use pos_core::staff::Staff;
use pos_core::terminal::{InitRequest, Terminal};
use pos_shared::Currency;
use pos_shared::role::Role;

/// The emupos command, or a panic saying how to install it.
pub fn emupos_bin() -> PathBuf {
    let path = std::env::var_os("KASSA_EMUPOS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv-emupos/bin/emupos"),
        PathBuf::from,
    );
    assert!(
        path.exists(),
        "emupos not found at {}: install it with `python3.13 -m venv .venv-emupos && .venv-emupos/bin/pip install emupos` in the workspace (or set KASSA_EMUPOS)",
        path.display()
    );
    path
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !ready() {
        assert!(
            Instant::now() < deadline,
            "{what} did not come up in {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A running emupos with a printer `front` (TCP and pty), a Toledo scale `deli` that takes
/// a minute to settle (so "in motion" can be tested), and a serial scanner `lane2`.
pub struct Emupos {
    child: Child,
    dir: tempfile::TempDir,
    api: String,
    pub tcp_port: u16,
}

const SCALE_PROFILE: &str = "type: scale\nname: slow Toledo 8217\nprotocol: toledo8217\n\
capacity_grams: 15000\ndivision_grams: 5\nreply_integer_digits: 2\nreply_decimals: 3\n\
settle_ms: 60000\nserial: { baud: 9600, data_bits: 7, parity: even, stop_bits: 1 }\n";

impl Emupos {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (api_port, tcp_port) = (free_port(), free_port());
        std::fs::write(dir.path().join("slow-scale.yaml"), SCALE_PROFILE).expect("profile");
        let config = format!(
            "schema: 1\napi: {{ host: 127.0.0.1, port: {api_port} }}\ndevices:\n\
  - {{ id: front, type: printer, profile: epson-tm-t20iii, receipts_dir: ./receipts,\n\
      connections: [ {{ tcp: {{ port: {tcp_port} }} }}, {{ serial: {{ pty: true }} }} ] }}\n\
  - {{ id: deli, type: scale, profile: ./slow-scale.yaml, connections: [ {{ serial: {{ pty: true }} }} ] }}\n\
  - {{ id: lane2, type: scanner, mode: serial, connections: [ {{ serial: {{ pty: true }} }} ] }}\n"
        );
        std::fs::write(dir.path().join("emupos.yaml"), config).expect("config");
        std::fs::create_dir_all(dir.path().join("tmp")).expect("tmp");
        let child = Command::new(emupos_bin())
            .arg("run")
            .current_dir(dir.path())
            .env("TMPDIR", dir.path().join("tmp"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start emupos");
        let emupos = Self {
            child,
            dir,
            api: format!("http://127.0.0.1:{api_port}"),
            tcp_port,
        };
        wait_for("emupos", Duration::from_secs(60), || {
            ["front", "deli", "lane2"]
                .iter()
                .all(|d| Path::new(&emupos.link(d)).exists())
                && emupos.try_cli(&["devices"]).is_some()
        });
        emupos
    }

    /// The pty emupos publishes for device `id`.
    pub fn link(&self, id: &str) -> String {
        self.dir
            .path()
            .join("tmp/emupos")
            .join(id)
            .display()
            .to_string()
    }

    fn try_cli(&self, args: &[&str]) -> Option<String> {
        let out = Command::new(emupos_bin())
            .args(["--api", &self.api])
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs an emupos command against this simulator; panics when it fails.
    pub fn cli(&self, args: &[&str]) -> String {
        self.try_cli(args)
            .unwrap_or_else(|| panic!("emupos {args:?} failed"))
    }

    /// Turns a fault of `device` on or off through emupos's HTTP API. Milliseconds, where
    /// the CLI starts a Python interpreter: seconds on a loaded machine, longer than the
    /// printer's 2 s idle timeout, after which emupos ends a half-sent job as a receipt.
    pub fn fault(&self, device: &str, fault: &str, on: bool) {
        use std::io::{Read, Write};
        let addr = self.api.trim_start_matches("http://");
        let method = if on { "PUT" } else { "DELETE" };
        let mut stream = std::net::TcpStream::connect(addr).expect("emupos API");
        write!(
            stream,
            "{method} /api/v1/devices/{device}/faults/{fault} HTTP/1.1\r\nHost: {addr}\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .expect("emupos API request");
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .expect("emupos API answer");
        assert!(
            answer.starts_with("HTTP/1.1 2"),
            "emupos {method} fault {fault}: {answer}"
        );
    }

    /// The text of every receipt the printer completed, oldest first (soft hyphens, which
    /// emupos writes for '-', read back as '-').
    pub fn receipts(&self) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(self.dir.path().join("receipts")) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| {
                std::fs::read_to_string(f)
                    .expect("receipt")
                    .replace('\u{ad}', "-")
            })
            .collect()
    }

    /// PNG images of the receipts, oldest first.
    pub fn receipt_images(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("receipts"))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|x| x == "png"));
        files.sort();
        files
    }

    /// Waits until `n` receipts are complete (or 20 s), returns them all.
    pub fn wait_receipts(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let r = self.receipts();
            if r.len() >= n || Instant::now() > deadline {
                return r;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether the printer's drawer is open.
    pub fn drawer_open(&self) -> bool {
        let devices: serde_json::Value =
            serde_json::from_str(&self.cli(&["devices", "--json"])).expect("devices json");
        devices[0]["state"]["drawer"] == "open"
    }
}

impl Drop for Emupos {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The width and height a PNG's header states.
pub fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().expect("4 bytes"));
    (be(16), be(20))
}

/// Two linked ptys from socat: a device on one end, its driver on the other.
pub struct PtyPair {
    child: Child,
    _dir: tempfile::TempDir,
    pub a: String,
    pub b: String,
}

impl PtyPair {
    pub fn open() -> Self {
        Self::open_in(tempfile::tempdir().expect("temp dir"))
    }

    /// A pair whose links are `dir/a` and `dir/b`: dropping it and opening another in the
    /// same folder is a device unplugged and plugged back in.
    pub fn open_in(dir: tempfile::TempDir) -> Self {
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let child = Command::new("socat")
            .arg(format!("pty,raw,echo=0,link={}", a.display()))
            .arg(format!("pty,raw,echo=0,link={}", b.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("socat (apt-get install socat)");
        wait_for("socat", Duration::from_secs(10), || {
            a.exists() && b.exists()
        });
        Self {
            child,
            a: a.display().to_string(),
            b: b.display().to_string(),
            _dir: dir,
        }
    }
}

impl PtyPair {
    /// Unplugs the device: socat ends and its links go. The folder is handed back, for a
    /// new pair at the same paths ([`PtyPair::open_in`]).
    pub fn unplug(mut self) -> tempfile::TempDir {
        // The links go before socat does: a killed socat leaves them dangling, and once the
        // kernel hands its pty numbers to another test's socat, a reader reopening `a` here
        // would take (and lock) that test's port.
        let _ = std::fs::remove_file(&self.a);
        let _ = std::fs::remove_file(&self.b);
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = tempfile::tempdir().expect("temp dir");
        let kept = std::mem::replace(&mut self._dir, dir);
        wait_for("socat to remove its links", Duration::from_secs(10), || {
            !Path::new(&self.a).exists()
        });
        kept
    }
}

impl Drop for PtyPair {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.a);
        let _ = std::fs::remove_file(&self.b);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The catalog of the device tests' shop: accented names, a Polish one outside CP858,
/// one product sold by weight, and categories for the kitchen printer.
pub const CATALOG: &str = "sku,name,barcode,price_minor,tax_rate_bp,tax_inclusive,sold_by_weight,category\n\
CREME,Crème brûlée,4006381333931,350,700,true,false,Desserts\n\
KASE,Käse Spätzle,,1290,1900,true,false,Hot food\n\
EMMENTAL,Emmentaler am Stück,,1990,700,true,true,Deli\n\
ZUREK,Żurek z jajkiem,,890,700,true,false,Soups\n";

/// A standalone till ("Bäckerei Müller", EUR) with a manager and an open shift.
pub struct Shop {
    _dir: tempfile::TempDir,
    pub db: LocalDb,
    pub terminal: Terminal,
    pub manager: Staff,
}

impl Shop {
    pub async fn open() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = LocalDb::open(&dir.path().join("till.db"))
            .await
            .expect("db");
        Self::set_up(dir, db).await
    }

    /// The shop in the IANA zone `zone`, its clock standing at `at_ms` (UTC).
    pub async fn in_zone(zone: &str, at_ms: i64) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = std::sync::Arc::new(pos_core::clock::ManualClock::at(at_ms));
        let db = LocalDb::open_with_clock(&dir.path().join("till.db"), clock)
            .await
            .expect("db");
        pos_core::store::set_setting(db.pool(), pos_core::shop_time::SETTING, zone)
            .await
            .expect("time zone");
        Self::set_up(dir, db).await
    }

    async fn set_up(dir: tempfile::TempDir, db: LocalDb) -> Self {
        let req = InitRequest {
            currency: Currency::EUR,
            shop_name: "Bäckerei Müller".into(),
            company_name: String::new(),
            receipt_header: "Grüße aus Köln".into(),
            receipt_footer: "Merci, à bientôt! Gutschein 5 €".into(),
            cash_rounding_step: 0,
        };
        let terminal = pos_core::terminal::init(&db, &req).await.expect("init");
        pos_core::catalog_csv::import(&db, CATALOG.as_bytes())
            .await
            .expect("catalog");
        let manager = pos_core::staff::add(&db, "Maria", Role::ShopManager, "4321")
            .await
            .expect("manager");
        pos_core::shifts::open(&db, &manager, 10_000)
            .await
            .expect("shift");
        Self {
            _dir: dir,
            db,
            terminal,
            manager,
        }
    }

    /// The till database's file, for the `pos` CLI (`--db`).
    pub fn db_path(&self) -> std::path::PathBuf {
        self._dir.path().join("till.db")
    }

    /// Two crème brûlées and a Käse Spätzle for cash: 19.90.
    pub async fn sell(&self) -> pos_core::sales::Sale {
        self.sell_codes(&[("4006381333931", 2000), ("KASE", 1000)], 2_000)
            .await
    }

    /// `codes` (code, quantity in thousandths) paid with `cash_minor` in cash.
    pub async fn sell_codes(
        &self,
        codes: &[(&str, i64)],
        cash_minor: i64,
    ) -> pos_core::sales::Sale {
        let mut cart = Cart::default();
        for &(code, qty) in codes {
            pos_core::till::add_code(&self.db, &self.terminal, &mut cart, code, qty)
                .await
                .expect("scan");
        }
        cart.tenders = vec![Tender::Cash {
            amount_minor: cash_minor,
        }];
        pos_core::sales::complete(&self.db, &self.terminal, &self.manager, &cart, None)
            .await
            .expect("sale")
    }
}
