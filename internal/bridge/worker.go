package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/clip"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/internal/webim"
)

func chatInsertOpts() *river.InsertOpts {
	// Plenty of attempts: the job is mostly snoozed (lock busy, backoff),
	// and real failures are counted per event, not per job.
	return &river.InsertOpts{Queue: Queue, MaxAttempts: 25}
}

// Workers registers the chat worker with River.
func (e *Engine) Workers() jobs.Register {
	return func(w *river.Workers) { river.AddWorker(w, &chatWorker{e: e}) }
}

type chatWorker struct {
	river.WorkerDefaults[ChatArgs]
	e *Engine
}

// The chat worker sets no Timeout of its own: a run is bounded by the
// client's JobTimeout (JOB_TIMEOUT), which is also the time after which
// River's rescuer may retry a run left "running" by a dead process. Work
// yields long before that deadline (see yieldShare), so a busy chat is
// never cut off mid-event in normal operation.

// yieldShare is the part of the time left until the run's deadline after
// which Work stops taking new events and re-queues the job: one event
// (bot ≤ 30 s, then its Webim calls ≤ 15 s each) must still fit before
// the deadline.
const yieldShare = 4

// lockKey is the advisory lock of one chat. The high bit pattern keeps it
// apart from other advisory locks (goose, tests).
func lockKey(chatID int64) int64 { return 0x6272<<48 | chatID }

// lockBusyDelay is how soon a job retries when another worker holds the chat.
const lockBusyDelay = 300 * time.Millisecond

// Work takes the chat's lock (a session advisory lock: a crashed process
// drops its connection and with it the lock) and delivers its events in
// order until none is due.
func (w *chatWorker) Work(ctx context.Context, job *river.Job[ChatArgs]) error {
	e := w.e
	// The chat's connection is held for the whole run (the advisory lock
	// lives on it), including bot and Webim calls: it comes from the
	// workers' own pool so slow bots never starve webhook ingest and pages.
	conn, err := e.workPool().Acquire(ctx)
	if err != nil {
		return fmt.Errorf("bridge: acquire: %w", err)
	}
	defer conn.Release()
	key := lockKey(job.Args.ChatID)
	var locked bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&locked); err != nil {
		return fmt.Errorf("bridge: lock chat: %w", err)
	}
	if !locked {
		return river.JobSnooze(lockBusyDelay)
	}
	defer unlock(conn, key)
	// Clear the chat's job mark (see storeEvents): a webhook committed
	// after this queues a job of its own, since this run may end before
	// reaching its event; one committed before is seen by loadNext below
	// (clearing waits for an ingest transaction holding the chat row).
	if err := clearJobMark(ctx, conn, job.Args.ChatID); err != nil {
		return err
	}

	var yieldAt time.Time
	if deadline, ok := ctx.Deadline(); ok {
		start := time.Now()
		yieldAt = start.Add(deadline.Sub(start) / yieldShare)
	}
	for range 10_000 {
		if !yieldAt.IsZero() && time.Now().After(yieldAt) {
			// A long backlog: let the job run again (immediately) rather
			// than run into its timeout, which would count as a failure.
			return river.JobSnooze(0)
		}
		ev, ok, err := loadNext(ctx, conn, job.Args.ChatID)
		if err != nil || !ok {
			return err
		}
		if ev.NextAttemptAt != nil {
			if wait := ev.NextAttemptAt.Sub(e.now()); wait > 0 {
				return river.JobSnooze(wait)
			}
		}
		wait, err := e.process(ctx, conn, ev)
		if err != nil {
			return err
		}
		if wait > 0 {
			return river.JobSnooze(wait)
		}
	}
	// Events may be left, and the mark is cleared: run again.
	return river.JobSnooze(0)
}

// clearJobMark says the chat has no job waiting any more: its job is
// working it.
func clearJobMark(ctx context.Context, q db.DBTX, chatID int64) error {
	if _, err := q.Exec(ctx, `UPDATE chats SET job_queued_at = NULL WHERE id = $1 AND job_queued_at IS NOT NULL`, chatID); err != nil {
		return fmt.Errorf("bridge: chat job mark: %w", err)
	}
	return nil
}

