-- Integrations, bot endpoints and their audit log. Every tenant read names
-- the project; only the bridge's webhook lookup goes by key hash alone.

-- name: NextIntegrationID :one
-- The id is taken before the INSERT because it is part of the AAD that binds
-- the row's ciphertexts to it.
SELECT nextval(pg_get_serial_sequence('integrations', 'id'))::bigint AS id;

-- name: InsertIntegration :one
INSERT INTO integrations (
    id, project_id, platform, domain, token_ciphertext, token_key_id, token_last4,
    transfer_to, department_id, operator_id,
    webhook_key_hash, webhook_key_ciphertext, webhook_key_key_id, created_by, updated_by, status_changed_by)
OVERRIDING SYSTEM VALUE
VALUES (
    sqlc.arg(id), sqlc.arg(project_id), sqlc.arg(platform), sqlc.arg(domain),
    sqlc.arg(token_ciphertext), sqlc.arg(token_key_id), sqlc.arg(token_last4),
    sqlc.arg(transfer_to), sqlc.narg(department_id), sqlc.narg(operator_id),
    sqlc.arg(webhook_key_hash), sqlc.arg(webhook_key_ciphertext), sqlc.arg(webhook_key_key_id),
    sqlc.arg(actor_id), sqlc.arg(actor_id), sqlc.arg(actor_id))
RETURNING id;

-- name: GetIntegration :one
SELECT sqlc.embed(i), cu.email AS created_by_email, uu.email AS updated_by_email
FROM integrations i
LEFT JOIN users cu ON cu.id = i.created_by
LEFT JOIN users uu ON uu.id = i.updated_by
WHERE i.project_id = $1 AND i.id = $2 AND i.deleted_at IS NULL;

-- name: GetIntegrationForUpdate :one
SELECT * FROM integrations
WHERE project_id = $1 AND id = $2 AND deleted_at IS NULL
FOR UPDATE;

-- name: ListIntegrations :many
SELECT sqlc.embed(i), cu.email AS created_by_email, uu.email AS updated_by_email
FROM integrations i
LEFT JOIN users cu ON cu.id = i.created_by
LEFT JOIN users uu ON uu.id = i.updated_by
WHERE i.project_id = $1 AND i.deleted_at IS NULL
ORDER BY i.id;

-- name: UpdateIntegration :one
-- A configuration change also gives an unhealthy integration another
-- chance: the owner has most likely just fixed what was wrong.
UPDATE integrations SET
    domain = sqlc.arg(domain),
    token_ciphertext = sqlc.arg(token_ciphertext),
    token_key_id = sqlc.arg(token_key_id),
    token_last4 = sqlc.arg(token_last4),
    transfer_to = sqlc.arg(transfer_to),
    department_id = sqlc.narg(department_id),
    operator_id = sqlc.narg(operator_id),
    status = CASE WHEN status = 'unhealthy' THEN 'active' ELSE status END,
    unhealthy_reason = CASE WHEN status = 'unhealthy' THEN '' ELSE unhealthy_reason END,
    status_changed_at = CASE WHEN status = 'unhealthy' THEN now() ELSE status_changed_at END,
    status_changed_by = CASE WHEN status = 'unhealthy' THEN sqlc.arg(actor_id) ELSE status_changed_by END,
    status_changed_by_botbridge = CASE WHEN status = 'unhealthy' THEN false ELSE status_changed_by_botbridge END,
    updated_by = sqlc.arg(actor_id),
    updated_at = now(),
    version = version + 1
WHERE project_id = sqlc.arg(project_id) AND id = sqlc.arg(id) AND deleted_at IS NULL
  AND version = sqlc.arg(version)
RETURNING version;

-- name: SetIntegrationStatus :execrows
-- from_statuses makes the change conditional, so a repeated or stale
-- Disable/Enable changes nothing.
UPDATE integrations SET
    status = sqlc.arg(status),
    unhealthy_reason = '',
    status_changed_at = now(),
    status_changed_by = sqlc.arg(actor_id),
    status_changed_by_botbridge = false,
    updated_by = sqlc.arg(actor_id),
    updated_at = now()
WHERE project_id = sqlc.arg(project_id) AND id = sqlc.arg(id) AND deleted_at IS NULL
  AND status = ANY(sqlc.arg(from_statuses)::text[]);

-- name: SoftDeleteIntegration :execrows
UPDATE integrations SET
    deleted_at = now(),
    token_ciphertext = NULL, token_key_id = NULL,
    webhook_key_hash = NULL, webhook_key_ciphertext = NULL, webhook_key_key_id = NULL,
    previous_webhook_key_hash = NULL, previous_webhook_valid_until = NULL,
    updated_by = sqlc.arg(actor_id),
    updated_at = now()
WHERE project_id = sqlc.arg(project_id) AND id = sqlc.arg(id) AND deleted_at IS NULL;

