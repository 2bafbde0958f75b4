-- The mail outbox: a message is written here in the same transaction as the
-- change it reports, with a River job that delivers it. A rolled-back change
-- leaves neither; a mail server that is down only delays delivery.

-- +goose Up
CREATE TABLE mail_outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    to_addr    text NOT NULL,
    subject    text NOT NULL,
    body       text NOT NULL,
    -- What caused it (e.g. "request:42:in_review"), for logs and the dev page.
    topic      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Set right after the SMTP server accepted the message; a delivery job
    -- that finds it set does nothing, so a retried job does not send twice.
    sent_at    timestamptz,
    -- Set when delivery gave up: the recipient was rejected for good, or
    -- every attempt failed.
    failed_at  timestamptz,
    attempts   int NOT NULL DEFAULT 0,
    last_error text NOT NULL DEFAULT ''
);
-- The dev page lists the newest messages first.
CREATE INDEX mail_outbox_created_idx ON mail_outbox (created_at DESC, id DESC);

-- +goose Down
DROP TABLE mail_outbox;
