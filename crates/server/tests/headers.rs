//! Security headers on every route family, Secure cookies and HSTS behind HTTPS, and the OpenAPI
//! document kept in step with the routers (issue 9, point 3 and 10).

use super::service::{login_from, send, with_settings};
use super::{Who, app};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use kaohe_server::Settings;
use kaohe_store::testdb::Db;
use serde_json::json;

kaohe_store::on_both!(
    every_route_family_has_the_security_headers,
    the_cookie_is_secure_and_hsts_sent_only_behind_https,
);

fn assert_security_headers(what: &str, h: &axum::http::HeaderMap, cached: bool) {
    let get = |k: &str| h.get(k).map(|v| v.to_str().unwrap().to_string());
    let csp = get("content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(part), "{what}: {csp}");
    }
    assert!(
        !csp.contains("script-src 'self' 'unsafe-inline'"),
        "{what}: {csp}"
    );
    assert_eq!(get("x-frame-options").as_deref(), Some("DENY"), "{what}");
    assert_eq!(
        get("referrer-policy").as_deref(),
        Some("no-referrer"),
        "{what}"
    );
    assert_eq!(
        get("x-content-type-options").as_deref(),
        Some("nosniff"),
        "{what}"
    );
    let cache = get("cache-control").unwrap_or_default();
    if cached {
        assert!(cache.starts_with("public"), "{what}: {cache}");
    } else {
        assert_eq!(cache, "no-store", "{what}");
    }
}

