-- +goose Up
-- One name for the rule "this integration accepts webhooks": not deleted,
-- and active or unhealthy (an unhealthy one keeps receiving so nothing a
-- visitor writes is lost while its owner fixes the token). The webhook
-- lookup and the ingest's batch statement both read it; the Go mirror is
-- integration.Integration.AcceptsWebhooks (tested against this view).
CREATE VIEW integrations_accepting_webhooks AS
    SELECT * FROM integrations
    WHERE deleted_at IS NULL AND status IN ('active', 'unhealthy');

-- +goose Down
DROP VIEW integrations_accepting_webhooks;
