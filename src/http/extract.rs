//! Request extractors that fail with problem+json naming the offending field, instead of
//! actix's plain-text defaults.

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::{FromRequest, HttpRequest, http::header, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::auth::KEY_PARAM;
use crate::error::{ApiError, FieldError};

/// A JSON request body: `415` unless it is declared JSON, `413` past the configured limit,
/// `408` when it does not arrive in time, `400` when it is not JSON at all, `422` naming the
/// field when it does not fit the type (unknown fields included).
pub struct JsonBody<T>(pub T);

/// How long a client may take to send a request body: a slow sender must not hold a worker's
/// connection and buffer for ever.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub std::time::Duration);

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(mime) = value.to_str() else {
        return false;
    };
    let essence = mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if !is_json(req) {
            return Box::pin(async {
                Err(ApiError::UnsupportedMediaType(
                    "Send the body as JSON, with `Content-Type: application/json`.".into(),
                ))
            });
        }
        let bytes = web::Bytes::from_request(req, payload);
        let timeout = req
            .app_data::<web::Data<BodyTimeout>>()
            .map_or(std::time::Duration::from_secs(30), |t| t.0);
        Box::pin(async move {
            let bytes = actix_web::rt::time::timeout(timeout, bytes)
                .await
                .map_err(|_| {
                    ApiError::RequestTimeout(format!(
                        "The request body did not arrive within {} seconds.",
                        timeout.as_secs()
                    ))
                })?
                .map_err(|err| match err.as_error::<PayloadError>() {
                    Some(PayloadError::Overflow) => ApiError::PayloadTooLarge(
                        "The request body is larger than this server accepts.".into(),
                    ),
                    _ if err.as_response_error().status_code().as_u16() == 413 => {
                        ApiError::PayloadTooLarge(
                            "The request body is larger than this server accepts.".into(),
                        )
                    }
                    _ => ApiError::BadRequest(format!("The request body could not be read: {err}")),
                })?;
            parse_json(&bytes).map(JsonBody)
        })
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let field = if path == "." { String::new() } else { path };
                ApiError::Validation(vec![FieldError::new(
                    field,
                    "invalid",
                    strip_position(&inner.to_string()),
                )])
            }
            _ => ApiError::BadRequest(format!("The request body is not valid JSON: {inner}")),
        }
    })?;
    // One JSON value and nothing after it (whitespace aside).
    de.end().map_err(|err| {
        ApiError::BadRequest(format!("The request body is not valid JSON: {err}"))
    })?;
    Ok(value)
}

/// A path segment naming a resource (an id or a slug). One that could never name anything —
/// it holds a NUL, which PostgreSQL cannot even compare — is a plain `404`.
#[derive(Debug, Clone)]
pub struct PathSegment(pub String);

impl<'de> serde::Deserialize<'de> for PathSegment {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<PathSegment, D::Error> {
        let value = String::deserialize(de)?;
        if value.contains('\0') {
            return Err(serde::de::Error::custom("no resource has this name"));
        }
        Ok(PathSegment(value))
    }
}

/// serde_json appends " at line 1 column 17" to data errors; the field path says it better.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Query parameters: `400` naming the parameter when one is unknown or malformed.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

/// Parses `query` into `T`, leaving out the content key (`key`), which is the caller's
/// credential and read by authentication, not a parameter of any operation.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let query = without_key(query);
    let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        let field = if path == "." {
            // serde names an unknown parameter only in its message: "unknown field `x`, …".
            message.split('`').nth(1).unwrap_or_default().to_owned()
        } else {
            path
        };
        ApiError::InvalidParameters(vec![FieldError::new(field, "invalid", message)])
    })
}

/// `query` without its `key` parameters.
pub fn without_key(query: &str) -> std::borrow::Cow<'_, str> {
    let pairs = url::form_urlencoded::parse(query.as_bytes());
    if !pairs.clone().any(|(k, _)| k == KEY_PARAM) {
        return std::borrow::Cow::Borrowed(query);
    }
    let mut kept = url::form_urlencoded::Serializer::new(String::new());
    kept.extend_pairs(pairs.filter(|(k, _)| k != KEY_PARAM));
    std::borrow::Cow::Owned(kept.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        title: String,
        bio: Option<String>,
        count: Option<u8>,
    }

    #[test]
    fn json_errors_name_the_field() {
        match parse_json::<Body>(br#"{"title": 3}"#) {
            Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "title"),
            other => panic!("{other:?}"),
        }
        match parse_json::<Body>(br#"{"title": "x", "nope": 1}"#) {
            Err(ApiError::Validation(errors)) => assert!(errors[0].message.contains("nope")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_json::<Body>(b"{oops"),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn query_errors_name_the_parameter() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Q {
            limit: Option<u8>,
        }
        match parse_query::<Q>("limit=abc") {
            Err(ApiError::InvalidParameters(e)) => assert_eq!(e[0].field, "limit"),
            other => panic!("{other:?}"),
        }
        match parse_query::<Q>("colour=red") {
            Err(ApiError::InvalidParameters(e)) => assert_eq!(e[0].field, "colour"),
            other => panic!("{other:?}"),
        }
    }
}
