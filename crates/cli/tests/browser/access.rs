//! 权限 in a real browser: a reporter is refused another unit's page, and a leader sees no result
//! before 公示.

use super::{demo, enabled};
use kaohe_browser::{Browser, Window};

#[test]
fn a_reporter_cannot_open_another_units_page_and_a_leader_waits_for_publication() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::DESKTOP);
    b.login(&d.base, "juegang", "kaohe-reporter-2021");
    b.goto(&format!("{}/a/1/u/320623001", d.base));
    b.wait_for("掘港街道（320623001）考核表");
    b.goto(&format!("{}/a/1/u/320623100", d.base));
    let t = b.wait_for("无权查看单位 320623100 的考核表");
    assert!(!t.contains("马塘镇（320623100）考核表"));
    b.logout();
    b.login(&d.base, "leader", "kaohe-viewer-2021");
    b.goto(&format!("{}/a/1", d.base));
    b.wait_for("结果尚未公示（当前为“考核”阶段）");
}
