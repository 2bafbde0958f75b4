package integration

import (
	"context"
	"fmt"
	"time"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// Audit actions; the view translates them through the message catalog
// ("audit.action.<action>").
const (
	ActionCreated          = "created"
	ActionUpdated          = "updated"
	ActionDisabled         = "disabled"
	ActionEnabled          = "enabled"
	ActionDeleted          = "deleted"
	ActionWebhookRotated   = "webhook_rotated"
	ActionMarkedUnhealthy  = "marked_unhealthy"
	ActionMarkedHealthy    = "marked_healthy"
	ActionBotEndpointSaved = "bot_endpoint_saved"
	ActionBotSecretRotated = "bot_secret_rotated"
	// ActionChatEventsRotated: new Basic credentials for the chat events URL.
	ActionChatEventsRotated = "chat_events_rotated"
	// ActionLinkButtonsChanged: the experimental link-button switch flipped.
	ActionLinkButtonsChanged = "link_buttons_changed"
)

// AuditLimit is how many entries Settings and the integration page show.
const AuditLimit = 50

// AuditEntry is one recorded change. Detail is a short technical summary
// ("domain=a→b token=replaced") and never holds a secret.
type AuditEntry struct {
	ID            int64
	IntegrationID int64
	Action        string
	Detail        string
	// ActorEmail is empty for changes made by botbridge itself.
	ActorEmail string
	CreatedAt  time.Time
}

func audit(ctx context.Context, q *dbsqlc.Queries, projectID int64, integrationID, actorID *int64, action, detail string) error {
	err := q.InsertIntegrationAudit(ctx, dbsqlc.InsertIntegrationAuditParams{
		ProjectID: projectID, IntegrationID: integrationID, ActorID: actorID, Action: action, Detail: detail,
	})
	if err != nil {
		return fmt.Errorf("integration: audit %s: %w", action, err)
	}
	return nil
}

// ProjectAudit returns the project's latest audit entries, newest first.
func ProjectAudit(ctx context.Context, q db.DBTX, projectID int64, limit int) ([]AuditEntry, error) {
	rows, err := dbsqlc.New(q).ListProjectAudit(ctx, dbsqlc.ListProjectAuditParams{ProjectID: projectID, Limit: int32(limit)})
	if err != nil {
		return nil, fmt.Errorf("integration: project audit: %w", err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = auditEntry(r.ID, r.IntegrationID, r.Action, r.Detail, r.ActorEmail, r.CreatedAt)
	}
	return out, nil
}

// IntegrationAudit returns one integration's latest audit entries, newest
// first.
func IntegrationAudit(ctx context.Context, q db.DBTX, projectID, integrationID int64, limit int) ([]AuditEntry, error) {
	rows, err := dbsqlc.New(q).ListIntegrationAudit(ctx, dbsqlc.ListIntegrationAuditParams{
		ProjectID: projectID, IntegrationID: &integrationID, Limit: int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("integration: audit: %w", err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = auditEntry(r.ID, r.IntegrationID, r.Action, r.Detail, r.ActorEmail, r.CreatedAt)
	}
	return out, nil
}

func auditEntry(id int64, integrationID *int64, action, detail string, actor *string, at time.Time) AuditEntry {
	e := AuditEntry{ID: id, Action: action, Detail: detail, ActorEmail: deref(actor), CreatedAt: at}
	if integrationID != nil {
		e.IntegrationID = *integrationID
	}
	return e
}
