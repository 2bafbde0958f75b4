// Package sandbox is a local stand-in for one Webim account, over real HTTP.
// It serves what the bridge calls (Webim Bot API 2.0: send_message,
// redirect_chat, close_chat, with token checks, strict validation and
// injectable faults) and what a visitor does: a chat page where a person
// starts a chat, types, presses keyboard buttons and watches the bot's
// replies, each action POSTed to the configured webhook URL the way Webim
// would. `botbridge sandbox` runs it for `make run`; tests use it in-process
// through StartChat, SendText, PressButton, WaitFor and SetFaults.
//
// It plays what real Webim accounts are known to send (webim-bot-api.md,
// "Evidence"): visitor kinds the bridge does not model (SendSticker), chat
// ids as JSON strings and messages without ids (Settings), the
// X-Webim-Version header and the missing queue transfer before 10.4, and an
// operator console: after a transfer a person (or a test, through
// OperatorSay, ReturnToBot and CloseByOperator) writes as the operator,
// hands the chat back to the bot (a second new_chat with the history) or
// closes it, which calls the account's chat event handler URL.
//
// It imitates Webim only as far as webim-bot-api.md describes it; it is a
// development tool and has no persistence: a restart forgets every chat.
package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Chat states, as a visitor would perceive them.
const (
	// StateBot: the bot owns the chat and receives the visitor's messages.
	StateBot = "bot"
	// StateTransferred: the bot redirected the chat; it no longer receives
	// messages, and its API calls for the chat are refused.
	StateTransferred = "transferred"
	// StateClosed: the bot closed the chat; the visitor cannot write.
	StateClosed = "closed"
)

// Message senders in a Transcript.
const (
	FromVisitor = "visitor"
	FromBot     = "bot"
	// FromOperator marks what a person wrote in the operator console.
	FromOperator = "operator"
	// FromSystem marks the notices Webim shows: transfers and closing.
	FromSystem = "system"
)

// Kinds of system notices (Message.Kind when From is FromSystem). Visitor
// and bot messages use Webim's kinds (webim.KindVisitor, webim.KindOperator…).
const (
	KindTransfer = "transfer"
	KindClose    = "close"
	// KindReturn: the operator handed the chat back to the bot.
	KindReturn = "return"
)

// WebimVersion is what the sandbox claims in X-Webim-Version by default.
const WebimVersion = "10.5.62"

// NoVersion as Config.WebimVersion imitates a Webim older than 10.3: its
// webhooks carry no X-Webim-Version, X-Bot-API-Version or dialect header.
const NoVersion = "none"

// Config sets up a Server.
type Config struct {
	// Token is the bot token the API accepts ("Authorization: Token …");
	// with an empty token every call is refused.
	Token string
	// WebhookURL receives the visitor's events (the integration's webhook
	// URL in botbridge). It may be empty and set later (SetWebhookURL).
	WebhookURL string
	// Log defaults to discarding.
	Log *slog.Logger
	// HTTPClient posts the webhooks; defaults to a client with a 15 s timeout.
	HTTPClient *http.Client
	// FirstChatID is the id of the first chat (default 1); later chats count up.
	FirstChatID int64
	// StringChatIDs: new chats get ids sent as JSON strings ("chat_id":
	// "1001"); the API then takes only the string form for them.
	StringChatIDs bool
	// NoMessageIDs: visitor messages of new_message carry no "id".
	NoMessageIDs bool
	// WebimVersion is the X-Webim-Version webhooks carry ("" is
	// WebimVersion, NoVersion sends none). Below 10.4 redirect_chat to the
	// general queue is refused, as such releases cannot do it.
	WebimVersion string
	// ChatEventsURL is the account's chat event handler URL (botbridge's
	// chat events URL), Basic credentials in it as https://user:pass@host/…;
	// empty: closing a chat calls nothing.
	ChatEventsURL string
	// ChatAssigned also calls the chat events URL with chat_assigned when
	// the bot transfers a chat.
	ChatAssigned bool
	// Language of the page when the visitor's browser asks for none
	// ("ru" or "en"; default Russian).
	Language string
}

// Settings are the behaviours of the account that can change while it
// runs (the page's "Sandbox settings" and SetSettings). New chats take the
// chat id form in force when they start; the rest applies at once.
type Settings struct {
	StringChatIDs bool `json:"string_chat_ids"`
	NoMessageIDs  bool `json:"no_message_ids"`
	// WebimVersion "" sends no version headers (unlike Config's "").
	WebimVersion  string `json:"webim_version"`
	ChatEventsURL string `json:"chat_events_url"`
	ChatAssigned  bool   `json:"chat_assigned"`
}

// Server is one sandboxed Webim account. It is an http.Handler and safe for
// concurrent use.
type Server struct {
	token   string
	log     *slog.Logger
	client  *http.Client
	mux     *http.ServeMux
	closing chan struct{}
	closed  sync.Once

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every change (broadcast)
	webhookURL string
	nextChatID int64
	chats      map[int64]*chat
	calls      []RecordedCall
	faults     Faults
	fs         faultState
	stats      Stats
	settings   Settings
	lang       string
	bg         sync.WaitGroup // chat event calls in flight
}

// chat is a conversation. Its transcript is guarded by Server.mu; sendMu
// serialises the visitor's (and the operator's) actions so webhooks leave
// in transcript order.
type chat struct {
	sendMu sync.Mutex
	t      Transcript
}

