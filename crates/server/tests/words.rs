//! Words, times and rights as shown (issue 13, parts 6 and 7): every page every role can reach, found
//! by following the links each page shows, from 考核 through 公示 to 定档 and a 更正 — every link
//! answers 200 for the person it is shown to (no link to a 403), and no visible text holds an English
//! word, a UTC timestamp or a hash outside 校验信息.

use super::*;
use crate::snapshots::page_text;

/// Words of three or more ASCII letters a page may show: acronyms and names an office uses, and the
/// logins the test's accounts were given (data, not words of the interface).
const ALLOWED: &[&str] = &[
    "PDF",
    "Excel",
    "CSV",
    "XLSX",
    "TOML",
    "PowerPoint",
    "OFD",
    "CSRF",
    "WPS",
    "Word",
    "UTF",
    "GBK",
    "LED",
    "admin",
    "wangfang",
    "lina",
    "juegang",
    "matang",
    "leader",
];

/// What a page's visible text must not hold, one line per problem.
pub(crate) fn bad_words(path: &str, html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let shown = without_check_details(html);
    let text = page_text(&shown) + "\n" + &field_texts(&shown).join("\n");
    for w in ascii_words(&text) {
        if !ALLOWED.contains(&w.as_str()) {
            problems.push(format!("{path}: English word “{w}”"));
        }
    }
    let b = text.as_bytes();
    for i in 0..b.len() {
        // 2026-12-01T16:16 — a date, a T and a time, as ISO 8601 writes them.
        if b[i] == b'T'
            && i >= 10
            && b[i - 1].is_ascii_digit()
            && b[i - 3] == b'-'
            && b.get(i + 3) == Some(&b':')
            && b.get(i + 1).is_some_and(u8::is_ascii_digit)
        {
            problems.push(format!(
                "{path}: a UTC timestamp “{}”",
                &text[i - 10..(i + 9).min(text.len())]
            ));
        }
    }
    let mut run = 0;
    for (i, c) in text.char_indices() {
        run = if c.is_ascii_hexdigit() { run + 1 } else { 0 };
        if run == 64 {
            problems.push(format!(
                "{path}: a hash outside 校验信息 “{}”",
                &text[i + 1 - 64..=i]
            ));
        }
    }
    problems
}

/// The page without its `<details>` of 校验信息 (where codes and hashes are meant to be), its
/// hidden text boxes (a form's state, never shown) and the rubric's TOML box (the file itself).
fn without_check_details(html: &str) -> String {
    let mut s = html.to_string();
    for open in [
        "<textarea name=\"toml\" hidden>",
        "<textarea name=\"pasted\" hidden>",
        "<textarea name=\"typed\"",
    ] {
        while let Some(a) = s.find(open) {
            let end = s[a..].find("</textarea>").map_or(s.len(), |e| a + e + 11);
            s.replace_range(a..end, "");
        }
    }
    while let Some(a) = s.find("<details><summary>校验信息</summary>").or_else(|| {
        s.find("<summary>校验信息</summary>")
            .and_then(|k| s[..k].rfind("<details"))
    }) {
        let end = s[a..].find("</details>").map_or(s.len(), |e| a + e + 10);
        s.replace_range(a..end, "");
    }
    s
}

/// What a page's form fields show in their boxes: the `value` of every input a person reads (text,
/// number, date, search, a button's label; not hidden, password, file, checkbox or radio, whose
/// value is never shown) and every `placeholder`.
fn field_texts(html: &str) -> Vec<String> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = tag[at..].find('"')? + at;
        Some(tag[at..end].replace("&quot;", "\"").replace("&amp;", "&"))
    };
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(a) = rest.find('<') {
        let end = rest[a..].find('>').map_or(rest.len(), |e| a + e);
        let tag = &rest[a..end];
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or_else(|| "text".into());
            if !matches!(
                kind.as_str(),
                "hidden" | "password" | "file" | "checkbox" | "radio"
            ) && let Some(v) = attr(tag, "value")
            {
                out.push(v);
            }
        }
        if tag.starts_with("<input") || tag.starts_with("<textarea") {
            out.extend(attr(tag, "placeholder"));
        }
        rest = &rest[end.min(rest.len())..];
        if rest.is_empty() {
            break;
        }
        rest = &rest[1..];
    }
    out
}

/// The runs of three or more ASCII letters in `text`.
fn ascii_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut w = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphabetic() {
            w.push(c);
        } else {
            if w.len() >= 3 {
                out.push(std::mem::take(&mut w));
            }
            w.clear();
        }
    }
    out
}

