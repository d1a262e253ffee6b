//! Cell text as people type it: surrounding spaces (also the ideographic space), full-width digits
//! and signs (０．９８７％), thousands separators. Numbers become exact decimals.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Trims text (names, reasons): surrounding spaces, also the ideographic and no-break space. The
/// text itself is kept as typed (a name's full-width brackets stay full-width).
pub fn clean(raw: &str) -> String {
    raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{00A0}')
        .to_string()
}

/// For codes, numbers and headers: trims and folds full-width ASCII (！ to ～) and the ideographic space to half-width.
pub fn normalize(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' | '\u{00A0}' => ' ',
            '。' => '.',
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A plain decimal: `0.05`, `-1`, `1,234.5` (thousands groups of three). No exponent.
pub fn decimal(raw: &str) -> Option<Decimal> {
    let s = normalize(raw);
    if s.is_empty() || s.contains(['e', 'E']) {
        return None;
    }
    let s = if s.contains(',') {
        let (int, frac) = s
            .split_once('.')
            .map_or((s.as_str(), None), |(a, b)| (a, Some(b)));
        let int_digits = int.trim_start_matches(['-', '+']);
        let groups: Vec<&str> = int_digits.split(',').collect();
        let ok = !groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return None;
        }
        let mut t = int.replace(',', "");
        if let Some(f) = frac {
            t.push('.');
            t.push_str(f);
        }
        t
    } else {
        s
    };
    let s = s.strip_prefix('+').unwrap_or(&s);
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return None;
    }
    Decimal::from_str(s)
        .ok()
        .filter(|d| d.abs() <= Decimal::from(crate::limits::MAX_CELL_NUMBER))
}

/// A whole number ≥ 0.
pub fn whole(raw: &str) -> Option<u64> {
    // Plain digits, as nearly every export writes them: no decimal needed.
    let b = raw.as_bytes();
    if (1..=15).contains(&b.len()) && b.iter().all(u8::is_ascii_digit) {
        return Some(b.iter().fold(0, |a, &c| a * 10 + u64::from(c - b'0')));
    }
    let d = decimal(raw)?;
    if d < Decimal::ZERO || !d.fract().is_zero() {
        return None;
    }
    d.trunc().try_into().ok()
}

/// How a rate was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateForm {
    /// `98.7%`
    Percent,
    /// `0.987` or `98.7`
    Bare,
}

/// A number that may carry a percent sign: `98.7%` → (98.7, Percent), `0.987` → (0.987, Bare).
pub fn maybe_percent(raw: &str) -> Option<(Decimal, RateForm)> {
    let s = normalize(raw);
    match s.strip_suffix('%') {
        Some(n) => decimal(n).map(|d| (d, RateForm::Percent)),
        None => decimal(&s).map(|d| (d, RateForm::Bare)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn tolerant_numbers() {
        assert_eq!(decimal(" 0.05 "), Some(d("0.05")));
        assert_eq!(decimal("０．９８７"), Some(d("0.987")));
        assert_eq!(decimal("\u{3000}12\u{3000}"), Some(d("12")));
        assert_eq!(decimal("1,234"), Some(d("1234")));
        assert_eq!(decimal("1,234,567.5"), Some(d("1234567.5")));
        assert_eq!(decimal("+3"), Some(d("3")));
        assert_eq!(decimal("1,23"), None);
        assert_eq!(decimal("0.0.5"), None);
        assert_eq!(decimal("1e3"), None);
        assert_eq!(decimal("零点五"), None);
        assert_eq!(decimal(""), None);
        assert_eq!(decimal("0x10"), None);
        // Past Excel's 15 digits: no number a table holds (found by the fuzz suite: such a score
        // or bonus overflowed the engine's sums, a panic).
        assert_eq!(decimal("999999999999999"), Some(d("999999999999999")));
        assert_eq!(decimal("-999999999999999"), Some(d("-999999999999999")));
        assert_eq!(decimal("1000000000000000"), None);
        assert_eq!(decimal("79228162514264337593543950335"), None);
    }

    #[test]
    fn wholes_and_percents() {
        assert_eq!(whole("26"), Some(26));
        assert_eq!(whole("2.5"), None);
        assert_eq!(whole("-1"), None);
        assert_eq!(maybe_percent("98.7%"), Some((d("98.7"), RateForm::Percent)));
        assert_eq!(
            maybe_percent("９８．７％"),
            Some((d("98.7"), RateForm::Percent))
        );
        assert_eq!(maybe_percent("0.987"), Some((d("0.987"), RateForm::Bare)));
    }
}
