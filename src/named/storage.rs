//! Reading named resources (authors, tags) alike: a page of either table as a
//! [`NamedListQuery`](super::query::NamedListQuery) asks, and how many live posts each has.

/// A page of authors or tags (tables with `id`, `name`, `created_at` and `updated_at`, and
/// row types with the same fields), as a [`NamedListQuery`](crate::named::query::NamedListQuery)
/// asks: `ApiResult<(Vec<Row>, PageMeta)>`.
#[macro_export]
macro_rules! named_list {
    ($conn:expr, $list:expr, $table:ident, $row:ty, $id:ty, $columns:expr) => {{
        use $crate::db::page::{Direction, KeyValue, Position, oriented};
        use $crate::named::query::NameSort;
        let list = $list;
        let matching = || {
            let mut query = $table::table.into_boxed();
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

/// How many live posts each of `$ids` has, through the link table `$links` and its column
/// `$link` naming the author or tag (those with none are left out):
/// `ApiResult<HashMap<Id, i64>>`.
#[macro_export]
macro_rules! count_live_posts {
    ($conn:expr, $links:ident, $link:ident, $ids:expr, $now:expr) => {{
        use diesel::prelude::*;
        use $crate::db::schema::{posts, $links};
        let rows: Vec<(_, i64)> = $links::table
            .inner_join(posts::table)
            .filter($links::$link.eq_any($ids))
            .filter($crate::db::live::live($now))
            .group_by($links::$link)
            .select(($links::$link, diesel::dsl::count_star()))
            .load($conn)?;
        Ok(rows.into_iter().collect())
    }};
}

/// A `LIKE` pattern matching `text` anywhere, with `\` escaping LIKE's own wildcards.
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(contains_pattern("50%_Off\\"), "%50\\%\\_off\\\\%");
    }
}
