package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// RequestReset mails a password reset link to email if it belongs to an
// active account. The caller answers the same whether or not it does; the
// limits count the typed address, account or not, so they do not tell
// either. A malformed address is a field error (that reveals nothing).
func (a Accounts) RequestReset(ctx context.Context, conn db.Conn, email, ip string) error {
	email = NormalizeEmail(email)
	switch {
	case email == "":
		return apperr.Validation{"email": "auth.email.required"}
	case !ValidEmail(email):
		return apperr.Validation{"email": "auth.email.invalid"}
	}
	err := allow(ctx, conn,
		limit{Kind: "reset_email", Key: email, N: a.ResetsPerEmail, Window: a.ResetWindow},
		limit{Kind: "reset_ip", Key: ip, N: a.ResetsPerIP, Window: a.ResetWindow})
	if err != nil {
		return err
	}
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		row, err := dbsqlc.New(tx).GetUserByEmail(ctx, email)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return nil
		case err != nil:
			return fmt.Errorf("auth: get user: %w", err)
		case row.DisabledAt != nil:
			return nil // a disabled account is not to be got back by mail
		}
		u := fromRow(row)
		token, err := issueToken(ctx, tx, u.ID, PurposeReset, u.Email, a.ResetTTL)
		if err != nil {
			return err
		}
		return a.Mail.send(ctx, tx, u.Email, u, "password_reset", "mail.password_reset.subject", "mail.password_reset.body",
			u.Email, a.Mail.url("/password/reset/"+token), int(a.ResetTTL/time.Minute))
	})
}

// NewPassword is the form that sets a password (reset or change).
type NewPassword struct {
	Password string
	Confirm  string
}

func (in NewPassword) validate(email string) error {
	v := apperr.Validation{}
	checkNewPassword(v, in.Password, email)
	if in.Confirm != in.Password {
		v.Add("confirm", "auth.confirm.mismatch")
	}
	return v.Err()
}

// ResetPassword uses a reset link: it sets the new password, ends every
// session of the account and returns the account for a fresh session. A
// form with field errors leaves the link usable; the link works once.
// Opening the link proved the address, so an unverified account becomes
// verified too.
func ResetPassword(ctx context.Context, conn db.Conn, token string, in NewPassword) (User, error) {
	link, err := PeekLink(ctx, conn, PurposeReset, token)
	if err != nil {
		return User{}, err
	}
	if err := in.validate(link.User.Email); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(ctx, in.Password)
	if err != nil {
		return User{}, err
	}
	var u User
	err = db.InTx(ctx, conn, func(tx pgx.Tx) error {
		t, err := useToken(ctx, tx, PurposeReset, token)
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
		if err := q.UpdateUserPassword(ctx, dbsqlc.UpdateUserPasswordParams{ID: row.ID, PasswordHash: hash}); err != nil {
			return fmt.Errorf("auth: set password: %w", err)
		}
		if err := q.DeleteUserSessions(ctx, row.ID); err != nil {
			return fmt.Errorf("auth: end sessions: %w", err)
		}
		if t.Email == row.Email {
			if err := q.MarkEmailVerified(ctx, row.ID); err != nil {
				return fmt.Errorf("auth: mark verified: %w", err)
			}
		}
		row, err = q.GetUserByID(ctx, row.ID)
		if err != nil {
			return fmt.Errorf("auth: get user: %w", err)
		}
		u = fromRow(row)
		return nil
	})
	return u, err
}
