//! What Folio does to the pixels of an image: checks its size from the header before anything
//! is decoded, removes location and camera metadata (without re-encoding where it can), stands
//! it the right way up, and makes the responsive variants.

use std::io::Cursor;

use bytes::Bytes;
use fast_image_resize::images::Image as Pixels;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageReader, metadata::Orientation};
use img_parts::{ImageEXIF, jpeg::Jpeg, png::Png, webp::WebP};

use super::detect::Format;
use crate::error::{ApiError, ApiResult};

/// How much an image may ask of the server.
#[derive(Debug, Clone, Copy)]
pub struct ImageLimits {
    /// Width × height; a larger image (a decompression bomb, say) is refused unread.
    pub max_pixels: u64,
    /// Memory one decoding may take.
    pub max_decoder_bytes: u64,
    /// Keep EXIF, XMP and the like as uploaded.
    pub keep_metadata: bool,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits {
            max_pixels: 60_000_000,
            max_decoder_bytes: 512 * 1024 * 1024,
            keep_metadata: false,
        }
    }
}

impl ImageLimits {
    fn decoder(&self) -> image::Limits {
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(self.max_decoder_bytes);
        limits
    }
}

/// An image ready to store.
#[derive(Debug)]
pub struct Prepared {
    pub bytes: Bytes,
    pub width: u32,
    pub height: u32,
    /// More than one frame: stored as it is, with no variants.
    pub animated: bool,
}

/// A variant made.
pub struct Made {
    pub width: u32,
    pub height: u32,
    pub format: Format,
    pub bytes: Vec<u8>,
}

fn unreadable(detail: impl std::fmt::Display) -> ApiError {
    ApiError::validation(
        "file",
        "unreadable_image",
        format!("The image cannot be read: {detail}."),
    )
}

fn decode_error(err: image::ImageError) -> ApiError {
    match err {
        image::ImageError::Limits(_) => ApiError::validation(
            "file",
            "too_large_to_decode",
            "The image needs more memory to decode than this server allows.",
        ),
        err => unreadable(err),
    }
}

/// The width and height the header of `bytes` claims, refused when over the limit.
pub fn checked_size(bytes: &[u8], limits: &ImageLimits) -> ApiResult<(u32, u32)> {
    let size = imagesize::blob_size(bytes).map_err(unreadable)?;
    let (width, height) = (size.width as u64, size.height as u64);
    if width == 0 || height == 0 {
        return Err(unreadable("it has no pixels"));
    }
    if width * height > limits.max_pixels {
        return Err(ApiError::validation(
            "file",
            "too_many_pixels",
            format!(
                "The image is {width} × {height} pixels; this server takes at most {} million.",
                limits.max_pixels / 1_000_000
            ),
        ));
    }
    Ok((width as u32, height as u32))
}

/// What an image's headers say, read without decoding its pixels.
#[derive(Debug, Clone, Copy)]
pub struct Inspected {
    format: Format,
    width: u32,
    height: u32,
    orientation: Orientation,
}

impl Inspected {
    /// Whether preparing it decodes pixels (to turn it upright, or to count a GIF's frames),
    /// which takes memory in proportion to them.
    pub fn decodes(&self) -> bool {
        match self.format {
            Format::Gif => true,
            Format::Jpeg | Format::Png | Format::WebP => {
                self.orientation != Orientation::NoTransforms
            }
            _ => false,
        }
    }
}

/// The size and orientation of the image `bytes` of `format`, refused when it has more pixels
/// than the limit or cannot be read.
pub fn inspect(bytes: &[u8], format: Format, limits: &ImageLimits) -> ApiResult<Inspected> {
    let (width, height) = checked_size(bytes, limits)?;
    let orientation = match format {
        Format::Jpeg | Format::Png | Format::WebP => orientation(bytes, limits)?,
        _ => Orientation::NoTransforms,
    };
    Ok(Inspected {
        format,
        width,
        height,
        orientation,
    })
}

/// `bytes` as they will be stored: metadata removed (unless kept), the orientation applied,
/// so that no viewer needs the tag that said how to turn it.
pub fn prepare(bytes: Bytes, inspected: Inspected, limits: &ImageLimits) -> ApiResult<Prepared> {
    let Inspected {
        format,
        width,
        height,
        orientation,
    } = inspected;
    let animated = is_animated(&bytes, format, limits)?;
    let unchanged = |bytes| Prepared {
        bytes,
        width,
        height,
        animated,
    };
    match format {
        Format::Jpeg | Format::Png | Format::WebP if !animated => {
            if orientation != Orientation::NoTransforms {
                return upright(&bytes, format, orientation, limits);
            }
            if limits.keep_metadata {
                return Ok(unchanged(bytes));
            }
            Ok(unchanged(strip(bytes, format)?))
        }
        Format::WebP if !limits.keep_metadata => Ok(unchanged(strip(bytes, format)?)),
        Format::Avif if !limits.keep_metadata && avif_has_metadata(&bytes) => {
            Err(ApiError::validation(
                "file",
                "metadata_not_removable",
                "This AVIF image carries EXIF or XMP metadata (which may hold its location), and \
                 Folio cannot remove it from AVIF without re-encoding: export it without metadata.",
            ))
        }
        _ => Ok(unchanged(bytes)),
    }
}

