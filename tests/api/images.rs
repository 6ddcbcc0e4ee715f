//! Real image, document and hostile files for the media tests, made here so that no binary
//! fixture is committed, plus checkers that read them back with parsers other than Folio's.

use std::collections::HashMap;
use std::io::{Cursor, Write};
use std::sync::{LazyLock, Mutex, PoisonError};

use bytes::Bytes;
use exif::{Context, In, Reader, Tag};
use flate2::Compression;
use flate2::write::DeflateEncoder;
use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{
    AnimationDecoder, Delay, ExtendedColorType, Frame, ImageEncoder, ImageReader, RgbImage,
    RgbaImage,
};
use img_parts::ImageEXIF;
use img_parts::jpeg::{Jpeg, JpegSegment, markers};

/// Where `jpeg_with_exif` says it was taken (Berlin), in EXIF's degrees and minutes.
const LATITUDE: (u32, u32) = (52, 31);
const LONGITUDE: (u32, u32) = (13, 24);
const MAKE: &str = "Folio Test Optics";
const MODEL: &str = "FTO-1";
/// Maker notes are opaque vendor blobs that often carry serial numbers: one that survives an
/// upload is a leak even though no generic tool shows what is in it.
const MAKER_NOTE: &[u8] = b"FTO\0serial=0451-2187-9932;owner=Jane Example\0";
const XMP_PREFIX: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";

/// Large enough for any image-size limit, yet a few dozen KB on disk: zero rows deflate
/// about a thousandfold.
pub const BOMB_SIDE: u32 = 20_000;

type Key = (&'static str, u32, u32, u32);

/// Each file is made once per test run and copied after. The encoders are generic over their
/// writer, so they are compiled into this test crate, unoptimised whatever the image crate's
/// opt-level: a megapixel JPEG costs a fifth of a second.
fn made_once(key: Key, make: impl FnOnce() -> Vec<u8>) -> Vec<u8> {
    static MADE: LazyLock<Mutex<HashMap<Key, Vec<u8>>>> = LazyLock::new(Mutex::default);
    if let Some(bytes) = MADE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return bytes.clone();
    }
    let bytes = make();
    let mut made = MADE.lock().unwrap_or_else(PoisonError::into_inner);
    made.entry(key).or_insert(bytes).clone()
}

/// A diagonal gradient under diagonal stripes, crossed by bands of another tint: edges for
/// encoders and resizers to work on, regular enough that PNG and WebP stay small.
///
/// Every row is a shifted slice of one of two precomputed strips, as this code is built
/// unoptimised and a computation per pixel would cost more than the encoding.
fn photo(width: u32, height: u32) -> RgbImage {
    let (w, h) = (width as usize, height as usize);
    let span = (w + h).max(1);
    let strip = |tint: u8| -> Vec<u8> {
        (0..span)
            .flat_map(|i| {
                let ramp = (i * 180 / span) as u8;
                let stripe = if i % 12 < 3 { 50 } else { 0 };
                [ramp + stripe, 200 - ramp, tint + stripe]
            })
            .collect()
    };
    let strips = [strip(40), strip(140)];
    let mut data = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        let start = (h - 1 - y) * 3;
        data.extend_from_slice(&strips[y / 32 % 2][start..start + w * 3]);
    }
    RgbImage::from_raw(width, height, data).expect("buffer sized to the picture")
}

/// Pixel data whose row `y` is `rows[row_of(y)]`: pictures made of a few distinct rows are
/// then copied rather than computed pixel by pixel.
fn from_rows(height: u32, rows: &[Vec<u8>], row_of: impl Fn(u32) -> usize) -> Vec<u8> {
    let mut data = Vec::with_capacity(height as usize * rows.first().map_or(0, Vec::len));
    for y in 0..height {
        data.extend_from_slice(&rows[row_of(y)]);
    }
    data
}

fn encode_jpeg(picture: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 85)
        .encode(
            picture,
            picture.width(),
            picture.height(),
            ExtendedColorType::Rgb8,
        )
        .expect("encode JPEG");
    out
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    made_once(("jpeg", width, height, 0), || {
        encode_jpeg(&photo(width, height))
    })
}

