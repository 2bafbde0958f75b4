-- The next-event read also says which version of the event's integration
-- and of its project's bot endpoint is current (the rows' xmin, which
-- every UPDATE changes; 0 when the project has no bot row), so the engine
-- keeps what it looked up and decrypted for as long as those rows stay
-- the same, across chat runs, instead of reading both per run: a live
-- chat's every message is a run of its own, and the two reads were two of
-- its seven statements. A change an owner makes (integration disabled,
-- token replaced, bot URL or secret changed) is seen at the next event.

-- +goose Up
CREATE OR REPLACE VIEW bridge_deliverable_events AS
SELECT e.id, e.chat_id, e.status AS stored_status,
       e.public_id, e.integration_id, e.api_version, e.type, e.message, e.extra, e.action, e.reason,
       (CASE WHEN kept.calls IS NULL THEN e.status ELSE 'replied' END)::text AS status,
       coalesce(kept.outcome, e.outcome)::text AS outcome, e.attempts, e.next_attempt_at,
       coalesce(e.calls, kept.calls) AS calls, e.calls_done, e.received_at,
       c.project_id, c.platform_chat_id, c.platform_chat_id_quoted, c.visitor_id, c.visitor_name, c.visitor_phone, c.visitor_email,
       (kept.calls IS NOT NULL)::boolean AS reply_kept,
       i.xmin::text::bigint AS integration_version,
       coalesce(b.xmin::text::bigint, 0)::bigint AS bot_version
FROM bridge_events e JOIN chats c ON c.id = e.chat_id
JOIN integrations i ON i.id = e.integration_id
LEFT JOIN project_bots b ON b.project_id = c.project_id
LEFT JOIN LATERAL (
    SELECT bc.calls, bc.outcome FROM bridge_calls bc
    WHERE e.calls IS NULL AND e.status = 'pending' AND bc.event_id = e.id AND bc.calls IS NOT NULL
    ORDER BY bc.id DESC LIMIT 1
) kept ON true;

-- +goose Down
DROP VIEW bridge_deliverable_events;
CREATE VIEW bridge_deliverable_events AS
SELECT e.id, e.chat_id, e.status AS stored_status,
       e.public_id, e.integration_id, e.api_version, e.type, e.message, e.extra, e.action, e.reason,
       (CASE WHEN kept.calls IS NULL THEN e.status ELSE 'replied' END)::text AS status,
       coalesce(kept.outcome, e.outcome)::text AS outcome, e.attempts, e.next_attempt_at,
       coalesce(e.calls, kept.calls) AS calls, e.calls_done, e.received_at,
       c.project_id, c.platform_chat_id, c.platform_chat_id_quoted, c.visitor_id, c.visitor_name, c.visitor_phone, c.visitor_email,
       (kept.calls IS NOT NULL)::boolean AS reply_kept
FROM bridge_events e JOIN chats c ON c.id = e.chat_id
LEFT JOIN LATERAL (
    SELECT bc.calls, bc.outcome FROM bridge_calls bc
    WHERE e.calls IS NULL AND e.status = 'pending' AND bc.event_id = e.id AND bc.calls IS NOT NULL
    ORDER BY bc.id DESC LIMIT 1
) kept ON true;
