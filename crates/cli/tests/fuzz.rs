//! A bounded mutation fuzzer, run in CI like any test: the demo inputs (examples/rudong-2021),
//! trimmed platform exports (examples/rudong-2021-platform), XLSX workbooks (the zip's bytes, its
//! sheet XML, its shared strings, its other parts) and the rubric files (rubrics/*.toml), each case a
//! seed mutated by a small deterministic PRNG, fed to the same library entry points the CLI and the
//! service use (`kaohe_tables::read_inputs[_from_files]`, `kaohe_platform::indicators::compute`,
//! `kaohe_core::rubric::load_bytes`, then `kaohe_core::score` on whatever loads).
//!
//! Every case runs on its own thread under `catch_unwind`; a case that panics, takes longer than
//! [`CASE_TIME`], or raises the heap past [`CASE_MEMORY`] above where it started (a counting global
//! allocator, this binary only) is a failure, written to `target/fuzz-failures/` so that it can be
//! added to `tests/hostile/`. The count (`KAOHE_FUZZ_CASES`, default 10,000) and the seed
//! (`KAOHE_FUZZ_SEED`, by default one per day: each day's runs try other cases, and a failure names
//! its seed so it can be run again) are printed.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Counts the bytes on the heap and the most there have been.
struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        // SAFETY: the caller's layout goes to the system allocator unchanged.
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = NOW.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: `p` was allocated above with this layout.
        unsafe { System.dealloc(p, l) };
        NOW.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        // SAFETY: as for `alloc` and `dealloc`.
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new >= l.size() {
                let now = NOW.fetch_add(new - l.size(), Ordering::Relaxed) + (new - l.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                NOW.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The longest a case may take (in the debug test profile).
const CASE_TIME: Duration = Duration::from_secs(2);
/// The most a case may raise the heap: the smallest reader's bound in README.md ("Limits of what
/// kaohe reads"); the seeds are small, so a case near it means a limit was missed.
const CASE_MEMORY: usize = 256 * 1024 * 1024;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Tokens that break parsers: separators, quotes, encodings, numbers at their edges.
const TOKENS: &[&[u8]] = &[
    b",",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r",
    b"\r\n",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\x00",
    b"\xFF",
    b"\xC3",
    b"\xE4\xB8",
    "９９．５％".as_bytes(),
    b"%",
    b"-",
    b"-1",
    b"0",
    b"1e9999",
    b"99999999999999999999999999999999",
    b"0.0000000000000000000000000001",
    b"NaN",
    b"inf",
    b"2021-02-29 25:61:61",
    b"2021/01/04 15:52",
    b"20210104T155218",
    b"=cmd|' /C calc'!A0",
    "\u{3000}".as_bytes(),
    "掘港街道".as_bytes(),
    b"320623001",
    b"1.1.1",
    b"2.3.3",
    b"\t",
    b"[[indicators]]",
    b"[[indicators.items.clauses]]",
    b"max = \"1e99\"",
    b"= {",
    b"]]]]",
    b"<row r=\"1048576\">",
    b"<c r=\"XFD1\" t=\"s\"><v>0</v></c>",
    b"&#x10FFFF;",
    b"&amp;",
    b"<![CDATA[",
    b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    b"&a;",
    b"PK\x03\x04",
    b"PK\x05\x06",
];

/// One byte-level mutation of `b` (kept under `max` bytes).
fn mutate_bytes(r: &mut Rng, b: &mut Vec<u8>, max: usize) {
    let len = b.len();
    match r.below(10) {
        0 if len > 0 => {
            let i = r.below(len);
            b[i] ^= 1 << r.below(8);
        }
        1 if len > 0 => {
            let i = r.below(len);
            b[i] = r.next() as u8;
        }
        2 => {
            let i = r.below(len + 1);
            let t = r.pick(TOKENS);
            b.splice(i..i, t.iter().copied());
        }
        3 if len > 0 => {
            let i = r.below(len);
            let n = 1 + r.below((len - i).min(256));
            b.drain(i..i + n);
        }
        4 if len > 0 => {
            // Duplicate a range (a row, a tag).
            let i = r.below(len);
            let n = 1 + r.below((len - i).min(512));
            let copy: Vec<u8> = b[i..i + n].to_vec();
            let at = r.below(b.len() + 1);
            b.splice(at..at, copy);
        }
        5 if len > 0 => b.truncate(r.below(len)),
        6 => {
            // A long run: a field, a header or a text node far past its limit.
            let i = r.below(len + 1);
            let byte = *r.pick(b"x,\" 9<");
            let n = *r.pick(&[100, 1000, 33_000, 70_000]);
            b.splice(i..i, std::iter::repeat_n(byte, n));
        }
        7 if len > 1 => {
            // Swap two bytes far apart.
            let (i, j) = (r.below(len), r.below(len));
            b.swap(i, j);
        }
        _ => {
            let i = r.below(len + 1);
            let n = 1 + r.below(8);
            let junk: Vec<u8> = (0..n).map(|_| r.next() as u8).collect();
            b.splice(i..i, junk);
        }
    }
    b.truncate(max);
}

fn mutate(r: &mut Rng, b: &mut Vec<u8>, max: usize) {
    for _ in 0..1 + r.below(4) {
        mutate_bytes(r, b, max);
    }
}

/// XML-aware mutations of a worksheet or shared-strings part.
fn mutate_xml(r: &mut Rng, b: &mut Vec<u8>) {
    let text = String::from_utf8_lossy(b).into_owned();
    let out = match r.below(6) {
        0 => {
            // A cell moved far away (the XFD1048576 abort), or to a position that is no position.
            let to = *r.pick(&[
                "XFD1048576",
                "A1048576",
                "AMK1",
                "AMJ2",
                "A0",
                "",
                "A99999999999",
                "ZZZZ1",
                "B2",
            ]);
            match text.match_indices("r=\"").nth(r.below(40)) {
                Some((i, _)) => {
                    let end = text[i + 3..].find('"').map_or(text.len(), |e| i + 3 + e);
                    format!("{}r=\"{to}{}", &text[..i], &text[end..])
                }
                None => text,
            }
        }
        1 => {
            // A value that is no value, or an index past the shared strings.
            let v = *r.pick(&["-1", "99999999", "1e308", "abc", "", "0.1.2", "4294967296"]);
            match text.match_indices("<v>").nth(r.below(40)) {
                Some((i, _)) => {
                    let end = text[i..].find("</v>").map_or(text.len(), |e| i + e);
                    format!("{}<v>{v}{}", &text[..i], &text[end..])
                }
                None => text,
            }
        }
        2 => {
            // A long inline string (past a cell's length or not).
            let n = *r.pick(&[10, 32_767, 32_768, 40_000]);
            let cell = format!(
                "<c r=\"C3\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                "理".repeat(n)
            );
            match text.find("</row>") {
                Some(i) => format!("{}{cell}{}", &text[..i], &text[i..]),
                None => text,
            }
        }
        3 => text.replacen(
            "<sheetData>",
            "<dimension ref=\"A1:XFD1048576\"/><sheetData>",
            1,
        ),
        4 => {
            let n = *r.pick(&[10, 1000, 40_000]);
            let si = format!("<si><t>{}</t></si>", "串".repeat(n));
            text.replacen("</sst>", &format!("{si}</sst>"), 1)
        }
        _ => {
            // Duplicate rows.
            match (text.find("<row"), text.rfind("</row>")) {
                (Some(a), Some(z)) if z > a => {
                    let rows = &text[a..z + 6];
                    format!("{}{rows}{rows}{}", &text[..z + 6], &text[z + 6..])
                }
                _ => text,
            }
        }
    };
    *b = out.into_bytes();
}

/// Values that a rubric's validation and the engine must refuse or handle: the TOML stays valid, so
/// the case reaches the rubric's checks and the scoring.
const TOML_VALUES: &[&str] = &[
    "\"-1\"",
    "\"0\"",
    "\"1e99\"",
    "\"\"",
    "\"0.0000000000000000000000000001\"",
    "\"79228162514264337593543950335\"",
    "\"99999999999999999999999999999\"",
    "-1",
    "0",
    "4294967296",
    "true",
    "[]",
    "{}",
    "\"九\"",
    "\"0.05\"",
    "\"deduction\"",
    "\"tiers\"",
    "\"rank_ratio\"",
    "\"veto\"",
    "\"1.1.1\"",
    "\"2.3.3\"",
    "\"online_rate\"",
];

fn mutate_toml_values(r: &mut Rng, b: &mut Vec<u8>) {
    let text = String::from_utf8_lossy(b).into_owned();
    let spots: Vec<usize> = text.match_indices(" = ").map(|(i, _)| i + 3).collect();
    let mut out = text.clone();
    for _ in 0..1 + r.below(3) {
        let Some(&at) = spots.get(r.below(spots.len().max(1))) else {
            break;
        };
        if at >= out.len() || !out.is_char_boundary(at) {
            continue;
        }
        let end = out[at..].find('\n').map_or(out.len(), |e| at + e);
        let value: &str = TOML_VALUES[r.below(TOML_VALUES.len())];
        out.replace_range(at..end, value);
    }
    *b = out.into_bytes();
}

fn zip(parts: &[(String, Vec<u8>)], stored: bool) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method = if stored {
        zip::CompressionMethod::Stored
    } else {
        zip::CompressionMethod::Deflated
    };
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in parts {
        if w.start_file(name.as_str(), opts).is_err() {
            continue;
        }
        let _ = w.write_all(bytes);
    }
    w.finish().map(|c| c.into_inner()).unwrap_or_default()
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().map(|n| n.to_string()).unwrap_or_default(), b)
        })
        .collect()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The seeds, read once.
