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

// MailAlerts e-mails an account's owner through the mail outbox when its
// log-in is under attack (see Throttle.Alerts), the way request
// notifications are sent: the message is written in the alert's own
// transaction and delivered in the background.
type MailAlerts struct {
	// Jobs inserts the delivery job.
	Jobs jobs.Inserter
	// BaseURL is where the log-in page link points.
	BaseURL string
	// T is the message catalog (i18n.Text): key translated into lang
	// ("ru" or "en"); the texts live there.
	T func(lang, key string, args ...any) string
	// DefaultLang is the language of an owner who chose none
	// (DEFAULT_LANGUAGE); "" is Russian.
	DefaultLang string
}

// LoginAttack implements Alerter.
func (m MailAlerts) LoginAttack(ctx context.Context, tx pgx.Tx, u User, a Attack) error {
	if m.Jobs == nil || m.T == nil {
		return errors.New("auth: login alerts have no job inserter or catalog")
	}
	lang := u.Language
	if lang == "" {
		lang = m.DefaultLang
	}
	if lang != "en" {
		lang = "ru"
	}
	minutes := int(a.Window / time.Minute)
	body := m.T(lang, "mail.login_attack.body", u.Email, a.Failures, minutes, a.Addresses, strings.TrimRight(m.BaseURL, "/")+"/login")
	_, err := mail.Enqueue(ctx, tx, m.Jobs, mail.Message{
		To: u.Email, Subject: m.T(lang, "mail.login_attack.subject"), Body: body,
		Topic: "login_attack:" + strconv.FormatInt(u.ID, 10),
	})
	return err
}