/// A JPEG carrying what an upload must not leak (camera, GPS in EXIF and in XMP, a maker
/// note) and an `orientation` tag that a viewer would honour.
///
/// The stored pixels are the left half red and the right half blue, with a green block in
/// the top-left corner (`x < width / 4 && y < height / 4`) so that a flip can be told from a
/// rotation. Shown upright under orientation 6 (turned 90° clockwise), red is on top, blue
/// below and the green block at the top right. Sample well inside a region, e.g.
/// `(width / 4, height * 3 / 4)`: JPEG blurs the edges between colours.
pub fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    made_once(
        ("jpeg_with_exif", width, height, u32::from(orientation)),
        || {
            let row = |corner: bool| -> Vec<u8> {
                (0..width)
                    .flat_map(|x| match x {
                        x if corner && x < width / 4 => [0, 255, 0],
                        x if x < width / 2 => [255, 0, 0],
                        _ => [0, 0, 255],
                    })
                    .collect()
            };
            let data = from_rows(height, &[row(true), row(false)], |y| {
                usize::from(y >= height / 4)
            });
            let picture =
                RgbImage::from_raw(width, height, data).expect("buffer sized to the picture");
            let mut jpeg = Jpeg::from_bytes(encode_jpeg(&picture).into()).expect("own JPEG parses");
            jpeg.set_exif(Some(tiff(orientation).into()));
            let exif_at = jpeg
                .segments()
                .iter()
                .position(|segment| segment.marker() == markers::APP1)
                .expect("EXIF segment just set");
            let xmp = [XMP_PREFIX, xmp_packet().as_bytes()].concat();
            jpeg.segments_mut().insert(
                exif_at + 1,
                JpegSegment::new_with_contents(markers::APP1, Bytes::from(xmp)),
            );
            jpeg.encoder().bytes().to_vec()
        },
    )
}

fn xmp_packet() -> String {
    let (lat_deg, lat_min) = LATITUDE;
    let (lon_deg, lon_min) = LONGITUDE;
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
         <rdf:Description rdf:about=\"\" xmlns:exif=\"http://ns.adobe.com/exif/1.0/\" \
         xmlns:tiff=\"http://ns.adobe.com/tiff/1.0/\" tiff:Make=\"{MAKE}\" \
         exif:GPSLatitude=\"{lat_deg},{lat_min}.0N\" exif:GPSLongitude=\"{lon_deg},{lon_min}.0E\"/>\
         </rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>"
    )
}

/// One IFD entry: tag, TIFF type, count and the value already in little-endian bytes.
struct Entry {
    tag: u16,
    kind: u16,
    count: u32,
    value: Vec<u8>,
}

const BYTE: u16 = 1;
const ASCII: u16 = 2;
const SHORT: u16 = 3;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;
const UNDEFINED: u16 = 7;

fn ascii(tag: u16, text: &str) -> Entry {
    let mut value = text.as_bytes().to_vec();
    value.push(0);
    Entry {
        tag,
        kind: ASCII,
        count: value.len() as u32,
        value,
    }
}

fn short(tag: u16, value: u16) -> Entry {
    Entry {
        tag,
        kind: SHORT,
        count: 1,
        value: value.to_le_bytes().to_vec(),
    }
}

fn long(tag: u16, value: u32) -> Entry {
    Entry {
        tag,
        kind: LONG,
        count: 1,
        value: value.to_le_bytes().to_vec(),
    }
}

fn raw(tag: u16, kind: u16, value: &[u8]) -> Entry {
    Entry {
        tag,
        kind,
        count: value.len() as u32,
        value: value.to_vec(),
    }
}

fn degrees(tag: u16, (deg, min): (u32, u32)) -> Entry {
    let value = [deg, 1, min, 1, 0, 1]
        .iter()
        .flat_map(|n| n.to_le_bytes())
        .collect();
    Entry {
        tag,
        kind: RATIONAL,
        count: 3,
        value,
    }
}

