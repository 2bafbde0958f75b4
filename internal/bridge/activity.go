package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/db"
)

// Activity is one event as the integration's activity log shows it.
type Activity struct {
	ID             int64
	PublicID       string
	ChatID         int64
	PlatformChatID string
	VisitorName    string
	Type           string
	Text           string
	Status         string
	Outcome        string
	Attempts       int
	LastError      string
	ReceivedAt     time.Time
	ProcessedAt    *time.Time
	NextAttemptAt  *time.Time
	Calls          []CallRecord
}

// CallRecord is one outbound call of an event.
type CallRecord struct {
	Target     string
	Method     string
	Attempt    int
	StatusCode int
	OK         bool
	Error      string
	DurationMS int
	At         time.Time
}

// ActivityPage is one page of the log, newest first.
type ActivityPage struct {
	Events []Activity
	// Before is the cursor of the next (older) page; 0 when there is none.
	Before int64
}

// ListActivity returns an integration's events newest first, 50 a page,
// scoped by project so another tenant's integration id finds nothing.
// before is the keyset cursor (0 for the first page).
func ListActivity(ctx context.Context, q db.DBTX, projectID, integrationID, before int64, limit int) (ActivityPage, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := q.Query(ctx, `
		SELECT e.id, e.public_id, c.id, c.platform_chat_id, c.visitor_name, e.type, e.message, e.status, e.outcome,
		       e.attempts, e.last_error, e.received_at, e.processed_at, e.next_attempt_at
		FROM bridge_events e JOIN chats c ON c.id = e.chat_id
		WHERE e.integration_id = $1 AND c.project_id = $2 AND e.id < $3
		ORDER BY e.id DESC
		LIMIT $4`, integrationID, projectID, before, limit+1)
	if err != nil {
		return ActivityPage{}, fmt.Errorf("bridge: list activity: %w", err)
	}
	defer rows.Close()
	var page ActivityPage
	ids := []int64{}
	for rows.Next() {
		var a Activity
		var msg []byte
		if err := rows.Scan(&a.ID, &a.PublicID, &a.ChatID, &a.PlatformChatID, &a.VisitorName, &a.Type, &msg, &a.Status, &a.Outcome,
			&a.Attempts, &a.LastError, &a.ReceivedAt, &a.ProcessedAt, &a.NextAttemptAt); err != nil {
			return ActivityPage{}, fmt.Errorf("bridge: scan activity: %w", err)
		}
		if len(msg) > 0 {
			var m botapi.Message
			if json.Unmarshal(msg, &m) == nil {
				a.Text = m.Text
				if m.Button != nil {
					a.Text = m.Button.Text
				}
				if m.File != nil {
					a.Text = m.File.Name
				}
			}
		}
		page.Events = append(page.Events, a)
		ids = append(ids, a.ID)
	}
	if err := rows.Err(); err != nil {
		return ActivityPage{}, fmt.Errorf("bridge: list activity: %w", err)
	}
	if len(page.Events) > limit {
		page.Events = page.Events[:limit]
		ids = ids[:limit]
		page.Before = page.Events[limit-1].ID
	}
	if len(ids) == 0 {
		return page, nil
	}
	crows, err := q.Query(ctx, `
		SELECT event_id, target, method, attempt, status_code, ok, error, duration_ms, created_at
		FROM bridge_calls WHERE event_id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return ActivityPage{}, fmt.Errorf("bridge: list calls: %w", err)
	}
	defer crows.Close()
	byID := map[int64]*Activity{}
	for i := range page.Events {
		byID[page.Events[i].ID] = &page.Events[i]
	}
	for crows.Next() {
		var id int64
		var c CallRecord
		if err := crows.Scan(&id, &c.Target, &c.Method, &c.Attempt, &c.StatusCode, &c.OK, &c.Error, &c.DurationMS, &c.At); err != nil {
			return ActivityPage{}, fmt.Errorf("bridge: scan call: %w", err)
		}
		if a := byID[id]; a != nil {
			a.Calls = append(a.Calls, c)
		}
	}
	return page, crows.Err()
}

// RetryEvent puts a failed event back in the queue. It resumes where it stopped:
// an event whose bot reply is stored only repeats the Webim calls not yet made.
func (e *Engine) RetryEvent(ctx context.Context, conn db.Conn, projectID, eventID int64) error {
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		var chatID int64
		err := tx.QueryRow(ctx, `
			UPDATE bridge_events e
			SET status = CASE WHEN e.calls IS NULL THEN 'pending' ELSE 'replied' END,
			    attempts = 0, next_attempt_at = NULL, processed_at = NULL
			FROM chats c
			WHERE e.id = $1 AND c.id = e.chat_id AND c.project_id = $2 AND e.status = 'failed'
			RETURNING e.chat_id`, eventID, projectID).Scan(&chatID)
		if errors.Is(err, pgx.ErrNoRows) {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM bridge_events e JOIN chats c ON c.id = e.chat_id WHERE e.id = $1 AND c.project_id = $2)`, eventID, projectID).Scan(&exists); err != nil {
				return fmt.Errorf("bridge: retry: %w", err)
			}
			if exists {
				return fmt.Errorf("bridge: event %d is not failed: %w", eventID, apperr.ErrConflict)
			}
			return fmt.Errorf("bridge: event %d: %w", eventID, apperr.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("bridge: retry: %w", err)
		}
		if _, err := e.Jobs.InsertTx(ctx, tx, ChatArgs{ChatID: chatID}, chatInsertOpts()); err != nil {
			return fmt.Errorf("bridge: enqueue retry: %w", err)
		}
		return nil
	})
}

// IntegrationName returns an integration's domain if it belongs to the
// project (deleted ones included, so their history stays readable).
func IntegrationName(ctx context.Context, q db.DBTX, projectID, integrationID int64) (string, error) {
	var domain string
	err := q.QueryRow(ctx, `SELECT domain FROM integrations WHERE id = $1 AND project_id = $2`, integrationID, projectID).Scan(&domain)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("bridge: integration %d: %w", integrationID, apperr.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("bridge: integration: %w", err)
	}
	return domain, nil
}
