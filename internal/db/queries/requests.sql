-- name: ListPlatforms :many
SELECT * FROM platforms ORDER BY position, key;

-- name: GetPlatform :one
SELECT * FROM platforms WHERE key = $1;

-- name: IsPlatformGranted :one
SELECT EXISTS (SELECT 1 FROM platform_grants WHERE project_id = $1 AND platform = $2);

-- name: InsertRequest :one
-- ON CONFLICT on the open-request index rather than a unique violation: a
-- violation would abort the caller's transaction; no row means "one is open".
INSERT INTO integration_requests (
    project_id, platform, contact_email, organisation, description,
    webim_domain, access_requested, search, created_by, language
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (project_id, platform) WHERE status IN ('submitted', 'in_review') DO NOTHING
RETURNING id;

-- name: FindOpenRequest :one
SELECT id FROM integration_requests
WHERE project_id = $1 AND platform = $2 AND status IN ('submitted', 'in_review');

-- name: GetRequestInProject :one
-- Tenant boundary: an owner reaches a request only through its project.
SELECT r.*, p.name AS project_name, pl.name AS platform_name, u.email AS created_by_email
FROM integration_requests r
JOIN projects p ON p.id = r.project_id
JOIN platforms pl ON pl.key = r.platform
JOIN users u ON u.id = r.created_by
WHERE r.id = $1 AND r.project_id = $2;

-- name: GetRequestForModeration :one
SELECT r.*, p.name AS project_name, pl.name AS platform_name, u.email AS created_by_email
FROM integration_requests r
JOIN projects p ON p.id = r.project_id
JOIN platforms pl ON pl.key = r.platform
JOIN users u ON u.id = r.created_by
WHERE r.id = $1;

-- name: ListRequestsForProject :many
SELECT r.*, p.name AS project_name, pl.name AS platform_name, u.email AS created_by_email
FROM integration_requests r
JOIN projects p ON p.id = r.project_id
JOIN platforms pl ON pl.key = r.platform
JOIN users u ON u.id = r.created_by
WHERE r.project_id = $1
ORDER BY r.created_at DESC, r.id DESC;

-- name: TransitionRequest :one
-- Optimistic lock: the row changes only if it is still in the state and
-- version the actor saw; otherwise no row comes back.
UPDATE integration_requests
SET status = sqlc.arg(to_status),
    version = version + 1,
    updated_at = now(),
    reject_reason = sqlc.arg(reject_reason),
    decided_at = CASE WHEN sqlc.arg(decided)::bool THEN now() ELSE decided_at END
WHERE id = sqlc.arg(id)
  AND project_id = sqlc.arg(project_id)
  AND version = sqlc.arg(version)
  AND status = sqlc.arg(from_status)
RETURNING id;

-- name: InsertRequestEvent :exec
INSERT INTO request_events (request_id, actor_id, kind, from_status, to_status, comment)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: ListEventsForProject :many
-- The history of every request of one project; is_member tells owners'
-- own entries from moderators'.
SELECT e.*, coalesce(u.email, '')::text AS actor_email,
       EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = r.project_id AND m.user_id = e.actor_id) AS actor_is_member
FROM request_events e
JOIN integration_requests r ON r.id = e.request_id
LEFT JOIN users u ON u.id = e.actor_id
WHERE r.project_id = $1
ORDER BY e.request_id, e.id;

-- name: ListEventsForRequest :many
SELECT e.*, coalesce(u.email, '')::text AS actor_email,
       EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = r.project_id AND m.user_id = e.actor_id) AS actor_is_member
FROM request_events e
JOIN integration_requests r ON r.id = e.request_id
LEFT JOIN users u ON u.id = e.actor_id
WHERE e.request_id = $1 AND r.project_id = $2
ORDER BY e.id;

-- name: InsertGrant :exec
INSERT INTO platform_grants (project_id, platform, request_id, granted_by)
VALUES ($1, $2, $3, $4)
ON CONFLICT (project_id, platform) DO NOTHING;

-- name: ListGrantedPlatforms :many
SELECT pl.* FROM platform_grants g
JOIN platforms pl ON pl.key = g.platform
WHERE g.project_id = $1
ORDER BY pl.position, pl.key;

-- name: GrantedPlatformNames :many
SELECT g.project_id, pl.name FROM platform_grants g
JOIN platforms pl ON pl.key = g.platform
WHERE g.project_id = ANY(sqlc.arg(project_ids)::bigint[])
ORDER BY g.project_id, pl.position, pl.key;

-- name: PlatformStatuses :many
-- Every catalog platform as one project sees it: granted or not, and its
-- newest request if any.
SELECT pl.key, pl.name, pl.available, pl.position,
       (g.project_id IS NOT NULL)::bool AS granted,
       coalesce(lr.id, 0)::bigint AS request_id,
       coalesce(lr.status, '')::text AS request_status
FROM platforms pl
LEFT JOIN platform_grants g ON g.platform = pl.key AND g.project_id = sqlc.arg(project_id)
LEFT JOIN LATERAL (
    SELECT r.id, r.status FROM integration_requests r
    WHERE r.project_id = sqlc.arg(project_id) AND r.platform = pl.key
    ORDER BY r.created_at DESC, r.id DESC
    LIMIT 1
) lr ON true
ORDER BY pl.position, pl.key;

-- name: LockRequestVersion :one
-- A comment holds this share lock while it is written, so no transition
-- commits between the version check and the comment.
SELECT version FROM integration_requests WHERE id = $1 AND project_id = $2 FOR SHARE;
