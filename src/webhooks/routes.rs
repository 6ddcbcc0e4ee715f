//! The webhook endpoints: the webhooks themselves, their secrets, a ping, and the delivery
//! log with redelivery.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::delivery::WebhookSettings;
use super::input::{CreateWebhook, DeliveryListParams, UpdateWebhook};
use super::view::{Delivery, DeliveryList, Webhook, WebhookList, WebhookWithSecret};
use super::{policy, service, storage};
use crate::auth::Staff;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::caching::{CacheValidators, NotModified};
use crate::http::conditional::{self, IfMatch};
use crate::http::cursor::Cursors;
use crate::http::extract::{JsonBody, PathSegment, Query};
use crate::http::pagination::ListResponse;
use crate::http::problem::Problem;
use crate::http::problem::responses::{BodyRejected, SignInRequired, VersionRejected};
use crate::http::{self as h};
use crate::ids::{DeliveryId, WebhookId};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(get)
        .service(create)
        .service(update)
        .service(remove)
        .service(rotate)
        .service(ping)
        .service(deliveries)
        .service(redeliver);
}

/// Who may manage webhooks, as every webhook operation documents it.
#[derive(utoipa::IntoResponses)]
pub enum AdminsOnly {
    #[response(
        status = 403,
        description = "Only admins and the owner manage webhooks",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
}

/// The answer for a webhook id that names none.
#[derive(utoipa::IntoResponses)]
pub enum NoSuchWebhook {
    #[response(
        status = 404,
        description = "No webhook has this id",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
}

/// Answers with a secret in them are kept by no cache.
fn with_secret(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    response
}

fn webhook_id(id: PathSegment) -> WebhookId {
    WebhookId::from(id.0)
}

/// Every webhook, newest first.
#[utoipa::path(
    operation_id = "listWebhooks",
    tag = "webhooks",
    params(CacheValidators),
    responses(
        NotModified,
        (status = 200, description = "All webhooks, without their secrets", body = WebhookList),
        SignInRequired,
        AdminsOnly,
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/webhooks")]
async fn list(db: web::Data<Db>, staff: Staff) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let rows = db.run(storage::list).await?;
    let data = rows.into_iter().map(Webhook::view).collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-cache"))
        .json(WebhookList { data }))
}

/// One webhook, without its secret.
#[utoipa::path(
    operation_id = "getWebhook",
    tag = "webhooks",
    params(CacheValidators, ("id" = String, Path, description = "The webhook's id")),
    responses(
        NotModified,
        (status = 200, description = "The webhook", body = Webhook,
            headers(("ETag" = String, description = "Its version, for `If-Match`"))),
        SignInRequired,
        AdminsOnly,
        NoSuchWebhook,
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/webhooks/{id}", name = "getWebhook")]
async fn get(
    db: web::Data<Db>,
    staff: Staff,
    id: web::Path<PathSegment>,
) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let id = webhook_id(id.into_inner());
    let row = db.run(move |conn| storage::find(conn, &id)).await?;
    let version = row.version;
    Ok(h::one(&Webhook::view(row), version))
}

