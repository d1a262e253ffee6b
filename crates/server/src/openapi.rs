//! The OpenAPI 3.1 document of the JSON API, served at `/api/openapi.json`. Every `/api` route of the
//! routers is listed here; a test reads the routers' source (every `.route("/api…", get(…).post(…))`)
//! and fails on a route missing from this list or listed but not routed.

use axum::routing::get;
use axum::{Json, Router};

/// (method, path, summary) of every route.
pub const ROUTES: &[(&str, &str, &str)] = &[
    (
        "post",
        "/api/login",
        "登录：返回用户与 CSRF 令牌，设置会话 Cookie",
    ),
    ("post", "/api/logout", "退出登录"),
    ("get", "/api/me", "当前用户与 CSRF 令牌"),
    ("get", "/api/assessments", "考核列表"),
    (
        "get",
        "/api/assessments/{id}",
        "一次考核：阶段、细则（原文与规则）、单位",
    ),
    ("post", "/api/assessments/{id}/stage", "推进阶段（管理员）"),
    (
        "post",
        "/api/assessments/new",
        "新建考核（管理员）：复制已有考核（from；copy_units、copy_assignments、copy_rubric）或用细则 TOML（rubric_toml），年度、考核期、自评截止、公示期（工作日）；进入草稿",
    ),
    (
        "get",
        "/api/assessments/{id}/dates",
        "考核日期：考核期、自评截止、公示期与公示截止日，及剩余天数的说明",
    ),
    (
        "put",
        "/api/assessments/{id}/dates",
        "修改考核日期（管理员，须写明理由 why；推迟自评截止即延期）",
    ),
    (
        "post",
        "/api/assessments/{id}/dates/extend",
        "延长公示期至 until（管理员，公示阶段，须写明理由 why）",
    ),
    (
        "get",
        "/api/assessments/{id}/units/{unit}/scores",
        "一个单位的三本账（自评分、考核分、最终分）",
    ),
    (
        "put",
        "/api/assessments/{id}/units/{unit}/scores/{clause}/{ledger}",
        "录入或修改一项得分（带版本号；过期的修改返回 409 与当前值）",
    ),
    (
        "get",
        "/api/assessments/{id}/units/{unit}/findings",
        "单位的问题记录（手工记录的可撤回，平台导入的随导入更新）",
    ),
    (
        "post",
        "/api/assessments/{id}/units/{unit}/findings",
        "记录一例问题（每发现一例）；分问题类型的条款须给出问题类型（finding_type），酌情扣分的给出扣分（points，在范围内）与扣分理由（reason）",
    ),
    (
        "get",
        "/api/assessments/{id}/units/{unit}/inspections",
        "单位的检查记录（检查人、检查日期）",
    ),
    (
        "post",
        "/api/assessments/{id}/units/{unit}/inspections",
        "记录检查：已检查，未发现问题（要求检查记录的条款；检查日期 date 不晚于今天、不早于考核年度）",
    ),
    (
        "post",
        "/api/assessments/{id}/units/{unit}/inspections/{iid}/remove",
        "撤销一条检查记录（须填写理由；审计日志保留原记录）",
    ),
    (
        "get",
        "/api/assessments/{id}/units/{unit}/submission",
        "单位的提交自评状态（已提交、已退回及理由；从未提交为 null）",
    ),
    (
        "post",
        "/api/assessments/{id}/units/{unit}/submission",
        "提交自评（本单位填报员，自评阶段，截止前；须填完全部自评项，提交后自评分和佐证材料锁定）",
    ),
    (
        "post",
        "/api/assessments/{id}/units/{unit}/submission/return",
        "退回自评（分配到该单位的考核员或管理员，自评阶段；须写明理由 reason）",
    ),
    (
        "post",
        "/api/assessments/{id}/units/{unit}/findings/{fid}/withdraw",
        "撤回一条手工记录的问题（须填写理由；审计日志保留原文）",
    ),
    (
        "get",
        "/api/assessments/{id}/results",
        "考核结果（DATA.md §3 的 JSON）",
    ),
    (
        "post",
        "/api/assessments/{id}/whatif",
        "方案对比（试算）：本次考核的数据按另一次考核的细则（rubric_assessment）或细则草案（rubric_toml）重算，逐单位、逐条列出变化；不保存",
    ),
    ("get", "/api/users", "账户列表（管理员）"),
    (
        "post",
        "/api/users",
        "新增账户（管理员；填报员须带 assessment，所属单位从该考核的单位中选择；首次登录须改密码）",
    ),
    (
        "get",
        "/api/accounts",
        "全部账号，含已停用的（管理员；不含密码）",
    ),
    (
        "put",
        "/api/users/{login}",
        "修改账号：姓名、角色、所属单位、电话（管理员）",
    ),
    (
        "post",
        "/api/users/{login}/disable",
        "停用账号（管理员，须填写理由；不能再登录，会话结束）",
    ),
    (
        "post",
        "/api/users/{login}/enable",
        "启用账号（管理员，须填写理由）",
    ),
    (
        "post",
        "/api/users/{login}/password-reset",
        "重置密码（管理员）：返回一次新的初始密码，下次登录须修改",
    ),
    ("post", "/api/me/password", "修改自己的密码（须原密码）"),
    (
        "put",
        "/api/assessments/{id}/units/{unit}",
        "修改单位：编码、名称、类型（管理员，草稿）",
    ),
    (
        "post",
        "/api/assessments/{id}/assignments/replace",
        "改派考核员（管理员，定档前任何阶段，须填写理由）",
    ),
    (
        "get",
        "/api/assessments/{id}/roster/template.xlsx",
        "下载单位与账号名册模板（管理员）",
    ),
    (
        "get",
        "/api/assessments/{id}/roster.xlsx",
        "导出现有单位与账号（管理员；不含密码）",
    ),
    (
        "post",
        "/api/assessments/{id}/roster",
        "导入单位与账号名册（XLSX 为请求体；全部成功或全部不导入，问题逐条列出工作表、行、列；返回新账号的初始密码）",
    ),
    (
        "post",
        "/api/assessments",
        "新建考核：标题与细则 TOML（管理员，草稿）",
    ),
    (
        "post",
        "/api/assessments/{id}/units",
        "添加被考核单位（管理员，草稿）",
    ),
    (
        "post",
        "/api/assessments/{id}/assignments",
        "分配考核员到单位（管理员，草稿）",
    ),
    (
        "put",
        "/api/assessments/{id}/units/{unit}/metrics/{metric}",
        "录入指标数据（管理员，考核）",
    ),
    (
        "post",
        "/api/assessments/{id}/units/{unit}/bonus",
        "加分及理由（考核员或管理员，考核）",
    ),
    (
        "get",
        "/api/audit",
        "审计日志（管理员；可按 actor、action、entity 筛选），附哈希链校验结果",
    ),
    (
        "get",
        "/api/assessments/{id}/objections",
        "异议列表（填报员只见本单位的）",
    ),
    (
        "post",
        "/api/assessments/{id}/objections",
        "提出异议：单位、条款、理由（本单位填报员，公示）",
    ),
    (
        "post",
        "/api/assessments/{id}/objections/{oid}/decision",
        "处理异议：outcome 写明 upheld（采纳，评定类条款须附最终分 score）或 rejected（驳回），须填写理由 reason（考核员或管理员，公示）；缺少或不认识的 outcome 返回 422",
    ),
    (
        "post",
        "/api/assessments/{id}/finalize",
        "定档：封存当前结果（管理员；有未处理的异议时拒绝）",
    ),
    (
        "post",
        "/api/assessments/{id}/corrections",
        "更正：定档后按现有数据重新封存一版，须填写理由，返回与上一版的差异（管理员）",
    ),
    (
        "get",
        "/api/assessments/{id}/sealed",
        "已封存的结果版本列表",
    ),
    (
        "get",
        "/api/assessments/{id}/sealed/{version}",
        "一个封存版本的结果（填报员只见本单位的条款明细）",
    ),
    (
        "get",
        "/api/assessments/{id}/sealed/{a}/diff/{b}",
        "两个封存版本之间的差异（总分、名次、逐条得分）",
    ),
    (
        "get",
        "/api/assessments/{id}/units/{unit}/evidence",
        "单位的佐证材料列表",
    ),
    (
        "put",
        "/api/assessments/{id}/units/{unit}/clauses/{clause}/evidence",
        "上传一份佐证材料（请求体为文件本身，X-File-Name 为百分号编码的文件名；按内容判断类型；上限 20 MB）",
    ),
    (
        "get",
        "/api/evidence/{sha}",
        "下载佐证材料（按 sha256；只给可查看该单位的人）",
    ),
    (
        "post",
        "/api/assessments/{id}/imports/stage",
        "暂存一份平台导出文件（请求体为文件本身，X-Kind 为 cases/claims/survey；同类暂存文件被替换；管理员；上限 512 MB）",
    ),
    (
        "post",
        "/api/assessments/{id}/imports/preview",
        "预览暂存文件：指标与逐行问题，不作改动（管理员）",
    ),
    (
        "post",
        "/api/assessments/{id}/imports/commit",
        "导入暂存文件：全部成功或不作改动（管理员，考核）",
    ),
    (
        "post",
        "/api/assessments/{id}/imports/cancel",
        "取消导入，删除暂存文件（管理员）",
    ),
    (
        "get",
        "/api/assessments/{id}/imports/staged",
        "暂存文件列表：类型、文件名、大小、上传时间（北京时间）（管理员）",
    ),
    ("get", "/api/openapi.json", "本文档"),
];

