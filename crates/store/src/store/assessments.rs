//! 考核与阶段 — assessments with their rubric, units, assessor assignments, and the stage moves
//! 草稿 → 自评 → 考核 → 公示 (定档 is sealing's); a new assessment copied from an earlier one (新建考核),
//! and its dates: the 考核期, the 自评 deadline and the 公示 window (issue 12).
//!
//! **The dates' rule** (Beijing time, UTC+8; the store reads no clock, it is given `now`): 自评 is
//! accepted until 24:00 of the deadline's day. The 公示 window opens at the moment the assessment
//! moves to 公示 (recorded); the day of publication does not count, and the window closes at 24:00
//! of the N-th working day after it, working days counted with the working-day calendar (法定节假日
//! and 调休 from `calendars/`). An objection is accepted until then. The admin may move either
//! later, with a reason (audited).

use super::*;
use kaohe_core::Date;

/// 考核期与日期 of an assessment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dates {
    /// 考核期: the first and last day (platform imports default to it).
    pub period: Option<(Date, Date)>,
    /// 自评截止: the last day 自评 is accepted (until 24:00 Beijing time).
    pub self_deadline: Option<Date>,
    /// 公示期: working days after the day of publication.
    pub publication_days: Option<u32>,
    /// When the assessment moved to 公示 (ISO 8601 UTC, as given).
    pub published_at: Option<String>,
    /// The last day of the 公示 window (until 24:00 Beijing time).
    pub publication_closes: Option<Date>,
}

/// What a new assessment copies from an earlier one (新建考核 by copying).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyFrom {
    /// The assessment copied.
    pub from: i64,
    /// Its units (reporters' accounts are bound to unit codes: they carry over with them).
    pub units: bool,
    /// Its assessors' assignments to units (only with the units).
    pub assignments: bool,
}

/// Where a new assessment's rubric comes from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// The rubric of the assessment copied.
    Copied,
    /// A rubric's TOML text (an upload, or the Excel sheet turned into TOML).
    Toml(&'a str),
}

/// 新建考核: title, year, 考核期 and dates, the rubric, and what is copied.
#[derive(Debug, Clone)]
pub struct NewAssessment<'a> {
    pub title: &'a str,
    pub year: i64,
    pub rubric: Source<'a>,
    pub copy: Option<CopyFrom>,
    /// 考核期, 自评截止, 公示期 (the window itself is set when it opens).
    pub dates: Dates,
}

/// A stored date, or `Corrupt`.
fn stored_date(assessment: i64, what: &str, text: Option<String>) -> Result<Option<Date>> {
    text.map(|t| {
        Date::parse(&t)
            .ok_or_else(|| StoreError::Corrupt(format!("考核 {assessment} 的{what}“{t}”不是日期")))
    })
    .transpose()
}

/// `now` as a Beijing day, or why not (the service always gives a time that reads).
fn today(now: &str) -> Result<Date> {
    kaohe_core::time::beijing_date(now)
        .ok_or_else(|| StoreError::Invalid(format!("时间“{now}”无法识别")))
}

/// The checks every new or edited set of dates passes.
fn checked_dates(d: &Dates) -> Result<()> {
    if let Some((a, b)) = d.period
        && a > b
    {
        return Err(StoreError::Invalid(format!(
            "考核期的开始日 {a} 晚于结束日 {b}"
        )));
    }
    if let Some(n) = d.publication_days
        && !(1..=60).contains(&n)
    {
        return Err(StoreError::Invalid(format!(
            "公示期 {n} 个工作日：应为 1 到 60 个工作日"
        )));
    }
    Ok(())
}

/// The dates as the audit log records them.
fn dates_json(d: &Dates) -> serde_json::Value {
    serde_json::json!({
        "period": d.period.map(|(a, b)| format!("{a}..{b}")),
        "self_deadline": d.self_deadline.map(|x| x.to_string()),
        "publication_days": d.publication_days,
    })
}

/// A unit of an assessment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub kind: String,
}

/// An assessment in a list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AssessmentRow {
    pub id: i64,
    pub year: i64,
    pub title: String,
    pub stage: Stage,
    pub rubric_id: String,
    pub rubric_sha256: String,
}

