-- Teams (issue 15): invitations to a project, and membership changes in
-- the project's audit log.
--
-- Invitations: the link's token is 24 random bytes (192 bits); only its
-- SHA-256 is stored and looked up, like sessions and webhook keys. One
-- pending invitation per project and address (the partial unique index): a
-- second invitation to the same address replaces the first in place (new
-- token, role and expiry), so only the newest e-mail's link works. Rows
-- stay after acceptance or revocation as the record of what happened.
--
-- The audit log: integration_audit already carries the project and an
-- optional integration, and Settings shows a project's entries; membership
-- changes and renames are project-wide entries (integration_id NULL) with
-- actions of their own.

-- +goose Up
CREATE TABLE project_invitations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id  bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    email       text NOT NULL CHECK (email = lower(btrim(email)) AND length(email) BETWEEN 3 AND 254),
    role        text NOT NULL CHECK (role IN ('owner', 'member')),
    token_hash  bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    invited_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by bigint REFERENCES users(id) ON DELETE SET NULL,
    revoked_at  timestamptz,
    CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);
CREATE UNIQUE INDEX project_invitations_pending_idx ON project_invitations (project_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

ALTER TABLE integration_audit DROP CONSTRAINT integration_audit_action_check;
ALTER TABLE integration_audit ADD CONSTRAINT integration_audit_action_check CHECK (action IN (
    'created', 'updated', 'disabled', 'enabled', 'deleted', 'webhook_rotated', 'marked_unhealthy', 'marked_healthy',
    'bot_endpoint_saved', 'bot_secret_rotated', 'chat_events_rotated', 'link_buttons_changed',
    'member_invited', 'invitation_revoked', 'invitation_accepted', 'member_role_changed', 'member_removed',
    'member_left', 'project_renamed'));

-- +goose Down
DELETE FROM integration_audit WHERE action IN ('member_invited', 'invitation_revoked', 'invitation_accepted',
    'member_role_changed', 'member_removed', 'member_left', 'project_renamed');
ALTER TABLE integration_audit DROP CONSTRAINT integration_audit_action_check;
ALTER TABLE integration_audit ADD CONSTRAINT integration_audit_action_check CHECK (action IN (
    'created', 'updated', 'disabled', 'enabled', 'deleted', 'webhook_rotated', 'marked_unhealthy', 'marked_healthy',
    'bot_endpoint_saved', 'bot_secret_rotated', 'chat_events_rotated', 'link_buttons_changed'));
DROP TABLE project_invitations;
