package bridge

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
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
func (e *Engine) AnswerV1(ctx context.Context, key string, ev webim.Event) (webim.V1Answer, error) {
	integ, err := integration.LookupByWebhookKey(ctx, e.Pool, key)
	if err != nil {
		return webim.V1Answer{}, err
	}
	hash, err := integration.WebhookKeyHash(key)
	if err != nil {
		return webim.V1Answer{}, err
	}
	r := &ingestReq{keyHash: hash, ev: ev}
	if err := e.storeInTx(ctx, []*ingestReq{r}, false); err != nil {
		return webim.V1Answer{}, err
	}
	if r.err != nil {
		return webim.V1Answer{}, r.err
	}
	e.noteSeen(ctx, hash, ev.Name, ev.WebimVersion)
	res := r.res
	if res.Stored == 0 {
		return e.replayV1(ctx, integ, ev)
	}
	answer := webim.V1Answer{HasAnswer: true, Messages: []webim.OutMessage{}}
	bot, ok, err := botEndpoint(ctx, e.Pool, e, integ.ProjectID)
	if err != nil {
		return webim.V1Answer{}, err
	}
	q := dbsqlc.New(e.Pool)
	for i, id := range res.EventIDs {
		row, err := q.GetEvent(ctx, id)
		if err != nil {
			return webim.V1Answer{}, fmt.Errorf("bridge: reload event %d: %w", id, err)
		}
		ev, err := eventFromRow(row.BridgeEvent, row.Chat)
		if err != nil {
			return webim.V1Answer{}, err
		}
		if !ok {
			_ = e.fail(ctx, e.Pool, &ev, "the project has no bot endpoint configured; handed to the queue")
			return e.handedOver(ctx, res.EventIDs[i+1:])
		}
		reply, call, err := e.callBot(ctx, bot, ev, 1)
		e.record(ctx, e.Pool, call)
		if err != nil {
			_ = e.fail(ctx, e.Pool, &ev, "bot unreachable, chat handed to the queue: "+err.Error())
			return e.handedOver(ctx, res.EventIDs[i+1:])
		}
		a := webim.TranslateV1(reply)
		outcome := OutcomeReplied
		if !a.HasAnswer {
			outcome = OutcomeTransferred
		}
		raw, err := json.Marshal(reply)
		if err != nil {
			return webim.V1Answer{}, fmt.Errorf("bridge: encode reply: %w", err)
		}
		if err := q.FinishV1Event(ctx, dbsqlc.FinishV1EventParams{ID: ev.ID, Outcome: string(outcome), BotReply: raw}); err != nil {
			return webim.V1Answer{}, fmt.Errorf("bridge: finish event: %w", err)
		}
		e.Metrics.finishedEvent(StatusDone, outcome)
		if !a.HasAnswer {
			return e.handedOver(ctx, res.EventIDs[i+1:])
		}
		answer.Messages = append(answer.Messages, a.Messages...)
	}
	return answer, nil
}

// handedOver closes the events after the one that handed the chat to the
// queue: the bot will not see them (1.0 cannot answer and transfer at once),
// and leaving them pending would block nothing but confuse the activity log.
func (e *Engine) handedOver(ctx context.Context, rest []int64) (webim.V1Answer, error) {
	if len(rest) > 0 {
		if err := dbsqlc.New(e.Pool).CloseHandedOver(ctx, rest); err != nil {
			return webim.V1Answer{}, fmt.Errorf("bridge: close events: %w", err)
		}
	}
	return webim.V1Answer{HasAnswer: false}, nil
}

// replayV1 rebuilds the answer of an already stored 1.0 delivery from the
// bot replies kept with its events.
func (e *Engine) replayV1(ctx context.Context, integ integration.Integration, ev webim.Event) (webim.V1Answer, error) {
	keys := []string{}
	for _, p := range eventsOf(ev) {
		keys = append(keys, p.dedup)
	}
	rows, err := dbsqlc.New(e.Pool).ListReplayV1(ctx, dbsqlc.ListReplayV1Params{IntegrationID: integ.ID, DedupKeys: keys})
	if err != nil {
		return webim.V1Answer{}, fmt.Errorf("bridge: replay: %w", err)
	}
	answer := webim.V1Answer{HasAnswer: true, Messages: []webim.OutMessage{}}
	for _, row := range rows {
		if Status(row.Status) == StatusFailed || Outcome(row.Outcome) == OutcomeTransferred {
			return webim.V1Answer{HasAnswer: false}, nil
		}
		if len(row.BotReply) == 0 {
			continue // still being answered by the first delivery, or nothing to say
		}
		var reply botapi.Response
		if err := json.Unmarshal(row.BotReply, &reply); err != nil {
			return webim.V1Answer{}, fmt.Errorf("bridge: replay: %w", err)
		}
		answer.Messages = append(answer.Messages, webim.TranslateV1(reply).Messages...)
	}
	return answer, nil
}
