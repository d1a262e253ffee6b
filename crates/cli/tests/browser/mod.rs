//! The main flows in a real browser: headless Chromium driven through chromedriver (kaohe-browser's
//! small WebDriver client), against `kaohe demo` on a free port, one file per area.
//! Run when `KAOHE_BROWSER_TESTS=1`; `.ci/run` installs chromium and chromium-driver and sets it.

/// A reporter refused another unit's page; a leader before 公示.
mod access;
/// 评分表: sticky header and unit column, Enter down the column, errors and conflicts in the cell,
/// the phone (issue 13).
mod grid;
/// An admin imports case records and reads the audit log.
mod import;
/// A finding's photo from the phone's camera input and an objection with a file, on a 390 px phone.
mod objection_files;
/// 公示, an objection and its decision, 定档, and the league table.
mod publication;
/// 细则编辑: paste the seed, the suggested rules, edit, save, diff, 生效 (issue 12).
mod rubric_editor;
/// An assessor scores on a unit's page.
mod scoring;
/// A reporter self-assesses and uploads evidence.
mod self_assessment;
/// 方案对比 with a draft rubric.
mod whatif;
/// 新建考核: 2021 copied into 2022, its dates and history; an objection after the window refused.
mod wizard;

use kaohe_browser::Demo;

/// Whether the browser tests run: with `KAOHE_BROWSER_TESTS` set. Otherwise each says on the terminal
/// that it was skipped — and in CI (`CI` set; `.ci/run` installs chromium and sets both) it fails.
fn enabled() -> bool {
    if std::env::var_os("KAOHE_BROWSER_TESTS").is_some() {
        return true;
    }
    kaohe_store::testdb::skipped(
        "chromium and chromedriver",
        "set KAOHE_BROWSER_TESTS=1 (as .ci/run does) to run the real-browser tests",
    );
    false
}

/// `kaohe demo` (this build's binary) in a fresh directory on a free port.
fn demo() -> Demo {
    Demo::start(std::path::Path::new(env!("CARGO_BIN_EXE_kaohe")))
}
