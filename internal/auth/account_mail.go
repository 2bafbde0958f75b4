package auth

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/mail"
)

// Accounts is the policy of the self-service account flows: how long links
// live and how often they may be asked for. Mail sends their messages.
type Accounts struct {
	// ResetTTL and VerifyTTL are how long a reset and a verification link
	// work.
	ResetTTL, VerifyTTL time.Duration
	// ResetsPerEmail and ResetsPerIP cap the reset requests for one
	// address (whether it has an account or not, so the cap says nothing
	// about that) and from one client address within ResetWindow.
	ResetsPerEmail, ResetsPerIP int
	ResetWindow                 time.Duration
	// VerifySends caps the verification mails of one account within
	// VerifyWindow (sign-up, "Send again", e-mail changes together).
	VerifySends  int
	VerifyWindow time.Duration
	// Reauths caps the current-password checks of one account on its
	// account page within ReauthWindow, so a borrowed session cannot be
	// used to guess the password.
	Reauths      int
	ReauthWindow time.Duration
	// ResetPad is the least time a reset request takes to answer: the
	// work for an address with an account (a link stored, a mail queued)
	// hides under it, so timing does not tell which addresses have one.
	ResetPad time.Duration
	// Mail sends the links and notices; nil sends none (and fails the
	// flows that need one).
	Mail *AccountMail
}

// DefaultAccounts: reset links for an hour, verification links for two
// days; three reset requests per address and twenty per client address an
// hour; five verification mails per account an hour; ten password checks
// per account in fifteen minutes; reset requests answer after 300 ms at
// the earliest.
var DefaultAccounts = Accounts{
	ResetTTL: time.Hour, VerifyTTL: 48 * time.Hour,
	ResetsPerEmail: 3, ResetsPerIP: 20, ResetWindow: time.Hour,
	VerifySends: 5, VerifyWindow: time.Hour,
	Reauths: 10, ReauthWindow: 15 * time.Minute,
	ResetPad: 300 * time.Millisecond,
}

// AccountMail writes the account flows' messages to the mail outbox, in the
// transaction of the change they belong to, in the recipient's language.
type AccountMail struct {
	// Jobs inserts the delivery job.
	Jobs jobs.Inserter
	// BaseURL is where links point.
	BaseURL string
	// T is the message catalog (i18n.Text).
	T func(lang, key string, args ...any) string
	// DefaultLang is the language of an account that chose none.
	DefaultLang string
}

func (m *AccountMail) lang(u User) string {
	lang := u.Language
	if lang == "" {
		lang = m.DefaultLang
	}
	if lang != "en" {
		lang = "ru"
	}
	return lang
}

func (m *AccountMail) url(path string) string { return strings.TrimRight(m.BaseURL, "/") + path }

// send writes one message: subject and body are catalog keys, args the
// body's arguments.
func (m *AccountMail) send(ctx context.Context, tx pgx.Tx, to string, u User, topic, subject, body string, args ...any) error {
	if m == nil || m.Jobs == nil || m.T == nil {
		return errors.New("auth: account mail has no job inserter or catalog")
	}
	lang := m.lang(u)
	_, err := mail.Enqueue(ctx, tx, m.Jobs, mail.Message{
		To: to, Subject: m.T(lang, subject), Body: m.T(lang, body, args...),
		Topic: topic + ":" + strconv.FormatInt(u.ID, 10),
	})
	return err
}
