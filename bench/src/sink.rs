//! A webhook receiver for the benchmark: answers every delivery `200` at once, and writes
//! when each post's `post.added` arrived (its id and the Unix time in microseconds, a line
//! each) for the runner to measure delivery latency against. `GET /count` answers how many
//! deliveries came in all. One worker: a receiver should cost the machine little.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::http::Method;
use actix_web::web::Bytes;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

#[derive(Debug, clap::Args)]
pub struct SinkArgs {
    #[arg(long, default_value = "127.0.0.1:8091")]
    bind: String,
    /// Where the arrivals are written.
    #[arg(long)]
    arrivals: PathBuf,
}

struct Received {
    count: AtomicU64,
    arrivals: Mutex<std::fs::File>,
}

pub fn run(args: SinkArgs) -> Result<(), String> {
    let file = std::fs::File::create(&args.arrivals)
        .map_err(|e| format!("cannot write {}: {e}", args.arrivals.display()))?;
    let received = web::Data::new(Received {
        count: AtomicU64::new(0),
        arrivals: Mutex::new(file),
    });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(received.clone())
            .default_service(web::to(receive))
    })
    .workers(1)
    .bind(&args.bind)
    .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    actix_web::rt::System::new()
        .block_on(server.run())
        .map_err(|e| e.to_string())
}

async fn receive(req: HttpRequest, body: Bytes, received: web::Data<Received>) -> HttpResponse {
    let at = chrono::Utc::now().timestamp_micros();
    if req.method() == Method::GET {
        return HttpResponse::Ok().body(received.count.load(Ordering::Relaxed).to_string());
    }
    received.count.fetch_add(1, Ordering::Relaxed);
    if let Ok(event) = serde_json::from_slice::<serde_json::Value>(&body)
        && event["type"] == "post.added"
        && let Some(id) = event["data"]["post"]["current"]["id"].as_str()
        && let Ok(mut file) = received.arrivals.lock()
    {
        let _ = writeln!(file, "{id} {at}");
    }
    HttpResponse::Ok().finish()
}
