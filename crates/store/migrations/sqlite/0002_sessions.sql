-- Sessions: the cookie holds a random token; only its sha256 is stored. Each session has its own CSRF
-- token, required on every state-changing request.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
