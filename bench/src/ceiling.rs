//! The ceiling: the cheapest possible answer to the list request — the exact bytes of a
//! captured response, from memory — on the same HTTP stack and worker count as Folio. Folio's
//! requests per second are reported as a share of this server's, measured in the same run.

use std::path::PathBuf;

use actix_web::http::Method;
use actix_web::web::Bytes;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

#[derive(Debug, clap::Args)]
pub struct CeilingArgs {
    #[arg(long, default_value = "127.0.0.1:8090")]
    bind: String,
    /// The response body to serve (a captured list response).
    #[arg(long)]
    body: PathBuf,
    /// The `Content-Type` the captured response had.
    #[arg(long, default_value = "application/json")]
    content_type: String,
    /// HTTP worker threads (as the Folio server under test has).
    #[arg(long)]
    workers: Option<usize>,
}

pub fn run(args: CeilingArgs) -> Result<(), String> {
    let body = Bytes::from(
        std::fs::read(&args.body)
            .map_err(|e| format!("cannot read {}: {e}", args.body.display()))?,
    );
    let content_type = args.content_type.clone();
    let server = HttpServer::new(move || {
        let body = body.clone();
        let content_type = content_type.clone();
        App::new().default_service(web::to(move |req: HttpRequest| {
            let response = if req.method() == Method::GET {
                HttpResponse::Ok()
                    .insert_header(("content-type", content_type.clone()))
                    .body(body.clone())
            } else {
                HttpResponse::MethodNotAllowed().finish()
            };
            async move { response }
        }))
    });
    let server = match args.workers {
        Some(n) => server.workers(n.max(1)),
        None => server,
    };
    let server = server
        .bind(&args.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    eprintln!("ceiling listening on {}", args.bind);
    actix_web::rt::System::new()
        .block_on(server.run())
        .map_err(|e| e.to_string())
}
