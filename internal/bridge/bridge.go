// Package bridge is the engine between chat platforms and bots. The ingress
// stores each Webim event and enqueues its chat's job in one transaction;
// River workers (in any botbridge process) then deliver the events of a
// chat strictly in order: signed POST to the project's bot, translation of
// the reply, Webim API calls. Every step's outcome is stored, so a crash
// anywhere resumes where it stopped and nothing acknowledged is lost.
package bridge

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/webim"
)

// Integration is what the engine needs of a Webim integration.
type Integration struct {
	ID        int64
	ProjectID int64
	// Domain is scheme + host[:port], e.g. https://acme.webim.ru.
	Domain string
	// Active is false for disabled, deleted or unhealthy integrations.
	Active bool
	Target webim.Target
}

// Bot is a project's bot endpoint.
type Bot struct {
	URL          string
	Timeout      time.Duration
	FallbackText string
	// Secrets sign requests: the current one, plus the previous one during
	// the rotation overlap.
	Secrets []string
}

// Directory gives the engine integration settings and secrets; the
// integration package implements it. Keeping it an interface keeps the
// engine free of settings storage and encryption details.
type Directory interface {
	// ByWebhookKey finds the integration a webhook URL belongs to (by the
	// key's hash); unknown, deleted or disabled keys are apperr.ErrNotFound.
	ByWebhookKey(ctx context.Context, q db.DBTX, key string) (Integration, error)
	// Integration loads an integration by id.
	Integration(ctx context.Context, q db.DBTX, id int64) (Integration, error)
	// Token decrypts the integration's Webim token.
	Token(ctx context.Context, q db.DBTX, id int64) (string, error)
	// Bot loads the project's bot endpoint; ok is false when none is set.
	Bot(ctx context.Context, q db.DBTX, projectID int64) (b Bot, ok bool, err error)
	// MarkUnhealthy flags the integration after Webim refused its token;
	// changed is true only on the transition, so owners are told once.
	MarkUnhealthy(ctx context.Context, q db.DBTX, id int64, reason string) (changed bool, err error)
}

// Notifier tells project owners that an integration became unhealthy,
// inside the transaction that marked it (so the mail goes out once).
type Notifier func(ctx context.Context, tx pgx.Tx, integ Integration, reason string) error

// Retry is the backoff policy for bot and Webim calls.
type Retry struct {
	// BotAttempts is how often the bot is tried before the fallback applies.
	BotAttempts int
	// WebimAttempts is how often a Webim call is tried before the event fails.
	WebimAttempts int
	// Base and Max bound the exponential backoff (with full jitter).
	Base, Max time.Duration
}

// DefaultRetry: the bot gets 4 tries within about half a minute, so a
// visitor is not left waiting long before the fallback hands them to a
// person; Webim calls get 8 tries over about 10 minutes.
var DefaultRetry = Retry{BotAttempts: 4, WebimAttempts: 8, Base: 2 * time.Second, Max: 5 * time.Minute}

// Delay is the wait before attempt n+1 (n ≥ 1): exponential with full
// jitter, never below half the exponential step so retries keep spacing out.
func (r Retry) Delay(n int) time.Duration {
	d := r.Base << min(n-1, 20)
	if d <= 0 || d > r.Max {
		d = r.Max
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// Engine holds the bridge's dependencies.
type Engine struct {
	// Pool serves ingest and short queries.
	Pool *pgxpool.Pool
	// WorkPool, when set, gives chat workers their connections (each holds
	// one for a whole run); size it to the worker count plus a little.
	WorkPool *pgxpool.Pool
	Jobs     jobs.Inserter
	Dir      Directory
	HTTP     *http.Client
	Log      *slog.Logger
	Retry    Retry
	Notify   Notifier
	// Now is the clock; tests may replace it.
	Now func() time.Time

	// batchers holds the group-commit batcher of each pool while it has
	// work (see ingest.go).
	batchers sync.Map // *pgxpool.Pool → *batcher
}

func (e *Engine) workPool() *pgxpool.Pool {
	if e.WorkPool != nil {
		return e.WorkPool
	}
	return e.Pool
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}