struct Seeds {
    demo: Vec<(String, Vec<u8>)>,
    platform_units: Vec<kaohe_core::input::Unit>,
    exports: Vec<(String, Vec<u8>)>,
    workbook: Vec<(String, Vec<u8>)>,
    rubrics: Vec<(String, Vec<u8>)>,
    rubric: kaohe_core::rubric::Rubric,
}

fn seeds() -> Seeds {
    let dir = |d: &str| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(repo().join(d))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "csv" || e == "toml"))
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let demo = dir("examples/rudong-2021");
    // Exports cut to their first 120 lines: small cases, so that 10,000 of them fit in CI.
    let exports = dir("examples/rudong-2021-platform/exports")
        .into_iter()
        .map(|(n, b)| {
            let mut lines = 0;
            let cut = b
                .iter()
                .position(|&c| {
                    lines += usize::from(c == b'\n');
                    lines == 120
                })
                .map_or(b.len(), |p| p + 1);
            (n, b[..cut].to_vec())
        })
        .collect();
    let (platform_units, p) = kaohe_tables::batch::read_units_file(
        &repo().join("examples/rudong-2021-platform/units.csv"),
    );
    assert!(p.is_empty(), "{p:?}");
    // A workbook of the demo's five tables, one sheet each, as rust_xlsxwriter writes it.
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, bytes) in &demo {
        let ws = wb.add_worksheet();
        ws.set_name(name.trim_end_matches(".csv")).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        for (r, line) in text.lines().enumerate() {
            for (c, cell) in line.split(',').enumerate() {
                match cell.parse::<f64>() {
                    Ok(x) if r > 0 && !cell.is_empty() && cell.len() < 9 => {
                        ws.write_number(r as u32, c as u16, x).unwrap()
                    }
                    _ => ws.write_string(r as u32, c as u16, cell).unwrap(),
                };
            }
        }
    }
    let workbook = unzip(&wb.save_to_buffer().unwrap());
    let rubrics = dir("rubrics");
    let (rubric, p) = kaohe_core::rubric::load(
        "rudong-2021.toml",
        &String::from_utf8(
            rubrics
                .iter()
                .find(|(n, _)| n == "rudong-2021.toml")
                .unwrap()
                .1
                .clone(),
        )
        .unwrap(),
    );
    let rubric = rubric.unwrap_or_else(|| panic!("{p:?}"));
    Seeds {
        demo,
        platform_units,
        exports,
        workbook,
        rubrics,
        rubric,
    }
}

