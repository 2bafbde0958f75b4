package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// checkCurrent checks the account's current password (field "current"),
// within the Reauths limit.
func (a Accounts) checkCurrent(ctx context.Context, conn db.Conn, u User, current string) error {
	if current == "" {
		return apperr.Validation{"current": "account.current.required"}
	}
	if err := allow(ctx, conn, limit{Kind: "reauth", Key: strconv.FormatInt(u.ID, 10), N: a.Reauths, Window: a.ReauthWindow}); err != nil {
		return err
	}
	hash, err := dbsqlc.New(conn).GetUserPasswordHash(ctx, u.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("auth: user %d: %w", u.ID, apperr.ErrUnauthenticated)
	}
	if err != nil {
		return fmt.Errorf("auth: get password: %w", err)
	}
	ok, err := CheckPassword(ctx, hash, current)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Validation{"current": "account.current.wrong"}
	}
	return nil
}

// ChangePassword sets a new password after checking the current one and
// ends every session of the account but keepToken's (the browser making
// the change stays logged in; any other one, maybe an attacker's, is out).
func (a Accounts) ChangePassword(ctx context.Context, conn db.Conn, u User, current string, in NewPassword, keepToken string) error {
	// The new password's rules first: they cost nothing and do not count
	// against the limit of password checks.
	verr := apperr.Validation{}
	if err := in.validate(u.Email); err != nil {
		verr = apperr.Fields(err)
	}
	if current == "" {
		verr.Add("current", "account.current.required")
	}
	if len(verr) > 0 {
		return verr
	}
	if err := a.checkCurrent(ctx, conn, u, current); err != nil {
		return err
	}
	hash, err := HashPassword(ctx, in.Password)
	if err != nil {
		return err
	}
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		if err := q.UpdateUserPassword(ctx, dbsqlc.UpdateUserPasswordParams{ID: u.ID, PasswordHash: hash}); err != nil {
			return fmt.Errorf("auth: set password: %w", err)
		}
		if _, err := q.DeleteOtherUserSessions(ctx, dbsqlc.DeleteOtherUserSessionsParams{UserID: u.ID, KeepHash: hashToken(keepToken)}); err != nil {
			return fmt.Errorf("auth: end other sessions: %w", err)
		}
		return nil
	})
}

// ChangeEmail starts an e-mail change: with the current password right, it
// mails a verification link to the new address (the change takes effect
// when it is used, see Verify) and a notice to the old one, so the owner
// hears of a change they did not make.
func (a Accounts) ChangeEmail(ctx context.Context, conn db.Conn, u User, newEmail, current string) error {
	email := NormalizeEmail(newEmail)
	v := apperr.Validation{}
	switch {
	case email == "":
		v.Add("email", "auth.email.required")
	case !ValidEmail(email):
		v.Add("email", "auth.email.invalid")
	case email == u.Email:
		v.Add("email", "account.email.same")
	}
	if current == "" {
		v.Add("current_email", "account.current.required")
	}
	if len(v) > 0 {
		return v
	}
	if err := a.checkCurrent(ctx, conn, u, current); err != nil {
		if f := apperr.Fields(err); f != nil {
			return apperr.Validation{"current_email": f["current"]}
		}
		return err
	}
	if _, err := GetUserByEmail(ctx, conn, email); err == nil {
		return apperr.Validation{"email": "auth.email.taken_other"}
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	if err := allow(ctx, conn, limit{Kind: "verify", Key: strconv.FormatInt(u.ID, 10), N: a.VerifySends, Window: a.VerifyWindow}); err != nil {
		return err
	}
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		if err := a.SendVerification(ctx, tx, u, email); err != nil {
			return err
		}
		return a.Mail.send(ctx, tx, u.Email, u, "email_change", "mail.email_change.subject", "mail.email_change.body", u.Email, email, a.Mail.url("/account"))
	})
}
