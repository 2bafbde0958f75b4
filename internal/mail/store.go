package mail

import (
	"context"
	"fmt"
	"time"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// Sent is one outbox message as the development mail page shows it.
type Sent struct {
	ID        int64
	To        string
	Subject   string
	Body      string
	Topic     string
	CreatedAt time.Time
	SentAt    *time.Time
	// FailedAt is set when delivery gave up.
	FailedAt  *time.Time
	Attempts  int
	LastError string
}

// Delivery states of an outbox message.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// Status is sent, failed (delivery gave up) or pending (queued or retrying).
func (s Sent) Status() string {
	switch {
	case s.SentAt != nil:
		return StatusSent
	case s.FailedAt != nil:
		return StatusFailed
	}
	return StatusPending
}

// ListRecent returns the newest outbox messages, newest first. The outbox
// is not tenant data: this is for the development-only page.
func ListRecent(ctx context.Context, q db.DBTX, limit int) ([]Sent, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	rows, err := dbsqlc.New(q).ListRecentMail(ctx, int32(limit))
	if err != nil {
		return nil, fmt.Errorf("mail: list outbox: %w", err)
	}
	out := make([]Sent, len(rows))
	for i, r := range rows {
		out[i] = Sent{ID: r.ID, To: r.ToAddr, Subject: r.Subject, Body: r.Body, Topic: r.Topic,
			CreatedAt: r.CreatedAt, SentAt: r.SentAt, FailedAt: r.FailedAt, Attempts: int(r.Attempts), LastError: r.LastError}
	}
	return out, nil
}
