-- +goose Up
-- /metrics reports the mail outbox's backlog on every scrape: a partial
-- index keeps that a look at the few unsent rows, not a scan of all mail.
CREATE INDEX mail_outbox_pending_idx ON mail_outbox (created_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- +goose Down
DROP INDEX mail_outbox_pending_idx;
