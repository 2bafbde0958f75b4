-- Owner experience (issue 16): honest integration status and a webhook URL
-- rotation with a grace period.

-- +goose Up

-- When the integration's status last changed and who changed it: a person
-- (status_changed_by, NULL once the account is gone) or botbridge itself
-- (status_changed_by_botbridge: Webim refused the token, "Check again"
-- succeeded), so the page never credits the last person who edited the
-- settings with what botbridge did.
ALTER TABLE integrations
    ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN status_changed_by bigint REFERENCES users(id) ON DELETE SET NULL,
    ADD COLUMN status_changed_by_botbridge boolean NOT NULL DEFAULT false,
    -- The webhook key before the last rotation keeps working until
    -- previous_webhook_valid_until (the owner picks none, 1 h or 24 h), so
    -- Webim can be switched to the new URL without losing events.
    ADD COLUMN previous_webhook_key_hash bytea UNIQUE CHECK (octet_length(previous_webhook_key_hash) = 32),
    ADD COLUMN previous_webhook_valid_until timestamptz,
    ADD CONSTRAINT integrations_previous_webhook_check CHECK (
        (previous_webhook_key_hash IS NULL) = (previous_webhook_valid_until IS NULL));
UPDATE integrations SET status_changed_at = updated_at, status_changed_by = updated_by,
    status_changed_by_botbridge = (status = 'unhealthy');

-- The failed-events index that the page's count and "Retry failed events"
-- read is made in 00026 (bridge_events_failed_idx), shared with the charts.

-- The view reads integrations' columns as of its creation: recreate it so
-- it has the new ones.
DROP VIEW integrations_accepting_webhooks;
CREATE VIEW integrations_accepting_webhooks AS
    SELECT * FROM integrations
    WHERE deleted_at IS NULL AND status IN ('active', 'unhealthy');

-- +goose Down
DROP VIEW integrations_accepting_webhooks;
ALTER TABLE integrations
    DROP CONSTRAINT integrations_previous_webhook_check,
    DROP COLUMN previous_webhook_valid_until,
    DROP COLUMN previous_webhook_key_hash,
    DROP COLUMN status_changed_by_botbridge,
    DROP COLUMN status_changed_by,
    DROP COLUMN status_changed_at;
CREATE VIEW integrations_accepting_webhooks AS
    SELECT * FROM integrations
    WHERE deleted_at IS NULL AND status IN ('active', 'unhealthy');
