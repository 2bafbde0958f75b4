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

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/clip"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/webim"
)

// maxErrorRunes bounds the error text kept with an event or a call.
const maxErrorRunes = 1000

// event is a stored bridge event with its chat.
type event struct {
	ID             int64
	PublicID       string
	IntegrationID  int64
	ProjectID      int64
	ChatID         int64
	PlatformChatID string
	// ChatQuoted: Webim sends this chat's id as a JSON string.
	ChatQuoted     bool
	Visitor        webim.Visitor
	Version        string
	Type           string
	Message        *botapi.Message
	Extra          eventExtra
	Action, Reason string
	Status         Status
	Outcome        Outcome
	Attempts       int
	NextAttemptAt  *time.Time
	Calls          []storedCall
	CallsDone      int
	ReceivedAt     time.Time
	// ReplyKept: the bot's reply is stored with the record of the bot call
	// that got it (RecordReplyCall), not yet with the event. The event's
	// row takes it in the statement recording its first Webim call
	// (FinishCallNext) or, when that call fails, before the failure is
	// recorded (keepReply): an event that goes through at once is updated
	// once.
	ReplyKept bool
	// IntegrationVersion and BotVersion identify the versions of the
	// integration's row and of its project's bot endpoint row when the
	// event was read (0: the project has no bot row), for settingsCache.
	IntegrationVersion, BotVersion int64
}

// storedCall is a planned Webim call as kept in bridge_events.calls: its
// body is encoded once, when the reply is stored.
type storedCall struct {
	Method string          `json:"method"`
	Body   json.RawMessage `json:"body"`
}

// eventFromRow is eventFromNext for a full event row and its chat.
func eventFromRow(e dbsqlc.BridgeEvent, c dbsqlc.Chat) (event, error) {
	return eventFromNext(dbsqlc.BridgeDeliverableEvent{
		ID: e.ID, ChatID: e.ChatID, StoredStatus: e.Status, PublicID: e.PublicID, IntegrationID: e.IntegrationID, ApiVersion: e.ApiVersion, Type: e.Type,
		Message: e.Message, Extra: e.Extra, Action: e.Action, Reason: e.Reason, Status: e.Status, Outcome: e.Outcome,
		Attempts: e.Attempts, NextAttemptAt: e.NextAttemptAt, Calls: e.Calls, CallsDone: e.CallsDone, ReceivedAt: e.ReceivedAt,
		ProjectID: c.ProjectID, PlatformChatID: c.PlatformChatID, PlatformChatIDQuoted: c.PlatformChatIDQuoted,
		VisitorID: c.VisitorID, VisitorName: c.VisitorName, VisitorPhone: c.VisitorPhone, VisitorEmail: c.VisitorEmail,
	})
}

// eventFromNext decodes an event as the worker reads it
// (bridge_deliverable_events: NextChatEvent, FinishCallNext).
func eventFromNext(e dbsqlc.BridgeDeliverableEvent) (event, error) {
	ev := event{
		ID: e.ID, ChatID: e.ChatID, PublicID: e.PublicID, IntegrationID: e.IntegrationID, ProjectID: e.ProjectID,
		PlatformChatID: e.PlatformChatID, ChatQuoted: e.PlatformChatIDQuoted,
		Visitor: webim.Visitor{ID: e.VisitorID, Name: e.VisitorName, Phone: e.VisitorPhone, Email: e.VisitorEmail},
		Version: e.ApiVersion, Type: e.Type, Action: e.Action, Reason: e.Reason, Status: Status(e.Status), Outcome: Outcome(e.Outcome),
		Attempts: int(e.Attempts), NextAttemptAt: e.NextAttemptAt, CallsDone: int(e.CallsDone), ReceivedAt: e.ReceivedAt,
		IntegrationVersion: e.IntegrationVersion, BotVersion: e.BotVersion,
	}
	if len(e.Message) > 0 {
		ev.Message = &botapi.Message{}
		if err := json.Unmarshal(e.Message, ev.Message); err != nil {
			return event{}, fmt.Errorf("bridge: decode message of event %d: %w", e.ID, err)
		}
	}
	if len(e.Extra) > 0 {
		if err := json.Unmarshal(e.Extra, &ev.Extra); err != nil {
			return event{}, fmt.Errorf("bridge: decode event %d: %w", e.ID, err)
		}
	}
	if len(e.Calls) > 0 {
		if err := json.Unmarshal(e.Calls, &ev.Calls); err != nil {
			return event{}, fmt.Errorf("bridge: decode calls of event %d: %w", e.ID, err)
		}
	}
	if e.ReplyKept {
		// The process stopped between the bot's answer and the event's
		// first Webim call: the query gave the calls its bot call kept, and
		// the event resumes at them without asking the bot again. Its
		// attempts counted the bot's.
		ev.ReplyKept, ev.CallsDone, ev.Attempts = true, 0, 0
	}
	return ev, nil
}

