//! Integration tests of kaohe-core. One binary; each module says what belongs in it.

/// Worked cases per clause, from data files under `tests/clauses/<rubric id>/<clause id>.toml`;
/// fails when any clause of any rubric under `rubrics/` has none.
mod clauses;
// 方案对比 (what-if).
mod compare;
/// Snapshots of the Chinese explanations a clerk reads (insta).
mod explanations;
/// Invariants over random inputs (proptest).
mod properties;
/// The rubric files under `rubrics/`: they load, match RULES.md, keep the seed's text verbatim;
/// broken rubrics report every problem.
mod rubric_files;
/// Shared helpers.
mod support;
