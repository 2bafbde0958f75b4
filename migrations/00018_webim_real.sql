-- +goose Up
-- What real Webim accounts send beyond the sample bot (see docs/webim.md).

-- 2.0 chat ids may come as JSON strings; calls send them back the same way.
ALTER TABLE chats ADD COLUMN platform_chat_id_quoted boolean NOT NULL DEFAULT false;

-- extra: what some event types carry besides a message (chat.returned's
-- messages, chat.assigned's operator). raw: the body of a chat event
-- handler call, kept as it came (its shape is not public). notes: where
-- the translation departed from the bot's reply. operator_data: what a bot
-- wanted to pass to the operator (send_data_to_operator), which Webim
-- cannot take, kept so a person can still find it.
ALTER TABLE bridge_events
    ADD COLUMN extra jsonb,
    ADD COLUMN raw jsonb,
    ADD COLUMN notes jsonb,
    ADD COLUMN operator_data jsonb;

-- The optional chat events URL (Webim's account-level chat event
-- handlers) authenticates with Basic credentials: the user in clear, the
-- password as a SHA-256 hash (it is 128 random bits, so no slow hash is
-- needed). link_buttons opts in to sending link buttons as Webim buttons.
ALTER TABLE integrations
    ADD COLUMN chat_events_user text NOT NULL DEFAULT '',
    ADD COLUMN chat_events_secret_hash bytea,
    ADD COLUMN link_buttons boolean NOT NULL DEFAULT false;

-- When each kind of call from the Webim account was last seen, and the
-- release it said it was (X-Webim-Version), so owners see that the Webim
-- side is configured.
CREATE TABLE integration_seen (
    integration_id bigint NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    kind           text NOT NULL,
    webim_version  text NOT NULL DEFAULT '',
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, kind)
);

-- The view reads integrations' columns as of its creation: recreate it so
-- it has the new ones.
DROP VIEW integrations_accepting_webhooks;
CREATE VIEW integrations_accepting_webhooks AS
    SELECT * FROM integrations
    WHERE deleted_at IS NULL AND status IN ('active', 'unhealthy');

ALTER TABLE integration_audit DROP CONSTRAINT integration_audit_action_check;
ALTER TABLE integration_audit ADD CONSTRAINT integration_audit_action_check CHECK (action IN (
    'created', 'updated', 'disabled', 'enabled', 'deleted', 'webhook_rotated', 'marked_unhealthy', 'marked_healthy',
    'bot_endpoint_saved', 'bot_secret_rotated', 'chat_events_rotated', 'link_buttons_changed'));

-- +goose Down
ALTER TABLE integration_audit DROP CONSTRAINT integration_audit_action_check;
ALTER TABLE integration_audit ADD CONSTRAINT integration_audit_action_check CHECK (action IN (
    'created', 'updated', 'disabled', 'enabled', 'deleted', 'webhook_rotated', 'marked_unhealthy', 'marked_healthy',
    'bot_endpoint_saved', 'bot_secret_rotated'));
DROP VIEW integrations_accepting_webhooks;
DROP TABLE integration_seen;
ALTER TABLE integrations DROP COLUMN chat_events_user, DROP COLUMN chat_events_secret_hash, DROP COLUMN link_buttons;
ALTER TABLE bridge_events DROP COLUMN extra, DROP COLUMN raw, DROP COLUMN notes, DROP COLUMN operator_data;
ALTER TABLE chats DROP COLUMN platform_chat_id_quoted;
CREATE VIEW integrations_accepting_webhooks AS
    SELECT * FROM integrations
    WHERE deleted_at IS NULL AND status IN ('active', 'unhealthy');