/// Count, entries and next-IFD offset, then the values too long to sit in an entry.
fn ifd_len(entries: &[Entry]) -> usize {
    let spilled: usize = entries
        .iter()
        .filter(|entry| entry.value.len() > 4)
        .map(|entry| entry.value.len().next_multiple_of(2))
        .sum();
    2 + 12 * entries.len() + 4 + spilled
}

/// Offsets in TIFF count from the start of the header, which is the start of `out`.
fn write_ifd(out: &mut Vec<u8>, entries: &[Entry]) {
    let mut spill_at = out.len() + 2 + 12 * entries.len() + 4;
    let mut spilled = Vec::new();
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for entry in entries {
        out.extend_from_slice(&entry.tag.to_le_bytes());
        out.extend_from_slice(&entry.kind.to_le_bytes());
        out.extend_from_slice(&entry.count.to_le_bytes());
        if entry.value.len() <= 4 {
            let mut inline = [0u8; 4];
            inline[..entry.value.len()].copy_from_slice(&entry.value);
            out.extend_from_slice(&inline);
        } else {
            out.extend_from_slice(&(spill_at as u32).to_le_bytes());
            spilled.extend_from_slice(&entry.value);
            if entry.value.len() % 2 == 1 {
                spilled.push(0);
            }
            spill_at += entry.value.len().next_multiple_of(2);
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&spilled);
}

/// Little-endian TIFF: IFD0, then the Exif IFD, then the GPS IFD. Entries ascend by tag, as
/// the format requires.
fn tiff(orientation: u16) -> Vec<u8> {
    const IFD0_AT: usize = 8;
    let mut ifd0 = vec![
        ascii(0x010F, MAKE),
        ascii(0x0110, MODEL),
        short(0x0112, orientation),
        long(0x8769, 0),
        long(0x8825, 0),
    ];
    let exif = vec![
        raw(0x9000, UNDEFINED, b"0232"),
        ascii(0x9003, "2024:05:01 12:34:56"),
        raw(0x927C, UNDEFINED, MAKER_NOTE),
    ];
    let gps = vec![
        raw(0x0000, BYTE, &[2, 3, 0, 0]),
        ascii(0x0001, "N"),
        degrees(0x0002, LATITUDE),
        ascii(0x0003, "E"),
        degrees(0x0004, LONGITUDE),
    ];
    let exif_at = IFD0_AT + ifd_len(&ifd0);
    let gps_at = exif_at + ifd_len(&exif);
    ifd0[3] = long(0x8769, exif_at as u32);
    ifd0[4] = long(0x8825, gps_at as u32);

    let mut out = b"II\x2A\0".to_vec();
    out.extend_from_slice(&(IFD0_AT as u32).to_le_bytes());
    for ifd in [&ifd0, &exif, &gps] {
        write_ifd(&mut out, ifd);
    }
    out
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    made_once(("png", width, height, 0), || {
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(
                &photo(width, height),
                width,
                height,
                ExtendedColorType::Rgb8,
            )
            .expect("encode PNG");
        out
    })
}

/// Lossless: the image crate has no lossy WebP encoder.
pub fn webp(width: u32, height: u32) -> Vec<u8> {
    made_once(("webp", width, height, 0), || {
        let mut out = Vec::new();
        WebPEncoder::new_lossless(&mut out)
            .encode(
                &photo(width, height),
                width,
                height,
                ExtendedColorType::Rgb8,
            )
            .expect("encode WebP");
        out
    })
}

/// Frame `index` of an animation: a banded background tinted by the index and a white bar
/// that moves along. At most a few dozen colours, so that the GIF encoder takes the exact
/// palette instead of its slow quantiser.
fn gif_frame(width: u32, height: u32, index: u32, frames: u32) -> RgbaImage {
    let (w, h, frames) = (width.max(1), height.max(1), frames.max(1));
    let bar = index * w / frames..(index + 1) * w / frames;
    let tint = (index * 255 / frames) as u8;
    let rows: Vec<Vec<u8>> = (0..4)
        .map(|band| {
            (0..width)
                .flat_map(|x| match x {
                    x if bar.contains(&x) => [255, 255, 255, 255],
                    x => [(x * 4 / w * 64) as u8, band * 64, tint, 255],
                })
                .collect()
        })
        .collect();
    let data = from_rows(height, &rows, |y| (y * 4 / h) as usize);
    RgbaImage::from_raw(width, height, data).expect("buffer sized to the frame")
}

pub fn gif_animated(width: u32, height: u32, frames: u32) -> Vec<u8> {
    made_once(("gif_animated", width, height, frames), || {
        let mut out = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut out);
            encoder.set_repeat(Repeat::Infinite).expect("set GIF loop");
            let frames = (0..frames).map(|index| {
                let picture = gif_frame(width, height, index, frames);
                Frame::from_parts(picture, 0, 0, Delay::from_numer_denom_ms(100, 1))
            });
            encoder.encode_frames(frames).expect("encode GIF");
        }
        out
    })
}

