package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/clip"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/webim"
)

// Call targets, as recorded in bridge_calls.target.
const (
	targetBot   = "bot"
	targetWebim = "webim"
)

func endpointOf(b integration.Bot) botapi.Endpoint {
	return botapi.Endpoint{URL: b.URL, Timeout: b.Timeout, Secrets: b.Secrets}
}

// callBot sends ev to the bot and returns its parsed reply and the
// attempt's record, which the caller stores (with the reply when it
// succeeded: one statement).
func (e *Engine) callBot(ctx context.Context, bot integration.Bot, ev event, attempt int) (botapi.Response, dbsqlc.InsertCallParams, error) {
	body, err := json.Marshal(botEvent(ev))
	if err != nil {
		return botapi.Response{}, dbsqlc.InsertCallParams{}, fmt.Errorf("bridge: encode bot event: %w", err)
	}
	start := time.Now()
	reply, status, err := e.Bots.Send(ctx, endpointOf(bot), ev.PublicID, body)
	return reply, e.callRecord(ev.ID, targetBot, ev.Type, attempt, status, err, time.Since(start)), err
}

// sendWebim makes one stored Webim call with the integration's token and
// returns the attempt's record, which the caller stores.
func (e *Engine) sendWebim(ctx context.Context, integ integration.Integration, token string, ev event, c storedCall, attempt int) (dbsqlc.InsertCallParams, error) {
	start := time.Now()
	status, err := e.Webim.Send(ctx, integ.Domain, token, webim.Call{Method: c.Method, Body: c.Body})
	return e.callRecord(ev.ID, targetWebim, c.Method, attempt, status, err, time.Since(start)), err
}

// callRecord counts one outbound call in the metrics and returns its row
// for bridge_calls.
func (e *Engine) callRecord(eventID int64, target, method string, attempt, status int, callErr error, took time.Duration) dbsqlc.InsertCallParams {
	e.Metrics.call(target, status, callErr, took)
	msg := ""
	if callErr != nil {
		msg = clip.Text(callErr.Error(), maxErrorRunes)
	}
	return dbsqlc.InsertCallParams{
		EventID: eventID, Target: target, Method: method, Attempt: int32(attempt), StatusCode: int32(status),
		Ok: callErr == nil, Error: msg, DurationMs: int32(took / time.Millisecond),
	}
}

// record stores one outbound call's record on its own; a failure to
// record is logged, never allowed to stop delivery.
func (e *Engine) record(ctx context.Context, q db.DBTX, call dbsqlc.InsertCallParams) {
	if err := dbsqlc.New(q).InsertCall(ctx, call); err != nil {
		e.log().Warn("bridge: record call", "event_id", call.EventID, "error", err)
	}
}