/// A case: what it is, its input files (name, bytes).
struct Case {
    kind: &'static str,
    files: Vec<(String, Vec<u8>)>,
}

fn make_case(r: &mut Rng, s: &Seeds, i: usize) -> Case {
    match i % 6 {
        0 => {
            let mut files = s.demo.clone();
            for _ in 0..1 + usize::from(r.chance(4)) {
                let k = r.below(files.len());
                mutate(r, &mut files[k].1, 256 * 1024);
            }
            Case { kind: "csv", files }
        }
        1 => {
            let mut files = s.exports.clone();
            let k = r.below(files.len());
            mutate(r, &mut files[k].1, 256 * 1024);
            Case {
                kind: "platform",
                files,
            }
        }
        2 => {
            let mut bytes = zip(&s.workbook, r.chance(2));
            mutate(r, &mut bytes, 1024 * 1024);
            Case {
                kind: "xlsx-zip",
                files: vec![("inputs.xlsx".into(), bytes)],
            }
        }
        3 | 4 => {
            let mut parts = s.workbook.clone();
            let want = if i % 6 == 3 {
                "worksheets/sheet"
            } else {
                "sharedStrings"
            };
            let candidates: Vec<usize> = (0..parts.len())
                .filter(|&k| parts[k].0.contains(want) || r.chance(8))
                .collect();
            let k = if candidates.is_empty() {
                r.below(parts.len())
            } else {
                *r.pick(&candidates)
            };
            if r.chance(2) {
                mutate_xml(r, &mut parts[k].1);
            } else {
                mutate(r, &mut parts[k].1, 1024 * 1024);
            }
            if r.chance(16) {
                let gone = r.below(parts.len());
                parts.remove(gone);
            }
            Case {
                kind: "xlsx-part",
                files: vec![("inputs.xlsx".into(), zip(&parts, r.chance(3)))],
            }
        }
        _ => {
            let (name, mut bytes) = r.pick(&s.rubrics).clone();
            if r.chance(2) {
                mutate_toml_values(r, &mut bytes);
            } else {
                mutate(r, &mut bytes, 512 * 1024);
            }
            Case {
                kind: "rubric",
                files: vec![(name, bytes)],
            }
        }
    }
}

