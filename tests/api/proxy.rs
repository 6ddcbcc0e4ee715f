//! A TCP proxy between Folio and PostgreSQL that a test can cut and restore: the database
//! "goes away" for one instance only, while every other test keeps the shared server.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Shared {
    down: AtomicBool,
    stopped: AtomicBool,
    /// Both ends of every connection passing through, to cut them.
    open: Mutex<Vec<TcpStream>>,
}

pub struct Proxy {
    address: SocketAddr,
    shared: Arc<Shared>,
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    let _ = io::copy(&mut from, &mut to);
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

impl Proxy {
    /// Starts forwarding a port of its own to `target`.
    pub fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port for the proxy");
        let address = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        let state = shared.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if state.stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                // Down: the connection is accepted and closed at once, as by a server that
                // is going away.
                if state.down.load(Ordering::SeqCst) {
                    continue;
                }
                let Ok(server) = TcpStream::connect(target) else {
                    continue;
                };
                let mut open = state.open.lock().unwrap();
                for end in [&client, &server] {
                    open.push(end.try_clone().unwrap());
                }
                let (c, s) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || pipe(c, s));
                std::thread::spawn(move || pipe(server, client));
            }
        });
        Proxy { address, shared }
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The database goes away: every connection through the proxy is cut, and new ones are
    /// closed as soon as they open.
    pub fn cut(&self) {
        self.shared.down.store(true, Ordering::SeqCst);
        for end in self.shared.open.lock().unwrap().drain(..) {
            let _ = end.shutdown(Shutdown::Both);
        }
    }

    /// The database is back.
    pub fn restore(&self) {
        self.shared.down.store(false, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        self.cut();
        // Wakes the accepting thread so it sees the stop.
        let _ = TcpStream::connect(self.address);
    }
}
