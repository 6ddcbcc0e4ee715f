//! Paging over ordered lists, as storage sees it: where an item sits in an order (its
//! position), which way to read from there, the window of rows a query loads, and the loader
//! that fetches a page by number or from a position. Cursors (the signed, opaque form of a
//! position) and the envelope of a list answer belong to `http`.

use serde::{Deserialize, Serialize};

use super::DbConn;
use crate::error::{ApiError, ApiResult, FieldError};

pub const DEFAULT_LIMIT: i64 = 15;
pub const MAX_LIMIT: i64 = 100;

/// Far past any real collection, and small enough that the offset cannot overflow.
pub const PAGE_MAX: i64 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

impl Direction {
    pub fn reversed(self) -> Direction {
        match self {
            Direction::Asc => Direction::Desc,
            Direction::Desc => Direction::Asc,
        }
    }
}

/// `keys` read backwards when `reversed`.
pub fn oriented<K: Copy>(keys: &[(K, Direction)], reversed: bool) -> Vec<(K, Direction)> {
    keys.iter()
        .map(|&(k, d)| (k, if reversed { d.reversed() } else { d }))
        .collect()
}

/// The value of one sort key of an item, as a position holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeyValue {
    Null,
    /// Integers, and times as microseconds since the epoch.
    Int(i64),
    Float(f64),
    Text(String),
}

impl KeyValue {
    pub fn time(t: chrono::NaiveDateTime) -> KeyValue {
        KeyValue::Int(t.and_utc().timestamp_micros())
    }

    pub fn as_time(&self) -> Option<chrono::NaiveDateTime> {
        match self {
            KeyValue::Int(micros) => {
                chrono::DateTime::from_timestamp_micros(*micros).map(|t| t.naive_utc())
            }
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            KeyValue::Text(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_float(&self) -> Option<f64> {
        match self {
            KeyValue::Float(value) => Some(*value),
            KeyValue::Int(value) => Some(*value as f64),
            _ => None,
        }
    }
}

/// An item's place in an ordered list: its sort-key values in sort order, the id last.
pub type Position = Vec<KeyValue>;

/// Which way a cursor reads from its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Toward {
    /// The items after the position.
    #[serde(rename = "a")]
    After,
    /// The items before it.
    #[serde(rename = "b")]
    Before,
}

/// Why a cursor was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not one this server issued (or not intact).
    Invalid,
    /// Issued for a list with other filters or another order.
    OtherQuery,
}

/// Reads a cursor back into the position it marks: implemented where cursors are signed.
pub trait CursorCodec {
    fn decode(&self, cursor: &str) -> Result<(Toward, Position), Refused>;
}

/// A keyset condition could not be built from a cursor's position: it does not fit the
/// list's order. Only a cursor from another version of the server gets here.
pub fn misfit() -> ApiError {
    ApiError::InvalidParameters(vec![FieldError::new(
        "cursor",
        "invalid",
        "does not fit this list's order; start again without it",
    )])
}

/// How the page is found.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// `page=n`: numbered pages, with totals.
    Numbered(i64),
    /// The first page, or the one a cursor points to; totals only when `count` asks.
    Keyset {
        from: Option<(Toward, Position)>,
        count: bool,
    },
}

/// Validated page parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    pub limit: i64,
    pub mode: Mode,
}

impl PageRequest {
    pub fn page(&self) -> Option<i64> {
        match self.mode {
            Mode::Numbered(page) => Some(page),
            Mode::Keyset { .. } => None,
        }
    }
}

/// What a storage query is asked to load for a page.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    /// Rows to load at most.
    pub limit: i64,
    pub offset: i64,
    /// Only the rows strictly after this position in the (possibly reversed) order.
    pub after: Option<&'a Position>,
    /// Read the list's order backwards (for the page before a cursor).
    pub reversed: bool,
}

/// Where a page sits in its list, beyond its items.
#[derive(Debug, Default)]
pub struct PageMeta {
    pub total: Option<i64>,
    /// The first item's position, when there are items before it.
    pub before: Option<Position>,
    /// The last item's position, when there are items after it.
    pub after: Option<Position>,
}

/// Loads the page `request` asks for: `count` gives the number of items in the whole list
/// (called only when a total is wanted), `load` the rows of a window, `position` an item's
/// place for the cursors.
pub fn fetch<R>(
    conn: &mut DbConn,
    request: &PageRequest,
    count: impl FnOnce(&mut DbConn) -> ApiResult<i64>,
    load: impl FnOnce(&mut DbConn, Window<'_>) -> ApiResult<Vec<R>>,
    position: impl Fn(&R) -> Position,
) -> ApiResult<(Vec<R>, PageMeta)> {
    let limit = request.limit;
    let (from, counted) = match &request.mode {
        Mode::Numbered(page) => {
            let total = count(conn)?;
            let offset = (page - 1).saturating_mul(limit);
            let window = Window {
                limit,
                offset,
                after: None,
                reversed: false,
            };
            // A page past the end has nothing on it: no need to walk there to find out.
            let rows = if offset < total {
                load(conn, window)?
            } else {
                Vec::new()
            };
            let more_after = offset.saturating_add(rows.len() as i64) < total;
            let meta = PageMeta {
                total: Some(total),
                before: rows.first().filter(|_| *page > 1).map(&position),
                after: rows.last().filter(|_| more_after).map(&position),
            };
            return Ok((rows, meta));
        }
        Mode::Keyset { from, count: true } => (from, Some(count(conn)?)),
        Mode::Keyset { from, count: false } => (from, None),
    };
    // One row more than the page, to learn whether the list goes on.
    let window = |after, reversed| Window {
        limit: limit + 1,
        offset: 0,
        after,
        reversed,
    };
    let full = |rows: &Vec<R>| rows.len() as i64 > limit;
    let (rows, meta) = match from {
        None | Some((Toward::After, _)) => {
            let after = from.as_ref().map(|(_, p)| p);
            let mut rows = load(conn, window(after, false))?;
            let more_after = full(&rows);
            rows.truncate(limit as usize);
            let meta = PageMeta {
                total: counted,
                before: rows.first().filter(|_| after.is_some()).map(&position),
                after: rows.last().filter(|_| more_after).map(&position),
            };
            (rows, meta)
        }
        Some((Toward::Before, before)) => {
            let mut rows = load(conn, window(Some(before), true))?;
            let more_before = full(&rows);
            rows.truncate(limit as usize);
            rows.reverse();
            let meta = PageMeta {
                total: counted,
                before: rows.first().filter(|_| more_before).map(&position),
                after: rows.last().map(&position),
            };
            (rows, meta)
        }
    };
    Ok((rows, meta))
}
