-- Data lifecycle (issue 19): how long chat content is kept, erasure of one
-- visitor, deletion of a project.

-- +goose Up

-- Per project: days chat content (message texts, visitor fields, raw
-- payloads, bot replies) is kept; metadata stays longer (the server-wide
-- RETENTION_METADATA_DAYS). deleted_at marks a project being deleted: its
-- members, secrets and webhooks are gone already and its chat data is
-- being removed in batches (internal/lifecycle).
ALTER TABLE projects
    ADD COLUMN retention_days int NOT NULL DEFAULT 30 CHECK (retention_days BETWEEN 1 AND 365),
    ADD COLUMN deleted_at timestamptz;

-- Set when retention removed the event's content; the event then keeps its
-- metadata only (times, type, status, outcome, attempts) and cannot be
-- retried (there is nothing left to send).
ALTER TABLE bridge_events ADD COLUMN content_removed_at timestamptz;

-- Retention's work list: finished events whose content is still there, per
-- integration by age. Pending events are not in it (status is in the
-- predicate), so ingest writes nothing here; an event enters it when it is
-- finished (an update that already writes every index, as status is in
-- bridge_events_chat_open_idx's predicate) and leaves it when stripped. It
-- holds about retention_days' worth of events, not the whole table.
CREATE INDEX bridge_events_retention_idx ON bridge_events (integration_id, received_at)
    WHERE content_removed_at IS NULL AND status IN ('done', 'failed');

-- Erasure finds a visitor's chats. Chat updates stay HOT: the visitor id
-- of a chat does not change once set.
CREATE INDEX chats_project_visitor_idx ON chats (project_id, visitor_id) WHERE visitor_id <> '';
-- Project deletion works through a project's chats in id order.
CREATE INDEX chats_project_idx ON chats (project_id, id);

-- Projects being deleted, for the sweep that finishes their removal.
CREATE INDEX projects_deleted_idx ON projects (deleted_at) WHERE deleted_at IS NOT NULL;

-- Mail pruning: sent messages whose body is still there, by send time.
ALTER TABLE mail_outbox ADD COLUMN body_removed_at timestamptz;
CREATE INDEX mail_outbox_prune_idx ON mail_outbox (sent_at) WHERE sent_at IS NOT NULL AND body_removed_at IS NULL;

-- The audit log records erasures (who, when, how many rows: never what)
-- and retention changes. Other migrations extend this list too, so the
-- values are added to whatever list is in force rather than restating it.
-- +goose StatementBegin
DO $$
DECLARE def text;
BEGIN
    SELECT pg_get_constraintdef(oid) INTO def FROM pg_constraint
    WHERE conrelid = 'integration_audit'::regclass AND conname = 'integration_audit_action_check';
    IF position('''visitor_erased''' IN def) = 0 THEN
        def := replace(def, 'ARRAY[', 'ARRAY[''visitor_erased''::text, ''retention_changed''::text, ');
        EXECUTE 'ALTER TABLE integration_audit DROP CONSTRAINT integration_audit_action_check, '
             || 'ADD CONSTRAINT integration_audit_action_check ' || def;
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
DELETE FROM integration_audit WHERE action IN ('visitor_erased', 'retention_changed');
-- +goose StatementBegin
DO $$
DECLARE def text;
BEGIN
    SELECT pg_get_constraintdef(oid) INTO def FROM pg_constraint
    WHERE conrelid = 'integration_audit'::regclass AND conname = 'integration_audit_action_check';
    def := replace(def, '''visitor_erased''::text, ''retention_changed''::text, ', '');
    EXECUTE 'ALTER TABLE integration_audit DROP CONSTRAINT integration_audit_action_check, '
         || 'ADD CONSTRAINT integration_audit_action_check ' || def;
END $$;
-- +goose StatementEnd
DROP INDEX mail_outbox_prune_idx;
ALTER TABLE mail_outbox DROP COLUMN body_removed_at;
DROP INDEX projects_deleted_idx;
DROP INDEX chats_project_idx;
DROP INDEX chats_project_visitor_idx;
DROP INDEX bridge_events_retention_idx;
ALTER TABLE bridge_events DROP COLUMN content_removed_at;
ALTER TABLE projects DROP COLUMN retention_days, DROP COLUMN deleted_at;
