package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// Target names whose data to erase: exactly one of a Webim visitor id,
// a Webim chat id, or botbridge's own chat id.
type Target struct {
	VisitorID      string
	PlatformChatID string
	ChatID         int64
}

// Erased counts what an erasure removed.
type Erased struct {
	Chats, Events, Calls int
}

func (e *Erased) add(o Erased) { e.Chats += o.Chats; e.Events += o.Events; e.Calls += o.Calls }

// Rows is every row removed.
func (e Erased) Rows() int { return e.Chats + e.Events + e.Calls }

// eraseBatch is how many events one statement deletes.
const eraseBatch = 2000

// LockWait bounds how long an erasure waits for a delivery run of the
// chat to end (a bot may take its full timeout, and a run several events).
var LockWait = 45 * time.Second

// Erase removes every event, call record and stored field of the target's
// chats in the project, and records in the audit log that an erasure
// happened, by whom (actorID; nil for an operator at the command line) and
// how many rows, never what. A chat being delivered is erased as soon as
// its run ends. ErrNotFound when the project has no such chat (another
// project's ids included).
func Erase(ctx context.Context, conn db.Conn, projectID int64, actorID *int64, t Target) (Erased, error) {
	chats, err := findChats(ctx, conn, projectID, t)
	if err != nil {
		return Erased{}, err
	}
	if len(chats) == 0 {
		return Erased{}, fmt.Errorf("lifecycle: erase: no such chat in project %d: %w", projectID, apperr.ErrNotFound)
	}
	var total Erased
	for _, id := range chats {
		got, _, err := eraseChat(ctx, conn, projectID, id, true)
		total.add(got)
		if err != nil {
			return total, err
		}
	}
	detail := fmt.Sprintf("chats=%d events=%d calls=%d", total.Chats, total.Events, total.Calls)
	if actorID == nil {
		detail += " via=command-line" // an operator, not a member of the project
	}
	err = db.InTx(ctx, conn, func(tx pgx.Tx) error {
		return audit(ctx, dbsqlc.New(tx), projectID, actorID, ActionVisitorErased, detail)
	})
	return total, err
}

// ParseTarget reads the erasure form or command line: by is "visitor" or
// "chat" (a Webim chat id), value the id. Problems are a Validation on
// field "value" with catalog keys.
func ParseTarget(by, value string) (Target, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return Target{}, apperr.Validation{"value": "lifecycle.erase.value.required"}
	}
	if len(value) > 200 {
		return Target{}, apperr.Validation{"value": "lifecycle.erase.value.long"}
	}
	switch by {
	case "visitor":
		return Target{VisitorID: value}, nil
	case "chat":
		return Target{PlatformChatID: value}, nil
	case "chat_ref":
		// botbridge's own chat id, as the conversation view links it.
		id, err := strconv.ParseInt(value, 10, 64)
		if err != nil || id <= 0 {
			return Target{}, apperr.Validation{"value": "lifecycle.erase.value.required"}
		}
		return Target{ChatID: id}, nil
	}
	return Target{}, apperr.Validation{"by": "lifecycle.erase.by.required"}
}

func findChats(ctx context.Context, q db.DBTX, projectID int64, t Target) ([]int64, error) {
	qs := dbsqlc.New(q)
	var ids []int64
	var err error
	switch {
	case t.VisitorID != "":
		ids, err = qs.FindChatsByVisitor(ctx, dbsqlc.FindChatsByVisitorParams{ProjectID: projectID, VisitorID: t.VisitorID})
	case t.PlatformChatID != "":
		ids, err = qs.FindChatsByPlatformID(ctx, dbsqlc.FindChatsByPlatformIDParams{ProjectID: projectID, PlatformChatID: t.PlatformChatID})
	case t.ChatID > 0:
		ids, err = qs.FindChatByID(ctx, dbsqlc.FindChatByIDParams{ProjectID: projectID, ID: t.ChatID})
	default:
		return nil, fmt.Errorf("lifecycle: erase: no target: %w", apperr.ErrInvalid)
	}
	if err != nil {
		return nil, fmt.Errorf("lifecycle: find chats: %w", err)
	}
	return ids, nil
}

// eraseChat deletes one chat with its events and calls in one transaction
// holding the chat's advisory lock: with wait, it waits for a delivery
// run in progress (up to LockWait, then ErrConflict); without, a chat
// being delivered is left (busy) for a later pass.
func eraseChat(ctx context.Context, conn db.Conn, projectID, chatID int64, wait bool) (got Erased, busy bool, err error) {
	key := bridge.ChatLockKey(chatID)
	err = db.InTx(ctx, conn, func(tx pgx.Tx) error {
		got = Erased{}
		q := dbsqlc.New(tx)
		if wait {
			if _, err := tx.Exec(ctx, "SELECT set_config('lock_timeout', $1, true)", strconv.FormatInt(LockWait.Milliseconds(), 10)); err != nil {
				return fmt.Errorf("lifecycle: lock timeout: %w", err)
			}
			if err := q.LockChatXact(ctx, key); err != nil {
				var pe *pgconn.PgError
				if errors.As(err, &pe) && pe.Code == "55P03" {
					return fmt.Errorf("lifecycle: chat %d is being delivered: %w", chatID, apperr.ErrConflict)
				}
				return fmt.Errorf("lifecycle: lock chat: %w", err)
			}
		} else {
			locked, err := q.TryLockChatXact(ctx, key)
			if err != nil {
				return fmt.Errorf("lifecycle: lock chat: %w", err)
			}
			if !locked {
				busy = true
				return nil
			}
		}
		for {
			n, err := q.EraseChatEvents(ctx, dbsqlc.EraseChatEventsParams{ChatID: chatID, MaxRows: eraseBatch})
			if err != nil {
				return fmt.Errorf("lifecycle: erase events: %w", err)
			}
			got.Events += int(n.Events)
			got.Calls += int(n.Calls)
			if n.Events < eraseBatch {
				break
			}
		}
		n, err := q.DeleteChatRow(ctx, dbsqlc.DeleteChatRowParams{ID: chatID, ProjectID: projectID})
		if err != nil {
			return fmt.Errorf("lifecycle: erase chat: %w", err)
		}
		got.Chats = int(n)
		return nil
	})
	if err != nil {
		return Erased{}, false, err
	}
	return got, busy, nil
}
