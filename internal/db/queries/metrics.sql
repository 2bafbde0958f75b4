-- Figures /metrics reads from the database on a scrape (cached a few
-- seconds); each reads a small partial index, never a whole table.

-- name: PendingEventStats :one
-- Events not yet finished (pending or replied) and the age of the oldest;
-- bridge_events_chat_open_idx covers exactly these rows.
SELECT count(*)::bigint AS pending,
       coalesce(extract(epoch FROM now() - min(received_at)), 0)::float8 AS oldest_age_seconds
FROM bridge_events WHERE status IN ('pending', 'replied');

-- name: CountIntegrationsByStatus :many
SELECT status, count(*)::bigint AS n FROM integrations WHERE deleted_at IS NULL GROUP BY status ORDER BY status;

-- name: MailOutboxStats :one
SELECT count(*)::bigint AS pending,
       coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest_age_seconds
FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL;
