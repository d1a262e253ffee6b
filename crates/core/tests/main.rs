//! Integration tests of kaohe-core. One binary; each module says what belongs in it.

// The tests and benchmarks read the rubric and case files from disk and time from outside: the core's
// bans on IO and the clock (crates/core/clippy.toml) are for the library, not for them.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

/// The clause-level shapes of issue 11: each misuse of a new rubric field is a problem.
mod clause_shapes;
/// Worked cases per clause, from data files under `tests/clauses/<rubric id>/<clause id>.toml`;
/// fails when any clause of any rubric under `rubrics/` has none.
mod clauses;
// 方案对比 (what-if).
mod compare;
/// Snapshots of the Chinese explanations a clerk reads (insta).
mod explanations;
/// Pasted 细则: the seed's own text split into rudong-2021's clauses, each with its rule kind suggested.
mod paste;
/// Invariants over random inputs (proptest).
mod properties;
/// 增量计分: a result brought up to date after changes to any input table equals scoring from scratch.
mod rescore;
/// The rubric files under `rubrics/`: they load, match RULES.md, keep the seed's text verbatim;
/// broken rubrics report every problem.
mod rubric_files;
/// Two and four levels, and a clause's separate texts: what loads, and each misuse.
mod rubric_levels;
/// The canonical writer: every rubric written loads back the same; writing is idempotent.
mod rubric_write;
/// Shared helpers.
mod support;
