-- The bridge: chats, their events and the calls made for them. Statuses,
-- outcomes and chat states are the typed constants of internal/bridge
-- (state.go); TestStatesMatchSchema checks them against the CHECK
-- constraints. Literal states stay in WHERE clauses that must match the
-- partial index bridge_events_chat_open_idx.

-- name: UpsertChats :many
-- Group commit, step 1: resolve the batch's webhook keys to integrations
-- accepting webhooks (the view names the rule) and upsert its chats, one
-- input row per chat (an upsert may touch a row once). Rows are locked in
-- (integration, chat) order so concurrent batches cannot deadlock; a later
-- non-empty visitor field wins, and the chat id's latest form. A chat
-- with mark (its webhooks bring events for the bot) and no job waiting (no
-- mark, or one older than mark_fresh_secs) is marked in the same row
-- version, and marked says so: it needs a job. The mark is set before the
-- events are inserted, in the same transaction, and a worker starting on
-- the chat (clearing its mark) waits for this row lock, so it sees them.
WITH accepting AS (
    SELECT id, project_id, webhook_key_hash FROM integrations_accepting_webhooks
    WHERE webhook_key_hash = ANY(sqlc.arg(key_hashes)::bytea[])
), upserted AS (
    INSERT INTO chats (integration_id, project_id, platform_chat_id, platform_chat_id_quoted, visitor_id, visitor_name, visitor_phone, visitor_email, job_queued_at)
    SELECT a.id, a.project_id, u.platform_chat_id, u.quoted, u.visitor_id, u.visitor_name, u.visitor_phone, u.visitor_email,
           CASE WHEN u.mark THEN now() END
    FROM (
        -- Set-returning functions in one select list advance in lockstep:
        -- row i holds element i of every array.
        SELECT unnest(sqlc.arg(key_hashes)::bytea[]) AS key_hash,
               unnest(sqlc.arg(platform_chat_ids)::text[]) AS platform_chat_id,
               unnest(sqlc.arg(quoted)::boolean[]) AS quoted,
               unnest(sqlc.arg(visitor_ids)::text[]) AS visitor_id,
               unnest(sqlc.arg(visitor_names)::text[]) AS visitor_name,
               unnest(sqlc.arg(visitor_phones)::text[]) AS visitor_phone,
               unnest(sqlc.arg(visitor_emails)::text[]) AS visitor_email,
               unnest(sqlc.arg(marks)::boolean[]) AS mark
    ) u
    JOIN accepting a ON a.webhook_key_hash = u.key_hash
    ORDER BY a.id, u.platform_chat_id
    ON CONFLICT (integration_id, platform_chat_id) DO UPDATE SET
        last_event_at = now(),
        job_queued_at = CASE WHEN excluded.job_queued_at IS NOT NULL
                              AND (chats.job_queued_at IS NULL
                                   OR chats.job_queued_at < now() - make_interval(secs => sqlc.arg(mark_fresh_secs)::float8))
                             THEN now() ELSE chats.job_queued_at END,
        platform_chat_id_quoted = excluded.platform_chat_id_quoted,
        visitor_id    = CASE WHEN excluded.visitor_id    <> '' THEN excluded.visitor_id    ELSE chats.visitor_id END,
        visitor_name  = CASE WHEN excluded.visitor_name  <> '' THEN excluded.visitor_name  ELSE chats.visitor_name END,
        visitor_phone = CASE WHEN excluded.visitor_phone <> '' THEN excluded.visitor_phone ELSE chats.visitor_phone END,
        visitor_email = CASE WHEN excluded.visitor_email <> '' THEN excluded.visitor_email ELSE chats.visitor_email END
    -- now() is the transaction's start: a mark equal to it was set here.
    RETURNING chats.id, chats.integration_id, chats.platform_chat_id, coalesce(chats.job_queued_at = now(), false) AS marked
)
SELECT u.id, u.integration_id, u.platform_chat_id, a.webhook_key_hash, u.marked::boolean AS marked
FROM upserted u JOIN accepting a ON a.id = u.integration_id;

