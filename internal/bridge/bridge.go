// Package bridge is the engine between chat platforms and bots. The ingress
// stores each Webim event and enqueues its chat's job in one transaction
// (ingest.go, group commit in groupcommit.go); River workers (in any
// botbridge process) then deliver the events of a chat strictly in order
// (worker.go): the signed POST to the project's bot, the translation of the
// reply, the Webim API calls (deliver.go). Every step's outcome is stored,
// so a crash anywhere resumes where it stopped and nothing acknowledged is
// lost. The wire protocols are not here: botapi.Client talks to bots and
// webim.Client to Webim; the engine owns the policy (retries, the fallback,
// recording, ordering).
package bridge

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/botbridge/botbridge/internal/backoff"
	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/internal/webim"
)

// Notifier tells project owners that an integration became unhealthy,
// inside the transaction that marked it (so the mail goes out once).
type Notifier func(ctx context.Context, tx pgx.Tx, integ integration.Integration, reason string) error

// Retry is the backoff policy for bot and Webim calls.
type Retry struct {
	// BotAttempts is how often the bot is tried before the fallback applies.
	BotAttempts int
	// WebimAttempts is how often a Webim call is tried before the event fails.
	WebimAttempts int
	// Base and Max bound the exponential backoff.
	Base, Max time.Duration
}

// DefaultRetry: the bot gets 4 tries within about half a minute, so a
// visitor is not left waiting long before the fallback hands them to a
// person; Webim calls get 8 tries over about 10 minutes.
var DefaultRetry = Retry{BotAttempts: 4, WebimAttempts: 8, Base: 2 * time.Second, Max: 5 * time.Minute}

// Delay is the wait before attempt n+1 (n ≥ 1): botbridge's one backoff.
func (r Retry) Delay(n int) time.Duration { return backoff.Delay(n, r.Base, r.Max) }

// Config is what NewEngine needs; zero fields get defaults.
type Config struct {
	// Pool serves ingest and short queries (required).
	Pool *pgxpool.Pool
	// WorkPool gives chat workers their connections (each holds one for a
	// whole run); size it to the worker count plus a little. Pool when nil.
	WorkPool *pgxpool.Pool
	// Jobs enqueues chat jobs; usually the River client, which is built
	// after the engine (it runs the engine's workers), so it may be set on
	// the Engine later.
	Jobs jobs.Inserter
	// Keyring decrypts Webim tokens and bot signing secrets.
	Keyring *secret.Keyring
	// HTTP sends bot and Webim calls: the SSRF-safe outbound client (the
	// strictest policy, no local addresses, when nil).
	HTTP *http.Client
	// Log gets warnings; nil discards them.
	Log *slog.Logger
	// Retry is the backoff policy; DefaultRetry when zero.
	Retry Retry
	// Notify is told when an integration becomes unhealthy; may be nil.
	Notify Notifier
	// Now is the clock; time.Now when nil (tests may replace it).
	Now func() time.Time
	// Metrics count what the engine does; nil counts into nothing exposed.
	Metrics *Metrics
	// Workers is the number of chat workers of this process (the bridge
	// queue's MaxWorkers): integrations share them fairly (see fairShare in
	// worker.go). Zero or one: first come, first served.
	Workers int
}

// Engine is the bridge: ingest, chat workers, activity.
type Engine struct {
	Pool     *pgxpool.Pool
	WorkPool *pgxpool.Pool
	Jobs     jobs.Inserter
	Keyring  *secret.Keyring
	Bots     botapi.Client
	Webim    webim.Client
	Log      *slog.Logger
	Retry    Retry
	Notify   Notifier
	Now      func() time.Time
	Metrics  *Metrics

	// groups holds the group-commit batcher while webhooks wait for a
	// transaction (see groupcommit.go).
	groups group
	// fair shares this process's worker slots between integrations.
	fair fairShare
	// settings keeps the integrations and bot endpoints chat runs looked
	// up, while their rows stay the same (see settingsCache).
	settings settingsCache
	// seen remembers when this process last recorded an integration's kind
	// of call (see noteSeen); bounded by integrations × kinds × releases.
	seen sync.Map
}

// NewEngine builds an engine from cfg, filling in the defaults.
func NewEngine(cfg Config) *Engine {
	if cfg.WorkPool == nil {
		cfg.WorkPool = cfg.Pool
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Retry == (Retry{}) {
		cfg.Retry = DefaultRetry
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil, nil)
	}
	if cfg.HTTP == nil {
		cfg.HTTP = outbound.NewClient(outbound.Policy{}, time.Minute)
	}
	return &Engine{
		fair: fairShare{workers: cfg.Workers},
		Pool: cfg.Pool, WorkPool: cfg.WorkPool, Jobs: cfg.Jobs, Keyring: cfg.Keyring,
		Bots:  botapi.Client{HTTP: cfg.HTTP, Now: cfg.Now},
		Webim: webim.Client{HTTP: cfg.HTTP, Now: cfg.Now},
		Log:   cfg.Log, Retry: cfg.Retry, Notify: cfg.Notify, Now: cfg.Now, Metrics: cfg.Metrics,
	}
}

// DefaultFallbackText is sent to the visitor when the bot cannot answer
// and the project set no text of its own.
const DefaultFallbackText = "Sorry, our assistant is unavailable right now. Connecting you to a person."

// Ingested says what the ingress stored.
type Ingested struct {
	IntegrationID int64
	ChatID        int64
	// Stored counts new events; duplicates are not stored again.
	Stored int
	// EventIDs are the ids of the events stored (in order).
	EventIDs []int64
}

// ChatArgs is the River job that works through one chat's pending events.
// A chat has one job waiting at most (see UpsertChats in bridge.sql); jobs
// that overlap anyway (one running, the next queued) take turns on the
// chat lock.
type ChatArgs struct {
	ChatID int64 `json:"chat_id"`
	// IntegrationID is the chat's integration, so a run can take its fair
	// share of worker slots before it touches the database (0 in jobs
	// queued by releases before it: the chat's head event names it then).
	IntegrationID int64 `json:"integration_id,omitempty"`
}

// Kind names the job in River's table.
func (ChatArgs) Kind() string { return "bridge_chat" }

// Queue is the River queue for chat delivery.
const Queue = "bridge"
