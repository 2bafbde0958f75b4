// Package demobot is a small bot speaking botbridge's bot protocol
// (docs/bot-protocol.md) over real HTTP: it verifies the Standard Webhooks
// signature, then answers each event with Reply. `botbridge demobot` runs it
// for `make run`, and end-to-end tests use it in-process. Reply is a pure
// function, so the conversation is the same everywhere. It speaks Russian
// or English: the event's language when it names one, else its own
// setting (Russian by default).
package demobot

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/web/i18n"
)

// maxEvents bounds the events Bot keeps for Events().
const maxEvents = 1000

// Config sets up a Bot.
type Config struct {
	// Secrets are the project's bot secrets ("whsec_…"); a request signed
	// with any of them verifies (several during a rotation).
	Secrets []string
	// Log defaults to discarding.
	Log *slog.Logger
	// FailAll starts the bot "down": every request is answered 503.
	FailAll bool
	// Now is the clock for signature timestamps (default time.Now).
	Now func() time.Time
	// Language of the replies ("ru" or "en") when the event names none;
	// default Russian.
	Language string
}

// Bot is the demo bot's HTTP handler. Safe for concurrent use.
type Bot struct {
	secrets []string
	log     *slog.Logger
	now     func() time.Time
	lang    i18n.Lang

	mu   sync.Mutex
	down bool
	// upChats, when set, keeps these platform chats answered while the bot
	// is down for every other chat (SetDownExcept).
	upChats  map[string]bool
	requests int
	events   []botapi.Event
}

// New returns the demo bot.
func New(cfg Config) *Bot {
	b := &Bot{secrets: slices.Clone(cfg.Secrets), log: cfg.Log, now: cfg.Now, down: cfg.FailAll, lang: i18n.RU}
	if l, ok := i18n.Parse(strings.ToLower(strings.TrimSpace(cfg.Language))); ok {
		b.lang = l
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.now == nil {
		b.now = time.Now
	}
	return b
}

// SetDownExcept makes the bot answer 503 for every chat but the platform
// chat ids in up (tests: new visitors meet a dead bot while the chats
// already under way keep theirs); nil works for every chat again.
func (b *Bot) SetDownExcept(up map[string]bool) {
	b.mu.Lock()
	b.upChats = up
	b.mu.Unlock()
}

// SetDown makes the bot answer every request with 503 (true) or work again.
func (b *Bot) SetDown(down bool) {
	b.mu.Lock()
	b.down = down
	b.mu.Unlock()
}

// Requests counts every request received, answered or not.
func (b *Bot) Requests() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.requests
}

// Events returns the verified events the bot answered, oldest first.
func (b *Bot) Events() []botapi.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.events)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// ServeHTTP handles POST with a signed event; the path is not checked, so
// any URL of the bot works as the project's bot endpoint.
func (b *Bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	b.requests++
	down, up := b.down, b.upChats
	b.mu.Unlock()

	if down {
		writeError(w, http.StatusServiceUnavailable, "the demo bot is down (simulated)")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "the demo bot takes signed POST requests from botbridge")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, botapi.MaxResponseBytes))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	if up != nil {
		var head struct {
			Chat botapi.Chat `json:"chat"`
		}
		if json.Unmarshal(body, &head) != nil || !up[head.Chat.PlatformChatID] {
			writeError(w, http.StatusServiceUnavailable, "the demo bot is down for this chat (simulated)")
			return
		}
	}
	// Verify over the raw body, before parsing anything.
	if err := botapi.Verify(b.secrets, r.Header, body, b.now(), 0); err != nil {
		if errors.Is(err, apperr.ErrInvalid) {
			b.log.Error("demobot: bad secret configuration", "error", err)
			writeError(w, http.StatusInternalServerError, "the demo bot's secret is misconfigured")
			return
		}
		b.log.Warn("demobot: rejected request", "error", err)
		writeError(w, http.StatusUnauthorized, "signature does not verify")
		return
	}
	var ev botapi.Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.Type == "" {
		writeError(w, http.StatusBadRequest, "body is not a bot protocol event")
		return
	}
	lang := b.lang
	if l, ok := eventLanguage(body); ok {
		lang = l
	}
	resp := Reply(lang, ev)
	b.mu.Lock()
	if len(b.events) >= maxEvents {
		b.events = slices.Delete(b.events, 0, 1)
	}
	b.events = append(b.events, ev)
	b.mu.Unlock()
	b.log.Info("demobot: event", "type", ev.Type, "id", ev.ID, "chat", ev.Chat.ID, "replies", len(resp.Replies), "action", actionType(resp))
	writeJSON(w, http.StatusOK, resp)
}

// Language is the language of the replies when the event names none.
func (b *Bot) Language() i18n.Lang { return b.lang }

// eventLanguage is the language an event names, if any: the bot protocol
// has no such field today, but a "language" (or "user.language") holding a
// BCP 47 tag is honoured, so the bot follows the visitor once the bridge
// tells it.
func eventLanguage(body []byte) (i18n.Lang, bool) {
	var v struct {
		Language string `json:"language"`
		User     struct {
			Language string `json:"language"`
		} `json:"user"`
	}
	if json.Unmarshal(body, &v) != nil {
		return "", false
	}
	for _, tag := range []string{v.Language, v.User.Language} {
		if tag = strings.TrimSpace(tag); tag != "" {
			if l, ok := i18n.Match(tag); ok {
				return l, true
			}
		}
	}
	return "", false
}

func actionType(r botapi.Response) string {
	if r.Action == nil {
		return ""
	}
	return r.Action.Type
}