-- name: GiveChatsToBot :many
-- new_chat gives the chat back to the bot; the chats it changed had been
-- handed over, so they come back (chat.returned).
UPDATE chats SET state = 'bot' WHERE id = ANY(sqlc.arg(ids)::bigint[]) AND state <> 'bot'
RETURNING id;

-- name: ListReturnHistory :many
-- What the bridge knows of returned chats' histories: the messages it
-- stored (by dedup key), the messages earlier returns carried (extra),
-- and what the bot said (calls), to find where the hand-over began.
SELECT chat_id, dedup_key, type, extra, calls FROM bridge_events
WHERE chat_id = ANY(sqlc.arg(chat_ids)::bigint[])
  AND (dedup_key LIKE 'msg:%' OR type = 'chat.returned' OR calls IS NOT NULL)
ORDER BY id;

-- name: InsertEvents :many
-- Group commit, step 2: insert the batch's events in arrival order; a
-- duplicate (integration, dedup key) is skipped.
INSERT INTO bridge_events (public_id, integration_id, chat_id, dedup_key, api_version, type, message, extra)
SELECT u.public_id, u.integration_id, u.chat_id, u.dedup_key, u.api_version, u.type, u.message, u.extra
FROM (
    SELECT unnest(sqlc.arg(public_ids)::text[]) AS public_id,
           unnest(sqlc.arg(integration_ids)::bigint[]) AS integration_id,
           unnest(sqlc.arg(chat_ids)::bigint[]) AS chat_id,
           unnest(sqlc.arg(dedup_keys)::text[]) AS dedup_key,
           unnest(sqlc.arg(api_versions)::text[]) AS api_version,
           unnest(sqlc.arg(types)::text[]) AS type,
           unnest(sqlc.arg(messages)::jsonb[]) AS message,
           unnest(sqlc.arg(extras)::jsonb[]) AS extra,
           generate_subscripts(sqlc.arg(public_ids)::text[], 1) AS ord
) u
ORDER BY u.ord
ON CONFLICT (integration_id, dedup_key) DO NOTHING
RETURNING bridge_events.id, bridge_events.integration_id, bridge_events.dedup_key;

-- name: TryLockChat :one
-- A session advisory lock: a crashed process drops its connection and with
-- it the lock.
SELECT pg_try_advisory_lock(sqlc.arg(key)::bigint)::boolean AS locked;

