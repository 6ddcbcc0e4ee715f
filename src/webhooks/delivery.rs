//! One attempt to deliver an event: the signed request, what the receiver answered, and
//! what happens next (done, try again after a while, or stop for good). Blocking: run it
//! off the async workers.

use std::io::Read;
use std::time::{Duration, Instant};

use super::signing;
use super::target::{GuardedResolver, TargetPolicy};

/// How much of a receiver's answer the delivery log keeps.
pub const RESPONSE_EXCERPT: usize = 1024;

/// How webhooks are delivered, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// The longest one attempt may take, connecting included.
    pub timeout: Duration,
    /// The waits before each retry: after the first attempt fails, the first wait, and so
    /// on; when they run out the delivery has failed.
    pub retry_schedule: Vec<Duration>,
    pub targets: TargetPolicy,
    /// How long a rotated-out secret keeps signing beside the new one.
    pub secret_overlap: Duration,
    /// How long finished deliveries stay in the log.
    pub retention: Duration,
}

impl Default for WebhookSettings {
    /// The Standard Webhooks schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (about 28
    /// hours in all).
    fn default() -> WebhookSettings {
        let s = Duration::from_secs;
        WebhookSettings {
            timeout: s(10),
            retry_schedule: vec![s(5), s(300), s(1800), s(7200), s(18000), s(36000), s(36000)],
            targets: TargetPolicy::default(),
            secret_overlap: s(24 * 3600),
            retention: s(30 * 24 * 3600),
        }
    }
}

/// What the receiver made of an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx.
    Delivered,
    /// Timeout, connection error, 3xx, 4xx other than 410, 5xx: try again, no sooner than
    /// `not_before` if the receiver said so (`Retry-After` on 429 and 503).
    Retry { not_before: Option<Duration> },
    /// 410 Gone: the receiver wants no more; the webhook is turned off.
    Gone,
}

/// One attempt, as the delivery log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub verdict: Verdict,
    pub status: Option<u16>,
    pub latency: Duration,
    /// The first bytes of the answer, as text.
    pub response: Option<String>,
    /// What went wrong, when no answer came (or the answer was a failure).
    pub error: Option<String>,
}

/// The client deliveries go through: no redirects followed (a 3xx is a failure), every
/// status an answer, and only vetted addresses connected to.
pub fn agent(settings: &WebhookSettings) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(settings.timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .user_agent(concat!("Folio-Webhooks/", env!("CARGO_PKG_VERSION")))
        // A proxy from the environment would be connected to instead of the vetted target.
        .proxy(None)
        .build();
    ureq::Agent::with_parts(
        config,
        ureq::unversioned::transport::DefaultConnector::new(),
        GuardedResolver {
            policy: settings.targets,
        },
    )
}

/// Sends `body` to `url` as message `id`, signed by `secrets`, at `timestamp` (Unix seconds).
pub fn attempt(
    agent: &ureq::Agent,
    url: &str,
    id: &str,
    timestamp: i64,
    body: &str,
    secrets: &[&str],
) -> Attempt {
    let signature = signing::signature_header(secrets, id, timestamp, body.as_bytes());
    let started = Instant::now();
    let sent = agent
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .send(body);
    let mut response = match sent {
        Ok(response) => response,
        Err(err) => {
            return Attempt {
                verdict: Verdict::Retry { not_before: None },
                status: None,
                latency: started.elapsed(),
                response: None,
                error: Some(describe(&err)),
            };
        }
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let mut excerpt = Vec::new();
    let read = response
        .body_mut()
        .as_reader()
        .take(RESPONSE_EXCERPT as u64)
        .read_to_end(&mut excerpt);
    let latency = started.elapsed();
    let verdict = match status {
        200..=299 => Verdict::Delivered,
        410 => Verdict::Gone,
        429 | 503 => Verdict::Retry {
            not_before: retry_after,
        },
        _ => Verdict::Retry { not_before: None },
    };
    let error = match (&verdict, status) {
        (Verdict::Delivered, _) => None,
        (_, 300..=399) => Some(format!("answered {status}: redirects are not followed")),
        _ => Some(format!("answered {status}")),
    };
    Attempt {
        verdict,
        status: Some(status),
        latency,
        response: read.ok().map(|_| storable(&excerpt)),
        error,
    }
}

/// A receiver's bytes as text the log can store (PostgreSQL refuses NUL in text).
fn storable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace('\0', "\u{FFFD}")
}

