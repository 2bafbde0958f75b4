-- Pictures of the traffic (issue 16): hourly figures per integration,
-- kept apart from the events so the charts never scan bridge_events and
-- survive the retention policy deleting old chat content. A River
-- periodic job (internal/traffic) folds new events and calls in by id
-- watermark; the delivery path is not touched.

-- +goose Up
CREATE TABLE traffic_hourly (
    integration_id bigint NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    hour           timestamptz NOT NULL,
    -- Events received in the hour, and those of them that are failed
    -- (recounted while retries can still change it, then kept).
    events         int NOT NULL DEFAULT 0,
    failed         int NOT NULL DEFAULT 0,
    -- The hour's lowest and highest event ids: a date range in the
    -- activity log becomes an id range without an index on received_at.
    first_event_id bigint,
    last_event_id  bigint,
    PRIMARY KEY (integration_id, hour)
);

-- Successful bot and Webim calls per hour by duration bucket
-- (internal/traffic.Bounds), from which p50/p95 are read for any span.
CREATE TABLE traffic_latency (
    integration_id bigint NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    hour           timestamptz NOT NULL,
    target         text NOT NULL CHECK (target IN ('bot', 'webim')),
    bucket         smallint NOT NULL,
    calls          int NOT NULL,
    PRIMARY KEY (integration_id, hour, target, bucket)
);

-- How far the job has read bridge_events and bridge_calls (one row).
CREATE TABLE traffic_rollup_state (
    id             boolean PRIMARY KEY DEFAULT true CHECK (id),
    events_through bigint NOT NULL DEFAULT 0,
    calls_through  bigint NOT NULL DEFAULT 0,
    rolled_at      timestamptz
);
INSERT INTO traffic_rollup_state DEFAULT VALUES;

-- Failed events are few: the activity log's "failed only" filter and the
-- job's recount of failures read this instead of the integration's events.
-- status is already in a partial index's predicate, so updates changing it
-- were never HOT; only rows becoming failed get an entry here.
-- It also serves the integration page's failed count and "Retry failed
-- events" (00025), which read it in either direction.
CREATE INDEX bridge_events_failed_idx ON bridge_events (integration_id, id DESC) INCLUDE (chat_id, received_at)
    WHERE status = 'failed';

-- +goose Down
DROP INDEX bridge_events_failed_idx;
DROP TABLE traffic_rollup_state;
DROP TABLE traffic_latency;
DROP TABLE traffic_hourly;
