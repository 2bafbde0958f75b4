package mail_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/mail"
)

// outboxRow is what the tests read back from mail_outbox.
type outboxRow struct {
	SentAt, FailedAt *time.Time
	Attempts         int
	LastError        string
}

// helper marks the caller a test helper when t is a *testing.T (t may be
// an assert.CollectT inside EventuallyWithT).
func helper(t require.TestingT) {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
}

func loadRow(t require.TestingT, pool *pgxpool.Pool, id int64) outboxRow {
	helper(t)
	var r outboxRow
	err := pool.QueryRow(context.Background(),
		`SELECT sent_at, failed_at, attempts, last_error FROM mail_outbox WHERE id = $1`, id).
		Scan(&r.SentAt, &r.FailedAt, &r.Attempts, &r.LastError)
	require.NoError(t, err)
	return r
}

// jobOf returns the id, state and scheduled time of the delivery job of an
// outbox row.
func jobOf(t require.TestingT, pool *pgxpool.Pool, outboxID int64) (int64, string, time.Time) {
	helper(t)
	var (
		id    int64
		state string
		at    time.Time
	)
	err := pool.QueryRow(context.Background(),
		`SELECT id, state::text, scheduled_at FROM river_job WHERE kind = 'mail_deliver' AND (args->>'outbox_id')::bigint = $1`, outboxID).
		Scan(&id, &state, &at)
	require.NoError(t, err)
	return id, state, at
}

// startWorkers runs a River client with the mail worker until the test ends.
func startWorkers(t *testing.T, pool *pgxpool.Pool, w *mail.Worker) *jobs.Client {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	w.Pool, w.Log = pool, log
	c, err := jobs.New(pool, jobs.Options{
		RunWorkers:        true,
		Queues:            map[string]int{mail.Queue: 2},
		Log:               log,
		FetchPollInterval: 50 * time.Millisecond,
	}, w.Register)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, c.Start(ctx))
	t.Cleanup(func() {
		stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = c.Stop(stopCtx)
		cancel()
	})
	return c
}

func enqueue(t *testing.T, pool *pgxpool.Pool, c *jobs.Client, msg mail.Message) int64 {
	t.Helper()
	var id int64
	err := db.InTx(context.Background(), pool, func(tx pgx.Tx) error {
		var err error
		id, err = mail.Enqueue(context.Background(), tx, c, msg)
		return err
	})
	require.NoError(t, err)
	return id
}

func senderFor(t *testing.T, addr string) mail.Sender {
	t.Helper()
	s := smtpSender(t, testConfig(t, "smtp://"+addr))
	mail.SetTimeout(s, 3*time.Second)
	return s
}

func waitJobState(t *testing.T, pool *pgxpool.Pool, outboxID int64, want string) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		_, st, _ := jobOf(c, pool, outboxID)
		assert.Equal(c, want, st)
	}, 15*time.Second, 20*time.Millisecond, "job of outbox %d never became %s", outboxID, want)
}

