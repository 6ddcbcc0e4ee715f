//! The Markdown benchmark: how long rendering and sanitising takes for families of
//! pathological inputs (deep nesting, long runs of delimiters, wide tables, raw HTML) at
//! growing sizes. Rendering must stay linear in the input, so the time per KiB of every
//! family should stay level as the size grows.
//!
//! Each measurement runs in a child process of its own, so that an input that takes far too
//! long (as several did before rendering was made linear) can be stopped at a deadline and
//! reported as such instead of holding the run.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct MarkdownArgs {
    /// Input sizes in bytes, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [65_536, 262_144, 1_048_576])]
    sizes: Vec<usize>,
    /// Only these families (comma-separated); all by default.
    #[arg(long, value_delimiter = ',')]
    families: Vec<String>,
    /// Renders per measurement; the fastest is reported.
    #[arg(long, default_value_t = 3)]
    repeat: u32,
    /// Seconds one render may take before it is stopped and reported as over the deadline.
    #[arg(long, default_value_t = 60)]
    deadline: u64,
    /// Also write the report (Markdown) to this file.
    #[arg(long)]
    output: Option<std::path::PathBuf>,
}

/// Renders one input in this process: what the parent times in a child.
#[derive(Debug, clap::Args)]
pub struct RenderOneArgs {
    #[arg(long)]
    family: String,
    #[arg(long)]
    size: usize,
    #[arg(long, default_value_t = 1)]
    repeat: u32,
}

/// A family of inputs: its name, and the input of about `n` bytes.
type Family = (&'static str, fn(usize) -> String);

/// `unit` repeated to about `n` bytes.
fn repeat(unit: &str, n: usize) -> String {
    unit.repeat((n / unit.len()).max(1))
}

/// Lines `line(i)` until about `n` bytes.
fn lines(n: usize, line: impl Fn(usize) -> String) -> String {
    let mut out = String::with_capacity(n + 64);
    let mut i = 0;
    while out.len() < n {
        out.push_str(&line(i));
        out.push('\n');
        i += 1;
    }
    out
}

/// A table whose header has `columns` cells, followed by one-cell rows up to `n` bytes: each
/// row is padded to the header's width.
fn wide_table(n: usize, columns: usize) -> String {
    let mut out = "|a".repeat(columns);
    out.push_str("|\n");
    out.push_str(&"|-".repeat(columns));
    out.push_str("|\n");
    while out.len() < n {
        out.push_str("x\n");
    }
    out
}

const FAMILIES: &[Family] = &[
    ("ordered_lists", |n| repeat("1. ", n)),
    ("bullet_lists", |n| repeat("- + ", n)),
    ("indented_lists", |n| {
        lines(n, |i| format!("{}- item", "  ".repeat(i % 400)))
    }),
    ("quotes", |n| repeat("> ", n)),
    ("quote_lines", |n| {
        lines(n, |i| format!("{} line", ">".repeat(i % 500)))
    }),
    ("emphasis_nested", |n| {
        let half = n / 4;
        format!("{}a{}", "*_".repeat(half / 2), "_*".repeat(half / 2))
    }),
    ("emphasis_open", |n| repeat("*a _b ", n)),
    ("links_nested", |n| {
        let k = n / 8;
        format!("{}a{}", "[".repeat(k), "](u)".repeat(k))
    }),
    ("images_nested", |n| {
        let k = n / 8;
        format!("{}a{}", "![".repeat(k), "](u)".repeat(k))
    }),
    ("brackets_open", |n| repeat("[a", n)),
    ("backticks", |n| lines(n, |i| "`".repeat(1 + i % 300))),
    ("table_wide", |n| wide_table(n, n / 8)),
    ("table_rows", |n| {
        lines(n, |i| {
            if i == 1 {
                "|-|-|".into()
            } else {
                "|a|b|".into()
            }
        })
    }),
    ("html_nested", |n| repeat("<div>", n)),
    ("html_lines", |n| lines(n, |_| "<div>".into())),
    ("html_inline", |n| format!("a {}", repeat("<span>", n))),
    ("html_formatting", |n| {
        lines(n, |i| format!("<b id={i}><p>x"))
    }),
    ("html_misnested", |n| repeat("<b><i></b></i>", n)),
    ("footnotes", |n| {
        lines(n, |i| format!("[^{i}]: [^{}]", i + 1))
    }),
];

fn family(name: &str) -> Result<fn(usize) -> String, String> {
    FAMILIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, make)| *make)
        .ok_or_else(|| format!("no family `{name}`"))
}

