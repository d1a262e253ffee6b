//! The compliance map `docs/等保与密评.md` (issue 14) cites only tests that exist: in the test column
//! of each table, every file named (`crates/….rs`) exists and every test named (a backquoted
//! `snake_case` name) is a test function — in the file named before it in the same cell — so a test
//! renamed or removed fails here until the map is updated. Every 第三级 application clause of GB/T
//! 22239 the issue lists has its row, and every row of that table names at least one test.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_texts(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name()
                .is_some_and(|n| n != "target" && n != "snapshots")
            {
                rust_texts(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&p).unwrap();
            out.push((p, text));
        }
    }
}

/// Whether `name` is a test function in `text`: marked `#[test]` / `#[tokio::test]`, or an `async
/// fn (db: Db)` that a `kaohe_store::on_both!` list of the workspace runs on both databases.
fn is_test(name: &str, text: &str, all: &[(PathBuf, String)]) -> bool {
    let Some(at) = text.find(&format!("fn {name}(")) else {
        return false;
    };
    // The attribute lines just above the function (doc comments and attributes only).
    let before = &text[..at];
    let marked = before
        .lines()
        .rev()
        // the start of the function's own line (`pub(crate) async `), when it has one
        .skip(usize::from(!before.ends_with('\n')))
        .take_while(|l| l.trim_start().starts_with("#[") || l.trim_start().starts_with("///"))
        .any(|l| {
            let l = l.trim_start();
            l.starts_with("#[test]") || l.starts_with("#[tokio::test")
        });
    marked
        || all.iter().any(|(_, t)| {
            t.split("on_both!(").skip(1).any(|list| {
                list.split(')')
                    .next()
                    .unwrap_or("")
                    .split(',')
                    .any(|n| n.trim() == name)
            })
        })
}

#[test]
fn the_compliance_map_cites_only_tests_that_exist() {
    let root = workspace();
    let map = std::fs::read_to_string(root.join("docs/等保与密评.md")).unwrap();
    let mut all = Vec::new();
    rust_texts(&root.join("crates"), &mut all);
    let mut broken = Vec::new();
    let mut cited = 0;
    let mut clauses = Vec::new();
    let mut in_22239 = false;
    for line in map.lines() {
        if line.starts_with("## ") {
            in_22239 = line.contains("22239");
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | 要求 | 做法 | 算法 | 测试 | 状态 | and | 条款 | 要求 | 做法 | 测试 |: the test column is the fourth.
        if !line.starts_with('|') || cells.len() < 6 || cells[1] == "要求" || cells[1] == "条款"
        {
            continue;
        }
        if cells[1].starts_with("---") {
            continue;
        }
        let tests = cells[4];
        let mut file: Option<PathBuf> = None;
        let mut named = 0;
        for (i, token) in tests.split('`').enumerate() {
            if i % 2 == 0 {
                continue;
            }
            if token.starts_with("crates/") && token.ends_with(".rs") {
                let p = root.join(token);
                if !p.exists() {
                    broken.push(format!("{}：文件 {token} 不存在", cells[1]));
                }
                file = Some(p);
            } else if !token.is_empty()
                && token.contains('_')
                && token
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                named += 1;
                cited += 1;
                let found = all.iter().any(|(p, t)| {
                    file.as_ref()
                        .is_none_or(|f| f.canonicalize().ok() == p.canonicalize().ok())
                        && is_test(token, t, &all)
                });
                if !found {
                    let place = file.as_ref().map_or("源代码".into(), |f| {
                        f.strip_prefix(&root).unwrap_or(f).display().to_string()
                    });
                    broken.push(format!("{}：{place} 中没有测试 {token}", cells[1]));
                }
            }
        }
        if in_22239 {
            clauses.push(cells[1].to_string());
            if named == 0 {
                broken.push(format!("{}：未列出证明它的测试", cells[1]));
            }
        }
    }
    for clause in [
        "身份鉴别",
        "访问控制",
        "安全审计",
        "入侵防范",
        "数据完整性",
        "数据保密性",
        "数据备份恢复",
        "剩余信息保护",
        "个人信息保护",
    ] {
        if !clauses.iter().any(|c| c.ends_with(clause)) {
            broken.push(format!("GB/T 22239 表中缺少“{clause}”一行"));
        }
    }
    assert!(
        cited > 40,
        "only {cited} tests found in the map: is the table still read?"
    );
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}
