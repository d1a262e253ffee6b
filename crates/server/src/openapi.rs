//! The OpenAPI 3.1 document of the JSON API, served at `/api/openapi.json`. Every route of the
//! router is listed here; a test checks that the two agree.

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
        "记录一例问题（每发现一例）",
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
    ("post", "/api/users", "新增账户（管理员）"),
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
