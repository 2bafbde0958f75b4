package faulttest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/demobot"
	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/internal/stack"
)

// chatRef is one visitor's chat in one sandbox account.
type chatRef struct {
	sb *sandbox.Server
	id int64
}

// startChats opens perAccount chats in every account of s; each new_chat
// must be acknowledged.
func startChats(t *testing.T, s *stack.Stack, perAccount int) []chatRef {
	t.Helper()
	var chats []chatRef
	for _, a := range s.Accounts {
		for i := range perAccount {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			id, err := a.Sandbox.StartChat(ctx, fmt.Sprintf("Visitor %d", i+1))
			cancel()
			require.NoError(t, err)
			chats = append(chats, chatRef{sb: a.Sandbox, id: id})
		}
	}
	return chats
}

// msgText is the n-th message of a chat; the demo bot echoes it back as
// "You said: <text>", so replies can be matched to messages.
func msgText(chat int64, n int) string { return fmt.Sprintf("c%dm%d", chat, n) }

// load is a steady stream: every chat's visitor sends a message every
// interval, whatever happens to botbridge (a send botbridge does not
// acknowledge stays in the transcript, unacknowledged, as with Webim).
type load struct {
	stop   chan struct{}
	wg     sync.WaitGroup
	sent   atomic.Int64
	acked  atomic.Int64
	failed atomic.Int64
	once   sync.Once
	errMu  sync.Mutex
	err    error
}

func startLoad(chats []chatRef, interval time.Duration) *load {
	l := &load{stop: make(chan struct{})}
	for i, c := range chats {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			// Stagger the chats so they do not all send at the same instant.
			select {
			case <-time.After(time.Duration(i) * interval / time.Duration(len(chats))):
			case <-l.stop:
				return
			}
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for n := 1; ; n++ {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				err := c.sb.SendText(ctx, c.id, msgText(c.id, n))
				cancel()
				l.sent.Add(1)
				var we *sandbox.WebhookError
				switch {
				case err == nil:
					l.acked.Add(1)
				case errors.As(err, &we):
					l.failed.Add(1)
				default:
					l.errMu.Lock()
					l.err = errors.Join(l.err, fmt.Errorf("visitor of chat %d: %w", c.id, err))
					l.errMu.Unlock()
					return
				}
				select {
				case <-l.stop:
					return
				case <-tick.C:
				}
			}
		}()
	}
	return l
}

// halt stops the stream and waits for the sends in flight; a visitor
// that could not act at all (not a webhook failure) fails the test.
func (l *load) halt(t *testing.T) {
	t.Helper()
	l.once.Do(func() { close(l.stop) })
	l.wg.Wait()
	l.errMu.Lock()
	defer l.errMu.Unlock()
	require.NoError(t, l.err)
}

func (l *load) String() string {
	return fmt.Sprintf("%d messages sent, %d acknowledged, %d not", l.sent.Load(), l.acked.Load(), l.failed.Load())
}

// outcome is what verify found.
type outcome struct {
	// Acked counts acknowledged visitor messages; Unacked the others.
	Acked, Unacked int
	// StoredUnacked counts unacknowledged messages that were delivered
	// anyway (committed, then the answer was lost): allowed, not a duplicate.
	StoredUnacked int
	// WebimDup counts bot messages that reached Webim more than once (a
	// call made, then the process died before recording it).
	WebimDup int
	// LateDup counts the repeats among them that did not come right after
	// the first: a call of a dead process that Webim applied only after
	// the retry and the chat's next messages.
	LateDup int
	// BotDup counts events the bot received more than once (same event id).
	BotDup int
	// Delivered counts bot messages in the transcripts.
	Delivered int
}

func (o outcome) String() string {
	return fmt.Sprintf("%d acknowledged messages delivered (%d bot messages in Webim); %d unacknowledged, of which %d delivered anyway; duplicates: %d in Webim (%d of them late), %d at the bot",
		o.Acked, o.Delivered, o.Unacked, o.StoredUnacked, o.WebimDup, o.LateDup, o.BotDup)
}

func echoOf(text string) string { return demobot.EchoPrefix + text }

func ackedMsg(m sandbox.Message) bool { return m.Delivery != nil && m.Delivery.OK }

// delivered reports whether every acknowledged visitor message of the
// transcript has its echo (and an acknowledged chat start its greeting).
func delivered(tr sandbox.Transcript) bool {
	have := map[string]bool{}
	for _, txt := range tr.BotTexts() {
		have[txt] = true
	}
	if tr.StartDelivery != nil && tr.StartDelivery.OK && len(tr.Keyboards()) == 0 {
		return false
	}
	for _, m := range tr.Messages {
		if m.From == sandbox.FromVisitor && ackedMsg(m) && !have[echoOf(m.Text)] {
			return false
		}
	}
	return true
}

