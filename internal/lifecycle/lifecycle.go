// Package lifecycle keeps chat data no longer than needed: retention (a
// periodic job strips old chat content and later deletes old metadata),
// erasure of one visitor's chats, and the deletion of a whole project.
// Every step works in small batches, each its own short transaction that
// skips rows others hold, so the bridge's ingest and workers never wait
// behind it; anything that removes a chat's events takes the chat's
// advisory lock (bridge.ChatLockKey) so no delivery in flight loses its
// rows.
package lifecycle

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

// Retention bounds (days) of a project's chat content.
const (
	DefaultRetentionDays = 30
	MinRetentionDays     = 1
	MaxRetentionDays     = 365
	// DefaultMetadataDays is RETENTION_METADATA_DAYS's default.
	DefaultMetadataDays = 400
	// MailBodyDays is how long a sent e-mail keeps its body.
	MailBodyDays = 30
)

// Audit actions (integration_audit.action) of this package.
const (
	ActionVisitorErased    = "visitor_erased"
	ActionRetentionChanged = "retention_changed"
)

// RetentionDays returns how long the project keeps chat content.
func RetentionDays(ctx context.Context, q db.DBTX, projectID int64) (int, error) {
	n, err := dbsqlc.New(q).GetProjectRetention(ctx, projectID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("lifecycle: project %d: %w", projectID, apperr.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("lifecycle: retention: %w", err)
	}
	return int(n), nil
}

// ParseRetentionDays checks a typed value; a bad one is a Validation on
// field "retention_days" with a catalog key.
func ParseRetentionDays(s string) (int, error) {
	n, err := strconv.Atoi(s)
	switch {
	case s == "":
		return 0, apperr.Validation{"retention_days": "lifecycle.retention.required"}
	case err != nil || n < MinRetentionDays || n > MaxRetentionDays:
		return 0, apperr.Validation{"retention_days": "lifecycle.retention.range"}
	}
	return n, nil
}

// SetRetentionDays changes how long the project keeps chat content; the
// change is in the audit log. The caller has checked that actorID may.
func SetRetentionDays(ctx context.Context, conn db.Conn, projectID, actorID int64, days int) error {
	if days < MinRetentionDays || days > MaxRetentionDays {
		return apperr.Validation{"retention_days": "lifecycle.retention.range"}
	}
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		prev, err := q.SetProjectRetention(ctx, dbsqlc.SetProjectRetentionParams{ID: projectID, Days: int32(days)})
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("lifecycle: project %d: %w", projectID, apperr.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("lifecycle: set retention: %w", err)
		}
		if int(prev) == days {
			return nil
		}
		return audit(ctx, q, projectID, &actorID, ActionRetentionChanged,
			fmt.Sprintf("days=%d→%d", prev, days))
	})
}

func audit(ctx context.Context, q *dbsqlc.Queries, projectID int64, actorID *int64, action, detail string) error {
	if err := q.InsertIntegrationAudit(ctx, dbsqlc.InsertIntegrationAuditParams{
		ProjectID: projectID, ActorID: actorID, Action: action, Detail: detail,
	}); err != nil {
		return fmt.Errorf("lifecycle: audit %s: %w", action, err)
	}
	return nil
}
