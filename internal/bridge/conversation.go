package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/webim"
)

// ConversationFilter narrows an integration's conversation list.
type ConversationFilter struct {
	// FailedOnly keeps chats with a failed event (shown at their latest).
	FailedOnly bool
	// From and To bound the events' receipt (To exclusive); zero: open.
	From, To time.Time
	// Search keeps chats where the visitor wrote this (case-insensitive).
	Search string
	// Before is the keyset cursor: an event id (0 for the first page).
	Before int64
}

// Conversation is one chat in the list, at its latest matching event.
type Conversation struct {
	ChatID         int64
	PlatformChatID string
	VisitorName    string
	State          ChatState
	Last           Activity
}

// ConversationPage is one page of conversations, most recent first.
type ConversationPage struct {
	Items []Conversation
	// Before is the cursor of the next (older) page; 0 when there is none.
	Before int64
}

// ConversationsPerPage is the list's page size.
const ConversationsPerPage = 50

// conversationScan bounds the events one page reads: a page with a rare
// search term ends after this many and offers the older ones, instead of
// reading an integration's million events on one request.
const conversationScan = 3000

// ListConversations returns an integration's chats, the most recently
// active first, each at its latest event matching f. It walks the
// integration's events newest first (bridge_events_integration_idx, or the
// small failed index) and keeps an event when its chat has no newer
// matching one (one probe of bridge_events_chat_idx), so a page costs at
// most conversationScan index rows whatever the table's size. Scoped by
// project.
func ListConversations(ctx context.Context, q db.DBTX, projectID, integrationID int64, f ConversationFilter) (ConversationPage, error) {
	lower, upper, err := idRange(ctx, q, integrationID, f.From, f.To)
	if err != nil {
		return ConversationPage{}, err
	}
	before := f.Before
	if before <= 0 || before > upper {
		before = upper
	}
	args := []any{integrationID, before, lower, upper}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	// Conditions on the scanned events (inner) and on a chat's newer events
	// that would show it higher up (newer).
	inner := []string{"e.integration_id = $1", "e.id < $2", "e.id >= $3", "e.id < $4"}
	newer := []string{"n.chat_id = s.chat_id", "n.id > s.id", "n.id < $4", "n.id >= $3"}
	if f.FailedOnly {
		inner = append(inner, "e.status = 'failed'")
		newer = append(newer, "n.status = 'failed'")
	}
	// The scan's own arguments; the dates' and the search's come after them.
	scanArgs := len(args)
	outer := []string{"NOT EXISTS (SELECT 1 FROM bridge_events n WHERE %s)"}
	// The id range already holds the dates' hours; the exact times are
	// checked on the scanned rows only (on the scan itself they let the
	// planner trade the index order for a sort of the day's events).
	if !f.From.IsZero() {
		a := arg(f.From)
		outer, newer = append(outer, "s.received_at >= "+a), append(newer, "n.received_at >= "+a)
	}
	if !f.To.IsZero() {
		a := arg(f.To)
		outer, newer = append(outer, "s.received_at < "+a), append(newer, "n.received_at < "+a)
	}
	if f.Search != "" {
		collate, err := db.FoldCollation(ctx, q)
		if err != nil {
			return ConversationPage{}, err
		}
		a := arg(db.ContainsPattern(f.Search)) + collate
		outer = append(outer, "s.text ILIKE "+a)
		newer = append(newer, "n.message->>'text' ILIKE "+a)
	}
	outer[0] = fmt.Sprintf(outer[0], strings.Join(newer, " AND "))
	// The scan is ordered newest first and the probe keeps that order, so
	// the first 51 hits end the scan; only a page that is not full reads
	// the scan's extent, to say whether older events remain.
	scan := `SELECT e.id, e.chat_id, e.received_at, e.message->>'text' AS text FROM bridge_events e
	WHERE ` + strings.Join(inner, " AND ") + `
	ORDER BY e.id DESC LIMIT ` + strconv.Itoa(conversationScan)
	sql := `SELECT s.id FROM (` + scan + `) s WHERE ` + strings.Join(outer, " AND ") + `
	LIMIT ` + strconv.Itoa(ConversationsPerPage+1)
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return ConversationPage{}, fmt.Errorf("bridge: list conversations: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return ConversationPage{}, fmt.Errorf("bridge: list conversations: %w", err)
	}
	var scanned, floor int64
	if len(ids) <= ConversationsPerPage {
		if err := q.QueryRow(ctx, `SELECT count(*), coalesce(min(s.id), 0) FROM (`+scan+`) s`, args[:scanArgs]...).Scan(&scanned, &floor); err != nil {
			return ConversationPage{}, fmt.Errorf("bridge: list conversations: %w", err)
		}
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	var page ConversationPage
	switch {
	case len(ids) > ConversationsPerPage:
		ids = ids[:ConversationsPerPage]
		page.Before = ids[len(ids)-1]
	case scanned == conversationScan && floor > lower:
		page.Before = floor
	}
	if len(ids) == 0 {
		return page, nil
	}
	rows, err = q.Query(ctx, `
		SELECT e.id, e.public_id, e.type, e.message, e.status, e.outcome, e.attempts, e.last_error, e.received_at, e.processed_at,
		       c.id, c.platform_chat_id, c.visitor_name, c.state
		FROM bridge_events e JOIN chats c ON c.id = e.chat_id
		WHERE e.id = ANY($1) AND c.project_id = $2 AND c.integration_id = $3
		ORDER BY e.id DESC`, ids, projectID, integrationID)
	if err != nil {
		return page, fmt.Errorf("bridge: conversations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cv Conversation
		var msg []byte
		var status, outcome, state string
		var attempts int32
		a := &cv.Last
		if err := rows.Scan(&a.ID, &a.PublicID, &a.Type, &msg, &status, &outcome, &attempts, &a.LastError, &a.ReceivedAt, &a.ProcessedAt,
			&cv.ChatID, &cv.PlatformChatID, &cv.VisitorName, &state); err != nil {
			return page, fmt.Errorf("bridge: conversations: %w", err)
		}
		a.Text, a.Status, a.Outcome, a.Attempts = messageText(msg), Status(status), Outcome(outcome), int(attempts)
		a.ChatID, a.PlatformChatID, a.VisitorName = cv.ChatID, cv.PlatformChatID, cv.VisitorName
		cv.State = ChatState(state)
		page.Items = append(page.Items, cv)
	}
	return page, rows.Err()
}

// idRange turns a date range into event ids through the traffic rollup's
// first/last ids per hour (no index on received_at needed). Events newer
// than the rollup's last run have no hour row yet: an open range reaches
// them. lower is inclusive, upper exclusive.
func idRange(ctx context.Context, q db.DBTX, integrationID int64, from, to time.Time) (lower, upper int64, err error) {
	lower, upper = 0, 1<<63-1
	if !from.IsZero() {
		// The first hour at or after from that has events; none: only events
		// the rollup has not read yet can match.
		err = q.QueryRow(ctx, `SELECT coalesce(
			(SELECT min(first_event_id) FROM traffic_hourly WHERE integration_id = $1 AND hour >= date_trunc('hour', $2::timestamptz, 'UTC')),
			(SELECT events_through + 1 FROM traffic_rollup_state))`, integrationID, from).Scan(&lower)
		if err != nil {
			return 0, 0, fmt.Errorf("bridge: date range: %w", err)
		}
	}
	if !to.IsZero() {
		var u *int64
		// The first hour starting at or after to (to rounded up to the hour).
		err = q.QueryRow(ctx, `SELECT min(first_event_id) FROM traffic_hourly
			WHERE integration_id = $1 AND hour >= date_trunc('hour', $2::timestamptz + interval '1 hour' - interval '1 microsecond', 'UTC')`,
			integrationID, to).Scan(&u)
		if err != nil {
			return 0, 0, fmt.Errorf("bridge: date range: %w", err)
		}
		if u != nil {
			upper = *u
		}
	}
	return lower, upper, nil
}

// Chat is one conversation's header.
type Chat struct {
	ID             int64
	PlatformChatID string
	// VisitorID is Webim's id of the visitor ("" when Webim sent none):
	// what an erasure of "this visitor" looks for.
	VisitorID    string
	VisitorName  string
	VisitorPhone string
	VisitorEmail string
	State        ChatState
	CreatedAt    time.Time
	LastEventAt  time.Time
}

// GetChat loads a chat of the integration, scoped by project; another
// tenant's chat id is ErrNotFound.
func GetChat(ctx context.Context, q db.DBTX, projectID, integrationID, chatID int64) (Chat, error) {
	r, err := dbsqlc.New(q).GetChatInProject(ctx, dbsqlc.GetChatInProjectParams{ID: chatID, IntegrationID: integrationID, ProjectID: projectID})
	if errors.Is(err, pgx.ErrNoRows) {
		return Chat{}, fmt.Errorf("bridge: chat %d: %w", chatID, apperr.ErrNotFound)
	}
	if err != nil {
		return Chat{}, fmt.Errorf("bridge: chat: %w", err)
	}
	return Chat{ID: r.ID, PlatformChatID: r.PlatformChatID, VisitorID: r.VisitorID, VisitorName: r.VisitorName, VisitorPhone: r.VisitorPhone,
		VisitorEmail: r.VisitorEmail, State: ChatState(r.State), CreatedAt: r.CreatedAt, LastEventAt: r.LastEventAt}, nil
}

// FindChat looks a chat up by the id Webim gave it; ErrNotFound if none.
func FindChat(ctx context.Context, q db.DBTX, projectID, integrationID int64, platformChatID string) (int64, error) {
	id, err := dbsqlc.New(q).FindChatByPlatformID(ctx, dbsqlc.FindChatByPlatformIDParams{
		IntegrationID: integrationID, ProjectID: projectID, PlatformChatID: platformChatID})
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("bridge: chat %q: %w", platformChatID, apperr.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("bridge: find chat: %w", err)
	}
	return id, nil
}

// ChatStep is one event of a chat's transcript with what the bridge sent
// to Webim for it.
type ChatStep struct {
	Activity
	// Calls are the Webim calls the bot's reply became, as stored (and
	// sent, the first CallsDone of them).
	WebimCalls []webim.Call
	CallsDone  int
}

// ChatPage is a page of a chat's transcript, oldest first.
type ChatPage struct {
	Steps []ChatStep
	// Before is the cursor of the earlier page; 0 when there is none.
	Before int64
}

// ChatTranscript returns a chat's events, limit a page ending at before
// (0: the newest), oldest first, with their calls.
func ChatTranscript(ctx context.Context, q db.DBTX, projectID, integrationID, chatID, before int64, limit int) (ChatPage, error) {
	if limit <= 0 || limit > 200 {
		limit = 100
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	qs := dbsqlc.New(q)
	rows, err := qs.ListChatActivity(ctx, dbsqlc.ListChatActivityParams{ChatID: chatID, IntegrationID: integrationID,
		ProjectID: projectID, Before: before, MaxRows: int32(limit + 1)})
	if err != nil {
		return ChatPage{}, fmt.Errorf("bridge: chat transcript: %w", err)
	}
	var page ChatPage
	if len(rows) > limit {
		rows = rows[:limit]
		page.Before = rows[limit-1].ID
	}
	page.Steps = make([]ChatStep, len(rows))
	byID := make(map[int64]*Activity, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		// Oldest first: the page was read newest first.
		st := &page.Steps[len(rows)-1-i]
		st.Activity = Activity{
			ID: r.ID, PublicID: r.PublicID, ChatID: r.ChatID, PlatformChatID: r.PlatformChatID, VisitorName: r.VisitorName,
			Type: r.Type, Text: messageText(r.Message), Status: Status(r.Status), Outcome: Outcome(r.Outcome),
			Attempts: int(r.Attempts), LastError: r.LastError, ReceivedAt: r.ReceivedAt, ProcessedAt: r.ProcessedAt,
			NextAttemptAt: r.NextAttemptAt, OperatorData: string(r.OperatorData),
		}
		if len(r.Notes) > 0 {
			_ = json.Unmarshal(r.Notes, &st.Notes) // written by the engine; a bad row only loses its notes
		}
		if len(r.Calls) > 0 {
			var stored []storedCall
			if json.Unmarshal(r.Calls, &stored) == nil {
				for _, c := range stored {
					st.WebimCalls = append(st.WebimCalls, webim.Call{Method: c.Method, Body: c.Body})
				}
			}
		}
		st.CallsDone = int(r.CallsDone)
		byID[r.ID] = &st.Activity
		ids[i] = r.ID
	}
	if len(ids) == 0 {
		return page, nil
	}
	calls, err := qs.ListEventCalls(ctx, ids)
	if err != nil {
		return ChatPage{}, fmt.Errorf("bridge: list calls: %w", err)
	}
	for _, c := range calls {
		if a := byID[c.EventID]; a != nil {
			a.Calls = append(a.Calls, CallRecord{Target: c.Target, Method: c.Method, Attempt: int(c.Attempt),
				StatusCode: int(c.StatusCode), OK: c.Ok, Error: c.Error, DurationMS: int(c.DurationMs), At: c.CreatedAt})
		}
	}
	return page, nil
}
