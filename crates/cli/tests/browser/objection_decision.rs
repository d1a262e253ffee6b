//! An objection decided on purpose, in a real browser (issue 13 part 3), at 1366×768 and at 390×844:
//! the unit's reporter files it with a file; the assessor finds no outcome pre-selected; 采纳 without a
//! 最终分 is refused with the message beside the form, in view, the choice kept; 驳回 without a
//! reason is refused; 驳回 with one decides it; the admin reopens it with a reason (refused
//! without) and upholds it with a 最终分; the unit sees the outcome, the history and its file.

use super::{advance, assert_in_view, assert_no_sideways, demo, enabled};
use kaohe_browser::{Browser, Window};
use serde_json::{Value, json};

/// The objection row of `clause` on the unit page: its id attribute (`o-N`).
fn row_of(b: &Browser, clause: &str) -> String {
    let v = b.execute(&format!(
        "var r = [...document.querySelectorAll('#objections tbody tr')].find(r => r.cells[0].textContent.trim() === {clause:?}); return r ? r.id : null;"
    ));
    v.as_str()
        .unwrap_or_else(|| panic!("no objection on {clause}:\n{}", b.text()))
        .to_string()
}

/// The checked outcome of the decision form in `row`, or null.
fn checked(b: &Browser, row: &str) -> Value {
    b.execute(&format!(
        "var r = document.querySelector('#{row} input[name=outcome]:checked'); return r ? r.value : null;"
    ))
}

/// The text of the error shown inside `row`, whether it lies in the window as the page opened, and
/// whether an error is shown atop the page instead.
fn error_beside(b: &Browser, row: &str) -> Value {
    b.execute(&format!(
        "var e = document.querySelector('#{row} .msg.error'); var top = !!document.querySelector('main > .msg.error, body > .msg.error');
         if (!e) return {{ text: null, top: top }}; var r = e.getBoundingClientRect();
         return {{ text: e.textContent, visible: r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth, top: top }};"
    ))
}

