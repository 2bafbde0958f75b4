// Package mail writes e-mail to the outbox inside the caller's transaction
// and delivers it in the background over SMTP, retrying with backoff.
package mail

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/botbridge/botbridge/internal/jobs"
)

// Message is one e-mail to one recipient, plain text.
type Message struct {
	To      string
	Subject string
	Body    string
	// Topic says what caused it (e.g. "request:42:approved").
	Topic string
}

// DeliverArgs is the River job that sends one outbox row.
type DeliverArgs struct {
	OutboxID int64 `json:"outbox_id"`
}

// Kind names the job in River's table.
func (DeliverArgs) Kind() string { return "mail_deliver" }

// InsertOpts: mail goes to its own queue so a slow mail server never holds
// up chat traffic, and is retried for about a day before giving up.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 20}
}

// Queue is the River queue for mail delivery.
const Queue = "mail"

// Enqueue writes msg to the outbox and inserts its delivery job, both in
// tx: if tx rolls back, no mail is ever sent.
func Enqueue(ctx context.Context, tx pgx.Tx, ins jobs.Inserter, msg Message) (int64, error) {
	if strings.TrimSpace(msg.To) == "" || strings.ContainsAny(msg.To+msg.Subject, "\r\n") {
		return 0, fmt.Errorf("mail: bad recipient or subject %q / %q", msg.To, msg.Subject)
	}
	var id int64
	err := tx.QueryRow(ctx,
		`INSERT INTO mail_outbox (to_addr, subject, body, topic) VALUES ($1, $2, $3, $4) RETURNING id`,
		msg.To, msg.Subject, msg.Body, msg.Topic).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("mail: outbox insert: %w", err)
	}
	if _, err := ins.InsertTx(ctx, tx, DeliverArgs{OutboxID: id}, nil); err != nil {
		return 0, fmt.Errorf("mail: enqueue delivery: %w", err)
	}
	return id, nil
}