func TestCommittedMailIsDeliveredOnce(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewDatabase(t)
	sk := startSink(t, nil, sinkOptions{})
	c := startWorkers(t, pool, &mail.Worker{Sender: senderFor(t, sk.Addr)})

	id := enqueue(t, pool, c, mail.Message{To: "owner@example.com", Subject: testSubject, Body: testBody, Topic: "request:7:approved"})

	got := sk.Wait(t, 15*time.Second)
	require.Equal(t, []string{"owner@example.com"}, got.To)
	p := got.parse(t)
	require.Equal(t, testSubject, p.Subject)
	require.Equal(t, testBody, p.Body)
	msgID := p.Header.Get("Message-Id")
	require.Regexp(t, `^<outbox\.\d+\.\d+@bridge\.test>$`, msgID)

	waitJobState(t, pool, id, "completed")
	row := loadRow(t, pool, id)
	require.NotNil(t, row.SentAt)
	require.Nil(t, row.FailedAt)
	require.Equal(t, 1, row.Attempts)
	require.Empty(t, row.LastError)

	// Running the job again (as after a crash before River recorded its
	// completion) finds the row sent and sends nothing.
	jobID, _, _ := jobOf(t, pool, id)
	_, err := c.JobRetry(context.Background(), jobID)
	require.NoError(t, err)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var attempt int
		require.NoError(c, pool.QueryRow(context.Background(), `SELECT attempt FROM river_job WHERE id = $1`, jobID).Scan(&attempt))
		_, st, _ := jobOf(c, pool, id)
		assert.Equal(c, 2, attempt)
		assert.Equal(c, "completed", st)
	}, 15*time.Second, 20*time.Millisecond)
	require.Len(t, sk.Messages(), 1, "a re-run job must not send again")
	require.Equal(t, 1, loadRow(t, pool, id).Attempts)

	sent, err := mail.ListRecent(context.Background(), pool, 50)
	require.NoError(t, err)
	require.Len(t, sent, 1)
	require.Equal(t, mail.StatusSent, sent[0].Status())
	require.Equal(t, testSubject, sent[0].Subject)
	require.Equal(t, "request:7:approved", sent[0].Topic)
}

func TestRolledBackTransactionSendsNothing(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewDatabase(t)
	sk := startSink(t, nil, sinkOptions{})
	c := startWorkers(t, pool, &mail.Worker{Sender: senderFor(t, sk.Addr)})

	boom := errors.New("transition failed")
	err := db.InTx(context.Background(), pool, func(tx pgx.Tx) error {
		_, err := mail.Enqueue(context.Background(), tx, c, mail.Message{To: "owner@example.com", Subject: "Never", Body: "x"})
		require.NoError(t, err)
		return boom
	})
	require.ErrorIs(t, err, boom)

	// A committed mail sent afterwards proves the worker is running, so the
	// rolled-back one would have arrived first had it existed.
	enqueue(t, pool, c, mail.Message{To: "later@example.com", Subject: "Later", Body: "y"})
	got := sk.Wait(t, 15*time.Second)
	require.Equal(t, "Later", got.parse(t).Subject)

	var rows, jobsN int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM mail_outbox WHERE subject = 'Never'`).Scan(&rows))
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'mail_deliver'`).Scan(&jobsN))
	require.Zero(t, rows)
	require.Equal(t, 1, jobsN, "only the committed mail has a job")
	require.Len(t, sk.Messages(), 1)
}

func TestMailServerDownThenUpDeliversOnce(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewDatabase(t)
	addr := reservePort(t)
	// A long retry delay keeps the job waiting after the first failure, as
	// in production; the test brings the retry forward once the server is up.
	c := startWorkers(t, pool, &mail.Worker{Sender: senderFor(t, addr), RetryDelay: func(int) time.Duration { return time.Hour }})

	id := enqueue(t, pool, c, mail.Message{To: "owner@example.com", Subject: "Taken into work", Body: "We are on it."})

	waitJobState(t, pool, id, "retryable")
	row := loadRow(t, pool, id)
	require.Equal(t, 1, row.Attempts)
	require.Contains(t, row.LastError, addr)
	require.Nil(t, row.SentAt)
	require.Nil(t, row.FailedAt)
	jobID, _, at := jobOf(t, pool, id)
	require.WithinDuration(t, time.Now().Add(time.Hour), at, 5*time.Minute, "NextRetry schedules the retry")

	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	sk := startSink(t, ln, sinkOptions{})
	_, err = c.JobRetry(context.Background(), jobID)
	require.NoError(t, err)

	got := sk.Wait(t, 15*time.Second)
	require.Equal(t, "Taken into work", got.parse(t).Subject)
	require.Equal(t, "We are on it.", got.parse(t).Body)
	waitJobState(t, pool, id, "completed")
	row = loadRow(t, pool, id)
	require.NotNil(t, row.SentAt)
	require.Equal(t, 2, row.Attempts)
	require.Len(t, sk.Messages(), 1)
}