// delivered is what deliver did: how long to wait before trying the
// event again (0 when it is finished, done or failed), and, when its last
// statement also read the chat's next event (known), that event (ok
// false: none is left).
type delivered struct {
	wait  time.Duration
	next  event
	ok    bool
	known bool
}

// deliver advances one event as far as it can. An error is infrastructure
// trouble (database), which River retries.
func (e *Engine) deliver(ctx context.Context, conn db.Conn, run *chatRun, ev event) (delivered, error) {
	integ, err := run.integration(ctx, conn, ev)
	if errors.Is(err, apperr.ErrNotFound) {
		return delivered{}, e.fail(ctx, conn, &ev, "integration not found")
	}
	if err != nil {
		return delivered{}, err // the database: River retries the job
	}
	if ev.Status == StatusPending {
		wait, err := e.askBot(ctx, conn, run, integ, &ev)
		if err != nil || wait > 0 || ev.Status != StatusReplied {
			return delivered{wait: wait}, err
		}
	}
	return e.callWebim(ctx, conn, run, integ, &ev)
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
		Messages:    ev.Extra.Messages,
		Operator:    ev.Extra.Operator,
		Action:      ev.Action,
		Reason:      ev.Reason,
	}
}

// askBot delivers ev to the bot and stores the Webim calls its reply
// becomes; when the bot cannot be reached after its retries, the fallback.
func (e *Engine) askBot(ctx context.Context, conn db.Conn, run *chatRun, integ integration.Integration, ev *event) (time.Duration, error) {
	bot, ok, err := run.botEndpoint(ctx, conn, e, *ev)
	if secretUnreadable(err) {
		// A configuration problem (SECRET_KEY rotated without SECRET_KEY_OLD):
		// retrying cannot help, the visitor still needs a person.
		return 0, e.fallback(ctx, conn, integ, ev, integration.Bot{}, "cannot read the bot's signing secret: "+err.Error())
	}
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, e.fallback(ctx, conn, integ, ev, integration.Bot{}, "the project has no bot endpoint configured")
	}
	attempts := ev.Attempts + 1
	reply, call, callErr := e.callBot(ctx, bot, *ev, attempts)
	if callErr != nil {
		e.record(ctx, conn, call)
		var se *botapi.StatusError
		if errors.As(callErr, &se) && se.Permanent() {
			return 0, e.fallback(ctx, conn, integ, ev, bot, "the bot refused the event: "+callErr.Error())
		}
		if attempts >= e.Retry.BotAttempts {
			return 0, e.fallback(ctx, conn, integ, ev, bot, "bot unreachable after "+strconv.Itoa(attempts)+" attempts: "+callErr.Error())
		}
		var hint time.Duration
		if se != nil {
			hint = se.RetryAfter
		}
		return e.retryLater(ctx, conn, ev, targetBot, attempts, callErr.Error(), hint)
	}
	if ev.Type == botapi.TypeActionFailed && reply.Action != nil && reply.Action.Type == botapi.ActionSendDataToOperator {
		// Asking again for what just failed would loop for ever.
		reply.Action = nil
	}
	var operatorData []byte
	if a := reply.Action; a != nil && a.Type == botapi.ActionSendDataToOperator && len(a.Data) > 0 {
		// Webim has no way to take it: kept with the event, so a person can
		// still find it in the activity log.
		operatorData = a.Data
	}
	plan, err := e.translate(ctx, conn, integ, *ev, reply)
	if err != nil {
		e.record(ctx, conn, call)
		return 0, e.fail(ctx, conn, ev, "cannot translate the bot's reply: "+err.Error())
	}
	planned, stored, err := encodeCalls(plan.Calls)
	if err != nil {
		return 0, err
	}
	raw, err := json.Marshal(reply)
	if err != nil {
		return 0, fmt.Errorf("bridge: encode reply: %w", err)
	}
	outcome := outcomeOf(reply, plan)
	var notes []byte
	if len(plan.Notes) > 0 {
		if notes, err = json.Marshal(plan.Notes); err != nil {
			return 0, fmt.Errorf("bridge: encode notes: %w", err)
		}
	}
	// The call that got the reply is recorded with it in one statement: a
	// reply with Webim calls to make is kept with the call's record alone
	// (the event's row takes it with the first call's progress), and a
	// reply that needs no Webim call ends the event.
	done := len(planned) == 0
	store := dbsqlc.StoreReplyCallParams{ID: ev.ID, Done: done, BotReply: raw, Calls: stored,
		Outcome: string(outcome), Notes: notes, OperatorData: operatorData,
		Method: call.Method, Attempt: call.Attempt, StatusCode: call.StatusCode, DurationMs: call.DurationMs}
	kept := len(plan.Unsupported) == 0 && !done
	switch {
	case kept:
		err = dbsqlc.New(conn).RecordReplyCall(ctx, dbsqlc.RecordReplyCallParams{EventID: ev.ID,
			Method: call.Method, Attempt: call.Attempt, StatusCode: call.StatusCode, DurationMs: call.DurationMs,
			BotReply: raw, Calls: stored, Outcome: string(outcome), Notes: notes, OperatorData: operatorData})
	case len(plan.Unsupported) == 0:
		err = dbsqlc.New(conn).StoreReplyCall(ctx, store)
	default:
		err = db.InTx(ctx, conn, func(tx pgx.Tx) error {
			q := dbsqlc.New(tx)
			for _, action := range plan.Unsupported {
				// The bot's scenario takes its error transition: it gets an
				// action.failed event, delivered after this one.
				if err := q.InsertActionFailed(ctx, dbsqlc.InsertActionFailedParams{
					PublicID: newPublicID(), IntegrationID: ev.IntegrationID, ChatID: ev.ChatID,
					DedupKey: "failed:" + ev.PublicID + ":" + action, ApiVersion: ev.Version,
					Type: botapi.TypeActionFailed, Action: action, Reason: botapi.ReasonUnsupportedByPlatform,
				}); err != nil {
					return fmt.Errorf("bridge: store action.failed: %w", err)
				}
			}
			return q.StoreReplyCall(ctx, store)
		})
	}
	if err != nil {
		return 0, fmt.Errorf("bridge: store reply: %w", err)
	}
	ev.Outcome, ev.ReplyKept = outcome, kept
	ev.Status, ev.Calls, ev.CallsDone, ev.Attempts = StatusReplied, planned, 0, 0
	if done {
		ev.Status = StatusDone
		e.Metrics.finishedEvent(StatusDone, ev.Outcome)
	}
	return 0, nil
}

