//! Folio: a headless CMS. `setup::open` turns a [`config::Config`] into the shared state,
//! `app::app` into the HTTP application; the binary and the tests both go through them. The
//! modules are layered (README, "Layout"): each uses only those below it.

pub mod app;
pub mod auth;
pub mod authors;
pub mod config;
pub mod content;
pub mod db;
pub mod demo;
pub mod error;
pub mod events;
pub mod feeds;
pub mod ghost;
pub mod health;
pub mod http;
pub mod ids;
pub mod jobs;
pub mod keys;
pub mod media;
pub mod named;
pub mod openapi;
pub mod posts;
pub mod precondition;
pub mod query;
pub mod routes;
pub mod sessions;
pub mod settings;
pub mod setup;
pub mod site;
pub mod tags;
pub mod telemetry;
pub mod validate;
pub mod webhooks;
pub mod worker;

use std::io;

pub use app::{AppState, app};
pub use config::Config;

/// Serves `state` on `bind` until the process is told to stop.
pub async fn serve(state: AppState, bind: &str, workers: Option<usize>) -> io::Result<()> {
    let listener = std::net::TcpListener::bind(bind)?;
    tracing::info!(
        address = bind,
        version = env!("CARGO_PKG_VERSION"),
        "Folio is listening"
    );
    let _worker = worker::start(&state);
    server(state, listener, workers)?.await
}

/// The HTTP server for `state` on `listener` (which tests bind to port 0), with the worker
/// threads, blocking threads and client timeouts of a real deployment.
pub fn server(
    state: AppState,
    listener: std::net::TcpListener,
    workers: Option<usize>,
) -> io::Result<actix_web::dev::Server> {
    let server = actix_web::HttpServer::new({
        let state = state.clone();
        move || app(state.clone())
    });
    let workers = workers.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n.max(1),
    );
    // Database work runs on each worker's blocking threads, one connection each: threads past
    // the pool's size would only wait for a connection, each holding its own memory
    // (allocator arenas, a rendered page) meanwhile. The floor of 2 leaves room for a
    // password hash beside a query.
    let blocking = (state.db.max_connections() as usize)
        .div_ceil(workers)
        .max(2);
    // A client that is slow to send its request head, or to go away, holds a connection.
    Ok(server
        .workers(workers)
        .worker_max_blocking_threads(blocking)
        .client_request_timeout(state.body_timeout)
        .client_disconnect_timeout(std::time::Duration::from_secs(1))
        .listen(listener)?
        .run())
}
