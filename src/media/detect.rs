//! What a file is, told from its bytes alone: the name and the content type a client sends
//! are never believed.

use super::model::MediaKind;

/// Every format Folio stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
    Gif,
    Avif,
    Svg,
    Pdf,
    Mp3,
    M4a,
    Mp4,
    WebM,
}

impl Format {
    pub const ALL: [Format; 11] = {
        use Format::*;
        [Jpeg, Png, WebP, Gif, Avif, Svg, Pdf, Mp3, M4a, Mp4, WebM]
    };

    pub fn kind(self) -> MediaKind {
        use Format::*;
        match self {
            Jpeg | Png | WebP | Gif | Avif | Svg => MediaKind::Image,
            Pdf => MediaKind::Document,
            Mp3 | M4a => MediaKind::Audio,
            Mp4 | WebM => MediaKind::Video,
        }
    }

    pub fn mime_type(self) -> &'static str {
        use Format::*;
        match self {
            Jpeg => "image/jpeg",
            Png => "image/png",
            WebP => "image/webp",
            Gif => "image/gif",
            Avif => "image/avif",
            Svg => "image/svg+xml",
            Pdf => "application/pdf",
            Mp3 => "audio/mpeg",
            M4a => "audio/mp4",
            Mp4 => "video/mp4",
            WebM => "video/webm",
        }
    }

    pub fn extension(self) -> &'static str {
        use Format::*;
        match self {
            Jpeg => "jpg",
            Png => "png",
            WebP => "webp",
            Gif => "gif",
            Avif => "avif",
            Svg => "svg",
            Pdf => "pdf",
            Mp3 => "mp3",
            M4a => "m4a",
            Mp4 => "mp4",
            WebM => "webm",
        }
    }

    /// The format of a stored extension.
    pub fn of_extension(extension: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.extension() == extension)
    }

    /// Whether Folio decodes it (to strip metadata, check its size, make variants).
    pub fn is_raster(self) -> bool {
        matches!(
            self,
            Format::Jpeg | Format::Png | Format::WebP | Format::Gif | Format::Avif
        )
    }
}

/// The format of a file that starts with `head` (its first few KiB); `None` for anything
/// Folio does not take. SVG only when `allow_svg`.
pub fn detect(head: &[u8], allow_svg: bool) -> Option<Format> {
    let found = infer::get(head).and_then(|found| {
        Some(match found.mime_type() {
            "image/jpeg" => Format::Jpeg,
            "image/png" => Format::Png,
            "image/webp" => Format::WebP,
            "image/gif" => Format::Gif,
            "image/avif" => Format::Avif,
            "application/pdf" => Format::Pdf,
            "audio/mpeg" => Format::Mp3,
            "audio/m4a" | "audio/x-m4a" => Format::M4a,
            "video/mp4" => Format::Mp4,
            "video/webm" => Format::WebM,
            // XML, HTML and the rest: only an SVG document among them is taken.
            _ => return None,
        })
    });
    found.or_else(|| (allow_svg && is_svg(head)).then_some(Format::Svg))
}

/// An SVG document: XML whose first element is `svg` (after a declaration, comments and a
/// doctype), in UTF-8.
fn is_svg(head: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(head).or_else(|e| {
        // The head may end inside a character.
        std::str::from_utf8(&head[..e.valid_up_to()])
    }) else {
        return false;
    };
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            let Some(end) = after.find("?>") else {
                return false;
            };
            rest = after[end + 2..].trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            let Some(end) = after.find("-->") else {
                return false;
            };
            rest = after[end + 3..].trim_start();
        } else if let Some(after) = rest.strip_prefix("<!DOCTYPE") {
            let Some(end) = after.find('>') else {
                return false;
            };
            rest = after[end + 1..].trim_start();
        } else {
            return rest
                .strip_prefix("<svg")
                .is_some_and(|after| after.starts_with(|c: char| c.is_whitespace() || c == '>'));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_claims_do_not_matter_only_bytes() {
        assert_eq!(
            detect(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0", false),
            Some(Format::Jpeg)
        );
        assert_eq!(
            detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", false),
            Some(Format::Png)
        );
        assert_eq!(detect(b"%PDF-1.4\n", false), Some(Format::Pdf));
        assert_eq!(
            detect(b"<!doctype html><script>alert(1)</script>", false),
            None
        );
        assert_eq!(detect(b"<html><body>", true), None);
        assert_eq!(detect(b"MZ\x90\0", false), None);
    }

    #[test]
    fn svg_is_taken_only_when_allowed() {
        let svg = b"<?xml version=\"1.0\"?>\n<!-- drawn -->\n<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>";
        assert_eq!(detect(svg, false), None);
        assert_eq!(detect(svg, true), Some(Format::Svg));
        assert_eq!(detect(b"<svgx>", true), None);
        assert_eq!(detect(b"<!-- never closed <svg>", true), None);
    }

    #[test]
    fn every_extension_names_its_format() {
        for format in [Format::Jpeg, Format::Svg, Format::Mp4, Format::M4a] {
            assert_eq!(Format::of_extension(format.extension()), Some(format));
        }
        assert_eq!(Format::of_extension("exe"), None);
    }
}
