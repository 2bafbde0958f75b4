package bridge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/webim"
)

// ErrCannotSend: the integration may not call Webim now (unhealthy or
// disabled), so a retried event would only fail again. It is a conflict;
// the web layer says why and what to do first.
var ErrCannotSend = fmt.Errorf("the integration cannot send to Webim now: %w", apperr.ErrConflict)

// Outcomes of CheckAgain.
const (
	// CheckAccepted: Webim accepted the token; an unhealthy integration
	// is active again.
	CheckAccepted = "accepted"
	// CheckRefused: Webim still refuses the token.
	CheckRefused = "refused"
	// CheckUnreachable: no answer that says anything about the token
	// (network trouble, Webim busy, not a Webim API).
	CheckUnreachable = "unreachable"
)

// CheckResult is what "Check again" found.
type CheckResult struct {
	Outcome string
	// Recovered: the integration was unhealthy and is active again.
	Recovered bool
	// Detail is the technical answer for refused and unreachable.
	Detail string
}

// CheckAgain makes a harmless authenticated call to the integration's
// Webim account (webim.Client.CheckToken). When Webim accepts the token an
// unhealthy integration becomes active again, attributed to botbridge; a
// refusal leaves it as it is. Another project's id is apperr.ErrNotFound.
func (e *Engine) CheckAgain(ctx context.Context, projectID, integrationID int64) (CheckResult, error) {
	in, err := integration.Get(ctx, e.Pool, projectID, integrationID)
	if err != nil {
		return CheckResult{}, err
	}
	token, err := integration.Token(ctx, e.Keyring, in)
	if err != nil {
		return CheckResult{}, err
	}
	err = e.Webim.CheckToken(ctx, in.Domain, token)
	switch {
	case errors.Is(err, webim.ErrUnauthorized):
		return CheckResult{Outcome: CheckRefused, Detail: err.Error()}, nil
	case err != nil:
		return CheckResult{Outcome: CheckUnreachable, Detail: err.Error()}, nil
	}
	changed, err := integration.MarkHealthy(ctx, e.Pool, in.ID)
	if err != nil {
		return CheckResult{}, err
	}
	if changed {
		e.log().Info("bridge: integration healthy again", slog.Int64("integration_id", in.ID))
	}
	return CheckResult{Outcome: CheckAccepted, Recovered: changed}, nil
}

// RetryFailed puts every failed event of the integration back in the
// queue, where each stopped, and queues their chats in the order of their
// first failed event (each chat then runs its events in order). It returns
// how many events it retried; ErrCannotSend when the integration is
// unhealthy or disabled.
func (e *Engine) RetryFailed(ctx context.Context, projectID, integrationID int64) (int, error) {
	in, err := integration.Get(ctx, e.Pool, projectID, integrationID)
	if err != nil {
		return 0, err
	}
	if !in.CanSend() {
		return 0, fmt.Errorf("bridge: retry failed events of %d (%s): %w", in.ID, in.Status, ErrCannotSend)
	}
	n := 0
	err = db.InTx(ctx, e.Pool, func(tx pgx.Tx) error {
		rows, err := dbsqlc.New(tx).RetryFailedEventsOfIntegration(ctx, dbsqlc.RetryFailedEventsOfIntegrationParams{
			IntegrationID: in.ID, ProjectID: projectID})
		if err != nil {
			return fmt.Errorf("bridge: retry failed events: %w", err)
		}
		chats := make([]chatJob, len(rows))
		for i, r := range rows {
			chats[i] = chatJob{chat: r.ChatID, integration: in.ID}
			n += int(r.Events)
		}
		return e.enqueueChats(ctx, tx, chats)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
