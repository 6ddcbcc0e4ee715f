//! A real HTTP receiver for webhook tests, bound on 127.0.0.1: it answers as told (a status,
//! headers, a delay), records every request, and checks each signature with the Standard
//! Webhooks reference verifier (`standardwebhooks`) against the secrets it trusts.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Got {
    pub path: String,
    pub headers: http::HeaderMap,
    pub body: Value,
    /// Whether a trusted secret verified it (`None`: no secret trusted yet).
    pub verified: Option<bool>,
    /// Each trusted secret, and whether it alone verifies the request.
    pub verified_by: Vec<(String, bool)>,
    pub at: Instant,
}

impl Got {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    pub fn event(&self) -> &str {
        self.body["type"].as_str().unwrap_or_default()
    }
}

/// How to answer one request.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub delay: Duration,
}

impl Answer {
    pub fn status(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn after(mut self, delay: Duration) -> Answer {
        self.delay = delay;
        self
    }
}

#[derive(Default)]
struct State {
    got: Vec<Got>,
    answers: VecDeque<Answer>,
    secrets: Vec<String>,
}

pub struct Receiver {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Receiver {
    pub fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port for the receiver");
        listener.set_nonblocking(true).unwrap();
        let address = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (shared, stopped) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let shared = shared.clone();
                        std::thread::spawn(move || serve(stream, &shared));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Receiver {
            address,
            state,
            stop,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Answers the next requests so, in turn; after them, `200`.
    pub fn answer(&self, answers: impl IntoIterator<Item = Answer>) {
        self.state.lock().unwrap().answers.extend(answers);
    }

    /// Verifies what comes with `secret` too.
    pub fn trust(&self, secret: &str) {
        self.state.lock().unwrap().secrets.push(secret.to_owned());
    }

    pub fn got(&self) -> Vec<Got> {
        self.state.lock().unwrap().got.clone()
    }

    /// What came, once at least `n` requests have (or the time is up: then what there is).
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Got> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.got();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// What came, once no request has for `quiet` (or `within` is up).
    pub async fn settle(&self, quiet: Duration, within: Duration) -> Vec<Got> {
        let deadline = Instant::now() + within;
        let mut seen = usize::MAX;
        let mut since = Instant::now();
        loop {
            let got = self.got();
            if got.len() != seen {
                seen = got.len();
                since = Instant::now();
            }
            if since.elapsed() >= quiet || Instant::now() > deadline {
                return got;
            }
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let mut headers = http::HeaderMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() {
            return;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.trim().as_bytes()),
                http::HeaderValue::from_str(value.trim()),
            )
        {
            headers.append(name, value);
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let (answer, secrets) = {
        let mut state = state.lock().unwrap();
        (
            state
                .answers
                .pop_front()
                .unwrap_or_else(|| Answer::status(200)),
            state.secrets.clone(),
        )
    };
    let verified_by: Vec<(String, bool)> = secrets
        .iter()
        .map(|secret| {
            let ok = standardwebhooks::Webhook::new(secret)
                .map(|hook| hook.verify(&body, &headers).is_ok())
                .unwrap_or(false);
            (secret.clone(), ok)
        })
        .collect();
    let got = Got {
        path,
        verified: (!verified_by.is_empty()).then(|| verified_by.iter().any(|(_, ok)| *ok)),
        verified_by,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        headers,
        at: Instant::now(),
    };
    state.lock().unwrap().got.push(got);
    std::thread::sleep(answer.delay);
    let mut stream = reader.into_inner();
    let mut response = format!(
        "HTTP/1.1 {} Answer\r\nContent-Length: 2\r\nConnection: close\r\n",
        answer.status
    );
    for (name, value) in &answer.headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\nok");
    let _ = stream.write_all(response.as_bytes());
}
