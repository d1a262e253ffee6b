//! 排名与并列 — ranks values with a tie policy. Equal values (compared exactly, as decimals) share a
//! rank. Competition ranking (the default, 1, 2, 2, 4) skips the ranks a tie takes; dense ranking
//! (1, 2, 2, 3) does not. The order of the input never changes a rank.

use crate::rubric::{Better, TiePolicy};
use rust_decimal::Decimal;

/// A place in a ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub rank: u32,
    /// Shares its rank with at least one other entry.
    pub tied: bool,
}

/// Exact integer keys that order like the decimals: every value rescaled to the largest scale among
/// them. `None` when that would overflow (then decimals are compared directly).
fn integer_keys(values: &[Decimal]) -> Option<Vec<i128>> {
    let scale = values.iter().map(|v| v.scale()).max().unwrap_or(0);
    values
        .iter()
        .map(|v| {
            let f = 10i128.checked_pow(scale - v.scale())?;
            v.mantissa().checked_mul(f)
        })
        .collect()
}

/// Ranks `values`; the result is in the same order as `values`.
pub fn rank(values: &[Decimal], better: Better, ties: TiePolicy) -> Vec<Place> {
    let mut order: Vec<u32> = (0..values.len() as u32).collect();
    match integer_keys(values) {
        Some(keys) => order.sort_unstable_by_key(|&i| match better {
            Better::Higher => (-keys[i as usize], i),
            Better::Lower => (keys[i as usize], i),
        }),
        None => order.sort_unstable_by(|&a, &b| {
            let (va, vb) = (values[a as usize], values[b as usize]);
            match better {
                Better::Higher => vb.cmp(&va),
                Better::Lower => va.cmp(&vb),
            }
            .then(a.cmp(&b))
        }),
    }
    let mut out = vec![
        Place {
            rank: 0,
            tied: false
        };
        values.len()
    ];
    let mut i = 0;
    let mut distinct = 0u32;
    while i < order.len() {
        let v = values[order[i] as usize];
        let mut j = i + 1;
        while j < order.len() && values[order[j] as usize] == v {
            j += 1;
        }
        distinct += 1;
        let rank = match ties {
            TiePolicy::Competition => i as u32 + 1,
            TiePolicy::Dense => distinct,
        };
        let tied = j - i > 1;
        for &k in &order[i..j] {
            out[k as usize] = Place { rank, tied };
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: &[i64]) -> Vec<Decimal> {
        v.iter().map(|&x| Decimal::from(x)).collect()
    }
    fn ranks(p: &[Place]) -> Vec<u32> {
        p.iter().map(|p| p.rank).collect()
    }

    #[test]
    fn competition_skips_after_a_tie() {
        let p = rank(
            &d(&[90, 80, 80, 70]),
            Better::Higher,
            TiePolicy::Competition,
        );
        assert_eq!(ranks(&p), vec![1, 2, 2, 4]);
        assert_eq!(
            p.iter().map(|p| p.tied).collect::<Vec<_>>(),
            vec![false, true, true, false]
        );
    }

    #[test]
    fn dense_does_not_skip() {
        let p = rank(&d(&[90, 80, 80, 70]), Better::Higher, TiePolicy::Dense);
        assert_eq!(ranks(&p), vec![1, 2, 2, 3]);
    }

    #[test]
    fn lower_is_better_and_input_order_is_kept() {
        let p = rank(&d(&[5, 1, 3, 1]), Better::Lower, TiePolicy::Competition);
        assert_eq!(ranks(&p), vec![4, 1, 3, 1]);
    }

    #[test]
    fn exact_decimal_comparison_no_false_ties() {
        let a = "0.98700000000000000001".parse::<Decimal>().unwrap();
        let b = "0.987".parse::<Decimal>().unwrap();
        let p = rank(&[a, b], Better::Higher, TiePolicy::Competition);
        assert_eq!(ranks(&p), vec![1, 2]);
        // 0.9870 and 0.987 are the same number.
        let c = "0.9870".parse::<Decimal>().unwrap();
        let p = rank(&[c, b], Better::Higher, TiePolicy::Competition);
        assert_eq!(ranks(&p), vec![1, 1]);
    }

    #[test]
    fn huge_and_tiny_values_fall_back_to_decimal_comparison() {
        let big = Decimal::MAX;
        let tiny = "0.0000000000000000000000000001".parse::<Decimal>().unwrap();
        assert!(integer_keys(&[big, tiny]).is_none());
        let p = rank(
            &[tiny, big, Decimal::ZERO],
            Better::Higher,
            TiePolicy::Competition,
        );
        assert_eq!(ranks(&p), vec![2, 1, 3]);
    }

    #[test]
    fn mixed_scales_order_exactly() {
        let v: Vec<Decimal> = ["0.9", "0.95", "0.950", "1", "0.9499999"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let p = rank(&v, Better::Higher, TiePolicy::Competition);
        assert_eq!(ranks(&p), vec![5, 2, 2, 1, 4]);
    }

    #[test]
    fn empty_is_fine() {
        assert!(rank(&[], Better::Higher, TiePolicy::Dense).is_empty());
    }
}
