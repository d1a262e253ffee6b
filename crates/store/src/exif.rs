//! 拍摄时间 — a JPEG photo's own EXIF `DateTimeOriginal`, read without a dependency: the APP1 `Exif`
//! segment, its TIFF header (either byte order), IFD0's pointer to the Exif IFD, tag 0x9003. Every
//! offset is bounds-checked and only the first APP segments are looked at, so a hostile file costs a
//! few hundred comparisons and yields `None`, never a panic.

/// The camera's `DateTimeOriginal` as `YYYY-MM-DD HH:MM:SS` (the camera's local time, as written),
/// or `None` when the file is not a JPEG, has no EXIF, or the value is not a plain date and time.
pub fn taken_at(jpeg: &[u8]) -> Option<String> {
    let tiff = exif_segment(jpeg)?;
    let le = match tiff.get(..4)? {
        [b'I', b'I', 42, 0] => true,
        [b'M', b'M', 0, 42] => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<usize> {
        let b = tiff.get(at..at + 2)?;
        Some(usize::from(if le {
            u16::from_le_bytes([b[0], b[1]])
        } else {
            u16::from_be_bytes([b[0], b[1]])
        }))
    };
    let u32_at = |at: usize| -> Option<usize> {
        let b: [u8; 4] = tiff.get(at..at + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        } as usize)
    };
    // The entry of `tag` in the IFD at `ifd`: (type, count, value-or-offset position).
    let entry = |ifd: usize, tag: usize| -> Option<(usize, usize, usize)> {
        let n = u16_at(ifd)?.min(512);
        (0..n).find_map(|i| {
            let e = ifd + 2 + 12 * i;
            (u16_at(e)? == tag).then_some(())?;
            Some((u16_at(e + 2)?, u32_at(e + 4)?, e + 8))
        })
    };
    let ifd0 = u32_at(4)?;
    let (_, _, at) = entry(ifd0, 0x8769)?;
    let exif_ifd = u32_at(at)?;
    let (ty, count, at) = entry(exif_ifd, 0x9003)?;
    if ty != 2 || count < 19 {
        return None;
    }
    let text = tiff.get(u32_at(at)?..)?.get(..19)?;
    let text = std::str::from_utf8(text).ok()?;
    let ok = text.bytes().enumerate().all(|(i, c)| match i {
        4 | 7 => c == b':',
        10 => c == b' ',
        13 | 16 => c == b':',
        _ => c.is_ascii_digit(),
    });
    if !ok || text.starts_with("0000") {
        return None;
    }
    Some(format!(
        "{}-{}-{} {}",
        &text[..4],
        &text[5..7],
        &text[8..10],
        &text[11..]
    ))
}

/// The TIFF data of a JPEG's APP1 `Exif\0\0` segment, among its first 16 segments.
fn exif_segment(b: &[u8]) -> Option<&[u8]> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    for _ in 0..16 {
        let (marker, len) = (*b.get(at + 1)?, b.get(at + 2..at + 4)?);
        if *b.get(at)? != 0xFF || marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        let body = b.get(at + 4..(at + 2 + len).max(at + 4))?;
        if marker == 0xE1
            && let Some(tiff) = body.strip_prefix(b"Exif\0\0")
        {
            return Some(tiff);
        }
        at += 2 + len;
    }
    None
}

/// A minimal JPEG with an EXIF `DateTimeOriginal` of `when` (`YYYY:MM:DD HH:MM:SS`), big-endian or
/// little-endian — for tests (this crate's and the server's).
pub fn sample_jpeg(when: &str, little_endian: bool) -> Vec<u8> {
    let w16 = |v: u16| {
        if little_endian {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    };
    let w32 = |v: u32| {
        if little_endian {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    };
    let mut t = Vec::new();
    t.extend_from_slice(if little_endian { b"II" } else { b"MM" });
    t.extend_from_slice(&w16(42));
    t.extend_from_slice(&w32(8));
    // IFD0 at 8: one entry, ExifIFD pointer → 26.
    t.extend_from_slice(&w16(1));
    t.extend_from_slice(&w16(0x8769));
    t.extend_from_slice(&w16(4));
    t.extend_from_slice(&w32(1));
    t.extend_from_slice(&w32(26));
    t.extend_from_slice(&w32(0));
    // Exif IFD at 26: DateTimeOriginal, ASCII, 20 bytes at 44.
    t.extend_from_slice(&w16(1));
    t.extend_from_slice(&w16(0x9003));
    t.extend_from_slice(&w16(2));
    t.extend_from_slice(&w32(20));
    t.extend_from_slice(&w32(44));
    t.extend_from_slice(&w32(0));
    t.extend_from_slice(when.as_bytes());
    t.push(0);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&t);
    let mut j = vec![0xFF, 0xD8, 0xFF, 0xE1];
    j.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    j.extend_from_slice(&app1);
    // A tiny baseline image: SOF0 1×1, one component; DHT; SOS; one byte of data; EOI.
    j.extend_from_slice(&[
        0xFF, 0xC0, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11, 0, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0x00,
        0xFF, 0xD9,
    ]);
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_date_time_original_in_both_byte_orders() {
        for le in [true, false] {
            let j = sample_jpeg("2024:05:08 10:21:33", le);
            assert_eq!(taken_at(&j).as_deref(), Some("2024-05-08 10:21:33"));
        }
    }

    #[test]
    fn nothing_from_files_without_it_or_broken_ones() {
        assert_eq!(taken_at(b"%PDF-1.4"), None);
        assert_eq!(taken_at(&[0xFF, 0xD8, 0xFF, 0xD9]), None);
        assert_eq!(taken_at(&sample_jpeg("0000:00:00 00:00:00", true)), None);
        assert_eq!(taken_at(&sample_jpeg("2024-05-08 10:21:33", true)), None);
        let j = sample_jpeg("2024:05:08 10:21:33", true);
        // Every truncation is read without panicking.
        for n in 0..j.len() {
            let _ = taken_at(&j[..n]);
        }
    }
}