func unlock(conn *pgxpool.Conn, key int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
		// A connection that may still hold the lock must not go back to
		// the pool: closing it releases the lock.
		_ = conn.Conn().Close(ctx)
	}
}

// event is a stored bridge event with its chat.
type event struct {
	ID             int64
	PublicID       string
	IntegrationID  int64
	ProjectID      int64
	ChatID         int64
	PlatformChatID string
	Visitor        webim.Visitor
	Version        string
	Type           string
	Message        *botapi.Message
	Action, Reason string
	Status         string
	Attempts       int
	NextAttemptAt  *time.Time
	Calls          []storedCall
	CallsDone      int
	ReceivedAt     time.Time
}

// storedCall is a planned Webim call as kept in bridge_events.calls.
type storedCall struct {
	Method string          `json:"method"`
	Body   json.RawMessage `json:"body"`
}

// loadNext picks the chat's next event: in arrival order, except that an
// action.failed goes first. It is only ever created while its parent is
// the head of the chat, so this delivers it right after the parent, before
// visitor messages that arrived while the bot was answering.
func loadNext(ctx context.Context, q db.DBTX, chatID int64) (event, bool, error) {
	return scanEvent(q.QueryRow(ctx, eventSelect+`
		WHERE e.chat_id = $1 AND e.status IN ('pending', 'replied')
		ORDER BY e.type = 'action.failed' DESC, e.id LIMIT 1`, chatID))
}

const eventSelect = `
	SELECT e.id, e.public_id, e.integration_id, c.project_id, c.id, c.platform_chat_id,
	       c.visitor_id, c.visitor_name, c.visitor_phone, c.visitor_email,
	       e.api_version, e.type, e.message, e.action, e.reason, e.status, e.attempts,
	       e.next_attempt_at, e.calls, e.calls_done, e.received_at
	FROM bridge_events e JOIN chats c ON c.id = e.chat_id`

func scanEvent(row pgx.Row) (event, bool, error) {
	var ev event
	var msg, calls []byte
	err := row.Scan(&ev.ID, &ev.PublicID, &ev.IntegrationID, &ev.ProjectID, &ev.ChatID, &ev.PlatformChatID,
		&ev.Visitor.ID, &ev.Visitor.Name, &ev.Visitor.Phone, &ev.Visitor.Email,
		&ev.Version, &ev.Type, &msg, &ev.Action, &ev.Reason, &ev.Status, &ev.Attempts,
		&ev.NextAttemptAt, &calls, &ev.CallsDone, &ev.ReceivedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return event{}, false, nil
	}
	if err != nil {
		return event{}, false, fmt.Errorf("bridge: load event: %w", err)
	}
	if len(msg) > 0 {
		ev.Message = &botapi.Message{}
		if err := json.Unmarshal(msg, ev.Message); err != nil {
			return event{}, false, fmt.Errorf("bridge: decode message: %w", err)
		}
	}
	if len(calls) > 0 {
		if err := json.Unmarshal(calls, &ev.Calls); err != nil {
			return event{}, false, fmt.Errorf("bridge: decode calls: %w", err)
		}
	}
	return ev, true, nil
}

// process advances one event as far as it can. It returns how long to wait
// before trying again (0 when the event is finished, done or failed), or an
// error for infrastructure trouble (database), which River retries.
func (e *Engine) process(ctx context.Context, conn db.DBTX, ev event) (time.Duration, error) {
	integ, err := e.Dir.Integration(ctx, conn, ev.IntegrationID)
	if errors.Is(err, apperr.ErrNotFound) {
		return 0, e.fail(ctx, conn, &ev, "integration not found")
	}
	if err != nil {
		return 0, err // the database: River retries the job
	}
	if ev.Status == "pending" {
		wait, err := e.askBot(ctx, conn, integ, &ev)
		if err != nil || wait > 0 || ev.Status != "replied" {
			return wait, err
		}
	}
	return e.callWebim(ctx, conn, integ, &ev)
}