fn reader<'a>(bytes: &'a [u8], limits: &ImageLimits) -> ApiResult<ImageReader<Cursor<&'a [u8]>>> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(unreadable)?;
    reader.limits(limits.decoder());
    Ok(reader)
}

fn orientation(bytes: &[u8], limits: &ImageLimits) -> ApiResult<Orientation> {
    let mut decoder = reader(bytes, limits)?
        .into_decoder()
        .map_err(decode_error)?;
    // A tag that cannot be read turns nothing.
    Ok(decoder.orientation().unwrap_or(Orientation::NoTransforms))
}

fn is_animated(bytes: &[u8], format: Format, limits: &ImageLimits) -> ApiResult<bool> {
    use image::AnimationDecoder;
    match format {
        Format::Gif => {
            let mut decoder =
                image::codecs::gif::GifDecoder::new(Cursor::new(bytes)).map_err(decode_error)?;
            // Frames are decoded to count them: within the same memory as any decoding.
            decoder.set_limits(limits.decoder()).map_err(decode_error)?;
            Ok(decoder.into_frames().take(2).count() > 1)
        }
        Format::WebP => {
            let decoder =
                image::codecs::webp::WebPDecoder::new(Cursor::new(bytes)).map_err(decode_error)?;
            Ok(decoder.has_animation())
        }
        _ => Ok(false),
    }
}

/// Decodes, turns and re-encodes: the one case where the original's pixels are rewritten.
fn upright(
    bytes: &[u8],
    format: Format,
    orientation: Orientation,
    limits: &ImageLimits,
) -> ApiResult<Prepared> {
    let mut decoder = reader(bytes, limits)?
        .into_decoder()
        .map_err(decode_error)?;
    let icc = decoder.icc_profile().ok().flatten();
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    let encoded = encode(&image, format, icc, 90).map_err(ApiError::internal)?;
    Ok(Prepared {
        width: image.width(),
        height: image.height(),
        bytes: Bytes::from(encoded),
        animated: false,
    })
}

/// Removes EXIF (location, camera, maker notes), XMP, IPTC and comments, keeping what draws
/// the picture (and its colour profile).
fn strip(bytes: Bytes, format: Format) -> ApiResult<Bytes> {
    match format {
        Format::Jpeg => {
            let mut jpeg = Jpeg::from_bytes(bytes).map_err(unreadable)?;
            jpeg.segments_mut().retain(|segment| {
                let marker = segment.marker();
                let contents = segment.contents();
                match marker {
                    // JFIF and Adobe's colour transform are needed to draw it.
                    0xE0 | 0xEE => true,
                    // APP2 holds the colour profile, but also multi-picture previews.
                    0xE2 => contents.starts_with(b"ICC_PROFILE\0"),
                    0xE1..=0xEF | 0xFE => false,
                    _ => true,
                }
            });
            Ok(jpeg.encoder().bytes())
        }
        Format::Png => {
            let mut png = Png::from_bytes(bytes).map_err(unreadable)?;
            png.chunks_mut().retain(|chunk| {
                !matches!(
                    &chunk.kind(),
                    b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME"
                )
            });
            Ok(png.encoder().bytes())
        }
        Format::WebP => {
            let mut webp = WebP::from_bytes(bytes).map_err(unreadable)?;
            webp.set_exif(None);
            webp.remove_chunks_by_id(img_parts::webp::CHUNK_XMP);
            Ok(webp.encoder().bytes())
        }
        _ => Ok(bytes),
    }
}

/// Whether an AVIF file's item info names EXIF or XMP (they sit near the start).
fn avif_has_metadata(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(256 * 1024)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    has(b"Exif") || has(b"application/rdf+xml")
}

/// Encodes `image` in `format` (a variant's or a turned original's); `quality` for lossy ones.
fn encode(
    image: &DynamicImage,
    format: Format,
    icc: Option<Vec<u8>>,
    quality: u8,
) -> Result<Vec<u8>, String> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    match format {
        Format::Jpeg => {
            let rgb = image.to_rgb8();
            let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
            if let Some(icc) = icc {
                let _ = encoder.set_icc_profile(icc);
            }
            encoder
                .write_image(
                    &rgb,
                    rgb.width(),
                    rgb.height(),
                    image::ExtendedColorType::Rgb8,
                )
                .map_err(|e| e.to_string())?;
        }
        Format::WebP => {
            let memory = if image.color().has_alpha() {
                let rgba = image.to_rgba8();
                webp::Encoder::from_rgba(&rgba, rgba.width(), rgba.height())
                    .encode(f32::from(quality))
            } else {
                let rgb = image.to_rgb8();
                webp::Encoder::from_rgb(&rgb, rgb.width(), rgb.height()).encode(f32::from(quality))
            };
            out.extend_from_slice(&memory);
        }
        Format::Png => image
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .map_err(|e| e.to_string())?,
        Format::Gif => image
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Gif)
            .map_err(|e| e.to_string())?,
        other => return Err(format!("variants are not made in {other:?}")),
    }
    Ok(out)
}