#[test]
fn an_objection_is_decided_on_purpose_reopened_and_the_unit_sees_the_outcome() {
    if !enabled() {
        return;
    }
    let d = demo();
    advance(&d, 1, "publication");
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("回访记录.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF").unwrap();
    let page = d.url("/a/1/u/320623001");
    let b = Browser::start(Window::DESKTOP);
    for (window, clause) in [(Window::DESKTOP, "1.5.3"), (Window::PHONE, "1.1.1")] {
        b.set_window(window);
        // 掘港街道 objects, with its file.
        b.login(&d.base, "juegang", "kaohe-reporter-2021");
        b.goto(&page);
        b.wait_for("提出异议");
        b.click(&format!(
            "#object select[name=clause] option[value='{clause}']"
        ));
        b.type_text("#object input[name=reason]", "差评均已回访，附回访记录");
        b.choose_file("#object input[data-into=file]", &pdf);
        super::wait_read(&b, "#object");
        b.click("#object button[type=submit]");
        b.wait_for("异议已提交，等待考核组处理");
        let row = row_of(&b, clause);
        b.logout();
        // 张伟, the unit's assessor: nothing pre-selected.
        b.login(&d.base, "zhangwei", "kaohe-assessor-2021");
        b.goto(&page);
        b.wait_for("差评均已回访，附回访记录");
        assert_eq!(checked(&b, &row), Value::Null, "an outcome pre-selected");
        let form = format!("#{row} form.decide");
        assert_in_view(
            &b,
            &format!("#{row}"),
            &format!("{form} button[type=submit]"),
        );
        // 采纳 without a 最终分: refused beside the form, in view, 采纳 still chosen.
        b.click(&format!("{form} input[name=outcome][value=upheld]"));
        b.type_text(&format!("{form} input[name=reason]"), "回访记录属实");
        b.click(&format!("{form} button[type=submit]"));
        b.wait_for(&format!("采纳异议须填写条款 {clause} 新的最终分"));
        let e = error_beside(&b, &row);
        assert_eq!(
            e["visible"], true,
            "the refusal is not beside the form, in view: {e}"
        );
        assert_eq!(e["top"], false, "the refusal atop the page too: {e}");
        assert_eq!(checked(&b, &row), "upheld");
        assert_eq!(
            b.property(&format!("{form} input[name=reason]"), "value"),
            "回访记录属实"
        );
        assert_no_sideways(&b);
        // 驳回 without a reason: refused.
        b.click(&format!("{form} input[name=outcome][value=rejected]"));
        b.type_text(&format!("{form} input[name=reason]"), " ");
        b.click(&format!("{form} button[type=submit]"));
        b.wait_for("驳回异议须写明理由");
        let e = error_beside(&b, &row);
        assert_eq!(e["visible"], true, "{e}");
        // 驳回 with a reason.
        b.click(&format!("{form} input[name=outcome][value=rejected]"));
        b.type_text(&format!("{form} input[name=reason]"), "回访记录不完整");
        b.click(&format!("{form} button[type=submit]"));
        b.wait_for("异议已处理");
        let t = b.execute(&format!(
            "return document.querySelector('#{row}').innerText;"
        ));
        assert!(
            t.as_str().unwrap().contains("已驳回")
                && t.as_str().unwrap().contains("驳回：回访记录不完整"),
            "{t}"
        );
        b.logout();
        // The admin reopens it: refused without a reason, then with one; then upholds it.
        b.login(&d.base, "admin", "kaohe-admin-2021");
        b.goto(&page);
        b.wait_for("重新打开");
        let reopen = format!("#{row} form[action*='/reopen']");
        assert_in_view(
            &b,
            &format!("#{row}"),
            &format!("{reopen} button[type=submit]"),
        );
        b.type_text(&format!("{reopen} input[name=reason]"), " ");
        b.click(&format!("{reopen} button[type=submit]"));
        b.wait_for("重新打开异议须写明理由");
        let e = error_beside(&b, &row);
        assert_eq!(e["visible"], true, "{e}");
        b.type_text(
            &format!("{reopen} input[name=reason]"),
            "回访录音另附，重新审查",
        );
        b.click(&format!("{reopen} button[type=submit]"));
        b.wait_for("异议已重新打开，等待重新处理");
        assert_eq!(checked(&b, &row), Value::Null, "an outcome pre-selected");
        b.click(&format!("{form} input[name=outcome][value=upheld]"));
        b.type_text(&format!("{form} input[name=score]"), "0");
        b.type_text(&format!("{form} input[name=reason]"), "录音证实已回访");
        b.click(&format!("{form} button[type=submit]"));
        b.wait_for("异议已处理");
        b.logout();
        // The unit sees the outcome, the history and its file.
        b.login(&d.base, "juegang", "kaohe-reporter-2021");
        b.goto(&page);
        b.wait_for("异议");
        let seen = b.execute(&format!(
            "var r = document.querySelector('#{row}'); r.querySelector('details').open = true;
             var a = [...r.querySelectorAll('a')].find(a => a.textContent === '回访记录.pdf');
             return {{ text: r.innerText, file: a ? a.getAttribute('href') : null }};"
        ));
        let text = seen["text"].as_str().unwrap();
        assert!(
            text.contains("已采纳")
                && text.contains("采纳：最终分改为 0")
                && text.contains("录音证实已回访"),
            "{text}"
        );
        assert!(
            text.contains("处理记录（1 次重新打开）")
                && text.contains("重新打开：回访录音另附，重新审查"),
            "{text}"
        );
        let href = seen["file"]
            .as_str()
            .unwrap_or_else(|| panic!("no file link: {seen}"));
        assert!(href.starts_with("/api/evidence/"), "{href}");
        let got = b.execute(&format!("return fetch({href:?}).then(r => r.status);"));
        assert_eq!(got, json!(200), "the file does not open for the unit");
        assert_no_sideways(&b);
        b.logout();
    }
}
