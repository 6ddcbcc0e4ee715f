//! `sort=-published_at,title`: which keys a list may be ordered by, and in which direction.

use super::error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

/// Parses a comma-separated sort against `allowed` (name → key); `-` before a name sorts
/// descending. Absent means `default`. A key named again changes nothing (the first one
/// already decided the order), so it is skipped. Problems are added to `errors`.
pub fn parse<K: Copy + PartialEq>(
    raw: Option<&str>,
    allowed: &[(&str, K)],
    default: &[(K, Direction)],
    errors: &mut Vec<FieldError>,
) -> Vec<(K, Direction)> {
    let Some(raw) = raw else {
        return default.to_vec();
    };
    let mut keys: Vec<(K, Direction)> = Vec::new();
    for part in raw.split(',') {
        let (name, direction) = match part.strip_prefix('-') {
            Some(name) => (name, Direction::Desc),
            None => (part, Direction::Asc),
        };
        match allowed.iter().find(|(n, _)| *n == name) {
            Some((_, key)) if keys.iter().any(|(k, _)| k == key) => {}
            Some((_, key)) => keys.push((*key, direction)),
            None => {
                let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
                errors.push(FieldError::new(
                    "sort",
                    "unknown_key",
                    format!("cannot sort by `{name}`; use {}", names.join(", ")),
                ));
            }
        }
    }
    keys
}

/// Appends `id` to `keys`, in the direction of the first key, so that no two items tie and
/// the order is total (which keyset pages need).
pub fn with_tiebreak<K>(mut keys: Vec<(K, Direction)>, id: K) -> Vec<(K, Direction)> {
    let direction = keys.first().map_or(Direction::Desc, |(_, d)| *d);
    keys.push((id, direction));
    keys
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_and_directions() {
        let allowed = [("title", 1), ("published_at", 2)];
        let mut errors = Vec::new();
        let keys = parse(Some("-published_at,title"), &allowed, &[], &mut errors);
        assert_eq!(keys, [(2, Direction::Desc), (1, Direction::Asc)]);
        assert!(errors.is_empty());
        assert_eq!(
            parse(None, &allowed, &[(2, Direction::Desc)], &mut errors),
            [(2, Direction::Desc)]
        );
        let again = parse(Some("title,-title"), &allowed, &[], &mut errors);
        assert_eq!(again, [(1, Direction::Asc)]);
        parse(Some("colour"), &allowed, &[], &mut errors);
        parse(Some(""), &allowed, &[], &mut errors);
        let codes: Vec<_> = errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["unknown_key", "unknown_key"]);
    }
}
