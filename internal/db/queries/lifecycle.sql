-- Data lifecycle (internal/lifecycle): retention, erasure of one visitor,
-- deletion of a project. Every statement works on a bounded batch and
-- skips rows another transaction holds (FOR UPDATE SKIP LOCKED), so ingest
-- and the chat workers never wait behind it.

-- name: GetProjectRetention :one
SELECT retention_days FROM projects WHERE id = $1 AND deleted_at IS NULL;

-- name: SetProjectRetention :one
-- Returns the previous value, for the audit log.
UPDATE projects p SET retention_days = sqlc.arg(days)
FROM (SELECT o.id AS old_id, o.retention_days AS old_days FROM projects o WHERE o.id = sqlc.arg(id) FOR UPDATE) old
WHERE p.id = old.old_id AND p.deleted_at IS NULL
RETURNING old.old_days::int AS previous;

-- name: ListRetentionIntegrations :many
-- Every integration (deleted ones too: their events remain) of projects
-- not being deleted, with how long its project keeps chat content.
SELECT i.id, p.retention_days
FROM integrations i JOIN projects p ON p.id = i.project_id
WHERE p.deleted_at IS NULL
ORDER BY i.id;

-- name: StripEventContent :execrows
-- Retention, content: the oldest finished events of one integration
-- received before the cutoff lose everything a visitor or bot wrote;
-- bridge_events_retention_idx lists exactly these rows.
WITH batch AS (
    SELECT b.id FROM bridge_events b
    WHERE b.integration_id = sqlc.arg(integration_id) AND b.received_at < sqlc.arg(cutoff)
      AND b.content_removed_at IS NULL AND b.status IN ('done', 'failed')
    ORDER BY b.received_at
    LIMIT sqlc.arg(max_rows)
    FOR UPDATE SKIP LOCKED
), bot_calls AS (
    -- The copy of the bot's reply its call kept (RecordReplyCall).
    UPDATE bridge_calls bc SET bot_reply = NULL, calls = NULL, notes = NULL, operator_data = NULL
    FROM batch WHERE bc.event_id = batch.id AND bc.calls IS NOT NULL
)
UPDATE bridge_events e SET message = NULL, extra = NULL, raw = NULL, bot_reply = NULL, calls = NULL,
       notes = NULL, operator_data = NULL, content_removed_at = now()
FROM batch WHERE e.id = batch.id;

-- name: StripChatBatch :one
-- Retention, visitor fields: one id range of chats (after, last_id]; a
-- chat whose last event is older than its project's retention and that
-- has nothing left to deliver loses the visitor's id, name, phone and
-- e-mail. A chat being written to (ingest holds its row) is skipped: it is
-- active, so not due.
WITH scan AS (
    SELECT x.id FROM chats x WHERE x.id > sqlc.arg(after) ORDER BY x.id LIMIT sqlc.arg(max_rows)
), due AS (
    SELECT c.id FROM chats c
    JOIN scan ON scan.id = c.id
    JOIN projects p ON p.id = c.project_id
    WHERE c.last_event_at < now() - make_interval(days => p.retention_days)
      AND (c.visitor_id <> '' OR c.visitor_name <> '' OR c.visitor_phone <> '' OR c.visitor_email <> '')
      AND NOT EXISTS (SELECT 1 FROM bridge_events e WHERE e.chat_id = c.id AND e.status IN ('pending', 'replied'))
    FOR UPDATE OF c SKIP LOCKED
), stripped AS (
    UPDATE chats SET visitor_id = '', visitor_name = '', visitor_phone = '', visitor_email = ''
    FROM due WHERE chats.id = due.id
    RETURNING chats.id
)
SELECT coalesce((SELECT max(id) FROM scan), 0)::bigint AS last_id,
       (SELECT count(*) FROM scan)::int AS scanned,
       (SELECT count(*) FROM stripped)::int AS stripped;

-- name: DeleteEmptyChats :execrows
-- Retention, metadata: chats of the range (after, until] with no event
-- left and no activity since the metadata cutoff go too.
DELETE FROM chats c
WHERE c.id IN (
    SELECT x.id FROM chats x
    WHERE x.id > sqlc.arg(after) AND x.id <= sqlc.arg(until) AND x.last_event_at < sqlc.arg(cutoff)
      AND NOT EXISTS (SELECT 1 FROM bridge_events e WHERE e.chat_id = x.id)
    FOR UPDATE SKIP LOCKED
);

-- name: DeleteOldEvents :one
-- Retention, metadata: the oldest events of one integration, in id order
-- from after; the finished ones received before the cutoff are deleted
-- (their calls with them). young counts scanned rows newer than the
-- cutoff: once one is met the integration has nothing older left.
WITH scan AS (
    SELECT b.id, b.status, (b.received_at < sqlc.arg(cutoff)) AS old FROM bridge_events b
    WHERE b.integration_id = sqlc.arg(integration_id) AND b.id > sqlc.arg(after)
    ORDER BY b.id LIMIT sqlc.arg(max_rows)
), due AS (
    SELECT e.id FROM bridge_events e JOIN scan ON scan.id = e.id
    WHERE scan.old AND scan.status IN ('done', 'failed')
    FOR UPDATE OF e SKIP LOCKED
), deleted AS (
    DELETE FROM bridge_events e USING due WHERE e.id = due.id RETURNING e.id
)
SELECT coalesce((SELECT max(scan.id) FROM scan WHERE scan.old), 0)::bigint AS last_old_id,
       (SELECT count(*) FROM scan)::int AS scanned,
       (SELECT count(*) FROM scan WHERE NOT scan.old)::int AS young,
       (SELECT count(*) FROM deleted)::int AS deleted;

