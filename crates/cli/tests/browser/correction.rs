//! 更正 after 定档 in a real browser (issue 13 part 7), at 1366×768 and at 390×844: the admin opens
//! the sealed assessment, a correction without a reason is refused in Chinese beside its form, in
//! view, changing nothing and keeping what was typed; with a reason the clause's 最终分 is changed,
//! the result sealed as the next version, and the page shows that version with its reason and the
//! visible diff (old → new) of the clause and the total.

use super::{advance, assert_in_view, assert_no_sideways, demo, enabled};
use kaohe_browser::{Browser, Window};

/// The sealed versions' lines as the page shows them.
fn sealed_lines(b: &Browser) -> Vec<String> {
    serde_json::from_value(b.execute(
        "return [...document.querySelectorAll('#sealed > ul > li')].map(l => l.innerText);",
    ))
    .unwrap()
}

/// Whether the page's message (`.msg.error` or `.msg.ok`) lies inside the window as the page opened.
fn message_in_view(b: &Browser, css: &str) -> serde_json::Value {
    b.execute(&format!(
        "var e = document.querySelector({css:?}); if (!e) return 'none'; var r = e.getBoundingClientRect();
         return r.top >= 0 && r.bottom <= innerHeight && r.width > 0;"
    ))
}

/// Chooses `value` in the correction form's select `name`.
fn choose(b: &Browser, name: &str, value: &str) {
    b.click(&format!(
        "#correct select[name={name}] option[value='{value}']"
    ));
}

#[test]
fn the_admin_corrects_a_sealed_result_on_the_page_with_a_reason_and_sees_the_diff() {
    if !enabled() {
        return;
    }
    let d = demo();
    advance(&d, 1, "publication");
    advance(&d, 1, "final");
    let b = Browser::start(Window::DESKTOP);
    b.login(&d.base, "admin", "kaohe-admin-2021");
    // 掘港街道's 1.1.1 (a judgement clause, scored in the demo) corrected to two values in turn.
    for (window, version, score) in [(Window::DESKTOP, 2, "0.01"), (Window::PHONE, 3, "0.02")] {
        b.set_window(window);
        b.goto(&d.url("/a/1"));
        b.wait_for("更正定档结果");
        assert_eq!(sealed_lines(&b).len(), version - 1);
        assert_in_view(&b, "#correct", "#correct button[type=submit]");
        // Without a reason (only a space, which the box's `required` lets through): refused.
        choose(&b, "unit", "320623001");
        choose(&b, "clause", "1.1.1");
        b.type_text("#correct input[name=score]", score);
        b.type_text("#correct input[name=why]", " ");
        b.click("#correct button[type=submit]");
        let t = b.wait_for("未更正：");
        assert!(t.contains("定档后的更正须写明理由"), "{t}");
        assert_eq!(
            message_in_view(&b, "#correct .msg.error"),
            true,
            "the refusal off-screen"
        );
        assert_eq!(sealed_lines(&b).len(), version - 1, "nothing sealed:\n{t}");
        assert_no_sideways(&b);
        // What was typed is kept.
        assert_eq!(
            b.property("#correct select[name=unit]", "value"),
            "320623001"
        );
        assert_eq!(b.property("#correct select[name=clause]", "value"), "1.1.1");
        assert_eq!(b.property("#correct input[name=score]", "value"), score);
        // With a reason: sealed again, the diff shown.
        let why = format!("复核发现大厅面积测绘有误（第 {version} 版）");
        b.type_text("#correct input[name=why]", &why);
        b.click("#correct button[type=submit]");
        b.wait_for(&format!("已更正，结果已封存为第 {version} 版"));
        assert_eq!(
            message_in_view(&b, "#sealed .msg.ok"),
            true,
            "the notice off-screen"
        );
        let lines = sealed_lines(&b);
        assert_eq!(lines.len(), version, "{lines:?}");
        let last = &lines[version - 1];
        assert!(
            last.starts_with(&format!("第 {version} 版："))
                && last.contains("县政务办管理员")
                && last.contains(&why),
            "{last}"
        );
        let clause_line = last
            .lines()
            .find(|l| l.starts_with("掘港街道 · 条款 1.1.1："))
            .unwrap_or_else(|| panic!("no diff of 1.1.1:\n{last}"));
        let (old, new) = clause_line
            .trim_start_matches("掘港街道 · 条款 1.1.1：")
            .split_once(" → ")
            .unwrap_or_else(|| panic!("{clause_line}"));
        // Shown at the rubric's precision (four places).
        assert_eq!(new, format!("{score}00"), "{clause_line}");
        assert_ne!(old, new, "{clause_line}");
        assert!(last.contains("掘港街道 · 总分："), "{last}");
        let open_hash = b.execute(
            "return [...document.querySelectorAll('#sealed code')].some(c => { var d = c.closest('details'); return !d || d.open || d.querySelector('summary').textContent !== '校验信息'; });",
        );
        assert_eq!(open_hash, false, "a hash shown outside a closed 校验信息");
        assert_in_view(&b, "#sealed", "#sealed > ul > li:last-child .changes");
        assert_no_sideways(&b);
    }
}
