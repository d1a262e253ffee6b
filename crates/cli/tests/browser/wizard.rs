//! 新建考核 in a real browser: the admin copies the demo's 2021 into 2022 with the wizard; the
//! dashboard shows 2022's 考核期 and dates, the unit page's 历年总分 shows 2021 and 2022 (not
//! "2021年" twice), and an objection after 2022's 公示 window is refused with the date.

use super::{demo, enabled};
use kaohe_browser::{Browser, Window};
use kaohe_store::{Stage, Store};

#[test]
fn the_wizard_copies_2021_into_2022_and_an_objection_after_the_window_is_refused() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::DESKTOP);
    b.login(&d.base, "admin", "kaohe-admin-2021");
    b.goto(&d.base);
    b.wait_for("新建考核");
    b.click("#new-assessment");
    b.wait_for("按所选考核填入默认值");
    // The defaults: the demo's year + 1, its title with that year, the whole year as the 考核期.
    let value = |css: &str| b.property(css, "value").as_str().unwrap().to_string();
    assert_eq!(value("#wizard input[name=year]"), "2022");
    assert_eq!(
        value("#wizard input[name=title]"),
        "2022年度镇区、街道政务服务考核（示例数据）"
    );
    assert_eq!(value("#wizard input[name=period_start]"), "2022-01-01");
    assert_eq!(value("#wizard input[name=period_end]"), "2022-12-31");
    assert_eq!(value("#wizard input[name=self_deadline]"), "2023-01-15");
    assert_eq!(value("#wizard input[name=publication_days]"), "5");
    b.click("#wizard button[type=submit]");
    let t = b.wait_for("已新建考核");
    assert!(t.contains("草稿"), "{t}");
    b.goto(&d.base);
    let t = b.wait_for("考核期 2022-01-01 至 2022-12-31");
    assert!(t.contains("自评截止 2023-01-15，已截止"), "{t}");
    assert!(
        t.contains("公示期 5 个工作日（自进入公示阶段的次日起算）"),
        "{t}"
    );
    // 2022 was published on Monday 2023-02-06 at 10:00 Beijing time (set up in the store: the
    // browser runs on today's clock): its window closed at 24:00 on 2023-02-13.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = Store::open(&d.data_dir()).await.unwrap();
        let admin = s.user_by_login("admin").await.unwrap().unwrap();
        let id = s.assessments().await.unwrap().last().unwrap().id;
        assert_eq!(s.assessment(id).await.unwrap().year, 2022);
        for to in [Stage::SelfAssessment, Stage::Review, Stage::Publication] {
            s.advance(
                &admin,
                id,
                to,
                "示例：2022 年度",
                "2023-02-06T02:00:00Z",
                kaohe_store::Gate::none(),
            )
            .await
            .unwrap();
        }
    });
    // 历年总分 on 掘港街道's 2022 page: 2021 and 2022, each once.
    b.goto(&format!("{}/a/2/u/320623001", d.base));
    b.wait_for("历年总分");
    let years = b.execute(
        "return Array.from(document.querySelectorAll('svg[aria-label=\"历年总分\"] text')).map(t => t.textContent).filter(t => t.endsWith('年')).join(',')",
    );
    assert_eq!(years.as_str(), Some("2021年,2022年"));
    b.logout();
    // 掘港街道's reporter: the dashboard says the window is over, and an objection is refused.
    b.login(&d.base, "juegang", "kaohe-reporter-2021");
    b.goto(&d.base);
    b.wait_for("公示期至 2023-02-13，已结束，不再受理异议");
    b.goto(&format!("{}/a/2/u/320623001", d.base));
    b.wait_for("提出异议");
    b.click("#object select[name=clause] option[value='1.5.3']");
    b.type_text("#object input[name=reason]", "差评均已回访，附回访记录");
    b.click("#object button[type=submit]");
    let t = b.wait_for("公示期已于 2023-02-13（北京时间当日 24 时）结束，不能再提出异议");
    assert!(!t.contains("异议已提交"), "{t}");
}
