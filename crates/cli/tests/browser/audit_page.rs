//! The audit log page in a real browser (issue 13 part 6), at 1366×768 and at 390×844: after a score,
//! a finding and sign-ins, the 审计管理员 reads actions and objects in Chinese, every time in Beijing
//! time (the newest sign-in at the clock's Beijing minute, no "…T…Z"), no English word such as
//! session.login anywhere on the page, and hashes only inside a 校验信息 detail (which holds them
//! when opened). The page does not scroll sideways and the filter's button is in view.

use super::{assert_in_view, assert_no_sideways, demo, enabled, shown_text, word_problems};
use kaohe_browser::{Browser, Window};
use serde_json::Value;

#[test]
fn the_audit_log_reads_in_chinese_and_beijing_time_with_hashes_behind_check_details() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::DESKTOP);
    // 张伟 scores 丰利镇's 1.1.1 and records a finding at 岔河镇 on the pages.
    b.login(&d.base, "zhangwei", "kaohe-assessor-2021");
    b.goto(&d.url("/a/1/u/320623110"));
    let form = "#c-1\\.1\\.1 form[action$=\"/score\"]";
    b.type_text(&format!("{form} input[name=score]"), "0.04");
    b.type_text(&format!("{form} input[name=reason]"), "大厅面积约190平方米");
    b.click(&format!("{form} button[type=submit]"));
    b.wait_for("已保存条款 1.1.1 的得分");
    b.goto(&d.url("/a/1/u/320623101"));
    let finding = "#c-1\\.4\\.2 form.finding";
    b.type_text(
        &format!("{finding} input[name=description]"),
        "大厅标识牌破损",
    );
    b.click(&format!("{finding} button[type=submit]"));
    b.wait_for("已记录条款 1.4.2 的问题");
    b.logout();
    let mut words = Vec::new();
    for window in [Window::DESKTOP, Window::PHONE] {
        b.set_window(window);
        b.login(&d.base, "auditor", "Kaohe-audit-2021");
        b.goto(&d.url("/audit"));
        b.wait_for("校验链完好");
        let rows: Vec<Vec<String>> = serde_json::from_value(b.execute(
            "return [...document.querySelectorAll('#audit tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()));",
        ))
        .unwrap();
        assert!(rows.len() > 5, "{}", rows.len());
        let all = |f: &dyn Fn(&[String]) -> bool| rows.iter().any(|r| f(r));
        // Actions and objects in words.
        assert!(
            all(&|r| r[3] == "登录" && r[2].contains("张伟")),
            "{:?}",
            &rows[..5]
        );
        assert!(
            all(&|r| r[3] == "录入分数" && r[4].contains("丰利镇") && r[4].contains("1.1.1")),
            "{:?}",
            &rows[..5]
        );
        assert!(
            all(&|r| r[3] == "记录问题"
                && r[4].contains("岔河镇")
                && r[6].contains("大厅标识牌破损")),
            "{:?}",
            &rows[..5]
        );
        for r in &rows {
            assert!(
                !r[3].chars().any(|c| c.is_ascii_alphabetic()),
                "an action not in words: {r:?}"
            );
        }
        // Every time as Beijing time, the newest sign-in (the auditor's own, just now) at the
        // clock's minute in Asia/Shanghai.
        let beijing_now = b.execute(
            "var d = new Date(Date.now() + 8 * 3600 * 1000), p = n => (n < 10 ? '0' : '') + n;
             return [d.getUTCFullYear() + '年' + (d.getUTCMonth() + 1) + '月' + d.getUTCDate() + '日 ' + p(d.getUTCHours()) + ':' + p(d.getUTCMinutes()),
                     (new Date(Date.now() + 8 * 3600 * 1000 - 60000)).toISOString()];",
        );
        for r in &rows {
            assert!(
                r[1].contains('年')
                    && r[1].contains('月')
                    && r[1].contains('日')
                    && r[1].contains(':'),
                "a time not in Beijing words: {r:?}"
            );
        }
        let newest = rows
            .iter()
            .find(|r| r[3] == "登录" && r[2].contains("auditor"))
            .unwrap_or_else(|| panic!("no sign-in of the auditor: {rows:?}"));
        let a_minute_ago = {
            let iso = beijing_now[1].as_str().unwrap();
            let (date, time) = iso.split_once('T').unwrap();
            let mut d = date.split('-').map(|x| x.parse::<u32>().unwrap());
            format!(
                "{}年{}月{}日 {}",
                d.next().unwrap(),
                d.next().unwrap(),
                d.next().unwrap(),
                &time[..5]
            )
        };
        assert!(
            newest[1].starts_with(beijing_now[0].as_str().unwrap())
                || newest[1].starts_with(&a_minute_ago),
            "the newest sign-in at {} is not Beijing time now ({beijing_now})",
            newest[1]
        );
        // No English word, UTC time or hash anywhere the page shows — but the offline check's
        // command line, which the auditor types as it is.
        let text = shown_text(&b, "main").replace("kaohe audit verify --archive", "");
        // (Asserted after both windows, so that everything else is checked first.)
        words.extend(word_problems(&text));
        // The hashes are there, behind 校验信息.
        let opened = b.execute(
            "var d = document.querySelector('#audit tbody details'); var closed = !d.open; d.open = true;
             var t = d.innerText; d.open = false; return [closed, d.querySelector('summary').textContent, t];",
        );
        assert_eq!(opened[0], Value::Bool(true), "{opened}");
        assert_eq!(opened[1], "校验信息", "{opened}");
        let inside = opened[2].as_str().unwrap();
        assert!(
            inside
                .split(|c: char| !c.is_ascii_hexdigit())
                .any(|w| w.len() == 64),
            "no hash inside 校验信息: {inside}"
        );
        assert_no_sideways(&b);
        assert_in_view(&b, "main > .card", "main form button[type=submit]");
        b.logout();
    }
    // Found by this test (2026-12-03): a sign-in's "addr：127.0.0.1" and the roles sysadmin, secadmin
    // and auditadmin are not in words; they come from crates/app/src/audit_log.rs (`key`, `word`),
    // which this branch does not touch — the test fails here until that is fixed there.
    assert!(words.is_empty(), "the audit log page shows: {words:?}");
}
