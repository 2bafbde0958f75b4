package team

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/mail"
	"github.com/botbridge/botbridge/internal/project"
)

// Invitation limits.
const (
	// InvitationTTL is how long an invitation's link works.
	InvitationTTL = 7 * 24 * time.Hour
	// InvitesPerWindow invitations (re-sends included) may go out per
	// project per InviteWindow: enough to bring a whole support team in at
	// once, too few to use botbridge for sending mail to strangers.
	InvitesPerWindow = 20
	InviteWindow     = time.Hour
	// MaxPending pending invitations per project at most.
	MaxPending = 50
	// tokenBytes: 192 bits from crypto/rand.
	tokenBytes = 24
)

// Link states, beside pending.
var (
	// ErrInvitationExpired: the link is older than InvitationTTL.
	ErrInvitationExpired = fmt.Errorf("team: invitation expired: %w", apperr.ErrConflict)
	// ErrInvitationRevoked: an owner took the invitation back (or a newer
	// invitation to the same address replaced this link).
	ErrInvitationRevoked = fmt.Errorf("team: invitation revoked: %w", apperr.ErrConflict)
	// ErrInvitationUsed: the invitation was accepted already.
	ErrInvitationUsed = fmt.Errorf("team: invitation already accepted: %w", apperr.ErrConflict)
)

// WrongAccountError: the link was opened by an account with another
// address than the invited one.
type WrongAccountError struct{ Invited, Current string }

func (e *WrongAccountError) Error() string {
	return "team: invitation for another address than the logged-in account's"
}

// Is makes errors.Is(err, apperr.ErrForbidden) true.
func (e *WrongAccountError) Is(target error) bool { return target == apperr.ErrForbidden }

// RateLimitError: the project sent InvitesPerWindow invitations lately.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string { return "team: too many invitations from this project" }

// Is makes errors.Is(err, apperr.ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == apperr.ErrRateLimited }

// Wait is how long until another invitation may go out.
func (e *RateLimitError) Wait() time.Duration { return e.RetryAfter }

// Minutes rounds Wait up to whole minutes (at least 1), for the message.
func (e *RateLimitError) Minutes() int { return max(1, int((e.RetryAfter+time.Minute-1)/time.Minute)) }

// Mailer writes invitation e-mails to the outbox.
type Mailer struct {
	Jobs jobs.Inserter
	// BaseURL is where the link points.
	BaseURL string
	// T is the message catalog (i18n.Text).
	T func(lang, key string, args ...any) string
	// DefaultLang for an inviter who chose no language ("" is Russian).
	DefaultLang string
}

// Invite is what an owner asks for.
type Invite struct {
	Email string
	Role  string
}

// Sent is what Send did.
type Sent struct {
	Email string
	// Replaced: a pending invitation to the address existed; its link
	// stopped working and the new one got a fresh 7 days.
	Replaced bool
}

// Pending is an invitation not yet accepted or revoked (maybe expired).
type Pending struct {
	ID             int64
	Email          string
	Role           string
	InvitedByEmail string
	CreatedAt      time.Time
	ExpiresAt      time.Time
}

// Expired reports whether the link no longer works.
func (p Pending) Expired(now time.Time) bool { return !now.Before(p.ExpiresAt) }

