//! 方案对比 in a real browser: an admin tries a draft rubric (chosen as a file) on this year's data;
//! the differences sort as numbers, and nothing is stored.

use super::{demo, enabled};
use kaohe_browser::{Browser, Window};

#[test]
fn an_admin_tries_a_draft_rubric_on_this_years_data() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::DESKTOP);
    b.login(&d.base, "admin", "kaohe-admin-2021");
    b.goto(&format!("{}/a/1", d.base));
    b.wait_for("方案对比");
    b.click("a[href='/a/1/whatif']");
    b.wait_for("或上传一份细则草案");
    // A draft whose rank steps are 0.005 instead of 0.002 (1.4.1 and 1.4.3b), chosen as a file.
    let dir = tempfile::tempdir().unwrap();
    let draft = dir
        .path()
        .canonicalize()
        .unwrap()
        .join("2022征求意见稿.toml");
    let text = std::fs::read_to_string(crate::support::repo().join("rubrics/rudong-2021.toml"))
        .unwrap()
        .replace(r#"step = "0.002""#, r#"step = "0.005""#);
    std::fs::write(&draft, text).unwrap();
    b.choose_file("#draft-file", &draft);
    // The page's script reads the file into the form; wait for it before submitting.
    let mut filled = false;
    for _ in 0..100 {
        let v = b.property("#draft-text", "value");
        if v.as_str().is_some_and(|s| s.contains("0.005")) {
            filled = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(filled, "the draft's text never reached the form");
    b.click("#draft button[type=submit]");
    let t = b.wait_for("细则改动 2 条");
    assert!(t.contains("上传的草案 2022征求意见稿.toml"), "{t}");
    assert!(t.contains("× 0.005 ="), "{t}");
    assert!(t.contains("名次变化"), "{t}");
    // 差值 sorts as numbers (− is a minus sign), 名次变化 by places moved.
    let column = |n: usize| -> Vec<f64> {
        let v = b.execute(&format!("return Array.from(document.querySelectorAll('#whatif-units tbody tr')).map(r => r.cells[{n}].dataset.sort || r.cells[{n}].textContent)"));
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| {
                x.as_str()
                    .unwrap()
                    .replace('\u{2212}', "-")
                    .parse()
                    .unwrap()
            })
            .collect()
    };
    b.click("#whatif-units th:nth-child(4)");
    let deltas = column(3);
    assert!(deltas.windows(2).all(|w| w[0] <= w[1]), "{deltas:?}");
    assert!(deltas[0] < 0.0, "a steeper draft costs someone: {deltas:?}");
    b.click("#whatif-units th:nth-child(7)");
    let moved = column(6);
    assert!(moved.windows(2).all(|w| w[0] <= w[1]), "{moved:?}");
    // Nothing was stored: the assessment's own page still deducts 0.002 per place.
    b.goto(&format!("{}/a/1/u/320623103", d.base));
    let t = b.wait_for("扣分");
    assert!(!t.contains("× 0.005"), "{t}");
}
