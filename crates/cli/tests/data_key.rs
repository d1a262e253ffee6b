//! `--data-key` / `KAOHE_DATA_KEY` (issue 14 part 4): an SM4 key file that cannot be used stops the
//! command at start with a Chinese error naming the file, before the store is opened (`kaohe serve`
//! opens it the same way, `run::open_store`); a good one (16 raw bytes or 32 hex digits) is taken.

use super::support::{Out, kaohe, scratch};

#[test]
fn a_bad_data_key_stops_the_start_with_a_chinese_error() {
    let dir = scratch();
    let d = dir.path();
    let data = d.join("data");
    let data = data.to_str().unwrap();
    let add = |key: &std::path::Path| -> Out {
        kaohe(&[
            "user",
            "add",
            "--data",
            data,
            "--data-key",
            key.to_str().unwrap(),
            "--login",
            "admin",
            "--name",
            "县政务办",
            "--role",
            "admin",
            "--password",
            "admin-pass-1",
        ])
    };
    let key = d.join("sm4.key");
    for bad in [
        "0123456789abcdef0123".as_bytes(),
        b"not hex at all, not sixteen bytes",
        b"",
    ] {
        std::fs::write(&key, bad).unwrap();
        let out = add(&key);
        assert_ne!(out.code, 0, "{}", out.stderr);
        assert!(
            out.stderr.contains("数据加密密钥文件") && out.stderr.contains("格式不对"),
            "{}",
            out.stderr
        );
        assert!(
            !std::path::Path::new(data).join("kaohe.db").exists(),
            "nothing opened"
        );
    }
    let out = add(&d.join("missing.key"));
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("数据加密密钥文件") && out.stderr.contains("无法读取"),
        "{}",
        out.stderr
    );
    // 32 hex digits (with a comment line) are a key.
    std::fs::write(&key, "# SM4\n00112233445566778899aabbccddeeff\n").unwrap();
    let out = add(&key);
    assert_eq!(out.code, 0, "{}", out.stderr);
}
