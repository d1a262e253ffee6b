//! 数值 — exact decimal helpers: parsing decimal text, rounding once, and the Chinese display of
//! points, rates and counts used in explanations. No floats anywhere.

use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

pub use rust_decimal::Decimal as Dec;

/// Parses canonical decimal text such as `0.05` or `-1.5` (no exponent, no percent sign).
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if t.is_empty() || t.contains(['e', 'E', '_']) {
        return None;
    }
    Decimal::from_str(t).ok()
}

/// A number as a person types it into a form or a grid cell: canonical decimal text after full-width
/// digits (`０．０５`), the full-width point `．` and the ideographic `。` typed by a Chinese input
/// method, the minus signs `－` and `−`, the full-width plus `＋` and surrounding blanks (`　` too) are
/// read as their ASCII forms. No exponent, no thousands separator, no percent sign: `None` for
/// anything else. Every place that reads a typed number (scores, 扣分, 加分, metric values) uses it.
pub fn typed_decimal(text: &str) -> Option<Decimal> {
    let t: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' | '。' => '.',
            '－' | '−' => '-',
            '＋' => '+',
            c => c,
        })
        .collect();
    if t.starts_with(['+', '-']) && t[1..].starts_with(['+', '-']) {
        return None;
    }
    parse_decimal(t.strip_prefix('+').unwrap_or(&t))
}

/// Rounds once, half away from zero (四舍五入), to `dp` decimal places, and fixes the scale to `dp`
/// so that `0.046` prints as `0.0460` at precision 4.
pub fn round_points(value: Decimal, dp: u32) -> Decimal {
    if value.scale() <= dp {
        let mut r = value;
        r.rescale(dp);
        return r;
    }
    let mut r = value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(dp);
    r
}

/// A point value as a clerk writes it: trailing zeros dropped (`0.0460` → `0.046`), `−` for minus.
pub fn pts(value: Decimal) -> String {
    let s = value.normalize().to_string();
    match s.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None => s,
    }
}

/// A change of points as a clerk writes it: `+0.002`, `−0.6`, `0`.
pub fn signed(delta: Decimal) -> String {
    if delta.is_zero() {
        "0".into()
    } else if delta.is_sign_negative() {
        pts(delta)
    } else {
        format!("+{}", pts(delta))
    }
}

/// A rate (a fraction, 0.987) as a percentage with two decimals (`98.70%`); a value that two decimals
/// cannot show exactly gets up to four, and `约` when even four are not exact.
pub fn percent(rate: Decimal) -> String {
    let p = rate * Decimal::ONE_HUNDRED;
    let two = p.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if two == p {
        let mut two = two;
        two.rescale(2);
        return format!("{two}%");
    }
    let four = p.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
    if four == p {
        format!("{}%", four.normalize())
    } else {
        format!("约{}%", four.normalize())
    }
}

/// An exact quotient shown to a clerk: at most eight decimals, with `…` when it goes on.
pub fn quotient(value: Decimal) -> String {
    let eight = value.round_dp_with_strategy(8, RoundingStrategy::ToZero);
    if eight == value {
        pts(value)
    } else {
        format!("{}…", pts(eight))
    }
}

/// A whole count with thousands separators (`12,345`).
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        parse_decimal(s).unwrap()
    }

    #[test]
    fn rounds_half_away_from_zero_once() {
        assert_eq!(round_points(d("0.04736842"), 4).to_string(), "0.0474");
        assert_eq!(round_points(d("0.00005"), 4).to_string(), "0.0001");
        assert_eq!(round_points(d("0.046"), 4).to_string(), "0.0460");
        assert_eq!(round_points(d("0.00004999"), 4).to_string(), "0.0000");
    }

    #[test]
    fn displays_points_rates_counts() {
        assert_eq!(pts(d("0.0460")), "0.046");
        assert_eq!(pts(d("-0.010")), "−0.01");
        assert_eq!(percent(d("0.987")), "98.70%");
        assert_eq!(percent(d("1")), "100.00%");
        assert_eq!(percent(d("0.123456")), "12.3456%");
        assert_eq!(percent(d("1") / d("3")), "约33.3333%");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(quotient(d("0.05") * d("0.9") / d("0.95")), "0.04736842…");
    }

    #[test]
    fn typed_numbers_accept_full_width_digits_points_and_minus() {
        for (typed, value) in [
            ("０．０５", "0.05"),
            ("　０．０５　", "0.05"),
            ("0。05", "0.05"),
            ("－１．５", "-1.5"),
            ("−0.2", "-0.2"),
            ("＋3", "3"),
            ("3", "3"),
            (" 2.50 ", "2.50"),
        ] {
            assert_eq!(typed_decimal(typed), Some(d(value)), "{typed}");
        }
        for bad in [
            "",
            "　",
            "三",
            "0.0５分",
            "1e2",
            "１,０００",
            "5%",
            "--1",
            "+-1",
            "0..5",
        ] {
            assert_eq!(typed_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn parse_rejects_exponents_and_junk() {
        assert!(parse_decimal("1e3").is_none());
        assert!(parse_decimal("abc").is_none());
        assert!(parse_decimal("").is_none());
        assert_eq!(parse_decimal(" 0.05 "), Some(d("0.05")));
    }
}
