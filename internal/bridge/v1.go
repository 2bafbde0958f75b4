package bridge

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/webim"
)

// AnswerV1 serves the legacy synchronous Bot API: the events are stored
// (deduplicated) like any other, the bot is called inline within its reply
// timeout, and the answer goes back in the webhook's response body. When
// the bot cannot answer, the chat is handed to the queue (has_answer:
// false), the only transfer 1.0 knows. A redelivery of the same message
// gets the stored answer again, so a Webim retry never loses the reply. A
// key of no integration accepting webhooks is apperr.ErrNotFound.
func (e *Engine) AnswerV1(ctx context.Context, conn db.Conn, key string, ev webim.Event) (webim.V1Answer, error) {
	integ, err := e.Dir.ByWebhookKey(ctx, conn, key)
	if err != nil {
		return webim.V1Answer{}, err
	}
	hash, err := integration.WebhookKeyHash(key)
	if err != nil {
		return webim.V1Answer{}, err
	}
	res, err := e.ingestOne(ctx, conn, &ingestReq{keyHash: hash, ev: ev}, false)
	if err != nil {
		return webim.V1Answer{}, err
	}
	if res.Stored == 0 {
		return e.replayV1(ctx, conn, integ, ev)
	}
	answer := webim.V1Answer{HasAnswer: true, Messages: []webim.OutMessage{}}
	bot, ok, err := e.Dir.Bot(ctx, conn, integ.ProjectID)
	if err != nil {
		return webim.V1Answer{}, err
	}
	for i, id := range res.EventIDs {
		ev, found, err := scanEvent(conn.QueryRow(ctx, eventSelect+` WHERE e.id = $1`, id))
		if err != nil || !found {
			return webim.V1Answer{}, fmt.Errorf("bridge: reload event %d: %w", id, err)
		}
		if !ok {
			_ = e.fail(ctx, conn, &ev, "the project has no bot endpoint configured; handed to the queue")
			return e.handedOver(ctx, conn, res.EventIDs[i+1:])
		}
		reply, err := e.callBot(ctx, conn, bot, ev, 1)
		if err != nil {
			_ = e.fail(ctx, conn, &ev, "bot unreachable, chat handed to the queue: "+err.Error())
			return e.handedOver(ctx, conn, res.EventIDs[i+1:])
		}
		a := webim.TranslateV1(reply)
		outcome := "replied"
		if !a.HasAnswer {
			outcome = "transferred"
		}
		raw, _ := json.Marshal(reply)
		if _, err := conn.Exec(ctx, `UPDATE bridge_events SET status = 'done', outcome = $2, bot_reply = $3, attempts = 1, processed_at = now() WHERE id = $1`,
			ev.ID, outcome, raw); err != nil {
			return webim.V1Answer{}, fmt.Errorf("bridge: finish event: %w", err)
		}
		if !a.HasAnswer {
			return e.handedOver(ctx, conn, res.EventIDs[i+1:])
		}
		answer.Messages = append(answer.Messages, a.Messages...)
	}
	return answer, nil
}

// handedOver closes the events after the one that handed the chat to the
// queue: the bot will not see them (1.0 cannot answer and transfer at once),
// and leaving them pending would block nothing but confuse the activity log.
func (e *Engine) handedOver(ctx context.Context, conn db.DBTX, rest []int64) (webim.V1Answer, error) {
	if len(rest) > 0 {
		if _, err := conn.Exec(ctx, `UPDATE bridge_events SET status = 'done', outcome = 'nothing', processed_at = now(),
			last_error = 'not sent to the bot: the chat was handed to the queue' WHERE id = ANY($1)`, rest); err != nil {
			return webim.V1Answer{}, fmt.Errorf("bridge: close events: %w", err)
		}
	}
	return webim.V1Answer{HasAnswer: false}, nil
}

// replayV1 rebuilds the answer of an already stored 1.0 delivery from the
// bot replies kept with its events.
func (e *Engine) replayV1(ctx context.Context, conn db.DBTX, integ Integration, ev webim.Event) (webim.V1Answer, error) {
	keys := []string{}
	for _, p := range eventsOf(ev) {
		keys = append(keys, p.dedup)
	}
	rows, err := conn.Query(ctx, `SELECT status, outcome, bot_reply FROM bridge_events WHERE integration_id = $1 AND dedup_key = ANY($2) ORDER BY id`, integ.ID, keys)
	if err != nil {
		return webim.V1Answer{}, fmt.Errorf("bridge: replay: %w", err)
	}
	defer rows.Close()
	answer := webim.V1Answer{HasAnswer: true, Messages: []webim.OutMessage{}}
	for rows.Next() {
		var status, outcome string
		var raw []byte
		if err := rows.Scan(&status, &outcome, &raw); err != nil {
			return webim.V1Answer{}, fmt.Errorf("bridge: replay: %w", err)
		}
		if status == "failed" || outcome == "transferred" {
			return webim.V1Answer{HasAnswer: false}, nil
		}
		if len(raw) == 0 {
			continue // still being answered by the first delivery, or nothing to say
		}
		var reply botapi.Response
		if err := json.Unmarshal(raw, &reply); err != nil {
			return webim.V1Answer{}, fmt.Errorf("bridge: replay: %w", err)
		}
		answer.Messages = append(answer.Messages, webim.TranslateV1(reply).Messages...)
	}
	return answer, rows.Err()
}
