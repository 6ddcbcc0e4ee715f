//! Keyset pagination: opaque cursors that mark a place in an ordered list, signed so that a
//! client can neither forge one nor carry one over to a different query.
//!
//! A cursor holds the sort-key values of the item it points at (the id last, so the order is
//! total) and which way to read from there. The next page is "the items after this one in
//! the list's order", which an index answers directly however deep the page, and which no
//! insert or delete elsewhere in the list can shift.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::future::{Ready, ready};

use crate::db::page::{CursorCodec, Position, Refused, Toward};
use crate::error::ApiError;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of the signature kept in a cursor: enough that guessing one is hopeless.
const MAC_LEN: usize = 16;

/// Parameters that do not change which items a list holds or their order, so a cursor
/// carries over when they change. Anything else (filters, `q`, `sort`) is the query. A content
/// key (`key`) is a credential, not part of the query.
const NOT_THE_QUERY: &[&str] = &[
    "cursor", "page", "limit", "count", "formats", "include", "key",
];

/// The key cursors are signed with, derived from the server's secret so that every instance
/// sharing that secret accepts the others' cursors.
pub struct CursorKey([u8; 32]);

impl CursorKey {
    pub fn derive(secret: &[u8]) -> CursorKey {
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
        mac.update(b"folio cursor key v1");
        CursorKey(mac.finalize().into_bytes().into())
    }

    fn mac(&self, payload: &[u8]) -> [u8; MAC_LEN] {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(payload);
        let full = mac.finalize().into_bytes();
        let mut short = [0; MAC_LEN];
        short.copy_from_slice(&full[..MAC_LEN]);
        short
    }
}

#[derive(Serialize, Deserialize)]
struct Contents {
    /// Which query the cursor belongs to.
    q: String,
    d: Toward,
    p: Position,
}

/// Makes and reads the cursors of one list request. Extracted from the request, whose path
/// and filters (everything but [`NOT_THE_QUERY`]) are the query a cursor is bound to.
pub struct Cursors {
    key: web::Data<CursorKey>,
    query: String,
}

impl Cursors {
    pub fn new(key: web::Data<CursorKey>, path: &str, query_string: &str) -> Cursors {
        let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query_string.as_bytes())
            .filter(|(k, _)| !NOT_THE_QUERY.contains(&k.as_ref()))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        pairs.sort();
        let mut digest = Sha256::new();
        digest.update(path.as_bytes());
        for (k, v) in &pairs {
            // Lengths first, so that no two different lists of pairs hash the same input.
            for part in [k, v] {
                digest.update((part.len() as u64).to_le_bytes());
                digest.update(part.as_bytes());
            }
        }
        let query = URL_SAFE_NO_PAD.encode(&digest.finalize()[..8]);
        Cursors { key, query }
    }

    pub fn encode(&self, toward: Toward, position: Position) -> String {
        let payload = Contents {
            q: self.query.clone(),
            d: toward,
            p: position,
        };
        let mut bytes = serde_json::to_vec(&payload).expect("a cursor serialises");
        let mac = self.key.mac(&bytes);
        bytes.extend_from_slice(&mac);
        URL_SAFE_NO_PAD.encode(bytes)
    }
}

impl CursorCodec for Cursors {
    fn decode(&self, cursor: &str) -> Result<(Toward, Position), Refused> {
        let bytes = URL_SAFE_NO_PAD
            .decode(cursor)
            .map_err(|_| Refused::Invalid)?;
        let split = bytes.len().checked_sub(MAC_LEN).ok_or(Refused::Invalid)?;
        let (payload, mac) = bytes.split_at(split);
        let expected = self.key.mac(payload);
        // Constant time, so the signature cannot be found byte by byte.
        let same = mac
            .iter()
            .zip(expected.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if !same {
            return Err(Refused::Invalid);
        }
        let payload: Contents = serde_json::from_slice(payload).map_err(|_| Refused::Invalid)?;
        if payload.q != self.query {
            return Err(Refused::OtherQuery);
        }
        Ok((payload.d, payload.p))
    }
}

impl FromRequest for Cursors {
    type Error = ApiError;
    type Future = Ready<Result<Cursors, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.app_data::<web::Data<CursorKey>>()
                .cloned()
                .map(|key| Cursors::new(key, req.path(), req.query_string()))
                .ok_or_else(|| ApiError::internal("the cursor key is not configured")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::page::KeyValue;

    fn cursors(query: &str) -> Cursors {
        let key = web::Data::new(CursorKey::derive(b"a secret of thirty-two bytes or more"));
        Cursors::new(key, "/api/v1/posts", query)
    }

    #[test]
    fn round_trips_and_ignores_presentation_parameters() {
        let position = vec![
            KeyValue::Null,
            KeyValue::Int(-5),
            KeyValue::Float(0.1 + 0.2),
            KeyValue::Text("a \"b\" ü".into()),
        ];
        let token = cursors("tag=news&limit=3").encode(Toward::Before, position.clone());
        let same_query = cursors("limit=50&tag=news&formats=markdown&cursor=x");
        assert_eq!(same_query.decode(&token), Ok((Toward::Before, position)));
    }

    #[test]
    fn refuses_forged_tampered_and_foreign_cursors() {
        let c = cursors("tag=news");
        let token = c.encode(Toward::After, vec![KeyValue::Text("id".into())]);
        assert_eq!(
            cursors("tag=other").decode(&token),
            Err(Refused::OtherQuery)
        );
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[5] ^= 1;
        assert_eq!(
            c.decode(&URL_SAFE_NO_PAD.encode(&bytes)),
            Err(Refused::Invalid)
        );
        let other_key = Cursors::new(
            web::Data::new(CursorKey::derive(b"another secret, also long enough!!")),
            "/api/v1/posts",
            "tag=news",
        );
        assert_eq!(other_key.decode(&token), Err(Refused::Invalid));
        for junk in ["", "abc", "!!!", &"A".repeat(200)] {
            assert_eq!(c.decode(junk), Err(Refused::Invalid), "{junk}");
        }
    }
}
