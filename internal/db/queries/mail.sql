-- name: InsertMailOutbox :one
INSERT INTO mail_outbox (to_addr, subject, body, topic)
VALUES ($1, $2, $3, $4)
RETURNING id;

-- name: LockMailOutbox :one
-- The delivery job holds this row lock while it talks to the SMTP server, so
-- a second run of the same job (a rescued "stuck" job) waits and then finds
-- sent_at set instead of sending again.
SELECT * FROM mail_outbox WHERE id = $1 FOR UPDATE;

-- name: MarkMailSent :exec
-- failed_at is cleared: an operator may retry a job that had given up.
UPDATE mail_outbox SET sent_at = now(), failed_at = NULL, attempts = attempts + 1 WHERE id = $1;

-- name: MarkMailFailed :exec
UPDATE mail_outbox
SET attempts = attempts + 1,
    last_error = sqlc.arg(last_error),
    failed_at = CASE WHEN sqlc.arg(give_up)::bool THEN now() END
WHERE id = sqlc.arg(id);

-- name: ListRecentMail :many
SELECT * FROM mail_outbox ORDER BY created_at DESC, id DESC LIMIT $1;
