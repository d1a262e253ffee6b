//! A Bloom filter of fixed size for case ids: memory does not grow with rows. An id whose bits were
//! all set already is only a *candidate* duplicate; a second pass over the file confirms candidates
//! exactly, so no false duplicate is ever reported.
//!
//! The four bits of an id lie in one 64-bit word, set with one atomic `fetch_or`: when two threads
//! insert the same id at once, the later one always finds all four bits set, so a duplicate is
//! never missed, whatever the threads' timing.

use std::sync::atomic::{AtomicU64, Ordering};

/// The bits, in 64-bit words that several threads may set at once.
pub struct Bloom {
    words: Vec<AtomicU64>,
}

fn mix(mut x: u64) -> u64 {
    // splitmix64 finaliser
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A 128-bit fingerprint of an id, eight bytes at a time: two independent lanes, each mixed at
/// the end. The high half addresses the Bloom filter.
pub fn fingerprint(bytes: &[u8]) -> u128 {
    let (mut a, mut b) = (
        0x9e37_79b9_7f4a_7c15u64 ^ bytes.len() as u64,
        0xc2b2_ae3d_27d4_eb4fu64,
    );
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        a = (a ^ w).wrapping_mul(0xff51_afd7_ed55_8ccd).rotate_left(31);
        b = (b ^ w).wrapping_mul(0xc4ce_b9fe_1a85_ec53).rotate_left(27);
    }
    let mut tail = [0u8; 8];
    let rest = chunks.remainder();
    tail[..rest.len()].copy_from_slice(rest);
    let w = u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 56);
    a = (a ^ w).wrapping_mul(0xff51_afd7_ed55_8ccd).rotate_left(31);
    b = (b ^ w).wrapping_mul(0xc4ce_b9fe_1a85_ec53).rotate_left(27);
    (mix(a) as u128) << 64 | mix(b ^ a.rotate_left(17)) as u128
}

impl Bloom {
    /// 2^`log2_bits` bits (2^28 = 32 MiB).
    pub fn new(log2_bits: u32) -> Bloom {
        let n = 1usize << (log2_bits - 6);
        Bloom {
            words: (0..n).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    fn word(&self, h: u64) -> usize {
        ((h >> 32).wrapping_mul(self.words.len() as u64) >> 32) as usize
    }

    /// Asks the CPU to bring `h`'s word into cache; [`Bloom::insert`] of `h` a little later then
    /// finds it there instead of waiting on memory.
    #[inline]
    pub fn prefetch(&self, h: u64) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: prefetching is a hint; the address is within `words`.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>(self.words.as_ptr().add(self.word(h)) as *const i8);
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = h;
    }

    /// Inserts; returns true when every bit was already set (a candidate duplicate).
    pub fn insert(&self, h: u64) -> bool {
        let h2 = mix(h);
        let mut bits = 0u64;
        for i in 0..4 {
            bits |= 1 << ((h2 >> (i * 6)) & 63);
        }
        let old = self.words[self.word(h)].fetch_or(bits, Ordering::Relaxed);
        old & bits == bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_and_few_false_positives() {
        let b = Bloom::new(20);
        let mut fp = 0;
        for i in 0..20_000u32 {
            if b.insert((fingerprint(format!("320623{i:012}").as_bytes()) >> 64) as u64) {
                fp += 1;
            }
        }
        for i in 0..20_000u32 {
            assert!(b.insert((fingerprint(format!("320623{i:012}").as_bytes()) >> 64) as u64));
        }
        assert!(fp < 40, "{fp} false positives");
    }

    #[test]
    fn two_threads_inserting_the_same_ids_never_both_miss() {
        for round in 0..20u32 {
            let b = Bloom::new(16);
            let ids: Vec<u64> = (0..2_000u32)
                .map(|i| (fingerprint(format!("{round}-{i}").as_bytes()) >> 64) as u64)
                .collect();
            let seen: Vec<Vec<bool>> = std::thread::scope(|s| {
                let hs: Vec<_> = (0..2)
                    .map(|_| s.spawn(|| ids.iter().map(|&h| b.insert(h)).collect::<Vec<bool>>()))
                    .collect();
                hs.into_iter().map(|h| h.join().unwrap()).collect()
            });
            for (i, (a, b)) in seen[0].iter().zip(&seen[1]).enumerate() {
                assert!(a | b, "id {i} of round {round} missed twice");
            }
        }
    }
}
