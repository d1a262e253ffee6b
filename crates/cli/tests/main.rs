//! End-to-end tests of the `kaohe` binary. One binary; each module says what belongs in it.

/// `kaohe audit verify --archive`: the audit admin's archive checked offline (issue 14).
mod audit_archive;
/// Bad inputs: each gives its own error with file, row, column and value, and exit status 2.
mod bad_inputs;
/// Real-browser flows by area (Debian's chromium and chromium-driver, driven with kaohe-browser), run
/// when KAOHE_BROWSER_TESTS=1 (.ci/run installs them and sets it).
mod browser;
/// The compliance map docs/等保与密评.md cites only tests that exist (issue 14).
mod compliance_map;
/// `--data-key`: an SM4 data key that cannot be used stops the start; `kaohe data-key encrypt`.
mod data_key;
/// `kaohe demo` and `kaohe score` on the demo: the ranked table, the JSON contract, snapshots, and
/// three units worked out by hand.
mod demo;
/// The hostile files of issue 9 (tests/hostile/) through the CLI: exit 2, a short Chinese error.
mod hostile;
/// Inputs in other shapes: one workbook with a sheet per table, GBK files, English headers.
mod inputs;
/// Platform exports end to end: `kaohe ingest`, `kaohe score --cases …`, `kaohe calendar`.
mod platform;
/// The real rubrics of issue 11 (rubrics/<id>.toml with rubrics/source/<id>.txt): check, verbatim
/// texts, their demo inputs scored to a snapshot.
mod real_rubrics;
/// `kaohe rubric check` and `kaohe rubric show`.
mod rubric;
/// `kaohe rubric export --format xlsx` and `kaohe rubric import`: the round trip, bad cells.
mod rubric_sheet;
/// The real `kaohe serve` never writes a password to its output (issue 14).
mod secrets;
/// The service's data directory from the command line: `kaohe user add`, `kaohe audit verify`.
mod service;
/// Shared helpers: running the binary, copying the demo inputs into a scratch folder.
mod support;
/// House rules of the workspace: module docs, no `#[ignore]`, no `dbg!`, file lengths.
mod tidy;
/// `kaohe verify FILE`: a sealed result's SM2 signature, and each way a file can be wrong.
mod verify;
// `kaohe whatif`.
mod whatif;
/// The XLSX workbook read back: sheets, merged header, frozen panes, numbers, formula injection.
mod xlsx;
