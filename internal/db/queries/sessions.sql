-- name: CreateSession :exec
INSERT INTO sessions (token_hash, user_id, expires_at, ip, user_agent)
VALUES ($1, $2, $3, $4, $5);

-- name: GetSessionUser :one
-- The session is valid only while it is neither idle too long nor past its
-- absolute expiry, and its user is not disabled.
SELECT sqlc.embed(s), sqlc.embed(u)
FROM sessions s
JOIN users u ON u.id = s.user_id
WHERE s.token_hash = $1
  AND s.expires_at > now()
  AND s.last_seen_at > now() - sqlc.arg(idle_timeout)::interval
  AND u.disabled_at IS NULL;

-- name: TouchSession :exec
UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1;

-- name: DeleteSession :exec
DELETE FROM sessions WHERE token_hash = $1;

-- name: DeleteUserSessions :exec
DELETE FROM sessions WHERE user_id = $1;

-- name: DeleteExpiredSessions :execrows
DELETE FROM sessions
WHERE expires_at < now() OR last_seen_at < now() - sqlc.arg(idle_timeout)::interval;

-- name: LockLoginKey :exec
-- A transaction-scoped advisory lock in the two-key space, which never
-- meets the one-key locks of the bridge (chats) or goose: class says what
-- kind of key it is (see auth.lockClass*), the key is hashed into the rest.
SELECT pg_advisory_xact_lock(sqlc.arg(class)::int, hashtext(sqlc.arg(key)::text));

-- name: RecordLoginFailure :one
INSERT INTO login_failures (email, ip) VALUES ($1, $2) RETURNING id;

-- name: DeleteLoginFailure :exec
DELETE FROM login_failures WHERE id = $1;

-- name: LoginThrottleState :one
-- What the throttle weighs for one attempt: the failures of this account
-- from this address within pair_window (and the latest of them), and of
-- this address on any account within ip_window (and the oldest of those).
SELECT
  count(*) FILTER (WHERE email = sqlc.arg(email) AND created_at > now() - sqlc.arg(pair_window)::interval)::int AS pair_failures,
  coalesce(max(created_at) FILTER (WHERE email = sqlc.arg(email)), now())::timestamptz AS pair_latest,
  count(*) FILTER (WHERE created_at > now() - sqlc.arg(ip_window)::interval)::int AS ip_failures,
  coalesce(min(created_at) FILTER (WHERE created_at > now() - sqlc.arg(ip_window)::interval), now())::timestamptz AS ip_oldest,
  now()::timestamptz AS now
FROM login_failures
WHERE ip = sqlc.arg(ip)
  AND created_at > now() - greatest(sqlc.arg(pair_window)::interval, sqlc.arg(ip_window)::interval);

-- name: ClearPairLoginFailures :exec
-- A right password clears its own address's failures on the account only:
-- the owner logging in must not wipe an attacker's record elsewhere.
DELETE FROM login_failures WHERE email = $1 AND ip = $2;

-- name: AccountLoginFailures :one
SELECT count(*)::int AS failures, count(DISTINCT ip)::int AS addresses
FROM login_failures
WHERE email = sqlc.arg(email) AND created_at > now() - sqlc.arg(since)::interval;

-- name: StartLoginAlert :one
-- The first attack on an account: its owner is to be told.
INSERT INTO login_alerts (user_id, sent_at, last_at) VALUES ($1, now(), now())
ON CONFLICT (user_id) DO NOTHING
RETURNING user_id;

-- name: RenewLoginAlert :one
-- A later attack is news after a quiet spell (no failures past the
-- threshold for quiet), and again once a day while one goes on.
UPDATE login_alerts SET sent_at = now(), last_at = now()
WHERE user_id = sqlc.arg(user_id)
  AND (last_at < now() - sqlc.arg(quiet)::interval OR sent_at < now() - interval '24 hours')
RETURNING user_id;

-- name: TouchLoginAlert :exec
UPDATE login_alerts SET last_at = now() WHERE user_id = $1;

-- name: PruneLoginAlerts :execrows
DELETE FROM login_alerts WHERE last_at < $1;

-- name: CountSignupAttempts :one
SELECT count(*)::int AS attempts, coalesce(min(created_at), now())::timestamptz AS oldest, now()::timestamptz AS now
FROM signup_attempts
WHERE ip = sqlc.arg(ip) AND created_at > now() - sqlc.arg(since)::interval;

-- name: RecordSignupAttempt :exec
INSERT INTO signup_attempts (ip) VALUES ($1);

-- name: PruneSignupAttempts :execrows
DELETE FROM signup_attempts WHERE created_at < $1;

-- name: PruneLoginFailures :execrows
DELETE FROM login_failures WHERE created_at < $1;
