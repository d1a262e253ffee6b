-- 账户管理 (issue 12): an initial or reset password must be changed at the next sign-in before
-- anything else; a phone number to reach the account's holder. Accounts are never deleted (the audit
-- log names them): `active` (0001) disables one.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN phone TEXT;
