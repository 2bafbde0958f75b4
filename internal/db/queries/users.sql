-- name: CreateUser :one
INSERT INTO users (email, password_hash, role)
VALUES ($1, $2, $3)
ON CONFLICT (email) DO NOTHING
RETURNING *;

-- name: GetUserByEmail :one
SELECT * FROM users WHERE email = $1;

-- name: GetUserByID :one
SELECT * FROM users WHERE id = $1;

-- name: ListUsers :many
SELECT * FROM users ORDER BY id;

-- name: DisableUser :one
UPDATE users SET disabled_at = coalesce(disabled_at, now())
WHERE email = $1
RETURNING *;

-- name: UpdateUserPassword :exec
UPDATE users SET password_hash = $2 WHERE id = $1;

-- name: ListModeratorRecipients :many
-- Who is mailed about a new request, each in their own language.
SELECT email, language FROM users
WHERE role IN ('moderator', 'admin') AND disabled_at IS NULL
ORDER BY id;

-- name: GetAccountLanguage :one
-- The language an active account chose (maybe ''), for mail to its address.
SELECT language FROM users WHERE email = $1 AND disabled_at IS NULL;

-- name: UpdateUserLocale :exec
UPDATE users SET language = sqlc.arg(language), time_zone = sqlc.arg(time_zone) WHERE id = sqlc.arg(id);

-- name: UpdateUserLanguage :exec
UPDATE users SET language = sqlc.arg(language) WHERE id = sqlc.arg(id);
