//! Keyset conditions: "the rows after this position in this order", from one bound per key.

use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};

use super::MultiBackend;
use super::page::{Direction, KeyValue, Position, misfit};
use crate::error::ApiResult;

/// A condition on rows of `QS`.
pub type Condition<QS> = Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Nullable<Bool>>>;

/// How the rows compare with a position in one sort key.
pub struct KeyBound<QS> {
    /// Strictly after the position in this key.
    pub after: Condition<QS>,
    /// Level with it in this key.
    pub level: Condition<QS>,
    /// At or after it: implied by the others, but a range an index can seek to. Worth giving
    /// for the first key only.
    pub seek: Option<Condition<QS>>,
}

/// Builds a [`KeyBound`] for `$expr` (evaluated once per use) against `$value`, in
/// `$direction`, for a key that is never NULL.
#[macro_export]
macro_rules! key_bound {
    ($expr:expr, $direction:expr, $value:expr) => {{
        use diesel::prelude::*;
        let value = $value;
        match $direction {
            $crate::db::page::Direction::Asc => $crate::db::keyset::KeyBound {
                after: Box::new($expr.gt(value.clone()).nullable()),
                level: Box::new($expr.eq(value.clone()).nullable()),
                seek: Some(Box::new($expr.ge(value).nullable())),
            },
            $crate::db::page::Direction::Desc => $crate::db::keyset::KeyBound {
                after: Box::new($expr.lt(value.clone()).nullable()),
                level: Box::new($expr.eq(value.clone()).nullable()),
                seek: Some(Box::new($expr.le(value).nullable())),
            },
        }
    }};
}

/// The rows after `position` in the order `keys` (the last key unique), with `bound` saying
/// how the rows compare with one key's value; `None` from it means the value is not of the
/// key's kind. A position that does not fit the order is `400` naming the cursor.
pub fn after_position<QS: 'static, K: Copy>(
    keys: &[(K, Direction)],
    position: &Position,
    bound: impl Fn(K, Direction, &KeyValue) -> Option<KeyBound<QS>>,
) -> ApiResult<Condition<QS>> {
    if position.len() != keys.len() {
        return Err(misfit());
    }
    let bounds = keys
        .iter()
        .zip(position)
        .map(|(&(key, direction), value)| bound(key, direction, value))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(misfit)?;
    after(bounds).ok_or_else(misfit)
}

/// The rows after the position the `bounds` describe, key by key in sort order (the last
/// key unique): after it in the first key, or level in the first and after in the rest.
fn after<QS: 'static>(bounds: Vec<KeyBound<QS>>) -> Option<Condition<QS>> {
    let mut bounds = bounds.into_iter().rev();
    let last = bounds.next()?;
    let mut seek = last.seek;
    let mut condition = last.after;
    for bound in bounds {
        condition = Box::new(bound.after.or(bound.level.and(condition)));
        seek = bound.seek;
    }
    Some(match seek {
        Some(seek) => Box::new(seek.and(condition)),
        None => condition,
    })
}
