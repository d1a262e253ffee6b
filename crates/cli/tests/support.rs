use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn kaohe(args: &[&str]) -> Out {
    kaohe_on(args, None)
}

/// `kaohe` with its service database set (`KAOHE_DATABASE`), or with none — never the one of the
/// environment the tests run in.
pub fn kaohe_on(args: &[&str], database: Option<&str>) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kaohe"));
    cmd.args(args)
        .current_dir(repo())
        .env_remove("KAOHE_DATABASE");
    if let Some(url) = database {
        cmd.env("KAOHE_DATABASE", url);
    }
    let out = cmd.output().expect("run kaohe");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn demo_dir() -> PathBuf {
    repo().join("examples/rudong-2021")
}

/// A scratch copy of the demo inputs.
pub fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(demo_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "csv") {
            std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    dir
}

pub fn append(dir: &Path, file: &str, line: &str) {
    let p = dir.join(file);
    let mut s = std::fs::read_to_string(&p).unwrap();
    s.push_str(line);
    s.push('\n');
    std::fs::write(p, s).unwrap();
}

pub fn replace(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let s = std::fs::read_to_string(&p).unwrap();
    assert!(s.contains(from), "{file} has no {from}");
    std::fs::write(p, s.replacen(from, to, 1)).unwrap();
}

pub fn json(dir: &Path) -> serde_json::Value {
    let o = kaohe(&[
        "score",
        "--input",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    serde_json::from_str(&o.stdout).unwrap()
}
