//! The canonical writer (`rubric::write`): for every rubric under `rubrics/` and for
//! `tests/every-field.toml` (every field the loader reads), the text it writes loads back as the
//! same rubric in every field, and writing that again gives the same text; and every key the loader
//! accepts, at every level and for every rule kind, is written — a field the loader learns and the
//! writer does not write fails here.

use crate::support::{repo, rubrics};
use kaohe_core::rubric::{self, Rubric};
use std::collections::{BTreeMap, BTreeSet};
use toml::{Table, Value};

/// Every field of a rubric but the sha256 of the file it came from.
fn fields(r: &Rubric) -> String {
    let mut r = r.clone();
    r.sha256.clear();
    format!("{r:#?}")
}

fn every_field_path() -> std::path::PathBuf {
    repo().join("crates/core/tests/every-field.toml")
}

fn every_field_text() -> String {
    std::fs::read_to_string(every_field_path()).unwrap()
}

fn every_field() -> Rubric {
    let (r, problems) = rubric::load("every-field.toml", &every_field_text());
    assert!(problems.is_empty(), "{problems:#?}");
    r.unwrap()
}

#[test]
fn every_rubric_written_loads_back_the_same_and_writing_is_idempotent() {
    let all = rubrics()
        .into_iter()
        .chain([(every_field_path(), every_field())]);
    for (path, r) in all {
        let text = rubric::write(&r);
        let (again, problems) = rubric::load("written.toml", &text);
        let again = again.unwrap_or_else(|| {
            panic!(
                "{}: the written text does not load: {problems:#?}\n{text}",
                path.display()
            )
        });
        // The same warnings as the file itself (e.g. grades that leave a gap), and no error.
        let (_, before) = rubric::load("written.toml", &std::fs::read_to_string(&path).unwrap());
        let messages = |ps: &[kaohe_core::problem::Problem]| {
            ps.iter().map(|p| p.message.clone()).collect::<Vec<_>>()
        };
        assert_eq!(messages(&problems), messages(&before), "{}", path.display());
        assert_eq!(fields(&again), fields(&r), "{}", path.display());
        assert_eq!(rubric::write(&again), text, "{}", path.display());
        assert_eq!(
            rubric::normalized_sha256(&again),
            rubric::normalized_sha256(&r)
        );
    }
}

/// A table's place in a rubric file: keys, each with its index when the key holds a list.
type Path = Vec<(String, Option<usize>)>;

/// Every table of a rubric file with its level (`rubric`, `metrics`, `grades`, `indicators`,
/// `items`, `subitems`, `clauses`, `types`, or a rule's kind) and its path.
fn walk(t: &Table) -> Vec<(String, Path)> {
    fn list<'t>(t: &'t Table, key: &str) -> Vec<&'t Table> {
        t.get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_table).collect())
            .unwrap_or_default()
    }
    fn parent(t: &Table, path: &Path, out: &mut Vec<(String, Path)>) {
        for key in ["items", "subitems", "clauses"] {
            for (i, child) in list(t, key).into_iter().enumerate() {
                let mut p = path.clone();
                p.push((key.into(), Some(i)));
                out.push((key.into(), p.clone()));
                if key != "clauses" {
                    parent(child, &p, out);
                    continue;
                }
                let Some(rule) = child.get("rule").and_then(Value::as_table) else {
                    continue;
                };
                p.push(("rule".into(), None));
                let kind = rule.get("kind").and_then(Value::as_str).unwrap_or("");
                out.push((kind.into(), p.clone()));
                for k in 0..list(rule, "types").len() {
                    let mut q = p.clone();
                    q.push(("types".into(), Some(k)));
                    out.push(("types".into(), q));
                }
            }
        }
    }
    let mut out = vec![("rubric".to_string(), Path::new())];
    for key in ["metrics", "grades", "indicators"] {
        for (i, child) in list(t, key).into_iter().enumerate() {
            let p = vec![(key.to_string(), Some(i))];
            out.push((key.into(), p.clone()));
            if key == "indicators" {
                parent(child, &p, &mut out);
            }
        }
    }
    out
}

fn at_mut<'t>(t: &'t mut Table, path: &Path) -> &'t mut Table {
    path.iter().fold(t, |t, (key, i)| {
        let v = t.get_mut(key).unwrap();
        let v = match i {
            Some(i) => &mut v.as_array_mut().unwrap()[*i],
            None => v,
        };
        v.as_table_mut().unwrap()
    })
}

fn at<'t>(t: &'t Table, path: &Path) -> &'t Table {
    path.iter().fold(t, |t, (key, i)| {
        let v = &t[key.as_str()];
        let v = match i {
            Some(i) => &v.as_array().unwrap()[*i],
            None => v,
        };
        v.as_table().unwrap()
    })
}

