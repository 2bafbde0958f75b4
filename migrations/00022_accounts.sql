-- Accounts (issue 15): password reset and e-mail verification links, limits
-- on how often they are mailed, sessions that can be listed and ended one by
-- one, the last log-in for the admins' user list, and an audit of what
-- admins did to accounts.

-- +goose Up
-- Sessions are looked up by token hash; the account page names them by this
-- id instead, so the hash never reaches a page or a form.
ALTER TABLE sessions ADD COLUMN id bigint NOT NULL GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX sessions_id_idx ON sessions (id);

ALTER TABLE users ADD COLUMN last_login_at timestamptz;

-- One row per link mailed. Only the SHA-256 of the token is kept; email is
-- the address the link went to: for verification the address being proved
-- (the account's own, or the new one of an e-mail change).
CREATE TABLE account_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('reset', 'verify')),
    email      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);

-- How often links were asked for (and current passwords tried on the
-- account page), per kind and key (an address, an e-mail, an account id),
-- in PostgreSQL so every instance agrees, like the log-in throttles.
CREATE TABLE account_attempts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text NOT NULL,
    key        text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_attempts_key_idx ON account_attempts (kind, key, created_at);

-- What admins did to accounts (disable, enable, role changes).
CREATE TABLE admin_audit (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id   bigint REFERENCES users(id) ON DELETE SET NULL,
    target_id  bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    action     text NOT NULL,
    detail     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_audit_target_idx ON admin_audit (target_id, id);

-- +goose Down
DROP TABLE admin_audit;
DROP TABLE account_attempts;
DROP TABLE account_tokens;
ALTER TABLE users DROP COLUMN last_login_at;
DROP INDEX sessions_id_idx;
ALTER TABLE sessions DROP COLUMN id;