/// The links a page shows (`href`), as paths of this service, resolved against `from`.
fn links(from: &str, html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in html.split("href=\"").skip(1) {
        let Some(href) = part.split('"').next() else {
            continue;
        };
        // As a browser reads the attribute: minijinja escapes `/` as `&#x2f;`.
        let href = href
            .replace("&#x2f;", "/")
            .replace("&#x27;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        let href = href.split('#').next().unwrap_or_default().to_string();
        if href.is_empty() || href.starts_with("http") || href.starts_with("/static/") {
            continue;
        }
        let path = if href.starts_with('/') {
            href
        } else {
            let dir = from.split('?').next().unwrap_or_default();
            let dir = &dir[..=dir.rfind('/').unwrap_or(0)];
            format!("{dir}{href}")
        };
        out.push(path);
    }
    out
}

/// Every page `who` reaches from the dashboard by the links shown: the problems of words and of
/// links that do not answer 200, and the paths reached.
async fn walk(a: &App, who: &Who, role: &str) -> (Vec<String>, std::collections::BTreeSet<String>) {
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = vec![("/".to_string(), "/".to_string())];
    let mut problems = Vec::new();
    while let Some((path, from)) = todo.pop() {
        if !seen.insert(path.clone()) || seen.len() > 400 {
            continue;
        }
        let (s, body, h) = a.raw(who, "GET", &path, &[], vec![]).await;
        if s != StatusCode::OK {
            problems.push(format!("{role}: the link to {path} on {from} answers {s}"));
            continue;
        }
        let kind = h
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if kind.starts_with("text/html") {
            let html = String::from_utf8(body).unwrap();
            if std::env::var("KAOHE_WORDS_DUMP").is_ok_and(|p| path.contains(&p)) {
                eprintln!("{}", page_text(&html));
            }
            problems.extend(bad_words(&format!("{role} {path}"), &html));
            for l in links(&path, &html) {
                if !seen.contains(&l) {
                    todo.push((l, path.clone()));
                }
            }
        } else if kind.contains("spreadsheetml") && !path.contains("rubric") {
            // (The rubric as a workbook is the rubric file a clerk edits, its keys included.)
            problems.extend(sheet_words(&format!("{role} {path}"), &body));
        } else if kind.starts_with("application/pdf") {
            problems.extend(pdf_words(&format!("{role} {path}"), &body));
        }
    }
    (problems, seen)
}

/// The texts of a workbook (its shared strings) checked as a page's.
fn sheet_words(path: &str, bytes: &[u8]) -> Vec<String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    if let Ok(mut f) = zip.by_name("xl/sharedStrings.xml") {
        f.read_to_string(&mut xml).unwrap();
    }
    let texts: Vec<&str> = xml
        .split("<t")
        .skip(1)
        .filter_map(|p| p.split_once('>').map(|(_, rest)| rest))
        .filter_map(|p| p.split("</t>").next())
        .collect();
    bad_words(path, &format!("<p>{}</p>", texts.join("</p><p>")))
}

/// The text of a PDF (考核反馈单, 结果表 …) read back by poppler's `pdftotext` and checked as a
/// page's, its 校验信息 (from that heading to the page's end) set apart as on a page — when
/// `KAOHE_PDF_TESTS` is set (as `.ci/run` does); otherwise nothing, and the walk says it skipped.
fn pdf_words(path: &str, bytes: &[u8]) -> Vec<String> {
    if std::env::var_os("KAOHE_PDF_TESTS").is_none() {
        return Vec::new();
    }
    let pages = kaohe_report::pdf::probe::pages(bytes).expect("pdftotext");
    if std::env::var("KAOHE_WORDS_DUMP").is_ok_and(|p| path.contains(&p)) {
        eprintln!("{}", pages.join("\n"));
    }
    let mut html = String::new();
    for page in pages {
        let (shown, check) = page.split_once("校验信息").unwrap_or((&page, ""));
        let esc = |t: &str| {
            t.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        };
        html.push_str(&format!("<p>{}</p>", esc(shown)));
        if !check.is_empty() {
            html.push_str(&format!(
                "<details><summary>校验信息</summary>{}</details>",
                esc(check)
            ));
        }
    }
    bad_words(&format!("{path} (PDF)"), &html)
}

