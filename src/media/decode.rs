//! Bytes to a picture the size of a card: any of PNG, JPEG, WebP or GIF (its first frame),
//! refused past 12,000 pixels a side or 256 MB decoded (a small file can unpack to a huge
//! image), then scaled down to fit `max_side` and converted to RGBA.

use std::io::Cursor;

use super::PictureFailure;

/// A decoded picture: `rgba` is `width × height × 4` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

const MAX_SIDE_DECODED: u32 = 12_000;
const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;

pub fn decode(bytes: &[u8], max_side: u32) -> Result<Pixels, PictureFailure> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PictureFailure::Corrupt(e.to_string()))?;
    if reader.format().is_none() {
        return Err(PictureFailure::NotAPicture("unknown format".into()));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE_DECODED);
    limits.max_image_height = Some(MAX_SIDE_DECODED);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let picture = reader
        .decode()
        .map_err(|e| PictureFailure::Corrupt(e.to_string()))?;
    let max_side = max_side.max(1);
    let picture = if picture.width() > max_side || picture.height() > max_side {
        picture.thumbnail(max_side, max_side)
    } else {
        picture
    };
    let rgba = picture.to_rgba8();
    Ok(Pixels {
        width: rgba.width(),
        height: rgba.height(),
        rgba: rgba.into_raw(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbaImage::from_pixel(width, height, image::Rgba([200, 40, 40, 255]));
        let mut out = Cursor::new(Vec::new());
        picture
            .write_to(&mut out, image::ImageFormat::Png)
            .expect("encoded");
        out.into_inner()
    }

    #[test]
    fn a_picture_is_scaled_to_fit_and_nonsense_is_refused() {
        let pixels = decode(&png(1200, 600), 320).expect("decoded");
        assert_eq!((pixels.width, pixels.height), (320, 160));
        assert_eq!(pixels.rgba.len(), 320 * 160 * 4);
        let small = decode(&png(40, 30), 320).expect("decoded");
        assert_eq!((small.width, small.height), (40, 30), "never scaled up");
        assert!(matches!(
            decode(b"<html>gone</html>", 320),
            Err(PictureFailure::NotAPicture(_))
        ));
        let mut cut = png(300, 300);
        cut.truncate(cut.len() / 2);
        assert!(matches!(decode(&cut, 320), Err(PictureFailure::Corrupt(_))));
    }

    #[test]
    fn a_small_file_that_unpacks_to_a_huge_picture_is_refused() {
        // 13,000 pixels wide, a few kilobytes compressed.
        let wide = png(13_000, 2);
        assert!(wide.len() < 100_000);
        assert!(matches!(
            decode(&wide, 320),
            Err(PictureFailure::Corrupt(_))
        ));
    }
}
