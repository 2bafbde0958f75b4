-- Teams: members, invitations, renames. Every read names the project.

-- name: LockProjectForMembership :one
-- Serialises a project's membership changes: the last-owner rule counts
-- owners after this lock, so two concurrent demotions cannot both see a
-- second owner. NO KEY UPDATE leaves foreign-key inserts (integrations,
-- requests) unblocked.
SELECT id, name FROM projects WHERE id = $1 FOR NO KEY UPDATE;

-- name: ListProjectMembers :many
SELECT m.user_id, m.role, m.created_at, u.email
FROM project_members m
JOIN users u ON u.id = m.user_id
WHERE m.project_id = $1
ORDER BY m.role = 'owner' DESC, u.email;

-- name: GetProjectMember :one
SELECT m.user_id, m.role, m.created_at, u.email
FROM project_members m
JOIN users u ON u.id = m.user_id
WHERE m.project_id = $1 AND m.user_id = $2;

-- name: CountProjectOwners :one
SELECT count(*) FROM project_members WHERE project_id = $1 AND role = 'owner';

-- name: SetProjectMemberRole :execrows
UPDATE project_members SET role = sqlc.arg(role) WHERE project_id = sqlc.arg(project_id) AND user_id = sqlc.arg(user_id);

-- name: DeleteProjectMember :execrows
DELETE FROM project_members WHERE project_id = $1 AND user_id = $2;

-- name: IsProjectMemberEmail :one
SELECT EXISTS (
    SELECT 1 FROM project_members m JOIN users u ON u.id = m.user_id
    WHERE m.project_id = $1 AND u.email = $2
);

-- name: UpsertInvitation :one
-- One pending invitation per address: inviting again replaces the token,
-- role, inviter and expiry of the pending one (the old link stops working).
INSERT INTO project_invitations (project_id, email, role, token_hash, invited_by, expires_at)
VALUES (sqlc.arg(project_id), sqlc.arg(email), sqlc.arg(role), sqlc.arg(token_hash), sqlc.arg(invited_by), sqlc.arg(expires_at))
ON CONFLICT (project_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL
DO UPDATE SET role = excluded.role, token_hash = excluded.token_hash, invited_by = excluded.invited_by,
    created_at = now(), expires_at = excluded.expires_at
RETURNING id, (xmax <> 0)::bool AS replaced;

-- name: ListPendingInvitations :many
SELECT i.id, i.email, i.role, i.created_at, i.expires_at, u.email AS invited_by_email
FROM project_invitations i
LEFT JOIN users u ON u.id = i.invited_by
WHERE i.project_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL
ORDER BY i.created_at DESC, i.id DESC;

-- name: CountPendingInvitations :one
SELECT count(*) FROM project_invitations
WHERE project_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now();

-- name: RevokeInvitation :one
UPDATE project_invitations SET revoked_at = now()
WHERE project_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL
RETURNING email, role;

-- name: GetInvitationByToken :one
-- The link's lookup: by the hash of its token only (the token is the
-- credential), with the project's name and the inviter for the page.
SELECT i.id, i.project_id, i.email, i.role, i.created_at, i.expires_at, i.accepted_at, i.revoked_at,
    (i.expires_at <= now())::bool AS expired, p.name AS project_name, coalesce(u.email, '') AS invited_by_email
FROM project_invitations i
JOIN projects p ON p.id = i.project_id
LEFT JOIN users u ON u.id = i.invited_by
WHERE i.token_hash = $1;

-- name: LockInvitationByToken :one
SELECT id, project_id, email, role, accepted_at, revoked_at, (expires_at <= now())::bool AS expired
FROM project_invitations WHERE token_hash = $1 FOR UPDATE;

-- name: MarkInvitationAccepted :exec
UPDATE project_invitations SET accepted_at = now(), accepted_by = sqlc.arg(user_id) WHERE id = sqlc.arg(id);

-- name: AddProjectMemberIfAbsent :execrows
INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, $3)
ON CONFLICT (project_id, user_id) DO NOTHING;

-- name: CountRecentAudit :one
-- How many entries of one action a project got lately: the invitation
-- rate limit counts sent invitations (re-sends included) this way.
SELECT count(*) AS n, coalesce(min(created_at), now())::timestamptz AS oldest, now()::timestamptz AS now
FROM integration_audit
WHERE project_id = sqlc.arg(project_id) AND action = sqlc.arg(action) AND created_at > now() - sqlc.arg(since)::interval;

-- name: MarkEmailVerifiedByInvitation :exec
-- Signing up through an invitation's link proves the address: the link
-- came by e-mail to it.
UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1 AND email = $2;

-- name: RenameProject :exec
UPDATE projects SET name = sqlc.arg(name) WHERE id = sqlc.arg(id);
