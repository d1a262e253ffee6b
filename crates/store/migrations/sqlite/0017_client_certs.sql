-- SM2 证书登录 (issue 14): the certificate bound to an account by the 系统管理员 — its identity as the
-- 国密 TLCP gateway passes it (serial and subject of the verified client certificate). One account
-- per certificate.
ALTER TABLE users ADD COLUMN cert_id TEXT;
CREATE UNIQUE INDEX users_cert_id ON users (cert_id);
