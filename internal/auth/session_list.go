package auth

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// SessionInfo is one live session as its account page lists it.
type SessionInfo struct {
	ID         int64
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// Current is the session of the browser asking.
	Current bool
}

// List returns the live sessions of the account, most recently used first,
// marking the one of currentToken.
func (s Sessions) List(ctx context.Context, q db.DBTX, userID int64, currentToken string) ([]SessionInfo, error) {
	rows, err := dbsqlc.New(q).ListUserSessions(ctx, dbsqlc.ListUserSessionsParams{UserID: userID, IdleTimeout: interval(s.Idle)})
	if err != nil {
		return nil, fmt.Errorf("auth: list sessions: %w", err)
	}
	cur := hashToken(currentToken)
	out := make([]SessionInfo, len(rows))
	for i, r := range rows {
		out[i] = SessionInfo{ID: r.ID, IP: r.Ip, UserAgent: r.UserAgent, CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt,
			Current: bytes.Equal(r.TokenHash, cur)}
	}
	return out, nil
}

// Revoke ends one session of the account; another account's session id
// is ErrNotFound and ends nothing.
func (s Sessions) Revoke(ctx context.Context, q db.DBTX, userID, sessionID int64) error {
	n, err := dbsqlc.New(q).DeleteUserSessionByID(ctx, dbsqlc.DeleteUserSessionByIDParams{ID: sessionID, UserID: userID})
	if err != nil {
		return fmt.Errorf("auth: end session: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("auth: session %d: %w", sessionID, apperr.ErrNotFound)
	}
	return nil
}

// RevokeOthers ends every session of the account but keepToken's and says
// how many ended.
func (s Sessions) RevokeOthers(ctx context.Context, q db.DBTX, userID int64, keepToken string) (int64, error) {
	n, err := dbsqlc.New(q).DeleteOtherUserSessions(ctx, dbsqlc.DeleteOtherUserSessionsParams{UserID: userID, KeepHash: hashToken(keepToken)})
	if err != nil {
		return 0, fmt.Errorf("auth: end other sessions: %w", err)
	}
	return n, nil
}
