package bridge

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/mail"
	"github.com/botbridge/botbridge/internal/project"
)

// OwnerMailer e-mails a project's owners when one of its integrations
// becomes unhealthy; its Notify is the engine's Notifier. The mail goes to
// the outbox in the transaction that marked the integration, so owners are
// told once per transition.
type OwnerMailer struct {
	// Jobs inserts the delivery job.
	Jobs jobs.Inserter
	// BaseURL is the public URL links in the mail point to.
	BaseURL string
	// T is the message catalog (i18n.Text): key in lang ("ru", "en").
	T func(lang, key string, args ...any) string
	// DefaultLang is the language of an owner who chose none
	// (DEFAULT_LANGUAGE); "" is Russian.
	DefaultLang string
}

// Notify mails every owner of integ's project.
func (m OwnerMailer) Notify(ctx context.Context, tx pgx.Tx, integ integration.Integration, reason string) error {
	name, owners, err := project.Owners(ctx, tx, integ.ProjectID)
	if err != nil {
		return fmt.Errorf("bridge: notify owners: %w", err)
	}
	link := strings.TrimRight(m.BaseURL, "/") + fmt.Sprintf("/projects/%d/settings/integrations/%d", integ.ProjectID, integ.ID)
	for _, to := range owners {
		// Each owner reads the mail in the language their account chose.
		lang, err := dbsqlc.New(tx).GetAccountLanguage(ctx, to)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("bridge: owner's language: %w", err)
		}
		if lang == "" {
			lang = m.DefaultLang
		}
		subject := strings.Join(strings.Fields(m.T(lang, "mail.integration.unhealthy.subject", name)), " ")
		body := m.T(lang, "mail.integration.unhealthy.body", integ.Domain, name, reason, link)
		if _, err := mail.Enqueue(ctx, tx, m.Jobs, mail.Message{
			To: to, Subject: subject, Body: body, Topic: fmt.Sprintf("integration:%d:unhealthy", integ.ID),
		}); err != nil {
			return err
		}
	}
	return nil
}