/// A stage as the store wrote it, or `Corrupt` (never read as 草稿).
fn stored_stage(assessment: i64, key: String) -> Result<Stage> {
    Stage::parse(&key)
        .ok_or_else(|| StoreError::Corrupt(format!("考核 {assessment} 的阶段“{key}”无法识别")))
}

impl Store {
    /// Creates an assessment in 草稿 from a rubric's TOML text (validated; its sha256 is kept), in the
    /// rubric's year, without dates.
    pub async fn create_assessment(
        &self,
        by: &User,
        title: &str,
        rubric_toml: &str,
        now: &str,
    ) -> Result<i64> {
        policy::check(by, Action::SetUp, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        let year = rubric::load("rubric.toml", rubric_toml)
            .0
            .map_or(0, |r| r.year as i64);
        let new = NewAssessment {
            title,
            year,
            rubric: Source::Toml(rubric_toml),
            copy: None,
            dates: Dates::default(),
        };
        self.new_assessment(by, &new, now).await
    }

    /// 新建考核: an assessment in 草稿 with its own year, 考核期 and dates, its rubric (a TOML text,
    /// or the one of the assessment copied), and — when copying — the units and the assessors'
    /// assignments of the earlier assessment. One transaction: the admin's right is checked inside
    /// it, the source read under its lock, everything copied, and one audit entry names the source
    /// and what was copied.
    pub async fn new_assessment(
        &self,
        by: &User,
        new: &NewAssessment<'_>,
        now: &str,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        policy::check(by, Action::SetUp, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        let title = new.title.trim();
        if title.is_empty() {
            return Err(StoreError::Invalid("请填写考核名称".into()));
        }
        if title.chars().count() > 200 {
            return Err(StoreError::Invalid("考核名称不超过 200 字".into()));
        }
        checked_dates(&new.dates)?;
        let source_toml = match new.copy {
            Some(c) => {
                let t: Option<String> =
                    sqlx::query_scalar("SELECT rubric_toml FROM assessments WHERE id = $1")
                        .bind(c.from)
                        .fetch_optional(&mut *tx)
                        .await?;
                Some(t.ok_or_else(|| StoreError::NotFound("要复制的考核不存在".into()))?)
            }
            None => None,
        };
        let toml = match (new.rubric, &source_toml) {
            (Source::Toml(t), _) => t.to_string(),
            (Source::Copied, Some(t)) => t.clone(),
            (Source::Copied, None) => {
                return Err(StoreError::Invalid(
                    "请选择要复制的考核，或上传细则文件".into(),
                ));
            }
        };
        let (r, problems) = rubric::load("rubric.toml", &toml);
        let Some(r) = r else {
            let msgs: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            return Err(StoreError::Invalid(format!(
                "细则无效：{}",
                msgs.join("；")
            )));
        };
        if !(2000..=2100).contains(&new.year) {
            return Err(StoreError::Invalid(format!(
                "年度 {} 应在 2000 到 2100 之间",
                new.year
            )));
        }
        let d = &new.dates;
        let id: i64 = sqlx::query_scalar("INSERT INTO assessments (year, title, rubric_id, rubric_version, rubric_sha256, rubric_toml, stage, created_at, period_start, period_end, self_deadline, publication_days) VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $9, $10, $11) RETURNING id")
            .bind(new.year)
            .bind(title)
            .bind(&r.id)
            .bind(&r.version)
            .bind(&r.sha256)
            .bind(&toml)
            .bind(now)
            .bind(d.period.map(|p| p.0.to_string()))
            .bind(d.period.map(|p| p.1.to_string()))
            .bind(d.self_deadline.map(|x| x.to_string()))
            .bind(d.publication_days.map(i64::from))
            .fetch_one(&mut *tx)
            .await?;
        let mut record = serde_json::json!({
            "title": title, "year": new.year, "rubric": r.id, "version": r.version, "sha256": r.sha256,
            "dates": dates_json(d),
        });
        if let Some(c) = new.copy {
            let (mut units, mut assignments) = (0u64, 0u64);
            if c.units {
                let rows = sqlx::query(
                    "SELECT code, name, kind FROM units WHERE assessment_id = $1 ORDER BY code",
                )
                .bind(c.from)
                .fetch_all(&mut *tx)
                .await?;
                let refused: Vec<String> = rows
                    .iter()
                    .filter(|u| !r.shapes.accepts_kind(&u.get::<String, _>("kind")))
                    .map(|u| {
                        format!(
                            "{}（{}）",
                            u.get::<String, _>("name"),
                            u.get::<String, _>("kind")
                        )
                    })
                    .collect();
                if !refused.is_empty() {
                    let list = r.shapes.kinds().unwrap_or_default().join(" / ");
                    return Err(StoreError::Invalid(format!(
                        "新细则的单位类型为 {list}，这些单位的类型不在其中，不能复制：{}",
                        refused.join("、")
                    )));
                }
                units = sqlx::query("INSERT INTO units (assessment_id, code, name, kind) SELECT $1, code, name, kind FROM units WHERE assessment_id = $2")
                    .bind(id)
                    .bind(c.from)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if c.assignments {
                    // Only assessors' accounts that are still active keep their units.
                    assignments = sqlx::query("INSERT INTO assignments (assessment_id, user_id, unit_code) SELECT $1, a.user_id, a.unit_code FROM assignments a JOIN users u ON u.id = a.user_id WHERE a.assessment_id = $2 AND u.role = 'assessor' AND u.active = 1")
                        .bind(id)
                        .bind(c.from)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                }
            } else if c.assignments {
                return Err(StoreError::Invalid(
                    "考核员分工按单位安排：复制分工须同时复制单位".into(),
                ));
            }
            record["from"] = serde_json::json!(c.from);
            record["copied"] = serde_json::json!({
                "units": units,
                "assignments": assignments,
                "rubric": matches!(new.rubric, Source::Copied),
            });
        }
        let why = new.copy.map(|c| format!("复制自考核 {}", c.from));
        self.audit(
            &mut tx,
            now,
            &by.login,
            "assessment.create",
            &format!("assessment/{id}"),
            None,
            Some(&record.to_string()),
            why.as_deref(),
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// Changes an assessment's 考核期, 自评截止 and 公示期 (admin, any stage before 定档, with a
    /// reason; audited with the old and new dates). A later 自评截止 is how a deadline is extended.
    pub async fn set_dates(
        &self,
        by: &User,
        assessment: i64,
        dates: &Dates,
        why: &str,
        now: &str,
    ) -> Result<()> {
        let Change { mut tx, .. } = self
            .change(by, assessment, None, |_| Action::SetDates)
            .await?;
        if why.trim().is_empty() {
            return Err(StoreError::Invalid("修改考核日期须写明理由".into()));
        }
        checked_dates(dates)?;
        let old = Self::dates_in(&mut tx, assessment).await?;
        sqlx::query("UPDATE assessments SET period_start = $1, period_end = $2, self_deadline = $3, publication_days = $4 WHERE id = $5")
            .bind(dates.period.map(|p| p.0.to_string()))
            .bind(dates.period.map(|p| p.1.to_string()))
            .bind(dates.self_deadline.map(|x| x.to_string()))
            .bind(dates.publication_days.map(i64::from))
            .bind(assessment)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "assessment.dates",
            &format!("assessment/{assessment}"),
            Some(&dates_json(&old).to_string()),
            Some(&dates_json(dates).to_string()),
            Some(why.trim()),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Extends the 公示 window to `until` (admin, in 公示, later than it closes now, with a reason;
    /// audited with the old and new last day).
    pub async fn extend_publication(
        &self,
        by: &User,
        assessment: i64,
        until: Date,
        why: &str,
        now: &str,
    ) -> Result<()> {
        let Change { mut tx, stage, .. } = self
            .change(by, assessment, None, |_| Action::SetDates)
            .await?;
        if stage != Stage::Publication {
            return Err(StoreError::Invalid(format!(
                "当前为“{}”阶段：公示期只能在公示阶段延长",
                stage.label()
            )));
        }
        if why.trim().is_empty() {
            return Err(StoreError::Invalid("延长公示期须写明理由".into()));
        }
        let old = Self::dates_in(&mut tx, assessment)
            .await?
            .publication_closes;
        if let Some(o) = old
            && until <= o
        {
            return Err(StoreError::Invalid(format!(
                "公示期现至 {o}，延长后的日期 {until} 应晚于它"
            )));
        }
        sqlx::query("UPDATE assessments SET publication_closes = $1 WHERE id = $2")
            .bind(until.to_string())
            .bind(assessment)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "publication.extend",
            &format!("assessment/{assessment}"),
            old.map(|o| o.to_string()).as_deref(),
            Some(&until.to_string()),
            Some(why.trim()),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// An assessment's dates, read inside `tx`.
    pub(super) async fn dates_in(tx: &mut sqlx::AnyConnection, assessment: i64) -> Result<Dates> {
        let r = sqlx::query("SELECT period_start, period_end, self_deadline, publication_days, published_at, publication_closes FROM assessments WHERE id = $1")
            .bind(assessment)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound("没有这个考核".into()))?;
        Self::dates_of(assessment, &r)
    }

    /// The dates of an assessment's row.
    fn dates_of(assessment: i64, r: &sqlx::any::AnyRow) -> Result<Dates> {
        let start = stored_date(assessment, "考核期开始日", r.get("period_start"))?;
        let end = stored_date(assessment, "考核期结束日", r.get("period_end"))?;
        let days: Option<i64> = r.get("publication_days");
        Ok(Dates {
            period: start.zip(end),
            self_deadline: stored_date(assessment, "自评截止日", r.get("self_deadline"))?,
            publication_days: days
                .map(|n| {
                    u32::try_from(n).map_err(|_| {
                        StoreError::Corrupt(format!("考核 {assessment} 的公示期“{n}”不是天数"))
                    })
                })
                .transpose()?,
            published_at: r.get("published_at"),
            publication_closes: stored_date(assessment, "公示截止日", r.get("publication_closes"))?,
        })
    }

    /// Refuses 自评 after the deadline (read inside `tx`, under the write lock).
    pub(super) async fn check_self_deadline(
        tx: &mut sqlx::AnyConnection,
        assessment: i64,
        now: &str,
    ) -> Result<()> {
        if let Some(d) = Self::dates_in(tx, assessment).await?.self_deadline
            && today(now)? > d
        {
            return Err(StoreError::Forbidden(format!(
                "自评已于 {d}（北京时间当日 24 时）截止，不能再填报或修改自评分和佐证材料；如需延期，请联系管理员"
            )));
        }
        Ok(())
    }

    /// Refuses an objection after the 公示 window (read inside `tx`, under the write lock).
    pub(super) async fn check_publication_window(
        tx: &mut sqlx::AnyConnection,
        assessment: i64,
        now: &str,
    ) -> Result<()> {
        if let Some(d) = Self::dates_in(tx, assessment).await?.publication_closes
            && today(now)? > d
        {
            return Err(StoreError::Forbidden(format!(
                "公示期已于 {d}（北京时间当日 24 时）结束，不能再提出异议"
            )));
        }
        Ok(())
    }

    /// Gives the store the working-day calendar the 公示 window is counted with (the service's data
    /// directory's: the built-in years plus `calendars/*.toml`).
    pub fn use_calendar(&self, calendar: kaohe_core::calendar::Calendar) {
        *self.calendar.lock().expect("calendar") = Arc::new(calendar);
    }

    /// The working-day calendar in use.
    pub fn calendar(&self) -> Arc<kaohe_core::calendar::Calendar> {
        self.calendar.lock().expect("calendar").clone()
    }

    /// An assessment with its rubric parsed (kept until the next change).
    pub async fn assessment(&self, id: i64) -> Result<Assessment> {
        let state = self.revision(id).await?;
        if let Some((at, a)) = self.cache.lock().expect("cache").assessments.get(&id)
            && *at == state
        {
            return Ok(a.clone());
        }
        // The rubric is parsed again only when its text changed (a stage move keeps it).
        let before = self
            .cache
            .lock()
            .expect("cache")
            .assessments
            .get(&id)
            .map(|(_, a)| a.clone());
        let a = self.assessment_read(id, before.as_ref()).await?;
        self.cache
            .lock()
            .expect("cache")
            .assessments
            .insert(id, (state, a.clone()));
        Ok(a)
    }

    /// The assessment as stored, its rubric taken from `before` when the stored text is the same.
    async fn assessment_read(&self, id: i64, before: Option<&Assessment>) -> Result<Assessment> {
        let r = sqlx::query(
            "SELECT id, year, title, stage, rubric_toml, incomplete_note, period_start, period_end, self_deadline, publication_days, published_at, publication_closes FROM assessments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound("没有这个考核".into()))?;
        let toml: String = r.get("rubric_toml");
        let rubric = match before {
            Some(b) if b.rubric_toml == toml => b.rubric.clone(),
            _ => rubric::load("rubric.toml", &toml)
                .0
                .ok_or_else(|| StoreError::Corrupt(format!("考核 {id} 的已存细则无法读取")))?,
        };
        Ok(Assessment {
            id: r.get("id"),
            year: r.get("year"),
            title: r.get("title"),
            stage: stored_stage(id, r.get("stage"))?,
            rubric,
            rubric_toml: toml,
            incomplete_note: r.get("incomplete_note"),
            dates: Self::dates_of(id, &r)?,
        })
    }

    /// One unit of an assessment, if it has it (one indexed row read).
    pub async fn unit(&self, assessment: i64, code: &str) -> Result<Option<UnitRow>> {
        let r = sqlx::query(
            "SELECT code, name, kind FROM units WHERE assessment_id = $1 AND code = $2",
        )
        .bind(assessment)
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        Ok(r.map(|r| UnitRow {
            code: r.get("code"),
            name: r.get("name"),
            kind: r.get("kind"),
        }))
    }

    /// Adds a unit to an assessment (草稿 only).
    pub async fn add_unit(
        &self,
        by: &User,
        assessment: i64,
        code: &str,
        name: &str,
        kind: &str,
        now: &str,
    ) -> Result<()> {
        let Change { mut tx, .. } = self.change(by, assessment, None, |_| Action::SetUp).await?;
        // The rubric's own kinds (`unit_kinds`), kaohe's three for a format-1 rubric without them.
        let toml: String = sqlx::query_scalar("SELECT rubric_toml FROM assessments WHERE id = $1")
            .bind(assessment)
            .fetch_one(&mut *tx)
            .await?;
        let kinds = rubric::load("rubric.toml", &toml)
            .0
            .ok_or_else(|| StoreError::Corrupt(format!("考核 {assessment} 的已存细则无法读取")))?
            .shapes;
        if kind.trim().is_empty() || kind.chars().count() > 20 {
            return Err(StoreError::Invalid(format!(
                "单位类型“{kind}”应为 1 到 20 个字，不超过 20 个字"
            )));
        }
        if !kinds.accepts_kind(kind) {
            let list = kinds.kinds().unwrap_or_default().join(" / ");
            return Err(StoreError::Invalid(format!("单位类型“{kind}”应为 {list}")));
        }
        let problems = Self::unit_problems(&kinds, code, name, kind);
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("；")));
        }
        let r = sqlx::query(
            "INSERT INTO units (assessment_id, code, name, kind) VALUES ($1, $2, $3, $4)",
        )
        .bind(assessment)
        .bind(code)
        .bind(name)
        .bind(kind)
        .execute(&mut *tx)
        .await;
        if let Err(sqlx::Error::Database(e)) = &r
            && e.is_unique_violation()
        {
            return Err(StoreError::Invalid(format!("单位“{code}”已在本次考核中")));
        }
        r?;
        let new = serde_json::json!({ "code": code, "name": name, "kind": kind }).to_string();
        self.audit(
            &mut tx,
            now,
            &by.login,
            "unit.add",
            &format!("assessment/{assessment}/unit/{code}"),
            None,
            Some(&new),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Assigns an assessor to a unit (草稿 only).
    pub async fn assign(
        &self,
        by: &User,
        assessment: i64,
        assessor: &User,
        unit: &str,
        now: &str,
    ) -> Result<()> {
        let Change { mut tx, .. } = self.change(by, assessment, None, |_| Action::SetUp).await?;
        if assessor.role != Role::Assessor {
            return Err(StoreError::Invalid(format!("{} 不是考核员", assessor.name)));
        }
        Self::unit_in(&mut tx, assessment, unit).await?;
        // One assessor a unit: another is put in by 改派 (with its reason), never added beside.
        let other: Option<String> = sqlx::query_scalar("SELECT u.name FROM assignments a JOIN users u ON u.id = a.user_id WHERE a.assessment_id = $1 AND a.unit_code = $2 AND a.user_id <> $3 LIMIT 1")
            .bind(assessment)
            .bind(unit)
            .bind(assessor.id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(name) = other {
            return Err(StoreError::Invalid(format!(
                "单位 {unit} 已由考核员 {name} 负责：更换考核员请用“改派”（须填写理由）"
            )));
        }
        sqlx::query("INSERT INTO assignments (assessment_id, user_id, unit_code) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING").bind(assessment).bind(assessor.id).bind(unit).execute(&mut *tx).await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "assignment.add",
            &format!("assessment/{assessment}/unit/{unit}"),
            None,
            Some(&assessor.login),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Whether `user` is assigned to `unit` in `assessment`.
    /// 分工: (assessor's login, assessor's name, unit code) of an assessment, by unit then login.
    pub async fn assignments(&self, assessment: i64) -> Result<Vec<(String, String, String)>> {
        let rows = sqlx::query("SELECT u.login, u.name, a.unit_code FROM assignments a JOIN users u ON u.id = a.user_id WHERE a.assessment_id = $1 ORDER BY a.unit_code, u.login")
            .bind(assessment)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("login"), r.get("name"), r.get("unit_code")))
            .collect())
    }

    /// The codes of the units assigned to `user` (their rows only, not the whole table).
    /// Moves the assessment to the next stage (admin; recorded with the reason). Into 公示 the `gate`
    /// is passed under the write lock (see [`Gate`]): unfinished work refuses the move unless the
    /// gate was overridden with its own reason, which is recorded and kept as the assessment's
    /// [`Assessment::incomplete_note`].
    pub async fn advance(
        &self,
        by: &User,
        assessment: i64,
        to: Stage,
        why: &str,
        now: &str,
        gate: Gate<'_>,
    ) -> Result<()> {
        let Change {
            mut tx,
            stage: from,
            ..
        } = self
            .change(by, assessment, None, |_| Action::AdvanceStage)
            .await?;
        if from.next() != Some(to) {
            return Err(StoreError::Invalid(format!(
                "不能从“{}”直接进入“{}”：阶段须依次推进",
                from.label(),
                to.label()
            )));
        }
        if to == Stage::Final {
            return Err(StoreError::Invalid(
                "定档须经“定档”操作：它同时封存结果".into(),
            ));
        }
        if to == Stage::Publication {
            self.pass_gate(&mut tx, by, assessment, to, now, gate)
                .await?;
            // The 公示 window opens now: its last day is the N-th working day after today.
            let days = Self::dates_in(&mut tx, assessment).await?.publication_days;
            let closes = match days {
                Some(n) => Some(
                    self.calendar()
                        .add_working_days(today(now)?, n)
                        .map_err(|e| StoreError::Invalid(format!("无法计算公示期：{e}")))?,
                ),
                None => None,
            };
            sqlx::query(
                "UPDATE assessments SET published_at = $1, publication_closes = $2 WHERE id = $3",
            )
            .bind(now)
            .bind(closes.map(|d| d.to_string()))
            .bind(assessment)
            .execute(&mut *tx)
            .await?;
        }
        let n = sqlx::query("UPDATE assessments SET stage = $1 WHERE id = $2 AND stage = $3")
            .bind(to.key())
            .bind(assessment)
            .bind(from.key())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::Invalid("阶段已被他人改变，请刷新".into()));
        }
        self.audit(
            &mut tx,
            now,
            &by.login,
            "stage.advance",
            &format!("assessment/{assessment}"),
            Some(from.key()),
            Some(to.key()),
            Some(why),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    pub async fn assessments(&self) -> Result<Vec<AssessmentRow>> {
        let rows = sqlx::query(
            "SELECT id, year, title, stage, rubric_id, rubric_sha256 FROM assessments ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.get("id");
                Ok(AssessmentRow {
                    id,
                    year: r.get("year"),
                    title: r.get("title"),
                    stage: stored_stage(id, r.get("stage"))?,
                    rubric_id: r.get("rubric_id"),
                    rubric_sha256: r.get("rubric_sha256"),
                })
            })
            .collect()
    }

    pub async fn units(&self, assessment: i64) -> Result<Vec<UnitRow>> {
        let rows = sqlx::query(
            "SELECT code, name, kind FROM units WHERE assessment_id = $1 ORDER BY code",
        )
        .bind(assessment)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| UnitRow {
                code: r.get("code"),
                name: r.get("name"),
                kind: r.get("kind"),
            })
            .collect())
    }
}