// botEvent builds the signed request body for ev.
func botEvent(ev event) botapi.Event {
	user := webim.BotUser(ev.Visitor)
	user.ID = "webim:" + strconv.FormatInt(ev.IntegrationID, 10) + ":" + ev.Visitor.ID
	return botapi.Event{
		ID:          ev.PublicID,
		Type:        ev.Type,
		OccurredAt:  ev.ReceivedAt.UTC().Truncate(time.Second),
		Project:     botapi.Project{ID: strconv.FormatInt(ev.ProjectID, 10)},
		Integration: botapi.Integration{ID: strconv.FormatInt(ev.IntegrationID, 10), Platform: "webim"},
		Chat:        botapi.Chat{ID: strconv.FormatInt(ev.ChatID, 10), PlatformChatID: ev.PlatformChatID},
		User:        user,
		Request:     botapi.Request{UserChannel: botapi.ChannelWebim},
		Message:     ev.Message,
		Action:      ev.Action,
		Reason:      ev.Reason,
	}
}

// askBot delivers ev to the bot and stores the Webim calls its reply
// becomes; when the bot cannot be reached after its retries, the fallback.
func (e *Engine) askBot(ctx context.Context, conn db.DBTX, integ Integration, ev *event) (time.Duration, error) {
	bot, ok, err := e.Dir.Bot(ctx, conn, integ.ProjectID)
	if errors.Is(err, secret.ErrDecrypt) || errors.Is(err, secret.ErrUnknownKey) {
		// A configuration problem (SECRET_KEY rotated without SECRET_KEY_OLD):
		// retrying cannot help, the visitor still needs a person.
		return 0, e.fallback(ctx, conn, integ, ev, Bot{}, "cannot read the bot's signing secret: "+err.Error())
	}
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, e.fallback(ctx, conn, integ, ev, Bot{}, "the project has no bot endpoint configured")
	}
	reply, callErr := e.callBot(ctx, conn, bot, *ev, ev.Attempts+1)
	if callErr != nil {
		attempts := ev.Attempts + 1
		var be *botError
		if errors.As(callErr, &be) && be.permanent() {
			return 0, e.fallback(ctx, conn, integ, ev, bot, "the bot refused the event: "+callErr.Error())
		}
		if attempts >= e.Retry.BotAttempts {
			return 0, e.fallback(ctx, conn, integ, ev, bot, "bot unreachable after "+strconv.Itoa(attempts)+" attempts: "+callErr.Error())
		}
		var hint time.Duration
		if be != nil {
			hint = be.retryAfter
		}
		return e.retryLater(ctx, conn, ev, attempts, callErr.Error(), hint)
	}
	if ev.Type == botapi.TypeActionFailed && reply.Action != nil && reply.Action.Type == botapi.ActionSendDataToOperator {
		// Asking again for what just failed would loop for ever.
		reply.Action = nil
	}
	calls, unsupported, err := webim.Translate(reply, ev.PlatformChatID, integ.Target)
	if err != nil {
		return 0, e.fail(ctx, conn, ev, "cannot translate the bot's reply: "+err.Error())
	}
	outcome := outcomeOf(reply, calls, unsupported)
	planned, stored, err := encodeCalls(calls)
	if err != nil {
		return 0, err
	}
	raw, _ := json.Marshal(reply)
	if err := db.InTx(ctx, asConn(conn), func(tx pgx.Tx) error {
		for _, action := range unsupported {
			// The bot's scenario takes its error transition: it gets an
			// action.failed event, delivered after this one.
			if _, err := tx.Exec(ctx, `
				INSERT INTO bridge_events (public_id, integration_id, chat_id, dedup_key, api_version, type, action, reason)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (integration_id, dedup_key) DO NOTHING`,
				newPublicID(), ev.IntegrationID, ev.ChatID, "failed:"+ev.PublicID+":"+action, ev.Version,
				botapi.TypeActionFailed, action, botapi.ReasonUnsupportedByPlatform); err != nil {
				return fmt.Errorf("bridge: store action.failed: %w", err)
			}
		}
		_, err := tx.Exec(ctx, `
			UPDATE bridge_events SET status = 'replied', bot_reply = $2, calls = $3, calls_done = 0,
			       attempts = 0, next_attempt_at = NULL, last_error = '', outcome = $4
			WHERE id = $1`, ev.ID, raw, stored, outcome)
		return err
	}); err != nil {
		return 0, fmt.Errorf("bridge: store reply: %w", err)
	}
	ev.Status, ev.Calls, ev.CallsDone, ev.Attempts = "replied", planned, 0, 0
	return 0, nil
}

