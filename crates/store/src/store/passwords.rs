//! 密码 — argon2id hashes made and checked off the async threads; a check reuses its thread's block
//! memory (19 MiB allocated and freed per check fragmented the heap under a sign-in flood), and an
//! unknown login is checked against one dummy hash made once, so that timing does not tell which
//! logins exist.

use argon2::Argon2;
use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::PasswordHash;

pub(super) fn hash_password(password: &str) -> String {
    off_async_threads(|| {
        Argon2::default()
            .hash_password(password.as_bytes())
            .expect("argon2 with a random salt")
            .to_string()
    })
}

/// Runs CPU-heavy work (argon2) so that it does not hold up the async threads: on a multi-threaded
/// runtime the thread hands its other tasks away first (`block_in_place`); elsewhere it runs inline.
pub(super) fn off_async_threads<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// Whether `password` matches the argon2 PHC string `phc`, computed in this thread's own block memory
/// (kept between calls). Through `verify_password` every check allocated and freed 19 MiB; glibc then
/// raised its mmap threshold and served those blocks from the heap, which fragmented: a flood of
/// sign-ins left the server at 528 MB where it now stays near its idle size.
pub(super) fn verify_password(password: &[u8], phc: &str) -> bool {
    use argon2::{Algorithm, Block, Params, Version};
    thread_local! {
        static BLOCKS: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let Ok(h) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&h.salt, &h.hash) else {
        return false;
    };
    let (Ok(alg), Ok(params)) = (
        Algorithm::try_from(h.algorithm.as_str()),
        Params::try_from(&h),
    ) else {
        return false;
    };
    let version = match h.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let expected = expected.as_bytes();
    let mut out = vec![0u8; expected.len()];
    let ctx = Argon2::new(alg, version, params.clone());
    let done = BLOCKS.with(|b| {
        let mut b = b.borrow_mut();
        b.resize(params.block_count(), Block::new());
        ctx.hash_password_into_with_memory(password, salt, &mut out, &mut b[..])
    });
    // Equal in constant time.
    done.is_ok() && out.iter().zip(expected).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The hash an unknown login is checked against, made once, so that a sign-in with an unknown
/// login costs one verification like a known one (it cost a hash *and* a verification before).
pub(super) fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default()
            .hash_password(b"kaohe-dummy-password")
            .expect("argon2 with a random salt")
            .to_string()
    })
}

#[cfg(test)]
mod password_tests {
    /// The reused-memory check agrees with argon2's own, for the default and for other parameters.
    #[test]
    fn verify_password_in_reused_memory_agrees_with_argon2() {
        use argon2::password_hash::PasswordHasher;
        let phc = super::hash_password("right-password");
        assert!(super::verify_password(b"right-password", &phc));
        assert!(!super::verify_password(b"wrong-password", &phc));
        assert!(super::verify_password(b"right-password", &phc)); // the kept memory again
        let small = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(4096, 1, 1, None).unwrap(),
        )
        .hash_password(b"x")
        .unwrap()
        .to_string();
        assert!(super::verify_password(b"x", &small));
        assert!(!super::verify_password(b"y", &small));
        assert!(!super::verify_password(b"x", "not a hash"));
        assert!(!super::verify_password(
            b"x",
            "$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHQ$"
        ));
    }
}
