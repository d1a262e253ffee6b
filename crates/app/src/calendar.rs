//! The working-day calendar: the years compiled in (2020–2026) plus every `*.toml` in a calendar
//! directory — read within limits (files, bytes, UTF-8), each refusal a problem naming the file.
//! A service's imports use `<data>/calendars/` (the web and `kaohe import` alike).

use kaohe_core::calendar::{self, Calendar};
use kaohe_core::problem::{Origin, Problem};
use std::path::{Path, PathBuf};

/// Calendar files read from one directory, at most (one per year is the norm).
pub const MAX_FILES: usize = 200;
/// Bytes of one calendar file, at most (a year's holidays and 调休 days take under 4 KB).
pub const MAX_BYTES: u64 = 256 * 1024;

/// The calendar directory of a service's data directory.
pub fn of_data_dir(data: &Path) -> PathBuf {
    data.join("calendars")
}

/// The built-in years plus the `*.toml` files of `dir` (none when it does not exist): the calendar,
/// or every problem found.
pub fn load(dir: Option<&Path>) -> (Option<Calendar>, Vec<Problem>) {
    let mut files: Vec<(String, String)> =
        vec![("2020-2026.toml（内置）".into(), calendar::BUILTIN.into())];
    let mut problems = Vec::new();
    if let Some(d) = dir.filter(|d| d.is_dir()) {
        let mut paths: Vec<PathBuf> = match std::fs::read_dir(d) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect(),
            Err(e) => {
                let at = Origin::file(d.display().to_string());
                return (
                    None,
                    vec![Problem::error(format!("无法读取日历目录：{e}")).at(Some(at))],
                );
            }
        };
        paths.sort();
        if paths.len() > MAX_FILES {
            let at = Origin::file(d.display().to_string());
            let p = Problem::error(format!(
                "日历目录中有 {} 个 .toml 文件，超过上限 {MAX_FILES} 个",
                paths.len()
            ))
            .at(Some(at))
            .expected("每年一个日历文件");
            return (None, vec![p]);
        }
        for p in paths {
            let name = p.display().to_string();
            match read_within(&p) {
                Ok(text) => files.push((name, text)),
                Err(why) => problems.push(Problem::error(why).at(Some(Origin::file(name)))),
            }
        }
    }
    if !problems.is_empty() {
        return (None, problems);
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    Calendar::load(&refs)
}

/// A calendar file's text, or why not (too big, unreadable, not UTF-8).
fn read_within(p: &Path) -> Result<String, String> {
    let size = std::fs::metadata(p)
        .map_err(|e| format!("无法读取：{e}"))?
        .len();
    if size > MAX_BYTES {
        return Err(format!(
            "日历文件有 {size} 字节，超过上限 {MAX_BYTES} 字节（一年的日历不到 4 KB）"
        ));
    }
    let bytes = std::fs::read(p).map_err(|e| format!("无法读取：{e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "日历文件不是 UTF-8 编码：第 {} 字节起无法识别",
            e.utf8_error().valid_up_to() + 1
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_years_and_a_directorys_files_within_limits() {
        let (cal, p) = load(None);
        assert!(cal.is_some() && p.is_empty(), "{p:?}");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("2027.toml"),
            "[2027]\nsource = \"测试\"\nholidays = [\"2027-01-01\"]\nextra_workdays = []\n",
        )
        .unwrap();
        let (cal, p) = load(Some(dir.path()));
        assert!(p.is_empty(), "{p:?}");
        let d = kaohe_core::Date::parse("2027-01-01").unwrap();
        assert!(!cal.unwrap().is_working_day(d).unwrap());
        std::fs::write(
            dir.path().join("2028.toml"),
            vec![b'#'; MAX_BYTES as usize + 1],
        )
        .unwrap();
        let (cal, p) = load(Some(dir.path()));
        assert!(cal.is_none());
        assert!(p[0].message.contains("超过上限 262144 字节"), "{p:?}");
        std::fs::write(dir.path().join("2028.toml"), b"# \xc8\xd5\n").unwrap();
        let (_, p) = load(Some(dir.path()));
        assert!(
            p[0].message.contains("不是 UTF-8 编码：第 3 字节起"),
            "{p:?}"
        );
    }
}
