//! PostgreSQL's `LISTEN`: a connection of its own that hears every instance's "a job was
//! queued" and wakes this instance's worker. The worker polls as well, so a notification lost
//! to a broken connection only delays a job.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use diesel::prelude::*;

use super::{CHANNEL, wake};

/// How often the connection is checked for notifications. Reading them costs no query (it is
/// a non-blocking read of the socket), so this bounds the delay a notification adds.
const TICK: Duration = Duration::from_millis(5);

/// How long to wait before connecting again after the connection failed.
const RECONNECT: Duration = Duration::from_secs(1);

/// Stops the listening thread when dropped.
#[derive(Debug)]
pub struct Listener {
    stop: Arc<AtomicBool>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Listens on `url` (a `postgres://` URL) until the returned [`Listener`] is dropped.
pub fn start(url: String) -> Listener {
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let spawned = thread::Builder::new()
        .name("folio-listen".into())
        .spawn(move || {
            let mut failing = false;
            while !stopped.load(Ordering::Relaxed) {
                match listen(&url, &stopped) {
                    Ok(()) => return,
                    Err(cause) => {
                        if !failing {
                            tracing::warn!(%cause, "not listening for queued jobs; polling meanwhile");
                        }
                        failing = true;
                        thread::sleep(RECONNECT);
                    }
                }
            }
        });
    if let Err(cause) = spawned {
        tracing::warn!(%cause, "cannot listen for queued jobs; polling instead");
    }
    Listener { stop }
}

fn listen(url: &str, stop: &AtomicBool) -> Result<(), String> {
    let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
    diesel::sql_query(format!("LISTEN {CHANNEL}"))
        .execute(&mut conn)
        .map_err(|e| e.to_string())?;
    // Whatever was queued while this connection was away is found by the worker's next look.
    wake();
    while !stop.load(Ordering::Relaxed) {
        let mut heard = false;
        for notification in conn.notifications_iter() {
            notification.map_err(|e| e.to_string())?;
            heard = true;
        }
        if heard {
            wake();
        }
        thread::sleep(TICK);
    }
    Ok(())
}
