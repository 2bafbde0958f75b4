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
SELECT r.*, p.name AS project_name, pl.name AS platform_name, u.email AS created_by_email,
       coalesce(a.email, '')::text AS assigned_email
FROM integration_requests r
JOIN projects p ON p.id = r.project_id
JOIN platforms pl ON pl.key = r.platform
JOIN users u ON u.id = r.created_by
LEFT JOIN users a ON a.id = r.assigned_to
WHERE r.id = $1 AND r.project_id = $2;

-- name: GetRequestForModeration :one
SELECT r.*, p.name AS project_name, pl.name AS platform_name, u.email AS created_by_email,
       coalesce(a.email, '')::text AS assigned_email
FROM integration_requests r
JOIN projects p ON p.id = r.project_id
JOIN platforms pl ON pl.key = r.platform
JOIN users u ON u.id = r.created_by
LEFT JOIN users a ON a.id = r.assigned_to
WHERE r.id = $1;

-- name: ListRequestsForProject :many
SELECT r.*, p.name AS project_name, pl.name AS platform_name, u.email AS created_by_email,
       coalesce(a.email, '')::text AS assigned_email
FROM integration_requests r
JOIN projects p ON p.id = r.project_id
JOIN platforms pl ON pl.key = r.platform
JOIN users u ON u.id = r.created_by
LEFT JOIN users a ON a.id = r.assigned_to
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
WHERE r.project_id = $1 AND e.kind <> 'note'
ORDER BY e.request_id, e.id;

-- name: ListEventsForRequest :many
-- Internal notes only when include_notes (moderators): the owner's reads
-- leave them out here, in SQL.
SELECT e.*, coalesce(u.email, '')::text AS actor_email,
       EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = r.project_id AND m.user_id = e.actor_id) AS actor_is_member
FROM request_events e
JOIN integration_requests r ON r.id = e.request_id
LEFT JOIN users u ON u.id = e.actor_id
WHERE e.request_id = sqlc.arg(request_id) AND r.project_id = sqlc.arg(project_id)
  AND (sqlc.arg(include_notes)::bool OR e.kind <> 'note')
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

-- name: AssignRequest :exec
-- Take records who took the request into work; a resubmission clears it.
UPDATE integration_requests SET assigned_to = sqlc.narg(assigned_to) WHERE id = sqlc.arg(id);

-- name: CountRequestsByStatus :many
-- The queue's counts: the sum of the status deltas the triggers append
-- (a few rows once compacted), not a scan of the requests.
SELECT status, sum(n)::bigint AS n FROM request_status_deltas GROUP BY status;

-- name: CompactStatusDeltas :execrows
-- Folds the deltas into one row per status. Rows appended meanwhile are not
-- in the DELETE's snapshot and stay; a concurrent compaction skips the rows
-- this one deleted. Either way every delta is counted exactly once.
WITH gone AS (DELETE FROM request_status_deltas RETURNING status, n)
INSERT INTO request_status_deltas (status, n)
SELECT status, sum(n) FROM gone GROUP BY status HAVING sum(n) <> 0;

-- name: IsProjectMember :one
-- Separation of duties: a moderator who belongs to the project may not
-- decide its requests.
SELECT EXISTS (SELECT 1 FROM project_members WHERE project_id = $1 AND user_id = $2);

-- name: DeleteGrant :execrows
DELETE FROM platform_grants WHERE project_id = $1 AND platform = $2;

-- name: DisablePlatformIntegrations :many
-- A revoked grant disables the project's live integrations of the platform:
-- the webhook view (integrations_accepting_webhooks) stops matching them at
-- once, and the bridge ends events still in flight for a disabled
-- integration as failed with a reason. Returns each one with its old status
-- for the audit log.
UPDATE integrations i SET status = 'disabled', unhealthy_reason = '', updated_by = sqlc.arg(actor_id), updated_at = now()
FROM integrations old
WHERE old.id = i.id AND i.project_id = sqlc.arg(project_id) AND i.platform = sqlc.arg(platform)
  AND i.deleted_at IS NULL AND i.status <> 'disabled'
RETURNING i.id, old.status AS old_status;

-- name: ResubmitRequest :one
-- The owner edits a rejected request and sends it again: same row, same
-- history, back to submitted, guarded like every transition.
UPDATE integration_requests SET
    status = 'submitted', version = version + 1, updated_at = now(), reject_reason = '', decided_at = NULL,
    assigned_to = NULL, contact_email = sqlc.arg(contact_email), organisation = sqlc.arg(organisation),
    description = sqlc.arg(description), webim_domain = sqlc.arg(webim_domain),
    access_requested = sqlc.arg(access_requested), search = sqlc.arg(search)
WHERE id = sqlc.arg(id) AND project_id = sqlc.arg(project_id) AND version = sqlc.arg(version) AND status = 'rejected'
RETURNING id;

-- name: OldestWaitingRequest :one
-- "Next request": the oldest submitted request of a project the moderator
-- does not belong to (those they may not decide).
SELECT r.id FROM integration_requests r
WHERE r.status = 'submitted'
  AND NOT EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = r.project_id AND m.user_id = sqlc.arg(moderator_id))
ORDER BY r.created_at, r.id
LIMIT 1;

-- name: ListRequestsByCreator :many
-- The owner's other requests on the moderation page (newest first).
SELECT r.id, r.status, r.created_at, p.name AS project_name, pl.name AS platform_name
FROM integration_requests r
JOIN projects p ON p.id = r.project_id
JOIN platforms pl ON pl.key = r.platform
WHERE r.created_by = sqlc.arg(created_by) AND r.id <> sqlc.arg(except_id)
ORDER BY r.created_at DESC, r.id DESC
LIMIT sqlc.arg(lim);

-- name: ListProjectMembersForModeration :many
-- The read-only moderator view of a project: who is in it. No settings,
-- no integration or bot data.
SELECT u.email, m.role FROM project_members m
JOIN users u ON u.id = m.user_id
WHERE m.project_id = $1
ORDER BY m.role, u.email;

-- name: UpsertEvidencePending :exec
INSERT INTO request_evidence (request_id, domain, state, requested_at)
VALUES ($1, $2, 'pending', now())
ON CONFLICT (request_id) DO UPDATE SET domain = excluded.domain, state = 'pending', requested_at = now();

-- name: StoreEvidence :exec
UPDATE request_evidence SET state = 'done', ok = sqlc.arg(ok), checks = sqlc.arg(checks), checked_at = now()
WHERE request_id = sqlc.arg(request_id);

-- name: GetEvidence :one
SELECT * FROM request_evidence WHERE request_id = $1;
