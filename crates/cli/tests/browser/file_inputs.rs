//! File inputs in Chinese, in a real browser (issue 13 part 6), at 1366×768 and at 390×844: Chromium
//! draws its own file control in the browser's language ("Choose File", "No file chosen"), so every
//! file input on every page that has one — the unit page's evidence, finding, photo, objection and
//! replace forms, 导入平台数据, 方案对比, 新建考核, 名册 — is hidden inside a label drawn as a
//! button (选择文件, 拍照). Each file input is checked: wholly hidden, inside its label, the label's
//! button in view when scrolled to, the input reachable by the keyboard with the focus drawn on the
//! button; the text shown around each (buttons, labels, boxes) has no English word; the page does
//! not scroll sideways; a chosen file's name is shown beside the button.

use super::{
    advance, assert_no_sideways, demo, enabled, in_self_assessment, self_scores, word_problems,
};
use kaohe_browser::{Browser, Window};
use serde_json::Value;

/// Every file input of the page, as the browser draws it.
fn file_inputs(b: &Browser) -> Vec<Value> {
    let v = b.execute(
        "return [...document.querySelectorAll('input[type=file]')].map(function (i) {
           var label = i.closest('label.file-pick'), pick = label && label.querySelector('.pick');
           var box = i.closest('form') || i.closest('p') || i.parentNode;
           var r = i.getBoundingClientRect(), s = getComputedStyle(i);
           var shown = {};
           if (pick) {
             pick.scrollIntoView({ block: 'center' }); var p = pick.getBoundingClientRect();
             shown = { text: pick.textContent, inView: p.left >= 0 && p.right <= innerWidth && p.top >= 0 && p.bottom <= innerHeight && p.width > 0 };
             i.focus();
             shown.focused = document.activeElement === i;
             shown.ring = getComputedStyle(pick).outlineStyle;
             i.blur();
           }
           var submit = box.querySelector('button[type=submit], button.primary');
           var sub = null;
           if (submit && box.tagName === 'FORM') {
             submit.scrollIntoView({ block: 'center' }); var q = submit.getBoundingClientRect();
             sub = q.left >= 0 && q.right <= innerWidth && q.top >= 0 && q.bottom <= innerHeight && q.width > 0;
           }
           var texts = [box.innerText];
           box.querySelectorAll('input, textarea').forEach(function (x) {
             if (!x.checkVisibility()) return;
             if (!['hidden', 'password', 'file', 'checkbox', 'radio'].includes(x.type) && x.value) texts.push(x.value);
             if (x.placeholder) texts.push(x.placeholder);
           });
           return { name: i.getAttribute('aria-label'), inLabel: !!label, pick: shown,
                    hidden: (r.width <= 1 && r.height <= 1) || s.opacity === '0', submitInView: sub,
                    text: texts.join('\\n') };
         });",
    );
    serde_json::from_value(v).unwrap()
}

/// Checks every file input of the page at `path`; returns how many there were.
fn check_page(d: &kaohe_browser::Demo, b: &Browser, path: &str) -> usize {
    b.goto(&d.url(path));
    b.wait_for("退出");
    assert_no_sideways(b);
    let inputs = file_inputs(b);
    for i in &inputs {
        let name = &i["name"];
        assert_eq!(
            i["inLabel"], true,
            "{path}: {name} not in a label.file-pick: {i}"
        );
        assert_eq!(
            i["hidden"], true,
            "{path}: {name}: the browser's own control shows: {i}"
        );
        let pick = i["pick"]["text"].as_str().unwrap_or_default();
        assert!(pick == "选择文件" || pick == "拍照", "{path}: {name}: {i}");
        assert_eq!(
            i["pick"]["inView"], true,
            "{path}: {name}: its button off-screen: {i}"
        );
        assert_eq!(
            i["pick"]["focused"], true,
            "{path}: {name}: not reached by the keyboard: {i}"
        );
        assert_ne!(
            i["pick"]["ring"], "none",
            "{path}: {name}: the focus not drawn: {i}"
        );
        assert_ne!(
            i["submitInView"], false,
            "{path}: {name}: its form's button off-screen: {i}"
        );
        let words = word_problems(i["text"].as_str().unwrap());
        assert!(words.is_empty(), "{path}: {name}: {words:?}\n{}", i["text"]);
    }
    assert_no_sideways(b);
    inputs.len()
}

