package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// ErrUnverified refuses what only an account with a proved e-mail address
// may do (file integration requests, invite people). It is a Forbidden;
// the web layer shows what to do about it.
var ErrUnverified = fmt.Errorf("auth: e-mail address not verified yet: %w", apperr.ErrForbidden)

// RequireVerified is the one check for ErrUnverified.
func RequireVerified(u User) error {
	if !u.Verified {
		return ErrUnverified
	}
	return nil
}

// MarkVerified records that the account owns its address: accounts made by
// operators (CLI, demo seed) are trusted with theirs.
func MarkVerified(ctx context.Context, q db.DBTX, userID int64) error {
	if err := dbsqlc.New(q).MarkEmailVerified(ctx, userID); err != nil {
		return fmt.Errorf("auth: mark verified: %w", err)
	}
	return nil
}

// SendVerification mails a verification link for email (the account's own
// address, or the new one of an e-mail change) in tx, without a limit:
// sign-up calls it once; ResendVerification and ChangeEmail count theirs.
func (a Accounts) SendVerification(ctx context.Context, tx pgx.Tx, u User, email string) error {
	token, err := issueToken(ctx, tx, u.ID, PurposeVerify, email, a.VerifyTTL)
	if err != nil {
		return err
	}
	return a.Mail.send(ctx, tx, email, u, "verify_email", "mail.verify_email.subject", "mail.verify_email.body",
		email, a.Mail.url("/verify/"+token), int(a.VerifyTTL/time.Hour))
}

// ResendVerification is "Send again": a new link to the account's address,
// limited per account. Nothing to do for a verified account.
func (a Accounts) ResendVerification(ctx context.Context, conn db.Conn, u User) error {
	if u.Verified {
		return nil
	}
	if err := allow(ctx, conn, limit{Kind: "verify", Key: strconv.FormatInt(u.ID, 10), N: a.VerifySends, Window: a.VerifyWindow}); err != nil {
		return err
	}
	return db.InTx(ctx, conn, func(tx pgx.Tx) error { return a.SendVerification(ctx, tx, u, u.Email) })
}

// ErrEmailTaken is an e-mail change whose new address got an account of its
// own before the change was confirmed.
var ErrEmailTaken = fmt.Errorf("auth: the new address has an account already: %w", apperr.ErrConflict)

// Verify uses a verification link: the account's own address becomes
// verified, or a pending e-mail change takes effect (and is verified).
func Verify(ctx context.Context, conn db.Conn, token string) (User, error) {
	var u User
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		t, err := useToken(ctx, tx, PurposeVerify, token)
		if err != nil {
			return err
		}
		q := dbsqlc.New(tx)
		row, err := q.GetUserByID(ctx, t.UserID)
		if err != nil {
			return fmt.Errorf("auth: get user: %w", err)
		}
		if row.DisabledAt != nil {
			return ErrLinkInvalid
		}
		if t.Email == row.Email {
			if err := q.MarkEmailVerified(ctx, row.ID); err != nil {
				return fmt.Errorf("auth: mark verified: %w", err)
			}
			row.EmailVerifiedAt = &t.CreatedAt
			u = fromRow(row)
			return dropOtherVerifyLinks(ctx, q, row.ID)
		}
		if _, err := q.GetUserByEmail(ctx, t.Email); err == nil {
			return ErrEmailTaken
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("auth: check address: %w", err)
		}
		row, err = q.ChangeVerifiedEmail(ctx, dbsqlc.ChangeVerifiedEmailParams{ID: row.ID, Email: t.Email})
		if db.IsUniqueViolation(err, "users_email_key") {
			return ErrEmailTaken
		}
		if err != nil {
			return fmt.Errorf("auth: change address: %w", err)
		}
		u = fromRow(row)
		return dropOtherVerifyLinks(ctx, q, row.ID)
	})
	return u, err
}

// dropOtherVerifyLinks retires the account's other verification links once
// one is used, so a stale link for an earlier address can never undo a
// change.
func dropOtherVerifyLinks(ctx context.Context, q *dbsqlc.Queries, userID int64) error {
	if err := q.DropUnusedAccountTokens(ctx, dbsqlc.DropUnusedAccountTokensParams{UserID: userID, Purpose: string(PurposeVerify)}); err != nil {
		return fmt.Errorf("auth: drop other links: %w", err)
	}
	return nil
}

// PendingEmail is an e-mail change waiting for its confirmation, or "".
func PendingEmail(ctx context.Context, q db.DBTX, userID int64) (string, error) {
	row, err := dbsqlc.New(q).PendingEmailChange(ctx, userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("auth: pending e-mail change: %w", err)
	}
	return row.Email, nil
}
