// Package sandbox is a local stand-in for one Webim account, over real HTTP.
// It serves what the bridge calls (Webim Bot API 2.0: send_message,
// redirect_chat, close_chat, with token checks, strict validation and
// injectable faults) and what a visitor does: a chat page where a person
// starts a chat, types, presses keyboard buttons and watches the bot's
// replies, each action POSTed to the configured webhook URL the way Webim
// would. `botbridge sandbox` runs it for `make run`; tests use it in-process
// through StartChat, SendText, PressButton, WaitFor and SetFaults.
//
// It imitates Webim only as far as webim-bot-api.md describes it; it is a
// development tool and has no persistence: a restart forgets every chat.
package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
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
	// FromSystem marks the notices Webim shows: transfers and closing.
	FromSystem = "system"
)

// Kinds of system notices (Message.Kind when From is FromSystem). Visitor
// and bot messages use Webim's kinds (webim.KindVisitor, webim.KindOperator…).
const (
	KindTransfer = "transfer"
	KindClose    = "close"
)

// WebimVersion is what the sandbox claims in X-Webim-Version.
const WebimVersion = "10.5.62"

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
}

// chat is a conversation. Its transcript is guarded by Server.mu; sendMu
// serialises the visitor's actions so webhooks leave in transcript order.
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
	m.HandleFunc("GET /sandbox/faults", s.handleGetFaults)
	m.HandleFunc("POST /sandbox/faults", s.handleSetFaults)
	m.HandleFunc("GET /sandbox/calls", s.handleCalls)
	m.HandleFunc("GET /sandbox/webhook", s.handleGetWebhook)
	m.HandleFunc("POST /sandbox/webhook", s.handleSetWebhook)
	s.mux = m
}

// Close releases API calls stalled by a timeout fault or latency, so a
// server shutdown does not wait for them. The sandbox keeps working.
func (s *Server) Close() { s.closed.Do(func() { close(s.closing) }) }

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
