-- 三员分立、登录规则与安全审计 (issue 14): the three administrators' roles, the password's age and the
-- last sign-in, the session's last request, the security settings, failed sign-ins kept in the
-- database (a restart keeps a lock), and earlier passwords' hashes.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'assessor', 'reporter', 'viewer', 'sysadmin', 'secadmin', 'auditadmin'));
ALTER TABLE users ADD COLUMN password_changed_at TEXT COLLATE "C";
ALTER TABLE users ADD COLUMN last_login_at TEXT COLLATE "C";
ALTER TABLE users ADD COLUMN last_login_addr TEXT COLLATE "C";
UPDATE users SET password_changed_at = created_at;
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT COLLATE "C";
CREATE TABLE security_settings (
    key        TEXT COLLATE "C" PRIMARY KEY,
    value      TEXT COLLATE "C" NOT NULL,
    updated_by TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE login_failures (
    login        TEXT COLLATE "C" NOT NULL,
    addr         TEXT COLLATE "C" NOT NULL,
    failures     BIGINT NOT NULL,
    first_at     TEXT COLLATE "C" NOT NULL,
    locked_until TEXT COLLATE "C",
    PRIMARY KEY (login, addr)
);
CREATE TABLE password_history (
    user_id       BIGINT NOT NULL REFERENCES users (id),
    password_hash TEXT COLLATE "C" NOT NULL,
    changed_at    TEXT COLLATE "C" NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, changed_at);