// Link is an invitation as its link shows it.
type Link struct {
	ID          int64
	ProjectID   int64
	ProjectName string
	Email       string
	Role        string
	InvitedBy   string
	ExpiresAt   time.Time
	// Err is nil for a link that still works, else one of the
	// ErrInvitation* states.
	Err error
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func newToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("team: token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// InvitationURL is the link the e-mail carries.
func InvitationURL(baseURL, token string) string {
	return strings.TrimRight(baseURL, "/") + "/invitations/" + token
}

func (in Invite) validate() (Invite, error) {
	v := apperr.Validation{}
	in.Email = auth.NormalizeEmail(in.Email)
	switch {
	case in.Email == "":
		v.Add("email", "team.invite.email.required")
	case !auth.ValidEmail(in.Email):
		v.Add("email", "team.invite.email.invalid")
	}
	if !project.ValidRole(in.Role) {
		v.Add("role", "team.role.invalid")
	}
	return in, v.Err()
}

// Send invites an address to the project with a role: the invitation row,
// its audit entry and the e-mail are one transaction. The inviter must be
// verified; an address that is already a member is a field error; the
// project may send InvitesPerWindow per InviteWindow. A second invitation
// to a pending address replaces the first (see Sent.Replaced).
func Send(ctx context.Context, conn db.Conn, m Mailer, inviter auth.User, projectID int64, in Invite) (Sent, error) {
	in, err := in.validate()
	if err != nil {
		return Sent{}, err
	}
	if err := auth.RequireVerified(inviter); err != nil {
		return Sent{}, err
	}
	if m.Jobs == nil || m.T == nil {
		return Sent{}, errors.New("team: invitations have no job inserter or catalog")
	}
	var out Sent
	err = db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		name, err := lockProject(ctx, q, projectID)
		if err != nil {
			return err
		}
		member, err := q.IsProjectMemberEmail(ctx, dbsqlc.IsProjectMemberEmailParams{ProjectID: projectID, Email: in.Email})
		if err != nil {
			return fmt.Errorf("team: member check: %w", err)
		}
		if member {
			return apperr.Validation{"email": "team.invite.email.member"}
		}
		recent, err := q.CountRecentAudit(ctx, dbsqlc.CountRecentAuditParams{
			ProjectID: projectID, Action: ActionInvited, Since: pgtype.Interval{Microseconds: InviteWindow.Microseconds(), Valid: true},
		})
		if err != nil {
			return fmt.Errorf("team: count invitations: %w", err)
		}
		if recent.N >= InvitesPerWindow {
			return &RateLimitError{RetryAfter: max(time.Second, recent.Oldest.Add(InviteWindow).Sub(recent.Now))}
		}
		pending, err := q.CountPendingInvitations(ctx, projectID)
		if err != nil {
			return fmt.Errorf("team: count pending: %w", err)
		}
		token, err := newToken()
		if err != nil {
			return err
		}
		row, err := q.UpsertInvitation(ctx, dbsqlc.UpsertInvitationParams{
			ProjectID: projectID, Email: in.Email, Role: in.Role, TokenHash: hashToken(token), InvitedBy: &inviter.ID,
			ExpiresAt: time.Now().Add(InvitationTTL),
		})
		if err != nil {
			return fmt.Errorf("team: store invitation: %w", err)
		}
		// A replacement does not add to the pending ones.
		if !row.Replaced && pending >= MaxPending {
			return apperr.Validation{"email": "team.invite.too_many_pending"}
		}
		out = Sent{Email: in.Email, Replaced: row.Replaced}
		if err := audit(ctx, q, projectID, &inviter.ID, ActionInvited, AuditDetail{Email: in.Email, Role: in.Role}); err != nil {
			return err
		}
		return m.send(ctx, tx, q, inviter, name, row.ID, in, token)
	})
	return out, err
}

// send writes the e-mail in the invitee's language when the address has
// an account that chose one, else in the inviter's.
func (m Mailer) send(ctx context.Context, tx pgx.Tx, q *dbsqlc.Queries, inviter auth.User, projectName string, id int64, in Invite, token string) error {
	lang, err := q.GetAccountLanguage(ctx, in.Email)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("team: invitee language: %w", err)
	}
	if lang == "" {
		lang = inviter.Language
	}
	if lang == "" {
		lang = m.DefaultLang
	}
	if lang != "en" {
		lang = "ru"
	}
	roleKey := "project.role.member"
	if in.Role == project.RoleOwner {
		roleKey = "project.role.owner"
	}
	role := m.T(lang, roleKey)
	days := int(InvitationTTL / (24 * time.Hour))
	_, err = mail.Enqueue(ctx, tx, m.Jobs, mail.Message{
		To:      in.Email,
		Subject: strings.NewReplacer("\r", " ", "\n", " ").Replace(m.T(lang, "mail.invitation.subject", projectName)),
		Body:    m.T(lang, "mail.invitation.body", inviter.Email, projectName, role, InvitationURL(m.BaseURL, token), days),
		Topic:   "invitation:" + strconv.FormatInt(id, 10),
	})
	return err
}

// ListPending returns the project's pending invitations, newest first.
func ListPending(ctx context.Context, q db.DBTX, projectID int64) ([]Pending, error) {
	rows, err := dbsqlc.New(q).ListPendingInvitations(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("team: list invitations: %w", err)
	}
	out := make([]Pending, len(rows))
	for i, r := range rows {
		out[i] = Pending{ID: r.ID, Email: r.Email, Role: r.Role, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}
		if r.InvitedByEmail != nil {
			out[i].InvitedByEmail = *r.InvitedByEmail
		}
	}
	return out, nil
}

