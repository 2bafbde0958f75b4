package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// Sessions issues and checks log-in sessions stored in PostgreSQL. The
// browser holds a random token; the database holds only its SHA-256.
type Sessions struct {
	// Idle ends a session nobody used for this long.
	Idle time.Duration
	// Absolute ends every session this long after log-in, used or not.
	Absolute time.Duration
}

// DefaultSessions: two hours idle, twelve hours absolute.
var DefaultSessions = Sessions{Idle: 2 * time.Hour, Absolute: 12 * time.Hour}

// touchEvery limits last-seen writes to one per minute per session, so page
// views do not each cost a write.
const touchEvery = time.Minute

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Create starts a session for user and returns the token for the cookie
// (256 random bits).
func (s Sessions) Create(ctx context.Context, q db.DBTX, userID int64, ip, userAgent string) (string, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("auth: session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(buf)
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	err := dbsqlc.New(q).CreateSession(ctx, dbsqlc.CreateSessionParams{
		TokenHash: hashToken(token), UserID: userID, ExpiresAt: time.Now().Add(s.Absolute), Ip: ip, UserAgent: userAgent,
	})
	if err != nil {
		return "", fmt.Errorf("auth: create session: %w", err)
	}
	// Every session starts with a log-in (or sign-up, or reset): the
	// admins' user list shows the last one.
	if err := dbsqlc.New(q).TouchLastLogin(ctx, userID); err != nil {
		return "", fmt.Errorf("auth: last log-in: %w", err)
	}
	return token, nil
}

// Lookup returns the user of a live session, or apperr.ErrUnauthenticated.
func (s Sessions) Lookup(ctx context.Context, q db.DBTX, token string) (User, error) {
	if token == "" || len(token) > 100 {
		return User{}, fmt.Errorf("auth: no session: %w", apperr.ErrUnauthenticated)
	}
	qs := dbsqlc.New(q)
	row, err := qs.GetSessionUser(ctx, dbsqlc.GetSessionUserParams{
		TokenHash: hashToken(token), IdleTimeout: pgtype.Interval{Microseconds: s.Idle.Microseconds(), Valid: true},
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, fmt.Errorf("auth: session expired or unknown: %w", apperr.ErrUnauthenticated)
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: lookup session: %w", err)
	}
	if time.Since(row.Session.LastSeenAt) > touchEvery {
		if err := qs.TouchSession(ctx, row.Session.TokenHash); err != nil {
			return User{}, fmt.Errorf("auth: touch session: %w", err)
		}
	}
	return fromRow(row.User), nil
}

// Destroy ends a session server-side (log-out, or rotation at log-in).
func (s Sessions) Destroy(ctx context.Context, q db.DBTX, token string) error {
	if token == "" {
		return nil
	}
	if err := dbsqlc.New(q).DeleteSession(ctx, hashToken(token)); err != nil {
		return fmt.Errorf("auth: delete session: %w", err)
	}
	return nil
}

// Prune deletes expired sessions, day-old throttle records and links
// that expired a day ago.
func (s Sessions) Prune(ctx context.Context, q db.DBTX) (int64, error) {
	qs := dbsqlc.New(q)
	n, err := qs.DeleteExpiredSessions(ctx, pgtype.Interval{Microseconds: s.Idle.Microseconds(), Valid: true})
	if err != nil {
		return 0, fmt.Errorf("auth: prune sessions: %w", err)
	}
	dayAgo := time.Now().Add(-24 * time.Hour)
	if _, err := qs.PruneLoginFailures(ctx, dayAgo); err != nil {
		return n, fmt.Errorf("auth: prune failures: %w", err)
	}
	if _, err := qs.PruneLoginAlerts(ctx, dayAgo); err != nil {
		return n, fmt.Errorf("auth: prune alerts: %w", err)
	}
	if _, err := qs.PruneSignupAttempts(ctx, dayAgo); err != nil {
		return n, fmt.Errorf("auth: prune sign-up attempts: %w", err)
	}
	if _, err := qs.PruneAccountAttempts(ctx, dayAgo); err != nil {
		return n, fmt.Errorf("auth: prune account attempts: %w", err)
	}
	if _, err := qs.PruneAccountTokens(ctx, dayAgo); err != nil {
		return n, fmt.Errorf("auth: prune account links: %w", err)
	}
	return n, nil
}
