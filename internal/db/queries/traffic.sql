-- Pictures of the traffic: the rollup job (internal/traffic) and the
-- charts page. Hours are UTC.

-- name: LockTrafficState :one
-- One job at a time folds new rows in (River's leader schedules it, but a
-- rescued job could overlap).
SELECT events_through, calls_through, rolled_at FROM traffic_rollup_state FOR UPDATE;

-- name: TrafficEventsHigh :one
-- The newest event safe to count: received over lag_secs ago, so the
-- group commit that wrote it (milliseconds long) has committed.
SELECT coalesce(max(id), sqlc.arg(after)::bigint)::bigint AS through FROM bridge_events
WHERE id > sqlc.arg(after)::bigint AND received_at < now() - make_interval(secs => sqlc.arg(lag_secs)::float8);

-- name: TrafficCallsHigh :one
SELECT coalesce(max(id), sqlc.arg(after)::bigint)::bigint AS through FROM bridge_calls
WHERE id > sqlc.arg(after)::bigint AND created_at < now() - make_interval(secs => sqlc.arg(lag_secs)::float8);

-- name: RollTrafficEvents :exec
INSERT INTO traffic_hourly (integration_id, hour, events, first_event_id, last_event_id)
SELECT integration_id, date_trunc('hour', received_at, 'UTC'), count(*), min(id), max(id)
FROM bridge_events WHERE id > sqlc.arg(after)::bigint AND id <= sqlc.arg(through)::bigint
GROUP BY 1, 2
ON CONFLICT (integration_id, hour) DO UPDATE SET
    events = traffic_hourly.events + excluded.events,
    first_event_id = least(traffic_hourly.first_event_id, excluded.first_event_id),
    last_event_id = greatest(traffic_hourly.last_event_id, excluded.last_event_id);

-- name: RollTrafficCalls :exec
INSERT INTO traffic_latency (integration_id, hour, target, bucket, calls)
SELECT e.integration_id, date_trunc('hour', c.created_at, 'UTC'), c.target,
       width_bucket(c.duration_ms, sqlc.arg(bounds)::int[])::smallint, count(*)
FROM bridge_calls c JOIN bridge_events e ON e.id = c.event_id
WHERE c.id > sqlc.arg(after)::bigint AND c.id <= sqlc.arg(through)::bigint AND c.ok
GROUP BY 1, 2, 3, 4
ON CONFLICT (integration_id, hour, target, bucket) DO UPDATE SET calls = traffic_latency.calls + excluded.calls;

-- name: RecountTrafficFailed :exec
-- Failures since since (whole hours) are counted again on every run, from
-- the small partial index of failed events: a retry that succeeds takes
-- its failure back. Older hours keep their figure.
WITH f AS (
    SELECT integration_id, date_trunc('hour', received_at, 'UTC') AS hour, count(*)::int AS n
    FROM bridge_events WHERE status = 'failed' AND received_at >= sqlc.arg(since)::timestamptz
    GROUP BY 1, 2
), cleared AS (
    UPDATE traffic_hourly t SET failed = 0
    WHERE t.hour >= sqlc.arg(since)::timestamptz AND t.failed > 0
      AND NOT EXISTS (SELECT 1 FROM f WHERE f.integration_id = t.integration_id AND f.hour = t.hour)
      -- An hour whose events are gone (deleted under the retention policy,
      -- a visitor erased) keeps its figure.
      AND EXISTS (SELECT 1 FROM bridge_events e WHERE e.id BETWEEN t.first_event_id AND t.last_event_id
                  AND e.integration_id = t.integration_id)
)
INSERT INTO traffic_hourly (integration_id, hour, failed)
SELECT integration_id, hour, n FROM f
ON CONFLICT (integration_id, hour) DO UPDATE SET failed = excluded.failed
WHERE traffic_hourly.failed <> excluded.failed;

-- name: SaveTrafficState :exec
UPDATE traffic_rollup_state SET events_through = sqlc.arg(events_through), calls_through = sqlc.arg(calls_through), rolled_at = now();

-- name: TrafficRolledAt :one
SELECT rolled_at FROM traffic_rollup_state;

-- name: ListTrafficHours :many
-- An integration's hours since since, scoped by project.
SELECT t.hour, t.events, t.failed
FROM traffic_hourly t JOIN integrations i ON i.id = t.integration_id
WHERE t.integration_id = sqlc.arg(integration_id) AND i.project_id = sqlc.arg(project_id) AND t.hour >= sqlc.arg(since)::timestamptz
ORDER BY t.hour;

-- name: ListTrafficLatency :many
SELECT l.hour, l.target, l.bucket, l.calls
FROM traffic_latency l JOIN integrations i ON i.id = l.integration_id
WHERE l.integration_id = sqlc.arg(integration_id) AND i.project_id = sqlc.arg(project_id) AND l.hour >= sqlc.arg(since)::timestamptz
ORDER BY l.hour, l.target, l.bucket;
