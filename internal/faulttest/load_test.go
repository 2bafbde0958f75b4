package faulttest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
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
	"github.com/botbridge/botbridge/internal/webim"
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
func msgText(chat int64, n int) string { return taggedText(chat, "m", n) }

// taggedText is msgText for a load with its own tag, so two loads in the
// same chats never send the same text.
func taggedText(chat int64, tag string, n int) string { return fmt.Sprintf("c%d%s%d", chat, tag, n) }

// load is a steady stream: every chat's visitor sends a message every
// interval, whatever happens to botbridge (a send botbridge does not
// acknowledge stays in the transcript, unacknowledged, as with Webim).
type load struct {
	opt    loadOptions
	stop   chan struct{}
	wg     sync.WaitGroup
	sent   atomic.Int64
	acked  atomic.Int64
	failed atomic.Int64
	// resent counts webhooks sent again after a refusal (loadOptions.resend).
	resent atomic.Int64
	once   sync.Once
	errMu  sync.Mutex
	err    error

	mu sync.Mutex
	// ackedOn lists, per chat, the texts acknowledged, first try or resend.
	ackedOn map[int64]map[string]bool
	// attempts records every webhook sent.
	attempts []attempt
}

// loadOptions vary a load.
type loadOptions struct {
	// tag sets the texts apart from another load's in the same chats.
	tag string
	// resend makes each visitor do what Webim does with a webhook that was
	// not acknowledged: send the same event (same message id) again until
	// it is, waiting the answer's Retry-After (at most a second here), and
	// only then write the next message.
	resend bool
}

// attempt is one webhook sent and its answer.
type attempt struct {
	start, end time.Time
	// status is 0 when there was no answer.
	status int
	// retryAfter is known for resends only (the sandbox does not keep it).
	retryAfter string
	resend     bool
}

func startLoad(chats []chatRef, interval time.Duration) *load {
	return startLoadWith(chats, interval, loadOptions{})
}

func startLoadWith(chats []chatRef, interval time.Duration, opt loadOptions) *load {
	if opt.tag == "" {
		opt.tag = "m"
	}
	l := &load{opt: opt, stop: make(chan struct{}), ackedOn: map[int64]map[string]bool{}}
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
				text := taggedText(c.id, opt.tag, n)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				a := attempt{start: time.Now()}
				err := c.sb.SendText(ctx, c.id, text)
				a.end = time.Now()
				cancel()
				l.sent.Add(1)
				var we *sandbox.WebhookError
				switch {
				case err == nil:
					l.acked.Add(1)
					l.markAcked(c.id, text)
					a.status = http.StatusOK
					l.record(a)
				case errors.As(err, &we):
					l.failed.Add(1)
					a.status = we.Result.Status
					l.record(a)
					if opt.resend && l.resend(c, text) {
						l.markAcked(c.id, text)
					}
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

func (l *load) markAcked(chat int64, text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ackedOn[chat] == nil {
		l.ackedOn[chat] = map[string]bool{}
	}
	l.ackedOn[chat][text] = true
}

// isAcked reports whether botbridge acknowledged m, on its first send or a
// resend (for expect.acked).
func (l *load) isAcked(c chatRef, m sandbox.Message) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ackedOn[c.id][m.Text]
}

// resend posts the refused message (same Webim message id, from the
// transcript) again until botbridge answers {"result":"ok"}, the load
// stops or a minute has passed; it reports whether it was acknowledged.
func (l *load) resend(c chatRef, text string) bool {
	var id string
	for _, m := range c.sb.Transcript(c.id).Messages {
		if m.From == sandbox.FromVisitor && m.Text == text {
			id = m.ID
		}
	}
	if id == "" {
		l.errMu.Lock()
		l.err = errors.Join(l.err, fmt.Errorf("chat %d: %q is not in the transcript", c.id, text))
		l.errMu.Unlock()
		return false
	}
	body, _ := json.Marshal(map[string]any{"event": webim.EventNewMessage, "chat_id": c.id,
		"message": map[string]string{"id": id, "kind": webim.KindVisitor, "text": text}})
	wait := 200 * time.Millisecond
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		select {
		case <-l.stop:
			return false
		case <-time.After(wait):
		}
		a, ok := postOnce(c.sb.WebhookURL(), body)
		a.resend = true
		l.resent.Add(1)
		l.record(a)
		if ok {
			return true
		}
		wait = 200 * time.Millisecond
		if s, err := strconv.Atoi(a.retryAfter); err == nil && s > 0 {
			wait = min(time.Duration(s)*time.Second, time.Second)
		}
	}
	return false
}

