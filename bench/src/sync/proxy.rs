//! A byte-counting TCP proxy on loopback. Kassa terminals and PouchDB clients both talk to
//! their server through one, so "bytes on the wire" means the same thing for both: every
//! byte of HTTP (headers included) in each direction, counted at the socket.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// Bytes moved so far: `up` client to server, `down` server to client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bytes {
    pub up: u64,
    pub down: u64,
}

impl Bytes {
    pub fn total(self) -> u64 {
        self.up + self.down
    }

    /// What moved between an earlier snapshot and this one.
    pub fn since(self, earlier: Bytes) -> Bytes {
        Bytes {
            up: self.up - earlier.up,
            down: self.down - earlier.down,
        }
    }
}

/// A running proxy; stops accepting when dropped.
#[derive(Debug)]
pub struct Proxy {
    pub addr: SocketAddr,
    up: Arc<AtomicU64>,
    down: Arc<AtomicU64>,
    stop: CancellationToken,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl Proxy {
    /// Listens on a free loopback port and forwards every connection to `upstream`.
    pub async fn start(upstream: SocketAddr) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the proxy")?;
        let addr = listener.local_addr()?;
        let (up, down) = (Arc::default(), Arc::default());
        let stop = CancellationToken::new();
        tokio::spawn(accept(
            listener,
            upstream,
            Arc::clone(&up),
            Arc::clone(&down),
            stop.clone(),
        ));
        Ok(Proxy {
            addr,
            up,
            down,
            stop,
        })
    }

    /// `http://127.0.0.1:PORT`, for clients.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn bytes(&self) -> Bytes {
        Bytes {
            up: self.up.load(Ordering::Relaxed),
            down: self.down.load(Ordering::Relaxed),
        }
    }
}

async fn accept(
    listener: TcpListener,
    upstream: SocketAddr,
    up: Arc<AtomicU64>,
    down: Arc<AtomicU64>,
    stop: CancellationToken,
) {
    loop {
        let client = tokio::select! {
            () = stop.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((s, _)) => s,
                Err(_) => continue,
            },
        };
        let (up, down, stop) = (Arc::clone(&up), Arc::clone(&down), stop.clone());
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(upstream).await else {
                return;
            };
            // Small requests and acks must not wait for Nagle on either leg.
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            tokio::select! {
                () = stop.cancelled() => {}
                _ = async { tokio::join!(pump(cr, sw, &up), pump(sr, cw, &down)) } => {}
            }
        });
    }
}

/// Copies `from` into `to` until EOF, adding every byte forwarded to `counter`, then
/// shuts `to` down so the peer sees the close. Returns the bytes copied.
pub async fn pump<R, W>(mut from: R, mut to: W, counter: &AtomicU64) -> u64
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        // Counted as read, before forwarding: by the time the peer can answer, its
        // request is already in the count.
        counter.fetch_add(n as u64, Ordering::Relaxed);
        total += n as u64;
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pump_counts_every_forwarded_byte() {
        let counter = AtomicU64::new(0);
        let data = vec![7u8; 200_000];
        let (mut tx, rx) = tokio::io::duplex(4096);
        let (sink, mut out) = tokio::io::duplex(1 << 20);
        let writer = async {
            tx.write_all(&data).await.unwrap();
            drop(tx);
        };
        let (_, copied) = tokio::join!(writer, pump(rx, sink, &counter));
        let mut got = Vec::new();
        out.read_to_end(&mut got).await.unwrap();
        assert_eq!(copied, 200_000);
        assert_eq!(counter.load(Ordering::Relaxed), 200_000);
        assert_eq!(got, data, "bytes pass unchanged");
    }

    #[tokio::test]
    async fn proxy_counts_both_directions() {
        let echo = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream = echo.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = echo.accept().await.unwrap();
            let mut req = [0u8; 5];
            s.read_exact(&mut req).await.unwrap();
            s.write_all(b"0123456789").await.unwrap();
        });
        let proxy = Proxy::start(upstream).await.unwrap();
        let before = proxy.bytes();
        let mut c = TcpStream::connect(proxy.addr).await.unwrap();
        c.write_all(b"hello").await.unwrap();
        let mut answer = Vec::new();
        c.read_to_end(&mut answer).await.unwrap();
        assert_eq!(answer, b"0123456789");
        let moved = proxy.bytes().since(before);
        assert_eq!(moved, Bytes { up: 5, down: 10 });
        assert_eq!(moved.total(), 15);
    }
}
