package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/botbridge/botbridge/internal/backoff"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/jobs"
)

// Workers registers the delivery worker, for jobs.New:
//
//	jobs.New(pool, jobs.Options{RunWorkers: true, Queues: map[string]int{mail.Queue: 2}}, mail.Workers(pool, sender, log))
func Workers(pool *pgxpool.Pool, s Sender, log *slog.Logger) jobs.Register {
	w := &Worker{Pool: pool, Sender: s, Log: log}
	return w.Register
}

// Worker delivers DeliverArgs jobs: one outbox row each.
//
// Delivery is at least once, with the window kept as small as it can be:
// the row is locked for the duration of the send, a row already marked sent
// is skipped, and sent_at is written right after the server accepts the
// message. Only a crash (or a lost database) between the server's "250 OK"
// and that write makes the retry send again; such a duplicate carries the
// same Message-ID.
type Worker struct {
	river.WorkerDefaults[DeliverArgs]
	Pool   *pgxpool.Pool
	Sender Sender
	Log    *slog.Logger
	// RetryDelay overrides the backoff after the given failed attempt
	// (1-based); nil uses Backoff. Tests shorten or lengthen it.
	RetryDelay func(attempt int) time.Duration
}

// Register adds the worker to a River worker registry (a jobs.Register).
func (w *Worker) Register(ws *river.Workers) { river.AddWorker(ws, w) }

// Timeout leaves room for connecting plus a few SMTP commands, each bounded
// by SMTPTimeout.
func (w *Worker) Timeout(*river.Job[DeliverArgs]) time.Duration { return 3 * time.Minute }

// NextRetry schedules the next attempt with exponential backoff.
func (w *Worker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	if w.RetryDelay != nil {
		return time.Now().Add(w.RetryDelay(job.Attempt))
	}
	return time.Now().Add(Backoff(job.Attempt))
}

// Backoff bounds: the first retry comes after about 15 s, doubling each
// time, never more than an hour apart.
const (
	backoffBase = 15 * time.Second
	backoffMax  = time.Hour
)

// Backoff is the delay after the given failed attempt (1-based): botbridge's
// one backoff (internal/backoff) with mail's bounds.
func Backoff(attempt int) time.Duration { return backoff.Delay(attempt, backoffBase, backoffMax) }

// markTimeout bounds recording the outcome; it runs even when the job's
// context has ended, because forgetting a successful send means sending twice.
const markTimeout = 10 * time.Second

// Work sends one outbox row unless it was already sent.
func (w *Worker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	log := w.Log
	if log == nil {
		log = slog.Default()
	}
	id := job.Args.OutboxID
	tx, err := w.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("mail: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()

	q := dbsqlc.New(tx)
	row, err := q.LockMailOutbox(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		// Only possible if someone deleted the row: nothing left to send.
		log.WarnContext(ctx, "mail: outbox row is gone", slog.Int64("outbox_id", id))
		return nil
	}
	if err != nil {
		return fmt.Errorf("mail: load outbox %d: %w", id, err)
	}
	if row.SentAt != nil {
		return nil
	}

	msg := Message{To: row.ToAddr, Subject: row.Subject, Body: row.Body, Topic: row.Topic,
		ref: fmt.Sprintf("outbox.%d.%d", row.ID, row.CreatedAt.UnixMicro())}
	sendErr := w.Sender.Send(ctx, msg)

	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	attrs := []any{slog.Int64("outbox_id", id), slog.String("to", row.ToAddr), slog.String("topic", row.Topic), slog.Int("attempt", job.Attempt)}
	if sendErr == nil {
		if err := q.MarkMailSent(mctx, id); err != nil {
			return fmt.Errorf("mail: mark %d sent: %w", id, err)
		}
		if err := tx.Commit(mctx); err != nil {
			return fmt.Errorf("mail: mark %d sent: %w", id, err)
		}
		log.InfoContext(ctx, "mail sent", attrs...)
		return nil
	}

	rejected := errors.Is(sendErr, ErrRejected)
	giveUp := rejected || job.Attempt >= job.MaxAttempts
	msgErr := sendErr.Error()
	if len(msgErr) > 1000 {
		msgErr = strings.ToValidUTF8(msgErr[:1000], "")
	}
	err = q.MarkMailFailed(mctx, dbsqlc.MarkMailFailedParams{ID: id, LastError: msgErr, GiveUp: giveUp})
	if err == nil {
		err = tx.Commit(mctx)
	}
	if err != nil {
		log.ErrorContext(ctx, "mail: record failed attempt", append(attrs, slog.Any("error", err))...)
	}
	attrs = append(attrs, slog.Any("error", sendErr))
	switch {
	case rejected:
		log.ErrorContext(ctx, "mail rejected, giving up", attrs...)
		return river.JobCancel(sendErr)
	case giveUp:
		log.ErrorContext(ctx, "mail not delivered after the last attempt", attrs...)
	default:
		log.WarnContext(ctx, "mail delivery failed, will retry", attrs...)
	}
	return sendErr
}
