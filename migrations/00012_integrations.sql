-- Configured integrations (a project's Webim accounts), the project's bot
-- endpoint and the audit log of every change to either.
--
-- Secrets: the Webim auth token, the webhook key and the bot signing secret
-- are stored only as AES-GCM ciphertexts (internal/secret) with the id of the
-- key that sealed them, so SECRET_KEY can rotate. Each ciphertext is bound to
-- its row through the AAD ("integration:{id}:token", "integration:{id}:
-- webhook_key", "project_bot:{project_id}:secret"); a ciphertext copied onto
-- another row does not decrypt. To know the id before the INSERT, the
-- application takes it from the identity sequence first and inserts it with
-- OVERRIDING SYSTEM VALUE. Only the last 4 characters of the token are kept
-- in clear, for display.
--
-- Webhook keys: 24 random bytes (192 bits). Webim's calls are looked up by
-- the SHA-256 of the key (webhook_key_hash, unique), never by the key. The
-- key is additionally kept encrypted so that the integration page can always
-- show its webhook URL to the project's members (they must be able to paste
-- it into Webim again); a database leak without SECRET_KEY reveals neither.
--
-- Deleting an integration is a soft delete: deleted_at is set, the webhook
-- key hash and every secret are wiped (so the webhook answers 404 and the
-- token is gone), and the row stays for the audit log and for the bridge
-- engine's per-integration history.

-- +goose Up
CREATE TABLE integrations (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id             bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    -- Only Webim has a configuration form so far; its columns below are
    -- Webim's. Another platform relaxes this check and brings its columns.
    platform               text NOT NULL REFERENCES platforms(key) CHECK (platform = 'webim'),
    status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'unhealthy')),
    -- Normalised scheme://host[:port] (outbound.NormalizeDomain).
    domain                 text NOT NULL CHECK (domain ~ '^https?://[^/?#]+$'),
    token_ciphertext       bytea,
    token_key_id           text,
    token_last4            text NOT NULL CHECK (char_length(token_last4) <= 4),
    transfer_to            text NOT NULL CHECK (transfer_to IN ('department', 'operator')),
    department_id          text CHECK (department_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    operator_id            bigint CHECK (operator_id > 0),
    webhook_key_hash       bytea UNIQUE CHECK (octet_length(webhook_key_hash) = 32),
    webhook_key_ciphertext bytea,
    webhook_key_key_id     text,
    unhealthy_reason       text NOT NULL DEFAULT '',
    created_by             bigint REFERENCES users(id) ON DELETE SET NULL,
    updated_by             bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    -- Optimistic locking of the owner's Edit form: bumped by every change of
    -- the configuration (not by health changes from the bridge).
    version                int NOT NULL DEFAULT 1,
    deleted_at             timestamptz,
    -- Exactly the transfer target that applies is stored.
    CONSTRAINT integrations_transfer_target CHECK (
        (transfer_to = 'department' AND department_id IS NOT NULL AND operator_id IS NULL) OR
        (transfer_to = 'operator' AND operator_id IS NOT NULL AND department_id IS NULL)),
    -- A live integration has all its secrets; a deleted one has none.
    CONSTRAINT integrations_secrets CHECK (
        (deleted_at IS NULL AND token_ciphertext IS NOT NULL AND token_key_id IS NOT NULL
            AND webhook_key_hash IS NOT NULL AND webhook_key_ciphertext IS NOT NULL AND webhook_key_key_id IS NOT NULL) OR
        (deleted_at IS NOT NULL AND token_ciphertext IS NULL AND token_key_id IS NULL
            AND webhook_key_hash IS NULL AND webhook_key_ciphertext IS NULL AND webhook_key_key_id IS NULL))
);
-- Settings lists a project's live integrations.
CREATE INDEX integrations_project_idx ON integrations (project_id, id) WHERE deleted_at IS NULL;

-- One bot endpoint per project. The signing secret keeps its predecessor
-- valid for 24 hours after a rotation so the bot can switch without
-- downtime. secret_reveal_to/until let the page show a new secret in full
-- exactly once, to the member who created it, shortly after.
CREATE TABLE project_bots (
    project_id                 bigint PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    endpoint_url               text NOT NULL CHECK (endpoint_url ~ '^https?://'),
    timeout_seconds            int NOT NULL DEFAULT 10 CHECK (timeout_seconds BETWEEN 1 AND 30),
    fallback_mode              text NOT NULL DEFAULT 'transfer' CHECK (fallback_mode IN ('transfer')),
    fallback_text              text NOT NULL
                               DEFAULT 'Sorry, our assistant is unavailable right now. Connecting you to a person.'
                               CHECK (char_length(fallback_text) BETWEEN 1 AND 500),
    secret_ciphertext          bytea NOT NULL,
    secret_key_id              text NOT NULL,
    secret_last4               text NOT NULL CHECK (char_length(secret_last4) <= 4),
    previous_secret_ciphertext bytea,
    previous_secret_key_id     text,
    previous_valid_until       timestamptz,
    secret_reveal_to           bigint REFERENCES users(id) ON DELETE SET NULL,
    secret_reveal_until        timestamptz,
    secret_rotated_at          timestamptz NOT NULL DEFAULT now(),
    updated_by                 bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT project_bots_previous CHECK (
        (previous_secret_ciphertext IS NULL) = (previous_secret_key_id IS NULL) AND
        (previous_secret_ciphertext IS NULL) = (previous_valid_until IS NULL))
);

-- Who changed what, when. detail never holds a secret. actor_id is NULL for
-- changes made by botbridge itself (e.g. the bridge marking an integration
-- unhealthy).
CREATE TABLE integration_audit (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id     bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    integration_id bigint REFERENCES integrations(id) ON DELETE CASCADE,
    actor_id       bigint REFERENCES users(id) ON DELETE SET NULL,
    action         text NOT NULL CHECK (action IN ('created', 'updated', 'disabled', 'enabled', 'deleted',
                       'webhook_rotated', 'marked_unhealthy', 'marked_healthy',
                       'bot_endpoint_saved', 'bot_secret_rotated')),
    detail         text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);
-- Settings shows a project's latest entries, the integration page its own.
CREATE INDEX integration_audit_project_idx ON integration_audit (project_id, id DESC);
CREATE INDEX integration_audit_integration_idx ON integration_audit (integration_id, id DESC)
    WHERE integration_id IS NOT NULL;

-- +goose Down
DROP TABLE integration_audit;
DROP TABLE project_bots;
DROP TABLE integrations;
