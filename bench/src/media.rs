//! `folio-bench media`: what media costs a running Folio. Starts the release `folio serve` on
//! a temporary data folder and measures uploading 12 MP JPEGs (uploads/s, MB/s, latency), the
//! time from an upload's answer until all its variants are ready, serving a variant of about
//! 200 KB from the folder store against the ceiling serving the same bytes from memory, and the
//! server's resident memory during concurrent uploads of 25 MiB. Writes a report in Markdown.
//!
//! The client side is plain threads and blocking HTTP, so what is timed is the server; every
//! upload is different pixels, since Folio answers the same bytes again with the record it
//! already has.

use std::fmt::Write as _;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::Value;
use ureq::{Agent, SendBody};

use crate::rng::Rng;

/// The server's default variant widths: an image gets each narrower than itself, in WebP and
/// in its own format.
const WIDTHS: [u64; 5] = [320, 640, 1024, 1600, 2400];
const PASSWORD: &str = "media-benchmark-password-1234";
const BOUNDARY: &str = "folio-bench-7MA4YWxkTrZu0gWboundary";
/// The start of an MP4 (an `ftyp` box): enough for Folio to take the rest as a video.
const MP4_HEAD: &[u8] = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom";

#[derive(Debug, clap::Args)]
pub struct MediaArgs {
    /// The `folio` binary to measure (default: the one beside this binary).
    #[arg(long)]
    folio: Option<PathBuf>,
    /// 4000 × 3000 photos uploaded back to back at each client count.
    #[arg(long, default_value_t = 12)]
    photos: usize,
    /// Concurrent uploading clients, comma-separated: a measurement for each.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 4])]
    clients: Vec<usize>,
    /// Photos uploaded one at a time, each once the one before has all its variants: how
    /// long making them takes with nothing queued.
    #[arg(long, default_value_t = 4)]
    alone: usize,
    /// Seconds of each measured wrk run.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Seconds of wrk before each measured run.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// wrk threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// HTTP workers of Folio and the ceiling (default: the core count).
    #[arg(long)]
    workers: Option<usize>,
    /// Bytes the served variant should be nearest to.
    #[arg(long, default_value_t = 200_000)]
    variant_bytes: u64,
    /// Uploads at once in the memory runs.
    #[arg(long, default_value_t = 16)]
    large: usize,
    /// Size of each upload of the memory runs, in MiB (at most the server's `--media-max-mb`,
    /// 25 by default).
    #[arg(long, default_value_t = 25)]
    large_mib: u64,
    /// Leave out the second memory run, of 48 MP JPEGs just under the size limit.
    #[arg(long)]
    no_large_jpegs: bool,
    /// Where the report is written.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/results/media.md"))]
    output: PathBuf,
    /// Keep the temporary folder (data folders, server logs, wrk output).
    #[arg(long)]
    keep: bool,
}

/// The temporary folder of a run: gone at the end unless kept, even after an error.
struct Scratch {
    path: PathBuf,
    keep: bool,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("kept {}", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// A child process that is stopped when dropped, so that no server outlives a failed run.
struct Running {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The end of its log, for an error message that says what the server said.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// Waits until `path` answers 200.
    fn wait_ready(&mut self, agent: &Agent, path: &str) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "the server exited ({status}) before it was ready:\n{}",
                    self.log_tail()
                ));
            }
            if let Ok(r) = agent.get(format!("{}{path}", self.base)).call()
                && r.status() == 200
            {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "{}{path} did not answer 200 within 60 s:\n{}",
            self.base,
            self.log_tail()
        ))
    }
}

fn free_address() -> Result<String, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    Ok(address.to_string())
}

fn spawn(mut command: Command, log: PathBuf) -> Result<(Child, PathBuf), String> {
    let out = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let child = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start {command:?}: {e}"))?;
    Ok((child, log))
}

/// `folio serve` on a data folder of its own, as a load test needs it: no per-client rate
/// limit (all requests come from one address), and room for slow bodies.
fn start_folio(folio: &Path, dir: &Path, workers: usize, agent: &Agent) -> Result<Running, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let bind = free_address()?;
    let mut command = Command::new(folio);
    command
        .arg("serve")
        .arg("--data-dir")
        .arg(dir)
        .args([
            "--bind",
            &bind,
            "--rate-limit",
            "0",
            "--client-timeout",
            "120",
        ])
        .args(["--workers", &workers.to_string()])
        .env("FOLIO_ADMIN_PASSWORD", PASSWORD)
        .env("FOLIO_ACCESS_TOKEN_TTL", "86400")
        .env("FOLIO_LOG", "warn");
    let (child, log) = spawn(command, dir.join("server.log"))?;
    let mut server = Running {
        child,
        base: format!("http://{bind}"),
        log,
    };
    server.wait_ready(agent, "/readyz")?;
    Ok(server)
}

fn start_ceiling(body: &Path, mime: &str, workers: usize, dir: &Path) -> Result<Running, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let bind = free_address()?;
    let mut command = Command::new(me);
    command
        .arg("ceiling")
        .args(["--bind", &bind, "--content-type", mime])
        .arg("--body")
        .arg(body)
        .args(["--workers", &workers.to_string()]);
    let (child, log) = spawn(command, dir.join("ceiling.log"))?;
    let mut ceiling = Running {
        child,
        base: format!("http://{bind}"),
        log,
    };
    ceiling.wait_ready(&agent(Duration::from_secs(5)), "/")?;
    Ok(ceiling)
}

/// An HTTP client that answers every status as a response: a refusal is a result to report.
fn agent(timeout: Duration) -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(5)))
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .build()
        .new_agent()
}