/// Register a webhook. Its signing secret is in this answer only.
///
/// Every event it asks for is `POST`ed to its URL as JSON, signed by the Standard Webhooks
/// specification (`webhook-id`, `webhook-timestamp`, `webhook-signature`), and retried on
/// failure for about a day.
#[utoipa::path(
    operation_id = "createWebhook",
    tag = "webhooks",
    request_body = CreateWebhook,
    responses(
        (status = 201, description = "The new webhook, with its secret", body = WebhookWithSecret,
            headers(("Location" = String, description = "The webhook's URL"), ("ETag" = String, description = "Its version"))),
        BodyRejected,
        SignInRequired,
        AdminsOnly,
        (status = 422, description = "A field is invalid, or the URL reaches inside Folio's network", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/webhooks")]
async fn create(
    req: HttpRequest,
    db: web::Data<Db>,
    staff: Staff,
    settings: web::Data<WebhookSettings>,
    JsonBody(body): JsonBody<CreateWebhook>,
) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let input = body.validate()?;
    let settings = settings.into_inner();
    let (row, secret) = db
        .run(move |conn| service::create(conn, input, &settings))
        .await?;
    let location = h::location(&req, "getWebhook", row.id.as_str())?;
    let version = row.version;
    let body = WebhookWithSecret {
        webhook: Webhook::view(row),
        secret,
    };
    Ok(with_secret(h::created(&body, version, &location)))
}

/// Change a webhook. Needs the version you read (`If-Match` or `version`). Disabling it gives
/// up what was still to be delivered to it.
#[utoipa::path(
    operation_id = "updateWebhook",
    tag = "webhooks",
    params(("id" = String, Path, description = "The webhook's id"), IfMatch),
    request_body = UpdateWebhook,
    responses(
        (status = 200, description = "The changed webhook", body = Webhook,
            headers(("ETag" = String, description = "Its new version"))),
        BodyRejected,
        SignInRequired,
        AdminsOnly,
        NoSuchWebhook,
        VersionRejected,
        (status = 422, description = "A field is invalid, or the URL reaches inside Folio's network", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/webhooks/{id}")]
async fn update(
    req: HttpRequest,
    db: web::Data<Db>,
    staff: Staff,
    settings: web::Data<WebhookSettings>,
    id: web::Path<PathSegment>,
    JsonBody(body): JsonBody<UpdateWebhook>,
) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let expected = conditional::expected(&req, body.version);
    let changes = body.validate()?;
    let (id, settings) = (webhook_id(id.into_inner()), settings.into_inner());
    let row = db
        .run(move |conn| service::update(conn, &id, expected, changes, &settings))
        .await?;
    let version = row.version;
    Ok(h::one(&Webhook::view(row), version))
}

/// Delete a webhook, with its delivery log. Nothing more is sent to it.
#[utoipa::path(
    operation_id = "deleteWebhook",
    tag = "webhooks",
    params(("id" = String, Path, description = "The webhook's id")),
    responses(
        (status = 204, description = "The webhook is gone"),
        SignInRequired,
        AdminsOnly,
        NoSuchWebhook,
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/webhooks/{id}")]
async fn remove(
    db: web::Data<Db>,
    staff: Staff,
    id: web::Path<PathSegment>,
) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let id = webhook_id(id.into_inner());
    db.run(move |conn| service::delete(conn, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Give a webhook a new signing secret, answered this once. The old secret keeps signing
/// beside the new one (both signatures are sent) for the server's `--webhook-secret-overlap`,
/// so receivers can switch without missing a delivery.
#[utoipa::path(
    operation_id = "rotateWebhookSecret",
    tag = "webhooks",
    params(("id" = String, Path, description = "The webhook's id")),
    responses(
        (status = 200, description = "The webhook, with its new secret", body = WebhookWithSecret,
            headers(("ETag" = String, description = "Its new version"))),
        SignInRequired,
        AdminsOnly,
        NoSuchWebhook,
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/webhooks/{id}/rotate-secret")]
async fn rotate(
    db: web::Data<Db>,
    staff: Staff,
    settings: web::Data<WebhookSettings>,
    id: web::Path<PathSegment>,
) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let (id, settings) = (webhook_id(id.into_inner()), settings.into_inner());
    let (row, secret) = db
        .run(move |conn| service::rotate(conn, &id, &settings))
        .await?;
    let version = row.version;
    let body = WebhookWithSecret {
        webhook: Webhook::view(row),
        secret,
    };
    Ok(with_secret(h::one(&body, version)))
}

/// Send the webhook a `webhook.ping` now (enabled or not), to try it. The answer is the
/// delivery; its outcome appears in the delivery log.
#[utoipa::path(
    operation_id = "pingWebhook",
    tag = "webhooks",
    params(("id" = String, Path, description = "The webhook's id")),
    responses(
        (status = 202, description = "The ping is queued", body = Delivery),
        SignInRequired,
        AdminsOnly,
        NoSuchWebhook,
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/webhooks/{id}/ping")]
async fn ping(
    db: web::Data<Db>,
    staff: Staff,
    id: web::Path<PathSegment>,
) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let id = webhook_id(id.into_inner());
    let row = db
        .run(move |conn| {
            let delivery = service::ping(conn, &id)?;
            storage::delivery(conn, &delivery)?
                .ok_or_else(|| ApiError::internal("the ping's delivery vanished"))
        })
        .await?;
    Ok(HttpResponse::Accepted().json(Delivery::view(row)))
}

/// A webhook's deliveries, newest first: every event sent or to send, with the outcome of
/// its last attempt. Finished deliveries are kept for the server's `--webhook-retention`.
#[utoipa::path(
    operation_id = "listWebhookDeliveries",
    tag = "webhooks",
    params(CacheValidators, ("id" = String, Path, description = "The webhook's id"), DeliveryListParams),
    responses(
        NotModified,
        (status = 200, description = "A page of deliveries", body = DeliveryList,
            headers(("Link" = String, description = "RFC 8288 links to the next and previous pages"))),
        (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        AdminsOnly,
        NoSuchWebhook,
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/webhooks/{id}/deliveries")]
async fn deliveries(
    req: HttpRequest,
    db: web::Data<Db>,
    staff: Staff,
    cursors: Cursors,
    id: web::Path<PathSegment>,
    Query(params): Query<DeliveryListParams>,
) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let (status, page) = params.parse(&cursors)?;
    let id = webhook_id(id.into_inner());
    let request = page.clone();
    let (rows, meta) = db
        .run(move |conn| {
            storage::find(conn, &id)?;
            storage::deliveries(conn, &id, status, &request)
        })
        .await?;
    let data = rows.into_iter().map(Delivery::view).collect();
    Ok(h::list(
        &req,
        &ListResponse::new(data, &page, meta, &cursors),
    ))
}

/// Send a delivery again, now, with the same `webhook-id` (receivers that saw it drop it),
/// whatever became of it before.
#[utoipa::path(
    operation_id = "redeliverWebhookDelivery",
    tag = "webhooks",
    params(
        ("id" = String, Path, description = "The webhook's id"),
        ("delivery" = String, Path, description = "The delivery's id"),
    ),
    responses(
        (status = 202, description = "The delivery is queued again", body = Delivery),
        SignInRequired,
        AdminsOnly,
        (status = 404, description = "No such webhook, or it has no such delivery", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The delivery is still pending: its next attempt is queued", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/webhooks/{id}/deliveries/{delivery}/redeliver")]
async fn redeliver(
    db: web::Data<Db>,
    staff: Staff,
    path: web::Path<(PathSegment, PathSegment)>,
) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let (id, delivery) = path.into_inner();
    let (id, delivery) = (webhook_id(id), DeliveryId::from(delivery.0));
    let row = db
        .run(move |conn| {
            service::redeliver(conn, &id, &delivery)?;
            storage::delivery(conn, &delivery)?
                .ok_or_else(|| ApiError::internal("the delivery vanished"))
        })
        .await?;
    Ok(HttpResponse::Accepted().json(Delivery::view(row)))
}
