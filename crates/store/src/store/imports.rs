//! 数据导入 — a platform import stored all-or-nothing, with what it wrote recorded for the replay.

use super::*;

/// A platform import to store in one transaction.
#[derive(Debug, Clone, Default)]
pub struct Import {
    /// e.g. `办件、认领、测评`
    pub kind: String,
    /// The files read, with their sha256.
    pub files: Vec<(String, String)>,
    pub rows: i64,
    /// (unit, metric, value)
    pub metrics: Vec<(String, String, Decimal)>,
    /// (unit, clause, description, source): instances such as overdue cases.
    pub findings: Vec<(String, String, String, String)>,
    /// The receipts (e.g. the overdue list) as JSON, kept with the import.
    pub receipts: String,
}

impl Store {
    /// Stores an import all-or-nothing (考核; admin): its metrics replace earlier values of the same
    /// metrics, its findings replace the findings of earlier imports on the same clauses, and the
    /// import's receipts are kept. A crash anywhere leaves the previous state.
    pub async fn import(&self, by: &User, assessment: i64, imp: &Import, now: &str) -> Result<i64> {
        let a = self.assessment(assessment).await?;
        // Stage, units and hand-made findings are read under the write lock.
        let Change { mut tx, .. } = self
            .change(by, assessment, None, |_| Action::Import)
            .await?;
        let units: std::collections::BTreeSet<String> =
            sqlx::query_scalar("SELECT code FROM units WHERE assessment_id = $1")
                .bind(assessment)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .collect();
        for (u, m, v) in &imp.metrics {
            if !units.contains(u) {
                return Err(StoreError::Invalid(format!(
                    "导入数据中的单位 {u} 不在本次考核中"
                )));
            }
            let Some(def) = a.rubric.metric(m) else {
                return Err(StoreError::Invalid(format!("细则中没有指标“{m}”")));
            };
            if let Some(expected) = def.kind.out_of_range(*v) {
                return Err(StoreError::Invalid(format!(
                    "导入数据中单位 {u} 的{}为 {}，超出范围：应为{expected}",
                    def.name,
                    v.normalize()
                )));
            }
        }
        for (u, c, _, _) in &imp.findings {
            if !units.contains(u) {
                return Err(StoreError::Invalid(format!(
                    "导入数据中的单位 {u} 不在本次考核中"
                )));
            }
            if a.rubric.clause(c).is_none() {
                return Err(StoreError::Invalid(format!("细则中没有条款“{c}”")));
            }
        }
        // One source per count: where the import brings a clause's count (as a number or as
        // instances) for a unit, that unit must not also have findings recorded by hand on it.
        let mut fills: std::collections::BTreeSet<(&str, &str)> = std::collections::BTreeSet::new();
        for (u, m, _) in &imp.metrics {
            let def = a.rubric.metric(m);
            for c in &a.rubric.clauses {
                if c.rule
                    .count_metric()
                    .is_some_and(|k| k == m || def.is_some_and(|d| k == &*d.key || k == d.name))
                {
                    fills.insert((u, &c.id));
                }
            }
        }
        for (u, c, _, _) in &imp.findings {
            fills.insert((u, c));
        }
        let by_hand = sqlx::query("SELECT unit_code, clause_id, COUNT(*) AS n FROM findings WHERE assessment_id = $1 AND import_id IS NULL GROUP BY unit_code, clause_id ORDER BY unit_code, clause_id")
            .bind(assessment)
            .fetch_all(&mut *tx)
            .await?;
        let clashes: Vec<String> = by_hand
            .iter()
            .filter_map(|r| {
                let (u, c): (String, String) = (r.get("unit_code"), r.get("clause_id"));
                let n: i64 = r.get("n");
                fills
                    .contains(&(u.as_str(), c.as_str()))
                    .then(|| format!("单位 {u} 条款 {c} 已逐条手工记录 {n} 例"))
            })
            .collect();
        if !clashes.is_empty() {
            return Err(StoreError::Invalid(format!(
                "导入的数据与手工记录的问题会重复计数（{}）：两种来源只能用一种。请先在单位考核表中撤回这些手工记录，或不导入对应的平台数据",
                clashes.join("；")
            )));
        }
        let names: Vec<String> = imp.files.iter().map(|(n, _)| n.clone()).collect();
        let shas: Vec<String> = imp.files.iter().map(|(_, s)| s.clone()).collect();
        let id: i64 = sqlx::query_scalar("INSERT INTO imports (assessment_id, kind, file_name, sha256, rows, receipts, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(assessment)
            .bind(&imp.kind)
            .bind(names.join("、"))
            .bind(shas.join(","))
            .bind(imp.rows)
            .bind(&imp.receipts)
            .bind(by.id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        let clauses: std::collections::BTreeSet<&str> =
            imp.findings.iter().map(|f| f.1.as_str()).collect();
        for c in &clauses {
            sqlx::query("DELETE FROM findings WHERE assessment_id = $1 AND clause_id = $2 AND import_id IS NOT NULL").bind(assessment).bind(c).execute(&mut *tx).await?;
        }
        let keys: std::collections::BTreeSet<&str> =
            imp.metrics.iter().map(|m| m.1.as_str()).collect();
        for k in &keys {
            sqlx::query("DELETE FROM metrics WHERE assessment_id = $1 AND metric = $2")
                .bind(assessment)
                .bind(k)
                .execute(&mut *tx)
                .await?;
        }
        for (u, m, v) in &imp.metrics {
            sqlx::query("INSERT INTO metrics (assessment_id, unit_code, metric, value, import_id, source) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(assessment)
                .bind(u)
                .bind(m)
                .bind(v.normalize().to_string())
                .bind(id)
                .bind(&imp.kind)
                .execute(&mut *tx)
                .await?;
        }
        for (u, c, d, src) in &imp.findings {
            sqlx::query("INSERT INTO findings (assessment_id, unit_code, clause_id, description, evidence_sha256, created_by, created_at, import_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(assessment)
                .bind(u)
                .bind(c)
                .bind(d)
                .bind(src)
                .bind(by.id)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        // What the import wrote, so that `kaohe audit verify` can replay it: every metric value, and
        // per clause a digest of its instances in the order written.
        let values: Vec<(&str, &str, String)> = imp
            .metrics
            .iter()
            .map(|(u, m, v)| (u.as_str(), m.as_str(), v.normalize().to_string()))
            .collect();
        let digests: serde_json::Map<String, serde_json::Value> = clauses
            .iter()
            .map(|c| {
                let rows = imp
                    .findings
                    .iter()
                    .filter(|f| f.1 == *c)
                    .map(|(u, _, d, src)| (u.as_str(), d.as_str(), Some(src.as_str())));
                (c.to_string(), crate::replay::instances_digest(rows).into())
            })
            .collect();
        let summary = serde_json::json!({ "files": names, "sha256": shas, "rows": imp.rows, "metrics": imp.metrics.len(), "instances": imp.findings.len(), "values": values, "instances_sha256": digests }).to_string();
        self.audit(
            &mut tx,
            now,
            &by.login,
            "import",
            &format!("assessment/{assessment}/import/{id}"),
            None,
            Some(&summary),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }
}