type Response = ureq::http::Response<ureq::Body>;

fn read_json(response: Result<Response, ureq::Error>, what: &str) -> Result<(u16, Value), String> {
    let mut response = response.map_err(|e| format!("{what}: {e}"))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("{what}: reading the answer: {e}"))?;
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok((status, body))
}

fn login(agent: &Agent, base: &str) -> Result<String, String> {
    let body = serde_json::json!({"email": "owner@example.com", "password": PASSWORD});
    let (status, answer) = read_json(
        agent
            .post(format!("{base}/api/v1/auth/login"))
            .header("Content-Type", "application/json")
            .send(body.to_string()),
        "signing in",
    )?;
    match answer["access_token"].as_str() {
        Some(token) if status == 200 => Ok(token.to_owned()),
        _ => Err(format!("signing in answered {status}: {answer}")),
    }
}

/// What one upload got.
struct Uploaded {
    status: u16,
    body: Value,
    /// From the first byte sent to the whole answer read.
    took: Duration,
    answered: Instant,
}

/// Sends `file` (`len` bytes) as the `file` part of a multipart form, as it is read: the
/// client holds no copy of a generated upload.
fn upload(
    agent: &Agent,
    base: &str,
    token: &str,
    name: &str,
    mime: &str,
    file: impl Read,
    len: u64,
) -> Result<Uploaded, String> {
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: {mime}\r\n\r\n"
    );
    let tail = format!("\r\n--{BOUNDARY}--\r\n");
    let total = head.len() as u64 + len + tail.len() as u64;
    let mut body = head.as_bytes().chain(file).chain(tail.as_bytes());
    let started = Instant::now();
    let (status, body) = read_json(
        agent
            .post(format!("{base}/api/v1/media"))
            .header("Authorization", format!("Bearer {token}"))
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header("Content-Length", total.to_string())
            .send(SendBody::from_reader(&mut body)),
        &format!("uploading {name}"),
    )?;
    let answered = Instant::now();
    Ok(Uploaded {
        status,
        body,
        took: answered - started,
        answered,
    })
}

/// Variants an image of `width` pixels gets.
fn expected_variants(width: u64) -> usize {
    2 * WIDTHS.iter().filter(|&&w| w < width).count()
}

/// Polls media `id` every `every` until it lists `want` variants; answers the time from
/// `since` and the record then.
fn await_variants(
    agent: Agent,
    base: String,
    token: String,
    id: String,
    want: usize,
    since: Instant,
    every: Duration,
) -> JoinHandle<Result<(Duration, Value), String>> {
    thread::spawn(move || {
        let deadline = since + Duration::from_secs(900);
        loop {
            let (status, record) = read_json(
                agent
                    .get(format!("{base}/api/v1/media/{id}"))
                    .header("Authorization", format!("Bearer {token}"))
                    .call(),
                &format!("reading media {id}"),
            )?;
            let seen = Instant::now();
            if status != 200 {
                return Err(format!("reading media {id} answered {status}: {record}"));
            }
            let ready = record["variants"].as_array().map_or(0, Vec::len);
            if ready >= want {
                return Ok((seen - since, record));
            }
            if seen > deadline {
                return Err(format!(
                    "media {id} had {ready} of {want} variants 900 s after its upload"
                ));
            }
            thread::sleep(every);
        }
    })
}

/// The whole body of a GET that must answer 200.
fn fetch(agent: &Agent, url: &str) -> Result<Vec<u8>, String> {
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| format!("GET {url}: {e}"))?;
    if response.status() != 200 {
        return Err(format!("GET {url} answered {}", response.status()));
    }
    response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .map_err(|e| format!("GET {url}: {e}"))
}

fn join<T>(handle: JoinHandle<Result<T, String>>) -> Result<T, String> {
    handle
        .join()
        .map_err(|_| "a client thread panicked".to_owned())?
}

// ---- Generated files ----