// outcomeOf summarises what a reply does, for the activity log.
func outcomeOf(reply botapi.Response, calls []webim.Call, unsupported []string) string {
	switch {
	case reply.Action != nil && reply.Action.Type == botapi.ActionTransfer:
		return "transferred"
	case reply.Action != nil && reply.Action.Type == botapi.ActionClose:
		return "closed"
	case len(unsupported) > 0:
		return "unsupported"
	case len(calls) > 0:
		return "replied"
	}
	return "nothing"
}

// fallback replaces the bot's answer: the fallback text, then a transfer to
// the integration's target, so no visitor is left talking to a dead bot.
func (e *Engine) fallback(ctx context.Context, conn db.DBTX, integ Integration, ev *event, bot Bot, why string) error {
	e.Log.Warn("bridge: bot fallback", slog.Int64("event_id", ev.ID), slog.String("reason", why))
	chatID, err := webim.ParseChatID(ev.PlatformChatID)
	if err != nil {
		return e.fail(ctx, conn, ev, why)
	}
	text := bot.FallbackText
	if text == "" {
		text = DefaultFallbackText
	}
	var calls []webim.Call
	if ev.Type != botapi.TypeActionFailed {
		calls = append(calls, webim.NewTextMessage(chatID, text))
		calls = append(calls, transferTo(chatID, integ.Target))
	}
	planned, stored, err := encodeCalls(calls)
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `
		UPDATE bridge_events SET status = 'replied', calls = $2, calls_done = 0, attempts = 0,
		       next_attempt_at = NULL, last_error = $3, outcome = 'fallback'
		WHERE id = $1`, ev.ID, stored, clip.Text(why, 1000)); err != nil {
		return fmt.Errorf("bridge: store fallback: %w", err)
	}
	ev.Status, ev.Calls, ev.CallsDone, ev.Attempts = "replied", planned, 0, 0
	return nil
}

// DefaultFallbackText is used when the project set none.
const DefaultFallbackText = "Sorry, our assistant is unavailable right now. Connecting you to a person."

func transferTo(chatID int64, t webim.Target) webim.Call {
	switch {
	case t.OperatorID > 0:
		return webim.NewRedirectToOperator(chatID, t.OperatorID)
	case t.DepKey != "":
		return webim.NewRedirectToDepartment(chatID, t.DepKey)
	}
	return webim.NewRedirectToQueue(chatID)
}

// callWebim makes the event's remaining Webim calls in order, recording
// progress after each so a retry never repeats a call that succeeded.
func (e *Engine) callWebim(ctx context.Context, conn db.DBTX, integ Integration, ev *event) (time.Duration, error) {
	if len(ev.Calls) > ev.CallsDone && !integ.Active {
		return 0, e.fail(ctx, conn, ev, "the integration is disabled or unhealthy; fix it in Settings, then retry")
	}
	var token string
	for ev.CallsDone < len(ev.Calls) {
		if token == "" {
			var err error
			if token, err = e.Dir.Token(ctx, conn, integ.ID); err != nil {
				return 0, e.fail(ctx, conn, ev, "cannot read the integration's token: "+err.Error())
			}
		}
		c := ev.Calls[ev.CallsDone]
		err := e.sendWebim(ctx, conn, integ, token, *ev, c, ev.Attempts+1)
		var apiErr *webim.APIError
		switch {
		case err == nil:
			state := ""
			switch c.Method {
			case webim.MethodRedirectChat:
				state = "transferred"
			case webim.MethodCloseChat:
				state = "closed"
			}
			if _, err := conn.Exec(ctx, `UPDATE bridge_events SET calls_done = calls_done + 1, attempts = 0, next_attempt_at = NULL WHERE id = $1`, ev.ID); err != nil {
				return 0, fmt.Errorf("bridge: record progress: %w", err)
			}
			if state != "" {
				if _, err := conn.Exec(ctx, `UPDATE chats SET state = $2 WHERE id = $1`, ev.ChatID, state); err != nil {
					return 0, fmt.Errorf("bridge: chat state: %w", err)
				}
			}
			ev.CallsDone++
			ev.Attempts = 0
		case errors.Is(err, webim.ErrUnauthorized):
			return 0, e.unhealthy(ctx, conn, integ, ev, err)
		case errors.As(err, &apiErr) && !apiErr.Retryable:
			return 0, e.fail(ctx, conn, ev, err.Error())
		default:
			attempts := ev.Attempts + 1
			if attempts >= e.Retry.WebimAttempts {
				return 0, e.fail(ctx, conn, ev, "Webim call failed "+strconv.Itoa(attempts)+" times: "+err.Error())
			}
			var hint time.Duration
			if apiErr != nil {
				hint = apiErr.RetryAfter
			}
			return e.retryLater(ctx, conn, ev, attempts, err.Error(), hint)
		}
	}
	if _, err := conn.Exec(ctx, `UPDATE bridge_events SET status = 'done', processed_at = now(), last_error = CASE WHEN outcome = 'fallback' THEN last_error ELSE '' END WHERE id = $1`, ev.ID); err != nil {
		return 0, fmt.Errorf("bridge: finish event: %w", err)
	}
	return 0, nil
}

