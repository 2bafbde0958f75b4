package request

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/project"
)

// Field limits, in characters.
const (
	MaxOrganisation = 200
	MinDescription  = 20
	MaxDescription  = 2000
	MaxDomain       = 255
	MaxComment      = 2000
	MaxReason       = 2000
)

// Input is the "Request integration" form as typed. Validation errors are
// keyed by these form field names: platform, contact_email, organisation,
// description, webim_domain, access_requested.
type Input struct {
	Platform     string
	ContactEmail string
	Organisation string
	Description  string
	WebimDomain  string
	// AccessRequested is the tick "I have requested access to Webim".
	AccessRequested bool
	// Language is the language the form was filled in ("ru", "en"; other
	// values are stored as Russian).
	Language string
}

// OpenRequestError says the project already has an open request for the
// platform; RequestID is that request, so the page can link to it.
type OpenRequestError struct {
	RequestID int64
	Platform  string
}

func (e *OpenRequestError) Error() string {
	return fmt.Sprintf("request: project already has open request %d for %s", e.RequestID, e.Platform)
}

// Is makes errors.Is(err, apperr.ErrConflict) true.
func (e *OpenRequestError) Is(target error) bool { return target == apperr.ErrConflict }

// text normalises a multi-line field: trimmed, CRLF as LF (browsers send
// CRLF, which would count every line break twice).
func text(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// clean normalises the input and checks every field but the platform's
// catalog entry; accountEmail fills an empty contact address.
func (in Input) clean(accountEmail string) (Input, apperr.Validation) {
	v := apperr.Validation{}
	in.Platform = strings.TrimSpace(in.Platform)
	if in.Platform == "" {
		v.Add("platform", "request.platform.required")
	}

	in.ContactEmail = auth.NormalizeEmail(in.ContactEmail)
	if in.ContactEmail == "" {
		in.ContactEmail = accountEmail
	}
	if !auth.ValidEmail(in.ContactEmail) {
		v.Add("contact_email", "request.contact_email.invalid")
	}

	in.Organisation = oneLine(in.Organisation)
	switch n := utf8.RuneCountInString(in.Organisation); {
	case n == 0:
		v.Add("organisation", "request.organisation.required")
	case n > MaxOrganisation:
		v.Add("organisation", "request.organisation.long")
	}

	in.Description = text(in.Description)
	switch n := utf8.RuneCountInString(in.Description); {
	case n == 0:
		v.Add("description", "request.description.required")
	case n < MinDescription:
		v.Add("description", "request.description.short")
	case n > MaxDescription:
		v.Add("description", "request.description.long")
	}

	in.WebimDomain = strings.TrimSpace(in.WebimDomain)
	if in.WebimDomain != "" {
		if len(in.WebimDomain) > MaxDomain {
			v.Add("webim_domain", "request.webim_domain.long")
		} else if d, err := outbound.NormalizeDomain(in.WebimDomain, outbound.Policy{}); err != nil {
			// outbound's errors are English sentences, not catalog keys.
			v.Add("webim_domain", integration.DomainErrorKey(err))
		} else {
			in.WebimDomain = d
		}
	}

	if !in.AccessRequested {
		v.Add("access_requested", "request.access_requested.required")
	}
	return in, v
}

// Submit files a request for projectID on behalf of userID, who must be a
// member of the project. In one transaction it checks the platform (known,
// available, not yet granted), inserts the request unless one is already
// open (*OpenRequestError), records the submission in the history and
// e-mails every moderator.
func Submit(ctx context.Context, conn db.Conn, n Notifier, userID, projectID int64, in Input) (Request, error) {
	if err := n.check(); err != nil {
		return Request{}, err
	}
	var out Request
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		p, err := project.Get(ctx, tx, userID, projectID)
		if err != nil {
			return err
		}
		user, err := q.GetUserByID(ctx, userID)
		if err != nil {
			return fmt.Errorf("request: submitter: %w", err)
		}
		in, v := in.clean(user.Email)
		var pl Platform
		if in.Platform != "" {
			pl, err = GetPlatform(ctx, tx, in.Platform)
			switch {
			case errors.Is(err, apperr.ErrNotFound):
				v.Add("platform", "request.platform.unknown")
			case err != nil:
				return err
			case !pl.Available:
				v.Add("platform", "request.platform.unavailable")
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		granted, err := IsGranted(ctx, tx, p.ID, pl.Key)
		if err != nil {
			return err
		}
		if granted {
			return apperr.Validation{"platform": "request.platform.granted"}
		}

		id, err := q.InsertRequest(ctx, dbsqlc.InsertRequestParams{
			ProjectID: p.ID, Platform: pl.Key, ContactEmail: in.ContactEmail, Organisation: in.Organisation,
			Description: in.Description, WebimDomain: in.WebimDomain, AccessRequested: in.AccessRequested,
			Search:    strings.ToLower(p.Name + " " + in.Organisation + " " + in.ContactEmail),
			CreatedBy: userID, Language: n.langOf(in.Language, ""),
		})
		if errors.Is(err, pgx.ErrNoRows) {
			open, ferr := q.FindOpenRequest(ctx, dbsqlc.FindOpenRequestParams{ProjectID: p.ID, Platform: pl.Key})
			if ferr != nil {
				return fmt.Errorf("request: find open request: %w", ferr)
			}
			return &OpenRequestError{RequestID: open, Platform: pl.Key}
		}
		if err != nil {
			return fmt.Errorf("request: insert: %w", err)
		}
		to := string(Submitted)
		if err := q.InsertRequestEvent(ctx, dbsqlc.InsertRequestEventParams{
			RequestID: id, ActorID: &userID, Kind: KindTransition, ToStatus: &to,
		}); err != nil {
			return fmt.Errorf("request: history: %w", err)
		}
		if out, err = Get(ctx, tx, InProject(p.ID), id); err != nil {
			return err
		}
		if err := n.queueEvidence(ctx, tx, out); err != nil {
			return err
		}
		return n.submitted(ctx, tx, out)
	})
	if err != nil {
		return Request{}, err
	}
	return out, nil
}
