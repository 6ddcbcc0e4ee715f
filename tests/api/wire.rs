//! Folio behind a real socket, spoken to byte by byte: what the HTTP layer answers before any
//! of Folio's code runs, and what Folio answers at its edge.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use crate::on_both_backends;
use crate::support::{Backend, spawn_with};

on_both_backends!(
    the_http_layer_refuses_broken_requests_as_documented,
    refusals_at_the_edge_are_problem_json_with_the_security_headers,
);

/// Sends `request` as it is and reads the answer until the server closes or goes quiet.
fn exchange(address: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status code, the lower-cased header lines and the body of a raw answer.
fn parse(answer: &str) -> (u16, Vec<String>, String) {
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    (
        status,
        lines.map(str::to_lowercase).collect(),
        body.to_owned(),
    )
}

/// Starts a real server for `state` on a port of its own.
fn listen(state: folio::AppState) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let server = folio::server(state, listener, Some(1)).expect("the server starts");
    actix_web::rt::spawn(server);
    address
}

async fn exchanges(address: SocketAddr, requests: Vec<Vec<u8>>) -> Vec<String> {
    actix_web::web::block(move || requests.iter().map(|r| exchange(address, r)).collect())
        .await
        .unwrap()
}

/// Requests actix-http refuses while parsing them, before the application sees them: it
/// answers with an empty body and closes, and offers no way to answer otherwise. The README
/// says so; this keeps it true.
async fn the_http_layer_refuses_broken_requests_as_documented(backend: Backend) {
    let app = spawn_with(backend, |c| {
        c.protection.client_timeout = Duration::from_secs(1)
    })
    .await;
    let address = listen(app.state().clone());
    let many_headers: String = (0..100).map(|i| format!("X-H{i}: v\r\n")).collect();
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("a malformed request line", b"GARBAGE\r\n\r\n".to_vec(), 400),
        (
            "a NUL in the target",
            b"GET /api/v1/po\0sts HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            400,
        ),
        (
            "Content-Length with Transfer-Encoding",
            b"POST /api/v1/posts HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\
              Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                .to_vec(),
            400,
        ),
        (
            "no Host in HTTP/1.1",
            b"GET /api/v1/posts HTTP/1.1\r\n\r\n".to_vec(),
            400,
        ),
        (
            "more headers than the parser holds",
            format!("GET /healthz HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n").into_bytes(),
            431,
        ),
        (
            "a head that never ends",
            b"GET /healthz HTTP/1.1\r\nHost: x\r\n".to_vec(),
            408,
        ),
    ];
    let requests = cases.iter().map(|(_, r, _)| r.clone()).collect();
    for ((case, _, status), answer) in cases.iter().zip(exchanges(address, requests).await) {
        let (got, headers, body) = parse(&answer);
        assert_eq!(got, *status, "{case}: {answer:?}");
        assert!(body.is_empty(), "{case}: {answer:?}");
        assert!(headers.contains(&"connection: close".to_owned()), "{case}");
    }
}

/// Everything Folio itself refuses, however early, is problem+json with the security headers.
async fn refusals_at_the_edge_are_problem_json_with_the_security_headers(backend: Backend) {
    let app = spawn_with(backend, |c| {
        c.protection.client_timeout = Duration::from_secs(1);
        c.protection.header_limit = 4096;
        c.protection.query_limit = 256;
        c.body_limit = 1024;
    })
    .await;
    let address = listen(app.state().clone());
    let big_header = "a".repeat(8192);
    let long_query = "q=".to_owned() + &"a".repeat(300);
    let big_body = "x".repeat(4096);
    let cases: Vec<(&str, String, u16)> = vec![
        (
            "headers over the limit",
            format!("GET /api/v1/posts HTTP/1.1\r\nHost: x\r\nX-Big: {big_header}\r\n\r\n"),
            431,
        ),
        (
            "a long query string",
            format!("GET /api/v1/posts?{long_query} HTTP/1.1\r\nHost: x\r\n\r\n"),
            414,
        ),
        (
            "a path no route takes",
            "GET /nothing/here HTTP/1.1\r\nHost: x\r\n\r\n".into(),
            404,
        ),
        (
            "a malformed percent escape",
            "GET /api/v1/posts/%zz%00 HTTP/1.1\r\nHost: x\r\n\r\n".into(),
            404,
        ),
        (
            "a method the route does not take",
            "PUT /api/v1/posts HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".into(),
            405,
        ),
        (
            "a body over the limit",
            format!(
                "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\n\r\n{big_body}",
                big_body.len()
            ),
            413,
        ),
        (
            "a body that never arrives",
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: 100\r\n\r\n{"
                .into(),
            408,
        ),
        (
            "a body that is not JSON",
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: 5\r\n\r\n{oops"
                .into(),
            400,
        ),
    ];
    // Each connection closes after its answer, so reading it ends there.
    let requests = cases
        .iter()
        .map(|(_, r, _)| r.replacen("Host: x\r\n", "Host: x\r\nConnection: close\r\n", 1))
        .map(String::into_bytes)
        .collect();
    for ((case, _, status), answer) in cases.iter().zip(exchanges(address, requests).await) {
        let (got, headers, body) = parse(&answer);
        assert_eq!(got, *status, "{case}: {answer:?}");
        for header in [
            "content-type: application/problem+json",
            "x-content-type-options: nosniff",
            "x-frame-options: deny",
            "referrer-policy: no-referrer",
        ] {
            assert!(headers.iter().any(|h| h == header), "{case}: no {header}");
        }
        let problem: serde_json::Value = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{case}: not JSON ({e}): {body:?}"));
        assert_eq!(problem["status"], *status, "{case}");
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
}
