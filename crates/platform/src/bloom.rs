//! A Bloom filter of fixed size for case ids: memory does not grow with rows. An id whose bits were
//! all set already is only a *candidate* duplicate; a second pass over the file confirms candidates
//! exactly, so no false duplicate is ever reported.

pub struct Bloom {
    bits: Vec<u64>,
    mask: u64,
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
        let n = 1usize << log2_bits;
        Bloom {
            bits: vec![0; n / 64],
            mask: (n - 1) as u64,
        }
    }

    fn block(&self, h: u64) -> usize {
        let blocks = (self.mask + 1) >> 9; // 512-bit blocks
        ((h >> 32).wrapping_mul(blocks) >> 32) as usize * 8
    }

    /// Asks the CPU to bring `h`'s block into cache; [`Bloom::insert`] of `h` a little later then
    /// finds it there instead of waiting on memory.
    #[inline]
    pub fn prefetch(&self, h: u64) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: prefetching is a hint; the address is within `bits`.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>(self.bits.as_ptr().add(self.block(h)) as *const i8);
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = h;
    }

    /// Inserts; returns true when every bit was already set (a candidate duplicate). Blocked: the
    /// four bits lie in one 64-byte block, so an insert touches one cache line.
    pub fn insert(&mut self, h: u64) -> bool {
        let block = self.block(h);
        let h2 = mix(h);
        let mut seen = true;
        for i in 0..4 {
            let bit = (h2 >> (i * 9)) & 511;
            let (w, b) = (block + (bit >> 6) as usize, bit & 63);
            seen &= self.bits[w] >> b & 1 == 1;
            self.bits[w] |= 1 << b;
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_and_few_false_positives() {
        let mut b = Bloom::new(20);
        let mut fp = 0;
        for i in 0..20_000u32 {
            if b.insert((fingerprint(format!("320623{i:012}").as_bytes()) >> 64) as u64) {
                fp += 1;
            }
        }
        for i in 0..20_000u32 {
            assert!(b.insert((fingerprint(format!("320623{i:012}").as_bytes()) >> 64) as u64));
        }
        assert!(fp < 20, "{fp} false positives");
    }
}
