//! This instance's worker: claims due jobs from the queue and runs them (scheduled
//! publishing, webhook deliveries, pruning the delivery log), a few at a time. It wakes when
//! a job is queued (in this process, or on PostgreSQL by any instance's `NOTIFY`), when the
//! next job falls due, and at least every few seconds.

use std::sync::Arc;
use std::time::Duration;

use actix_web::rt;
use chrono::TimeDelta;
use futures_util::future::{Either, select};
use tokio::sync::Semaphore;

use crate::app::AppState;
use crate::db::{Backend, Db, now};
use crate::error::ApiResult;
use crate::jobs::{self, Claimed, Job};
use crate::posts::service::{self as posts, Editorial};
use crate::webhooks::delivery::{self, WebhookSettings};
use crate::webhooks::service as webhooks;

/// The longest the worker sleeps without looking at the queue.
const POLL: Duration = Duration::from_secs(5);

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

/// What running a job needs.
struct Context {
    db: Db,
    editorial: Editorial,
    webhooks: WebhookSettings,
    agent: ureq::Agent,
    holder: String,
}

/// Starts the worker of `state` on the current runtime, listening for queued jobs when the
/// database is PostgreSQL.
pub fn start(state: &AppState) -> Worker {
    let db = (**state.db).clone();
    let listener =
        (db.backend() == Backend::Postgres).then(|| jobs::listen::start(db.url().to_owned()));
    let webhooks = (**state.webhooks).clone();
    let context = Arc::new(Context {
        agent: delivery::agent(&webhooks),
        editorial: **state.editorial,
        webhooks,
        holder: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
        db,
    });
    let slots = Arc::new(Semaphore::new(state.job_concurrency.max(1)));
    let task = rt::spawn(run(context, slots));
    Worker {
        task,
        _listener: listener,
    }
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
    loop {
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
                    let claimed = jobs::claim(conn, &ctx.holder, lease(&ctx.webhooks), limit)?;
                    let next = if claimed.is_empty() {
                        jobs::next_due(conn)?
                    } else {
                        None
                    };
                    Ok((claimed, next))
                })
                .await;
            match claimed {
                Ok((claimed, next)) => {
                    if failing {
                        tracing::info!("the job queue answers again");
                        failing = false;
                    }
                    if !claimed.is_empty() {
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
        Job::Deliver { delivery } => {
            webhooks::deliver(
                &context.db,
                &claimed,
                delivery,
                &context.webhooks,
                &context.agent,
            )
            .await
        }
        Job::Prune => {
            let (settings, held) = (context.webhooks.clone(), claimed.clone());
            context
                .db
                .run(move |conn| {
                    let pruned = webhooks::prune(conn, &settings)?;
                    if pruned > 0 {
                        tracing::info!(pruned, "old webhook deliveries pruned");
                    }
                    let depth = jobs::depth(conn)?;
                    tracing::info!(
                        due = depth.due,
                        running = depth.running,
                        waiting = depth.waiting,
                        oldest_due = ?depth.oldest_due,
                        "job queue"
                    );
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