/// No page sent a CSP, frame-ancestors/X-Frame-Options, Referrer-Policy, nosniff or no-store. Now
/// every route family does — pages, API answers, errors, downloads, the static script — and no page
/// has an inline script or event handler that the policy would block.
async fn every_route_family_has_the_security_headers(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let id = a.id;
    let anon = Who::default();
    let cases: Vec<(&str, &Who, String, StatusCode, bool)> = vec![
        ("login page", &anon, "/login".into(), StatusCode::OK, false),
        ("dashboard", &admin, "/".into(), StatusCode::OK, false),
        (
            "assessment page",
            &admin,
            format!("/a/{id}"),
            StatusCode::OK,
            false,
        ),
        (
            "unit page",
            &admin,
            format!("/a/{id}/u/320623001"),
            StatusCode::OK,
            false,
        ),
        (
            "grid",
            &admin,
            format!("/a/{id}/grid"),
            StatusCode::OK,
            false,
        ),
        (
            "import page",
            &admin,
            format!("/a/{id}/import"),
            StatusCode::OK,
            false,
        ),
        (
            "what-if page",
            &admin,
            format!("/a/{id}/whatif"),
            StatusCode::OK,
            false,
        ),
        (
            "redirect to sign-in",
            &anon,
            "/".into(),
            StatusCode::SEE_OTHER,
            false,
        ),
        (
            "API answer",
            &admin,
            "/api/me".into(),
            StatusCode::OK,
            false,
        ),
        (
            "API error",
            &anon,
            "/api/me".into(),
            StatusCode::UNAUTHORIZED,
            false,
        ),
        (
            "OpenAPI",
            &anon,
            "/api/openapi.json".into(),
            StatusCode::OK,
            false,
        ),
        (
            "not found",
            &anon,
            "/no/such/page".into(),
            StatusCode::NOT_FOUND,
            false,
        ),
        (
            "static script",
            &anon,
            "/static/kaohe.js".into(),
            StatusCode::OK,
            true,
        ),
    ];
    for (what, who, path, status, cached) in cases {
        let (s, body, h) = a.raw(who, "GET", &path, &[], Vec::new()).await;
        assert_eq!(s, status, "{what} {path}");
        assert_security_headers(what, &h, cached);
        let text = String::from_utf8_lossy(&body);
        if h.get(header::CONTENT_TYPE)
            .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"))
        {
            assert!(!text.contains("<script>"), "{what}: inline script");
            for attr in [
                " onclick=",
                " onload=",
                " onchange=",
                " onerror=",
                "javascript:",
            ] {
                assert!(!text.contains(attr), "{what}: {attr}");
            }
        }
    }
    let (_, _, h) = a
        .call(
            &admin,
            "POST",
            "/api/login",
            Some(json!({ "login": "admin" })),
            false,
        )
        .await;
    assert_security_headers("refused JSON", &h, false);
    let (_, _, h) = a
        .call(
            &Who::default(),
            "POST",
            "/api/login",
            Some(json!({ "login": "admin", "password": "x" })),
            false,
        )
        .await;
    assert_security_headers("wrong password", &h, false);
    let (_, _, h) = a
        .raw(
            &admin,
            "PUT",
            &format!("/api/assessments/{id}/units/320623001/clauses/1.1.1/evidence"),
            &[],
            b"%PDF-1.4 x".to_vec(),
        )
        .await;
    assert_security_headers("evidence upload", &h, false);
    // The script the pages load is the app's, and it holds what the pages used inline.
    let (_, js, h) = a
        .raw(&anon, "GET", "/static/kaohe.js", &[], Vec::new())
        .await;
    assert!(
        h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let js = String::from_utf8(js).unwrap();
    for part in [
        "table.sortable",
        "'/scores/'",
        "imports/",
        "draft-file",
        "window.print()",
        "kaoheCsrf",
    ] {
        assert!(js.contains(part), "{part}");
    }
    assert!(
        !js.contains("{{"),
        "a template expression left in the script"
    );
}

/// The session cookie had no `Secure` option for a deployment behind HTTPS. With the setting it has,
/// and every response carries HSTS; without it neither (a plain-HTTP intranet would lose its sessions).
async fn the_cookie_is_secure_and_hsts_sent_only_behind_https(db: Db) {
    let a = app(db).await;
    let (s, _, h) = a
        .call(
            &Who::default(),
            "POST",
            "/api/login",
            Some(json!({ "login": "admin", "password": "password-123" })),
            false,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let cookie = h[header::SET_COOKIE].to_str().unwrap();
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(h.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    let https = with_settings(
        &a,
        Settings {
            https: true,
            ..Settings::default()
        },
    );
    let (s, _, h) = send(
        &https,
        login_from("10.0.0.1:1", "admin", "password-123", None),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let cookie = h[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        cookie.ends_with("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    assert_eq!(h[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000");
    // The page form sign-in and sign-out too.
    let req = Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("login=admin&password=password-123"))
        .unwrap();
    let (s, _, h) = send(&https, req).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(h[header::SET_COOKIE].to_str().unwrap().contains("; Secure"));
    let req = Request::builder()
        .method("POST")
        .uri("/logout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("csrf=x"))
        .unwrap();
    let (_, _, h) = send(&https, req).await;
    assert!(h[header::SET_COOKIE].to_str().unwrap().contains("; Secure"));
    assert!(h.get(header::STRICT_TRANSPORT_SECURITY).is_some());
}

/// Every `/api` route in the routers' source, as (method, path): each `.route("/api…", get(…).post(…))`.
fn routes_in_source() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        // Comments may show a route as an example: only code counts.
        let src: String = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut rest = src.as_str();
        while let Some(i) = rest.find(".route(") {
            rest = &rest[i + ".route(".len()..];
            // The call's text up to its closing parenthesis.
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map(|(j, _)| j)
                .unwrap_or(rest.len());
            let call = &rest[..end];
            let Some(p) = call.trim_start().strip_prefix('"') else {
                continue; // a route made from a variable: none today
            };
            let route = &p[..p.find('"').unwrap()];
            if !route.starts_with("/api") {
                continue;
            }
            let handlers = &p[route.len() + 1..];
            for m in ["get", "post", "put", "delete", "patch"] {
                let pat = format!("{m}(");
                let mut from = 0;
                while let Some(k) = handlers[from..].find(&pat) {
                    let at = from + k;
                    let before = handlers[..at].chars().last().unwrap_or(' ');
                    if before == '.' || before.is_whitespace() || before == ',' {
                        out.push((m.to_string(), route.to_string()));
                    }
                    from = at + pat.len();
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `/api/openapi.json` listed 22 of 36 routes although a test was meant to keep it in step: the
/// old test only checked that listed routes exist. This one reads the routers and fails on a route
/// missing from the document, and on a documented route that is not routed.
#[test]
fn the_openapi_document_lists_every_api_route_of_the_routers() {
    let routed = routes_in_source();
    assert!(
        routed.len() >= 37,
        "the scan found too few routes: {routed:?}"
    );
    let doc = kaohe_server::openapi::document();
    let listed: Vec<(String, String)> = kaohe_server::openapi::ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = routed.iter().filter(|r| !listed.contains(r)).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the OpenAPI document: {missing:?}"
    );
    let stale: Vec<_> = listed.iter().filter(|r| !routed.contains(r)).collect();
    assert!(stale.is_empty(), "documented but not routed: {stale:?}");
    for (m, p) in &routed {
        assert!(doc["paths"][p][m]["summary"].is_string(), "{m} {p}");
    }
    // Upload routes name their limits.
    let stage = &doc["paths"]["/api/assessments/{id}/imports/stage"]["post"]["responses"]["413"];
    assert_eq!(stage["description"], "请求内容过大：上限 512 MB");
}

// ---- A served instance on 127.0.0.1 ----
