//! This instance's worker: claims due jobs from the queue and runs them (scheduled
//! publishing, webhook deliveries, pruning the delivery log), a few at a time. It wakes when
//! a job is queued (in this process, or on PostgreSQL by any instance's `NOTIFY`), when the
//! next job falls due, and at least every few seconds.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::rt;
use chrono::TimeDelta;
use futures_util::future::{Either, select};
use tokio::sync::Semaphore;

use crate::app::AppState;
use crate::db::{Backend, Db, now};
use crate::error::ApiResult;
use crate::events;
use crate::jobs::{self, Claimed, Job};
use crate::media::{self, settings::MediaSettings, view::Media};
use crate::posts::service::{self as posts, Editorial};
use crate::webhooks::delivery::{self, Verdict, WebhookSettings};
use crate::webhooks::service as webhooks;

/// The longest the worker sleeps without looking at the queue.
const POLL: Duration = Duration::from_secs(5);

/// Events handed to their webhooks in one transaction.
const DISPATCH_BATCH: i64 = 200;

/// How often the delivery log is pruned.
const PRUNE_EVERY: TimeDelta = TimeDelta::hours(1);

/// How long a claimed job is this instance's: past it, another instance may take it over.
/// Well beyond what one attempt may take.
fn lease(settings: &WebhookSettings) -> Duration {
    settings.timeout * 2 + Duration::from_secs(5)
}

