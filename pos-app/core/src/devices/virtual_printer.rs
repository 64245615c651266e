//! A receipt printer in software, for tests and demos: listens on TCP like a network
//! printer's port 9100, keeps every job it prints, answers DLE EOT and GS r as an Epson
//! TM printer does, and can be told to run out of paper (also mid-receipt), open its cover
//! or go offline. Like a real printer, data that arrives while a fault stops it is held
//! and printed once the fault is cleared.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::config::Connection;
use super::tokens::{self, Token};

/// What can go wrong with the virtual printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    PaperOut,
    PaperNearEnd,
    CoverOpen,
    Offline,
}

#[derive(Default)]
struct Conn {
    id: u64,
    /// Where replies go; `None` once the POS hung up.
    out: Option<TcpStream>,
    pending: Vec<u8>,
    held: Vec<(Token, Vec<u8>)>,
    job: Vec<u8>,
    /// When the first byte since the last job arrived, and the job's `ESC @`.
    first_byte: Option<Instant>,
    job_start: Option<Instant>,
}

/// When a completed job's bytes arrived, for benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobTiming {
    /// The first byte on the connection since the previous job (a status query).
    pub first_byte: Option<Instant>,
    /// The job's first byte (`ESC @`).
    pub start: Option<Instant>,
    /// The job was complete (its cut, or the POS hung up).
    pub end: Instant,
}

impl Conn {
    fn finish(&mut self) -> (Vec<u8>, JobTiming) {
        let timing = JobTiming {
            first_byte: self.first_byte.take(),
            start: self.job_start.take(),
            end: Instant::now(),
        };
        (std::mem::take(&mut self.job), timing)
    }
}

#[derive(Default)]
struct Shared {
    paper_out: bool,
    near_end: bool,
    cover_open: bool,
    offline: bool,
    drawer_open: bool,
    /// Text bytes left on the roll, when the test wants the paper to run out mid-job.
    paper_left: Option<usize>,
    jobs: Vec<Vec<u8>>,
    timings: Vec<JobTiming>,
    pulses: Vec<(u8, u16, u16)>,
    conns: Vec<Conn>,
}

impl Shared {
    fn blocked(&self) -> bool {
        self.paper_out || self.cover_open || self.offline
    }

    fn status(&self, n: u8) -> u8 {
        let bit = |on: bool, b: u8| if on { b } else { 0 };
        0x12 | match n {
            1 => bit(self.drawer_open, 0x04) | bit(self.blocked(), 0x08),
            2 => bit(self.cover_open, 0x04) | bit(self.paper_out, 0x20),
            4 => bit(self.near_end || self.paper_out, 0x0C) | bit(self.paper_out, 0x60),
            _ => 0,
        }
    }

    /// Processes `token` of connection `i`, or holds it while a fault stops printing.
    fn take(&mut self, i: usize, token: Token, raw: Vec<u8>) {
        if let Token::Status(n) = token {
            let reply = self.status(n);
            reply_to(&mut self.conns[i], reply);
        } else if let Token::Pulse { pin, on_ms, off_ms } = token
            && raw.first() == Some(&0x10)
        {
            self.kick(pin, on_ms, off_ms);
        } else if self.blocked() {
            self.conns[i].held.push((token, raw));
        } else {
            self.print(i, token, raw);
        }
    }

    fn kick(&mut self, pin: u8, on_ms: u16, off_ms: u16) {
        self.pulses.push((pin, on_ms, off_ms));
        self.drawer_open = true;
    }

    fn print(&mut self, i: usize, token: Token, raw: Vec<u8>) {
        match token {
            Token::PaperStatus(_) => {
                let reply =
                    if self.paper_out { 0x0C } else { 0 } | if self.near_end { 3 } else { 0 };
                reply_to(&mut self.conns[i], reply);
                return;
            }
            // A pulse moves the drawer, not the paper: no part of any job.
            Token::Pulse { pin, on_ms, off_ms } => return self.kick(pin, on_ms, off_ms),
            Token::Text(ref t) => {
                if let Some(left) = self.paper_left {
                    // The roll ends inside this text: what fits prints, the rest waits.
                    if t.len() > left {
                        self.conns[i].job.extend_from_slice(&t[..left]);
                        self.paper_left = None;
                        self.paper_out = true;
                        self.conns[i]
                            .held
                            .push((Token::Text(t[left..].to_vec()), t[left..].to_vec()));
                        return;
                    }
                    self.paper_left = Some(left - t.len());
                }
            }
            _ => {}
        }
        let conn = &mut self.conns[i];
        conn.job.extend_from_slice(&raw);
        if token == Token::Cut {
            let (job, timing) = conn.finish();
            self.jobs.push(job);
            self.timings.push(timing);
        }
    }

    /// Prints what every connection held back, now that nothing stops the printer.
    fn release(&mut self) {
        for i in 0..self.conns.len() {
            let held = std::mem::take(&mut self.conns[i].held);
            for (token, raw) in held {
                self.take(i, token, raw);
            }
        }
        self.drop_closed();
    }

