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
    contact_email    text NOT NULL CHECK (char_length(contact_email) BETWEEN 3 AND 254),
    organisation     text NOT NULL CHECK (char_length(organisation) BETWEEN 1 AND 200),
    description      text NOT NULL CHECK (char_length(description) BETWEEN 20 AND 2000),
    webim_domain     text NOT NULL DEFAULT '',
    access_requested boolean NOT NULL CHECK (access_requested),
    -- Required for a rejection and shown to the owner.
    reject_reason    text NOT NULL DEFAULT '' CHECK (status <> 'rejected' OR reject_reason <> ''),
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
-- The moderation queue reads oldest first and pages by keyset
-- "(created_at, id) > cursor ORDER BY created_at, id LIMIT 26". An index
-- whose trailing columns are (created_at, id) after the equality filters
-- returns rows already in that order and starts at the cursor, so page 50
-- costs the same as page 1 (OFFSET would read and drop 1 225 rows first).
-- The default view (submitted and in review) spans two statuses, which no
-- (status, created_at, id) index returns in created_at order; this partial
-- index covers exactly those rows, and it stays small: the open-request
-- unique index below bounds them to one per project and platform, while
-- decided requests pile up forever. The queue query writes the status list
-- as literals so the planner can prove the predicate.
CREATE INDEX integration_requests_open_queue_idx ON integration_requests (created_at, id)
    WHERE status IN ('submitted', 'in_review');
-- One chosen status (e.g. "approved", the big one), oldest first.
CREATE INDEX integration_requests_queue_idx ON integration_requests (status, created_at, id);
-- Platform and one status; platform with the open statuses uses the partial
-- index above and filters the (few) open rows by platform.
CREATE INDEX integration_requests_platform_queue_idx ON integration_requests (platform, status, created_at, id);
-- Substring search (ILIKE '%text%') across project, organisation and
-- e-mail: a B-tree cannot serve a leading wildcard, a trigram GIN index can.
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
    comment     text NOT NULL DEFAULT '' CHECK (char_length(comment) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- A transition names its target state; a comment carries text.
    CHECK (kind = 'comment' AND comment <> '' OR kind = 'transition' AND to_status IS NOT NULL)
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
