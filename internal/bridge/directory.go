package bridge

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/mail"
	"github.com/botbridge/botbridge/internal/secret"
)

// NewDirectory is the Directory over the integration package's storage.
func NewDirectory(kr *secret.Keyring) Directory { return directory{kr: kr} }

type directory struct{ kr *secret.Keyring }

func toEngine(in integration.Integration) Integration {
	out := Integration{ID: in.ID, ProjectID: in.ProjectID, Domain: in.Domain,
		Active: in.DeletedAt == nil && in.Status == integration.StatusActive}
	switch in.TransferTo {
	case "operator":
		out.Target.OperatorID = in.OperatorID
	default:
		out.Target.DepKey = in.DepartmentID
	}
	return out
}

func (d directory) ByWebhookKey(ctx context.Context, q db.DBTX, key string) (Integration, error) {
	in, err := integration.LookupByWebhookKey(ctx, q, key)
	if err != nil {
		return Integration{}, err
	}
	return toEngine(in), nil
}

func (d directory) Integration(ctx context.Context, q db.DBTX, id int64) (Integration, error) {
	in, err := integration.GetByID(ctx, q, id)
	if err != nil {
		return Integration{}, err
	}
	return toEngine(in), nil
}

func (d directory) Token(ctx context.Context, q db.DBTX, id int64) (string, error) {
	in, err := integration.GetByID(ctx, q, id)
	if err != nil {
		return "", err
	}
	return integration.Token(ctx, d.kr, in)
}

func (d directory) Bot(ctx context.Context, q db.DBTX, projectID int64) (Bot, bool, error) {
	b, err := integration.BotEndpoint(ctx, q, d.kr, projectID)
	if errors.Is(err, apperr.ErrNotFound) {
		return Bot{}, false, nil
	}
	if err != nil {
		return Bot{}, false, err
	}
	return Bot{URL: b.URL, Timeout: b.Timeout, FallbackText: b.FallbackText, Secrets: b.Secrets}, true, nil
}

func (d directory) MarkUnhealthy(ctx context.Context, q db.DBTX, id int64, reason string) (bool, error) {
	return integration.MarkUnhealthy(ctx, q, id, reason)
}

// MailOwners returns the Notifier that e-mails a project's owners when one
// of its integrations becomes unhealthy (once per transition).
func MailOwners(baseURL *url.URL, ins jobs.Inserter) Notifier {
	return func(ctx context.Context, tx pgx.Tx, integ Integration, reason string) error {
		var project string
		if err := tx.QueryRow(ctx, `SELECT name FROM projects WHERE id = $1`, integ.ProjectID).Scan(&project); err != nil {
			return fmt.Errorf("bridge: project name: %w", err)
		}
		rows, err := tx.Query(ctx, `
			SELECT u.email FROM project_members m JOIN users u ON u.id = m.user_id
			WHERE m.project_id = $1 AND m.role = 'owner' AND u.disabled_at IS NULL ORDER BY u.id`, integ.ProjectID)
		if err != nil {
			return fmt.Errorf("bridge: project owners: %w", err)
		}
		owners, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("bridge: project owners: %w", err)
		}
		link := strings.TrimRight(baseURL.String(), "/") + fmt.Sprintf("/projects/%d/settings/integrations/%d", integ.ProjectID, integ.ID)
		for _, to := range owners {
			_, err := mail.Enqueue(ctx, tx, ins, mail.Message{
				To:      to,
				Subject: fmt.Sprintf("[botbridge] Webim integration of %q needs attention", project),
				Body: fmt.Sprintf("Hello,\n\nWebim refused the Auth token of the integration %s in the project %q, so botbridge has stopped sending the bot's replies to it.\n\n"+
					"Reason: %s\n\nWhat to do: open the integration, press Edit and paste the current Auth token from Webim (Settings → Bots). "+
					"Then retry the failed events from its activity log.\n\n%s\n\n— botbridge\n", integ.Domain, project, reason, link),
				Topic: fmt.Sprintf("integration:%d:unhealthy", integ.ID),
			})
			if err != nil {
				return err
			}
		}
		return nil
	}
}