/// One frame and no loop extension: what most GIFs on the web are.
pub fn gif_still(width: u32, height: u32) -> Vec<u8> {
    made_once(("gif_still", width, height, 0), || {
        let mut out = Vec::new();
        GifEncoder::new(&mut out)
            .encode_frame(Frame::new(gif_frame(width, height, 0, 1)))
            .expect("encode GIF");
        out
    })
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

/// A valid 20,000 × 20,000 black PNG, 1-bit greyscale, of a few dozen KB: 400 megapixels
/// that a decoder would need 400 MB (as 8-bit grey) or more to hold. Chunks are written by
/// hand, since no encoder here makes such a picture without allocating it first.
pub fn png_bomb() -> Vec<u8> {
    made_once(("png_bomb", 0, 0, 0), || {
        let row = vec![0u8; 1 + BOMB_SIDE.div_ceil(8) as usize];
        // Raw deflate wrapped in zlib by hand: flate2's zlib writer would run 50 MB through an
        // Adler-32 built unoptimised, for half a second, when that of all zeros is arithmetic.
        let mut deflate = DeflateEncoder::new(Vec::new(), Compression::best());
        for _ in 0..BOMB_SIDE {
            deflate.write_all(&row).expect("deflate into memory");
        }
        let zeros = row.len() as u64 * u64::from(BOMB_SIDE);
        let adler = ((zeros % 65_521) as u32) << 16 | 1;
        let idat = [
            &[0x78, 0xDA][..],
            &deflate.finish().expect("deflate into memory"),
            &adler.to_be_bytes(),
        ]
        .concat();

        let mut ihdr = Vec::with_capacity(13);
        ihdr.extend_from_slice(&BOMB_SIDE.to_be_bytes());
        ihdr.extend_from_slice(&BOMB_SIDE.to_be_bytes());
        // Bit depth 1, greyscale, deflate, adaptive filtering, no interlace.
        ihdr.extend_from_slice(&[1, 0, 0, 0, 0]);

        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        png_chunk(&mut out, b"IHDR", &ihdr);
        png_chunk(&mut out, b"IDAT", &idat);
        png_chunk(&mut out, b"IEND", &[]);
        out
    })
}

/// An HTML page with a script: what an attacker uploads as `evil.png` with the content type
/// `image/png`, hoping it is served back inline from the site's origin. It is no image at all.
pub fn polyglot_html_png() -> Vec<u8> {
    b"<!DOCTYPE html>\n<html><head><title>PNG</title></head>\n<body>\
      <img src=x onerror=\"alert(1)\">\
      <script>fetch('/api/v1/me', {credentials: 'include'})\
      .then(r => r.text()).then(t => alert(t));</script>\n</body></html>\n"
        .to_vec()
}

/// SVG is an image format that runs scripts when opened directly.
pub fn svg() -> Vec<u8> {
    b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
      <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"48\" viewBox=\"0 0 64 48\">\n\
      <rect width=\"64\" height=\"48\" fill=\"#c33\"/>\n\
      <script type=\"text/javascript\">alert(document.domain)</script>\n\
      </svg>\n"
        .to_vec()
}

/// One page of text, with a cross-reference table whose offsets are computed, so that strict
/// readers accept it without repairing it.
pub fn pdf() -> Vec<u8> {
    let content = b"BT /F1 24 Tf 72 720 Td (Folio test document) Tj ET\n";
    let objects: [Vec<u8>; 5] = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
          /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        [
            format!("<< /Length {} >>\nstream\n", content.len()).as_bytes(),
            content,
            b"endstream",
        ]
        .concat(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    // The second line's high bytes mark the file as binary for transfer tools.
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (number, body) in (1..).zip(&objects) {
        offsets.push(out.len());
        out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    let size = objects.len() + 1;
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n")
            .as_bytes(),
    );
    out
}

fn read_exif(bytes: &[u8]) -> Option<exif::Exif> {
    Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()
}

/// The names of the EXIF tags present (kamadak-exif's names, e.g. `Make`, `GPSLatitude`,
/// `MakerNote`), in file order; empty when there is no EXIF or it does not parse.
pub fn exif_fields(bytes: &[u8]) -> Vec<String> {
    read_exif(bytes)
        .map(|exif| exif.fields().map(|field| field.tag.to_string()).collect())
        .unwrap_or_default()
}

/// The contents of the blocks where metadata hides: JPEG APPn and COM segments, PNG
/// ancillary chunks, WebP EXIF and XMP chunks. Walked by hand rather than with img-parts,
/// the library Folio strips with, so that a shared misreading cannot hide a leak.
fn metadata_blocks(bytes: &[u8]) -> Vec<&[u8]> {
    let mut blocks = Vec::new();
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let mut at = 2;
        // Metadata comes before the first scan; past SOS the rest is entropy-coded data.
        while at + 4 <= bytes.len() && bytes[at] == 0xFF {
            let marker = bytes[at + 1];
            if marker == 0xFF {
                at += 1;
                continue;
            }
            if marker == 0xD9 || marker == 0xDA {
                break;
            }
            if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
                at += 2;
                continue;
            }
            let len = u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]) as usize;
            let end = (at + 2 + len).min(bytes.len());
            if (0xE0..=0xEF).contains(&marker) || marker == 0xFE {
                blocks.push(&bytes[(at + 4).min(end)..end]);
            }
            at = end;
        }
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let mut at = 8;
        while at + 12 <= bytes.len() {
            let len = u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
            let kind = &bytes[at + 4..at + 8];
            let end = (at + 8 + len).min(bytes.len());
            if kind[0].is_ascii_lowercase() {
                blocks.push(&bytes[at + 8..end]);
            }
            at = end + 4;
        }
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        let mut at = 12;
        while at + 8 <= bytes.len() {
            let kind = &bytes[at..at + 4];
            let len =
                u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes")) as usize;
            let end = (at + 8 + len).min(bytes.len());
            if kind == b"EXIF" || kind == b"XMP " {
                blocks.push(&bytes[at + 8..end]);
            }
            at = end + len % 2;
        }
    }
    blocks
}

