package bridge

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/secret"
)

// settingsTTL bounds how long the engine trusts what it looked up (an
// integration, a project's bot endpoint, a decrypted Webim token) while
// the rows' versions stay the same. The versions (the rows' xmin, which
// every UPDATE changes) come with each event the worker reads
// (bridge_deliverable_events), so a change an owner makes (integration
// disabled, bot URL or secret changed, token replaced) is seen at the next
// event; the time limit is only a backstop, and it forgets the decrypted
// secrets of integrations that went quiet.
const settingsTTL = time.Minute

// settingsCache is what the engine looked up for delivery, shared by all
// chat runs of the process: a live chat's every message is a run of its
// own, and reading the integration and the bot endpoint per run was two of
// its seven statements (and a decryption each).
type settingsCache struct {
	mu      sync.Mutex
	integs  map[int64]*integEntry
	bots    map[int64]*botEntry
	sweptAt time.Time
}

// stamp is the row version an entry was read for, and until when it is
// trusted.
type stamp struct {
	version int64
	until   time.Time
}

func (s stamp) fresh(version int64, now time.Time) bool {
	return s.version == version && now.Before(s.until)
}

type integEntry struct {
	stamp
	integ integration.Integration
	err   error // apperr.ErrNotFound only: other errors are not kept

	tokenSet bool
	token    string
	tokenErr error
}

type botEntry struct {
	stamp
	bot integration.Bot
	ok  bool
	err error // a secret that cannot be decrypted only
}

// cached is the entry for id in *m, nil when there is none (the map is
// read under the lock: keep may create it).
func cached[E any](c *settingsCache, m *map[int64]*E, id int64) *E {
	c.mu.Lock()
	defer c.mu.Unlock()
	return (*m)[id]
}

// keep stores en for id in *m (a new entry each time: one another run
// holds stays as it was), sweeping expired entries now and then.
func keep[E any](c *settingsCache, m *map[int64]*E, id int64, en *E, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if *m == nil {
		*m = map[int64]*E{}
	}
	if now.Sub(c.sweptAt) >= settingsTTL {
		c.sweptAt = now
		for k, old := range c.integs {
			if !now.Before(old.until) {
				delete(c.integs, k)
			}
		}
		for k, old := range c.bots {
			if !now.Before(old.until) {
				delete(c.bots, k)
			}
		}
	}
	(*m)[id] = en
}

// chatRun is one run of a chat's job: it reads settings through the
// engine's cache with the versions its current event came with. Used by
// one goroutine.
type chatRun struct {
	now   func() time.Time
	cache *settingsCache

	// integ is the entry the last integration call returned, for its token.
	integ *integEntry
}

// integration is the event's integration (apperr.ErrNotFound when deleted
// for good); errors other than not found are not kept.
func (r *chatRun) integration(ctx context.Context, q db.DBTX, ev event) (integration.Integration, error) {
	c, now := r.cache, r.now()
	if en := cached(c, &c.integs, ev.IntegrationID); en != nil && en.fresh(ev.IntegrationVersion, now) {
		r.integ = en
		return en.integ, en.err
	}
	integ, err := integration.GetByID(ctx, q, ev.IntegrationID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return integration.Integration{}, err
	}
	r.integ = &integEntry{stamp: stamp{ev.IntegrationVersion, now.Add(settingsTTL)}, integ: integ, err: err}
	keep(c, &c.integs, ev.IntegrationID, r.integ, now)
	return integ, err
}

// botEndpoint is the event's project's bot endpoint; ok is false when none
// is set. Database errors are not kept; a secret that cannot be decrypted
// is.
func (r *chatRun) botEndpoint(ctx context.Context, q db.DBTX, e *Engine, ev event) (integration.Bot, bool, error) {
	c, now := r.cache, r.now()
	if en := cached(c, &c.bots, ev.ProjectID); en != nil && en.fresh(ev.BotVersion, now) {
		return en.bot, en.ok, en.err
	}
	b, ok, err := botEndpoint(ctx, q, e, ev.ProjectID)
	if err != nil && !secretUnreadable(err) {
		return b, ok, err
	}
	until := now.Add(settingsTTL)
	if !b.PreviousUntil.IsZero() && b.PreviousUntil.Before(until) {
		// The previous secret signs only within its window: read again
		// when it closes, which no UPDATE marks.
		until = b.PreviousUntil
	}
	keep(c, &c.bots, ev.ProjectID, &botEntry{stamp: stamp{ev.BotVersion, until}, bot: b, ok: ok, err: err}, now)
	return b, ok, err
}

// webimToken is the decrypted Webim token of integ, the integration the
// run's last integration call returned.
func (r *chatRun) webimToken(e *Engine, integ integration.Integration) (string, error) {
	en := r.integ
	if en == nil || en.integ.ID != integ.ID {
		return integration.Token(context.Background(), e.Keyring, integ)
	}
	r.cache.mu.Lock()
	defer r.cache.mu.Unlock()
	if !en.tokenSet {
		en.token, en.tokenErr = integration.Token(context.Background(), e.Keyring, integ)
		en.tokenSet = true
	}
	return en.token, en.tokenErr
}

// unhealthy forgets the run's integration: Webim refused its token, and
// the next event must see it unhealthy even if marking it fails.
func (r *chatRun) unhealthy() {
	if r.integ == nil {
		return
	}
	r.cache.mu.Lock()
	if r.cache.integs[r.integ.integ.ID] == r.integ {
		delete(r.cache.integs, r.integ.integ.ID)
	}
	r.cache.mu.Unlock()
	r.integ = nil
}

// botEndpoint loads the project's bot endpoint; ok is false when none is set.
func botEndpoint(ctx context.Context, q db.DBTX, e *Engine, projectID int64) (integration.Bot, bool, error) {
	b, err := integration.BotEndpoint(ctx, q, e.Keyring, projectID)
	if errors.Is(err, apperr.ErrNotFound) {
		return integration.Bot{}, false, nil
	}
	return b, err == nil, err
}

// secretUnreadable: a stored secret cannot be decrypted with the keys this
// process has (SECRET_KEY rotated without SECRET_KEY_OLD), a configuration
// problem that retrying cannot fix.
func secretUnreadable(err error) bool {
	return errors.Is(err, secret.ErrDecrypt) || errors.Is(err, secret.ErrUnknownKey)
}