/// The formats variants of `format` come in: WebP, and the original's own.
pub fn variant_formats(format: Format) -> &'static [Format] {
    match format {
        Format::Jpeg => &[Format::WebP, Format::Jpeg],
        Format::Png => &[Format::WebP, Format::Png],
        Format::Gif => &[Format::WebP, Format::Gif],
        Format::WebP => &[Format::WebP],
        // No decoder for AVIF here; SVG scales by itself.
        _ => &[],
    }
}

/// The variants of the stored image `bytes` at each of `widths` narrower than it.
pub fn variants(
    bytes: &[u8],
    format: Format,
    widths: &[u32],
    limits: &ImageLimits,
) -> Result<Vec<Made>, String> {
    let formats = variant_formats(format);
    if formats.is_empty() || is_animated(bytes, format, limits).map_err(|e| e.to_string())? {
        return Ok(Vec::new());
    }
    let image = reader(bytes, limits)
        .map_err(|e| e.to_string())?
        .decode()
        .map_err(|e| e.to_string())?;
    let (width, height) = (image.width(), image.height());
    let alpha = image.color().has_alpha();
    let (pixel_type, buffer) = if alpha {
        (PixelType::U8x4, image.to_rgba8().into_raw())
    } else {
        (PixelType::U8x3, image.to_rgb8().into_raw())
    };
    drop(image);
    let source =
        Pixels::from_vec_u8(width, height, buffer, pixel_type).map_err(|e| e.to_string())?;
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    let mut resizer = Resizer::new();
    let mut made = Vec::new();
    for &target in widths.iter().filter(|&&w| w < width) {
        let target_height = ((u64::from(height) * u64::from(target) + u64::from(width) / 2)
            / u64::from(width))
        .max(1) as u32;
        let mut resized = Pixels::new(target, target_height, pixel_type);
        resizer
            .resize(&source, &mut resized, &options)
            .map_err(|e| e.to_string())?;
        let raw = resized.into_vec();
        let image = if alpha {
            image::RgbaImage::from_raw(target, target_height, raw).map(DynamicImage::ImageRgba8)
        } else {
            image::RgbImage::from_raw(target, target_height, raw).map(DynamicImage::ImageRgb8)
        }
        .ok_or("a resized image has the wrong size")?;
        for &format in formats {
            made.push(Made {
                width: target,
                height: target_height,
                format,
                bytes: encode(&image, format, None, 80)?,
            });
        }
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Bytes {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }));
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        Bytes::from(out)
    }

    #[test]
    fn too_many_pixels_are_refused_from_the_header() {
        let limits = ImageLimits {
            max_pixels: 100 * 100,
            ..Default::default()
        };
        assert!(checked_size(&png(100, 100), &limits).is_ok());
        let err = checked_size(&png(101, 100), &limits).unwrap_err();
        assert_eq!(err.answer().status, 422);
    }

    #[test]
    fn variants_come_at_the_widths_narrower_than_the_image_in_webp_and_its_own_format() {
        let made = variants(
            &png(700, 350),
            Format::Png,
            &[320, 640, 1024],
            &ImageLimits::default(),
        )
        .unwrap();
        let shapes: Vec<_> = made.iter().map(|m| (m.width, m.height, m.format)).collect();
        assert_eq!(
            shapes,
            [
                (320, 160, Format::WebP),
                (320, 160, Format::Png),
                (640, 320, Format::WebP),
                (640, 320, Format::Png),
            ]
        );
        for m in &made {
            let decoded = image::load_from_memory(&m.bytes).unwrap();
            assert_eq!((decoded.width(), decoded.height()), (m.width, m.height));
        }
    }

    #[test]
    fn png_text_chunks_are_removed_and_the_pixels_kept() {
        let mut png_file = Png::from_bytes(png(8, 8)).unwrap();
        let chunk = img_parts::png::PngChunk::new(*b"tEXt", Bytes::from_static(b"GPS\0here"));
        let at = png_file.chunks().len() - 1;
        png_file.chunks_mut().insert(at, chunk);
        let with_text = png_file.encoder().bytes();
        let limits = ImageLimits::default();
        let inspected = inspect(&with_text, Format::Png, &limits).unwrap();
        assert!(!inspected.decodes());
        let stripped = prepare(with_text.clone(), inspected, &limits).unwrap();
        assert!(stripped.bytes.len() < with_text.len());
        assert!(!stripped.bytes.windows(3).any(|w| w == b"GPS"));
        let (a, b) = (
            image::load_from_memory(&with_text).unwrap(),
            image::load_from_memory(&stripped.bytes).unwrap(),
        );
        assert_eq!(a.to_rgb8().into_raw(), b.to_rgb8().into_raw());
    }
}
