//! Reading named resources (authors, tags) alike: a page of either table as a
//! [`NamedListQuery`](super::query::NamedListQuery) asks, and how many live posts each has.

/// A page of authors or tags (tables with `id`, `name`, `created_at` and `updated_at`, and
/// row types with the same fields), as a [`NamedListQuery`](crate::named::query::NamedListQuery)
/// asks, among the rows `$narrow` (a function of the boxed query) leaves:
/// `ApiResult<(Vec<Row>, PageMeta)>`.
#[macro_export]
macro_rules! named_list {
    ($conn:expr, $list:expr, $table:ident, $row:ty, $id:ty, $columns:expr, $narrow:expr) => {{
        use $crate::db::page::{Direction, KeyValue, Position, oriented};
        use $crate::named::query::NameSort;
        let list = $list;
        let matching = || {
            let mut query = $narrow($table::table.into_boxed());
            if let Some(text) = &list.q {
                query = query.filter(
                    $crate::db::lower($table::name)
                        .like($crate::named::storage::contains_pattern(text))
                        .escape('\\'),
                );
            }
            query
        };
        let after = |keys: &[(NameSort, Direction)], position: &Position| {
            $crate::db::keyset::after_position(keys, position, |key, direction, value| {
                Some(match key {
                    NameSort::Name => {
                        $crate::key_bound!($table::name, direction, value.as_text()?.to_owned())
                    }
                    NameSort::CreatedAt => {
                        $crate::key_bound!($table::created_at, direction, value.as_time()?)
                    }
                    NameSort::UpdatedAt => {
                        $crate::key_bound!($table::updated_at, direction, value.as_time()?)
                    }
                    NameSort::Id => $crate::key_bound!(
                        $table::id,
                        direction,
                        <$id>::from(value.as_text()?.to_owned())
                    ),
                })
            })
        };
        $crate::db::page::fetch(
            $conn,
            &list.page,
            |conn| Ok(matching().count().get_result(conn)?),
            |conn, window| {
                let keys = oriented(&list.sort, window.reversed);
                let mut query = matching();
                if let Some(position) = window.after {
                    query = query.filter(after(&keys, position)?);
                }
                for &(key, direction) in &keys {
                    query = match (key, direction) {
                        (NameSort::Name, Direction::Asc) => query.then_order_by($table::name.asc()),
                        (NameSort::Name, Direction::Desc) => {
                            query.then_order_by($table::name.desc())
                        }
                        (NameSort::CreatedAt, Direction::Asc) => {
                            query.then_order_by($table::created_at.asc())
                        }
                        (NameSort::CreatedAt, Direction::Desc) => {
                            query.then_order_by($table::created_at.desc())
                        }
                        (NameSort::UpdatedAt, Direction::Asc) => {
                            query.then_order_by($table::updated_at.asc())
                        }
                        (NameSort::UpdatedAt, Direction::Desc) => {
                            query.then_order_by($table::updated_at.desc())
                        }
                        (NameSort::Id, Direction::Asc) => query.then_order_by($table::id.asc()),
                        (NameSort::Id, Direction::Desc) => query.then_order_by($table::id.desc()),
                    };
                }
                Ok(query
                    .select($columns)
                    .limit(window.limit)
                    .offset(window.offset)
                    .load::<$row>(conn)?)
            },
            |row: &$row| {
                list.sort
                    .iter()
                    .map(|(key, _)| match key {
                        NameSort::Name => KeyValue::Text(row.name.clone()),
                        NameSort::CreatedAt => KeyValue::time(row.created_at),
                        NameSort::UpdatedAt => KeyValue::time(row.updated_at),
                        NameSort::Id => KeyValue::Text(row.id.to_string()),
                    })
                    .collect()
            },
        )
    }};
}