-- name: RotateIntegrationWebhook :execrows
-- With a grace period (previous_valid_until set) the key being replaced
-- keeps working until then; without one it stops at once, as does any key
-- an earlier rotation left in its grace period.
UPDATE integrations SET
    previous_webhook_key_hash = CASE WHEN sqlc.narg(previous_valid_until)::timestamptz IS NULL THEN NULL ELSE webhook_key_hash END,
    previous_webhook_valid_until = sqlc.narg(previous_valid_until)::timestamptz,
    webhook_key_hash = sqlc.arg(webhook_key_hash),
    webhook_key_ciphertext = sqlc.arg(webhook_key_ciphertext),
    webhook_key_key_id = sqlc.arg(webhook_key_key_id),
    updated_by = sqlc.arg(actor_id),
    updated_at = now()
WHERE project_id = sqlc.arg(project_id) AND id = sqlc.arg(id) AND deleted_at IS NULL;

-- name: LookupIntegrationByWebhook :one
-- The bridge's entry point: Webim calls carry only the key. Disabled and
-- deleted integrations are not found, so their webhook answers 404. The
-- ingest's UpsertChats (bridge.sql) reads the same view.
SELECT * FROM integrations_accepting_webhooks
WHERE webhook_key_hash = $1;

-- name: MarkIntegrationUnhealthy :one
-- Only a change is recorded: an integration already unhealthy for the same
-- reason, or disabled by its owner, stays as it is.
WITH changed AS (
    -- botbridge's own change: attributed to botbridge, and
    -- updated_at/updated_by keep describing the last edit.
    UPDATE integrations SET status = 'unhealthy', unhealthy_reason = sqlc.arg(reason),
        status_changed_at = now(), status_changed_by = NULL, status_changed_by_botbridge = true
    WHERE integrations.id = sqlc.arg(id) AND deleted_at IS NULL
      AND (status = 'active' OR (status = 'unhealthy' AND unhealthy_reason <> sqlc.arg(reason)))
    RETURNING integrations.id, integrations.project_id
), audited AS (
    INSERT INTO integration_audit (project_id, integration_id, action, detail)
    SELECT project_id, changed.id, 'marked_unhealthy', sqlc.arg(reason) FROM changed
    RETURNING integration_audit.id
)
SELECT count(*) FROM audited;

-- name: MarkIntegrationHealthy :one
WITH changed AS (
    UPDATE integrations SET status = 'active', unhealthy_reason = '',
        status_changed_at = now(), status_changed_by = NULL, status_changed_by_botbridge = true
    WHERE integrations.id = sqlc.arg(id) AND deleted_at IS NULL AND status = 'unhealthy'
    RETURNING integrations.id, integrations.project_id
), audited AS (
    INSERT INTO integration_audit (project_id, integration_id, action, detail)
    SELECT project_id, changed.id, 'marked_healthy', '' FROM changed
    RETURNING integration_audit.id
)
SELECT count(*) FROM audited;

-- name: GetIntegrationByID :one
-- For the bridge engine, which reaches an integration through its
-- authenticated webhook or its own stored events, never through a tenant's
-- URL. Deleted rows are returned too (deleted_at set) so the engine can
-- tell "stop" from "missing".
SELECT * FROM integrations WHERE id = $1;

-- name: IntegrationExists :one
SELECT EXISTS (SELECT 1 FROM integrations WHERE id = $1 AND deleted_at IS NULL);

-- name: InsertIntegrationAudit :exec
INSERT INTO integration_audit (project_id, integration_id, actor_id, action, detail)
VALUES (sqlc.arg(project_id), sqlc.narg(integration_id), sqlc.narg(actor_id), sqlc.arg(action), sqlc.arg(detail));

-- name: ListProjectAudit :many
SELECT a.id, a.integration_id, a.action, a.detail, a.created_at, u.email AS actor_email
FROM integration_audit a
LEFT JOIN users u ON u.id = a.actor_id
WHERE a.project_id = $1
ORDER BY a.id DESC
LIMIT $2;

-- name: ListIntegrationAudit :many
SELECT a.id, a.integration_id, a.action, a.detail, a.created_at, u.email AS actor_email
FROM integration_audit a
LEFT JOIN users u ON u.id = a.actor_id
WHERE a.project_id = $1 AND a.integration_id = $2
ORDER BY a.id DESC
LIMIT $3;

-- name: ListPlatformChoices :many
-- The catalog as one project sees it: granted or not, and its newest
-- request for each platform.
SELECT p.key, p.name, p.available,
       (g.project_id IS NOT NULL)::boolean AS granted,
       coalesce(r.status, '')::text AS request_status
FROM platforms p
LEFT JOIN platform_grants g ON g.platform = p.key AND g.project_id = sqlc.arg(project_id)
LEFT JOIN LATERAL (
    SELECT ir.status FROM integration_requests ir
    WHERE ir.project_id = sqlc.arg(project_id) AND ir.platform = p.key
    ORDER BY ir.created_at DESC, ir.id DESC
    LIMIT 1
) r ON true
ORDER BY p.position, p.key;

-- name: PlatformGranted :one
SELECT EXISTS (SELECT 1 FROM platform_grants WHERE project_id = $1 AND platform = $2);

