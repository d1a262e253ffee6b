//! screenshots — the README's pictures of the main pages, taken from a fresh demo in headless
//! Chromium at 1366 pixels wide:
//!
//! ```sh
//! cargo build -p kaohe && cargo run -p kaohe-browser --bin screenshots -- docs/screenshots
//! ```
//!
//! Writes `login.png`, `league.png`, `scorecard.png`, `feedback.png`, `rubric.png`, `import.png`,
//! `audit.png`, `grid.png`, `setup.png`, `whatif.png` (a draft rubric with steeper rank steps
//! tried on the demo's data), `wizard.png` (新建考核) and `rubric-editor.png` (细则编辑 of the
//! year the wizard made) into the folder. The `kaohe` binary is the one built beside this one
//! (`target/debug/kaohe`), or `--kaohe PATH`. Needs chromium and chromium-driver.

use kaohe_browser::{Browser, Demo, Window};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: screenshots [--kaohe PATH] DIR";

/// The window the pictures are taken in.
const SHOT: Window = Window {
    width: 1366,
    height: 1000,
};

/// The window of the rubric editor's picture: one clause and its rule.
const CLAUSE: Window = Window {
    width: 1366,
    height: 680,
};

/// The pages shown to the admin: (path, a text that shows it has loaded, picture).
const PAGES: &[(&str, &str, &str)] = &[
    ("/a/1", "排名", "league.png"),
    (
        "/a/1/u/320623103",
        "分指标得分与全部单位平均",
        "scorecard.png",
    ),
    ("/a/1/u/320623103/feedback", "考核反馈单", "feedback.png"),
    ("/a/1/rubric", "细则", "rubric.png"),
    ("/a/1/import", "导入平台数据", "import.png"),
    ("/a/1/grid", "评分表", "grid.png"),
    ("/a/1/setup", "考核分工", "setup.png"),
];

/// The rubric the demo's assessment uses, made into a draft for 方案对比.
const RUBRIC: &str = include_str!("../../../../rubrics/rudong-2021.toml");

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let mut kaohe = None;
    let mut dir = None;
    while let Some(a) = args.next() {
        if a == "--kaohe" {
            kaohe = args.next().map(PathBuf::from);
        } else if dir.is_none() && !a.to_string_lossy().starts_with('-') {
            dir = Some(PathBuf::from(a));
        } else {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    }
    let Some(dir) = dir else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let kaohe = match kaohe {
        Some(k) => k,
        None => match beside_this_binary() {
            Some(k) => k,
            None => {
                eprintln!(
                    "screenshots: no kaohe binary beside this one; build it first (cargo build -p kaohe) or give --kaohe PATH"
                );
                return ExitCode::from(2);
            }
        },
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("screenshots: {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    match take(&kaohe, &dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("screenshots: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `kaohe` in the folder this binary was built into, if it is there.
fn beside_this_binary() -> Option<PathBuf> {
    let me = std::env::current_exe().ok()?;
    let k = me.with_file_name(format!("kaohe{}", std::env::consts::EXE_SUFFIX));
    k.is_file().then_some(k)
}

fn take(kaohe: &Path, dir: &Path) -> std::io::Result<()> {
    let d = Demo::start(kaohe);
    let b = Browser::start(Window::DESKTOP);
    b.set_window(SHOT);
    let shot = |name: &str| -> std::io::Result<()> {
        let path = dir.join(name);
        std::fs::write(&path, b.screenshot())?;
        println!("{}", path.display());
        Ok(())
    };
    b.goto(&d.url("/login"));
    b.wait_for("登录");
    shot("login.png")?;
    b.login(&d.base, "admin", "kaohe-admin-2021");
    for (path, shown, name) in PAGES {
        b.goto(&d.url(path));
        b.wait_for(shown);
        shot(name)?;
    }
    whatif(&d, &b)?;
    shot("whatif.png")?;
    // 新建考核 and 细则编辑 at the smallest desktop (the pages are mostly form, the pictures small).
    b.set_window(Window::DESKTOP);
    b.goto(&d.url("/new"));
    b.wait_for("按所选考核填入默认值");
    shot("wizard.png")?;
    // The wizard's 2022, in 草稿: its rubric editable, shown at a ranked clause's rule form.
    b.click("#wizard button[type=submit]");
    b.wait_for("已新建考核");
    b.goto(&d.url("/a/2/rubric/edit"));
    b.wait_for("检查结果");
    // A clause with its rule's form, below the sticky buttons (kept under 100 KB: one clause).
    b.set_window(CLAUSE);
    b.execute(
        "document.getElementById('c-1.4.1').scrollIntoView(); window.scrollBy(0, -50); return 0;",
    );
    shot("rubric-editor.png")?;
    b.set_window(SHOT);
    // The audit log is the 审计管理员's (三员分立).
    b.logout();
    b.login(&d.base, "auditor", "Kaohe-audit-2021");
    b.goto(&d.url("/audit"));
    b.wait_for("校验链完好");
    shot("audit.png")
}

/// 方案对比 of a draft whose rank steps are 0.005 instead of 0.002, chosen as a file, its units
/// sorted by 差值 and then by 名次变化.
fn whatif(d: &Demo, b: &Browser) -> std::io::Result<()> {
    let tmp = tempfile::tempdir()?;
    // chromedriver wants a plain absolute path.
    let draft = tmp.path().canonicalize()?.join("2022征求意见稿.toml");
    std::fs::write(
        &draft,
        RUBRIC.replace(r#"step = "0.002""#, r#"step = "0.005""#),
    )?;
    b.goto(&d.url("/a/1/whatif"));
    b.wait_for("或上传一份细则草案");
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
    if !filled {
        return Err(std::io::Error::other(
            "方案对比: the draft's text never reached the form",
        ));
    }
    b.click("#draft button[type=submit]");
    b.wait_for("细则改动 2 条");
    b.click("#whatif-units th:nth-child(4)");
    b.click("#whatif-units th:nth-child(7)");
    Ok(())
}
