// Package auth holds accounts, passwords, sessions and log-in throttling.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// Role is what an account may do across botbridge.
type Role string

// Roles. Every signed-up user is an owner of the projects they create;
// moderators handle integration requests; admins can do both.
const (
	RoleOwner     Role = "owner"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// ParseRole validates a role name from the command line.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleOwner, RoleModerator, RoleAdmin:
		return r, nil
	}
	return "", fmt.Errorf("auth: role must be owner, moderator or admin, got %q: %w", s, apperr.ErrInvalid)
}

// CanModerate reports whether the role sees the moderation queue.
func (r Role) CanModerate() bool { return r == RoleModerator || r == RoleAdmin }

// User is an account as the rest of botbridge sees it (never the hash).
type User struct {
	ID        int64
	Email     string
	Role      Role
	Disabled  bool
	CreatedAt time.Time
	// Language and TimeZone are the account's choices, "" when not made.
	Language, TimeZone string
	// Verified reports whether the account has proved it owns Email.
	Verified bool
	// LastLoginAt is when a session of the account last started (nil: never).
	LastLoginAt *time.Time
}

func fromRow(u dbsqlc.User) User {
	return User{ID: u.ID, Email: u.Email, Role: Role(u.Role), Disabled: u.DisabledAt != nil, CreatedAt: u.CreatedAt,
		Language: u.Language, TimeZone: u.TimeZone, Verified: u.EmailVerifiedAt != nil, LastLoginAt: u.LastLoginAt}
}

// MinPasswordLen is the shortest password accepted at sign-up.
const MinPasswordLen = 10

// maxPasswordLen bounds hashing work per request.
const maxPasswordLen = 200

// NormalizeEmail trims and lower-cases an address so one mailbox is one account.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidEmail reports whether s (already normalised) is a plain address
// (no display name), of sane length, with a dot in the domain.
func ValidEmail(s string) bool {
	if len(s) < 3 || len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
}

// SignUp is the sign-up form as typed.
type SignUp struct {
	Email    string
	Password string
	Confirm  string
}

// Register validates a sign-up and creates an owner account. Field errors
// come back as apperr.Validation keyed by form field, with catalog keys.
// The web's sign-up goes through Throttle.SignUp, which also limits it.
func Register(ctx context.Context, q db.DBTX, in SignUp) (User, error) {
	email, err := in.validate()
	if err != nil {
		return User{}, err
	}
	return register(ctx, q, email, in.Password)
}

// validate checks the form and returns the normalised address.
func (in SignUp) validate() (string, error) {
	v := apperr.Validation{}
	email := NormalizeEmail(in.Email)
	switch {
	case email == "":
		v.Add("email", "auth.email.required")
	case !ValidEmail(email):
		v.Add("email", "auth.email.invalid")
	}
	checkNewPassword(v, in.Password, email)
	if in.Confirm != in.Password {
		v.Add("confirm", "auth.confirm.mismatch")
	}
	return email, v.Err()
}

func register(ctx context.Context, q db.DBTX, email, password string) (User, error) {
	u, err := CreateUser(ctx, q, email, password, RoleOwner)
	if errors.Is(err, apperr.ErrConflict) {
		return User{}, apperr.Validation{"email": "auth.email.taken"}
	}
	return u, err
}

func checkPassword(v apperr.Validation, pw string) {
	switch n := utf8.RuneCountInString(pw); {
	case n == 0:
		v.Add("password", "auth.password.required")
	case n < MinPasswordLen:
		v.Add("password", "auth.password.short")
	case n > maxPasswordLen:
		v.Add("password", "auth.password.long")
	}
}

// CreateUser creates an account with the given role (the CLI's `user add`).
func CreateUser(ctx context.Context, q db.DBTX, email, password string, role Role) (User, error) {
	email = NormalizeEmail(email)
	if !ValidEmail(email) {
		return User{}, fmt.Errorf("auth: %q is not a valid e-mail address: %w", email, apperr.ErrInvalid)
	}
	v := apperr.Validation{}
	checkPassword(v, password)
	if len(v) > 0 {
		return User{}, fmt.Errorf("auth: password must be %d to %d characters: %w", MinPasswordLen, maxPasswordLen, apperr.ErrInvalid)
	}
	hash, err := HashPassword(ctx, password)
	if err != nil {
		return User{}, err
	}
	row, err := dbsqlc.New(q).CreateUser(ctx, dbsqlc.CreateUserParams{Email: email, PasswordHash: hash, Role: string(role)})
	// ON CONFLICT DO NOTHING returns no row for a taken address; unlike a
	// unique violation it leaves the caller's transaction usable.
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, fmt.Errorf("auth: %s already has an account: %w", email, apperr.ErrConflict)
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: create user: %w", err)
	}
	return fromRow(row), nil
}

// GetUserByEmail finds an account by (normalised) e-mail.
func GetUserByEmail(ctx context.Context, q db.DBTX, email string) (User, error) {
	row, err := dbsqlc.New(q).GetUserByEmail(ctx, NormalizeEmail(email))
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, fmt.Errorf("auth: user %s: %w", email, apperr.ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: get user: %w", err)
	}
	return fromRow(row), nil
}

// ListUsers returns every account, oldest first.
func ListUsers(ctx context.Context, q db.DBTX) ([]User, error) {
	rows, err := dbsqlc.New(q).ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = fromRow(r)
	}
	return out, nil
}

// DisableUser locks an account out and ends all its sessions at once.
func DisableUser(ctx context.Context, conn db.Conn, email string) (User, error) {
	var u User
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		row, err := q.DisableUser(ctx, NormalizeEmail(email))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("auth: user %s: %w", email, apperr.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("auth: disable user: %w", err)
		}
		if err := q.DeleteUserSessions(ctx, row.ID); err != nil {
			return fmt.Errorf("auth: end sessions: %w", err)
		}
		u = fromRow(row)
		return nil
	})
	return u, err
}
