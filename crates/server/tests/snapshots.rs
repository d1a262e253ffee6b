//! What people read, as snapshots (insta): JSON answers of the API and the text of key pages per role,
//! so that a change shows up as a diff a reviewer reads rather than as `contains` checks. The same
//! snapshot serves SQLite and PostgreSQL: both must answer alike.

use super::*;

/// The visible text of a page: scripts and styles dropped, tags removed, entities of the templates
/// decoded, blank runs folded — one line per block of text.
pub(crate) fn page_text(html: &str) -> String {
    let mut s = html.to_string();
    for tag in ["script", "style"] {
        while let Some(a) = s.find(&format!("<{tag}")) {
            let end = s[a..]
                .find(&format!("</{tag}>"))
                .map_or(s.len(), |e| a + e + tag.len() + 3);
            s.replace_range(a..end, "");
        }
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push('\n');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'");
    out.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) async fn what_the_api_answers_reads_as_recorded(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin = a.login("admin").await;
    let (s, v, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    insta::assert_json_snapshot!("api-results-admin-in-review", v);
    let (s, v, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/units/320623100/scores"),
            None,
            false,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    insta::assert_json_snapshot!("api-scores-matang-admin", v);
    // A reporter before 公示: its own unit's 自评分 only, in Chinese when refused.
    let rep = a.login("juegang").await;
    let (s, v, _) = a
        .call(
            &rep,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    insta::assert_json_snapshot!("api-results-reporter-refused", v);
}

pub(crate) async fn what_the_key_pages_say_reads_as_recorded(db: Db) {
    let a = app(db).await;
    let id = a.id;
    for (login, path, name) in [
        ("admin", "/".to_string(), "page-dashboard-admin"),
        ("juegang", "/".to_string(), "page-dashboard-reporter"),
        (
            "admin",
            format!("/a/{id}/u/320623100"),
            "page-unit-matang-admin",
        ),
        (
            "juegang",
            format!("/a/{id}/u/320623001"),
            "page-unit-juegang-reporter",
        ),
        ("admin", format!("/a/{id}/setup"), "page-setup-admin"),
        ("juegang", "/password".to_string(), "page-password-reporter"),
    ] {
        let who = web_login(&a, login).await;
        let (s, html) = page(&a, &who, &path).await;
        assert_eq!(s, StatusCode::OK, "{login} {path}");
        insta::assert_snapshot!(name, page_text(&html));
    }
}

/// Before any assessment (a new installation): the dashboard says so, and the admin's next step.
pub(crate) async fn the_dashboard_before_any_assessment_says_what_to_do_next(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = kaohe_store::testdb::open(dir.path(), db).await;
    let now = kaohe_server::iso(T0);
    for (login, name, role) in [
        ("admin", "县政务办", Role::Admin),
        ("wangfang", "王芳", Role::Assessor),
    ] {
        let u = NewUser {
            login,
            name,
            role,
            unit: None,
            password: "password-123",
        };
        store.add_user(None, &u, &now).await.unwrap();
    }
    let clock = Arc::new(AtomicU64::new(T0));
    let c = clock.clone();
    let state = AppState::new(store.clone(), Arc::new(move || c.load(Ordering::SeqCst)));
    let a = App {
        _dir: dir,
        app: router(state),
        clock,
        store,
        id: 0,
    };
    for (login, name) in [
        ("admin", "page-no-assessment-admin"),
        ("wangfang", "page-no-assessment-assessor"),
    ] {
        let who = web_login(&a, login).await;
        let (s, html) = page(&a, &who, "/").await;
        assert_eq!(s, StatusCode::OK, "{login}");
        insta::assert_snapshot!(name, page_text(&html));
    }
}
