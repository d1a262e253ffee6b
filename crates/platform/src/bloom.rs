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

pub fn hash(bytes: &[u8]) -> u64 {
    // FNV-1a over the bytes, then mixed.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
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

    /// Inserts; returns true when every bit was already set (a candidate duplicate). Blocked: the
    /// four bits lie in one 64-byte block, so an insert touches one cache line.
    pub fn insert(&mut self, h: u64) -> bool {
        let blocks = (self.mask + 1) >> 9; // 512-bit blocks
        let block = ((h >> 32).wrapping_mul(blocks) >> 32) as usize * 8;
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
            if b.insert(hash(format!("320623{i:012}").as_bytes())) {
                fp += 1;
            }
        }
        for i in 0..20_000u32 {
            assert!(b.insert(hash(format!("320623{i:012}").as_bytes())));
        }
        assert!(fp < 20, "{fp} false positives");
    }
}
