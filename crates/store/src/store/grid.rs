//! 评分表的一页 — a page of an assessment's units with their 考核分 and their assessors, read in a
//! fixed number of queries (the kinds, a count, the page of units, their scores, their assessors)
//! whatever the number of units: an assessor's assigned units only; filtered by kind (one kind, or
//! a ranking group's kinds) and by part of a unit's name or code.

use super::*;

/// Units on one grid page at most.
pub const GRID_MAX_PER_PAGE: u32 = 200;
/// The longest search text, in characters.
pub const GRID_MAX_SEARCH: usize = 50;
/// The most kinds one filter may name.
pub const GRID_MAX_KINDS: usize = 32;

/// Which units a grid page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridFilter {
    /// Only units of these kinds (one kind, a ranking group's kinds, or none at all when a kind
    /// and a group that does not hold it are both chosen); `None`: every kind.
    pub kinds: Option<Vec<String>>,
    /// Part of the unit's name or code; blank: every unit.
    pub search: String,
    /// The page, from 1; a page past the last is read as the last.
    pub page: u32,
    /// Units per page, 1 to [`GRID_MAX_PER_PAGE`].
    pub per_page: u32,
}

impl Default for GridFilter {
    fn default() -> Self {
        GridFilter {
            kinds: None,
            search: String::new(),
            page: 1,
            per_page: 50,
        }
    }
}

/// One unit of a grid page: its 考核分 by clause and the assessors assigned to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridUnit {
    pub unit: UnitRow,
    /// Its scores in the assessor ledger (考核分), by clause id.
    pub scores: Vec<Score>,
    /// The names of the assessors assigned to it, in name order.
    pub assessors: Vec<String>,
}

/// A page of the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridRows {
    pub units: Vec<GridUnit>,
    /// Units that match the filter (on every page).
    pub total: u64,
    /// The page read (the last one when the one asked for is past it).
    pub page: u32,
    pub per_page: u32,
    /// The kinds of the units one may see (for the kind filter), in text order.
    pub kinds: Vec<String>,
}

impl GridRows {
    /// The number of pages (1 when nothing matches).
    pub fn pages(&self) -> u32 {
        (self.total.div_ceil(u64::from(self.per_page)).max(1)) as u32
    }
}

/// `%` `_` and `\` of a search text escaped for `LIKE … ESCAPE '\'`.
fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// A query's text with its parameters, numbered as they are pushed.
#[derive(Default)]
struct Sql {
    text: String,
    args: Vec<Arg>,
}

#[derive(Clone)]
enum Arg {
    Int(i64),
    Text(String),
}