// Revoke takes a pending invitation of the project back: its link stops
// working. Another project's invitation, or one no longer pending, is
// ErrNotFound.
func Revoke(ctx context.Context, conn db.Conn, projectID, actorID, invitationID int64) error {
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		r, err := q.RevokeInvitation(ctx, dbsqlc.RevokeInvitationParams{ProjectID: projectID, ID: invitationID})
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("team: project %d invitation %d: %w", projectID, invitationID, apperr.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("team: revoke: %w", err)
		}
		return audit(ctx, q, projectID, &actorID, ActionInvitationRevoked, AuditDetail{Email: r.Email, Role: r.Role})
	})
}

func linkState(accepted, revoked *time.Time, expired bool) error {
	switch {
	case accepted != nil:
		return ErrInvitationUsed
	case revoked != nil:
		return ErrInvitationRevoked
	case expired:
		return ErrInvitationExpired
	}
	return nil
}

// Lookup finds the invitation behind a link's token; an unknown token is
// ErrNotFound. A known one comes back with its state in Link.Err.
func Lookup(ctx context.Context, q db.DBTX, token string) (Link, error) {
	if token == "" || len(token) > 100 {
		return Link{}, fmt.Errorf("team: invitation: %w", apperr.ErrNotFound)
	}
	r, err := dbsqlc.New(q).GetInvitationByToken(ctx, hashToken(token))
	if errors.Is(err, pgx.ErrNoRows) {
		return Link{}, fmt.Errorf("team: invitation: %w", apperr.ErrNotFound)
	}
	if err != nil {
		return Link{}, fmt.Errorf("team: invitation: %w", err)
	}
	return Link{
		ID: r.ID, ProjectID: r.ProjectID, ProjectName: r.ProjectName, Email: r.Email, Role: r.Role,
		InvitedBy: r.InvitedByEmail, ExpiresAt: r.ExpiresAt, Err: linkState(r.AcceptedAt, r.RevokedAt, r.Expired),
	}, nil
}

// Accept makes u a member of the invitation's project with its role and
// uses the link up. u's address must be the invited one (else a
// *WrongAccountError, nothing changed). Someone already in the project
// keeps the role they have. Accepting verifies u's address: the link came
// by e-mail to it and u is logged in as it (for an account just signed up
// from the link, this is the verification the sign-up would have asked for).
func Accept(ctx context.Context, conn db.Conn, token string, u auth.User) (int64, error) {
	if token == "" || len(token) > 100 {
		return 0, fmt.Errorf("team: invitation: %w", apperr.ErrNotFound)
	}
	var projectID int64
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		// Locks in the order Send takes them (project, then invitation),
		// so an acceptance and a re-invitation racing cannot deadlock.
		peek, err := q.GetInvitationByToken(ctx, hashToken(token))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("team: invitation: %w", apperr.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("team: invitation: %w", err)
		}
		if _, err := lockProject(ctx, q, peek.ProjectID); err != nil {
			return err
		}
		r, err := q.LockInvitationByToken(ctx, hashToken(token))
		if errors.Is(err, pgx.ErrNoRows) {
			// Replaced by a newer invitation meanwhile: its token changed.
			return fmt.Errorf("team: invitation: %w", apperr.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("team: lock invitation: %w", err)
		}
		if err := linkState(r.AcceptedAt, r.RevokedAt, r.Expired); err != nil {
			return err
		}
		if r.Email != u.Email {
			return &WrongAccountError{Invited: r.Email, Current: u.Email}
		}
		if _, err := q.AddProjectMemberIfAbsent(ctx, dbsqlc.AddProjectMemberIfAbsentParams{ProjectID: r.ProjectID, UserID: u.ID, Role: r.Role}); err != nil {
			return fmt.Errorf("team: add member: %w", err)
		}
		if err := q.MarkInvitationAccepted(ctx, dbsqlc.MarkInvitationAcceptedParams{ID: r.ID, UserID: &u.ID}); err != nil {
			return fmt.Errorf("team: mark accepted: %w", err)
		}
		if err := q.MarkEmailVerifiedByInvitation(ctx, dbsqlc.MarkEmailVerifiedByInvitationParams{ID: u.ID, Email: r.Email}); err != nil {
			return fmt.Errorf("team: verify address: %w", err)
		}
		projectID = r.ProjectID
		return audit(ctx, q, r.ProjectID, &u.ID, ActionInvitationAccepted, AuditDetail{Email: r.Email, Role: r.Role})
	})
	return projectID, err
}
