//! Text read from files, and text written where a spreadsheet will open it.

/// `s` without leading and trailing whitespace, as [`str::trim`] (Unicode whitespace such as the
/// ideographic space U+3000 included), but returning at once when both ends are visible ASCII —
/// as almost every cell of a platform export is.
#[inline]
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&z)) if (b'!'..0x80).contains(&a) && (b'!'..0x80).contains(&z) => s,
        (None, _) => s,
        _ => s.trim(),
    }
}

/// True when a spreadsheet could run the text as a formula (it starts with `=`, `+`, `-`, `@`, a tab
/// or a carriage return) — the one test behind every export's guard against formula injection.
pub fn formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A CSV cell that no spreadsheet runs as a formula: formula-like text gets Excel's quote prefix.
pub fn csv_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if formula_like(s) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::trim;

    #[test]
    fn trims_as_str_trim_does() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta b\r",
            "\u{3000}掘港镇\u{3000}",
            "掘港",
            "x\u{a0}",
            "~",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }
}
