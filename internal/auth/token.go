package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// Purpose is what an account link is for.
type Purpose string

// Purposes of account links.
const (
	PurposeReset  Purpose = "reset"
	PurposeVerify Purpose = "verify"
)

// ErrLinkInvalid is the one answer for a link that is unknown, used,
// expired, of another purpose or of a disabled account: the page says the
// link no longer works, without telling which.
var ErrLinkInvalid = fmt.Errorf("auth: link unknown, used or expired: %w", apperr.ErrNotFound)

// maxTokenLen bounds what is hashed from a URL.
const maxTokenLen = 100

// issueToken stores a new link token for the account (replacing its older
// unused ones of the purpose) and returns the token for the URL: 256 random
// bits, of which the database keeps only the SHA-256.
func issueToken(ctx context.Context, tx pgx.Tx, userID int64, purpose Purpose, email string, ttl time.Duration) (string, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("auth: link token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(buf)
	q := dbsqlc.New(tx)
	if err := q.DropUnusedAccountTokens(ctx, dbsqlc.DropUnusedAccountTokensParams{UserID: userID, Purpose: string(purpose)}); err != nil {
		return "", fmt.Errorf("auth: drop old links: %w", err)
	}
	err := q.InsertAccountToken(ctx, dbsqlc.InsertAccountTokenParams{
		TokenHash: hashToken(token), UserID: userID, Purpose: string(purpose), Email: email, ExpiresAt: time.Now().Add(ttl),
	})
	if err != nil {
		return "", fmt.Errorf("auth: store link: %w", err)
	}
	return token, nil
}

// Link is a live account link and its account, looked at without using it.
type Link struct {
	User User
	// Email is the address the link was sent to.
	Email     string
	ExpiresAt time.Time
}

// PeekLink returns the live link of the purpose behind token, or
// ErrLinkInvalid. Pages show their form with it; only the form's POST
// uses the link (a mail scanner fetching the URL must not spend it).
func PeekLink(ctx context.Context, q db.DBTX, purpose Purpose, token string) (Link, error) {
	if token == "" || len(token) > maxTokenLen {
		return Link{}, ErrLinkInvalid
	}
	row, err := dbsqlc.New(q).PeekAccountToken(ctx, dbsqlc.PeekAccountTokenParams{TokenHash: hashToken(token), Purpose: string(purpose)})
	if errors.Is(err, pgx.ErrNoRows) {
		return Link{}, ErrLinkInvalid
	}
	if err != nil {
		return Link{}, fmt.Errorf("auth: look up link: %w", err)
	}
	return Link{User: fromRow(row.User), Email: row.AccountToken.Email, ExpiresAt: row.AccountToken.ExpiresAt}, nil
}

// useToken spends a live token once, in tx; ErrLinkInvalid when it is not
// (or no longer) live.
func useToken(ctx context.Context, tx pgx.Tx, purpose Purpose, token string) (dbsqlc.AccountToken, error) {
	if token == "" || len(token) > maxTokenLen {
		return dbsqlc.AccountToken{}, ErrLinkInvalid
	}
	row, err := dbsqlc.New(tx).UseAccountToken(ctx, dbsqlc.UseAccountTokenParams{TokenHash: hashToken(token), Purpose: string(purpose)})
	if errors.Is(err, pgx.ErrNoRows) {
		return dbsqlc.AccountToken{}, ErrLinkInvalid
	}
	if err != nil {
		return dbsqlc.AccountToken{}, fmt.Errorf("auth: use link: %w", err)
	}
	return row, nil
}

// limit is one bound on account attempts: at most N of Kind per key
// within Window.
type limit struct {
	Kind, Key string
	N         int
	Window    time.Duration
}

// lockClassAccount is the advisory lock class of the account attempt
// limits (next to the log-in throttles' classes).
const lockClassAccount int32 = 0x6c6f6704

// allow weighs an attempt against every limit and, when all allow it,
// records it against each, in one transaction under advisory locks (so a
// parallel burst gets no more than the limit). Otherwise nothing is
// recorded and the wait comes back as a *RateLimitError.
func allow(ctx context.Context, conn db.Conn, limits ...limit) error {
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		for _, l := range limits {
			if err := q.LockLoginKey(ctx, dbsqlc.LockLoginKeyParams{Class: lockClassAccount, Key: l.Kind + ":" + l.Key}); err != nil {
				return fmt.Errorf("auth: lock attempts: %w", err)
			}
		}
		for _, l := range limits {
			st, err := q.CountAccountAttempts(ctx, dbsqlc.CountAccountAttemptsParams{Kind: l.Kind, Key: l.Key, Since: interval(l.Window)})
			if err != nil {
				return fmt.Errorf("auth: count attempts: %w", err)
			}
			if int(st.Attempts) >= l.N {
				return &RateLimitError{RetryAfter: max(time.Second, st.Oldest.Add(l.Window).Sub(st.Now))}
			}
		}
		for _, l := range limits {
			if err := q.RecordAccountAttempt(ctx, dbsqlc.RecordAccountAttemptParams{Kind: l.Kind, Key: l.Key}); err != nil {
				return fmt.Errorf("auth: record attempt: %w", err)
			}
		}
		return nil
	})
}