#[test]
fn every_file_input_reads_in_chinese_is_reached_by_keyboard_and_fits_a_phone() {
    if !enabled() {
        return;
    }
    let d = demo();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().canonicalize().unwrap();
    let photo = dir.join("现场照片.jpg");
    std::fs::write(
        &photo,
        kaohe_store::exif::sample_jpeg("2021:11:30 15:04:05", true),
    )
    .unwrap();
    let draft = crate::support::repo()
        .join("rubrics/rudong-2021.toml")
        .canonicalize()
        .unwrap();
    // A 2022 assessment in 自评, 掘港街道 with all but two clauses self-assessed.
    let id = in_self_assessment(
        &d,
        "2022年度考核（文件选择）",
        &[("320623001", "掘港街道", "街道")],
    );
    let b = Browser::start(Window::DESKTOP);
    b.login(&d.base, "juegang", "kaohe-reporter-2021");
    b.goto(&d.url(&format!("/a/{id}/u/320623001")));
    let clauses: Vec<String> = serde_json::from_value(b.execute(
        "return [...document.querySelectorAll('form[action$=\"/self\"] input[name=clause]')].map(e => e.value);",
    ))
    .unwrap();
    self_scores(&d, "juegang", id, "320623001", &clauses[..2]);
    b.logout();
    // 张伟 records a finding with a photo at 岔河镇: its file gets 删除 and 替换 forms.
    b.login(&d.base, "zhangwei", "kaohe-assessor-2021");
    b.goto(&d.url("/a/1/u/320623101"));
    let finding = "#c-1\\.4\\.2 form.finding";
    b.type_text(
        &format!("{finding} input[name=description]"),
        "大厅标识牌破损",
    );
    b.choose_file(&format!("{finding} input[data-into=photo]"), &photo);
    let shown = b.wait_for("已选：现场照片.jpg");
    assert!(!shown.contains("No file"), "{shown}");
    b.click(&format!("{finding} button[type=submit]"));
    b.wait_for("已记录条款 1.4.2 的问题");
    b.logout();
    let mut counts = Vec::new();
    for window in [Window::DESKTOP, Window::PHONE] {
        b.set_window(window);
        b.login(&d.base, "zhangwei", "kaohe-assessor-2021");
        counts.push(("assessor", check_page(&d, &b, "/a/1/u/320623101")));
        b.goto(&d.url("/"));
        b.logout();
        b.login(&d.base, "juegang", "kaohe-reporter-2021");
        counts.push((
            "reporter",
            check_page(&d, &b, &format!("/a/{id}/u/320623001")),
        ));
        b.goto(&d.url("/"));
        b.logout();
        b.login(&d.base, "admin", "kaohe-admin-2021");
        for path in ["/a/1/import", "/a/1/whatif", "/new", "/a/1/setup"] {
            counts.push(("admin", check_page(&d, &b, path)));
        }
        // A chosen draft's name shows beside 选择文件 (the browser's words for it are hidden).
        b.goto(&d.url("/a/1/whatif"));
        b.choose_file("#draft-file", &draft);
        let t = b.wait_for("已选：rudong-2021.toml");
        assert!(!t.contains("No file") && !t.contains("Choose"), "{t}");
        b.goto(&d.url("/"));
        b.logout();
    }
    // Each page had its file inputs: the finding's photo, file, and the photo's 替换 and 添加
    // forms; the reporter's evidence; one on each admin page.
    for (who, n) in &counts {
        assert!(*n >= 1, "{who}: no file input checked: {counts:?}");
    }
    assert!(counts[0].1 >= 4, "{counts:?}");
    // The objection form in 公示, with a file on an objection filed (its 添加材料 form).
    advance(&d, 1, "publication");
    for window in [Window::DESKTOP, Window::PHONE] {
        b.set_window(window);
        b.login(&d.base, "juegang", "kaohe-reporter-2021");
        let n = check_page(&d, &b, "/a/1/u/320623001");
        assert!(n >= 1, "no objection file input");
        if window == Window::DESKTOP {
            b.click("#object select[name=clause] option[value='1.5.3']");
            b.type_text("#object input[name=reason]", "差评均已回访");
            b.click("#object button[type=submit]");
            b.wait_for("异议已提交，等待考核组处理");
        } else {
            assert!(n >= 2, "no 添加材料 on the objection filed: {n}");
        }
        b.goto(&d.url("/"));
        b.logout();
    }
}