pub(crate) async fn every_page_every_role_reaches_speaks_chinese_and_every_link_opens(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let roles = ["admin", "wangfang", "lina", "juegang", "matang", "leader"];
    let mut who = Vec::new();
    for r in roles {
        who.push((r, web_login(&a, r).await));
    }
    let admin = who[0].1.clone();
    let mut problems = Vec::new();
    let mut reached = std::collections::BTreeMap::new();
    for stage in ["review", "publication", "final"] {
        if stage != "review" {
            let (s, _, loc) = a
                .form(
                    &admin,
                    &format!("/a/{id}/advance"),
                    format!(
                        "csrf={}&to={stage}&why=%E5%AE%A1%E5%AE%9A&confirm=yes&go_on=yes&go_on_why=%E5%90%8C%E6%84%8F",
                        admin.csrf
                    ),
                )
                .await;
            assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
        }
        if stage == "final" {
            // 更正 on the page: the reason is required, and the new version says what it changed.
            let body = |why: &str| {
                format!(
                    "csrf={}&unit=320623100&clause=1.1.1&score=0.03&why={why}",
                    admin.csrf
                )
            };
            let (s, _, loc) = a.form(&admin, &format!("/a/{id}/correct"), body("")).await;
            assert_eq!(s, StatusCode::SEE_OTHER);
            let (_, html) = page(&a, &admin, &loc).await;
            assert!(html.contains("定档后的更正须写明理由"), "{html}");
            let (s, _, loc) = a
                .form(
                    &admin,
                    &format!("/a/{id}/correct"),
                    body("%E5%A4%8D%E6%A0%B8%E6%9B%B4%E6%AD%A3"),
                )
                .await;
            assert_eq!(s, StatusCode::SEE_OTHER);
            let (_, html) = page(&a, &admin, &loc).await;
            let text = page_text(&html);
            assert!(text.contains("已更正，结果已封存为第 2 版"), "{text}");
            assert!(
                text.contains("马塘镇 · 条款 1.1.1：0.0400 → 0.0300"),
                "{text}"
            );
            assert!(text.contains("复核更正"), "{text}");
        }
        for (role, w) in &who {
            let (p, seen) = walk(&a, w, &format!("{stage} {role}")).await;
            problems.extend(p);
            reached.insert((stage, *role), seen);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let pdfs = reached
        .values()
        .flatten()
        .filter(|p| p.ends_with(".pdf"))
        .count();
    assert!(pdfs > 0, "no PDF reached");
    if std::env::var_os("KAOHE_PDF_TESTS").is_none() {
        kaohe_store::testdb::skipped(
            "poppler's pdftotext",
            &format!("the words of {pdfs} PDF downloads are checked when KAOHE_PDF_TESTS=1"),
        );
    }
    // What each role reached is what its rights say (the walk found them by links alone).
    let has = |stage, role, path: String| reached[&(stage, role)].contains(&path);
    let unit_b = format!("/a/{id}/u/320623100");
    // 三员分立: the audit log is the 审计管理员's alone; no business page links to it.
    assert!(!has("review", "admin", "/audit".into()));
    assert!(has("review", "admin", format!("/a/{id}/setup")));
    assert!(!has("review", "leader", unit_b.clone()));
    assert!(!has("review", "leader", format!("/a/{id}/export.xlsx")));
    assert!(has("publication", "leader", unit_b.clone()));
    assert!(has(
        "publication",
        "leader",
        format!("{unit_b}/feedback.pdf")
    ));
    assert!(has("publication", "leader", format!("/a/{id}/export.xlsx")));
    assert!(has("publication", "matang", unit_b.clone()));
    assert!(!has(
        "publication",
        "matang",
        format!("/a/{id}/export.xlsx")
    ));
    assert!(!has("final", "juegang", unit_b.clone()));
    assert!(!has("final", "leader", "/audit".into()));
}

#[test]
fn the_checks_find_what_they_look_for() {
    let html = format!(
        "<p>登录 session.login 2026-12-01T16:16:00Z {}</p><details><summary>校验信息</summary>{}</details>",
        "a".repeat(64),
        "b".repeat(64)
    );
    let p = bad_words("/x", &html);
    assert_eq!(p.len(), 5, "{p:?}");
    assert!(bad_words("/x", "<p>导出 Excel、PDF</p>").is_empty());
    // What a form's boxes show counts; what they keep hidden does not.
    let form = r#"<input name="p.parts" value="online_volume:higher:1"><input type="hidden" name="csrf" value="abcdef"><input type="submit" value="Save"><textarea placeholder="paste here"></textarea><input type="password" value="secret">"#;
    assert_eq!(
        bad_words("/x", form),
        [
            "/x: English word “online”",
            "/x: English word “volume”",
            "/x: English word “higher”",
            "/x: English word “Save”",
            "/x: English word “paste”",
            "/x: English word “here”",
        ]
    );
    assert_eq!(
        links(
            "/a/1/rubric",
            r#"<a href="rubric.toml">T</a><a href="/a/1/u/2#c-1">u</a>"#
        ),
        vec!["/a/1/rubric.toml", "/a/1/u/2"]
    );
}
