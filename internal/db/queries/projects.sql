-- name: CreateProject :one
INSERT INTO projects (name, created_by) VALUES ($1, $2) RETURNING *;

-- name: AddProjectMember :exec
INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, $3)
ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role;

-- name: GetProjectForUser :one
-- Tenant boundary: a project is visible only through a membership row.
SELECT p.*, m.role AS member_role
FROM projects p
JOIN project_members m ON m.project_id = p.id
WHERE p.id = $1 AND m.user_id = $2;

-- name: ListProjectsForUser :many
SELECT p.*, m.role AS member_role
FROM projects p
JOIN project_members m ON m.project_id = p.id
WHERE m.user_id = $1
ORDER BY p.name, p.id;

-- name: FindProjectByNameForUser :one
SELECT p.*
FROM projects p
JOIN project_members m ON m.project_id = p.id
WHERE m.user_id = $1 AND p.name = $2
ORDER BY p.id
LIMIT 1;

-- name: GetProjectName :one
SELECT name FROM projects WHERE id = $1;

-- name: ListProjectOwnerEmails :many
-- Who is told about a project's trouble: its owners whose accounts are not
-- disabled.
SELECT u.email
FROM project_members m
JOIN users u ON u.id = m.user_id
WHERE m.project_id = $1 AND m.role = 'owner' AND u.disabled_at IS NULL
ORDER BY u.id;
