-- name: InsertAccountToken :exec
INSERT INTO account_tokens (token_hash, user_id, purpose, email, expires_at)
VALUES (sqlc.arg(token_hash), sqlc.arg(user_id), sqlc.arg(purpose), sqlc.arg(email), sqlc.arg(expires_at));

-- name: DropUnusedAccountTokens :exec
-- A new link of a purpose replaces the account's older unused ones.
DELETE FROM account_tokens WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL;

-- name: PeekAccountToken :one
-- A live token of the purpose with its (active) account, without using it.
SELECT sqlc.embed(t), sqlc.embed(u)
FROM account_tokens t
JOIN users u ON u.id = t.user_id
WHERE t.token_hash = $1 AND t.purpose = $2
  AND t.used_at IS NULL AND t.expires_at > now()
  AND u.disabled_at IS NULL;

-- name: UseAccountToken :one
-- Uses a live token once: of two requests racing with the same link, only
-- one gets the row back.
UPDATE account_tokens SET used_at = now()
WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
RETURNING *;

-- name: PendingEmailChange :one
-- The newest live verification link that goes to another address than the
-- account's own: an e-mail change waiting for its confirmation.
SELECT t.email, t.expires_at
FROM account_tokens t
JOIN users u ON u.id = t.user_id
WHERE t.user_id = $1 AND t.purpose = 'verify' AND t.used_at IS NULL AND t.expires_at > now()
  AND t.email <> u.email
ORDER BY t.id DESC
LIMIT 1;

-- name: PruneAccountTokens :execrows
DELETE FROM account_tokens WHERE expires_at < $1;

-- name: CountAccountAttempts :one
SELECT count(*)::int AS attempts, coalesce(min(created_at), now())::timestamptz AS oldest, now()::timestamptz AS now
FROM account_attempts
WHERE kind = sqlc.arg(kind) AND key = sqlc.arg(key) AND created_at > now() - sqlc.arg(since)::interval;

-- name: RecordAccountAttempt :exec
INSERT INTO account_attempts (kind, key) VALUES ($1, $2);

-- name: PruneAccountAttempts :execrows
DELETE FROM account_attempts WHERE created_at < $1;

-- name: MarkEmailVerified :exec
UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1;

-- name: ChangeVerifiedEmail :one
-- An e-mail change takes effect once its new address is proved.
UPDATE users SET email = sqlc.arg(email), email_verified_at = now()
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: GetUserPasswordHash :one
SELECT password_hash FROM users WHERE id = $1 AND disabled_at IS NULL;

-- name: TouchLastLogin :exec
UPDATE users SET last_login_at = now() WHERE id = $1;

-- name: ListUserSessions :many
-- The account's live sessions, most recently used first.
SELECT id, token_hash, ip, user_agent, created_at, last_seen_at
FROM sessions
WHERE user_id = sqlc.arg(user_id)
  AND expires_at > now()
  AND last_seen_at > now() - sqlc.arg(idle_timeout)::interval
ORDER BY last_seen_at DESC, id DESC;

-- name: DeleteUserSessionByID :execrows
-- Scoped by user: another account's session id deletes nothing.
DELETE FROM sessions WHERE id = sqlc.arg(id) AND user_id = sqlc.arg(user_id);

-- name: DeleteOtherUserSessions :execrows
DELETE FROM sessions WHERE user_id = sqlc.arg(user_id) AND token_hash <> sqlc.arg(keep_hash);

-- name: AdminListUsers :many
-- Accounts for the admins' list, filtered by a part of the address.
SELECT u.id, u.email, u.role, u.disabled_at, u.email_verified_at, u.last_login_at, u.created_at,
  (SELECT count(*) FROM project_members m WHERE m.user_id = u.id)::int AS projects
FROM users u
WHERE sqlc.arg(search)::text = '' OR strpos(u.email, lower(sqlc.arg(search)::text)) > 0
ORDER BY u.id
LIMIT sqlc.arg(lim) OFFSET sqlc.arg(off);

-- name: AdminCountUsers :one
SELECT count(*)::int FROM users u
WHERE sqlc.arg(search)::text = '' OR strpos(u.email, lower(sqlc.arg(search)::text)) > 0;

-- name: AdminUserProjects :many
SELECT p.id, p.name, m.role, m.created_at
FROM project_members m
JOIN projects p ON p.id = m.project_id
WHERE m.user_id = $1
ORDER BY p.name, p.id;

-- name: AdminSetRole :one
UPDATE users SET role = sqlc.arg(role) WHERE id = sqlc.arg(id) RETURNING *;

-- name: AdminSetDisabled :one
UPDATE users SET disabled_at = CASE WHEN sqlc.arg(disabled)::bool THEN coalesce(disabled_at, now()) ELSE NULL END
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: InsertAdminAudit :exec
INSERT INTO admin_audit (actor_id, target_id, action, detail)
VALUES (sqlc.arg(actor_id), sqlc.arg(target_id), sqlc.arg(action), sqlc.arg(detail));

-- name: ListAdminAudit :many
SELECT a.id, a.action, a.detail, a.created_at, coalesce(u.email, '')::text AS actor_email
FROM admin_audit a
LEFT JOIN users u ON u.id = a.actor_id
WHERE a.target_id = $1
ORDER BY a.id DESC
LIMIT 50;
