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

-- name: CountLoginFailures :one
SELECT
  count(*) FILTER (WHERE email = sqlc.arg(email))::int AS by_email,
  count(*) FILTER (WHERE ip = sqlc.arg(ip))::int AS by_ip,
  coalesce(min(created_at) FILTER (WHERE email = sqlc.arg(email)), now())::timestamptz AS oldest_email,
  coalesce(min(created_at) FILTER (WHERE ip = sqlc.arg(ip)), now())::timestamptz AS oldest_ip
FROM login_failures
WHERE created_at > sqlc.arg(since)::timestamptz
  AND (email = sqlc.arg(email) OR ip = sqlc.arg(ip));

-- name: ClearLoginFailures :exec
DELETE FROM login_failures WHERE email = $1;

-- name: PruneLoginFailures :execrows
DELETE FROM login_failures WHERE created_at < $1;
