//! Which uploaded files a post shows: every address of Folio media in its Markdown (images,
//! links, raw HTML alike) and its image fields, by the digest the address names. Kept with
//! each write, so that media still shown is not deleted by accident.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::ids::Sha256;

/// Folio's own media addresses (`/media/{sha256}/…`) and object keys behind a public address
/// (`originals/ab/{sha256}.jpg`, `variants/ab/{sha256}/640.webp`).
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:/media/|(?:originals|variants)/[0-9a-f]{2}/)([0-9a-f]{64})[/.]")
        .expect("the media address pattern compiles")
});

/// The digests of the media `markdown` and `images` (image fields' values) point at.
pub fn referenced<'a>(
    markdown: &'a str,
    images: impl IntoIterator<Item = Option<&'a str>>,
) -> BTreeSet<Sha256> {
    std::iter::once(markdown)
        .chain(images.into_iter().flatten())
        .flat_map(|text| ADDRESS.captures_iter(text))
        .filter_map(|found| Sha256::parse(&found[1]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folio_media_is_found_wherever_a_post_points_at_it() {
        let (a, b, c) = ("a".repeat(64), "b".repeat(64), "c".repeat(64));
        let markdown = format!(
            "![x](https://cms.example.com/media/{a}/photo.jpg)\n[pdf](/media/{b}/640w.webp) \
             <img src=\"https://cdn.example.com/originals/cc/{c}.png\">\n\
             ![not ours](https://elsewhere.example.com/picture.jpg) /media/{}/short",
            "d".repeat(63)
        );
        let found = referenced(
            &markdown,
            [Some(format!("/media/{a}/x.jpg").as_str()), None],
        );
        let found: Vec<_> = found.iter().map(|s| s.as_str().to_owned()).collect();
        assert_eq!(found, [a, b, c]);
    }
}
