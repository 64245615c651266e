//! `pos devices test-print` and `pos devices read-scale` against stand-in hardware: the
//! virtual printer, and a Toledo 8217 scale faked on one end of a socat pty pair.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pos_core::devices::decode::decode;
use pos_core::devices::link::{self, Link};
use pos_core::devices::virtual_printer::VirtualPrinter;

use crate::harness::{cli_terminal, ok, pos, stderr, stdout};

/// Two linked ptys from socat: the `pos` binary opens `a`, the fake scale sits on `b`.
/// (kassa-tests has its own `PtyPair`; pos-core's tests cannot depend on it.)
struct Ptys {
    child: Child,
    _dir: tempfile::TempDir,
    a: String,
    b: String,
}

impl Ptys {
    fn open() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let child = Command::new("socat")
            .arg(format!("pty,raw,echo=0,link={}", a.display()))
            .arg(format!("pty,raw,echo=0,link={}", b.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("socat (apt-get install socat)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !(a.exists() && b.exists()) {
            assert!(Instant::now() < deadline, "socat did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
        let (a, b) = (a.display().to_string(), b.display().to_string());
        Self {
            child,
            _dir: dir,
            a,
            b,
        }
    }
}

impl Drop for Ptys {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Toledo 8217 on `ptys.b` answering each `W\r` with the next of `answers`. Opening is
/// retried for a moment: socat sometimes still holds a new pty while it sets it up.
fn fake_scale(ptys: &Ptys, answers: Vec<&'static [u8]>) -> std::thread::JoinHandle<()> {
    let mut tries = 0;
    let mut device = loop {
        match link::open_serial(&ptys.b, 9600, "scale", Duration::from_secs(1)) {
            Ok(wire) => break wire,
            Err(e) if tries < 20 => {
                tries += 1;
                eprintln!("scale end not ready: {e}");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("{e}"),
        }
    };
    std::thread::spawn(move || {
        for answer in answers {
            while device.read_byte(Duration::from_secs(10)).unwrap() != Some(b'\r') {}
            device.send(answer).unwrap();
        }
    })
}

#[test]
fn test_print_prints_the_test_page_and_without_a_printer_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_terminal(dir.path());
    let refused = pos(&db, &["devices", "test-print"]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("printer"), "{}", stderr(&refused));

    let vp = VirtualPrinter::start().unwrap();
    let connection = format!("tcp:{}", vp.addr());
    let printer = ["devices", "set", "printer", "--connection", &connection];
    ok(&db, &printer);
    ok(&db, &["devices", "test-print"]);
    let jobs = vp.wait_for_jobs(1, Duration::from_secs(5));
    assert_eq!(jobs.len(), 1, "one test page");
    let page = decode(&jobs[0]).text();
    assert!(page.contains("TEST PRINT"), "{page}");
    assert!(
        page.contains("CLI Shop"),
        "the shop's name heads it: {page}"
    );
}

#[test]
fn read_scale_takes_the_tills_tare_off_unless_told_another() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_terminal(dir.path());
    let refused = pos(&db, &["devices", "read-scale"]);
    assert!(!refused.status.success(), "no scale set up");

    let ptys = Ptys::open();
    let port = format!("{}@9600", ptys.a);
    let scale = ["devices", "set", "scale", "--port", &port];
    ok(&db, &[&scale[..], &["--tare-grams", "235"]].concat());
    let fake = fake_scale(&ptys, vec![b"\x0201.235\r", b"\x0201.235\r"]);
    let net = ok(&db, &["devices", "read-scale"]);
    assert_eq!(net["grams"], 1_000, "1.235 kg less the 235 g bowl: {net}");
    let gross = pos(&db, &["devices", "read-scale", "--tare-grams", "0"]);
    assert!(gross.status.success(), "{}", stderr(&gross));
    assert!(stdout(&gross).contains("1.235 kg"), "{}", stdout(&gross));
    fake.join().unwrap();
}
