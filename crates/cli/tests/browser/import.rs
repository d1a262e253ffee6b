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
    // The audit log is the 审计管理员's alone (三员分立).
    b.goto(&format!("{}/audit?action=import", d.base));
    b.wait_for("无权查看审计日志：只有审计管理员可以");
    b.logout();
    b.login(&d.base, "auditor", "Kaohe-audit-2021");
    b.goto(&format!("{}/audit?action=import", d.base));
    let t = b.wait_for("校验链完好");
    // The entry in words: who, what, the file and its counts; the values only under 校验信息.
    assert!(
        t.contains("县政务办管理员（admin） 导入平台数据")
            && t.contains("文件：办件.csv；问题数：43；指标数：27；行数：6656")
            && !t.contains("online_volume"),
        "{t}"
    );
}

/// Issue 13: staged files survive a reload of the page, a corrected upload of a kind replaces the
/// staged one, and each is removed with its own button (the other staying, after a reload too).
#[test]
fn staged_files_survive_a_reload_and_each_is_removed_with_its_button() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::DESKTOP);
    b.login(&d.base, "admin", "kaohe-admin-2021");
    b.goto(&format!("{}/a/1/import", d.base));
    b.wait_for("还没有暂存的文件。");
    // The period picker shows the assessment's year.
    assert_eq!(b.property("#period-start", "value"), "2021-01-01");
    assert_eq!(b.property("#period-end", "value"), "2021-12-31");
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().canonicalize().unwrap();
    let survey = dir.join("测评.csv");
    std::fs::write(&survey, "单位,满意度\n320623001,96%\n").unwrap();
    let wrong = dir.join("办件-有误.csv");
    std::fs::write(&wrong, "办件编号,行政区划\nX1,320623999\n").unwrap();
    let fixed = dir.join("办件-改正.csv");
    std::fs::write(&fixed, "办件编号,行政区划\nX1,320623001\n").unwrap();
    b.execute("document.getElementById('kind').value = 'survey'; return 0;");
    b.choose_file("#file", &survey);
    b.wait_for("已暂存：测评.csv");
    b.execute("document.getElementById('kind').value = 'cases'; return 0;");
    b.choose_file("#file", &wrong);
    b.wait_for("已暂存：办件-有误.csv");
    b.choose_file("#file", &fixed);
    b.wait_for("替换了之前暂存的 办件-有误.csv");
    // A reload lists both, the corrected one in place of the wrong one.
    b.goto(&format!("{}/a/1/import", d.base));
    let t = b.wait_for("已暂存的文件");
    assert!(
        t.contains("办件-改正.csv") && t.contains("测评.csv") && !t.contains("办件-有误.csv"),
        "{t}"
    );
    assert!(t.contains("满意度测评") && t.contains("字节"), "{t}");
    let rows = b.execute("return document.querySelectorAll('#staged tr').length;");
    assert_eq!(rows, 2);
    // 移除 on the 办件 row (listed first): the survey stays, after another reload too.
    b.click("#staged tr[data-kind='cases'] button.remove-staged");
    b.wait_for("已移除：办件-改正.csv");
    b.goto(&format!("{}/a/1/import", d.base));
    let t = b.wait_for("已暂存的文件");
    assert!(
        t.contains("测评.csv") && !t.contains("办件-改正.csv"),
        "{t}"
    );
    b.click("#staged tr[data-kind='survey'] button.remove-staged");
    b.wait_for("已移除：测评.csv");
    b.goto(&format!("{}/a/1/import", d.base));
    b.wait_for("还没有暂存的文件。");
}
