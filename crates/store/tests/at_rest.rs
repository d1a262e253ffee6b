//! 存储数据保密性 (issue 14 part 4): with an SM4 data key configured, evidence files are written
//! encrypted (SM4-GCM, magic and nonce in a small header), read back decrypted, keep the sha256 of
//! their plaintext as their name, and a file changed on disk is refused, never served; files stored
//! plain before the key still read.

use super::*;
use kaohe_store::datakey::{DataKey, MAGIC};

const JUEGANG: &str = "320623001";

fn on_disk(w: &World, sha: &str) -> std::path::PathBuf {
    w.dir.path().join("evidence").join(&sha[..2]).join(sha)
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) async fn evidence_is_sm4_encrypted_at_rest_and_a_changed_file_is_refused(db: Db) {
    let w = world(db).await;
    let plain_store = &w.store;
    move_to(plain_store, &w.admin, w.id, Stage::SelfAssessment).await;
    let (r, _) = kaohe_core::rubric::load("r", RUBRIC);
    let clause = r
        .unwrap()
        .self_assessed("街道")
        .next()
        .unwrap()
        .id
        .to_string();
    let put = |s: &Store, bytes: &'static [u8], name: &'static str| {
        let (s, w, clause) = (s.clone(), &w, clause.clone());
        async move {
            s.put_evidence(&w.reporter, w.id, JUEGANG, &clause, name, bytes, NOW)
                .await
                .unwrap()
        }
    };
    // Before the key: stored plain.
    let old: &[u8] = b"%PDF-1.4\n%stored before the key was configured\n";
    let a = put(plain_store, old, "old.pdf").await;
    assert_eq!(std::fs::read(on_disk(&w, &a.sha256)).unwrap(), old);
    // With the key: encrypted on disk, named by the plaintext's sha256, read back whole.
    let keyed = w
        .store
        .clone()
        .with_data_key(Some(DataKey::new(*b"kaohe-sm4-key-16")));
    let new: &[u8] = b"%PDF-1.4\n%secret evidence of the unit's self-assessment\n";
    let b = put(&keyed, new, "new.pdf").await;
    assert_eq!(b.sha256, sha256(new));
    let disk = std::fs::read(on_disk(&w, &b.sha256)).unwrap();
    assert!(disk.starts_with(MAGIC), "magic header");
    assert_eq!(disk.len(), MAGIC.len() + 12 + new.len() + 16);
    assert!(
        !disk.windows(6).any(|x| x == b"secret"),
        "no plaintext on disk"
    );
    let (got, mime, name) = keyed.evidence_file(&w.reporter, &b.sha256).await.unwrap();
    assert_eq!(
        (got.as_slice(), mime.as_str(), name.as_str()),
        (new, "application/pdf", "new.pdf")
    );
    // The plain file stored before the key still reads.
    assert_eq!(
        keyed.evidence_file(&w.reporter, &a.sha256).await.unwrap().0,
        old
    );
    // Without the key an encrypted file is an error that says so, never the ciphertext.
    match plain_store.evidence_file(&w.reporter, &b.sha256).await {
        Err(StoreError::Unconfigured(m)) => assert!(m.contains("未配置数据加密密钥"), "{m}"),
        other => panic!("expected Unconfigured, got {other:?}"),
    }
    // One byte changed on disk, encrypted or plain: refused as tampered, never served.
    for (sha, s) in [
        (&b.sha256, &keyed),
        (&a.sha256, &keyed),
        (&a.sha256, plain_store),
    ] {
        let p = on_disk(&w, sha);
        let mut bytes = std::fs::read(&p).unwrap();
        let i = bytes.len() - 3;
        bytes[i] ^= 0x20;
        std::fs::write(&p, &bytes).unwrap();
        match s.evidence_file(&w.reporter, sha).await {
            Err(StoreError::Tampered(m)) => assert!(m.contains("佐证材料"), "{m}"),
            other => panic!("expected Tampered, got {other:?}"),
        }
        bytes[i] ^= 0x20;
        std::fs::write(&p, &bytes).unwrap();
    }
    assert_eq!(
        keyed.evidence_file(&w.reporter, &b.sha256).await.unwrap().0,
        new
    );
}
