//! 导入 in a real browser: an admin uploads case records, previews and commits them, and finds the
//! import in the audit log.

use super::{demo, enabled};
use kaohe_browser::{Browser, Window};

#[test]
fn an_admin_imports_case_records_in_the_browser_and_reads_the_audit_log() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::DESKTOP);
    b.login(&d.base, "admin", "kaohe-admin-2021");
    b.goto(&format!("{}/a/1/import", d.base));
    b.wait_for("导入平台数据");
    // chromedriver wants a plain absolute path (no `..`).
    let cases = crate::support::repo()
        .join("examples/rudong-2021-platform/exports/办件.csv")
        .canonicalize()
        .unwrap();
    b.choose_file("#file", &cases);
    b.wait_for("已暂存：办件.csv");
    b.click("#preview");
    b.wait_for("预览通过：6656 行");
    b.click("#commit");
    let t = b.wait_for("已导入（第 1 次导入）");
    assert!(t.contains("43 例超期办件"), "{t}");
    // The overdue cases now stand in 曹埠镇's scorecard, case by case.
    b.goto(&format!("{}/a/1/u/320623111", d.base));
    let t = b.wait_for("超期办件 27件（逐条见明细）");
    assert!(t.contains("办件 3206231112021"), "{t}");
    b.goto(&format!("{}/audit?action=import", d.base));
    let t = b.wait_for("哈希链完好");
    assert!(t.contains("import") && t.contains("admin"), "{t}");
}