/// Runs a case through the entry points the CLI and the service use.
fn run_case(case: &Case, s: &Seeds, dir: &Path) {
    match case.kind {
        "csv" => {
            let (inputs, _, _) =
                kaohe_tables::read_inputs_from_files(case.files.clone(), &s.rubric);
            let _ = kaohe_core::score(&s.rubric, &inputs);
        }
        "platform" => {
            let mut paths = Vec::new();
            for (name, bytes) in &case.files {
                let p = dir.join(name);
                std::fs::write(&p, bytes).unwrap();
                paths.push(p);
            }
            let by = |needle: &str| -> Vec<PathBuf> {
                paths
                    .iter()
                    .filter(|p| p.to_string_lossy().contains(needle))
                    .cloned()
                    .collect()
            };
            let cal = kaohe_core::calendar::Calendar::builtin();
            let (ind, _) =
                kaohe_platform::indicators::compute(kaohe_platform::indicators::Request {
                    units: &s.platform_units,
                    calendar: &cal,
                    period: kaohe_platform::indicators::Period::parse("2021-01-01..2021-12-31")
                        .unwrap(),
                    cases: &by("办件"),
                    claims: &by("认领"),
                    surveys: &by("满意度"),
                    scale: None,
                    skip_bad_rows: case.files[0].1.len().is_multiple_of(2),
                    threads: 1 + case.files[1].1.len() % 2,
                    progress: None,
                    overdue_sink: None,
                });
            if let Some(ind) = ind {
                let (mut inputs, _, _) =
                    kaohe_tables::read_inputs_from_files(s.demo.clone(), &s.rubric);
                let _ = kaohe_platform::indicators::merge_into(&mut inputs, &ind, &s.rubric);
                let _ = kaohe_core::score(&s.rubric, &inputs);
            }
        }
        "xlsx-zip" | "xlsx-part" => {
            let p = dir.join(&case.files[0].0);
            std::fs::write(&p, &case.files[0].1).unwrap();
            let (inputs, _, _) = kaohe_tables::read_inputs(&p, &s.rubric);
            let _ = kaohe_core::score(&s.rubric, &inputs);
            // The same bytes as a single table (`kaohe ingest --units`, a staged upload).
            let _ = kaohe_tables::sheet::from_bytes("units.xlsx", case.files[0].1.clone());
        }
        _ => {
            let (rubric, _) = kaohe_core::rubric::load_bytes(&case.files[0].0, &case.files[0].1);
            if let Some(r) = rubric {
                let (inputs, _, _) = kaohe_tables::read_inputs_from_files(s.demo.clone(), &r);
                let _ = kaohe_core::score(&r, &inputs);
            }
        }
    }
}

