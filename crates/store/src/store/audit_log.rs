//! 审计日志 (store side) — reading, verifying (keyed chain and head) and searching the log.

use super::*;

impl Store {
    /// The whole audit log, in order.
    pub async fn audit_log(&self) -> Result<Vec<Entry>> {
        Ok(sqlx::query_as::<_, Entry>("SELECT seq, at, actor, action, entity, old, new, why, prev_hash, hash FROM audit_log ORDER BY seq").fetch_all(&self.pool).await?)
    }

    /// Verifies the chain: the number of entries, or the first bad one — each entry's HMAC-SM3 under
    /// the key, the links between them, and the head recorded outside the database (so that entries
    /// removed from the end are named too). Read 10,000 entries at a time, so that memory stays flat
    /// however long the log is.
    pub async fn audit_verify(&self) -> Result<std::result::Result<usize, String>> {
        self.audit_verify_paged(10_000).await
    }

    /// [`Store::audit_verify`] reading `page` entries at a time (public for the tests of paging).
    #[doc(hidden)]
    pub async fn audit_verify_paged(
        &self,
        page: i64,
    ) -> Result<std::result::Result<usize, String>> {
        let head = match Head::read(&self.key.head_path()) {
            Ok(h) => h,
            Err(bad) => return Ok(Err(bad)),
        };
        let mut v = audit::Verifier::new(&self.key);
        let mut head_hash = None;
        let mut after = 0i64;
        loop {
            let page = sqlx::query_as::<_, Entry>("SELECT seq, at, actor, action, entity, old, new, why, prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
                .bind(after)
                .bind(page)
                .fetch_all(&self.pool)
                .await?;
            let Some(last) = page.last() else {
                return Ok(v.finish(head.as_ref(), head_hash.as_deref()));
            };
            after = last.seq;
            for e in &page {
                if let Err(bad) = v.push(e) {
                    return Ok(Err(bad));
                }
                if head.as_ref().is_some_and(|h| h.seq == e.seq) {
                    head_hash = Some(e.hash.clone());
                }
            }
        }
    }

    /// Audit entries (审计管理员 only), newest first, filtered by substrings of actor, action and
    /// entity.
    /// Every account's (login, name), for whoever may read the audit log (the 审计管理员): the log
    /// names people by login, the page by name.
    pub async fn audit_people(&self, by: &User) -> Result<Vec<(String, String)>> {
        policy::check(by, Action::ReadAudit, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        let rows = sqlx::query("SELECT login, name FROM users ORDER BY login")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let login: String = r.get("login");
                let name = self.name_from_store(&login, r.get("name"))?;
                Ok((login, name))
            })
            .collect()
    }

    pub async fn audit_search(
        &self,
        by: &User,
        actor: &str,
        action: &str,
        entity: &str,
        limit: i64,
    ) -> Result<Vec<Entry>> {
        policy::check(by, Action::ReadAudit, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        // "Contains" is instr() in SQLite and strpos() in PostgreSQL (LIKE would read % and _ typed
        // into the filter as wildcards).
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT seq, at, actor, action, entity, old, new, why, prev_hash, hash FROM audit_log WHERE instr(actor, $1) > 0 AND instr(action, $2) > 0 AND instr(entity, $3) > 0 ORDER BY seq DESC LIMIT $4"
            }
            Backend::Postgres => {
                "SELECT seq, at, actor, action, entity, old, new, why, prev_hash, hash FROM audit_log WHERE strpos(actor, $1) > 0 AND strpos(action, $2) > 0 AND strpos(entity, $3) > 0 ORDER BY seq DESC LIMIT $4"
            }
        };
        Ok(sqlx::query_as::<_, Entry>(sql)
            .bind(actor)
            .bind(action)
            .bind(entity)
            .bind(limit.clamp(1, 1000))
            .fetch_all(&self.pool)
            .await?)
    }

    /// 审计归档: the entries of a period (Beijing dates `from` to `to`, both included) as a signed
    /// archive ([`crate::archive`]) for the 审计管理员, the export itself audited (导出审计归档) in
    /// the same transaction — the archive holds the log up to the entry before that one.
    pub async fn audit_archive(
        &self,
        by: &User,
        from: kaohe_core::Date,
        to: kaohe_core::Date,
        addr: &str,
        now: &str,
    ) -> Result<String> {
        if from > to {
            return Err(StoreError::Invalid(format!(
                "起始日期 {from} 晚于结束日期 {to}"
            )));
        }
        let mut tx = self.write().await?;
        policy::check(by, Action::ReadAudit, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        let all = sqlx::query_as::<_, Entry>("SELECT seq, at, actor, action, entity, old, new, why, prev_hash, hash FROM audit_log ORDER BY seq")
            .fetch_all(&mut *tx)
            .await?;
        // From the period's first entry to its last, every entry between (so that the links hold).
        let inside =
            |e: &Entry| kaohe_core::time::beijing_date(&e.at).is_some_and(|d| d >= from && d <= to);
        let first = all.iter().position(inside);
        let last = all.iter().rposition(inside);
        let within: Vec<Entry> = match (first, last) {
            (Some(a), Some(b)) => all[a..=b].to_vec(),
            _ => Vec::new(),
        };
        let text = crate::archive::write(&self.key, from, to, &by.login, now, &within);
        let detail = serde_json::json!({
            "addr": addr,
            "from": from.to_string(),
            "to": to.to_string(),
            "entries": within.len(),
        })
        .to_string();
        self.audit(
            &mut tx,
            now,
            &by.login,
            "audit.export",
            "audit",
            None,
            Some(&detail),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(text)
    }
}