// unhealthy stops work on a token Webim refused: the integration is
// flagged (owners are told once, in the same transaction) and the event
// fails visibly so it can be retried after the token is fixed.
func (e *Engine) unhealthy(ctx context.Context, conn db.DBTX, integ Integration, ev *event, cause error) error {
	reason := "Webim refused the Auth token (" + cause.Error() + ")"
	err := db.InTx(ctx, asConn(conn), func(tx pgx.Tx) error {
		changed, err := e.Dir.MarkUnhealthy(ctx, tx, integ.ID, reason)
		if err != nil {
			return err
		}
		if changed && e.Notify != nil {
			if err := e.Notify(ctx, tx, integ, reason); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE bridge_events SET status = 'failed', attempts = attempts + 1, last_error = $2, processed_at = now(), next_attempt_at = NULL WHERE id = $1`,
			ev.ID, clip.Text(reason, 1000))
		return err
	})
	if err != nil {
		return fmt.Errorf("bridge: mark unhealthy: %w", err)
	}
	e.Log.Warn("bridge: integration unhealthy", slog.Int64("integration_id", integ.ID), slog.String("reason", reason))
	return nil
}

// retryLater records a failed attempt and when to try again.
func (e *Engine) retryLater(ctx context.Context, conn db.DBTX, ev *event, attempts int, msg string, hint time.Duration) (time.Duration, error) {
	wait := max(e.Retry.Delay(attempts), hint)
	next := e.now().Add(wait)
	if _, err := conn.Exec(ctx, `UPDATE bridge_events SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $1`,
		ev.ID, attempts, next, clip.Text(msg, 1000)); err != nil {
		return 0, fmt.Errorf("bridge: record retry: %w", err)
	}
	return wait, nil
}

// fail ends an event in the visible failed state (the activity log offers Retry).
func (e *Engine) fail(ctx context.Context, conn db.DBTX, ev *event, msg string) error {
	e.Log.Warn("bridge: event failed", slog.Int64("event_id", ev.ID), slog.String("error", msg))
	if _, err := conn.Exec(ctx, `UPDATE bridge_events SET status = 'failed', attempts = attempts + 1, last_error = $2, processed_at = now(), next_attempt_at = NULL WHERE id = $1`,
		ev.ID, clip.Text(msg, 1000)); err != nil {
		return fmt.Errorf("bridge: mark failed: %w", err)
	}
	return nil
}

// encodeCalls turns planned Webim calls into their stored form: each body
// is encoded once, and the list (for bridge_events.calls) from that.
func encodeCalls(calls []webim.Call) ([]storedCall, []byte, error) {
	out := make([]storedCall, len(calls))
	for i, c := range calls {
		body, err := json.Marshal(c.Body)
		if err != nil {
			return nil, nil, fmt.Errorf("bridge: encode %s: %w", c.Method, err)
		}
		out[i] = storedCall{Method: c.Method, Body: body}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, nil, fmt.Errorf("bridge: encode calls: %w", err)
	}
	return out, b, nil
}

// asConn lets a pooled connection or transaction open a nested transaction.
func asConn(q db.DBTX) db.Conn {
	if c, ok := q.(db.Conn); ok {
		return c
	}
	panic("bridge: connection cannot begin transactions")
}
