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

// callBot sends ev to the bot and returns its parsed reply. Every attempt
// is recorded in bridge_calls with its result.
func (e *Engine) callBot(ctx context.Context, q db.DBTX, bot integration.Bot, ev event, attempt int) (botapi.Response, error) {
	body, err := json.Marshal(botEvent(ev))
	if err != nil {
		return botapi.Response{}, fmt.Errorf("bridge: encode bot event: %w", err)
	}
	start := time.Now()
	reply, status, err := e.Bots.Send(ctx, endpointOf(bot), ev.PublicID, body)
	e.record(ctx, q, ev.ID, targetBot, ev.Type, attempt, status, err, time.Since(start))
	return reply, err
}

// sendWebim makes one stored Webim call with the integration's token and
// records it.
func (e *Engine) sendWebim(ctx context.Context, q db.DBTX, integ integration.Integration, token string, ev event, c storedCall, attempt int) error {
	start := time.Now()
	status, err := e.Webim.Send(ctx, integ.Domain, token, webim.Call{Method: c.Method, Body: c.Body})
	e.record(ctx, q, ev.ID, targetWebim, c.Method, attempt, status, err, time.Since(start))
	return err
}

// record stores one outbound call's outcome; a failure to record is
// logged, never allowed to stop delivery.
func (e *Engine) record(ctx context.Context, q db.DBTX, eventID int64, target, method string, attempt, status int, callErr error, took time.Duration) {
	e.Metrics.call(target, status, callErr, took)
	msg := ""
	if callErr != nil {
		msg = clip.Text(callErr.Error(), maxErrorRunes)
	}
	if err := dbsqlc.New(q).InsertCall(ctx, dbsqlc.InsertCallParams{
		EventID: eventID, Target: target, Method: method, Attempt: int32(attempt), StatusCode: int32(status),
		Ok: callErr == nil, Error: msg, DurationMs: int32(took / time.Millisecond),
	}); err != nil {
		e.log().Warn("bridge: record call", "event_id", eventID, "error", err)
	}
}