/// GPS tags in the EXIF, or the letters "GPS" in any other metadata block (XMP's
/// `exif:GPSLatitude`, a comment, a vendor segment).
pub fn has_gps(bytes: &[u8]) -> bool {
    let in_exif = read_exif(bytes).is_some_and(|exif| {
        exif.fields()
            .any(|field| field.tag.context() == Context::Gps || field.tag == Tag::GPSInfoIFDPointer)
    });
    in_exif
        || metadata_blocks(bytes)
            .iter()
            .any(|block| block.windows(3).any(|window| window == b"GPS"))
}

/// The EXIF orientation of the main image, if it has one.
pub fn orientation(bytes: &[u8]) -> Option<u16> {
    let exif = read_exif(bytes)?;
    let field = exif.get_field(Tag::Orientation, In::PRIMARY)?;
    field
        .value
        .get_uint(0)
        .and_then(|value| u16::try_from(value).ok())
}

/// Width and height as stored, from the header alone (so the bomb is safe to measure), with
/// no EXIF orientation applied.
pub fn dimensions(bytes: &[u8]) -> (u32, u32) {
    ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .expect("reading from memory")
        .into_dimensions()
        .expect("an image the image crate recognises")
}

/// The decoded colour at (`x`, `y`) of the stored pixels, no EXIF orientation applied: a test
/// of rotation compares it with what it uploaded.
pub fn pixel(bytes: &[u8], x: u32, y: u32) -> [u8; 3] {
    image::load_from_memory(bytes)
        .expect("a decodable image")
        .to_rgb8()
        .get_pixel(x, y)
        .0
}

