-- The bridge engine's durable state: chats, every inbound event (stored
-- before Webim is acknowledged), and every outbound call with its result.

-- +goose Up
CREATE TABLE chats (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    integration_id   bigint NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    project_id       bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    platform_chat_id text NOT NULL,
    visitor_id       text NOT NULL DEFAULT '',
    visitor_name     text NOT NULL DEFAULT '',
    visitor_phone    text NOT NULL DEFAULT '',
    visitor_email    text NOT NULL DEFAULT '',
    -- bot: the bot is talking; transferred/closed: the bot handed it over.
    state            text NOT NULL DEFAULT 'bot' CHECK (state IN ('bot', 'transferred', 'closed')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_event_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (integration_id, platform_chat_id)
);
-- The activity log lists an integration's recent chats, newest first.
CREATE INDEX chats_integration_recent_idx ON chats (integration_id, last_event_at DESC, id DESC);

CREATE TABLE bridge_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Sent to the bot as the event id and webhook-id header, stable across
    -- retries so the bot can drop duplicates.
    public_id      text NOT NULL UNIQUE,
    integration_id bigint NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    chat_id        bigint NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    -- "chat:<id>" or "msg:<chat>:<message>": the same Webim delivery twice
    -- is stored once.
    dedup_key      text NOT NULL,
    api_version    text NOT NULL DEFAULT '2.0',
    -- The bot protocol event type: chat.started, message.*, action.failed.
    type           text NOT NULL,
    message        jsonb,
    action         text NOT NULL DEFAULT '',
    reason         text NOT NULL DEFAULT '',
    -- pending → (bot answered) replied → done | failed. Events of one chat
    -- are processed strictly in id order: a pending event blocks the later ones.
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'replied', 'done', 'failed')),
    -- What came of it: replied, transferred, closed, fallback, nothing, unsupported.
    outcome        text NOT NULL DEFAULT '',
    attempts       int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error     text NOT NULL DEFAULT '',
    -- The bot's answer and the Webim calls it became, stored so a retry
    -- resumes at calls_done instead of asking the bot again.
    bot_reply      jsonb,
    calls          jsonb,
    calls_done     int NOT NULL DEFAULT 0,
    received_at    timestamptz NOT NULL DEFAULT now(),
    processed_at   timestamptz,
    UNIQUE (integration_id, dedup_key)
);
-- The worker's "next event of this chat": only unfinished rows are indexed.
CREATE INDEX bridge_events_chat_open_idx ON bridge_events (chat_id, id) WHERE status IN ('pending', 'replied');
-- Activity log: an integration's events newest first, keyset on id.
CREATE INDEX bridge_events_integration_idx ON bridge_events (integration_id, id DESC);
-- Events per chat, for the chat's timeline.
CREATE INDEX bridge_events_chat_idx ON bridge_events (chat_id, id);

-- Every HTTP call the engine made (bot or Webim) and how it went.
CREATE TABLE bridge_calls (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    bigint NOT NULL REFERENCES bridge_events(id) ON DELETE CASCADE,
    target      text NOT NULL CHECK (target IN ('bot', 'webim')),
    method      text NOT NULL,
    attempt     int NOT NULL,
    status_code int NOT NULL DEFAULT 0,
    ok          boolean NOT NULL,
    error       text NOT NULL DEFAULT '',
    duration_ms int NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bridge_calls_event_idx ON bridge_calls (event_id, id);

-- +goose Down
DROP TABLE bridge_calls;
DROP TABLE bridge_events;
DROP TABLE chats;
