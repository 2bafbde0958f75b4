package bridge

import (
	"context"
	"fmt"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/webim"
)

// AnswerV1 serves the legacy synchronous Bot API: the events are stored
// (deduplicated) like any other, the bot is called inline within its reply
// timeout, and the answer goes back in the webhook's response body. When
// the bot cannot answer, the chat is handed to the queue (has_answer:
// false), the only transfer 1.0 knows.
func (e *Engine) AnswerV1(ctx context.Context, conn db.Conn, integ Integration, ev webim.Event) (webim.V1Answer, error) {
	res, err := e.ingest(ctx, conn, integ, ev, false)
	if err != nil {
		return webim.V1Answer{}, err
	}
	answer := webim.V1Answer{HasAnswer: true, Messages: []webim.OutMessage{}}
	if res.Stored == 0 {
		return answer, nil // a redelivery: it was answered the first time
	}
	bot, ok, err := e.Dir.Bot(ctx, conn, integ.ProjectID)
	if err != nil {
		return webim.V1Answer{}, err
	}
	for _, id := range res.EventIDs {
		ev, found, err := scanEvent(conn.QueryRow(ctx, eventSelect+` WHERE e.id = $1`, id))
		if err != nil || !found {
			return webim.V1Answer{}, fmt.Errorf("bridge: reload event %d: %w", id, err)
		}
		if !ok {
			_ = e.fail(ctx, conn, &ev, "the project has no bot endpoint configured; handed to the queue")
			return webim.V1Answer{HasAnswer: false}, nil
		}
		reply, err := e.callBot(ctx, conn, bot, ev, 1)
		if err != nil {
			_ = e.fail(ctx, conn, &ev, "bot unreachable, chat handed to the queue: "+err.Error())
			return webim.V1Answer{HasAnswer: false}, nil
		}
		a := webim.TranslateV1(reply)
		outcome := "replied"
		if !a.HasAnswer {
			outcome = "transferred"
		}
		if _, err := conn.Exec(ctx, `UPDATE bridge_events SET status = 'done', outcome = $2, attempts = 1, processed_at = now() WHERE id = $1`, ev.ID, outcome); err != nil {
			return webim.V1Answer{}, fmt.Errorf("bridge: finish event: %w", err)
		}
		if !a.HasAnswer {
			return a, nil
		}
		answer.Messages = append(answer.Messages, a.Messages...)
	}
	return answer, nil
}
