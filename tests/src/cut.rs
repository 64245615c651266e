//! A pass-through TCP proxy that can take its upstream "down": while down it cuts every
//! open connection and refuses new ones at once. Put in front of RabbitMQ or the MongoDB
//! store, it is, as far as the server can tell, that service stopping and starting.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct TcpCut {
    /// Where clients connect instead of the upstream.
    pub addr: SocketAddr,
    down: Arc<AtomicBool>,
    /// Bumped on every cut; live connections end when it moves.
    cuts: watch::Sender<u64>,
}

impl TcpCut {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind cut proxy");
        let addr = listener.local_addr().expect("addr");
        let down = Arc::new(AtomicBool::new(false));
        let (cuts, _) = watch::channel(0u64);
        let (is_down, cut_rx) = (down.clone(), cuts.subscribe());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if is_down.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                tokio::spawn(pipe(client, upstream, cut_rx.clone()));
            }
        });
        Self { addr, down, cuts }
    }

    /// Takes the upstream down (cutting what is open) or brings it back.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
        if down {
            self.cuts.send_modify(|n| *n += 1);
        }
    }
}

async fn pipe(mut client: TcpStream, upstream: SocketAddr, mut cut: watch::Receiver<u64>) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    cut.mark_unchanged();
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = cut.changed() => {}
    }
}

/// `host:port` of a `mongodb://` or `amqp://` URI (credentials and path stripped).
pub fn uri_addr(uri: &str) -> SocketAddr {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let host = rest.split(['/', '?']).next().unwrap_or(rest);
    let host = host.replace("localhost", "127.0.0.1");
    host.parse()
        .unwrap_or_else(|_| panic!("{uri}: no host:port"))
}

/// `uri` with its `host:port` replaced by `addr`.
pub fn uri_via(uri: &str, addr: SocketAddr) -> String {
    let original = uri_addr(uri).to_string();
    let written = if uri.contains(&original) {
        original
    } else {
        original.replace("127.0.0.1", "localhost")
    };
    uri.replacen(&written, &addr.to_string(), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_uris_are_rewritten_to_go_through_the_cut() {
        let via: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let amqp = "amqp://guest:guest@127.0.0.1:5672/kassa-test-1";
        assert_eq!(uri_addr(amqp).port(), 5672);
        assert_eq!(
            uri_via(amqp, via),
            "amqp://guest:guest@127.0.0.1:9/kassa-test-1"
        );
        let mongo = "mongodb://127.0.0.1:27018/?directConnection=true";
        assert_eq!(
            uri_via(mongo, via),
            "mongodb://127.0.0.1:9/?directConnection=true"
        );
    }
}