/// Stops the worker (and its listener) when dropped.
pub struct Worker {
    task: rt::task::JoinHandle<()>,
    _listener: Option<jobs::listen::Listener>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How often the queue's state and the deliveries since are logged (when there is news).
const REPORT_EVERY: Duration = Duration::from_secs(60);

/// What running a job needs.
struct Context {
    db: Db,
    editorial: Editorial,
    webhooks: WebhookSettings,
    media: MediaSettings,
    agent: ureq::Agent,
    holder: String,
    tally: Tally,
}

/// Deliveries since the last report, by outcome, and their latency.
#[derive(Default)]
struct Tally {
    delivered: AtomicU64,
    failed: AtomicU64,
    gone: AtomicU64,
    latency_ms_total: AtomicU64,
    latency_ms_max: AtomicU64,
}

impl Tally {
    fn count(&self, verdict: &Verdict, latency: Duration) {
        let counter = match verdict {
            Verdict::Delivered => &self.delivered,
            Verdict::Retry { .. } => &self.failed,
            Verdict::Gone => &self.gone,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.latency_ms_total.fetch_add(ms, Ordering::Relaxed);
        self.latency_ms_max.fetch_max(ms, Ordering::Relaxed);
    }

    /// Logs the queue's depth and the deliveries since the last report, if there is news.
    fn report(&self, depth: &jobs::Depth) {
        let take = |c: &AtomicU64| c.swap(0, Ordering::Relaxed);
        let (delivered, failed, gone) =
            (take(&self.delivered), take(&self.failed), take(&self.gone));
        let (total, max) = (take(&self.latency_ms_total), take(&self.latency_ms_max));
        let attempts = delivered + failed + gone;
        if attempts == 0 && depth.due == 0 && depth.running == 0 {
            return;
        }
        let oldest_due_s = depth.oldest_due.map(|at| (now() - at).num_seconds());
        tracing::info!(
            due = depth.due,
            running = depth.running,
            waiting = depth.waiting,
            oldest_due_s,
            delivered,
            failed,
            gone,
            latency_ms_mean = total.checked_div(attempts),
            latency_ms_max = max,
            "job queue"
        );
    }
}

/// Starts the worker of `state` on the current runtime, listening for queued jobs when the
/// database is PostgreSQL; none with a job concurrency of 0 (an instance that only serves).
pub fn start(state: &AppState) -> Option<Worker> {
    if state.job_concurrency == 0 {
        return None;
    }
    let db = (**state.db).clone();
    let listener =
        (db.backend() == Backend::Postgres).then(|| jobs::listen::start(db.url().to_owned()));
    let webhooks = (**state.webhooks).clone();
    let context = Arc::new(Context {
        agent: delivery::agent(&webhooks),
        editorial: **state.editorial,
        media: (**state.media).clone(),
        webhooks,
        holder: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
        tally: Tally::default(),
        db,
    });
    let slots = Arc::new(Semaphore::new(state.job_concurrency));
    let task = rt::spawn(run(context, slots));
    Some(Worker {
        task,
        _listener: listener,
    })
}

async fn run(context: Arc<Context>, slots: Arc<Semaphore>) {
    let prune = context
        .db
        .run(|conn| jobs::ensure(conn, &Job::Prune, now()))
        .await;
    if let Err(cause) = prune {
        tracing::warn!(%cause, "cannot queue the pruning of the delivery log");
    }
    let mut failing = false;
    let mut reported = std::time::Instant::now();
    loop {
        if reported.elapsed() >= REPORT_EVERY {
            reported = std::time::Instant::now();
            if let Ok(depth) = context.db.run(jobs::depth).await {
                context.tally.report(&depth);
            }
        }
        // Registered before looking, so a job queued meanwhile still wakes this loop.
        let woken = jobs::woken();
        let mut woken = std::pin::pin!(woken);
        woken.as_mut().enable();
        let free = slots.available_permits();
        let mut wait = POLL;
        if free > 0 {
            let (ctx, limit) = (context.clone(), free as i64);
            let claimed = context
                .db
                .run(move |conn| {
                    // Events first, a batch at a time (writes may add them faster than one
                    // batch takes): what they are dispatched to is claimable at once.
                    let dispatched = if events::any_undispatched(conn)? {
                        events::dispatch(conn, DISPATCH_BATCH)?
                    } else {
                        0
                    };
                    let claimed = jobs::claim(conn, &ctx.holder, lease(&ctx.webhooks), limit)?;
                    let next = if claimed.is_empty() {
                        jobs::next_due(conn)?
                    } else {
                        None
                    };
                    Ok((claimed, next, dispatched))
                })
                .await;
            match claimed {
                Ok((claimed, next, dispatched)) => {
                    let more_events = dispatched == DISPATCH_BATCH as usize;
                    if failing {
                        tracing::info!("the job queue answers again");
                        failing = false;
                    }
                    if !claimed.is_empty() || more_events {
                        for job in claimed {
                            let Ok(permit) = slots.clone().try_acquire_owned() else {
                                break;
                            };
                            let ctx = context.clone();
                            rt::spawn(async move {
                                perform(&ctx, job).await;
                                drop(permit);
                                jobs::wake();
                            });
                        }
                        continue;
                    }
                    if let Some(next) = next {
                        let until = (next - now()).to_std().unwrap_or(Duration::ZERO);
                        wait = wait.min(until + Duration::from_millis(1));
                    }
                }
                Err(cause) => {
                    if !failing {
                        tracing::warn!(%cause, "cannot claim jobs; trying again");
                        failing = true;
                    }
                }
            }
        }
        let sleep = std::pin::pin!(rt::time::sleep(wait));
        match select(woken, sleep).await {
            Either::Left(_) | Either::Right(_) => {}
        }
    }
}

/// Runs one claimed job; a failure gives it back to run again later.
async fn perform(context: &Context, claimed: Claimed) {
    let job = match &claimed.job {
        Ok(job) => job.clone(),
        Err(unreadable) => {
            // Left for a version of Folio that knows it; looked at again once a day.
            let at = now() + TimeDelta::days(1);
            give_back(context, &claimed, at, unreadable.clone()).await;
            return;
        }
    };
    let outcome: ApiResult<()> = match &job {
        Job::Publish { post } => {
            let (post, held, editorial) = (post.clone(), claimed.clone(), context.editorial);
            context
                .db
                .run(move |conn| posts::publish_due(conn, &post, &held, editorial))
                .await
                .map(|published| {
                    if published {
                        tracing::info!("a scheduled post went live");
                    }
                })
        }
        Job::Deliver { delivery } => webhooks::deliver(
            &context.db,
            &claimed,
            delivery,
            &context.webhooks,
            &context.agent,
        )
        .await
        .map(|attempt| {
            if let Some((verdict, latency)) = attempt {
                context.tally.count(&verdict, latency);
            }
        }),
        Job::Variants { media } => {
            media::service::make_variants(&context.db, &context.media, &claimed, media, |r, s| {
                Media::public(r, s)
            })
            .await
            .map(|made| tracing::debug!(made, "image variants made"))
        }
        Job::Sweep => match sweep(context).await {
            Ok(_) => {
                let held = claimed.clone();
                context
                    .db
                    .write(move |conn| {
                        if media::service::sweep_due(conn)? {
                            jobs::retry(conn, &held, now(), "more to sweep")
                        } else {
                            jobs::finish(conn, &held)
                        }
                        .map(|_| ())
                    })
                    .await
            }
            Err(cause) => Err(cause),
        },
        Job::Prune => {
            // Objects that lost their record are looked for as often as the log is pruned.
            if let Err(cause) = sweep(context).await {
                tracing::warn!(%cause, "cannot sweep the media store");
            }
            let (settings, held) = (context.webhooks.clone(), claimed.clone());
            context
                .db
                .run(move |conn| {
                    let pruned = webhooks::prune(conn, &settings)?;
                    if pruned > 0 {
                        tracing::info!(pruned, "old webhook deliveries pruned");
                    }
                    jobs::retry(conn, &held, now() + PRUNE_EVERY, "runs again")?;
                    Ok(())
                })
                .await
        }
    };
    if let Err(cause) = outcome {
        let backoff = TimeDelta::seconds(1i64 << claimed.attempts.clamp(0, 12));
        tracing::warn!(%cause, attempts = claimed.attempts, "a job failed; it runs again later");
        give_back(context, &claimed, now() + backoff, cause.to_string()).await;
    }
}

/// Deletes what is due of the media store; more is left for another sweep job.
async fn sweep(context: &Context) -> ApiResult<usize> {
    let swept = media::service::sweep(&context.db, &context.media).await?;
    if swept > 0 {
        tracing::info!(swept, "media objects without a record deleted");
    }
    Ok(swept)
}

async fn give_back(context: &Context, claimed: &Claimed, at: chrono::NaiveDateTime, why: String) {
    let held = claimed.clone();
    let given = context
        .db
        .run(move |conn| jobs::retry(conn, &held, at, &why))
        .await;
    if let Err(cause) = given {
        // The lease runs out, and the job is claimed again then.
        tracing::warn!(%cause, "cannot give a job back");
    }
}