/// The keys the loader accepts in the table at `path` of `file`: an unknown key put there is
/// refused with the list of the keys it accepts (`未知字段“zzz”（可用字段：id、title、…）`).
fn accepted(file: &Table, path: &Path) -> BTreeSet<String> {
    let mut t = file.clone();
    at_mut(&mut t, path).insert("zzz".into(), Value::Integer(1));
    let (_, problems) = rubric::load("probe.toml", &t.to_string());
    let p = problems
        .iter()
        .find(|p| p.message.contains("未知字段“zzz”"))
        .unwrap_or_else(|| panic!("{path:?}: no unknown-key problem in {problems:#?}"));
    let list = p
        .message
        .split_once("可用字段：")
        .and_then(|(_, l)| l.strip_suffix('）'))
        .unwrap_or_else(|| panic!("{path:?}: {}", p.message));
    list.split('、').map(str::to_string).collect()
}

#[test]
fn every_key_the_loader_accepts_is_written() {
    let file: Table = every_field_text().parse().unwrap();
    let written: Table = rubric::write(&every_field()).parse().unwrap();
    // What the writer wrote at each level (over every table of that level).
    let mut wrote: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (level, path) in walk(&written) {
        wrote
            .entry(level)
            .or_default()
            .extend(at(&written, &path).keys().cloned());
    }
    // What the loader accepts at each level, probed in the first table of that level of the
    // every-field file; every rule kind must be among its clauses.
    let mut probed = BTreeSet::new();
    let mut missing = Vec::new();
    for (level, path) in walk(&file) {
        if !probed.insert(level.clone()) {
            continue;
        }
        for key in accepted(&file, &path) {
            if !wrote.get(&level).is_some_and(|w| w.contains(&key)) {
                missing.push(format!("{level} › {key}"));
            }
        }
    }
    for (kind, _) in kaohe_core::rules::kinds() {
        assert!(
            probed.contains(kind),
            "every-field.toml has no {kind} clause"
        );
    }
    for level in [
        "rubric",
        "metrics",
        "grades",
        "indicators",
        "items",
        "subitems",
        "types",
    ] {
        assert!(probed.contains(level), "every-field.toml has no {level}");
    }
    assert!(
        missing.is_empty(),
        "keys the loader accepts that the writer does not write (or every-field.toml does not \
         use): {missing:?}"
    );
}

#[test]
fn the_canonical_form_is_the_same_whatever_the_input_form() {
    // Two spellings of one rubric: keys in another order, a bare integer, defaults written out.
    let a = r#"
id = "t"
title = "测试"
year = 2022
source = "测试"
max_total = "1"
ties = "competition"
[[metrics]]
key = "rate"
name = "认领率"
kind = "rate"
[[indicators]]
id = "1"
name = "指标"
max = "1"
[[indicators.items]]
id = "1.1"
name = "类目"
max = "1"
[[indicators.items.clauses]]
id = "1.1.1"
title = "排名"
max = "1"
method = "平台数据"
text = "按认领率排名"
rule = { kind = "rank_step", metric = "rate", better = "higher", first = "1", step = "0.1", ties = "competition" }
"#;
    let b = r#"
title = "测试"
id = "t"
year = 2022
version = "1"
precision = 4
source = "测试"
max_total = 1
[[indicators]]
name = "指标"
id = "1"
max = "1"
[[indicators.items]]
id = "1.1"
max = "1"
name = "类目"
[[indicators.items.clauses]]
rule = { step = "0.1", metric = "rate", kind = "rank_step" }
text = "按认领率排名"
id = "1.1.1"
method = ["平台数据"]
max = "1"
title = "排名"
[[metrics]]
kind = "rate"
key = "rate"
name = "认领率"
"#;
    let (ra, pa) = rubric::load("a.toml", a);
    let (rb, pb) = rubric::load("b.toml", b);
    let ra = ra.unwrap_or_else(|| panic!("{pa:?}"));
    let rb = rb.unwrap_or_else(|| panic!("{pb:?}"));
    assert_ne!(ra.sha256, rb.sha256);
    assert_eq!(rubric::write(&ra), rubric::write(&rb));
    assert_eq!(
        rubric::normalized_sha256(&ra),
        rubric::normalized_sha256(&rb)
    );
    let text = rubric::write(&ra);
    assert!(
        text.contains(r#"rule = { kind = "rank_step", metric = "rate", step = "0.1" }"#),
        "{text}"
    );
    assert!(text.starts_with("id = \"t\"\ntitle = \"测试\"\nyear = 2022\nversion = \"1\"\n"));
}

#[test]
fn a_decimal_keeps_the_places_it_was_written_with() {
    let (r, _) = kaohe_core::rubric::load(
        "rudong-2021.toml",
        &std::fs::read_to_string(crate::support::repo().join("rubrics/rudong-2021.toml")).unwrap(),
    );
    let text = rubric::write(&r.unwrap());
    // 指标 1 is written max = "1.0" and 1.5.1 max = "0.10" in the file.
    assert!(text.contains("id = \"1\"\nname = \"政务服务规范化建设\"\nmax = \"1.0\"\n"));
    assert!(text.contains("max = \"0.10\""));
}
