-- Integration requests and their moderation; the chat-platform catalog; the
-- platforms granted to projects once a request is approved.

-- +goose Up
-- Trigram indexes make the moderation queue's free-text search (substring
-- match on project, organisation, e-mail) an index scan instead of a full
-- scan of 100 000+ requests. pg_trgm is a trusted extension (PG 13+).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The catalog of chat platforms, kept in the database so adding one is data,
-- not code. available = false shows it as "coming soon".
CREATE TABLE platforms (
    key       text PRIMARY KEY CHECK (key ~ '^[a-z0-9_]{2,32}$'),
    name      text NOT NULL,
    available boolean NOT NULL DEFAULT false,
    position  int NOT NULL DEFAULT 0
);
INSERT INTO platforms (key, name, available, position) VALUES
    ('webim', 'Webim', true, 1),
    ('jivo', 'Jivo', false, 2),
    ('chat2desk', 'Chat2Desk', false, 3);

CREATE TABLE integration_requests (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id       bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    platform         text NOT NULL REFERENCES platforms(key),
    status           text NOT NULL DEFAULT 'submitted'
                     CHECK (status IN ('submitted', 'in_review', 'approved', 'rejected', 'withdrawn')),
    contact_email    text NOT NULL,
    organisation     text NOT NULL,
    description      text NOT NULL,
    webim_domain     text NOT NULL DEFAULT '',
    access_requested boolean NOT NULL CHECK (access_requested),
    reject_reason    text NOT NULL DEFAULT '',
    -- Optimistic locking: every transition bumps it and must name the
    -- version it saw, so two moderators cannot both win.
    version          int NOT NULL DEFAULT 1,
    -- Lower-cased "project organisation e-mail", written with the row, so
    -- one trigram index serves the queue's search box.
    search           text NOT NULL DEFAULT '',
    created_by       bigint NOT NULL REFERENCES users(id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    decided_at       timestamptz
);
-- At most one open request per project and platform, enforced by the database.
CREATE UNIQUE INDEX integration_requests_open_key ON integration_requests (project_id, platform)
    WHERE status IN ('submitted', 'in_review');
-- The moderation queue reads oldest first within a status (and platform),
-- paging by keyset (created_at, id): these indexes match that order exactly,
-- so page 50 costs the same as page 1.
CREATE INDEX integration_requests_queue_idx ON integration_requests (status, created_at, id);
CREATE INDEX integration_requests_platform_queue_idx ON integration_requests (platform, status, created_at, id);
-- Substring search across project, organisation and e-mail.
CREATE INDEX integration_requests_search_idx ON integration_requests USING gin (search gin_trgm_ops);
-- "My requests" per project.
CREATE INDEX integration_requests_project_idx ON integration_requests (project_id, created_at DESC);

-- The history of a request: every transition and comment, who and when.
CREATE TABLE request_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  bigint NOT NULL REFERENCES integration_requests(id) ON DELETE CASCADE,
    actor_id    bigint REFERENCES users(id) ON DELETE SET NULL,
    kind        text NOT NULL CHECK (kind IN ('transition', 'comment')),
    from_status text,
    to_status   text,
    comment     text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX request_events_request_idx ON request_events (request_id, id);

-- Approval grants the platform to the project; Settings lists these.
CREATE TABLE platform_grants (
    project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    platform   text NOT NULL REFERENCES platforms(key),
    request_id bigint REFERENCES integration_requests(id) ON DELETE SET NULL,
    granted_by bigint REFERENCES users(id) ON DELETE SET NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, platform)
);

-- +goose Down
DROP TABLE platform_grants;
DROP TABLE request_events;
DROP TABLE integration_requests;
DROP TABLE platforms;
