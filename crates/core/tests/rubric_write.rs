//! The canonical writer (`rubric::write`): for every rubric under `rubrics/`, the text it writes
//! loads back as the same rubric in every field, and writing that again gives the same text.

use crate::support::rubrics;
use kaohe_core::rubric::{self, Rubric};

/// Every field of a rubric but the sha256 of the file it came from.
fn fields(r: &Rubric) -> String {
    let mut r = r.clone();
    r.sha256.clear();
    format!("{r:#?}")
}

#[test]
fn every_rubric_written_loads_back_the_same_and_writing_is_idempotent() {
    for (path, r) in rubrics() {
        if !rubric::write::unsupported(&r).is_empty() {
            // Refused by the export (tested there); the writer does not know these fields yet.
            continue;
        }
        let text = rubric::write(&r);
        let (again, problems) = rubric::load("written.toml", &text);
        let again = again.unwrap_or_else(|| {
            panic!(
                "{}: the written text does not load: {problems:#?}\n{text}",
                path.display()
            )
        });
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
        assert_eq!(fields(&again), fields(&r), "{}", path.display());
        assert_eq!(rubric::write(&again), text, "{}", path.display());
        assert_eq!(
            rubric::normalized_sha256(&again),
            rubric::normalized_sha256(&r)
        );
    }
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