/// What went wrong with an attempt that got no answer, for the log: never more than the
/// operator needs (the error of a refused target names the host and address).
fn describe(err: &ureq::Error) -> String {
    match err {
        ureq::Error::Timeout(_) => "timed out".to_owned(),
        ureq::Error::HostNotFound => "the host does not resolve".to_owned(),
        ureq::Error::ConnectionFailed => "could not connect".to_owned(),
        ureq::Error::Io(io) => format!("connection error: {}", io.kind()),
        other => other.to_string(),
    }
}

/// `Retry-After`: seconds, or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or_default())
}

/// The longest a receiver's `Retry-After` may put a retry off: beyond it, the schedule's
/// own longest wait, if that is longer.
const RETRY_AFTER_MAX: Duration = Duration::from_secs(3600);

/// The wait before the next attempt after `failed` failed attempts, or `None` when the
/// schedule is spent. The receiver's `not_before` is honoured up to an hour (or the
/// schedule's longest wait); `jitter` (from 0 to 1) spreads retries by up to a tenth either
/// way, so receivers that came back are not met by every delivery at once.
pub fn next_wait(
    schedule: &[Duration],
    failed: usize,
    not_before: Option<Duration>,
    jitter: f64,
) -> Option<Duration> {
    let planned = *schedule.get(failed.checked_sub(1)?)?;
    let spread = planned.mul_f64(0.9 + 0.2 * jitter.clamp(0.0, 1.0));
    let longest = schedule
        .iter()
        .max()
        .copied()
        .unwrap_or_default()
        .max(RETRY_AFTER_MAX);
    Some(match not_before {
        Some(asked) => spread.max(asked.min(longest)),
        None => spread,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_schedule_with_jitter_and_stop_when_it_is_spent() {
        let schedule = WebhookSettings::default().retry_schedule;
        let total: Duration = schedule.iter().sum();
        assert!(
            (Duration::from_secs(24 * 3600)..Duration::from_secs(30 * 3600)).contains(&total),
            "about a day: {total:?}"
        );
        assert_eq!(
            next_wait(&schedule, 1, None, 0.5),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            next_wait(&schedule, 2, None, 0.0),
            Some(Duration::from_secs(270))
        );
        assert_eq!(
            next_wait(&schedule, 2, None, 1.0),
            Some(Duration::from_secs(330))
        );
        assert_eq!(
            next_wait(&schedule, 7, None, 0.5),
            Some(Duration::from_secs(36000))
        );
        assert_eq!(next_wait(&schedule, 8, None, 0.5), None);
        assert_eq!(next_wait(&schedule, 0, None, 0.5), None);
    }

    #[test]
    fn answers_are_kept_as_storable_text() {
        assert_eq!(storable(b"ok\0\xff"), "ok\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn retry_after_is_honoured_up_to_an_hour() {
        let schedule = [Duration::from_secs(1), Duration::from_secs(60)];
        let asked = Some(Duration::from_secs(30));
        assert_eq!(
            next_wait(&schedule, 1, asked, 0.5),
            Some(Duration::from_secs(30))
        );
        let greedy = Some(Duration::from_secs(86400));
        assert_eq!(
            next_wait(&schedule, 1, greedy, 0.5),
            Some(Duration::from_secs(3600))
        );
        let long = [Duration::from_secs(7200)];
        assert_eq!(
            next_wait(&long, 1, greedy, 0.5),
            Some(Duration::from_secs(7200))
        );
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