-- name: LockChatClearMark :one
-- TryLockChat, then, only when the lock was taken, ClearChatJobMark, in
-- one round trip (the update reads the lock's result, so it runs after it).
WITH l AS MATERIALIZED (
    SELECT pg_try_advisory_lock(sqlc.arg(key)::bigint)::boolean AS locked
), cleared AS (
    UPDATE chats SET job_queued_at = NULL FROM l
    WHERE l.locked AND chats.id = sqlc.arg(chat_id) AND chats.job_queued_at IS NOT NULL
)
SELECT locked FROM l;

-- name: UnlockChat :exec
SELECT pg_advisory_unlock(sqlc.arg(key)::bigint);

-- name: ClearChatJobMark :exec
-- The chat's job is working it: a webhook committed after this queues a
-- job of its own.
UPDATE chats SET job_queued_at = NULL WHERE id = $1 AND job_queued_at IS NOT NULL;

-- name: NextChatEvent :one
-- The chat's next event in arrival order, except that an action.failed
-- goes first: it is only ever created while its parent is the head of the
-- chat, so it is delivered right after the parent. Only the columns
-- delivery needs (not the raw body, the bot's reply or the notes).
-- The event is chosen on bridge_events alone and the view read for that
-- one id: ordered over the view, every open event of the chat had its
-- joins and kept-reply lookup done before the sort kept one, and a chat's
-- backlog multiplied them.
SELECT * FROM bridge_deliverable_events
WHERE id = (
    SELECT e.id FROM bridge_events e
    WHERE e.chat_id = $1 AND e.status IN ('pending', 'replied')
    ORDER BY e.type = 'action.failed' DESC, e.id
    LIMIT 1
);

-- name: FinishCallNext :one
-- The hot path's one statement after a successful Webim call: the call's
-- record, the event's progress (done after its last call, keeping a
-- fallback's reason) with, when store_reply, the bot's reply that so far
-- only its bot call has (RecordReplyCall; copied here rather than sent
-- again), the chat's new state when the call handed it over, and the
-- chat's next event (as NextChatEvent). The next event is read in
-- the statement's snapshot, taken before the update, so the event just
-- updated is excluded by id; data-modifying CTEs run whether or not a
-- next event is found.
WITH call AS (
    INSERT INTO bridge_calls (event_id, target, method, attempt, status_code, ok, error, duration_ms)
    VALUES (sqlc.arg(event_id), 'webim', sqlc.arg(method), sqlc.arg(attempt), sqlc.arg(status_code), true, '', sqlc.arg(duration_ms))
), chat AS (
    UPDATE chats SET state = sqlc.arg(chat_state)::text
    WHERE chats.id = sqlc.arg(chat_id) AND sqlc.arg(chat_state)::text <> ''
), progress AS (
    UPDATE bridge_events e SET calls_done = CASE WHEN r.calls IS NOT NULL THEN 1 ELSE e.calls_done + 1 END,
           attempts = 0, next_attempt_at = NULL,
           status = CASE WHEN sqlc.arg(last)::boolean THEN 'done' WHEN r.calls IS NOT NULL THEN 'replied' ELSE e.status END,
           processed_at = CASE WHEN sqlc.arg(last)::boolean THEN now() ELSE e.processed_at END,
           last_error = CASE WHEN r.calls IS NOT NULL THEN ''
                             WHEN sqlc.arg(last)::boolean AND e.outcome <> 'fallback' THEN '' ELSE e.last_error END,
           bot_reply = CASE WHEN r.calls IS NOT NULL THEN r.bot_reply ELSE e.bot_reply END,
           calls = coalesce(r.calls, e.calls),
           outcome = coalesce(r.outcome, e.outcome),
           notes = CASE WHEN r.calls IS NOT NULL THEN r.notes ELSE e.notes END,
           operator_data = CASE WHEN r.calls IS NOT NULL THEN r.operator_data ELSE e.operator_data END
    FROM (SELECT 1) one LEFT JOIN LATERAL (
        SELECT bc.bot_reply, bc.calls, bc.outcome, bc.notes, bc.operator_data FROM bridge_calls bc
        WHERE sqlc.arg(store_reply)::boolean AND bc.event_id = sqlc.arg(event_id) AND bc.calls IS NOT NULL
        ORDER BY bc.id DESC LIMIT 1
    ) r ON true
    WHERE e.id = sqlc.arg(event_id)
)
SELECT d.* FROM bridge_deliverable_events d
WHERE d.id = (
    SELECT e.id FROM bridge_events e
    WHERE e.chat_id = sqlc.arg(chat_id) AND e.status IN ('pending', 'replied') AND e.id <> sqlc.arg(event_id)
      AND sqlc.arg(last)::boolean
    ORDER BY e.type = 'action.failed' DESC, e.id
    LIMIT 1
);

-- name: GetEvent :one
SELECT sqlc.embed(e), sqlc.embed(c)
FROM bridge_events e JOIN chats c ON c.id = e.chat_id
WHERE e.id = $1;

-- name: InsertActionFailed :exec
-- The bot's scenario takes its error transition: an action.failed event,
-- once per parent and action.
INSERT INTO bridge_events (public_id, integration_id, chat_id, dedup_key, api_version, type, action, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (integration_id, dedup_key) DO NOTHING;

-- name: StoreReply :exec
-- The bot answered: its reply and the Webim calls it became are kept, so a
-- retry resumes at calls_done instead of asking the bot again. The bot's
-- reply is absent for a fallback, which keeps why in last_error.
UPDATE bridge_events SET status = 'replied', bot_reply = sqlc.narg(bot_reply), calls = sqlc.arg(calls),
       calls_done = 0, attempts = 0, next_attempt_at = NULL, last_error = sqlc.arg(last_error), outcome = sqlc.arg(outcome),
       notes = sqlc.narg(notes), operator_data = sqlc.narg(operator_data)
WHERE id = sqlc.arg(id);

-- name: StoreReplyCall :exec
-- StoreReply with the bot call that got the reply recorded in the same
-- statement (one commit); done when the reply needs no Webim call.
WITH call AS (
    INSERT INTO bridge_calls (event_id, target, method, attempt, status_code, ok, error, duration_ms)
    VALUES (sqlc.arg(id), 'bot', sqlc.arg(method), sqlc.arg(attempt), sqlc.arg(status_code), true, '', sqlc.arg(duration_ms))
)
UPDATE bridge_events SET status = CASE WHEN sqlc.arg(done)::boolean THEN 'done' ELSE 'replied' END,
       processed_at = CASE WHEN sqlc.arg(done)::boolean THEN now() END,
       bot_reply = sqlc.narg(bot_reply), calls = sqlc.arg(calls),
       calls_done = 0, attempts = 0, next_attempt_at = NULL, last_error = '', outcome = sqlc.arg(outcome),
       notes = sqlc.narg(notes), operator_data = sqlc.narg(operator_data)
WHERE bridge_events.id = sqlc.arg(id);

-- name: RecordReplyCall :exec
-- The bot answered with Webim calls to make: the record of the call that
-- got the reply keeps it, which makes it durable in one insert, and the
-- event's row is updated once, by FinishCallNext (store_reply) after the
-- first Webim call, or by StoreKeptReply before a failure is recorded.
-- Until then the event stays pending; NextChatEvent finds the reply here.
INSERT INTO bridge_calls (event_id, target, method, attempt, status_code, ok, error, duration_ms,
                          bot_reply, calls, outcome, notes, operator_data)
VALUES (sqlc.arg(event_id), 'bot', sqlc.arg(method), sqlc.arg(attempt), sqlc.arg(status_code), true, '', sqlc.arg(duration_ms),
        sqlc.narg(bot_reply), sqlc.arg(calls)::jsonb, sqlc.arg(outcome)::text, sqlc.narg(notes), sqlc.narg(operator_data));

-- name: StoreKeptReply :exec
-- The event's row takes the reply that only its bot call has
-- (RecordReplyCall), as StoreReply would have stored it: before a failed
-- Webim call's retry or failure is recorded, so Retry repeats only the
-- Webim calls.
UPDATE bridge_events e SET status = 'replied', bot_reply = r.bot_reply, calls = r.calls, outcome = r.outcome,
       notes = r.notes, operator_data = r.operator_data, calls_done = 0, attempts = 0, next_attempt_at = NULL, last_error = ''
FROM (SELECT bc.bot_reply, bc.calls, bc.outcome, bc.notes, bc.operator_data FROM bridge_calls bc
      WHERE bc.event_id = sqlc.arg(id) AND bc.calls IS NOT NULL ORDER BY bc.id DESC LIMIT 1) r
WHERE e.id = sqlc.arg(id);

-- name: LatestWebimVersion :one
-- The release the integration's account last said it was ('' if never).
SELECT coalesce((SELECT webim_version FROM integration_seen
                 WHERE integration_id = $1 AND webim_version <> ''
                 ORDER BY last_seen_at DESC LIMIT 1), '')::text AS webim_version;

-- name: UpsertChat :one
-- One chat, for calls outside the group commit (chat events).
INSERT INTO chats (integration_id, project_id, platform_chat_id, platform_chat_id_quoted)
VALUES ($1, $2, $3, $4)
ON CONFLICT (integration_id, platform_chat_id) DO UPDATE SET last_event_at = now()
RETURNING id;

-- name: InsertChatEvent :one
-- A call of the account's chat event handlers, its body kept as it came.
-- Events the bot is not told of are stored done.
INSERT INTO bridge_events (public_id, integration_id, chat_id, dedup_key, api_version, type, extra, raw, status, outcome, processed_at)
VALUES (sqlc.arg(public_id), sqlc.arg(integration_id), sqlc.arg(chat_id), sqlc.arg(dedup_key), '2.0', sqlc.arg(type),
        sqlc.narg(extra), sqlc.arg(raw), sqlc.arg(status), sqlc.arg(outcome),
        CASE WHEN sqlc.arg(status)::text = 'done' THEN now() END)
ON CONFLICT (integration_id, dedup_key) DO NOTHING
RETURNING id;

-- name: ListIntegrationSeen :many
SELECT kind, webim_version, last_seen_at FROM integration_seen
WHERE integration_id = $1 ORDER BY kind;

-- name: RecordCallDone :exec
UPDATE bridge_events SET calls_done = calls_done + 1, attempts = 0, next_attempt_at = NULL WHERE id = $1;

-- name: SetChatState :exec
UPDATE chats SET state = $2 WHERE id = $1;

-- name: FinishEvent :exec
-- A fallback keeps the reason the bot was replaced.
UPDATE bridge_events SET status = 'done', processed_at = now(),
       last_error = CASE WHEN outcome = 'fallback' THEN last_error ELSE '' END
WHERE id = $1;

-- name: FailEvent :exec
UPDATE bridge_events SET status = 'failed', attempts = attempts + 1, last_error = $2,
       processed_at = now(), next_attempt_at = NULL
WHERE id = $1;

-- name: ScheduleRetry :exec
UPDATE bridge_events SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $1;

-- name: InsertCall :exec
INSERT INTO bridge_calls (event_id, target, method, attempt, status_code, ok, error, duration_ms)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: FinishV1Event :exec
-- 1.0 answers inline: the bot was asked once and its reply went back in
-- the webhook's response.
UPDATE bridge_events SET status = 'done', outcome = $2, bot_reply = $3, attempts = 1, processed_at = now()
WHERE id = $1;

-- name: CloseHandedOver :exec
-- Events after the one that handed a 1.0 chat to the queue: the bot will
-- not see them.
UPDATE bridge_events SET status = 'done', outcome = 'nothing', processed_at = now(),
       last_error = 'not sent to the bot: the chat was handed to the queue'
WHERE id = ANY(sqlc.arg(ids)::bigint[]);

-- name: ListReplayV1 :many
SELECT status, outcome, bot_reply FROM bridge_events
WHERE integration_id = $1 AND dedup_key = ANY(sqlc.arg(dedup_keys)::text[])
ORDER BY id;

-- name: ListActivity :many
-- An integration's events newest first, scoped by project so another
-- tenant's integration id finds nothing; before is the keyset cursor.
SELECT e.id, e.public_id, c.id AS chat_id, c.platform_chat_id, c.visitor_name, e.type, e.message, e.status, e.outcome,
       e.attempts, e.last_error, e.received_at, e.processed_at, e.next_attempt_at, e.notes, e.operator_data
FROM bridge_events e JOIN chats c ON c.id = e.chat_id
WHERE e.integration_id = sqlc.arg(integration_id) AND c.project_id = sqlc.arg(project_id) AND e.id < sqlc.arg(before)
ORDER BY e.id DESC
LIMIT sqlc.arg(max_rows);

-- name: ListEventCalls :many
SELECT event_id, target, method, attempt, status_code, ok, error, duration_ms, created_at
FROM bridge_calls WHERE event_id = ANY(sqlc.arg(event_ids)::bigint[])
ORDER BY id;

-- name: RetryFailedEvent :one
-- A failed event goes back to where it stopped: an event whose bot reply
-- is stored only repeats the Webim calls not yet made.
UPDATE bridge_events e
SET status = CASE WHEN e.calls IS NULL THEN 'pending' ELSE 'replied' END,
    attempts = 0, next_attempt_at = NULL, processed_at = NULL
FROM chats c
WHERE e.id = sqlc.arg(id) AND c.id = e.chat_id AND c.project_id = sqlc.arg(project_id) AND e.status = 'failed'
  AND e.content_removed_at IS NULL -- retention removed what there was to send
RETURNING e.chat_id, e.integration_id;

-- name: EventExists :one
SELECT EXISTS (
    SELECT 1 FROM bridge_events e JOIN chats c ON c.id = e.chat_id
    WHERE e.id = sqlc.arg(id) AND c.project_id = sqlc.arg(project_id)
)::boolean AS found;

-- name: TouchIntegrationSeen :exec
INSERT INTO integration_seen (integration_id, kind, webim_version) VALUES ($1, $2, $3)
ON CONFLICT (integration_id, kind) DO UPDATE SET last_seen_at = now(),
    webim_version = CASE WHEN excluded.webim_version <> '' THEN excluded.webim_version ELSE integration_seen.webim_version END;

-- name: InsertCarriedMessages :exec
-- The visitor messages a chat.returned carried: stored done, so a later
-- delivery of the same message (by id) is not given to the bot again.
INSERT INTO bridge_events (public_id, integration_id, chat_id, dedup_key, api_version, type, status, outcome, processed_at)
SELECT u.public_id, sqlc.arg(integration_id), sqlc.arg(chat_id), u.dedup_key, sqlc.arg(api_version), 'message.text', 'done', 'nothing', now()
FROM (SELECT unnest(sqlc.arg(public_ids)::text[]) AS public_id, unnest(sqlc.arg(dedup_keys)::text[]) AS dedup_key) u
ON CONFLICT (integration_id, dedup_key) DO NOTHING;

-- name: TouchIntegrationSeenByKey :exec
-- Outside the storing transaction (a lock on this row would serialise an
-- integration's batches); the engine calls it at most every few seconds
-- per integration, kind and release.
INSERT INTO integration_seen (integration_id, kind, webim_version)
SELECT id, sqlc.arg(kind), sqlc.arg(webim_version) FROM integrations_accepting_webhooks
WHERE webhook_key_hash = sqlc.arg(key_hash)
ON CONFLICT (integration_id, kind) DO UPDATE SET last_seen_at = now(),
    webim_version = CASE WHEN excluded.webim_version <> '' THEN excluded.webim_version ELSE integration_seen.webim_version END;

-- name: ListIntegrationSeenInProject :many
-- When the integration's Webim account last called, per kind, scoped by
-- project so another tenant's integration id finds nothing.
SELECT s.kind, s.webim_version, s.last_seen_at
FROM integration_seen s JOIN integrations i ON i.id = s.integration_id
WHERE s.integration_id = sqlc.arg(integration_id) AND i.project_id = sqlc.arg(project_id)
ORDER BY s.kind;

-- name: ListActivityDetails :many
-- What the activity log shows of some events beyond ListActivity: the
-- message kind (message.other), how many messages a chat.returned carried,
-- the operator a chat.assigned named; scoped by project.
SELECT e.id,
       coalesce(e.message->>'kind', '')::text AS kind,
       coalesce(jsonb_array_length(CASE WHEN jsonb_typeof(e.extra->'messages') = 'array' THEN e.extra->'messages' END), 0)::int AS carried,
       coalesce(e.extra->'operator'->>'name', '')::text AS operator_name,
       coalesce(e.extra->'operator'->>'id', '')::text AS operator_id,
       e.action, e.reason
FROM bridge_events e JOIN chats c ON c.id = e.chat_id
WHERE e.id = ANY(sqlc.arg(event_ids)::bigint[]) AND c.project_id = sqlc.arg(project_id);

-- name: ListChatActivity :many
-- One chat's events newest first (the chat view shows them oldest first),
-- scoped by integration and project; before is the keyset cursor.
SELECT e.id, e.public_id, c.id AS chat_id, c.platform_chat_id, c.visitor_name, e.type, e.message, e.status, e.outcome,
       e.attempts, e.last_error, e.received_at, e.processed_at, e.next_attempt_at, e.notes, e.operator_data,
       e.calls, e.calls_done
FROM bridge_events e JOIN chats c ON c.id = e.chat_id
WHERE e.chat_id = sqlc.arg(chat_id) AND c.integration_id = sqlc.arg(integration_id) AND c.project_id = sqlc.arg(project_id)
  AND e.id < sqlc.arg(before)
ORDER BY e.id DESC
LIMIT sqlc.arg(max_rows);

-- name: GetChatInProject :one
SELECT id, platform_chat_id, visitor_id, visitor_name, visitor_phone, visitor_email, state, created_at, last_event_at
FROM chats
WHERE id = sqlc.arg(id) AND integration_id = sqlc.arg(integration_id) AND project_id = sqlc.arg(project_id);

-- name: FindChatByPlatformID :one
SELECT id FROM chats
WHERE integration_id = sqlc.arg(integration_id) AND project_id = sqlc.arg(project_id) AND platform_chat_id = sqlc.arg(platform_chat_id);