// translate turns the bot's reply into the Webim calls for ev's chat
// (PlanReply). The account's release is looked up only when a transfer
// needs it.
func (e *Engine) translate(ctx context.Context, q db.DBTX, integ integration.Integration, ev event, reply botapi.Response) (webim.Plan, error) {
	chat, err := webim.NewChatRef(ev.PlatformChatID, ev.ChatQuoted)
	if err != nil {
		return webim.Plan{}, err
	}
	var version string
	if a := reply.Action; a != nil && a.Type == botapi.ActionTransfer {
		if version, err = dbsqlc.New(q).LatestWebimVersion(ctx, integ.ID); err != nil {
			return webim.Plan{}, fmt.Errorf("bridge: webim version: %w", err)
		}
	}
	return PlanReply(reply, chat, integ, ev.Type, version)
}

// outcomeOf summarises what a reply does, for the activity log.
func outcomeOf(reply botapi.Response, plan webim.Plan) Outcome {
	switch {
	case len(plan.Calls) == 0 && len(plan.Unsupported) == 0:
		return OutcomeNothing
	case reply.Action != nil && reply.Action.Type == botapi.ActionTransfer:
		return OutcomeTransferred
	case reply.Action != nil && reply.Action.Type == botapi.ActionClose:
		return OutcomeClosed
	case len(plan.Unsupported) > 0:
		return OutcomeUnsupported
	}
	return OutcomeReplied
}

