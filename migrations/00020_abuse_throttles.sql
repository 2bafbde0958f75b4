-- Log-in throttling per account and address together (issue 14): the pair's
-- failures are counted through (ip, created_at) and this index keeps the
-- owner's clean-up after a right password cheap. login_alerts remembers when
-- an account's owner was last told that its log-in is under attack, so they
-- hear of one attack once. signup_attempts bounds sign-ups per address (each
-- costs an argon2id hash), in PostgreSQL so every instance agrees.

-- +goose Up
CREATE INDEX login_failures_pair_idx ON login_failures (email, ip);

CREATE TABLE login_alerts (
    user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    sent_at timestamptz NOT NULL,
    last_at timestamptz NOT NULL
);

CREATE TABLE signup_attempts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ip         text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signup_attempts_ip_idx ON signup_attempts (ip, created_at);

-- +goose Down
DROP TABLE signup_attempts;
DROP TABLE login_alerts;
DROP INDEX login_failures_pair_idx;