/// Frames of a GIF, decoded.
pub fn gif_frames(bytes: &[u8]) -> usize {
    GifDecoder::new(Cursor::new(bytes))
        .expect("a GIF")
        .into_frames()
        .collect_frames()
        .expect("decodable frames")
        .len()
}

/// The same JPEG with every APP1 (EXIF and XMP) segment dropped, as a reference for what a
/// stripped upload looks like.
pub fn without_app1(bytes: &[u8]) -> Vec<u8> {
    let mut jpeg = Jpeg::from_bytes(Bytes::copy_from_slice(bytes)).expect("a JPEG");
    jpeg.remove_segments_by_marker(markers::APP1);
    jpeg.encoder().bytes().to_vec()
}

#[test]
fn the_exif_jpeg_carries_camera_gps_orientation_and_xmp() {
    let bytes = jpeg_with_exif(96, 64, 6);
    let fields = exif_fields(&bytes);
    for name in [
        "Make",
        "Model",
        "Orientation",
        "MakerNote",
        "GPSLatitude",
        "GPSLongitude",
    ] {
        assert!(
            fields.iter().any(|field| field == name),
            "no {name} in {fields:?}"
        );
    }
    assert_eq!(orientation(&bytes), Some(6));
    assert!(has_gps(&bytes));
    assert_eq!(dimensions(&bytes), (96, 64));
    let [r, _, b] = pixel(&bytes, 24, 48);
    assert!(r > 200 && b < 60, "left half is not red");
    let [r, _, b] = pixel(&bytes, 72, 32);
    assert!(r < 60 && b > 200, "right half is not blue");
    assert!(pixel(&bytes, 4, 4)[1] > 200, "top-left corner is not green");

    let stripped = without_app1(&bytes);
    assert!(exif_fields(&stripped).is_empty());
    assert!(!has_gps(&stripped));
    assert_eq!(orientation(&stripped), None);
}

#[test]
fn the_xmp_alone_counts_as_gps() {
    let bytes = jpeg_with_exif(32, 16, 1);
    let mut jpeg = Jpeg::from_bytes(Bytes::from(bytes)).expect("a JPEG");
    jpeg.set_exif(None);
    let xmp_only = jpeg.encoder().bytes().to_vec();
    assert!(exif_fields(&xmp_only).is_empty());
    assert!(has_gps(&xmp_only));
}

#[test]
fn the_png_bomb_is_huge_in_its_header_and_small_on_disk() {
    let bytes = png_bomb();
    assert!(bytes.len() < 100_000, "{} bytes", bytes.len());
    assert_eq!(dimensions(&bytes), (BOMB_SIDE, BOMB_SIDE));
}

#[test]
fn the_plain_generators_make_what_they_say() {
    assert_eq!(dimensions(&jpeg(40, 30)), (40, 30));
    assert_eq!(dimensions(&png(40, 30)), (40, 30));
    assert_eq!(dimensions(&webp(40, 30)), (40, 30));
    assert_eq!(dimensions(&gif_still(40, 30)), (40, 30));
    assert_eq!(gif_frames(&gif_still(40, 30)), 1);
    assert_eq!(gif_frames(&gif_animated(40, 30, 4)), 4);
    for bytes in [jpeg(40, 30), png(40, 30), webp(40, 30), gif_still(40, 30)] {
        assert!(
            exif_fields(&bytes).is_empty() && !has_gps(&bytes) && orientation(&bytes).is_none()
        );
    }
    for not_raster in [polyglot_html_png(), svg(), pdf()] {
        assert!(image::load_from_memory(&not_raster).is_err());
    }
    assert!(pdf().starts_with(b"%PDF-1.4"));
}