// fallback replaces the bot's answer: the fallback text, then a transfer to
// the integration's target, so no visitor is left talking to a dead bot.
func (e *Engine) fallback(ctx context.Context, q db.DBTX, integ integration.Integration, ev *event, bot integration.Bot, why string) error {
	e.log().Warn("bridge: bot fallback", slog.Int64("event_id", ev.ID), slog.String("reason", why))
	chatID, err := webim.NewChatRef(ev.PlatformChatID, ev.ChatQuoted)
	if err != nil {
		return e.fail(ctx, q, ev, why)
	}
	text := bot.FallbackText
	if text == "" {
		text = DefaultFallbackText
	}
	var calls []webim.Call
	if visitorFacing(ev.Type) {
		calls = append(calls, webim.NewTextMessage(chatID, text), webim.NewRedirect(chatID, integ.WebimTarget()))
	}
	planned, stored, err := encodeCalls(calls)
	if err != nil {
		return err
	}
	if err := dbsqlc.New(q).StoreReply(ctx, dbsqlc.StoreReplyParams{ID: ev.ID, Calls: stored,
		LastError: clip.Text(why, maxErrorRunes), Outcome: string(OutcomeFallback)}); err != nil {
		return fmt.Errorf("bridge: store fallback: %w", err)
	}
	ev.Outcome = OutcomeFallback
	ev.Status, ev.Calls, ev.CallsDone, ev.Attempts = StatusReplied, planned, 0, 0
	return nil
}

// visitorFacing reports whether an event of type typ is a visitor's turn
// that the fallback must answer. An action.failed follows a turn already
// answered; chat.assigned and chat.closed come when the bot no longer
// holds the chat.
func visitorFacing(typ string) bool {
	switch typ {
	case botapi.TypeActionFailed, botapi.TypeChatAssigned, botapi.TypeChatClosed:
		return false
	}
	return true
}

// chatStateAfter is the state a chat is in once call succeeded: handed
// over by a redirect or a close, unchanged ("") otherwise.
func chatStateAfter(call storedCall) ChatState {
	switch call.Method {
	case webim.MethodRedirectChat:
		return ChatTransferred
	case webim.MethodCloseChat:
		return ChatClosed
	}
	return ""
}

// callWebim makes the event's remaining Webim calls in order, recording
// progress after each so a retry never repeats a call that succeeded. The
// statement recording the last one also ends the event and reads the
// chat's next event.
func (e *Engine) callWebim(ctx context.Context, conn db.Conn, run *chatRun, integ integration.Integration, ev *event) (delivered, error) {
	if len(ev.Calls) > ev.CallsDone && !integ.CanSend() {
		return delivered{}, e.fail(ctx, conn, ev, "the integration is disabled or unhealthy; fix it in Settings, then retry")
	}
	q := dbsqlc.New(conn)
	if ev.CallsDone >= len(ev.Calls) {
		// Replied with every call made (a crash after the last one was
		// recorded cannot leave this; a reply with no calls was ended
		// when stored): end it.
		if err := q.FinishEvent(ctx, ev.ID); err != nil {
			return delivered{}, fmt.Errorf("bridge: finish event: %w", err)
		}
		e.Metrics.finishedEvent(StatusDone, ev.Outcome)
		return delivered{}, nil
	}
	for ev.CallsDone < len(ev.Calls) {
		token, err := run.webimToken(e, integ)
		if err != nil {
			return delivered{}, e.fail(ctx, conn, ev, "cannot read the integration's token: "+err.Error())
		}
		c := ev.Calls[ev.CallsDone]
		call, err := e.sendWebim(ctx, integ, token, *ev, c, ev.Attempts+1)
		var apiErr *webim.APIError
		switch {
		case err == nil:
			last := ev.CallsDone+1 == len(ev.Calls)
			row, err := q.FinishCallNext(ctx, dbsqlc.FinishCallNextParams{EventID: ev.ID, ChatID: ev.ChatID, Last: last,
				Method: call.Method, Attempt: call.Attempt, StatusCode: call.StatusCode, DurationMs: call.DurationMs,
				ChatState: string(chatStateAfter(c)), StoreReply: ev.ReplyKept})
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return delivered{}, fmt.Errorf("bridge: record progress: %w", err)
			}
			ev.ReplyKept = false
			ev.CallsDone++
			ev.Attempts = 0
			if !last {
				continue
			}
			e.Metrics.finishedEvent(StatusDone, ev.Outcome)
			if errors.Is(err, pgx.ErrNoRows) {
				return delivered{known: true}, nil
			}
			next, err := eventFromNext(row)
			if err != nil {
				return delivered{}, err
			}
			return delivered{next: next, ok: true, known: true}, nil
		case errors.Is(err, webim.ErrUnauthorized):
			e.record(ctx, conn, call)
			run.unhealthy()
			return delivered{}, e.unhealthy(ctx, conn, integ, ev, err)
		case errors.As(err, &apiErr) && !apiErr.Retryable:
			e.record(ctx, conn, call)
			return delivered{}, e.fail(ctx, conn, ev, err.Error())
		default:
			e.record(ctx, conn, call)
			attempts := ev.Attempts + 1
			if attempts >= e.Retry.WebimAttempts {
				return delivered{}, e.fail(ctx, conn, ev, "Webim call failed "+strconv.Itoa(attempts)+" times: "+err.Error())
			}
			var hint time.Duration
			if apiErr != nil {
				hint = apiErr.RetryAfter
			}
			wait, err := e.retryLater(ctx, conn, ev, targetWebim, attempts, err.Error(), hint)
			return delivered{wait: wait}, err
		}
	}
	return delivered{}, nil
}

