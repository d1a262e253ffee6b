//! Rights as shown, in a real browser (issue 13 parts 6 and 7), at 1366×768 and at 390×844: signed in
//! as the leader (领导) and as a reporter, every link and download on every page the person reaches
//! from the dashboard — the assessment page in 考核, 公示 and 定档, the unit pages it links, their
//! feedback sheets and PDFs, the exports — is followed, and none answers 403 or a page saying 无权
//! (no export link that answers 无权导出). Each page reached fits the window (no sideways scroll), and
//! the header names the role as the office says it.

use super::{advance, assert_no_sideways, demo, enabled};
use kaohe_browser::{Browser, Window};
use serde_json::{Value, json};

/// Every same-origin link reachable from the current page, followed breadth-first by the page's own
/// `fetch` (with its session): each URL with its status, type and whether an HTML answer says 无权.
/// HTML answers are searched for more links; at most `limit` URLs.
fn crawl(b: &Browser, limit: usize) -> Vec<Value> {
    b.command("POST", "/timeouts", Some(json!({ "script": 300_000 })));
    let v = b.execute(&format!(
        "var seen = new Set(), queue = [], out = [];
         function add(doc, base) {{
           doc.querySelectorAll('a[href]').forEach(function (a) {{
             var u = new URL(a.getAttribute('href'), base);
             if (u.origin !== location.origin || u.protocol === 'blob:') return;
             u.hash = '';
             var k = u.pathname + u.search;
             if (!seen.has(k)) {{ seen.add(k); queue.push({{ url: k, from: new URL(base).pathname + new URL(base).search, text: a.textContent.trim() }}); }}
           }});
         }}
         add(document, location.href);
         return (async function () {{
           while (queue.length && out.length < {limit}) {{
             var q = queue.shift();
             var r = await fetch(q.url, {{ credentials: 'same-origin' }});
             var type = r.headers.get('content-type') || '';
             var row = {{ url: q.url, from: q.from, text: q.text, status: r.status, type: type, refused: false, final: new URL(r.url).pathname }};
             if (type.startsWith('text/html')) {{
               var html = await r.text();
               var doc = new DOMParser().parseFromString(html, 'text/html');
               var body = doc.body ? doc.body.textContent : '';
               row.refused = /无权/.test(body);
               row.title = doc.title;
               add(doc, location.origin + q.url);
             }} else {{ await r.arrayBuffer(); }}
             out.push(row);
           }}
           return {{ rows: out, left: queue.length }};
         }})();"
    ));
    assert_eq!(v["left"], 0, "more than {limit} links: {v}");
    v["rows"].as_array().unwrap().clone()
}

/// Asserts that no row of `rows` was refused, and returns the HTML pages among them.
fn none_refused(who: &str, rows: &[Value]) -> Vec<String> {
    let bad: Vec<&Value> = rows
        .iter()
        .filter(|r| r["status"] != 200 || r["refused"] == true || r["final"] == "/login")
        .collect();
    assert!(
        bad.is_empty(),
        "{who}: links shown that do not open:\n{}",
        bad.iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    rows.iter()
        .filter(|r| {
            r["type"]
                .as_str()
                .unwrap_or_default()
                .starts_with("text/html")
        })
        .map(|r| r["url"].as_str().unwrap().to_string())
        .collect()
}

/// The URLs of `rows` (for what was reached).
fn urls(rows: &[Value]) -> Vec<&str> {
    rows.iter().map(|r| r["url"].as_str().unwrap()).collect()
}

/// Signs in as `login`, checks the header's role, crawls from the dashboard, and checks that each
/// HTML page reached fits the window. Returns the rows.
fn walk(
    d: &kaohe_browser::Demo,
    b: &Browser,
    login: &str,
    password: &str,
    role: &str,
) -> Vec<Value> {
    b.login(&d.base, login, password);
    b.goto(&d.url("/"));
    b.wait_for("退出");
    let who = b.execute("return document.querySelector('header .who').textContent;");
    assert!(
        who.as_str().unwrap().contains(&format!("（{role}）")),
        "{login}: the header says {who}"
    );
    assert_no_sideways(b);
    let rows = crawl(b, 150);
    let pages = none_refused(login, &rows);
    for p in pages.iter().filter(|p| !p.starts_with("/api/")) {
        b.goto(&d.url(p));
        assert_no_sideways(b);
    }
    b.goto(&d.url("/"));
    b.logout();
    rows
}

#[test]
fn the_leader_and_a_reporter_see_only_links_they_may_follow() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::DESKTOP);
    for (stage, next) in [
        ("考核", None),
        ("公示", Some("publication")),
        ("定档", Some("final")),
    ] {
        if let Some(to) = next {
            advance(&d, 1, to);
        }
        for window in [Window::DESKTOP, Window::PHONE] {
            b.set_window(window);
            let leader = walk(&d, &b, "leader", "kaohe-viewer-2021", "领导");
            let seen = urls(&leader);
            assert!(seen.contains(&"/a/1"), "{stage}: {seen:?}");
            match next {
                // Before 公示 the leader reaches the assessment page, no unit page and no export.
                None => assert!(
                    !seen
                        .iter()
                        .any(|u| u.contains("/u/") || u.contains("export")),
                    "{stage}: {seen:?}"
                ),
                // After: the league table, its exports and the unit pages it links.
                Some(_) => assert!(
                    seen.contains(&"/a/1/export.xlsx")
                        && seen.iter().any(|u| u.starts_with("/a/1/u/")),
                    "{stage}: {seen:?}"
                ),
            }
            let reporter = walk(&d, &b, "juegang", "kaohe-reporter-2021", "单位填报员");
            let seen = urls(&reporter);
            assert!(seen.contains(&"/a/1/u/320623001"), "{stage}: {seen:?}");
            assert!(
                !seen.iter().any(|u| u.contains("/u/320623100")),
                "{stage}: another unit's page linked: {seen:?}"
            );
        }
    }
}
