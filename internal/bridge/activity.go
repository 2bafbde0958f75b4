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
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/webim"
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
	Status         Status
	Outcome        Outcome
	Attempts       int
	LastError      string
	ReceivedAt     time.Time
	ProcessedAt    *time.Time
	NextAttemptAt  *time.Time
	Calls          []CallRecord
	// Notes say where the translation departed from the bot's reply.
	Notes []webim.Note
	// OperatorData is what the bot wanted to pass to the operator
	// (send_data_to_operator, which Webim cannot take), as JSON.
	OperatorData string
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

// messageText is what the log shows of a stored message: its text, the
// pressed button's label or the file's name.
func messageText(raw []byte) string {
	var m botapi.Message
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return ""
	}
	switch {
	case m.File != nil:
		return m.File.Name
	case m.Button != nil:
		return m.Button.Text
	}
	return m.Text
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
	qs := dbsqlc.New(q)
	rows, err := qs.ListActivity(ctx, dbsqlc.ListActivityParams{
		IntegrationID: integrationID, ProjectID: projectID, Before: before, MaxRows: int32(limit + 1)})
	if err != nil {
		return ActivityPage{}, fmt.Errorf("bridge: list activity: %w", err)
	}
	var page ActivityPage
	for _, r := range rows {
		a := Activity{
			ID: r.ID, PublicID: r.PublicID, ChatID: r.ChatID, PlatformChatID: r.PlatformChatID, VisitorName: r.VisitorName,
			Type: r.Type, Text: messageText(r.Message), Status: Status(r.Status), Outcome: Outcome(r.Outcome),
			Attempts: int(r.Attempts), LastError: r.LastError, ReceivedAt: r.ReceivedAt, ProcessedAt: r.ProcessedAt,
			NextAttemptAt: r.NextAttemptAt, OperatorData: string(r.OperatorData),
		}
		if len(r.Notes) > 0 {
			_ = json.Unmarshal(r.Notes, &a.Notes) // written by the engine; a bad row only loses its notes
		}
		page.Events = append(page.Events, a)
	}
	if len(page.Events) > limit {
		page.Events = page.Events[:limit]
		page.Before = page.Events[limit-1].ID
	}
	if len(page.Events) == 0 {
		return page, nil
	}
	byID := make(map[int64]*Activity, len(page.Events))
	ids := make([]int64, len(page.Events))
	for i := range page.Events {
		byID[page.Events[i].ID] = &page.Events[i]
		ids[i] = page.Events[i].ID
	}
	calls, err := qs.ListEventCalls(ctx, ids)
	if err != nil {
		return ActivityPage{}, fmt.Errorf("bridge: list calls: %w", err)
	}
	for _, c := range calls {
		if a := byID[c.EventID]; a != nil {
			a.Calls = append(a.Calls, CallRecord{Target: c.Target, Method: c.Method, Attempt: int(c.Attempt),
				StatusCode: int(c.StatusCode), OK: c.Ok, Error: c.Error, DurationMS: int(c.DurationMs), At: c.CreatedAt})
		}
	}
	return page, nil
}

// RetryEvent puts a failed event back in the queue. It resumes where it stopped:
// an event whose bot reply is stored only repeats the Webim calls not yet made.
func (e *Engine) RetryEvent(ctx context.Context, projectID, eventID int64) error {
	return db.InTx(ctx, e.Pool, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		row, err := q.RetryFailedEvent(ctx, dbsqlc.RetryFailedEventParams{ID: eventID, ProjectID: projectID})
		if errors.Is(err, pgx.ErrNoRows) {
			exists, err := q.EventExists(ctx, dbsqlc.EventExistsParams{ID: eventID, ProjectID: projectID})
			if err != nil {
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
		return e.enqueueChats(ctx, tx, []chatJob{{row.ChatID, row.IntegrationID}})
	})
}