// New returns a sandbox for one Webim account.
func New(cfg Config) *Server {
	s := &Server{
		token:      cfg.Token,
		log:        cfg.Log,
		client:     cfg.HTTPClient,
		closing:    make(chan struct{}),
		changed:    make(chan struct{}),
		webhookURL: strings.TrimSpace(cfg.WebhookURL),
		nextChatID: cfg.FirstChatID,
		chats:      map[int64]*chat{},
		lang:       cfg.Language,
		settings: Settings{StringChatIDs: cfg.StringChatIDs, NoMessageIDs: cfg.NoMessageIDs,
			WebimVersion: cfg.WebimVersion, ChatEventsURL: strings.TrimSpace(cfg.ChatEventsURL), ChatAssigned: cfg.ChatAssigned},
	}
	switch s.settings.WebimVersion {
	case "":
		s.settings.WebimVersion = WebimVersion
	case NoVersion:
		s.settings.WebimVersion = ""
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 15 * time.Second}
	}
	if s.nextChatID <= 0 {
		s.nextChatID = 1
	}
	s.fs.reset(Faults{})
	s.routes()
	return s
}

// ServeHTTP serves the Webim API, the visitor page and the sandbox's JSON
// endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST /api/bot/v2/{method}", s.handleAPI)
	m.HandleFunc("/api/", s.handleAPIOther)

	m.HandleFunc("GET /{$}", s.handlePage)
	m.HandleFunc("GET /static/{file}", s.handleStatic)

	m.HandleFunc("GET /sandbox/chats", s.handleListChats)
	m.HandleFunc("POST /sandbox/chats", s.handleStartChat)
	m.HandleFunc("GET /sandbox/chats/{id}", s.handleGetChat)
	m.HandleFunc("POST /sandbox/chats/{id}/messages", s.handleSendText)
	m.HandleFunc("POST /sandbox/chats/{id}/buttons", s.handlePressButton)
	m.HandleFunc("POST /sandbox/chats/{id}/stickers", s.handleSendSticker)
	m.HandleFunc("POST /sandbox/chats/{id}/operator/messages", s.handleOperatorSay)
	m.HandleFunc("POST /sandbox/chats/{id}/operator/return", s.handleReturnToBot)
	m.HandleFunc("POST /sandbox/chats/{id}/operator/close", s.handleCloseByOperator)
	m.HandleFunc("GET /sandbox/settings", s.handleGetSettings)
	m.HandleFunc("POST /sandbox/settings", s.handleSetSettings)
	m.HandleFunc("GET /sandbox/faults", s.handleGetFaults)
	m.HandleFunc("POST /sandbox/faults", s.handleSetFaults)
	m.HandleFunc("GET /sandbox/calls", s.handleCalls)
	m.HandleFunc("GET /sandbox/webhook", s.handleGetWebhook)
	m.HandleFunc("POST /sandbox/webhook", s.handleSetWebhook)
	s.mux = m
}

// Close releases API calls stalled by a timeout fault or latency, so a
// server shutdown does not wait for them, and waits for chat event calls
// in flight. The sandbox keeps working.
func (s *Server) Close() {
	s.closed.Do(func() { close(s.closing) })
	s.bg.Wait()
}

// Settings returns the behaviours in force.
func (s *Server) Settings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// SetSettings changes them; a chat events URL that is not an absolute
// http(s) URL is refused.
func (s *Server) SetSettings(st Settings) error {
	st.WebimVersion = strings.TrimSpace(st.WebimVersion)
	st.ChatEventsURL = strings.TrimSpace(st.ChatEventsURL)
	if st.ChatEventsURL != "" {
		if _, _, _, err := parseChatEventsURL(st.ChatEventsURL); err != nil {
			return err
		}
	}
	if len(st.WebimVersion) > 32 {
		return fmt.Errorf("%w: the Webim version is at most 32 characters", ErrInvalid)
	}
	s.mu.Lock()
	s.settings = st
	s.notifyLocked()
	s.mu.Unlock()
	return nil
}

// SetChatEventsURL changes only the chat events URL (the demo
// integration's is known after seeding).
func (s *Server) SetChatEventsURL(u string) error {
	st := s.Settings()
	st.ChatEventsURL = u
	return s.SetSettings(st)
}

// SetWebhookURL changes where visitor events go (the demo integration's
// URL is only known after seeding).
func (s *Server) SetWebhookURL(u string) {
	s.mu.Lock()
	s.webhookURL = strings.TrimSpace(u)
	s.mu.Unlock()
}

// WebhookURL is where visitor events go.
func (s *Server) WebhookURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL
}

// notifyLocked wakes every WaitFor; call with s.mu held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// touchLocked marks a chat changed; call with s.mu held.
func (s *Server) touchLocked(c *chat) {
	c.t.Version++
	s.notifyLocked()
}

// authorized checks "Authorization: Token <token>" in constant time.
func (s *Server) authorized(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Token") || s.token == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.token)) == 1
}

// sleep waits d unless the request goes away or the sandbox closes; it
// reports whether the whole time passed.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closing:
		return false
	}
}

// newID returns a random hex id of n bytes: message and visitor ids stay
// unique across sandbox restarts, so botbridge's de-duplication never
// swallows a new message.
func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