/// What one child reports: seconds of the fastest render, and the HTML's size (or
/// `refused`, for input that nests too deep).
pub fn run_one(args: RenderOneArgs) -> Result<(), String> {
    let input = family(&args.family)?(args.size);
    let mut best = Duration::MAX;
    let mut outcome = String::new();
    for _ in 0..args.repeat.max(1) {
        let started = Instant::now();
        let rendered = folio::content::markdown::render(&input);
        best = best.min(started.elapsed());
        outcome = match &rendered {
            Ok(rendered) => rendered.html.len().to_string(),
            Err(_) => "refused".to_owned(),
        };
        std::hint::black_box(rendered).ok();
    }
    println!("{} {outcome}", best.as_secs_f64());
    Ok(())
}

enum Outcome {
    Took {
        seconds: f64,
        html_bytes: usize,
    },
    /// Refused as nesting too deep, after this long.
    Refused(f64),
    OverDeadline,
}

fn measure(name: &str, size: usize, repeat: u32, deadline: Duration) -> Result<Outcome, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Command::new(exe)
        .args(["render-one", "--family", name, "--size", &size.to_string()])
        .args(["--repeat", &repeat.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            let out = child.wait_with_output().map_err(|e| e.to_string())?;
            let stdout = String::from_utf8_lossy(&out.stdout);
            if !status.success() {
                return Err(format!(
                    "rendering {name} at {size} B failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            let mut parts = stdout.split_whitespace();
            let seconds = parts.next().and_then(|s| s.parse().ok());
            return match (seconds, parts.next()) {
                (Some(seconds), Some("refused")) => Ok(Outcome::Refused(seconds)),
                (Some(seconds), Some(bytes)) => match bytes.parse() {
                    Ok(html_bytes) => Ok(Outcome::Took {
                        seconds,
                        html_bytes,
                    }),
                    Err(_) => Err(format!("unreadable child output: {stdout}")),
                },
                _ => Err(format!("unreadable child output: {stdout}")),
            };
        }
        if started.elapsed() > deadline * repeat.max(1) {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(Outcome::OverDeadline);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub fn run(args: MarkdownArgs) -> Result<(), String> {
    let chosen: Vec<&Family> = if args.families.is_empty() {
        FAMILIES.iter().collect()
    } else {
        args.families
            .iter()
            .map(|name| {
                FAMILIES
                    .iter()
                    .find(|(n, _)| n == name)
                    .ok_or_else(|| format!("no family `{name}`"))
            })
            .collect::<Result<_, _>>()?
    };
    let deadline = Duration::from_secs(args.deadline);
    let mut report = String::new();
    let kib = |size: usize| size as f64 / 1024.0;
    report.push_str("| family |");
    for &size in &args.sizes {
        report.push_str(&format!(" {:.0} KiB |", kib(size)));
    }
    report.push_str(" µs/KiB at each size | HTML/input at the largest |\n|---|");
    for _ in &args.sizes {
        report.push_str("---:|");
    }
    report.push_str("---|---:|\n");
    print!("{report}");
    for (name, _) in chosen {
        let mut row = format!("| {name} |");
        let mut per_kib = Vec::new();
        let mut ratio = String::from("–");
        for &size in &args.sizes {
            match measure(name, size, args.repeat, deadline)? {
                Outcome::Took {
                    seconds,
                    html_bytes,
                } => {
                    row.push_str(&format!(" {:.1} ms |", seconds * 1e3));
                    per_kib.push(format!("{:.0}", seconds * 1e6 / kib(size)));
                    ratio = format!("{:.1}", html_bytes as f64 / size as f64);
                }
                Outcome::Refused(seconds) => {
                    row.push_str(&format!(" {:.1} ms, refused |", seconds * 1e3));
                    per_kib.push(format!("{:.0}", seconds * 1e6 / kib(size)));
                }
                Outcome::OverDeadline => {
                    row.push_str(&format!(" > {} s |", args.deadline));
                    per_kib.push("–".into());
                }
            }
        }
        row.push_str(&format!(" {} | {ratio} |\n", per_kib.join(" / ")));
        print!("{row}");
        std::io::stdout().flush().ok();
        report.push_str(&row);
    }
    if let Some(path) = &args.output {
        std::fs::write(path, &report)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
