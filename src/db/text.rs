//! Post bodies as the databases keep them, and the word count kept beside them. SQLite stores
//! each body as a zstd frame and reads it back through `folio_text`, a function every SQLite
//! connection registers; PostgreSQL compresses its own (lz4 TOAST) and its `folio_text`
//! returns the text as it is, so a query reads a body the same way on both.

use diesel::sql_types::{Binary, Text};
use diesel::{QueryResult, SqliteConnection};

diesel::define_sql_function! {
    /// A stored body as text, on either database.
    fn folio_text(stored: Text) -> Text;
}

mod sqlite {
    use super::{Binary, Text};

    diesel::define_sql_function! {
        /// `folio_text` as SQLite runs it: over the stored bytes, which are a frame or text.
        /// `NULL` for bytes that are neither, which no body reads as.
        #[sql_name = "folio_text"]
        fn folio_text_of(stored: Binary) -> Nullable<Text>;
    }

    diesel::define_sql_function! {
        /// A body as SQLite stores it (for the migration that packs older rows).
        fn folio_pack(text: Text) -> Binary;
    }

    diesel::define_sql_function! {
        /// [`super::words`] (for the migration that counts older rows' words).
        fn folio_words(text: Text) -> Integer;
    }
}

/// Registers the functions SQLite reads and migrates bodies with, on `conn`.
pub fn register(conn: &mut SqliteConnection) -> QueryResult<()> {
    sqlite::folio_text_of_utils::register_impl(conn, |stored: Vec<u8>| unpack(&stored))?;
    sqlite::folio_pack_utils::register_impl(conn, |text: String| pack(&text))?;
    sqlite::folio_words_utils::register_impl(conn, |text: String| words(&text))
}

/// zstd's default level: a 15 KB body packs in well under a millisecond; higher levels gain
/// a few percent for several times the time, spent inside the write lock.
const LEVEL: i32 = 3;

/// The four bytes every zstd frame starts with. No UTF-8 text can start with them (0xB5
/// cannot follow an ASCII byte), so a stored value is a frame or text as it was written
/// before bodies were packed, and its bytes say which.
const MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

/// The most a frame may unpack to: far above any body Folio accepts, so that a damaged
/// frame cannot make a read allocate without bound.
const MAX_UNPACKED: u64 = 1 << 28;

/// `text` as SQLite stores it. Should zstd fail (it does only when out of memory), the text
/// is stored as it is, which reads back the same.
pub fn pack(text: &str) -> Vec<u8> {
    zstd::bulk::compress(text.as_bytes(), LEVEL).unwrap_or_else(|_| text.as_bytes().to_vec())
}

/// The text `stored` holds, or `None` when it is neither a frame of UTF-8 nor UTF-8.
pub fn unpack(stored: &[u8]) -> Option<String> {
    if !stored.starts_with(&MAGIC) {
        return String::from_utf8(stored.to_vec()).ok();
    }
    let size = zstd::zstd_safe::get_frame_content_size(stored).ok()??;
    if size > MAX_UNPACKED {
        return None;
    }
    let bytes = zstd::bulk::decompress(stored, usize::try_from(size).ok()?).ok()?;
    String::from_utf8(bytes).ok()
}

/// Words in `text`, as Ghost counts them for its reading time: runs between ASCII
/// whitespace.
pub fn words(text: &str) -> i32 {
    i32::try_from(text.split_ascii_whitespace().count()).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_body_reads_back_as_it_was_packed() {
        let body = "<p>Hello, wörld.</p>\n".repeat(500);
        let stored = pack(&body);
        assert!(stored.starts_with(&MAGIC));
        assert!(stored.len() < body.len() / 10, "{} bytes", stored.len());
        assert_eq!(unpack(&stored).as_deref(), Some(body.as_str()));
    }

    #[test]
    fn text_stored_before_packing_reads_as_it_is() {
        assert_eq!(unpack(b"# Old post").as_deref(), Some("# Old post"));
        assert_eq!(unpack(b"").as_deref(), Some(""));
    }

    #[test]
    fn damaged_bytes_read_as_nothing() {
        let mut stored = pack(&"text ".repeat(100));
        stored.truncate(stored.len() / 2);
        assert_eq!(unpack(&stored), None);
        assert_eq!(unpack(&[0xFF, 0xFE]), None);
        // A frame claiming more than any body may hold is not unpacked at all.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&[0xE0, 0, 0, 0, 0, 0, 0, 0, 0x40]);
        assert_eq!(unpack(&huge), None);
    }

    #[test]
    fn words_are_runs_between_ascii_whitespace() {
        assert_eq!(words(""), 0);
        assert_eq!(words("   "), 0);
        assert_eq!(words("one"), 1);
        assert_eq!(words("  one two\n\nthree\t"), 3);
        assert_eq!(words("é-à ü"), 2);
        // A non-breaking space is not ASCII whitespace: Ghost counts one word.
        assert_eq!(words("one\u{a0}two"), 1);
    }

    proptest! {
        #[test]
        fn any_text_survives_packing(text in "\\PC{0,2000}") {
            prop_assert_eq!(unpack(&pack(&text)), Some(text));
        }
    }
}
