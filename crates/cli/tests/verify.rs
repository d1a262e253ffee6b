//! `kaohe verify FILE` (issue 14 part 4): a signed sealed result is 签名有效 with the key's fingerprint;
//! a tampered one, one signed by another key, one without a signature, a malformed file and a file
//! over the limit are each named, with a non-zero exit.

use super::support::{kaohe, scratch};
use kaohe_store::seal::{self, SealKey};
use serde_json::{Value, json};

fn signed(k: &SealKey, v: &Value) -> Value {
    let mut out = v.clone();
    out["seal"] = json!({
        "algorithm": seal::ALGORITHM, "user_id": seal::USER_ID,
        "public_key": k.public_hex(), "fingerprint": k.fingerprint(),
        "signature": k.sign(seal::canonical(v).as_bytes()), "version": 2,
    });
    out
}

#[test]
fn kaohe_verify_names_what_it_finds() {
    let dir = scratch();
    let d = dir.path();
    let k = SealKey::load_or_create(&d.join(seal::KEY_FILE)).unwrap();
    let result = json!({
        "rubric": { "id": "rudong-2021", "sha256": "ab" },
        "units": [{ "code": "320623001", "name": "掘港街道", "total": "1.4120", "rank": 1 }],
    });
    let file = d.join("sealed.json");
    let text = serde_json::to_string_pretty(&signed(&k, &result)).unwrap();
    std::fs::write(&file, &text).unwrap();
    let f = file.to_str().unwrap();
    let out = kaohe(&["verify", f]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("签名有效"), "{}", out.stdout);
    assert!(out.stdout.contains("第 2 版"), "{}", out.stdout);
    assert!(out.stdout.contains(&k.fingerprint()), "{}", out.stdout);
    // With the published public key file named.
    let pubf = k.pub_path();
    let out = kaohe(&["verify", f, "--key", pubf.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    let case = |name: &str, body: &[u8], extra: &[&str], want: &str| {
        let p = d.join(name);
        std::fs::write(&p, body).unwrap();
        let mut args = vec!["verify", p.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = kaohe(&args);
        assert_eq!(out.code, 2, "{name}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains(want), "{name}: {}", out.stderr);
        assert!(
            out.stderr.contains(name),
            "{name} names the file: {}",
            out.stderr
        );
    };
    case(
        "tampered.json",
        text.replace("1.4120", "1.4500").as_bytes(),
        &[],
        "签名与内容不符",
    );
    let other = SealKey::generate(&d.join("other.key"));
    case(
        "wrong-key.json",
        text.as_bytes(),
        &["--key", &other.public_hex()],
        "不是指定的公钥",
    );
    let forged = serde_json::to_string(&signed(&other, &result)).unwrap();
    case(
        "forged.json",
        forged.as_bytes(),
        &["--key", pubf.to_str().unwrap()],
        "不是指定的公钥",
    );
    case(
        "unsigned.json",
        serde_json::to_string(&result).unwrap().as_bytes(),
        &[],
        "没有签名",
    );
    case(
        "malformed.json",
        b"{\"units\": [",
        &[],
        "不是 JSON（第 1 行",
    );
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["seal"]["signature"] = json!("00");
    case(
        "cut.json",
        serde_json::to_string(&v).unwrap().as_bytes(),
        &[],
        "签名格式不对",
    );
    // Over the limit: refused by size before reading (exit 1, the file and the limit named).
    let big = d.join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(kaohe_app::verify::MAX_BYTES + 1)
        .unwrap();
    let out = kaohe(&["verify", big.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("过大") && out.stderr.contains("64 MB"),
        "{}",
        out.stderr
    );
    let out = kaohe(&["verify", d.join("none.json").to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("无法读取定档结果文件"),
        "{}",
        out.stderr
    );
}