/// The storage every named resource has, written once: for `table` (with `id`, `slug`,
/// `name`, `version`, `created_at` and `updated_at`), its `row` type, insert form `new` (with
/// `slug` and `name`), `id` type and `changes`, what its lists are narrowed by (`filter`, and
/// `narrow`, which applies one to a boxed query of the table), the link table and column
/// joining it to its posts, and what one is called (`"author"`). Defines `not_found`,
/// `slug_missing`, `slug_taken`, `list`, `find`, `find_by_slug`, `insert_named`, `update` and
/// `post_counts`.
#[macro_export]
macro_rules! named_storage {
    (
        table: $table:ident,
        row: $row:ty,
        new: $new:ty,
        id: $id:ty,
        changes: $changes:ty,
        filter: $filter:ty => $narrow:expr,
        links: $links:ident . $link:ident,
        what: $what:literal $(,)?
    ) => {
        fn columns() -> <$row as diesel::Selectable<$crate::db::MultiBackend>>::SelectExpression {
            <$row as diesel::Selectable<$crate::db::MultiBackend>>::construct_selection()
        }

        pub fn not_found(id: &$id) -> $crate::error::ApiError {
            $crate::error::ApiError::NotFound(format!(concat!("No ", $what, " with id `{}`."), id))
        }

        pub fn slug_missing(slug: &str) -> $crate::error::ApiError {
            $crate::error::ApiError::NotFound(format!(
                concat!("No ", $what, " with slug `{}`."),
                slug
            ))
        }

        pub fn slug_taken(slug: &str) -> $crate::error::ApiError {
            $crate::error::ApiError::Conflict(format!(
                concat!("The slug `{}` is already used by another ", $what, "."),
                slug
            ))
        }

        /// A page of what `list` and `filter` ask for, and where it sits in the list.
        pub fn list(
            conn: &mut $crate::db::DbConn,
            list: &$crate::named::query::NamedListQuery,
            filter: &$filter,
        ) -> $crate::error::ApiResult<(Vec<$row>, $crate::db::page::PageMeta)> {
            let narrow = |query| $narrow(query, filter);
            $crate::named_list!(conn, list, $table, $row, $id, columns(), narrow)
        }

        pub fn find(
            conn: &mut $crate::db::DbConn,
            id: &$id,
        ) -> $crate::error::ApiResult<Option<$row>> {
            use diesel::prelude::*;
            Ok($table::table
                .find(id)
                .select(columns())
                .first(conn)
                .optional()?)
        }

        pub fn find_by_slug(
            conn: &mut $crate::db::DbConn,
            slug: &str,
        ) -> $crate::error::ApiResult<Option<$row>> {
            use diesel::prelude::*;
            Ok($table::table
                .filter($table::slug.eq(slug))
                .select(columns())
                .first(conn)
                .optional()?)
        }

        /// Inserts `row` under a free slug: `explicit` (or `409`), else one derived from
        /// `source` (its name, or what stands for it). Run inside a write transaction.
        pub fn insert_named(
            conn: &mut $crate::db::DbConn,
            mut row: $new,
            explicit: Option<$crate::content::Slug>,
            source: &str,
        ) -> $crate::error::ApiResult<$row> {
            use diesel::prelude::*;
            let taken = |conn: &mut $crate::db::DbConn, candidates: &[String]| {
                Ok::<_, $crate::error::ApiError>(
                    $table::table
                        .filter($table::slug.eq_any(candidates))
                        .select($table::slug)
                        .load(conn)?,
                )
            };
            $crate::content::Slug::insert_free(
                conn,
                explicit,
                source,
                $what,
                $crate::db::Unique {
                    table: stringify!($table),
                    columns: &["slug"],
                },
                taken,
                |conn, slug| {
                    row.slug = slug.to_string();
                    diesel::insert_into($table::table)
                        .values(&row)
                        .returning(columns())
                        .get_result(conn)
                },
            )?
            .map_err(|taken| slug_taken(taken.as_str()))
        }

        /// Applies `changes` to the row at `version`, and counts a new version; `412` if it
        /// is no longer at that version. Run inside a write transaction.
        pub fn update(
            conn: &mut $crate::db::DbConn,
            id: &$id,
            version: i64,
            changes: $changes,
        ) -> $crate::error::ApiResult<$row> {
            use diesel::prelude::*;
            diesel::update($table::table.find(id).filter($table::version.eq(version)))
                .set((
                    changes,
                    $table::version.eq(version + 1),
                    $table::updated_at.eq($crate::db::now()),
                ))
                .returning(columns())
                .get_result(conn)
                .optional()?
                .ok_or_else($crate::precondition::stale)
        }

        /// How many live posts each of `ids` has (those with none are left out).
        pub fn post_counts(
            conn: &mut $crate::db::DbConn,
            ids: &[$id],
            now: chrono::NaiveDateTime,
        ) -> $crate::error::ApiResult<std::collections::HashMap<$id, i64>> {
            $crate::count_live_posts!(conn, $links, $link, ids, now)
        }
    };
}

/// How many live posts each of `$ids` has, through the link table `$links` and its column
/// `$link` naming the author or tag (those with none are left out): posts only, as Ghost
/// counts them, not pages. `ApiResult<HashMap<Id, i64>>`.
#[macro_export]
macro_rules! count_live_posts {
    ($conn:expr, $links:ident, $link:ident, $ids:expr, $now:expr) => {{
        use diesel::prelude::*;
        use $crate::db::schema::{posts, $links};
        let rows: Vec<(_, i64)> = $links::table
            .inner_join(posts::table)
            .filter($links::$link.eq_any($ids))
            .filter(posts::kind.eq("post"))
            .filter($crate::db::live::live($now))
            .group_by($links::$link)
            .select(($links::$link, diesel::dsl::count_star()))
            .load($conn)?;
        Ok(rows.into_iter().collect())
    }};
}

/// A `LIKE` pattern matching `text` anywhere, with `\` escaping LIKE's own wildcards.
pub fn contains_pattern(text: &str) -> String {
    format!("%{}%", crate::db::like_literal(&text.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(contains_pattern("50%_Off\\"), "%50\\%\\_off\\\\%");
    }
}