/// A photo-like image: soft colour fields, soft and hard-edged shapes, and grain. The grain
/// is what makes its JPEG as large as a camera's (smooth synthetic pictures compress to
/// almost nothing), and a seed of its own makes every image different pixels.
fn photo_pixels(seed: u64, w: usize, h: usize, grain: f32) -> Vec<u8> {
    use std::f32::consts::TAU;
    let mut rng = Rng::for_item(seed, 0x0070_686f_746f, 0);
    let mut unit = || rng.unit() as f32;
    // Waves in u and v, split as sin(a + b) = sin a cos b + cos a sin b so that each costs
    // two multiplications a pixel rather than a sine.
    struct Wave {
        col: Vec<(f32, f32)>,
        row: Vec<(f32, f32)>,
        amp: f32,
    }
    let waves: Vec<Wave> = (0..9)
        .map(|_| {
            let (a, b, c, amp) = (
                unit() * 5.0 + 0.3,
                unit() * 5.0 + 0.3,
                unit() * TAU,
                unit() * 50.0 + 15.0,
            );
            let col = (0..w)
                .map(|x| (TAU * a * x as f32 / w as f32 + c).sin_cos())
                .collect();
            let row = (0..h)
                .map(|y| (TAU * b * y as f32 / h as f32).sin_cos())
                .collect();
            Wave { col, row, amp }
        })
        .collect();
    let aspect = h as f32 / w as f32;
    // Centre (in widths), radius, colour, and whether its edge is sharp.
    let shapes: Vec<[f32; 7]> = (0..60)
        .map(|i| {
            [
                unit(),
                unit() * aspect,
                unit() * 0.1 + 0.01,
                unit() * 255.0,
                unit() * 255.0,
                unit() * 255.0,
                (i % 2) as f32,
            ]
        })
        .collect();
    let base = [
        unit() * 120.0 + 60.0,
        unit() * 120.0 + 60.0,
        unit() * 120.0 + 60.0,
    ];
    let mut noise = Rng::for_item(seed, 0x0067_7261_696e, 0).next_u64() | 1;
    let mut pixels = vec![0u8; w * h * 3];
    let mut row = vec![0f32; w * 3];
    for (y, out) in pixels.chunks_exact_mut(w * 3).enumerate() {
        for px in row.chunks_exact_mut(3) {
            px.copy_from_slice(&base);
        }
        for (i, wave) in waves.iter().enumerate() {
            let (s, c) = (wave.row[y].0 * wave.amp, wave.row[y].1 * wave.amp);
            for (px, &(cs, cc)) in row.chunks_exact_mut(3).zip(&wave.col) {
                px[i % 3] += cs * c + cc * s;
            }
        }
        let v = y as f32 / w as f32;
        for shape in &shapes {
            let (dy, r2) = (v - shape[1], shape[2] * shape[2]);
            if dy * dy >= r2 {
                continue;
            }
            let half = (r2 - dy * dy).sqrt();
            let x0 = ((shape[0] - half) * w as f32).max(0.0) as usize;
            let x1 = ((shape[0] + half) * w as f32).min(w as f32) as usize;
            for x in x0..x1 {
                let dx = x as f32 / w as f32 - shape[0];
                let t = 1.0 - (dx * dx + dy * dy) / r2;
                if t <= 0.0 {
                    continue;
                }
                let t = if shape[6] > 0.5 { 0.9 } else { t * t * 0.85 };
                for k in 0..3 {
                    let p = &mut row[x * 3 + k];
                    *p += (shape[3 + k] - *p) * t;
                }
            }
        }
        for (o, px) in out.chunks_exact_mut(3).zip(row.chunks_exact(3)) {
            noise ^= noise << 13;
            noise ^= noise >> 7;
            noise ^= noise << 17;
            let luma = ((noise & 0xff) as f32 - 127.5) * (grain / 127.5);
            for k in 0..3 {
                let chroma =
                    (((noise >> (8 + 8 * k)) & 0xff) as f32 - 127.5) * (grain * 0.4 / 127.5);
                o[k] = (px[k] + luma + chroma).clamp(0.0, 255.0) as u8;
            }
        }
    }
    pixels
}

fn jpeg(pixels: &[u8], w: usize, h: usize, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode(pixels, w as u32, h as u32, image::ExtendedColorType::Rgb8)
        .map_err(|e| format!("encoding a JPEG: {e}"))?;
    Ok(out)
}

/// JPEGs of seeds `seeds`, made on every core: each the size a camera's would be, and at
/// most `max_bytes` (lowering the quality until it fits).
fn photos(
    seeds: std::ops::Range<u64>,
    (w, h): (usize, usize),
    grain: f32,
    quality: u8,
    max_bytes: u64,
) -> Result<Vec<Vec<u8>>, String> {
    let seeds: Vec<u64> = seeds.collect();
    let next = AtomicUsize::new(0);
    let cores = thread::available_parallelism().map_or(2, |n| n.get());
    let mut made: Vec<(usize, Result<Vec<u8>, String>)> = thread::scope(|scope| {
        let workers: Vec<_> = (0..cores.min(seeds.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&seed) = seeds.get(i) else {
                            return out;
                        };
                        let pixels = photo_pixels(seed, w, h, grain);
                        let mut q = quality;
                        let mut encoded = jpeg(&pixels, w, h, q);
                        while let Ok(bytes) = &encoded
                            && bytes.len() as u64 > max_bytes
                            && q > 50
                        {
                            q -= 2;
                            encoded = jpeg(&pixels, w, h, q);
                        }
                        out.push((i, encoded));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|t| t.join().unwrap_or_default())
            .collect()
    });
    made.sort_by_key(|(i, _)| *i);
    if made.len() != seeds.len() {
        return Err("a thread making photos panicked".into());
    }
    made.into_iter().map(|(_, jpeg)| jpeg).collect()
}

/// `len` pseudo-random bytes of seed `seed`, generated as they are read.
struct Noise {
    rng: Rng,
    left: u64,
}

impl Read for Noise {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.left as usize);
        for chunk in buf[..n].chunks_mut(8) {
            let word = self.rng.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        self.left -= n as u64;
        Ok(n)
    }
}

// ---- Figures ----

/// The value at quantile `q` of `values` (nearest rank).
fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NAN, f64::max)
}

