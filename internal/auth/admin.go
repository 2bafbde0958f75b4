package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// AccountRow is one account in the admins' list.
type AccountRow struct {
	User
	// Projects is how many projects the account is a member of.
	Projects int
}

// maxSearch bounds the search text.
const maxSearch = 254

// ListAccounts returns a page of accounts whose address contains search
// (any when ""), oldest first, and how many match in all.
func ListAccounts(ctx context.Context, q db.DBTX, search string, limit, offset int) ([]AccountRow, int, error) {
	search = strings.ToLower(strings.TrimSpace(search))
	if len(search) > maxSearch {
		search = search[:maxSearch]
	}
	qs := dbsqlc.New(q)
	rows, err := qs.AdminListUsers(ctx, dbsqlc.AdminListUsersParams{Search: search, Lim: int32(limit), Off: int32(offset)})
	if err != nil {
		return nil, 0, fmt.Errorf("auth: list accounts: %w", err)
	}
	total, err := qs.AdminCountUsers(ctx, search)
	if err != nil {
		return nil, 0, fmt.Errorf("auth: count accounts: %w", err)
	}
	out := make([]AccountRow, len(rows))
	for i, r := range rows {
		out[i] = AccountRow{Projects: int(r.Projects), User: User{ID: r.ID, Email: r.Email, Role: Role(r.Role),
			Disabled: r.DisabledAt != nil, Verified: r.EmailVerifiedAt != nil, LastLoginAt: r.LastLoginAt, CreatedAt: r.CreatedAt}}
	}
	return out, int(total), nil
}

// Membership is one project of an account, for the admins' user page.
type Membership struct {
	ProjectID int64
	Name      string
	Role      string
	Since     time.Time
}

// AuditEntry is one admin action on an account.
type AuditEntry struct {
	Action, Detail, Actor string
	At                    time.Time
}

// AccountDetail is everything the admins' user page shows.
type AccountDetail struct {
	User     User
	Projects []Membership
	Audit    []AuditEntry
	// Sessions is how many live sessions the account has.
	Sessions int
}

// GetAccount returns the account with id for the admins' user page.
func (s Sessions) GetAccount(ctx context.Context, q db.DBTX, id int64) (AccountDetail, error) {
	qs := dbsqlc.New(q)
	row, err := qs.GetUserByID(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return AccountDetail{}, fmt.Errorf("auth: user %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return AccountDetail{}, fmt.Errorf("auth: get user: %w", err)
	}
	d := AccountDetail{User: fromRow(row)}
	ps, err := qs.AdminUserProjects(ctx, id)
	if err != nil {
		return AccountDetail{}, fmt.Errorf("auth: user projects: %w", err)
	}
	for _, p := range ps {
		d.Projects = append(d.Projects, Membership{ProjectID: p.ID, Name: p.Name, Role: p.Role, Since: p.CreatedAt})
	}
	au, err := qs.ListAdminAudit(ctx, id)
	if err != nil {
		return AccountDetail{}, fmt.Errorf("auth: user audit: %w", err)
	}
	for _, a := range au {
		d.Audit = append(d.Audit, AuditEntry{Action: a.Action, Detail: a.Detail, Actor: a.ActorEmail, At: a.CreatedAt})
	}
	ss, err := s.List(ctx, q, id, "")
	if err != nil {
		return AccountDetail{}, err
	}
	d.Sessions = len(ss)
	return d, nil
}

// ErrSelf refuses an admin action on the admin's own account: nobody locks
// themselves out or takes their own admin role away (so there is always
// one admin left who can undo a mistake).
var ErrSelf = fmt.Errorf("auth: admins cannot change their own account here: %w", apperr.ErrForbidden)

// Audit actions.
const (
	AuditDisable = "disable"
	AuditEnable  = "enable"
	AuditRole    = "role"
)

// adminChange runs change on the target account in a transaction with its
// audit entry, refusing the actor's own account.
func adminChange(ctx context.Context, conn db.Conn, actor User, targetID int64, action string,
	change func(q *dbsqlc.Queries, before dbsqlc.User) (dbsqlc.User, string, error)) (User, error) {
	if actor.ID == targetID {
		return User{}, ErrSelf
	}
	var u User
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		before, err := q.GetUserByID(ctx, targetID)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("auth: user %d: %w", targetID, apperr.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("auth: get user: %w", err)
		}
		after, detail, err := change(q, before)
		if err != nil {
			return err
		}
		if err := q.InsertAdminAudit(ctx, dbsqlc.InsertAdminAuditParams{ActorID: &actor.ID, TargetID: targetID, Action: action, Detail: detail}); err != nil {
			return fmt.Errorf("auth: audit: %w", err)
		}
		u = fromRow(after)
		return nil
	})
	return u, err
}

// SetRole gives the target account role (owner, moderator or admin).
func SetRole(ctx context.Context, conn db.Conn, actor User, targetID int64, role Role) (User, error) {
	r, err := ParseRole(string(role))
	if err != nil || r != role {
		return User{}, fmt.Errorf("auth: role %q: %w", role, apperr.ErrInvalid)
	}
	return adminChange(ctx, conn, actor, targetID, AuditRole, func(q *dbsqlc.Queries, before dbsqlc.User) (dbsqlc.User, string, error) {
		after, err := q.AdminSetRole(ctx, dbsqlc.AdminSetRoleParams{ID: targetID, Role: string(role)})
		if err != nil {
			return after, "", fmt.Errorf("auth: set role: %w", err)
		}
		return after, before.Role + " → " + string(role), nil
	})
}

// SetDisabled disables (ending every session at once) or enables the
// target account.
func SetDisabled(ctx context.Context, conn db.Conn, actor User, targetID int64, disabled bool) (User, error) {
	action := AuditEnable
	if disabled {
		action = AuditDisable
	}
	return adminChange(ctx, conn, actor, targetID, action, func(q *dbsqlc.Queries, _ dbsqlc.User) (dbsqlc.User, string, error) {
		after, err := q.AdminSetDisabled(ctx, dbsqlc.AdminSetDisabledParams{ID: targetID, Disabled: disabled})
		if err != nil {
			return after, "", fmt.Errorf("auth: set disabled: %w", err)
		}
		if disabled {
			if err := q.DeleteUserSessions(ctx, targetID); err != nil {
				return after, "", fmt.Errorf("auth: end sessions: %w", err)
			}
		}
		return after, "", nil
	})
}
