//! SQL written at run time with bound values: for filters and orders whose shape the request
//! decides (Ghost's NQL), which diesel's typed DSL cannot fold in a loop. Only `&'static str`
//! goes into the SQL text, so it can come from constants alone (column names from an
//! allow-list); every value a request supplies travels as a bound parameter.

use std::marker::PhantomData;

use chrono::NaiveDateTime;
use diesel::QueryResult;
use diesel::expression::{
    AppearsOnTable, Expression, SelectableExpression, TypedExpressionType, ValidGrouping,
    is_aggregate,
};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Nullable, SqlType, Text, Timestamp};

use super::MultiBackend;

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Sql(&'static str),
    Text(String),
    Time(NaiveDateTime),
    Int(i64),
    Bool(bool),
}

/// An expression of SQL type `ST`, as SQL text and bound values in order.
pub struct Fragment<ST> {
    pieces: Vec<Piece>,
    sql_type: PhantomData<ST>,
}

// By hand: the SQL type is a marker, and need not be comparable or cloneable itself.
impl<ST> Clone for Fragment<ST> {
    fn clone(&self) -> Self {
        Fragment {
            pieces: self.pieces.clone(),
            sql_type: PhantomData,
        }
    }
}

impl<ST> PartialEq for Fragment<ST> {
    fn eq(&self, other: &Self) -> bool {
        self.pieces == other.pieces
    }
}

impl<ST> std::fmt::Debug for Fragment<ST> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.pieces).finish()
    }
}

/// A condition: what `WHERE` takes.
pub type Predicate = Fragment<Nullable<Bool>>;

impl<ST> Default for Fragment<ST> {
    fn default() -> Self {
        Fragment {
            pieces: Vec::new(),
            sql_type: PhantomData,
        }
    }
}

impl<ST> Fragment<ST> {
    pub fn new(sql: &'static str) -> Self {
        Fragment::default().sql(sql)
    }

    pub fn sql(mut self, sql: &'static str) -> Self {
        self.pieces.push(Piece::Sql(sql));
        self
    }

    pub fn text(mut self, value: impl Into<String>) -> Self {
        self.pieces.push(Piece::Text(value.into()));
        self
    }

    pub fn time(mut self, value: NaiveDateTime) -> Self {
        self.pieces.push(Piece::Time(value));
        self
    }

    pub fn int(mut self, value: i64) -> Self {
        self.pieces.push(Piece::Int(value));
        self
    }

    pub fn bool(mut self, value: bool) -> Self {
        self.pieces.push(Piece::Bool(value));
        self
    }

    /// `other`'s SQL and values, spliced in here (whatever its type).
    pub fn append<T>(mut self, other: Fragment<T>) -> Self {
        self.pieces.extend(other.pieces);
        self
    }

    /// `items`, one after the other, `separator` between them.
    pub fn join<T>(mut self, items: Vec<Fragment<T>>, separator: &'static str) -> Self {
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self = self.sql(separator);
            }
            self = self.append(item);
        }
        self
    }
}

impl<ST: SqlType + TypedExpressionType> Expression for Fragment<ST> {
    type SqlType = ST;
}

impl<ST> QueryFragment<MultiBackend> for Fragment<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        // Their shapes are as many as the requests that write them: a connection must not
        // keep a prepared statement for each.
        out.unsafe_to_cache_prepared();
        for piece in &self.pieces {
            match piece {
                Piece::Sql(sql) => out.push_sql(sql),
                Piece::Text(value) => out.push_bind_param::<Text, String>(value)?,
                Piece::Time(value) => out.push_bind_param::<Timestamp, NaiveDateTime>(value)?,
                Piece::Int(value) => out.push_bind_param::<BigInt, i64>(value)?,
                Piece::Bool(value) => out.push_bind_param::<Bool, bool>(value)?,
            }
        }
        Ok(())
    }
}

impl<ST> QueryId for Fragment<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, QS> AppearsOnTable<QS> for Fragment<ST> where Fragment<ST>: Expression {}

impl<ST, QS> SelectableExpression<QS> for Fragment<ST> where Fragment<ST>: AppearsOnTable<QS> {}

impl<ST, GB> ValidGrouping<GB> for Fragment<ST> {
    type IsAggregate = is_aggregate::Never;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_stay_apart_from_the_text() {
        let f: Predicate = Fragment::new("posts.slug = ")
            .text("x' OR 1=1 --")
            .sql(" AND posts.featured = ")
            .bool(true);
        assert_eq!(f.pieces.len(), 4);
        assert_eq!(f.pieces[1], Piece::Text("x' OR 1=1 --".into()));
        let joined: Predicate = Fragment::new("(").join(vec![f.clone(), f], " OR ").sql(")");
        assert_eq!(joined.pieces.len(), 11);
    }
}
