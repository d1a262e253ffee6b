//! Helpers shared by the test modules.

use kaohe_core::rubric::{self, Rubric};
use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every rubric file under `rubrics/` (not `rubrics/source/`), loaded; panics with its problems.
pub fn rubrics() -> Vec<(PathBuf, Rubric)> {
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo().join("rubrics"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        let (r, problems) = rubric::load(&p.file_name().unwrap().to_string_lossy(), &text);
        let r = r.unwrap_or_else(|| panic!("{} is invalid: {problems:#?}", p.display()));
        out.push((p, r));
    }
    assert!(!out.is_empty(), "no rubric under rubrics/");
    out
}

pub fn rudong() -> Rubric {
    rubrics()
        .into_iter()
        .find(|(_, r)| r.id == "rudong-2021")
        .expect("rubrics/rudong-2021.toml")
        .1
}
