//! 不用脚本的文件表单 — a unit page's forms that carry files, posted as `multipart/form-data` when
//! the page's script does not run: the body (already read, within its limit) split into its fields
//! and files, and given back as the url-encoded form the script would have sent (a file as
//! `{name}_data` in base64url and `{name}_name`), so that one handler serves both.

/// The boundary of a `multipart/form-data` content type; `None` for any other type.
pub(super) fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        let v = v.trim().trim_matches('"');
        (k.trim().eq_ignore_ascii_case("boundary") && !v.is_empty()).then(|| v.to_string())
    })
}

/// One part of the body: its field name, the file's name when it is a file, its bytes.
#[derive(Debug, PartialEq, Eq)]
struct Part {
    name: String,
    file_name: Option<String>,
    data: Vec<u8>,
}

const BROKEN: &str = "表单内容不完整（文件可能未传完），请重新选择文件后提交";

/// The parts of a `multipart/form-data` body, or why it cannot be read (in Chinese).
fn parts(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let delimiter = format!("--{boundary}").into_bytes();
    let next_delimiter = format!("\r\n--{boundary}").into_bytes();
    let mut at = find(body, &delimiter, 0).ok_or(BROKEN)? + delimiter.len();
    let mut out = Vec::new();
    loop {
        if body[at..].starts_with(b"--") {
            return Ok(out);
        }
        if !body[at..].starts_with(b"\r\n") {
            return Err(BROKEN.into());
        }
        at += 2;
        let head_end = find(body, b"\r\n\r\n", at).ok_or(BROKEN)?;
        let head = std::str::from_utf8(&body[at..head_end]).map_err(|_| BROKEN.to_string())?;
        let data_start = head_end + 4;
        let data_end = find(body, &next_delimiter, data_start).ok_or(BROKEN)?;
        let (name, file_name) = disposition(head).ok_or(BROKEN)?;
        out.push(Part {
            name,
            file_name,
            data: body[data_start..data_end].to_vec(),
        });
        at = data_end + next_delimiter.len();
    }
}

/// The field name and file name of a part's `Content-Disposition: form-data; name="…"; filename="…"`
/// (browsers send the file name as UTF-8 with `"` as `%22`; `filename*=UTF-8''…` is read too).
fn disposition(head: &str) -> Option<(String, Option<String>)> {
    let line = head.lines().find(|l| {
        l.split(':')
            .next()
            .is_some_and(|k| k.trim().eq_ignore_ascii_case("content-disposition"))
    })?;
    let (_, value) = line.split_once(':')?;
    let (mut name, mut file_name) = (None, None);
    for p in quoted_params(value) {
        match p.0.to_ascii_lowercase().as_str() {
            "name" => name = Some(p.1.replace("%22", "\"")),
            "filename" if file_name.is_none() => file_name = Some(p.1.replace("%22", "\"")),
            "filename*" => {
                let v = p.1.split_once("''").map_or(p.1.as_str(), |(_, v)| v);
                file_name = Some(crate::api::percent_decode(v));
            }
            _ => {}
        }
    }
    Some((name?, file_name))
}

/// `key=value` and `key="value"` pairs after the first `;` (a `;` inside quotes is part of the value).
fn quoted_params(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = value.split_once(';').map_or("", |(_, r)| r);
    while let Some((key, after)) = rest.split_once('=') {
        let key = key.trim().trim_start_matches(';').trim().to_string();
        let after = after.trim_start();
        let (v, tail) = match after.strip_prefix('"') {
            Some(q) => match q.find('"') {
                Some(end) => (q[..end].to_string(), &q[end + 1..]),
                None => (q.to_string(), ""),
            },
            None => match after.find(';') {
                Some(end) => (after[..end].trim().to_string(), &after[end..]),
                None => (after.trim().to_string(), ""),
            },
        };
        out.push((key, v));
        rest = tail.trim_start().trim_start_matches(';');
    }
    out
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() || needle.is_empty() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// The body as the url-encoded form the page's script sends: text fields as they are, each chosen
/// file as `{name}_data` (base64url) and `{name}_name`; an empty file input (nothing chosen) is no
/// file. A field given twice keeps its last value that is not empty (the script's hidden fields
/// stay empty without the script).
pub(super) fn as_url_encoded(body: &[u8], boundary: &str) -> Result<String, String> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut put = |k: String, v: String| match fields.iter_mut().find(|(key, _)| *key == k) {
        Some(f) if !v.is_empty() || f.1.is_empty() => f.1 = v,
        Some(_) => {}
        None => fields.push((k, v)),
    };
    for p in parts(body, boundary)? {
        match p.file_name {
            Some(file) if !file.is_empty() || !p.data.is_empty() => {
                put(format!("{}_data", p.name), base64url(&p.data));
                put(format!("{}_name", p.name), file);
            }
            Some(_) => {}
            None => {
                let text = String::from_utf8(p.data)
                    .map_err(|_| format!("表单字段“{}”不是 UTF-8 文本", p.name))?;
                put(p.name, text);
            }
        }
    }
    serde_urlencoded::to_string(&fields).map_err(|_| BROKEN.to_string())
}

/// Base64url without padding (what the page's script sends, and `decode_base64` reads).
fn base64url(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..=c.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nt0k\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file_data\"\r\n\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"reason\"\r\n\r\n面积达标；附测绘报告\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"测绘 %22报告%22.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--x\r\n--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--XyZ--\r\n";

    #[test]
    fn a_multipart_form_reads_as_the_scripts_url_encoded_form() {
        assert_eq!(
            boundary("multipart/form-data; boundary=XyZ").as_deref(),
            Some("XyZ")
        );
        assert_eq!(
            boundary("Multipart/Form-Data; boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        let form = as_url_encoded(BODY.as_bytes(), "XyZ").unwrap();
        let f: std::collections::HashMap<String, String> =
            serde_urlencoded::from_str(&form).unwrap();
        assert_eq!(f["csrf"], "t0k");
        assert_eq!(f["reason"], "面积达标；附测绘报告");
        assert_eq!(f["file_name"], "测绘 \"报告\".pdf");
        // The file's bytes, a line break that is not the boundary's included.
        assert_eq!(
            kaohe_app::wizard::decode_base64(&f["file_data"]).unwrap(),
            b"%PDF\r\n--x"
        );
        // No photo chosen: no photo.
        assert!(!f.contains_key("photo_data") && !f.contains_key("photo_name"));
    }

    #[test]
    fn a_cut_body_is_refused_in_chinese() {
        let cut = &BODY.as_bytes()[..BODY.len() / 2];
        assert_eq!(as_url_encoded(cut, "XyZ").unwrap_err(), BROKEN);
        assert_eq!(as_url_encoded(b"", "XyZ").unwrap_err(), BROKEN);
        let bytes = b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n\xff\r\n--b--";
        assert_eq!(
            as_url_encoded(bytes, "b").unwrap_err(),
            "表单字段“x”不是 UTF-8 文本"
        );
    }
}
