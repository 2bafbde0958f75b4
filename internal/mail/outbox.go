// Package mail writes e-mail to the outbox inside the caller's transaction
// and delivers it in the background over SMTP, retrying with backoff.
//
// The flow: Enqueue inserts a mail_outbox row and a River DeliverArgs job in
// the caller's transaction, so a rolled-back change sends nothing and a
// committed one cannot lose its mail. The Worker sends the row through a
// Sender and marks it sent; a mail server that is down only delays delivery.
package mail

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/jobs"
)

// Message is one e-mail to one recipient, plain text.
type Message struct {
	To      string
	Subject string
	Body    string
	// Topic says what caused it (e.g. "request:42:approved").
	Topic string

	// ref identifies the outbox row; the SMTP sender derives a stable
	// Message-ID from it, so a mail re-sent after a crash carries the same
	// Message-ID and most mail clients show it once.
	ref string
}

// DeliverArgs is the River job that sends one outbox row.
type DeliverArgs struct {
	OutboxID int64 `json:"outbox_id"`
}

// Kind names the job in River's table.
func (DeliverArgs) Kind() string { return "mail_deliver" }

// MaxAttempts is how often delivery is tried before the job is discarded;
// with backoff capped at an hour that is roughly half a day.
const MaxAttempts = 20

// InsertOpts: mail goes to its own queue so a slow mail server never holds
// up chat traffic, and is retried for about half a day before giving up.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: MaxAttempts}
}

// Queue is the River queue for mail delivery.
const Queue = "mail"

// Enqueue writes msg to the outbox and inserts its delivery job, both in
// tx: if tx rolls back, no mail is ever sent.
func Enqueue(ctx context.Context, tx pgx.Tx, ins jobs.Inserter, msg Message) (int64, error) {
	if strings.TrimSpace(msg.To) == "" || strings.ContainsAny(msg.To+msg.Subject, "\r\n") {
		return 0, fmt.Errorf("mail: bad recipient or subject %q / %q", msg.To, msg.Subject)
	}
	id, err := dbsqlc.New(tx).InsertMailOutbox(ctx, dbsqlc.InsertMailOutboxParams{
		ToAddr: strings.TrimSpace(msg.To), Subject: msg.Subject, Body: msg.Body, Topic: msg.Topic,
	})
	if err != nil {
		return 0, fmt.Errorf("mail: outbox insert: %w", err)
	}
	if _, err := ins.InsertTx(ctx, tx, DeliverArgs{OutboxID: id}, nil); err != nil {
		return 0, fmt.Errorf("mail: enqueue delivery: %w", err)
	}
	return id, nil
}
