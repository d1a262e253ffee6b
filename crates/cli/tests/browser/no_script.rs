//! The unit page's file forms with JavaScript turned off (issue 13 part 2), in a real browser at
//! 1366×768 and at 390×844: the page's script does not run (the file inputs keep their names and the
//! forms post multipart/form-data), and an assessor's finding with a photo and a reporter's
//! objection with a file are still submitted and stored — the photo with the time the camera wrote
//! into it, each listed with its link. The page does not scroll sideways and each submit button is
//! in view.

use super::{advance, assert_in_view, assert_no_sideways, demo, enabled};
use kaohe_browser::{Browser, Window};
use serde_json::json;

/// What the page's script would have changed in the form `form`: its enctype, and the names of its
/// file inputs (the script removes them and posts the file in a hidden field instead).
fn untouched(b: &Browser, form: &str) -> serde_json::Value {
    b.execute(&format!(
        "var f = document.querySelector({form:?}); return [f.enctype, [...f.querySelectorAll('input[type=file]')].map(i => i.name)];"
    ))
}

#[test]
fn a_finding_photo_and_an_objection_file_are_stored_without_javascript() {
    if !enabled() {
        return;
    }
    let d = demo();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().canonicalize().unwrap();
    let b = Browser::start(Window::DESKTOP);
    let units = [
        (Window::DESKTOP, "桌面", "1.5.3"),
        (Window::PHONE, "手机", "1.1.1"),
    ];
    // 张伟 records a finding at 岔河镇 with a photo, scripts off.
    b.login(&d.base, "zhangwei", "kaohe-assessor-2021");
    b.set_scripts(false);
    for (window, name, _) in units {
        b.set_window(window);
        let photo = dir.join(format!("现场照片-{name}.jpg"));
        std::fs::write(
            &photo,
            kaohe_store::exif::sample_jpeg("2021:11:30 15:04:05", true),
        )
        .unwrap();
        b.goto(&d.url("/a/1/u/320623101"));
        b.wait_for("岔河镇（320623101）考核表");
        let finding = "#c-1\\.4\\.2 form.finding";
        assert_eq!(
            untouched(&b, finding),
            json!(["multipart/form-data", ["photo", "file"]]),
            "the page's script ran"
        );
        assert_in_view(
            &b,
            "#c-1\\.4\\.2",
            &format!("{finding} button[type=submit]"),
        );
        let description = format!("大厅标识牌破损（{name}）");
        b.type_text(&format!("{finding} input[name=description]"), &description);
        b.choose_file(&format!("{finding} input[name=photo]"), &photo);
        b.click(&format!("{finding} button[type=submit]"));
        let t = b.wait_for("已记录条款 1.4.2 的问题");
        assert!(t.contains(&description), "{t}");
        let file = format!("现场照片-{name}.jpg");
        assert!(t.contains(&file), "the photo not stored:\n{t}");
        assert!(t.contains("拍摄于 2021年11月30日 15:04"), "{t}");
        assert_no_sideways(&b);
    }
    b.set_scripts(true);
    b.goto(&d.url("/"));
    b.logout();
    advance(&d, 1, "publication");
    // 掘港街道 objects with a file, scripts off.
    b.login(&d.base, "juegang", "kaohe-reporter-2021");
    b.set_scripts(false);
    for (window, name, clause) in units {
        b.set_window(window);
        let pdf = dir.join(format!("回访记录-{name}.pdf"));
        std::fs::write(&pdf, b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF").unwrap();
        b.goto(&d.url("/a/1/u/320623001"));
        b.wait_for("提出异议");
        assert_eq!(
            untouched(&b, "#object"),
            json!(["multipart/form-data", ["file"]]),
            "the page's script ran"
        );
        assert_in_view(&b, "#object", "#object button[type=submit]");
        b.click(&format!(
            "#object select[name=clause] option[value='{clause}']"
        ));
        b.type_text("#object input[name=reason]", "差评均已回访，附回访记录");
        b.choose_file("#object input[type=file]", &pdf);
        b.click("#object button[type=submit]");
        b.wait_for("异议已提交，等待考核组处理");
        let file = format!("回访记录-{name}.pdf");
        let href = b.execute(&format!(
            "var a = [...document.querySelectorAll('#objections a')].find(a => a.textContent === {file:?}); return a ? a.getAttribute('href') : null;"
        ));
        assert!(
            href.as_str()
                .unwrap_or_default()
                .starts_with("/api/evidence/"),
            "{file} not stored with the objection: {href}\n{}",
            b.text()
        );
        assert_no_sideways(&b);
    }
    b.set_scripts(true);
}