-- name: PruneMailBodies :execrows
-- Sent mail keeps its envelope (address, subject, times) but not its body.
WITH batch AS (
    SELECT o.id FROM mail_outbox o
    WHERE o.sent_at < sqlc.arg(cutoff) AND o.body_removed_at IS NULL
    ORDER BY o.sent_at LIMIT sqlc.arg(max_rows)
    FOR UPDATE SKIP LOCKED
)
UPDATE mail_outbox m SET body = '', body_removed_at = now() FROM batch WHERE m.id = batch.id;

-- name: FindChatsByVisitor :many
SELECT id FROM chats WHERE project_id = sqlc.arg(project_id) AND visitor_id = sqlc.arg(visitor_id) ORDER BY id;

-- name: FindChatsByPlatformID :many
-- A Webim chat id names one chat per integration; a project with two
-- Webim accounts may have it twice.
SELECT c.id FROM chats c JOIN integrations i ON i.id = c.integration_id
WHERE i.project_id = sqlc.arg(project_id) AND c.platform_chat_id = sqlc.arg(platform_chat_id)
ORDER BY c.id;

-- name: FindChatByID :many
SELECT id FROM chats WHERE project_id = sqlc.arg(project_id) AND id = sqlc.arg(id);

-- name: ListProjectChats :many
SELECT id FROM chats WHERE project_id = sqlc.arg(project_id) AND id > sqlc.arg(after) ORDER BY id LIMIT sqlc.arg(max_rows);

-- name: LockChatXact :exec
-- The chat's advisory lock (the key the chat workers take, bridge.ChatLockKey)
-- until the transaction ends: waits for a delivery run of the chat to end.
SELECT pg_advisory_xact_lock(sqlc.arg(key)::bigint);

-- name: TryLockChatXact :one
SELECT pg_try_advisory_xact_lock(sqlc.arg(key)::bigint)::boolean AS locked;

-- name: EraseChatEvents :one
-- Up to max_rows of one chat's events and their calls; call it until it
-- deletes nothing. Calls are deleted explicitly (the cascade would do it)
-- so they can be counted.
WITH batch AS (
    SELECT b.id FROM bridge_events b WHERE b.chat_id = sqlc.arg(chat_id) ORDER BY b.id LIMIT sqlc.arg(max_rows)
), calls AS (
    DELETE FROM bridge_calls c USING batch WHERE c.event_id = batch.id RETURNING c.id
), events AS (
    DELETE FROM bridge_events e USING batch WHERE e.id = batch.id RETURNING e.id
)
SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM calls)::int AS calls;

-- name: DeleteChatRow :execrows
DELETE FROM chats WHERE id = sqlc.arg(id) AND project_id = sqlc.arg(project_id);

-- name: LockProjectForDelete :one
SELECT id, name FROM projects WHERE id = $1 AND deleted_at IS NULL FOR UPDATE;

-- name: MarkProjectDeleted :exec
UPDATE projects SET deleted_at = now() WHERE id = $1;

-- name: RemoveProjectIntegrations :execrows
-- Every integration of the project stops at once: no webhook key (its
-- URL answers 404), no token, no chat events credentials.
UPDATE integrations SET deleted_at = coalesce(deleted_at, now()),
       token_ciphertext = NULL, token_key_id = NULL,
       webhook_key_hash = NULL, webhook_key_ciphertext = NULL, webhook_key_key_id = NULL,
       chat_events_user = '', chat_events_secret_hash = NULL, updated_at = now()
WHERE project_id = $1;

-- name: DeleteProjectBot :exec
DELETE FROM project_bots WHERE project_id = $1;

-- name: DeleteProjectMembers :exec
DELETE FROM project_members WHERE project_id = $1;

-- name: CancelProjectEvents :execrows
UPDATE bridge_events SET status = 'failed', last_error = 'cancelled: the project was deleted',
       processed_at = now(), next_attempt_at = NULL
WHERE status IN ('pending', 'replied')
  AND integration_id IN (SELECT id FROM integrations WHERE project_id = $1);

-- name: CancelProjectChatJobs :execrows
-- Chat jobs of the project that wait in the queue are cancelled; a running
-- one finds its events cancelled and ends.
UPDATE river_job SET state = 'cancelled', finalized_at = now()
WHERE kind = 'bridge_chat' AND state IN ('available', 'scheduled', 'retryable', 'pending')
  AND (args->>'chat_id')::bigint IN (SELECT id FROM chats WHERE project_id = $1);

-- name: DeleteProjectRow :execrows
-- The last step, once no chat is left: everything else of the project
-- (integrations, audit log, requests, grants) goes with the row.
DELETE FROM projects p WHERE p.id = $1 AND p.deleted_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM chats c WHERE c.project_id = p.id);

-- name: ListDeletedProjects :many
SELECT id FROM projects WHERE deleted_at IS NOT NULL ORDER BY deleted_at LIMIT 100;
