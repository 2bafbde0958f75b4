-- Every stored webhook updates its chat row (last_event_at, visitor fields,
-- the job mark). The index on last_event_at made each of those updates a
-- full new row version with an entry in every index; nothing reads it, so
-- it goes, and free space on each page lets the updates stay HOT (no index
-- writes, old versions pruned as the page is read).

-- +goose Up
DROP INDEX chats_integration_recent_idx;
ALTER TABLE chats SET (fillfactor = 70);

-- +goose Down
ALTER TABLE chats RESET (fillfactor);
CREATE INDEX chats_integration_recent_idx ON chats (integration_id, last_event_at DESC, id DESC);
