package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/webim"
)

// ErrBadCredentials: a chat events call without the integration's Basic
// credentials (the handler answers 401 and stores nothing).
var ErrBadCredentials = errors.New("bridge: chat events: wrong credentials")

// seenKindOther is how chat events of a name botbridge does not know are
// recorded.
const seenKindOther = "other"

// ChatEventStored says what a chat events call stored.
type ChatEventStored struct {
	// EventID is the stored event (0 when nothing was stored: a duplicate,
	// an event of no known kind, or one naming no chat).
	EventID int64
	// Forwarded: the bot will be told (chat.assigned, chat.closed).
	Forwarded bool
	// Ignored: recorded as seen, nothing to store (a name botbridge does
	// not know, or no chat named).
	Ignored bool
}

// IngestChatEvent stores a call of the Webim account's chat event handlers
// at the integration's chat events URL, authenticated by its Basic
// credentials, and queues chat.assigned and chat.closed for the bot in the
// chat's order. chat_started is kept (raw) but not forwarded: the bot hears
// of new chats through new_chat. integ is the integration whose webhook
// key the URL holds (Engine.Integration); wrong or missing credentials are
// ErrBadCredentials.
func (e *Engine) IngestChatEvent(ctx context.Context, integ integration.Integration, user, password string, ev webim.ChatEvent, webimVersion string) (ChatEventStored, error) {
	if !integ.ChatEventsAuthorized(user, password) {
		return ChatEventStored{}, ErrBadCredentials
	}
	typ, status := "", StatusPending
	switch ev.Name {
	case webim.ChatEventAssigned:
		typ = botapi.TypeChatAssigned
	case webim.ChatEventClosed:
		typ = botapi.TypeChatClosed
	case webim.ChatEventStarted:
		typ, status = "webim."+webim.ChatEventStarted, StatusDone
	}
	var out ChatEventStored
	err := db.InTx(ctx, e.Pool, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		kind := ev.Name
		if typ == "" {
			kind = seenKindOther
		}
		if err := q.TouchIntegrationSeen(ctx, dbsqlc.TouchIntegrationSeenParams{
			IntegrationID: integ.ID, Kind: kind, WebimVersion: webimVersion}); err != nil {
			return fmt.Errorf("bridge: chat events seen: %w", err)
		}
		if typ == "" || ev.ChatID == "" {
			out.Ignored = true
			return nil
		}
		chatID, err := q.UpsertChat(ctx, dbsqlc.UpsertChatParams{IntegrationID: integ.ID, ProjectID: integ.ProjectID,
			PlatformChatID: ev.ChatID, PlatformChatIDQuoted: ev.ChatIDQuoted})
		if err != nil {
			return fmt.Errorf("bridge: chat events chat: %w", err)
		}
		var extra []byte
		if ev.OperatorID != "" || ev.OperatorName != "" {
			extra, _ = json.Marshal(eventExtra{Operator: &botapi.Operator{ID: ev.OperatorID, Name: ev.OperatorName}})
		}
		outcome := ""
		if status == StatusDone {
			outcome = string(OutcomeNothing)
		}
		id, err := q.InsertChatEvent(ctx, dbsqlc.InsertChatEventParams{
			PublicID: newPublicID(), IntegrationID: integ.ID, ChatID: chatID,
			DedupKey: "chatevent:" + ev.Name + ":" + ev.ChatID + ":sha256:" + ev.BodyHash, Type: typ,
			Extra: extra, Raw: ev.Raw, Status: string(status), Outcome: outcome})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // the same call again: stored once
		}
		if err != nil {
			return fmt.Errorf("bridge: store chat event: %w", err)
		}
		out.EventID = id
		if typ == botapi.TypeChatClosed {
			if err := q.SetChatState(ctx, dbsqlc.SetChatStateParams{ID: chatID, State: string(ChatClosed)}); err != nil {
				return fmt.Errorf("bridge: chat state: %w", err)
			}
		}
		if status == StatusPending {
			out.Forwarded = true
			return e.enqueueChats(ctx, tx, []chatJob{{chatID, integ.ID}})
		}
		return nil
	})
	return out, err
}
