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

    /// Audit entries (admin), newest first, filtered by substrings of actor, action and entity.
    pub async fn audit_search(
        &self,
        by: &User,
        actor: &str,
        action: &str,
        entity: &str,
        limit: i64,
    ) -> Result<Vec<Entry>> {
        if by.role != Role::Admin {
            return Err(StoreError::Forbidden(format!(
                "{}（{}）无权查看审计日志：只有管理员可以",
                by.name,
                by.role.label()
            )));
        }
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
}