// verify waits up to d for every acknowledged message of chats to be
// answered in Webim and every stored event to be finished, then checks
// the promise: nothing acknowledged lost (at the bot and in Webim), each
// chat's replies in the order its visitor wrote, duplicates only as
// adjacent repeats (a retried step), all counted.
func verify(t *testing.T, pool *pgxpool.Pool, bot *demobot.Bot, chats []chatRef, d time.Duration) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for _, c := range chats {
		_, err := c.sb.WaitFor(ctx, c.id, delivered)
		require.NoError(t, err, "acknowledged messages were not all answered")
	}
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Zero(c, count(c, pool, `SELECT count(*) FROM bridge_events WHERE status IN ('pending', 'replied')`))
	}, d, poll, "every stored event finished")
	require.Zero(t, count(t, pool, `SELECT count(*) FROM bridge_events WHERE status = 'failed'`), "no event failed")

	var o outcome
	botEvents := bot.Events()
	seen := map[string]int{}
	atBot := map[string]bool{} // "<platform chat>|<text>"
	for _, ev := range botEvents {
		seen[ev.ID]++
		if ev.Type == botapi.TypeMessageText && ev.Message != nil {
			atBot[ev.Chat.PlatformChatID+"|"+ev.Message.Text] = true
		}
	}
	require.Less(t, len(botEvents), 1000, "the demo bot keeps 1000 events; keep the test below that")
	for _, n := range seen {
		o.BotDup += n - 1
	}

	for _, c := range chats {
		tr := c.sb.Transcript(c.id)
		t.Cleanup(func() {
			if t.Failed() {
				dumpChat(t, pool, c)
			}
		})
		index := map[string]int{}
		var visitor []sandbox.Message
		for _, m := range tr.Messages {
			if m.From == sandbox.FromVisitor {
				index[m.Text] = len(visitor)
				visitor = append(visitor, m)
			}
		}
		// A repeated step sends its message again: right after itself when
		// the retry follows the first attempt's answer, later when Webim
		// applied a call of a dead or cancelled process after the retry had
		// already moved on. Only first occurrences count for the order.
		var bots []sandbox.Message
		for _, m := range tr.BotMessages() {
			dup := false
			for i, prev := range bots {
				if sameMessage(prev, m) {
					dup = true
					o.WebimDup++
					if i < len(bots)-1 {
						o.LateDup++
						t.Logf("chat %d: %s %q reached Webim again after later messages", c.id, m.Kind, m.Text)
					}
					break
				}
			}
			if !dup {
				bots = append(bots, m)
			}
		}
		o.Delivered += len(bots)
		last := -1
		answered := map[int]bool{}
		for _, m := range bots {
			txt, ok := strings.CutPrefix(m.Text, demobot.EchoPrefix)
			if !ok {
				continue // the greeting
			}
			i, found := index[txt]
			require.True(t, found, "chat %d: echo of a message never sent: %q\n%s", c.id, m.Text, tr)
			require.Greater(t, i, last, "chat %d: reply to %q out of order\n%s", c.id, txt, tr)
			answered[i] = true
			last = i
		}
		for i, m := range visitor {
			if ackedMsg(m) {
				o.Acked++
				require.True(t, answered[i], "chat %d: acknowledged %q never answered\n%s", c.id, m.Text, tr)
				require.True(t, atBot[strconv.FormatInt(c.id, 10)+"|"+m.Text], "chat %d: acknowledged %q never reached the bot", c.id, m.Text)
			} else {
				o.Unacked++
				if answered[i] {
					o.StoredUnacked++
				}
			}
		}
	}
	return o
}

func sameMessage(a, b sandbox.Message) bool {
	return a.Kind == b.Kind && a.Text == b.Text && fmt.Sprint(a.Buttons) == fmt.Sprint(b.Buttons) && fmt.Sprint(a.File) == fmt.Sprint(b.File)
}

// dumpChat logs, for a failed test, what Webim received for a chat and
// what botbridge recorded of its calls, side by side in time.
func dumpChat(t *testing.T, pool *pgxpool.Pool, c chatRef) {
	var b strings.Builder
	fmt.Fprintf(&b, "Webim API calls received for chat %d:\n", c.id)
	for _, call := range c.sb.Calls() {
		if call.ChatID == c.id {
			fmt.Fprintf(&b, "  %s %-13s %d %-12s %s\n", call.At.Format("15:04:05.000"), call.Method, call.Status, call.Fault, snippet(call.Body))
		}
	}
	rows, err := pool.Query(context.Background(), `
		SELECT e.id, e.status, e.calls_done, coalesce(e.message->>'text', e.type), k.target, k.method, k.attempt, k.status_code, k.ok, k.error, k.created_at
		FROM bridge_events e JOIN chats ch ON ch.id = e.chat_id LEFT JOIN bridge_calls k ON k.event_id = e.id
		WHERE ch.platform_chat_id = $1 ORDER BY k.created_at NULLS LAST, e.id`, strconv.FormatInt(c.id, 10))
	if err == nil {
		b.WriteString("botbridge's record of its calls:\n")
		for rows.Next() {
			var id int64
			var status, text string
			var done int
			var target, method, cerr *string
			var attempt, code *int
			var ok *bool
			var at *time.Time
			if rows.Scan(&id, &status, &done, &text, &target, &method, &attempt, &code, &ok, &cerr, &at) != nil {
				break
			}
			if at == nil {
				fmt.Fprintf(&b, "  (no call)    event %d %-8s %q\n", id, status, text)
				continue
			}
			fmt.Fprintf(&b, "  %s event %d %-8s %q %s %s #%d → %d ok=%v %s\n", at.Format("15:04:05.000"), id, status, text, *target, *method, *attempt, *code, *ok, *cerr)
		}
		rows.Close()
	}
	t.Log(b.String())
}

func snippet(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