/// Statuses as `12 × 201`, the rarest last.
fn statuses(list: &[u16]) -> String {
    let mut counts: Vec<(u16, usize)> = Vec::new();
    for &s in list {
        match counts.iter_mut().find(|(c, _)| *c == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    counts
        .iter()
        .map(|(s, n)| format!("{n} × {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `Field:   123 kB` line of a /proc file, in kB.
fn proc_kb(file: &str, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].split_whitespace().next()?.parse().ok()
}

fn status_kb(pid: u32, field: &str) -> Option<u64> {
    proc_kb(&format!("/proc/{pid}/status"), field)
}

/// Reads the server's resident set every 50 ms and keeps the highest.
struct RssSampler {
    peak_kb: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RssSampler {
    fn start(pid: u32) -> RssSampler {
        let (peak_kb, stop) = (
            Arc::new(AtomicU64::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let (peak, stopped) = (peak_kb.clone(), stop.clone());
        let thread = thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                if let Some(kb) = status_kb(pid, "VmRSS:") {
                    peak.fetch_max(kb, Ordering::Relaxed);
                }
                thread::sleep(Duration::from_millis(50));
            }
        });
        RssSampler {
            peak_kb,
            stop,
            thread: Some(thread),
        }
    }

    fn peak_kb(&self) -> u64 {
        self.peak_kb.load(Ordering::Relaxed)
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn mib(kb: u64) -> String {
    format!("{:.0}", kb as f64 / 1024.0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default()
}

fn output_of(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_default();
    let memory = proc_kb("/proc/meminfo", "MemTotal:").map_or(String::new(), |kb| {
        format!("{:.0} GiB", kb as f64 / 1_048_576.0)
    });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let commit = output_of("git", &["-C", root, "rev-parse", "--short", "HEAD"]);
    let dirty = !output_of("git", &["-C", root, "status", "--porcelain"]).is_empty();
    format!(
        "{} cores ({cpu}), {memory}, Linux {}; commit {commit}{}; {}; {}",
        thread::available_parallelism().map_or(0, |n| n.get()),
        kernel.trim(),
        if dirty {
            " with uncommitted changes"
        } else {
            ""
        },
        output_of("rustc", &["--version"]),
        output_of("wrk", &["--version"])
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

// ---- The measurements ----

struct UploadRun {
    clients: usize,
    statuses: Vec<u16>,
    bytes: u64,
    wall: Duration,
    latencies_ms: Vec<f64>,
    /// From each upload's answer to all its variants seen.
    variants_s: Vec<f64>,
    /// From the first upload sent to the last image's variants seen.
    all_ready: Duration,
    errors: Vec<String>,
}

/// Uploads `files` with `clients` clients at once, back to back, while a poller per upload
/// waits for its variants; answers once every variant is made.
fn upload_photos(
    agent: &Agent,
    base: &str,
    token: &str,
    files: &[Vec<u8>],
    clients: usize,
    records: &mut Vec<Value>,
) -> Result<UploadRun, String> {
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    type Done = (
        u16,
        Duration,
        Option<JoinHandle<Result<(Duration, Value), String>>>,
        String,
    );
    let results: Vec<Result<Done, String>> = thread::scope(|scope| {
        let threads: Vec<_> = (0..clients)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(file) = files.get(i) else {
                            return done;
                        };
                        let name = format!("photo-{i}.jpg");
                        done.push(
                            upload(
                                agent,
                                base,
                                token,
                                &name,
                                "image/jpeg",
                                &file[..],
                                file.len() as u64,
                            )
                            .map(|u| poll_after(agent, base, token, u)),
                        );
                    }
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| {
                t.join()
                    .unwrap_or_else(|_| vec![Err("an upload thread panicked".into())])
            })
            .collect()
    });
    let wall = started.elapsed();
    let mut run = UploadRun {
        clients,
        statuses: Vec::new(),
        bytes: files.iter().map(|f| f.len() as u64).sum(),
        wall,
        latencies_ms: Vec::new(),
        variants_s: Vec::new(),
        all_ready: Duration::ZERO,
        errors: Vec::new(),
    };
    for result in results {
        let (status, took, poller, error) = result?;
        run.statuses.push(status);
        run.latencies_ms.push(took.as_secs_f64() * 1000.0);
        if !error.is_empty() {
            run.errors.push(error);
        }
        if let Some(poller) = poller {
            let (waited, record) = join(poller)?;
            run.variants_s.push(waited.as_secs_f64());
            records.push(record);
        }
    }
    run.all_ready = started.elapsed();
    Ok(run)
}

type Poller = Option<JoinHandle<Result<(Duration, Value), String>>>;

/// What an upload answered, with a poller for its variants if it made a new image.
fn poll_after(
    agent: &Agent,
    base: &str,
    token: &str,
    u: Uploaded,
) -> (u16, Duration, Poller, String) {
    if u.status != 201 {
        return (u.status, u.took, None, format!("{}: {}", u.status, u.body));
    }
    let want = expected_variants(u.body["width"].as_u64().unwrap_or(0));
    let id = u.body["id"].as_str().unwrap_or_default().to_owned();
    let poller = await_variants(
        agent.clone(),
        base.to_owned(),
        token.to_owned(),
        id,
        want,
        u.answered,
        Duration::from_millis(50),
    );
    (u.status, u.took, Some(poller), String::new())
}

struct Served {
    name: &'static str,
    rps: f64,
    transfer: String,
    p50: String,
    p99: String,
    requests: String,
    errors: String,
}

/// Runs wrk against `url` (a warm-up, then the measured run) and reads its summary.
fn wrk(
    args: &MediaArgs,
    url: &str,
    name: &'static str,
    script: Option<&Path>,
    raw: &Path,
) -> Result<Served, String> {
    let run = |seconds: u64| -> Result<String, String> {
        let mut command = Command::new("wrk");
        if let Some(script) = script {
            command.arg("-s").arg(script);
        }
        let out = command
            .args([
                format!("-t{}", args.threads),
                format!("-c{}", args.connections),
                format!("-d{seconds}s"),
                "--timeout".into(),
                "5s".into(),
                "--latency".into(),
                url.into(),
            ])
            .output()
            .map_err(|e| format!("cannot run wrk (apt-get install -y wrk): {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            return Err(format!("wrk failed on {url}: {text}"));
        }
        Ok(text)
    };
    if args.warmup > 0 {
        run(args.warmup)?;
    }
    let text = run(args.duration)?;
    let file: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let _ = std::fs::write(raw.join(format!("wrk-{file}.txt")), &text);
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(|v| v.trim().to_owned())
    };
    let rps = field("Requests/sec:")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("wrk printed no requests/s:\n{text}"))?;
    let mut errors = field("Socket errors:").unwrap_or_else(|| "none".into());
    if let Some(non_2xx) = field("Non-2xx or 3xx responses:") {
        errors = format!("{errors}; **{non_2xx} answers not 2xx/3xx**");
    }
    Ok(Served {
        name,
        rps,
        transfer: field("Transfer/sec:").unwrap_or_default(),
        p50: field("50%").unwrap_or_default(),
        p99: field("99%").unwrap_or_default(),
        requests: text
            .lines()
            .find(|l| l.contains(" requests in "))
            .map(|l| l.trim().to_owned())
            .unwrap_or_default(),
        errors,
    })
}

struct MemoryRun {
    what: String,
    statuses: Vec<u16>,
    errors: Vec<String>,
    bytes: u64,
    baseline_kb: u64,
    /// The highest VmRSS sampled until the last upload was answered.
    peak_uploads_kb: u64,
    /// VmHWM then: since the baseline if `hwm_reset`, else since the server started.
    hwm_uploads_kb: u64,
    hwm_reset: bool,
    /// The highest until the uploads' variants were made (images only).
    peak_variants_kb: Option<u64>,
    hwm_kb: u64,
    wall: Duration,
    variants_wall: Option<Duration>,
}

/// `files` uploaded all at once on a fresh server, its resident set sampled throughout: from
/// an idle baseline to the peak while the uploads arrive (and, for images, until their
/// variants are made).
fn memory_run(
    folio: &Path,
    dir: &Path,
    workers: usize,
    what: String,
    files: Vec<(String, &'static str, Box<dyn Read + Send>, u64)>,
) -> Result<MemoryRun, String> {
    let api = agent(Duration::from_secs(30));
    let server = start_folio(folio, dir, workers, &api)?;
    let token = login(&api, &server.base)?;
    // One small upload first, so that what a first upload sets up once is in the baseline.
    let warm = upload(
        &api,
        &server.base,
        &token,
        "warm-up.mp4",
        "video/mp4",
        MP4_HEAD.chain(Noise {
            rng: Rng::new(u64::MAX),
            left: 64 * 1024,
        }),
        MP4_HEAD.len() as u64 + 64 * 1024,
    )?;
    if warm.status != 201 {
        return Err(format!(
            "the warm-up upload answered {}: {}",
            warm.status, warm.body
        ));
    }
    thread::sleep(Duration::from_secs(1));
    let baseline_kb = status_kb(server.pid(), "VmRSS:").ok_or("cannot read the server's RSS")?;
    // Resets VmHWM to the current RSS, so that the kernel's own peak, which misses nothing
    // between samples, covers the uploads alone.
    let hwm_reset = std::fs::write(format!("/proc/{}/clear_refs", server.pid()), "5").is_ok();
    let sampler = RssSampler::start(server.pid());
    let uploads = agent(Duration::from_secs(900));
    let bytes = files.iter().map(|f| f.3).sum();
    let start = Barrier::new(files.len());
    let started = Instant::now();
    let results: Vec<Result<Uploaded, String>> = thread::scope(|scope| {
        let threads: Vec<_> = files
            .into_iter()
            .map(|(name, mime, file, len)| {
                let (uploads, base, token, start) = (&uploads, &server.base, &token, &start);
                scope.spawn(move || {
                    start.wait();
                    upload(uploads, base, token, &name, mime, file, len)
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|_| Err("an upload thread panicked".into()))
            })
            .collect()
    });
    let wall = started.elapsed();
    let peak_uploads_kb = sampler.peak_kb();
    let hwm_uploads_kb = status_kb(server.pid(), "VmHWM:").unwrap_or(0);
    let mut run = MemoryRun {
        what,
        statuses: Vec::new(),
        errors: Vec::new(),
        bytes,
        baseline_kb,
        peak_uploads_kb,
        hwm_uploads_kb,
        hwm_reset,
        peak_variants_kb: None,
        hwm_kb: 0,
        wall,
        variants_wall: None,
    };
    let mut pollers = Vec::new();
    for result in results {
        match result {
            Ok(u) => {
                run.statuses.push(u.status);
                if u.status != 201 && u.status != 200 {
                    run.errors.push(format!("{}: {}", u.status, u.body));
                }
                let want = expected_variants(u.body["width"].as_u64().unwrap_or(0));
                if u.status == 201 && want > 0 {
                    // Seldom: a poll is a read on the cores the variants are made on.
                    pollers.push(await_variants(
                        api.clone(),
                        server.base.clone(),
                        token.clone(),
                        u.body["id"].as_str().unwrap_or_default().to_owned(),
                        want,
                        u.answered,
                        Duration::from_millis(500),
                    ));
                }
            }
            Err(e) => {
                run.statuses.push(0);
                run.errors.push(e);
            }
        }
    }
    if !pollers.is_empty() {
        for poller in pollers {
            join(poller)?;
        }
        run.variants_wall = Some(started.elapsed());
        run.peak_variants_kb = Some(sampler.peak_kb());
    }
    drop(sampler);
    run.hwm_kb = status_kb(server.pid(), "VmHWM:").unwrap_or(0);
    Ok(run)
}

pub fn run(args: MediaArgs) -> Result<(), String> {
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let folio = match &args.folio {
        Some(path) => path.clone(),
        None => std::env::current_exe()
            .map_err(|e| e.to_string())?
            .with_file_name("folio"),
    };
    if !folio.exists() {
        return Err(format!(
            "{} is missing: build it (cargo build --release --bin folio) or pass --folio",
            folio.display()
        ));
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        return Err("wrk is missing: apt-get install -y wrk".into());
    }
    let workers = args
        .workers
        .unwrap_or_else(|| thread::available_parallelism().map_or(2, |n| n.get()));
    let stamp = chrono::Utc::now();
    let scratch = Scratch {
        path: std::env::temp_dir().join(format!(
            "folio-bench-media-{}-{}",
            std::process::id(),
            stamp.timestamp()
        )),
        keep: args.keep,
    };
    std::fs::create_dir_all(&scratch.path).map_err(|e| e.to_string())?;
    let load_at_start = load_average();
    let max_bytes = args.large_mib * 1024 * 1024;

    let count = args.photos * args.clients.len() + args.alone;
    eprintln!("making {count} distinct 4000 × 3000 JPEGs");
    let t = Instant::now();
    let files = photos(0..count as u64, (4000, 3000), 14.0, 90, max_bytes)?;
    let mean_mb = files.iter().map(Vec::len).sum::<usize>() as f64 / count.max(1) as f64 / 1e6;
    eprintln!(
        "  {mean_mb:.2} MB each on average, in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let api = agent(Duration::from_secs(30));
    let uploads = agent(Duration::from_secs(900));
    let server = start_folio(&folio, &scratch.path.join("photos"), workers, &api)?;
    let token = login(&api, &server.base)?;
    let mut records = Vec::new();
    let mut runs = Vec::new();
    let mut offset = 0;
    for &clients in &args.clients {
        let batch = &files[offset..offset + args.photos];
        offset += args.photos;
        eprintln!("uploading {} photos, {clients} at a time", batch.len());
        let run = upload_photos(
            &uploads,
            &server.base,
            &token,
            batch,
            clients.max(1),
            &mut records,
        )?;
        eprintln!(
            "  {:.2} uploads/s, {:.1} MB/s; variants p50 {:.2} s",
            run.statuses.len() as f64 / run.wall.as_secs_f64(),
            run.bytes as f64 / 1e6 / run.wall.as_secs_f64(),
            quantile(&run.variants_s, 0.5)
        );
        runs.push(run);
    }
    eprintln!(
        "uploading {} photos one at a time, each after the last one's variants",
        args.alone
    );
    let mut alone = Vec::new();
    for file in &files[offset..] {
        alone.push(upload_photos(
            &uploads,
            &server.base,
            &token,
            std::slice::from_ref(file),
            1,
            &mut records,
        )?);
    }

    // The variant nearest the size asked for, among every one made.
    eprintln!("choosing the variant nearest {} bytes", args.variant_bytes);
    let mut best: Option<(Vec<u8>, String, String)> = None;
    for record in &records {
        for variant in record["variants"].as_array().into_iter().flatten() {
            let url = variant["url"].as_str().unwrap_or_default();
            let bytes = fetch(&api, url)?;
            let mime = variant["mime_type"].as_str().unwrap_or_default().to_owned();
            let off = |n: usize| (n as u64).abs_diff(args.variant_bytes);
            if best
                .as_ref()
                .is_none_or(|(b, _, _)| off(bytes.len()) < off(b.len()))
            {
                best = Some((bytes, url.to_owned(), mime));
            }
        }
    }
    let (variant, url, mime) = best.ok_or("no variant was made")?;
    let size = variant.len() as u64;
    let path = url
        .strip_prefix(&server.base)
        .ok_or_else(|| format!("the variant's address {url} is not on {}", server.base))?
        .to_owned();
    let mut notes = Vec::new();
    let head = api
        .head(&url)
        .call()
        .map_err(|e| format!("HEAD {url}: {e}"))?;
    let head_length = head
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
        .to_owned();
    if head_length != size.to_string() {
        notes.push(format!(
            "`HEAD {path}` answered {} with `Content-Length: {head_length}`; GET sends {size} \
             bytes (with `Content-Length: {size}`). A HEAD should give the length a GET would.",
            head.status()
        ));
    }
    let body_file = scratch.path.join("variant.bin");
    std::fs::write(&body_file, &variant).map_err(|e| e.to_string())?;
    eprintln!("serving {path} ({size} bytes, {mime}) with wrk");
    let load_before_serving = load_average();
    let folio_served = wrk(
        &args,
        &format!("{}{path}", server.base),
        "folio",
        None,
        &scratch.path,
    )?;
    // The same requests revalidating a cached copy (304, no body): what looking the file up
    // costs, apart from streaming it. (Not HEAD: wrk waits for the body its Content-Length
    // announces.)
    let etag = head
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| format!("HEAD {url} answered no ETag"))?
        .to_owned();
    let revalidate = scratch.path.join("revalidate.lua");
    std::fs::write(
        &revalidate,
        format!("wrk.headers[\"If-None-Match\"] = '{etag}'\n"),
    )
    .map_err(|e| e.to_string())?;
    let folio_head = wrk(
        &args,
        &format!("{}{path}", server.base),
        "folio, If-None-Match (304, no body)",
        Some(&revalidate),
        &scratch.path,
    )?;
    let ceiling = start_ceiling(&body_file, &mime, workers, &scratch.path)?;
    if fetch(&api, &format!("{}{path}", ceiling.base))? != variant {
        return Err("the ceiling does not serve the variant's bytes".into());
    }
    let ceiling_served = wrk(
        &args,
        &format!("{}{path}", ceiling.base),
        "ceiling",
        None,
        &scratch.path,
    )?;
    drop(ceiling);
    drop(server);

    eprintln!(
        "{} uploads of {} MiB (MP4) at once",
        args.large, args.large_mib
    );
    let mp4s = (0..args.large)
        .map(|i| {
            let file: Box<dyn Read + Send> = Box::new(MP4_HEAD.chain(Noise {
                rng: Rng::for_item(7, 0x006d_7034, i as u64),
                left: max_bytes - MP4_HEAD.len() as u64,
            }));
            (format!("large-{i}.mp4"), "video/mp4", file, max_bytes)
        })
        .collect();
    let mut memory = vec![memory_run(
        &folio,
        &scratch.path.join("mp4"),
        workers,
        format!("{} × {} MiB MP4 (random bytes)", args.large, args.large_mib),
        mp4s,
    )?];
    if !args.no_large_jpegs {
        eprintln!(
            "making {} distinct 8000 × 6000 JPEGs of at most {} MiB",
            args.large, args.large_mib
        );
        let big = photos(
            1000..1000 + args.large as u64,
            (8000, 6000),
            18.0,
            92,
            max_bytes,
        )?;
        let mean = big.iter().map(Vec::len).sum::<usize>() as f64 / big.len().max(1) as f64;
        let files = big
            .into_iter()
            .enumerate()
            .map(|(i, bytes)| {
                let len = bytes.len() as u64;
                let file: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(bytes));
                (format!("large-{i}.jpg"), "image/jpeg", file, len)
            })
            .collect();
        eprintln!("{} uploads of 48 MP JPEGs at once", args.large);
        memory.push(memory_run(
            &folio,
            &scratch.path.join("jpeg"),
            workers,
            format!(
                "{} × 8000 × 6000 JPEG ({:.1} MiB on average)",
                args.large,
                mean / 1_048_576.0
            ),
            files,
        )?);
    }

    let report = Report {
        command,
        machine: machine(),
        date: stamp.format("%Y-%m-%d %H:%M UTC").to_string(),
        load: (load_at_start, load_before_serving, load_average()),
        workers,
        mean_mb,
        runs,
        alone,
        variant: (path, size, mime),
        served: [folio_served, folio_head, ceiling_served],
        memory,
        notes,
    }
    .render(&args);
    print!("{report}");
    if let Some(parent) = args.output.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    std::fs::write(&args.output, &report)
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    eprintln!("wrote {}", args.output.display());
    Ok(())
}

struct Report {
    command: String,
    machine: String,
    date: String,
    load: (String, String, String),
    workers: usize,
    mean_mb: f64,
    runs: Vec<UploadRun>,
    alone: Vec<UploadRun>,
    variant: (String, u64, String),
    served: [Served; 3],
    memory: Vec<MemoryRun>,
    /// What the server did that it should not have, met on the way.
    notes: Vec<String>,
}

impl Report {
    fn render(&self, args: &MediaArgs) -> String {
        let mut out = String::new();
        let w = &mut out;
        let _ = writeln!(w, "# Media: uploads, variants, serving, memory\n");
        let _ = writeln!(
            w,
            "{}. {}, Folio release build, SQLite, media in a folder, {} HTTP workers, \
             `--rate-limit 0 --client-timeout 120`. The machine may be shared: other builds \
             and tests may have been running (load average {} at the start, {} before \
             the serving runs, {} at the end), so read differences under about 15 % as noise.\n",
            self.date, self.machine, self.workers, self.load.0, self.load.1, self.load.2
        );
        let _ = writeln!(
            w,
            "`bench/media` runs it, after release builds of `folio` and `folio-bench`:\n\n\
             ```sh\n{}\n```\n",
            self.command
        );

        let _ = writeln!(
            w,
            "## Uploading 12 MP JPEGs\n\n4000 × 3000 photo-like JPEGs (quality 90, grain for \
             detail; {:.2} MB each on average), every one different pixels, uploaded back to \
             back: uploads/s and MB/s (10⁶ bytes of file) over the time from the first upload \
             sent to the last answer. Variants are made meanwhile by the background job, on the \
             same two cores, while a poller per upload reads its record every 50 ms. The last \
             row is the photos uploaded one at a time once the one before had all its \
             variants, over the time of the uploads alone.\n",
            self.mean_mb
        );
        let _ = writeln!(
            w,
            "| clients | uploads | statuses | uploads/s | MB/s | latency p50 | latency max |\n\
             |---|---:|---|---:|---:|---:|---:|"
        );
        // One at a time, each after the last one's variants: the upload with nothing else
        // running, timed over the uploads alone.
        let alone = UploadRun {
            clients: 1,
            statuses: self.alone.iter().flat_map(|r| r.statuses.clone()).collect(),
            bytes: self.alone.iter().map(|r| r.bytes).sum(),
            wall: self.alone.iter().map(|r| r.wall).sum(),
            latencies_ms: self
                .alone
                .iter()
                .flat_map(|r| r.latencies_ms.clone())
                .collect(),
            variants_s: Vec::new(),
            all_ready: Duration::ZERO,
            errors: Vec::new(),
        };
        for (r, how) in self
            .runs
            .iter()
            .map(|r| (r, "back to back"))
            .chain([(&alone, "alone, nothing else running")])
        {
            let secs = r.wall.as_secs_f64();
            let _ = writeln!(
                w,
                "| {} ({how}) | {} | {} | {:.2} | {:.1} | {:.0} ms | {:.0} ms |",
                r.clients,
                r.statuses.len(),
                statuses(&r.statuses),
                r.statuses.len() as f64 / secs,
                r.bytes as f64 / 1e6 / secs,
                quantile(&r.latencies_ms, 0.5),
                max(&r.latencies_ms)
            );
        }
        for e in self.runs.iter().chain(&self.alone).flat_map(|r| &r.errors) {
            let _ = writeln!(w, "\n**Refused:** {e}");
        }

        let _ = writeln!(
            w,
            "\n## Until all variants are ready\n\nFrom the upload's `201` until \
             `GET /api/v1/media/{{id}}` lists all {} variants ({} widths × WebP and JPEG), \
             polled every 50 ms. Back to back, an image waits behind the ones before it; alone, \
             each photo is uploaded once the one before has all its variants.\n",
            expected_variants(4000),
            WIDTHS.len()
        );
        let _ = writeln!(
            w,
            "| uploads | images | p50 | max | last variant ready after | images/s through the job |\n\
             |---|---:|---:|---:|---:|---:|"
        );
        for r in &self.runs {
            let _ = writeln!(
                w,
                "| back to back, {} client{} | {} | {:.2} s | {:.2} s | {:.1} s | {:.2} |",
                r.clients,
                if r.clients == 1 { "" } else { "s" },
                r.variants_s.len(),
                quantile(&r.variants_s, 0.5),
                max(&r.variants_s),
                r.all_ready.as_secs_f64(),
                r.variants_s.len() as f64 / r.all_ready.as_secs_f64()
            );
        }
        let alone: Vec<f64> = self
            .alone
            .iter()
            .flat_map(|r| r.variants_s.clone())
            .collect();
        let alone_upload: Vec<f64> = self
            .alone
            .iter()
            .flat_map(|r| r.latencies_ms.clone())
            .collect();
        let _ = writeln!(
            w,
            "| alone (upload p50 {:.0} ms) | {} | {:.2} s | {:.2} s | | |",
            quantile(&alone_upload, 0.5),
            alone.len(),
            quantile(&alone, 0.5),
            max(&alone)
        );

        let (path, size, mime) = &self.variant;
        let [folio, folio_head, ceiling] = &self.served;
        let _ = writeln!(
            w,
            "\n## Serving a variant\n\nThe variant nearest {} bytes among all made: `{}` \
             ({size} bytes, {mime}), read from the folder store for every request; the ceiling \
             (`folio-bench ceiling`, the same bytes from memory on the same HTTP stack and \
             worker count) on the same path. `wrk -t{} -c{} -d{}s --latency` after {} s of \
             warm-up, one after the other; Folio was idle (every variant made). The 304 row \
             is the same requests with the variant's `If-None-Match`: the lookup and the \
             headers without the file, so the gap between it and the GET row is streaming \
             the file.\n",
            args.variant_bytes, path, args.threads, args.connections, args.duration, args.warmup
        );
        let _ = writeln!(
            w,
            "| server | req/s | transfer/s | p50 | p99 | errors | ratio to ceiling | requests |\n\
             |---|---:|---:|---:|---:|---|---:|---|"
        );
        for s in [folio, folio_head, ceiling] {
            let _ = writeln!(
                w,
                "| {} | {:.0} | {} | {} | {} | {} | {:.1} % | {} |",
                s.name,
                s.rps,
                s.transfer,
                s.p50,
                s.p99,
                s.errors,
                s.rps / ceiling.rps * 100.0,
                s.requests
            );
        }

        let _ = writeln!(
            w,
            "\n## Memory during {} concurrent uploads\n\nEach on a fresh server: one small \
             upload, a second's rest, then the baseline `VmRSS`; then the kernel's peak (VmHWM) \
             is reset to it (`clear_refs`), all uploads start at once (one client thread each), \
             and `VmRSS` is also read every 50 ms. The peak is the higher of VmHWM and the \
             samples. MiB are 2²⁰ bytes. The MP4s are random bytes after an `ftyp` box, so they \
             are stored as they came; the JPEGs (48 MP, under the 60 MP limit) are rewritten \
             without metadata, then decoded for their variants, which the last column follows \
             until all are made.\n",
            args.large
        );
        let _ = writeln!(
            w,
            "| uploads | statuses | MB sent | uploads' wall time | baseline RSS | peak RSS until \
             the last answer | peak − baseline | peak until all variants made |\n\
             |---|---|---:|---:|---:|---:|---:|---:|"
        );
        for m in &self.memory {
            let hwm = |kb: u64| if m.hwm_reset { kb } else { 0 };
            let uploads = m.peak_uploads_kb.max(hwm(m.hwm_uploads_kb));
            let variants = match (m.peak_variants_kb, m.variants_wall) {
                (Some(kb), Some(t)) => {
                    let kb = kb.max(hwm(m.hwm_kb));
                    format!(
                        "{} MiB (+{}; all made {:.0} s after the start)",
                        mib(kb),
                        mib(kb.saturating_sub(m.baseline_kb)),
                        t.as_secs_f64()
                    )
                }
                _ => "–".into(),
            };
            let _ = writeln!(
                w,
                "| {} | {} | {:.0} | {:.1} s | {} MiB | {} MiB | **{} MiB** | {variants} |",
                m.what,
                statuses(&m.statuses),
                m.bytes as f64 / 1e6,
                m.wall.as_secs_f64(),
                mib(m.baseline_kb),
                mib(uploads),
                mib(uploads.saturating_sub(m.baseline_kb)),
            );
        }
        if self.memory.iter().any(|m| !m.hwm_reset) {
            // After the table: a line between its rows would end it.
            let _ = writeln!(
                w,
                "\n*VmHWM could not be reset on this system: the peaks are the 50 ms samples \
                 alone.*"
            );
        }
        for e in self.memory.iter().flat_map(|m| &m.errors) {
            let _ = writeln!(w, "\n**Refused:** {e}");
        }
        if !self.notes.is_empty() {
            let _ = writeln!(w, "\n## Found on the way\n");
            for note in &self.notes {
                let _ = writeln!(w, "- {note}");
            }
        }
        out
    }
}