// postOnce sends one Bot API 2.0 webhook as the sandbox does.
func postOnce(url string, body []byte) (attempt, bool) {
	a := attempt{start: time.Now()}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return a, false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webim.HeaderVersion, webim.Version2)
	req.Header.Set("X-Webim-Version", sandbox.WebimVersion)
	resp, err := httpc.Do(req)
	a.end = time.Now()
	if err != nil {
		return a, false
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	a.status, a.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
	var v struct {
		Result string `json:"result"`
	}
	return a, resp.StatusCode == http.StatusOK && json.Unmarshal(answer, &v) == nil && v.Result == "ok"
}

func (l *load) record(a attempt) {
	l.mu.Lock()
	l.attempts = append(l.attempts, a)
	l.mu.Unlock()
}

// sends returns every webhook sent so far and its answer.
func (l *load) sends() []attempt {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.attempts)
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
	s := fmt.Sprintf("%d messages sent, %d acknowledged, %d not", l.sent.Load(), l.acked.Load(), l.failed.Load())
	if l.opt.resend {
		s += fmt.Sprintf(" (%d resends)", l.resent.Load())
	}
	return s
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
	// Failed counts visitor messages whose event ended failed (checkChats
	// with a failed set only).
	Failed int
}

func (o outcome) String() string {
	return fmt.Sprintf("%d acknowledged messages delivered (%d bot messages in Webim); %d unacknowledged, of which %d delivered anyway; duplicates: %d in Webim (%d of them late), %d at the bot",
		o.Acked, o.Delivered, o.Unacked, o.StoredUnacked, o.WebimDup, o.LateDup, o.BotDup)
}

func echoOf(text string) string { return demobot.EchoPrefix + text }

func ackedMsg(m sandbox.Message) bool { return m.Delivery != nil && m.Delivery.OK }

// delivered reports whether every acknowledged visitor message of the
// transcript has its echo (and an acknowledged chat start its greeting).
func delivered(tr sandbox.Transcript) bool { return answeredAll(tr, ackedMsg) }

// answeredAll is delivered with acked saying which messages were acknowledged.
func answeredAll(tr sandbox.Transcript, acked func(sandbox.Message) bool) bool {
	have := map[string]bool{}
	for _, txt := range tr.BotTexts() {
		have[txt] = true
	}
	if tr.StartDelivery != nil && tr.StartDelivery.OK && len(tr.Keyboards()) == 0 {
		return false
	}
	for _, m := range tr.Messages {
		if m.From == sandbox.FromVisitor && acked(m) && !have[echoOf(m.Text)] {
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
	return verifyWith(t, pool, bot, chats, d, expect{})
}

// verifyWith is verify with exp.acked saying which messages were
// acknowledged (exp.failed must be empty: verify requires no failure).
func verifyWith(t *testing.T, pool *pgxpool.Pool, bot *demobot.Bot, chats []chatRef, d time.Duration, exp expect) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for _, c := range chats {
		acked := ackedMsg
		if exp.acked != nil {
			acked = func(m sandbox.Message) bool { return exp.acked(c, m) }
		}
		_, err := c.sb.WaitFor(ctx, c.id, func(tr sandbox.Transcript) bool { return answeredAll(tr, acked) })
		require.NoError(t, err, "acknowledged messages were not all answered")
	}
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Zero(c, count(c, pool, `SELECT count(*) FROM bridge_events WHERE status IN ('pending', 'replied')`))
	}, d, poll, "every stored event finished")
	require.Zero(t, count(t, pool, `SELECT count(*) FROM bridge_events WHERE status = 'failed'`), "no event failed")
	return checkChats(t, pool, bot, chats, exp)
}

// expect adjusts what checkChats requires.
type expect struct {
	// failed maps a platform chat id to the texts of its events that ended
	// failed: those are not answered, and nothing else may be missing.
	failed map[string]map[string]bool
	// acked, when set, says whether a visitor message was acknowledged
	// (e.g. on a resend the transcript does not know of); the transcript's
	// delivery result otherwise.
	acked func(chatRef, sandbox.Message) bool
}

// checkChats checks the transcripts of chats against what the bot
// received: each chat's replies in the order its visitor wrote, every
// acknowledged message answered and seen by the bot (except those exp
// says failed); duplicates only as repeats of a step, all counted.
func checkChats(t *testing.T, pool *pgxpool.Pool, bot *demobot.Bot, chats []chatRef, exp expect) outcome {
	t.Helper()
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
			if exp.failed[strconv.FormatInt(c.id, 10)][m.Text] {
				require.False(t, answered[i], "chat %d: %q failed, yet it was answered\n%s", c.id, m.Text, tr)
				o.Failed++
				continue
			}
			acked := ackedMsg(m)
			if exp.acked != nil {
				acked = exp.acked(c, m)
			}
			if acked {
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