pub fn document() -> serde_json::Value {
    let mut paths = serde_json::Map::new();
    for (method, path, summary) in ROUTES {
        let entry = paths
            .entry(path.to_string())
            .or_insert_with(|| serde_json::json!({}));
        let mut op = serde_json::json!({
            "summary": summary,
            "responses": {
                "200": { "description": "成功" },
                "401": { "description": "未登录", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "403": { "description": "无权，或缺少 CSRF 令牌", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "422": { "description": "输入有误", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }
        });
        if *method != "get" {
            let limit = crate::limits::body_limit(
                &method
                    .to_uppercase()
                    .parse()
                    .unwrap_or(axum::http::Method::POST),
                path,
            );
            op["responses"]["413"] = serde_json::json!({ "description": format!("请求内容过大：上限 {}", crate::limits::size_text(limit)), "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
        }
        if *path == "/api/login" {
            op["responses"]["429"] = serde_json::json!({ "description": "登录失败次数过多（同一账户与地址 15 分钟内 5 次）", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
            op["responses"]["503"] = serde_json::json!({ "description": "登录请求过多，服务器正忙", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
        }
        if *method == "put" {
            op["responses"]["409"] = serde_json::json!({ "description": "冲突：他人已修改，返回当前值", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
        }
        let params: Vec<serde_json::Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| serde_json::json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        if !params.is_empty() {
            op["parameters"] = serde_json::Value::Array(params);
        }
        entry[*method] = op;
    }
    serde_json::json!({
        "openapi": "3.1.0",
        "info": { "title": "kaohe 考核服务 API", "version": env!("CARGO_PKG_VERSION") },
        "components": {
            "securitySchemes": { "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::COOKIE }, "csrf": { "type": "apiKey", "in": "header", "name": "X-CSRF-Token" } },
            "schemas": { "Error": { "type": "object", "properties": { "error": { "type": "string" }, "current": { "type": "object" } }, "required": ["error"] } }
        },
        "security": [{ "session": [], "csrf": [] }],
        "paths": paths,
    })
}

pub fn router() -> Router<crate::AppState> {
    Router::new().route("/api/openapi.json", get(|| async { Json(document()) }))
}
