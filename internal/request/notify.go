package request

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/mail"
	"github.com/botbridge/botbridge/internal/project"
)

// Notifier is what the workflow needs to e-mail people. Mail goes to the
// outbox inside the transition's transaction, so a rolled-back change
// sends nothing and a mail server that is down cannot fail a change.
type Notifier struct {
	// Jobs inserts the delivery job (web.Deps.Jobs).
	Jobs jobs.Inserter
	// BaseURL is the public URL links in the mail point to.
	BaseURL string
	// T is the message catalog (i18n.TL): key translated into lang ("ru"
	// or "en"); the texts live there.
	T func(lang, key string, args ...any) string
	// DefaultLang is the language of a recipient who chose none
	// (DEFAULT_LANGUAGE); "" is Russian.
	DefaultLang string
}

// lang keeps a language code to the two botbridge writes in.
func lang(s string) string {
	if s == "en" {
		return "en"
	}
	return "ru"
}

// langOf is the language of mail to an account: its choice, else def.
func (n Notifier) langOf(chosen, def string) string {
	if chosen != "" {
		return lang(chosen)
	}
	if def != "" {
		return lang(def)
	}
	return lang(n.DefaultLang)
}

func (n Notifier) check() error {
	if n.Jobs == nil || n.T == nil {
		return errors.New("request: notifier has no job inserter or catalog")
	}
	return nil
}

func (n Notifier) link(path string, query url.Values) string {
	u := strings.TrimRight(n.BaseURL, "/") + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// oneLine keeps user text from breaking a header.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (n Notifier) send(ctx context.Context, tx pgx.Tx, to, topic, subject, body string) error {
	_, err := mail.Enqueue(ctx, tx, n.Jobs, mail.Message{To: to, Subject: oneLine(subject), Body: body, Topic: topic})
	return err
}

// submitted tells every active moderator about a new request, each in the
// language they chose (else DEFAULT_LANGUAGE).
func (n Notifier) submitted(ctx context.Context, tx pgx.Tx, r Request) error {
	to, err := dbsqlc.New(tx).ListModeratorRecipients(ctx)
	if err != nil {
		return fmt.Errorf("request: moderators: %w", err)
	}
	for _, m := range to {
		l := n.langOf(m.Language, "")
		domain := r.WebimDomain
		if domain == "" {
			domain = n.T(l, "mail.request.none")
		}
		subject := n.T(l, "mail.request.submitted.subject", itoa(r.ID), r.PlatformName, oneLine(r.ProjectName))
		body := n.T(l, "mail.request.submitted.body", r.ProjectName, r.PlatformName, r.Organisation, r.ContactEmail, domain,
			r.Description, n.link("/moderation/requests/"+itoa(r.ID), nil))
		if err := n.send(ctx, tx, m.Email, topic(r.ID, Submitted), subject, body); err != nil {
			return err
		}
	}
	return nil
}

// contactLang is the language of mail to a request's contact address: the
// account's with that address if it chose one, else the language the
// request was filed in.
func (n Notifier) contactLang(ctx context.Context, tx pgx.Tx, r Request) (string, error) {
	chosen, err := dbsqlc.New(tx).GetAccountLanguage(ctx, r.ContactEmail)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("request: contact's language: %w", err)
	}
	return n.langOf(chosen, r.Language), nil
}

// decided tells the request's contact address about a moderator's move.
func (n Notifier) moved(ctx context.Context, tx pgx.Tx, r Request, to Status) error {
	switch to {
	case InReview, Approved, Rejected:
	case Revoked:
		return n.revoked(ctx, tx, r)
	case Submitted:
		// A resubmitted request is new work for the moderators.
		return n.submitted(ctx, tx, r)
	default:
		return nil // the owner's own moves (withdraw) need no mail
	}
	l, err := n.contactLang(ctx, tx, r)
	if err != nil {
		return err
	}
	project := oneLine(r.ProjectName)
	requests := n.link("/projects/"+itoa(r.ProjectID)+"/requests", nil)
	var subject, body string
	switch to {
	case InReview:
		subject = n.T(l, "mail.request.in_review.subject", r.PlatformName, project)
		body = n.T(l, "mail.request.in_review.body", itoa(r.ID), r.PlatformName, r.ProjectName, requests)
	case Approved:
		subject = n.T(l, "mail.request.approved.subject", r.PlatformName, project)
		body = n.T(l, "mail.request.approved.body", itoa(r.ID), r.PlatformName, r.ProjectName, r.PlatformName,
			n.link("/projects/"+itoa(r.ProjectID)+"/settings", nil))
	case Rejected:
		subject = n.T(l, "mail.request.rejected.subject", r.PlatformName, project)
		body = n.T(l, "mail.request.rejected.body", itoa(r.ID), r.PlatformName, r.ProjectName, r.RejectReason,
			n.link("/projects/"+itoa(r.ProjectID)+"/requests/new", url.Values{"platform": {r.Platform}}), requests)
	}
	return n.send(ctx, tx, r.ContactEmail, topic(r.ID, to), subject, body)
}

func topic(id int64, s Status) string { return "request:" + itoa(id) + ":" + string(s) }

func itoa(n int64) string { return fmt.Sprint(n) }

// revoked tells the request's contact address and every owner of the
// project (integrations stopped: nobody who runs it may miss that), each
// once, in their language.
func (n Notifier) revoked(ctx context.Context, tx pgx.Tx, r Request) error {
	_, owners, err := project.Owners(ctx, tx, r.ProjectID)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, to := range append([]string{r.ContactEmail}, owners...) {
		if seen[to] {
			continue
		}
		seen[to] = true
		rr := r
		rr.ContactEmail = to
		l, err := n.contactLang(ctx, tx, rr)
		if err != nil {
			return err
		}
		subject := n.T(l, "mail.request.revoked.subject", r.PlatformName, oneLine(r.ProjectName))
		body := n.T(l, "mail.request.revoked.body", r.PlatformName, r.ProjectName, itoa(r.ID), r.RejectReason, r.PlatformName,
			n.link("/projects/"+itoa(r.ProjectID)+"/requests/new", url.Values{"platform": {r.Platform}}))
		if err := n.send(ctx, tx, to, topic(r.ID, Revoked), subject, body); err != nil {
			return err
		}
	}
	return nil
}
