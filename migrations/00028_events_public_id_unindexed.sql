-- bridge_events.public_id (the id the bot sees) is never looked up: the
-- engine finds events by their row id and dedupes webhooks by
-- (integration_id, dedup_key). Its unique index cost an entry on every
-- insert and on both updates of each event's delivery (a tenth of the WAL
-- an event writes). Uniqueness comes from how the id is made: "evt_" and a
-- ULID with 80 bits from crypto/rand per millisecond.

-- +goose Up
ALTER TABLE bridge_events DROP CONSTRAINT bridge_events_public_id_key;

-- +goose Down
ALTER TABLE bridge_events ADD CONSTRAINT bridge_events_public_id_key UNIQUE (public_id);
