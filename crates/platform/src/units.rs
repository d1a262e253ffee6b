//! Which unit a platform row belongs to: the 9-digit 区划代码 of a town, street or zone; its name; or a
//! village's 12-digit code (its first 9 digits are the town's), so that village records count for
//! their town (RULES.md §4: town and villages pooled).

use kaohe_core::input::{Id, Unit};
use rustc_hash::FxHashMap;

#[derive(Clone)]
pub struct UnitMap {
    pub codes: Vec<Id>,
    by_code: FxHashMap<String, u32>,
    by_name: FxHashMap<String, Vec<u32>>,
    last: Option<(String, u32)>,
}

impl UnitMap {
    pub fn new(units: &[Unit]) -> UnitMap {
        let mut by_code = FxHashMap::default();
        let mut by_name: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        for (i, u) in units.iter().enumerate() {
            by_code.insert(u.code.to_string(), i as u32);
            by_name.entry(u.name.clone()).or_default().push(i as u32);
        }
        UnitMap {
            codes: units.iter().map(|u| u.code.clone()).collect(),
            by_code,
            by_name,
            last: None,
        }
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The unit index, or a Chinese reason.
    pub fn resolve(&mut self, raw: &str) -> Result<u32, String> {
        let s = kaohe_core::text::trim(raw);
        if let Some((k, i)) = &self.last
            && k == s
        {
            return Ok(*i);
        }
        let found = if let Some(&i) = self.by_code.get(s) {
            Ok(i)
        } else if s.len() == 12
            && s.bytes().all(|b| b.is_ascii_digit())
            && self.by_code.contains_key(&s[..9])
        {
            Ok(self.by_code[&s[..9]])
        } else {
            let norm = kaohe_tables::cell::normalize(s);
            if let Some(&i) = self.by_code.get(&norm) {
                Ok(i)
            } else {
                match self.by_name.get(s).map(Vec::as_slice) {
                    Some([one]) => Ok(*one),
                    Some(_) => Err(format!("单位名称“{s}”对应多个单位，请用区划代码")),
                    None => Err(format!("未知单位“{s}”：单位表中没有这个区划代码或名称")),
                }
            }
        };
        if let Ok(i) = found {
            self.last = Some((s.to_string(), i));
        }
        found
    }
}
