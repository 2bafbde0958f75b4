-- What the owner sees of an integration's and a project's health (issue
-- 16): the status with its history, the last events, failed events to
-- retry, the setup checklist, the webhook key's grace period. Every read
-- names the project.

-- name: IntegrationHealth :one
-- The integration page's "last event received / last reply delivered /
-- last error" and the count of failed events. Each part reads an index
-- from its newest end (bridge_events_integration_idx, _failed_idx).
SELECT i.status_changed_at, cu.email AS status_changed_by_email, i.status_changed_by_botbridge,
       -- sqlc does not see that a LEFT JOIN LATERAL may be empty: the
       -- has_* flags say whether the coalesced values mean anything.
       (le.received_at IS NOT NULL)::boolean AS has_event, coalesce(le.received_at, now())::timestamptz AS last_event_at,
       (lr.processed_at IS NOT NULL)::boolean AS has_reply, coalesce(lr.processed_at, now())::timestamptz AS last_reply_at,
       (lf.last_error IS NOT NULL)::boolean AS has_error, coalesce(lf.last_error, '')::text AS last_error,
       coalesce(lf.processed_at, lf.received_at, now())::timestamptz AS last_error_at,
       (SELECT count(*) FROM bridge_events f WHERE f.integration_id = i.id AND f.status = 'failed')::int AS failed,
       EXISTS (SELECT 1 FROM integration_seen s WHERE s.integration_id = i.id)::boolean AS seen
FROM integrations i
LEFT JOIN users cu ON cu.id = i.status_changed_by
LEFT JOIN LATERAL (
    SELECT e.received_at FROM bridge_events e WHERE e.integration_id = i.id ORDER BY e.id DESC LIMIT 1
) le ON true
LEFT JOIN LATERAL (
    SELECT e.processed_at FROM bridge_events e
    WHERE e.integration_id = i.id AND e.status = 'done' AND e.calls_done > 0 ORDER BY e.id DESC LIMIT 1
) lr ON true
LEFT JOIN LATERAL (
    SELECT e.last_error, e.processed_at, e.received_at FROM bridge_events e
    WHERE e.integration_id = i.id AND e.status = 'failed' ORDER BY e.id DESC LIMIT 1
) lf ON true
WHERE i.project_id = sqlc.arg(project_id) AND i.id = sqlc.arg(id) AND i.deleted_at IS NULL;

-- name: RetryFailedEventsOfIntegration :many
-- "Retry failed events": every failed event of the integration goes back to
-- where it stopped (as RetryFailedEvent does for one); the chats come back
-- in the order of their first failed event, so they are queued in chat order.
WITH retried AS (
    UPDATE bridge_events e
    SET status = CASE WHEN e.calls IS NULL THEN 'pending' ELSE 'replied' END,
        attempts = 0, next_attempt_at = NULL, processed_at = NULL
    FROM chats c
    WHERE e.integration_id = sqlc.arg(integration_id) AND e.status = 'failed'
      AND c.id = e.chat_id AND c.project_id = sqlc.arg(project_id)
    RETURNING e.chat_id, e.id
)
SELECT chat_id, count(*)::int AS events FROM retried GROUP BY chat_id ORDER BY min(id);

-- name: LookupIntegrationByPreviousWebhook :one
-- A key rotated away from still works during its grace period: the ingress
-- asks only when the key is not a current one.
SELECT * FROM integrations_accepting_webhooks
WHERE previous_webhook_key_hash = $1 AND previous_webhook_valid_until > now();

-- name: ProjectSetup :one
-- The Overview checklist: how far the project's setup has come.
SELECT
    EXISTS (SELECT 1 FROM integration_requests r WHERE r.project_id = sqlc.arg(project_id) AND r.status <> 'withdrawn')::boolean AS request_filed,
    EXISTS (SELECT 1 FROM platform_grants g WHERE g.project_id = sqlc.arg(project_id))::boolean AS approved,
    EXISTS (SELECT 1 FROM integrations i WHERE i.project_id = sqlc.arg(project_id) AND i.deleted_at IS NULL)::boolean AS integration_added,
    EXISTS (SELECT 1 FROM project_bots b WHERE b.project_id = sqlc.arg(project_id))::boolean AS bot_set,
    EXISTS (SELECT 1 FROM integration_seen s JOIN integrations i ON i.id = s.integration_id
            WHERE i.project_id = sqlc.arg(project_id) AND i.deleted_at IS NULL)::boolean AS first_event,
    EXISTS (SELECT 1 FROM integrations i JOIN LATERAL (
                SELECT 1 FROM bridge_events e WHERE e.integration_id = i.id AND e.status = 'done' AND e.calls_done > 0 LIMIT 1) d ON true
            WHERE i.project_id = sqlc.arg(project_id) AND i.deleted_at IS NULL)::boolean AS first_reply;

-- name: ListProjectHealth :many
-- "My projects": per project its live integrations, how many are unhealthy
-- and how many Webim has called; the membership join keeps it to the
-- user's own projects whatever ids are passed.
SELECT m.project_id,
       count(i.id)::int AS integrations,
       count(i.id) FILTER (WHERE i.status = 'active')::int AS active,
       count(i.id) FILTER (WHERE i.status = 'unhealthy')::int AS unhealthy,
       count(i.id) FILTER (WHERE i.status <> 'disabled'
           AND EXISTS (SELECT 1 FROM integration_seen s WHERE s.integration_id = i.id))::int AS seen
FROM project_members m
LEFT JOIN integrations i ON i.project_id = m.project_id AND i.deleted_at IS NULL
WHERE m.user_id = sqlc.arg(user_id) AND m.project_id = ANY(sqlc.arg(project_ids)::bigint[])
GROUP BY m.project_id;

-- name: ListSeenIntegrationIDs :many
-- Which of these integrations Webim has called, for the Settings list's
-- status words (waiting for the first event vs working).
SELECT DISTINCT s.integration_id
FROM integration_seen s
JOIN integrations i ON i.id = s.integration_id
WHERE i.project_id = sqlc.arg(project_id) AND s.integration_id = ANY(sqlc.arg(ids)::bigint[]);