#[test]
fn mutated_inputs_never_panic_hang_or_exhaust_memory() {
    let cases: usize = std::env::var("KAOHE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let day = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    let seed: u64 = std::env::var("KAOHE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x6B61_6F68_6532_3031 ^ day);
    println!("fuzz: {cases} cases, seed {seed} (KAOHE_FUZZ_CASES, KAOHE_FUZZ_SEED)");
    let s = Arc::new(seeds());
    let failures_dir = repo().join("target/fuzz-failures");
    // A panic inside a case is a finding, not noise: its message is kept, not printed.
    let last_panic: Arc<Mutex<String>> = Arc::default();
    {
        let last = last_panic.clone();
        std::panic::set_hook(Box::new(move |info| {
            *last.lock().unwrap() = info.to_string();
        }));
    }
    let mut rng = Rng(seed | 1);
    let (mut failures, mut peak_max, mut slowest) = (Vec::new(), 0usize, Duration::ZERO);
    let mut per_kind: std::collections::BTreeMap<&str, (usize, Duration)> = Default::default();
    let started = Instant::now();
    for i in 0..cases {
        let case = Arc::new(make_case(&mut rng, &s, i));
        let dir = tempfile::tempdir().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let base = NOW.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let t0 = Instant::now();
        {
            let (case, s, path) = (case.clone(), s.clone(), dir.path().to_path_buf());
            std::thread::spawn(move || {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    run_case(&case, &s, &path)
                }));
                let _ = tx.send(r.is_ok());
            });
        }
        let outcome = match rx.recv_timeout(CASE_TIME * 30) {
            Ok(true) if t0.elapsed() <= CASE_TIME => None,
            Ok(true) => Some(format!("took {:?} (limit {CASE_TIME:?})", t0.elapsed())),
            Ok(false) => Some(format!("panicked: {}", last_panic.lock().unwrap())),
            Err(_) => Some(format!("hung past {:?}", CASE_TIME * 30)),
        };
        slowest = slowest.max(t0.elapsed());
        let k = per_kind.entry(case.kind).or_default();
        k.0 += 1;
        k.1 += t0.elapsed();
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
        peak_max = peak_max.max(peak);
        let outcome = outcome.or_else(|| {
            (peak > CASE_MEMORY).then(|| {
                format!(
                    "raised the heap by {} MiB (limit {} MiB)",
                    peak >> 20,
                    CASE_MEMORY >> 20
                )
            })
        });
        if let Some(why) = outcome {
            std::fs::create_dir_all(&failures_dir).unwrap();
            for (k, (name, bytes)) in case.files.iter().enumerate() {
                let p = failures_dir.join(format!("case-{i}-{}-{k}-{name}", case.kind));
                std::fs::write(p, bytes).unwrap();
            }
            failures.push(format!("case {i} ({}): {why}", case.kind));
            if failures.len() >= 20 {
                break;
            }
        }
    }
    let _ = std::panic::take_hook();
    println!(
        "fuzz: {cases} cases in {:.1} s, (cases, time) by kind {per_kind:?}; slowest case {:?}; largest heap rise {:.1} MiB; {} failures",
        started.elapsed().as_secs_f64(),
        slowest,
        peak_max as f64 / 1_048_576.0,
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failing cases (written to {}; KAOHE_FUZZ_SEED={seed} runs them again):\n{}",
        failures.len(),
        failures_dir.display(),
        failures.join("\n")
    );
}
