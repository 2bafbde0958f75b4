-- The worker's read of a chat's next event, defined once: NextChatEvent
-- and FinishCallNext select from this view. An event's reply that only
-- its bot call has (RecordReplyCall; the process stopped before the
-- event's row took it) makes the event replied, with those calls to make:
-- reply_kept says so. The lateral lookup runs only for an event without a
-- reply. stored_status is the row's own status, for the filter that
-- bridge_events_chat_open_idx serves.

-- +goose Up
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

-- +goose Down
DROP VIEW bridge_deliverable_events;