func TestRetriesWithBackoffUntilTheServerAnswers(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewDatabase(t)
	addr := reservePort(t)
	// Short real retries this time: River itself must come back to the job.
	c := startWorkers(t, pool, &mail.Worker{Sender: senderFor(t, addr), RetryDelay: func(int) time.Duration { return 100 * time.Millisecond }})
	id := enqueue(t, pool, c, mail.Message{To: "owner@example.com", Subject: "Retried", Body: "z"})

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.GreaterOrEqual(c, loadRow(c, pool, id).Attempts, 2)
	}, 15*time.Second, 20*time.Millisecond)
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	sk := startSink(t, ln, sinkOptions{})

	require.Equal(t, "Retried", sk.Wait(t, 15*time.Second).parse(t).Subject)
	waitJobState(t, pool, id, "completed")
	row := loadRow(t, pool, id)
	require.NotNil(t, row.SentAt)
	require.GreaterOrEqual(t, row.Attempts, 3)
	require.Len(t, sk.Messages(), 1)
}

func TestRejectedRecipientCancelsDelivery(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewDatabase(t)
	sk := startSink(t, nil, sinkOptions{RejectRcpt: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}})
	c := startWorkers(t, pool, &mail.Worker{Sender: senderFor(t, sk.Addr)})

	id := enqueue(t, pool, c, mail.Message{To: "nobody@example.com", Subject: "Lost", Body: "x"})
	waitJobState(t, pool, id, "cancelled")
	row := loadRow(t, pool, id)
	require.Nil(t, row.SentAt)
	require.NotNil(t, row.FailedAt)
	require.Equal(t, 1, row.Attempts)
	require.Contains(t, row.LastError, "550")

	sent, err := mail.ListRecent(context.Background(), pool, 10)
	require.NoError(t, err)
	require.Equal(t, mail.StatusFailed, sent[0].Status())
	require.Empty(t, sk.Messages())

	// An operator who fixed the cause can retry the cancelled job by hand.
	sk.AcceptAll()
	jobID, _, _ := jobOf(t, pool, id)
	_, err = c.JobRetry(context.Background(), jobID)
	require.NoError(t, err)
	require.Equal(t, []string{"nobody@example.com"}, sk.Wait(t, 15*time.Second).To)
	waitJobState(t, pool, id, "completed")
	row = loadRow(t, pool, id)
	require.NotNil(t, row.SentAt)
	require.Nil(t, row.FailedAt)
	require.Equal(t, 2, row.Attempts)
}

func TestListRecentNewestFirstWithLimit(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	ins, err := jobs.InsertOnly()
	require.NoError(t, err)
	ctx := context.Background()
	var ids []int64
	for _, s := range []string{"first", "second", "third"} {
		id, err := mail.Enqueue(ctx, tx, ins, mail.Message{To: s + "@example.com", Subject: s, Body: "body of " + s})
		require.NoError(t, err)
		ids = append(ids, id)
	}
	sent, err := mail.ListRecent(ctx, tx, 2)
	require.NoError(t, err)
	require.Len(t, sent, 2)
	require.Equal(t, ids[2], sent[0].ID)
	require.Equal(t, "third", sent[0].Subject)
	require.Equal(t, "third@example.com", sent[0].To)
	require.Equal(t, "body of third", sent[0].Body)
	require.Equal(t, mail.StatusPending, sent[0].Status())
	require.Equal(t, ids[1], sent[1].ID)
}

func TestEnqueueRefusesHeaderInjection(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	ins, err := jobs.InsertOnly()
	require.NoError(t, err)
	for _, m := range []mail.Message{
		{To: "", Subject: "x"},
		{To: "a@example.com\r\nBcc: evil@example.com", Subject: "x"},
		{To: "a@example.com", Subject: "x\nBcc: evil@example.com"},
	} {
		_, err := mail.Enqueue(context.Background(), tx, ins, m)
		require.Error(t, err, "%q", m.To+m.Subject)
	}
}
