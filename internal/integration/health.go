package integration

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/secret"
)

// WebhookGraces are the grace periods an owner may pick when rotating the
// webhook URL: none, an hour, a day (the bot secret's overlap).
var WebhookGraces = []time.Duration{0, time.Hour, 24 * time.Hour}

// GraceName is a grace period as forms and the audit log name it: "none",
// "1h", "24h".
func GraceName(d time.Duration) string {
	if d <= 0 {
		return "none"
	}
	return fmt.Sprintf("%dh", int(d/time.Hour))
}

// ParseGrace reads a form's grace period ("none", "1h", "24h").
func ParseGrace(s string) (time.Duration, bool) {
	for _, g := range WebhookGraces {
		if GraceName(g) == s {
			return g, true
		}
	}
	return 0, false
}

// Health states as the owner reads them, derived from the stored status and
// what the bridge has seen.
const (
	// StateWaiting: active, but Webim has not called yet.
	StateWaiting = "waiting"
	// StateWorking: active and Webim has called.
	StateWorking = "working"
	// StateUnhealthy: Webim refused the token (Reason says how).
	StateUnhealthy = "unhealthy"
	// StateDisabled: switched off by its owner.
	StateDisabled = "disabled"
)

// Health is an integration's status as its page tells it.
type Health struct {
	State string
	// StatusChangedAt is when the stored status last changed;
	// ChangedByBotbridge says botbridge did it, else ChangedByEmail ("" if
	// the account is gone).
	StatusChangedAt    time.Time
	ChangedByBotbridge bool
	ChangedByEmail     string
	// LastEventAt, LastReplyAt, LastErrorAt are nil when there was none.
	LastEventAt *time.Time
	LastReplyAt *time.Time
	LastError   string
	LastErrorAt *time.Time
	// Failed counts the events that ended failed (Retry failed events).
	Failed int
}

// HealthOf reads the integration's health; another project's id is
// apperr.ErrNotFound.
func HealthOf(ctx context.Context, q db.DBTX, in Integration) (Health, error) {
	r, err := dbsqlc.New(q).IntegrationHealth(ctx, dbsqlc.IntegrationHealthParams{ProjectID: in.ProjectID, ID: in.ID})
	if err != nil {
		return Health{}, notFound(fmt.Sprintf("health %d", in.ID), err)
	}
	h := Health{StatusChangedAt: r.StatusChangedAt, ChangedByBotbridge: r.StatusChangedByBotbridge,
		ChangedByEmail: deref(r.StatusChangedByEmail), LastError: r.LastError, Failed: int(r.Failed)}
	if r.HasEvent {
		h.LastEventAt = &r.LastEventAt
	}
	if r.HasReply {
		h.LastReplyAt = &r.LastReplyAt
	}
	if r.HasError {
		h.LastErrorAt = &r.LastErrorAt
	}
	h.State = healthState(in.Status, r.Seen || r.HasEvent)
	return h, nil
}

// States is each listed integration's health state (the Settings list),
// from its stored status and whether Webim has called it; one query for
// the list. Integrations of another project read as never called.
func States(ctx context.Context, q db.DBTX, projectID int64, list []Integration) (map[int64]string, error) {
	ids := make([]int64, len(list))
	for i, in := range list {
		ids[i] = in.ID
	}
	seenIDs, err := dbsqlc.New(q).ListSeenIntegrationIDs(ctx, dbsqlc.ListSeenIntegrationIDsParams{ProjectID: projectID, Ids: ids})
	if err != nil {
		return nil, fmt.Errorf("integration: states: %w", err)
	}
	seen := make(map[int64]bool, len(seenIDs))
	for _, id := range seenIDs {
		seen[id] = true
	}
	out := make(map[int64]string, len(list))
	for _, in := range list {
		out[in.ID] = healthState(in.Status, seen[in.ID])
	}
	return out, nil
}

func healthState(status string, seen bool) string {
	switch {
	case status == StatusDisabled:
		return StateDisabled
	case status == StatusUnhealthy:
		return StateUnhealthy
	case seen:
		return StateWorking
	}
	return StateWaiting
}

// Project health on "My projects".
const (
	ProjectNotSetUp       = "not_set_up"
	ProjectWaiting        = "waiting"
	ProjectWorking        = "working"
	ProjectNeedsAttention = "needs_attention"
)

// ProjectHealth is each of the user's projects' health at a glance: not
// set up (no live integration), needs attention (one is unhealthy),
// waiting for Webim (none has been called yet), else working. Projects
// the user is not a member of are left out whatever ids are passed.
func ProjectHealth(ctx context.Context, q db.DBTX, userID int64, projectIDs []int64) (map[int64]string, error) {
	rows, err := dbsqlc.New(q).ListProjectHealth(ctx, dbsqlc.ListProjectHealthParams{UserID: userID, ProjectIds: projectIDs})
	if err != nil {
		return nil, fmt.Errorf("integration: project health: %w", err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		switch {
		case r.Integrations == 0:
			out[r.ProjectID] = ProjectNotSetUp
		case r.Unhealthy > 0:
			out[r.ProjectID] = ProjectNeedsAttention
		case r.Seen > 0:
			out[r.ProjectID] = ProjectWorking
		case r.Active > 0:
			out[r.ProjectID] = ProjectWaiting
		default: // only disabled integrations
			out[r.ProjectID] = ProjectNotSetUp
		}
	}
	return out, nil
}

// Setup is how far a project's setup has come, step by step (the Overview
// checklist).
type Setup struct {
	RequestFiled, Approved, IntegrationAdded, BotSet, FirstEvent, FirstReply bool
}

// ProjectSetup reads the project's setup steps.
func ProjectSetup(ctx context.Context, q db.DBTX, projectID int64) (Setup, error) {
	r, err := dbsqlc.New(q).ProjectSetup(ctx, projectID)
	if err != nil {
		return Setup{}, fmt.Errorf("integration: project setup: %w", err)
	}
	return Setup(r), nil
}

// LookupByPreviousWebhookKey finds the integration whose webhook key before
// the last rotation is key, while its grace period lasts, and returns it
// with its current key, for which the ingress then takes the call. Any
// other key is apperr.ErrNotFound.
func LookupByPreviousWebhookKey(ctx context.Context, q db.DBTX, kr *secret.Keyring, key string) (Integration, string, error) {
	hash, err := WebhookKeyHash(key)
	if err != nil {
		return Integration{}, "", err
	}
	r, err := dbsqlc.New(q).LookupIntegrationByPreviousWebhook(ctx, hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return Integration{}, "", fmt.Errorf("integration: previous webhook key: %w", apperr.ErrNotFound)
	}
	if err != nil {
		return Integration{}, "", fmt.Errorf("integration: previous webhook key: %w", err)
	}
	in := fromRow(dbsqlc.Integration(r), nil, nil)
	current, err := WebhookKey(kr, in)
	if err != nil {
		return Integration{}, "", err
	}
	return in, current, nil
}

// MarkHealthy makes an unhealthy integration active again after botbridge
// saw Webim accept its token ("Check again"), attributed to botbridge and
// audited. changed is false when it was not unhealthy.
func MarkHealthy(ctx context.Context, q db.DBTX, id int64) (changed bool, err error) {
	n, err := dbsqlc.New(q).MarkIntegrationHealthy(ctx, id)
	if err != nil {
		return false, fmt.Errorf("integration: mark healthy: %w", err)
	}
	return n > 0, nil
}
