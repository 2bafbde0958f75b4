// Package project holds the tenants: projects and their members. Every read
// goes through the caller's membership, so another user's project is simply
// not found.
package project

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// Name length bounds, in characters.
const (
	MinNameLen = 3
	MaxNameLen = 80
)

// Member roles within a project.
const (
	RoleOwner  = "owner"
	RoleMember = "member"
)

// Project is a tenant as seen by one of its members.
type Project struct {
	ID         int64
	Name       string
	CreatedAt  time.Time
	MemberRole string
}

// ValidateName returns a catalog key for a bad name, or "".
func ValidateName(name string) string {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "project.name.required"
	case n < MinNameLen:
		return "project.name.short"
	case n > MaxNameLen:
		return "project.name.long"
	}
	return ""
}

// Create makes a project with userID as its owner, in one transaction.
func Create(ctx context.Context, conn db.Conn, userID int64, name string) (Project, error) {
	name = strings.Join(strings.Fields(name), " ")
	if key := ValidateName(name); key != "" {
		return Project{}, apperr.Validation{"name": key}
	}
	var p Project
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		row, err := q.CreateProject(ctx, dbsqlc.CreateProjectParams{Name: name, CreatedBy: userID})
		if err != nil {
			return fmt.Errorf("project: create: %w", err)
		}
		if err := q.AddProjectMember(ctx, dbsqlc.AddProjectMemberParams{ProjectID: row.ID, UserID: userID, Role: RoleOwner}); err != nil {
			return fmt.Errorf("project: add owner: %w", err)
		}
		p = Project{ID: row.ID, Name: row.Name, CreatedAt: row.CreatedAt, MemberRole: RoleOwner}
		return nil
	})
	return p, err
}

// Get returns the project if userID is a member, else apperr.ErrNotFound.
func Get(ctx context.Context, q db.DBTX, userID, projectID int64) (Project, error) {
	row, err := dbsqlc.New(q).GetProjectForUser(ctx, dbsqlc.GetProjectForUserParams{ID: projectID, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return Project{}, fmt.Errorf("project %d: %w", projectID, apperr.ErrNotFound)
	}
	if err != nil {
		return Project{}, fmt.Errorf("project: get: %w", err)
	}
	return Project{ID: row.ID, Name: row.Name, CreatedAt: row.CreatedAt, MemberRole: row.MemberRole}, nil
}

// ListForUser returns the projects userID belongs to, by name.
func ListForUser(ctx context.Context, q db.DBTX, userID int64) ([]Project, error) {
	rows, err := dbsqlc.New(q).ListProjectsForUser(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("project: list: %w", err)
	}
	out := make([]Project, len(rows))
	for i, r := range rows {
		out[i] = Project{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt, MemberRole: r.MemberRole}
	}
	return out, nil
}

// EnsureNamed returns the user's project called name, creating it if absent
// (demo seeding must be idempotent).
func EnsureNamed(ctx context.Context, conn db.Conn, userID int64, name string) (Project, bool, error) {
	row, err := dbsqlc.New(conn).FindProjectByNameForUser(ctx, dbsqlc.FindProjectByNameForUserParams{UserID: userID, Name: name})
	if err == nil {
		return Project{ID: row.ID, Name: row.Name, CreatedAt: row.CreatedAt, MemberRole: RoleOwner}, false, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Project{}, false, fmt.Errorf("project: find: %w", err)
	}
	p, err := Create(ctx, conn, userID, name)
	return p, err == nil, err
}

// Owners returns a project's name and the addresses of its owners (not
// disabled), for notifications about it. Not tenant-facing: the caller has
// the project id from its own records (an integration row, a job).
func Owners(ctx context.Context, q db.DBTX, projectID int64) (name string, emails []string, err error) {
	qs := dbsqlc.New(q)
	name, err = qs.GetProjectName(ctx, projectID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, fmt.Errorf("project %d: %w", projectID, apperr.ErrNotFound)
	}
	if err != nil {
		return "", nil, fmt.Errorf("project: name: %w", err)
	}
	emails, err = qs.ListProjectOwnerEmails(ctx, projectID)
	if err != nil {
		return "", nil, fmt.Errorf("project: owners: %w", err)
	}
	return name, emails, nil
}