impl Sql {
    fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }
    /// The query with its arguments bound. Its text is built here from fixed fragments and numbered
    /// parameters only: every value typed by a person is a bound argument.
    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.text.as_str()));
        for a in &self.args {
            q = match a {
                Arg::Int(i) => q.bind(*i),
                Arg::Text(t) => q.bind(t.clone()),
            };
        }
        q
    }
    /// `$n, $n+1, …` for each code.
    fn list(&mut self, codes: &[String]) -> String {
        codes
            .iter()
            .map(|c| self.arg(Arg::Text(c.clone())))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Store {
    /// A page of the 评分表: the units `by` works on (an admin every unit, an assessor the units
    /// assigned to him) that match `filter`, in code order, each with its 考核分 and its assessors.
    /// Who may read the assessor ledger is checked as for [`Store::scores`]; the filter's limits
    /// ([`GRID_MAX_PER_PAGE`], [`GRID_MAX_SEARCH`], [`GRID_MAX_KINDS`]) are refused past, in Chinese.
    pub async fn grid_rows(
        &self,
        by: &User,
        assessment: i64,
        filter: &GridFilter,
    ) -> Result<GridRows> {
        let stage = self.assessment(assessment).await?.stage;
        policy::may_read(by, Read::Ledger(Ledger::Assessor), stage, None)
            .map_err(StoreError::Forbidden)?;
        if !matches!(by.role, Role::Admin | Role::Assessor) {
            return Err(StoreError::Forbidden(format!(
                "{}（{}）无权使用评分表",
                by.name,
                by.role.label()
            )));
        }
        if filter.per_page == 0 || filter.per_page > GRID_MAX_PER_PAGE {
            return Err(StoreError::Invalid(format!(
                "每页单位数应为 1 到 {GRID_MAX_PER_PAGE}，收到 {}",
                filter.per_page
            )));
        }
        let search = filter.search.trim();
        if search.chars().count() > GRID_MAX_SEARCH {
            return Err(StoreError::Invalid(format!(
                "搜索内容最多 {GRID_MAX_SEARCH} 个字，收到 {} 个",
                search.chars().count()
            )));
        }
        let chosen = filter.kinds.as_deref();
        if let Some(k) = chosen
            && k.len() > GRID_MAX_KINDS
        {
            return Err(StoreError::Invalid(format!(
                "单位类型最多选 {GRID_MAX_KINDS} 种，收到 {} 种",
                k.len()
            )));
        }
        // The units one may see, then those that match.
        let mut scope = Sql::default();
        let a = scope.arg(Arg::Int(assessment));
        let mut seen = format!("FROM units u WHERE u.assessment_id = {a}");
        if by.role == Role::Assessor {
            let a = scope.arg(Arg::Int(assessment));
            let me = scope.arg(Arg::Int(by.id));
            seen += &format!(
                " AND u.code IN (SELECT g.unit_code FROM assignments g WHERE g.assessment_id = {a} AND g.user_id = {me})"
            );
        }
        let mut kinds_sql = Sql {
            text: String::new(),
            args: scope.args.clone(),
        };
        kinds_sql.text = format!("SELECT DISTINCT u.kind {seen} ORDER BY u.kind");
        let mut matching = seen;
        match chosen {
            None => {}
            Some([]) => matching += " AND 1 = 0",
            Some(k) => {
                let list = scope.list(k);
                matching += &format!(" AND u.kind IN ({list})");
            }
        }
        if !search.is_empty() {
            let pattern = like_pattern(search);
            let n = scope.arg(Arg::Text(pattern.clone()));
            let c = scope.arg(Arg::Text(pattern));
            matching +=
                &format!(" AND (u.name LIKE {n} ESCAPE '\\' OR u.code LIKE {c} ESCAPE '\\')");
        }
        let mut kinds: Vec<String> = kinds_sql
            .query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.get("kind"))
            .collect();
        // In text order whatever the database's collation.
        kinds.sort();
        let mut count = Sql {
            text: format!("SELECT COUNT(*) AS n {matching}"),
            args: scope.args.clone(),
        };
        let total: i64 = count.query().fetch_one(&self.pool).await?.get("n");
        count.args.clear();
        let total = total.max(0) as u64;
        let pages = (total.div_ceil(u64::from(filter.per_page)).max(1)) as u32;
        let page = filter.page.clamp(1, pages);
        let mut rows = Sql {
            text: String::new(),
            args: scope.args,
        };
        let limit = rows.arg(Arg::Int(i64::from(filter.per_page)));
        let offset = rows.arg(Arg::Int(i64::from(page - 1) * i64::from(filter.per_page)));
        rows.text = format!(
            "SELECT u.code, u.name, u.kind {matching} ORDER BY u.code LIMIT {limit} OFFSET {offset}"
        );
        let units: Vec<UnitRow> = rows
            .query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| UnitRow {
                code: r.get("code"),
                name: r.get("name"),
                kind: r.get("kind"),
            })
            .collect();
        let codes: Vec<String> = units.iter().map(|u| u.code.clone()).collect();
        let mut by_code: HashMap<String, GridUnit> = HashMap::new();
        if !codes.is_empty() {
            let mut q = Sql::default();
            let a = q.arg(Arg::Int(assessment));
            let list = q.list(&codes);
            q.text = format!(
                "SELECT l.unit_code, l.clause_id, l.score, l.reason, l.version, us.name AS by_name, l.updated_at FROM ledger l JOIN users us ON us.id = l.updated_by WHERE l.assessment_id = {a} AND l.ledger = 'assessor' AND l.unit_code IN ({list}) ORDER BY l.unit_code, l.clause_id"
            );
            let scores = q.query().fetch_all(&self.pool).await?;
            let mut q = Sql::default();
            let a = q.arg(Arg::Int(assessment));
            let list = q.list(&codes);
            q.text = format!(
                "SELECT g.unit_code, us.name FROM assignments g JOIN users us ON us.id = g.user_id WHERE g.assessment_id = {a} AND g.unit_code IN ({list}) ORDER BY g.unit_code, us.name"
            );
            let assessors = q.query().fetch_all(&self.pool).await?;
            for u in &units {
                by_code.insert(
                    u.code.clone(),
                    GridUnit {
                        unit: u.clone(),
                        scores: Vec::new(),
                        assessors: Vec::new(),
                    },
                );
            }
            for r in &scores {
                let code: String = r.get("unit_code");
                if let Some(g) = by_code.get_mut(&code) {
                    g.scores.push(Score {
                        unit_code: code,
                        clause_id: r.get("clause_id"),
                        ledger: Ledger::Assessor,
                        score: r.get("score"),
                        reason: r.get("reason"),
                        version: r.get("version"),
                        updated_by: r.get("by_name"),
                        updated_at: r.get("updated_at"),
                    });
                }
            }
            for r in &assessors {
                let code: String = r.get("unit_code");
                if let Some(g) = by_code.get_mut(&code) {
                    g.assessors.push(r.get("name"));
                }
            }
        }
        Ok(GridRows {
            units: codes.iter().filter_map(|c| by_code.remove(c)).collect(),
            total,
            page,
            per_page: filter.per_page,
            kinds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn search_text_is_matched_literally() {
        assert_eq!(like_pattern("掘港"), "%掘港%");
        assert_eq!(like_pattern("10%_a\\"), "%10\\%\\_a\\\\%");
    }
}
