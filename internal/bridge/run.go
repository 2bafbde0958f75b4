package bridge

import (
	"context"
	"errors"
	"time"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/secret"
)

// runFresh is how long one chat run keeps what it looked up (the
// integration, the project's bot endpoint, the decrypted Webim token)
// before reading it again. A run works through a chat's backlog event
// after event; reading the three per event was a third of its statements.
// A change an owner makes (integration disabled, bot URL or secret
// changed, token replaced) reaches a run under way within this time, as it
// reaches the next run at once. An integration this run itself finds
// unhealthy is marked at once (chatRun.unhealthy).
const runFresh = 2 * time.Second

// chatRun is what one run of a chat's job looked up, for its next events.
// Used by one goroutine.
type chatRun struct {
	now func() time.Time

	integID  int64
	integ    integration.Integration
	integErr error
	integAt  time.Time

	projectID int64
	bot       integration.Bot
	botOK     bool
	botErr    error
	botAt     time.Time

	token    string
	tokenErr error
	tokenSet bool
}

func (r *chatRun) fresh(at time.Time) bool { return !at.IsZero() && r.now().Sub(at) < runFresh }

// integration is the event's integration (apperr.ErrNotFound when deleted
// for good); errors other than not found are not kept.
func (r *chatRun) integration(ctx context.Context, q db.DBTX, id int64) (integration.Integration, error) {
	if r.integID == id && r.fresh(r.integAt) {
		return r.integ, r.integErr
	}
	integ, err := integration.GetByID(ctx, q, id)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return integration.Integration{}, err
	}
	r.tokenSet = false // the token may have changed with it
	r.integID, r.integ, r.integErr, r.integAt = id, integ, err, r.now()
	return integ, err
}

// botEndpoint is the project's bot endpoint; ok is false when none is set.
// Database errors are not kept; a secret that cannot be decrypted is.
func (r *chatRun) botEndpoint(ctx context.Context, q db.DBTX, e *Engine, projectID int64) (integration.Bot, bool, error) {
	if r.projectID == projectID && r.fresh(r.botAt) {
		return r.bot, r.botOK, r.botErr
	}
	b, ok, err := botEndpoint(ctx, q, e, projectID)
	if err != nil && !secretUnreadable(err) {
		return b, ok, err
	}
	r.projectID, r.bot, r.botOK, r.botErr, r.botAt = projectID, b, ok, err, r.now()
	return b, ok, err
}

// webimToken is the integration's decrypted Webim token.
func (r *chatRun) webimToken(e *Engine, integ integration.Integration) (string, error) {
	if !r.tokenSet || r.integID != integ.ID {
		r.token, r.tokenErr = integration.Token(context.Background(), e.Keyring, integ)
		r.tokenSet = true
	}
	return r.token, r.tokenErr
}

// unhealthy forgets the integration: Webim refused its token, and the
// next event must see it unhealthy.
func (r *chatRun) unhealthy() { r.integAt = time.Time{} }

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
