// Package team is who works on a project: its members and their roles, the
// invitations that bring new ones in, and the project's name. Every change
// is written to the project's audit log in the same transaction, and every
// change that could leave a project without an owner is decided under a
// lock on the project row.
package team

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/project"
)

// Audit actions of membership changes; the views translate them
// ("settings.audit.action.<action>") and their Detail (see AuditDetail).
const (
	ActionInvited            = "member_invited"
	ActionInvitationRevoked  = "invitation_revoked"
	ActionInvitationAccepted = "invitation_accepted"
	ActionRoleChanged        = "member_role_changed"
	ActionRemoved            = "member_removed"
	ActionLeft               = "member_left"
	ActionRenamed            = "project_renamed"
)

// AuditActions lists them, for the catalog test.
var AuditActions = []string{ActionInvited, ActionInvitationRevoked, ActionInvitationAccepted, ActionRoleChanged,
	ActionRemoved, ActionLeft, ActionRenamed}

// ErrLastOwner refuses a change that would leave the project without an
// owner (the last owner leaving, being removed or demoted).
var ErrLastOwner = fmt.Errorf("team: the project's last owner must stay an owner: %w", apperr.ErrConflict)

// Member is one person in a project.
type Member struct {
	UserID   int64
	Email    string
	Role     string
	JoinedAt time.Time
}

// AuditDetail is what a membership entry records besides its action, kept
// as JSON in the audit row's detail so the view can say it in the reader's
// language. Never a secret.
type AuditDetail struct {
	Email string `json:"email,omitempty"`
	Role  string `json:"role,omitempty"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
}

// ParseAuditDetail reads a detail written by this package.
func ParseAuditDetail(s string) (AuditDetail, bool) {
	var d AuditDetail
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return AuditDetail{}, false
	}
	return d, true
}

func audit(ctx context.Context, q *dbsqlc.Queries, projectID int64, actorID *int64, action string, d AuditDetail) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("team: audit detail: %w", err)
	}
	if err := q.InsertIntegrationAudit(ctx, dbsqlc.InsertIntegrationAuditParams{
		ProjectID: projectID, ActorID: actorID, Action: action, Detail: string(b),
	}); err != nil {
		return fmt.Errorf("team: audit %s: %w", action, err)
	}
	return nil
}

// lockProject takes the project's membership lock for the rest of tx.
func lockProject(ctx context.Context, q *dbsqlc.Queries, projectID int64) (string, error) {
	row, err := q.LockProjectForMembership(ctx, projectID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("team: project %d: %w", projectID, apperr.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("team: lock project: %w", err)
	}
	return row.Name, nil
}

// List returns the project's members, owners first, then by address.
func List(ctx context.Context, q db.DBTX, projectID int64) ([]Member, error) {
	rows, err := dbsqlc.New(q).ListProjectMembers(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("team: list members: %w", err)
	}
	out := make([]Member, len(rows))
	for i, r := range rows {
		out[i] = Member{UserID: r.UserID, Email: r.Email, Role: r.Role, JoinedAt: r.CreatedAt}
	}
	return out, nil
}

// member loads one membership of the project under the lock; another
// project's member (or nobody) is ErrNotFound.
func member(ctx context.Context, q *dbsqlc.Queries, projectID, userID int64) (Member, error) {
	r, err := q.GetProjectMember(ctx, dbsqlc.GetProjectMemberParams{ProjectID: projectID, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return Member{}, fmt.Errorf("team: project %d member %d: %w", projectID, userID, apperr.ErrNotFound)
	}
	if err != nil {
		return Member{}, fmt.Errorf("team: get member: %w", err)
	}
	return Member{UserID: r.UserID, Email: r.Email, Role: r.Role, JoinedAt: r.CreatedAt}, nil
}

// keepsAnOwner refuses taking m out of the owners when m is the last one.
// The caller holds the project lock, so the count cannot change under it.
func keepsAnOwner(ctx context.Context, q *dbsqlc.Queries, projectID int64, m Member) error {
	if m.Role != project.RoleOwner {
		return nil
	}
	n, err := q.CountProjectOwners(ctx, projectID)
	if err != nil {
		return fmt.Errorf("team: count owners: %w", err)
	}
	if n <= 1 {
		return ErrLastOwner
	}
	return nil
}

// ChangeRole gives userID the role in the project (actorID, an owner,
// decides). Demoting the last owner is ErrLastOwner; a role that is not one
// is a field error; the same role again changes nothing.
func ChangeRole(ctx context.Context, conn db.Conn, projectID, actorID, userID int64, role string) error {
	if !project.ValidRole(role) {
		return apperr.Validation{"role": "team.role.invalid"}
	}
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		if _, err := lockProject(ctx, q, projectID); err != nil {
			return err
		}
		m, err := member(ctx, q, projectID, userID)
		if err != nil {
			return err
		}
		if m.Role == role {
			return nil
		}
		if err := keepsAnOwner(ctx, q, projectID, m); err != nil {
			return err
		}
		if _, err := q.SetProjectMemberRole(ctx, dbsqlc.SetProjectMemberRoleParams{ProjectID: projectID, UserID: userID, Role: role}); err != nil {
			return fmt.Errorf("team: set role: %w", err)
		}
		return audit(ctx, q, projectID, &actorID, ActionRoleChanged, AuditDetail{Email: m.Email, From: m.Role, To: role})
	})
}

// Remove takes userID out of the project (actorID, an owner, decides);
// removing oneself is leaving. The last owner cannot be removed.
func Remove(ctx context.Context, conn db.Conn, projectID, actorID, userID int64) error {
	action := ActionRemoved
	if actorID == userID {
		action = ActionLeft
	}
	return remove(ctx, conn, projectID, actorID, userID, action)
}

// Leave takes userID out of the project at their own wish. The last owner
// cannot leave (they may hand the project to someone first).
func Leave(ctx context.Context, conn db.Conn, projectID, userID int64) error {
	return remove(ctx, conn, projectID, userID, userID, ActionLeft)
}

func remove(ctx context.Context, conn db.Conn, projectID, actorID, userID int64, action string) error {
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		if _, err := lockProject(ctx, q, projectID); err != nil {
			return err
		}
		m, err := member(ctx, q, projectID, userID)
		if err != nil {
			return err
		}
		if err := keepsAnOwner(ctx, q, projectID, m); err != nil {
			return err
		}
		if _, err := q.DeleteProjectMember(ctx, dbsqlc.DeleteProjectMemberParams{ProjectID: projectID, UserID: userID}); err != nil {
			return fmt.Errorf("team: remove member: %w", err)
		}
		return audit(ctx, q, projectID, &actorID, action, AuditDetail{Email: m.Email, Role: m.Role})
	})
}
