//! Evidence on a phone (issue 13 parts 2 and 3), at 390×844: an assessor records a finding with a
//! photo through the camera input (`accept="image/*" capture="environment"`), and the photo is
//! listed with its upload time and the time the camera wrote into it; after 公示 opens, the unit's
//! reporter files an objection with a file, listed with its download link. On both pages the page
//! does not scroll sideways and the save button is in view.

use super::{demo, enabled};
use kaohe_browser::{Browser, Window};
use serde_json::Value;

/// Whether the page scrolls sideways, and whether the button `css` lies inside the window once
/// scrolled to.
fn fits(b: &Browser, css: &str) -> Value {
    b.execute(&format!(
        "var e = document.querySelector({css:?}); e.scrollIntoView({{block: 'center'}}); var r = e.getBoundingClientRect();
         return {{ page: document.documentElement.scrollWidth, inner: innerWidth,
                   visible: r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight && r.width > 0 }};"
    ))
}

fn assert_fits(b: &Browser, css: &str) {
    let v = fits(b, css);
    assert!(
        v["page"].as_f64().unwrap() <= v["inner"].as_f64().unwrap(),
        "the page scrolls sideways: {v}"
    );
    assert_eq!(v["visible"], Value::Bool(true), "{css} not in view: {v}");
}

#[test]
fn a_finding_photo_and_an_objection_file_on_a_phone() {
    if !enabled() {
        return;
    }
    let d = demo();
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("现场照片.jpg");
    std::fs::write(
        &photo,
        kaohe_store::exif::sample_jpeg("2021:11:30 15:04:05", true),
    )
    .unwrap();
    let pdf = dir.path().join("回访记录.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF").unwrap();
    let b = Browser::start(Window::PHONE);
    // 张伟 records a finding at 岔河镇 with a photo from the camera input.
    b.login(&d.base, "zhangwei", "kaohe-assessor-2021");
    b.goto(&format!("{}/a/1/u/320623101", d.base));
    b.wait_for("岔河镇（320623101）考核表");
    let finding = "#c-1\\.4\\.2 form.finding";
    let camera = format!("{finding} input[data-into=photo]");
    assert_eq!(
        b.execute(&format!(
            "var e = document.querySelector({camera:?}); return [e.accept, e.getAttribute('capture')];"
        )),
        serde_json::json!(["image/*", "environment"])
    );
    assert_fits(&b, &format!("{finding} button[type=submit]"));
    b.type_text(
        &format!("{finding} input[name=description]"),
        "大厅标识牌破损",
    );
    b.choose_file(&camera, &photo);
    super::wait_read(&b, finding);
    b.click(&format!("{finding} button[type=submit]"));
    let t = b.wait_for("已记录条款 1.4.2 的问题");
    assert!(t.contains("现场照片.jpg"), "{t}");
    assert!(t.contains("拍摄于 2021年11月30日 15:04"), "{t}");
    assert_fits(&b, &format!("{finding} button[type=submit]"));
    b.logout();
    // The admin opens 公示 (going on past the demo's unscored units, with a reason).
    b.set_window(Window::DESKTOP);
    b.login(&d.base, "admin", "kaohe-admin-2021");
    b.goto(&format!("{}/a/1", d.base));
    b.wait_for("推进到“公示”阶段");
    b.type_text("#advance input[name=why]", "考核结束，开始公示");
    b.click("#advance input[name=confirm]");
    b.click("#advance button[type=submit]");
    b.wait_for("未完成考核");
    b.type_text("#advance input[name=why]", "考核结束，开始公示");
    b.click("#advance input[name=confirm]");
    b.click("#advance input[name=go_on]");
    b.type_text("#advance input[name=go_on_why]", "示例数据：另行补评");
    b.click("#advance button[type=submit]");
    b.wait_for("已进入“公示”阶段");
    b.logout();
    // 掘港街道 objects with its file, on the phone.
    b.set_window(Window::PHONE);
    b.login(&d.base, "juegang", "kaohe-reporter-2021");
    b.goto(&format!("{}/a/1/u/320623001", d.base));
    b.wait_for("提出异议");
    assert_fits(&b, "#object button[type=submit]");
    b.click("#object select[name=clause] option[value='1.5.3']");
    b.type_text("#object input[name=reason]", "差评均已回访，附回访记录");
    b.choose_file("#object input[data-into=file]", &pdf);
    super::wait_read(&b, "#object");
    b.click("#object button[type=submit]");
    let t = b.wait_for("异议已提交，等待考核组处理");
    assert!(t.contains("回访记录.pdf") && t.contains("待处理"), "{t}");
    let href = b.execute(
        "var a = [...document.querySelectorAll('#objections a')].find(a => a.textContent === '回访记录.pdf'); return a ? a.getAttribute('href') : null;",
    );
    assert!(
        href.as_str()
            .unwrap_or_default()
            .starts_with("/api/evidence/"),
        "{href}"
    );
    assert_fits(&b, "#objections form button[type=submit]");
}
