//! 名次与档次 — a unit's place and grade from its total, under the rubric-level shapes
//! (`rubric::shapes`): unit kinds checked against the rubric's list, ranking groups (each group ranked
//! on its own, rank 1 in each), the rank policy for incomplete units (未完成) and grades (未达等级
//! below every band, the veto's grade).
//!
//! Ranking: by group (the rubric's order), then ranked units before unranked ones, then units not
//! vetoed before vetoed ones, then total descending; ties share a rank per the rubric's `ties`, and
//! tied units are listed by code. A rubric with none of these fields ranks exactly as before: one
//! group, every unit ranked.
//!
//! Grades (complete units only, as before): the first band whose `min_ratio × max_total` the total
//! reaches; below every band 未达等级 when the lowest band starts above 0, else the lowest band. A
//! vetoed unit gets the rubric's `veto_grade` when it names one (also when incomplete or without
//! bands), else the lowest band when it starts at 0, else 未达等级.
//!
//! Worked case: bands 五星 ≥ 90%, 四星 ≥ 80%, 三星 ≥ 70% of 10 and `veto_grade = "不合格"`: totals
//! 9.2 → 五星, 6.5 → 未达等级, a vetoed 9.5 → 不合格 and ranked after the group's other units.

use crate::applicability::kind;
use crate::index::Index;
use crate::input::Inputs;
use crate::problem::Problem;
use crate::result::{GradeOf, UnitResult};
use crate::rubric::shapes::Incomplete;
use crate::rubric::{Rubric, TiePolicy};
use rust_decimal::Decimal;

/// Per scored row, the unit's ranking group; checks each unit's kind against the rubric's list and
/// its groups (one problem per unit, which stays known).
pub(crate) fn unit_groups(
    rubric: &Rubric,
    inputs: &Inputs,
    index: &Index,
    problems: &mut Vec<Problem>,
) -> Vec<Option<u32>> {
    let shapes = &rubric.shapes;
    let mut out = Vec::with_capacity(index.units.len());
    for u in 0..index.units.len() as u32 {
        let unit = &inputs.units[index.units[u as usize] as usize];
        let k = kind(inputs, index, u);
        let at = unit.origin.as_ref().map(|o| o.with_column("类型"));
        if let Some(list) = &shapes.unit_kinds
            && !list.iter().any(|x| x == k)
        {
            problems.push(
                Problem::error(format!(
                    "单位“{}”（{}）的类型“{k}”不在细则所列单位类型（{}）之中",
                    unit.code,
                    unit.name,
                    list.join("、")
                ))
                .at(at)
                .unit(&unit.code)
                .value(k)
                .expected(list.join(" / ")),
            );
            out.push(None);
            continue;
        }
        let g = shapes.group_of(k).map(|g| g as u32);
        if g.is_none() && !shapes.ranking_groups.is_empty() {
            let names: Vec<&str> = shapes
                .ranking_groups
                .iter()
                .map(|g| g.name.as_str())
                .collect();
            problems.push(
                Problem::error(format!(
                    "单位“{}”（{}）的类型“{k}”不属于任何排名组（{}）",
                    unit.code,
                    unit.name,
                    names.join("；")
                ))
                .at(at)
                .unit(&unit.code)
                .value(k),
            );
        }
        out.push(g);
    }
    out
}

/// Sorts the units into league order and sets rank, ranked and grade.
pub(crate) fn rank(rubric: &Rubric, inputs: &Inputs, units: &mut [UnitResult]) {
    let unranked = rubric.shapes.incomplete == Incomplete::Unranked;
    for u in units.iter_mut() {
        u.ranked = !unranked || u.complete;
    }
    let key = |u: &UnitResult| (u.group.unwrap_or(u32::MAX), !u.ranked, u.vetoed);
    // Every clause score has the rubric's scale, so totals compare exactly by their mantissas.
    units.sort_unstable_by_key(|u| (key(u), std::cmp::Reverse(u.total.mantissa())));
    let mut start = 0;
    while start < units.len() {
        let k = (key(&units[start]), units[start].total);
        let end = start
            + units[start..]
                .iter()
                .take_while(|u| (key(u), u.total) == k)
                .count();
        units[start..end].sort_unstable_by(|a, b| {
            inputs.units[a.unit as usize]
                .code
                .cmp(&inputs.units[b.unit as usize].code)
        });
        start = end;
    }
    let mut prev: Option<((u32, bool, bool), Decimal, u32)> = None;
    let mut group: Option<u32> = None;
    let (mut pos, mut distinct) = (0u32, 0u32);
    for u in units.iter_mut() {
        if group != Some(u.group.unwrap_or(u32::MAX)) {
            group = Some(u.group.unwrap_or(u32::MAX));
            (pos, distinct, prev) = (0, 0, None);
        }
        pos += 1;
        u.grade = grade(rubric, u);
        if !u.ranked {
            u.rank = 0;
            continue;
        }
        let rank = match prev {
            Some((k, t, r)) if k == key(u) && t == u.total => r,
            _ => {
                distinct += 1;
                match rubric.ties {
                    TiePolicy::Competition => pos,
                    TiePolicy::Dense => distinct,
                }
            }
        };
        u.rank = rank;
        prev = Some((key(u), u.total, rank));
    }
}

fn grade(rubric: &Rubric, u: &UnitResult) -> Option<GradeOf> {
    let bands = &rubric.grades;
    if u.vetoed && rubric.shapes.veto_grade.is_some() {
        return Some(GradeOf::Veto);
    }
    if bands.is_empty() || !u.complete {
        return None;
    }
    let lowest = bands.len() as u32 - 1;
    let below = if bands[lowest as usize].min_ratio > Decimal::ZERO {
        GradeOf::Below
    } else {
        GradeOf::Band(lowest)
    };
    if u.vetoed {
        return Some(below);
    }
    Some(
        bands
            .iter()
            .position(|g| u.total >= g.min_ratio * rubric.max_total)
            .map(|i| GradeOf::Band(i as u32))
            .unwrap_or(below),
    )
}