    /// A hung-up connection's last job (without a cut) still prints, as on a real printer.
    fn drop_closed(&mut self) {
        if self.blocked() {
            return;
        }
        for c in self
            .conns
            .iter_mut()
            .filter(|c| c.out.is_none() && !c.job.is_empty())
        {
            let (job, timing) = c.finish();
            self.jobs.push(job);
            self.timings.push(timing);
        }
        self.conns.retain(|c| c.out.is_some() || !c.held.is_empty());
    }
}

fn reply_to(conn: &mut Conn, byte: u8) {
    if let Some(out) = conn.out.as_mut() {
        let _ = out.write_all(&[byte]);
    }
}

/// A running virtual printer; stops when dropped.
pub struct VirtualPrinter {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl VirtualPrinter {
    /// Starts listening on 127.0.0.1 at a free port.
    pub fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Mutex::new(Shared::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (shared.clone(), stop.clone());
        let accept = std::thread::spawn(move || accept_loop(&listener, &s, &st));
        Ok(Self {
            addr,
            shared,
            stop,
            accept: Some(accept),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The connection setting that reaches this printer.
    pub fn connection(&self) -> Connection {
        Connection::Tcp {
            host: self.addr.ip().to_string(),
            port: self.addr.port(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets or clears a fault; clearing the last one that stops printing prints what was
    /// held back.
    pub fn set_fault(&self, fault: Fault, on: bool) {
        let mut s = self.lock();
        match fault {
            Fault::PaperOut => s.paper_out = on,
            Fault::PaperNearEnd => s.near_end = on,
            Fault::CoverOpen => s.cover_open = on,
            Fault::Offline => s.offline = on,
        }
        if !s.blocked() {
            s.release();
        }
    }

    /// The roll runs out after `bytes` more bytes of text: a receipt stopped half-way.
    pub fn paper_runs_out_after(&self, bytes: usize) {
        self.lock().paper_left = Some(bytes);
    }

    /// Every job completed (ended by a cut, or by the POS hanging up), in order.
    pub fn jobs(&self) -> Vec<Vec<u8>> {
        self.lock().jobs.clone()
    }

    /// When each job of [`Self::jobs`] arrived.
    pub fn timings(&self) -> Vec<JobTiming> {
        self.lock().timings.clone()
    }

    /// Drawer pulses received, as (pin, on ms, off ms).
    pub fn pulses(&self) -> Vec<(u8, u16, u16)> {
        self.lock().pulses.clone()
    }

    pub fn drawer_open(&self) -> bool {
        self.lock().drawer_open
    }

    /// The cashier pushes the drawer shut.
    pub fn close_drawer(&self) {
        self.lock().drawer_open = false;
    }

    /// Waits until at least `n` jobs were printed (or `timeout` passed); returns them all.
    pub fn wait_for_jobs(&self, n: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            let jobs = self.jobs();
            if jobs.len() >= n || Instant::now() >= deadline {
                return jobs;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for VirtualPrinter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Mutex<Shared>>, stop: &Arc<AtomicBool>) {
    let mut next_id = 0;
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, _)) => {
                next_id += 1;
                let (s, st) = (shared.clone(), stop.clone());
                let id = next_id;
                std::thread::spawn(move || serve(stream, id, &s, &st));
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => return,
        }
    }
}

fn serve(mut stream: TcpStream, id: u64, shared: &Arc<Mutex<Shared>>, stop: &Arc<AtomicBool>) {
    let out = stream.try_clone().ok();
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let lock = || shared.lock().unwrap_or_else(|p| p.into_inner());
    lock().conns.push(Conn {
        id,
        out,
        ..Conn::default()
    });
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => feed(&mut lock(), id, &buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    let mut s = lock();
    if let Some(c) = s.conns.iter_mut().find(|c| c.id == id) {
        c.out = None;
    }
    s.drop_closed();
}

/// Splits newly received bytes into commands and hands each to the printer.
fn feed(s: &mut Shared, id: u64, bytes: &[u8]) {
    let Some(i) = s.conns.iter().position(|c| c.id == id) else {
        return;
    };
    let now = Instant::now();
    s.conns[i].first_byte.get_or_insert(now);
    s.conns[i].pending.extend_from_slice(bytes);
    loop {
        let pending = std::mem::take(&mut s.conns[i].pending);
        match tokens::next(&pending) {
            Ok(Some((token, used))) => {
                s.conns[i].pending = pending[used..].to_vec();
                if token == Token::Init {
                    s.conns[i].job_start.get_or_insert(now);
                }
                s.take(i, token, pending[..used].to_vec());
            }
            Ok(None) => {
                s.conns[i].pending = pending;
                return;
            }
            // An unknown byte is skipped, as a printer ignores what it cannot parse.
            Err(_) => s.conns[i].pending = pending[1..].to_vec(),
        }
    }
}
