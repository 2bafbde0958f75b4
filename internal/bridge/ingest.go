package bridge

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/oklog/ulid/v2"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/webim"
)

// ChatArgs is the River job that works through one chat's pending events.
// There is one job per ingested batch; the chat lock makes them take turns.
type ChatArgs struct {
	ChatID int64 `json:"chat_id"`
}

// Kind names the job in River's table.
func (ChatArgs) Kind() string { return "bridge_chat" }

// Queue is the River queue for chat delivery.
const Queue = "bridge"

// pending is one event to store.
type pending struct {
	dedup   string
	typ     string
	message *botapi.Message
}

// eventsOf turns a Webim webhook into bot events, in order. new_chat carries
// the visitor's messages so far: each becomes its own message event (deduped
// by message id, so a later new_message for the same id is stored once).
func eventsOf(ev webim.Event) []pending {
	var out []pending
	if ev.Name == webim.EventNewChat {
		out = append(out, pending{dedup: "chat:" + ev.ChatID, typ: botapi.TypeChatStarted})
	}
	for _, m := range ev.Messages {
		typ, msg, ok := webim.BotMessage(m)
		if !ok {
			continue
		}
		key := "msg:" + ev.ChatID + ":" + m.ID
		if ev.Name == webim.EventNewMessage {
			key = webim.DedupKey(ev)
		} else if m.ID == "" {
			continue // history without ids cannot be deduplicated; the bot gets chat.started
		}
		out = append(out, pending{dedup: key, typ: typ, message: &msg})
	}
	return out
}

// newPublicID returns a sortable unique event id ("evt_01J…").
func newPublicID() string {
	return "evt_" + ulid.MustNew(ulid.Now(), rand.Reader).String()
}

// Ingested says what the ingress stored.
type Ingested struct {
	ChatID int64
	// Stored counts new events; duplicates are not stored again.
	Stored int
	// EventIDs are the ids of the events stored (in order).
	EventIDs []int64
}

// Ingest stores a known Webim event for an integration and enqueues its
// chat's job, all in one transaction: when it returns nil the event is
// durable and will be delivered, so the webhook may be acknowledged.
func (e *Engine) Ingest(ctx context.Context, conn db.Conn, integ Integration, ev webim.Event) (Ingested, error) {
	return e.ingest(ctx, conn, integ, ev, true)
}

func (e *Engine) ingest(ctx context.Context, conn db.Conn, integ Integration, ev webim.Event, enqueue bool) (Ingested, error) {
	var res Ingested
	evs := eventsOf(ev)
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO chats (integration_id, project_id, platform_chat_id, visitor_id, visitor_name, visitor_phone, visitor_email)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (integration_id, platform_chat_id) DO UPDATE SET
				last_event_at = now(),
				visitor_id    = CASE WHEN excluded.visitor_id    <> '' THEN excluded.visitor_id    ELSE chats.visitor_id END,
				visitor_name  = CASE WHEN excluded.visitor_name  <> '' THEN excluded.visitor_name  ELSE chats.visitor_name END,
				visitor_phone = CASE WHEN excluded.visitor_phone <> '' THEN excluded.visitor_phone ELSE chats.visitor_phone END,
				visitor_email = CASE WHEN excluded.visitor_email <> '' THEN excluded.visitor_email ELSE chats.visitor_email END,
				state         = CASE WHEN $8 THEN 'bot' ELSE chats.state END
			RETURNING id`,
			integ.ID, integ.ProjectID, ev.ChatID, ev.Visitor.ID, ev.Visitor.Name, ev.Visitor.Phone, ev.Visitor.Email,
			ev.Name == webim.EventNewChat).Scan(&res.ChatID)
		if err != nil {
			return fmt.Errorf("bridge: upsert chat: %w", err)
		}
		for _, p := range evs {
			var msg []byte
			if p.message != nil {
				if msg, err = json.Marshal(p.message); err != nil {
					return fmt.Errorf("bridge: encode message: %w", err)
				}
			}
			var id int64
			err := tx.QueryRow(ctx, `
				INSERT INTO bridge_events (public_id, integration_id, chat_id, dedup_key, api_version, type, message)
				VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (integration_id, dedup_key) DO NOTHING
				RETURNING id`,
				newPublicID(), integ.ID, res.ChatID, p.dedup, ev.Version, p.typ, msg).Scan(&id)
			if err == pgx.ErrNoRows {
				continue // delivered twice by Webim: stored once
			}
			if err != nil {
				return fmt.Errorf("bridge: store event: %w", err)
			}
			res.Stored++
			res.EventIDs = append(res.EventIDs, id)
		}
		if res.Stored == 0 || !enqueue {
			return nil
		}
		if _, err := e.Jobs.InsertTx(ctx, tx, ChatArgs{ChatID: res.ChatID}, chatInsertOpts()); err != nil {
			return fmt.Errorf("bridge: enqueue: %w", err)
		}
		return nil
	})
	return res, err
}