// unhealthy stops work on a token Webim refused: the integration is
// flagged (owners are told once, in the same transaction) and the event
// fails visibly so it can be retried after the token is fixed.
func (e *Engine) unhealthy(ctx context.Context, conn db.Conn, integ integration.Integration, ev *event, cause error) error {
	reason := "Webim refused the Auth token (" + cause.Error() + ")"
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		changed, err := integration.MarkUnhealthy(ctx, tx, integ.ID, reason)
		if err != nil {
			return err
		}
		if changed && e.Notify != nil {
			if err := e.Notify(ctx, tx, integ, reason); err != nil {
				return err
			}
		}
		if err := e.keepReply(ctx, tx, ev); err != nil {
			return err
		}
		return dbsqlc.New(tx).FailEvent(ctx, dbsqlc.FailEventParams{ID: ev.ID, LastError: clip.Text(reason, maxErrorRunes)})
	})
	if err != nil {
		return fmt.Errorf("bridge: mark unhealthy: %w", err)
	}
	e.Metrics.finishedEvent(StatusFailed, ev.Outcome)
	e.log().Warn("bridge: integration unhealthy", slog.Int64("integration_id", integ.ID), slog.String("reason", reason))
	return nil
}

// retryLater records a failed attempt and when to try again.
func (e *Engine) retryLater(ctx context.Context, q db.DBTX, ev *event, target string, attempts int, msg string, hint time.Duration) (time.Duration, error) {
	e.Metrics.retry(target)
	wait := max(e.Retry.Delay(attempts), hint)
	next := e.now().Add(wait)
	if err := e.keepReply(ctx, q, ev); err != nil {
		return 0, err
	}
	if err := dbsqlc.New(q).ScheduleRetry(ctx, dbsqlc.ScheduleRetryParams{ID: ev.ID, Attempts: int32(attempts),
		NextAttemptAt: &next, LastError: clip.Text(msg, maxErrorRunes)}); err != nil {
		return 0, fmt.Errorf("bridge: record retry: %w", err)
	}
	return wait, nil
}

// fail ends an event in the visible failed state (the activity log offers Retry).
func (e *Engine) fail(ctx context.Context, q db.DBTX, ev *event, msg string) error {
	e.log().Warn("bridge: event failed", slog.Int64("event_id", ev.ID), slog.String("error", clip.Text(msg, maxErrorRunes)))
	if err := e.keepReply(ctx, q, ev); err != nil {
		return err
	}
	if err := dbsqlc.New(q).FailEvent(ctx, dbsqlc.FailEventParams{ID: ev.ID, LastError: clip.Text(msg, maxErrorRunes)}); err != nil {
		return fmt.Errorf("bridge: mark failed: %w", err)
	}
	e.Metrics.finishedEvent(StatusFailed, ev.Outcome)
	return nil
}

// keepReply gives the event's row the reply that only its bot call kept,
// before a failure or a retry is recorded on it: a failed event keeps what
// the bot said, and Retry repeats only the Webim calls.
func (e *Engine) keepReply(ctx context.Context, q db.DBTX, ev *event) error {
	if !ev.ReplyKept {
		return nil
	}
	if err := dbsqlc.New(q).StoreKeptReply(ctx, ev.ID); err != nil {
		return fmt.Errorf("bridge: store reply: %w", err)
	}
	ev.ReplyKept = false
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
