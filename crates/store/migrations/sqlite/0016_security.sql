-- no-transaction
-- 三员分立、登录规则与安全审计 (issue 14). The users table is rebuilt (SQLite cannot change a CHECK
-- in place) so that its role may be one of the three administrators too: 系统管理员 (sysadmin),
-- 安全管理员 (secadmin), 审计管理员 (auditadmin). Foreign keys are off only while the table is
-- swapped, inside one transaction; rows keep their ids.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_new (
    id                   INTEGER PRIMARY KEY,
    login                TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'assessor', 'reporter', 'viewer', 'sysadmin', 'secadmin', 'auditadmin')),
    unit_code            TEXT,
    password_hash        TEXT NOT NULL,
    active               INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    phone                TEXT,
    password_changed_at  TEXT,
    last_login_at        TEXT,
    last_login_addr      TEXT,
    CHECK ((role = 'reporter') = (unit_code IS NOT NULL))
);
INSERT INTO users_new (id, login, name, role, unit_code, password_hash, active, created_at, must_change_password, phone, password_changed_at)
    SELECT id, login, name, role, unit_code, password_hash, active, created_at, must_change_password, phone, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
-- 会话: the last request, for the idle timeout.
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
-- 安全设置: key → value, defaults in code (kaohe_store::security); written only by the 安全管理员.
CREATE TABLE security_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- 登录失败: failures of one account from one address within the window; kept in the database so that
-- a restart keeps a lock. `locked_until` is set when the count reaches the limit.
CREATE TABLE login_failures (
    login        TEXT NOT NULL,
    addr         TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    first_at     TEXT NOT NULL,
    locked_until TEXT,
    PRIMARY KEY (login, addr)
);
-- 历史密码: the hashes of earlier passwords, for "the last N not reused".
CREATE TABLE password_history (
    user_id       INTEGER NOT NULL REFERENCES users (id),
    password_hash TEXT NOT NULL,
    changed_at    TEXT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, changed_at);
COMMIT;
PRAGMA foreign_keys = ON;
