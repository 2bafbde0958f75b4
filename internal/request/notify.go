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
)

// Notifier is what the workflow needs to e-mail people. Mail goes to the
// outbox inside the transition's transaction, so a rolled-back change
// sends nothing and a mail server that is down cannot fail a change.
type Notifier struct {
	// Jobs inserts the delivery job (web.Deps.Jobs).
	Jobs jobs.Inserter
	// BaseURL is the public URL links in the mail point to.
	BaseURL string
	// T is the message catalog (i18n.T); the texts live there.
	T func(key string, args ...any) string
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

// submitted tells every active moderator about a new request.
func (n Notifier) submitted(ctx context.Context, tx pgx.Tx, r Request) error {
	to, err := dbsqlc.New(tx).ListModeratorEmails(ctx)
	if err != nil {
		return fmt.Errorf("request: moderators: %w", err)
	}
	domain := r.WebimDomain
	if domain == "" {
		domain = n.T("mail.request.none")
	}
	subject := n.T("mail.request.submitted.subject", r.ID, r.PlatformName, oneLine(r.ProjectName))
	body := n.T("mail.request.submitted.body", r.ProjectName, r.PlatformName, r.Organisation, r.ContactEmail, domain,
		r.Description, n.link("/moderation/requests/"+itoa(r.ID), nil))
	for _, addr := range to {
		if err := n.send(ctx, tx, addr, topic(r.ID, Submitted), subject, body); err != nil {
			return err
		}
	}
	return nil
}

// decided tells the request's contact address about a moderator's move.
func (n Notifier) moved(ctx context.Context, tx pgx.Tx, r Request, to Status) error {
	project := oneLine(r.ProjectName)
	requests := n.link("/projects/"+itoa(r.ProjectID)+"/requests", nil)
	var subject, body string
	switch to {
	case InReview:
		subject = n.T("mail.request.in_review.subject", r.PlatformName, project)
		body = n.T("mail.request.in_review.body", r.ID, r.PlatformName, r.ProjectName, requests)
	case Approved:
		subject = n.T("mail.request.approved.subject", r.PlatformName, project)
		body = n.T("mail.request.approved.body", r.ID, r.PlatformName, r.ProjectName, r.PlatformName,
			n.link("/projects/"+itoa(r.ProjectID)+"/settings", nil))
	case Rejected:
		subject = n.T("mail.request.rejected.subject", r.PlatformName, project)
		body = n.T("mail.request.rejected.body", r.ID, r.PlatformName, r.ProjectName, r.RejectReason,
			n.link("/projects/"+itoa(r.ProjectID)+"/requests/new", url.Values{"platform": {r.Platform}}), requests)
	default:
		return nil // the owner's own moves (withdraw) need no mail
	}
	return n.send(ctx, tx, r.ContactEmail, topic(r.ID, to), subject, body)
}

func topic(id int64, s Status) string { return "request:" + itoa(id) + ":" + string(s) }

func itoa(n int64) string { return fmt.Sprint(n) }
