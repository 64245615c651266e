//! A fault-injecting TCP proxy between terminals and the server: each connection is
//! passed through, reset before anything is sent, cut after the request reached the server
//! (the answer is lost: the classic "did my push land?"), truncated halfway through the
//! answer, or stalled. The choice is seeded, so a failing run can be replayed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Pass,
    Reset,
    LoseAnswer,
    TruncateAnswer,
    Stall,
}

/// A running proxy; `base` is what terminals talk to.
pub struct FaultProxy {
    pub base: String,
    enabled: Arc<AtomicBool>,
    /// Connections that were faulted, per kind: reset, lost answer, truncated, stalled.
    pub faulted: Arc<[AtomicU64; 4]>,
}

impl FaultProxy {
    /// Proxies to `upstream`; faults start disabled.
    pub async fn start(upstream: SocketAddr, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let enabled = Arc::new(AtomicBool::new(false));
        let faulted: Arc<[AtomicU64; 4]> = Arc::new(Default::default());
        let (on, counts) = (enabled.clone(), faulted.clone());
        tokio::spawn(async move {
            let mut rng = seed;
            while let Ok((client, _)) = listener.accept().await {
                rng = rng
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let fault = if on.load(Ordering::Relaxed) {
                    match (rng >> 33) % 10 {
                        0 | 1 => Fault::Reset,
                        2 | 3 => Fault::LoseAnswer,
                        4 => Fault::TruncateAnswer,
                        5 => Fault::Stall,
                        _ => Fault::Pass,
                    }
                } else {
                    Fault::Pass
                };
                let idx = match fault {
                    Fault::Reset => Some(0),
                    Fault::LoseAnswer => Some(1),
                    Fault::TruncateAnswer => Some(2),
                    Fault::Stall => Some(3),
                    Fault::Pass => None,
                };
                if let Some(i) = idx {
                    counts[i].fetch_add(1, Ordering::Relaxed);
                }
                tokio::spawn(relay(client, upstream, fault));
            }
        });
        Self {
            base,
            enabled,
            faulted,
        }
    }

    pub fn set_faults(&self, on: bool) {
        self.enabled.store(on, Ordering::Relaxed);
    }

    pub fn total_faults(&self) -> u64 {
        self.faulted.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }
}

async fn relay(mut client: TcpStream, upstream: SocketAddr, fault: Fault) {
    if fault == Fault::Reset {
        // Dropping with unread data makes the kernel send a reset.
        let mut buf = [0u8; 1];
        let _ = tokio::time::timeout(Duration::from_millis(50), client.read(&mut buf)).await;
        return;
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    if fault == Fault::Stall {
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut cr, &mut sw).await;
        let _ = sw.shutdown().await;
    });
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match sr.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        match fault {
            // The server got the request and answered; the terminal never hears it.
            Fault::LoseAnswer => break,
            Fault::TruncateAnswer => {
                let _ = cw.write_all(&buf[..n / 2]).await;
                break;
            }
            _ => {
                if cw.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    up.abort();
}