-- name: ListPlatformHealth :many
-- "My projects": every granted platform of the user's projects with a count
-- of its live integrations per status. The membership join keeps it to the
-- user's own projects whatever ids are passed.
SELECT g.project_id, p.key, p.name,
       count(i.id) FILTER (WHERE i.status = 'active')::int AS active,
       count(i.id) FILTER (WHERE i.status = 'unhealthy')::int AS unhealthy,
       count(i.id) FILTER (WHERE i.status = 'disabled')::int AS disabled
FROM platform_grants g
JOIN project_members m ON m.project_id = g.project_id AND m.user_id = sqlc.arg(user_id)
JOIN platforms p ON p.key = g.platform
LEFT JOIN integrations i ON i.project_id = g.project_id AND i.platform = g.platform AND i.deleted_at IS NULL
WHERE g.project_id = ANY(sqlc.arg(project_ids)::bigint[])
GROUP BY g.project_id, p.key, p.name, p.position
ORDER BY g.project_id, p.position, p.key;

-- name: GetProjectBot :one
SELECT sqlc.embed(b), u.email AS updated_by_email
FROM project_bots b
LEFT JOIN users u ON u.id = b.updated_by
WHERE b.project_id = $1;

-- name: LockProjectBot :one
SELECT * FROM project_bots WHERE project_id = $1 FOR UPDATE;

-- name: InsertProjectBot :one
-- ON CONFLICT: two first saves at once; the loser updates instead.
INSERT INTO project_bots (
    project_id, endpoint_url, timeout_seconds, fallback_mode, fallback_text, visitor_language,
    secret_ciphertext, secret_key_id, secret_last4, secret_reveal_to, secret_reveal_until, updated_by)
VALUES (
    sqlc.arg(project_id), sqlc.arg(endpoint_url), sqlc.arg(timeout_seconds), sqlc.arg(fallback_mode), sqlc.arg(fallback_text), sqlc.arg(visitor_language),
    sqlc.arg(secret_ciphertext), sqlc.arg(secret_key_id), sqlc.arg(secret_last4),
    sqlc.arg(actor_id), now() + make_interval(secs => sqlc.arg(reveal_seconds)::int), sqlc.arg(actor_id))
ON CONFLICT (project_id) DO NOTHING
RETURNING project_id;

-- name: UpdateProjectBot :exec
UPDATE project_bots SET
    endpoint_url = sqlc.arg(endpoint_url),
    timeout_seconds = sqlc.arg(timeout_seconds),
    fallback_mode = sqlc.arg(fallback_mode),
    fallback_text = sqlc.arg(fallback_text),
    visitor_language = sqlc.arg(visitor_language),
    updated_by = sqlc.arg(actor_id),
    updated_at = now()
WHERE project_id = sqlc.arg(project_id);

-- name: RotateProjectBotSecret :execrows
-- The current secret becomes the previous one, valid for the overlap.
UPDATE project_bots SET
    previous_secret_ciphertext = secret_ciphertext,
    previous_secret_key_id = secret_key_id,
    previous_valid_until = now() + make_interval(secs => sqlc.arg(overlap_seconds)::int),
    secret_ciphertext = sqlc.arg(secret_ciphertext),
    secret_key_id = sqlc.arg(secret_key_id),
    secret_last4 = sqlc.arg(secret_last4),
    secret_reveal_to = sqlc.arg(actor_id),
    secret_reveal_until = now() + make_interval(secs => sqlc.arg(reveal_seconds)::int),
    secret_rotated_at = now(),
    updated_by = sqlc.arg(actor_id),
    updated_at = now()
WHERE project_id = sqlc.arg(project_id);

-- name: PeekBotSecretReveal :one
-- The new secret is shown in full only to the member who made it, until
-- they confirm they copied it or the window closes. Reading is side-effect
-- free, so a prefetch or a second tab never loses it.
SELECT secret_ciphertext, secret_key_id FROM project_bots
WHERE project_id = $1 AND secret_reveal_to = $2 AND secret_reveal_until > now();

-- name: HideBotSecretReveal :execrows
UPDATE project_bots SET secret_reveal_to = NULL, secret_reveal_until = NULL
WHERE project_id = $1 AND secret_reveal_to = $2;

-- name: GetIntegrationDomain :one
-- Deleted integrations included, so their history stays readable.
SELECT domain FROM integrations WHERE project_id = $1 AND id = $2;

-- name: SetChatEventsCredentials :execrows
UPDATE integrations SET chat_events_user = sqlc.arg(user_name), chat_events_secret_hash = sqlc.arg(secret_hash),
       updated_by = sqlc.arg(actor_id), updated_at = now()
WHERE project_id = sqlc.arg(project_id) AND id = sqlc.arg(id) AND deleted_at IS NULL;

-- name: SetLinkButtons :execrows
UPDATE integrations SET link_buttons = sqlc.arg(link_buttons), updated_by = sqlc.arg(actor_id), updated_at = now()
WHERE project_id = sqlc.arg(project_id) AND id = sqlc.arg(id) AND deleted_at IS NULL;
