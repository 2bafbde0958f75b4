package integration

import (
	"context"
	"fmt"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// PlatformChoice is one catalog platform as a project sees it in Settings.
type PlatformChoice struct {
	Key       string
	Name      string
	Available bool
	Granted   bool
	// RequestStatus is the status of the project's newest request for the
	// platform, or "" when it never asked.
	RequestStatus string
}

// Configurable reports whether the project may add an integration of this
// platform now: it is offered, granted and has a configuration form.
func (p PlatformChoice) Configurable() bool {
	return p.Available && p.Granted && p.Key == PlatformWebim
}

// PlatformChoices lists the whole catalog for the project, in catalog order.
func PlatformChoices(ctx context.Context, q db.DBTX, projectID int64) ([]PlatformChoice, error) {
	rows, err := dbsqlc.New(q).ListPlatformChoices(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("integration: platform choices: %w", err)
	}
	out := make([]PlatformChoice, len(rows))
	for i, r := range rows {
		out[i] = PlatformChoice{Key: r.Key, Name: r.Name, Available: r.Available, Granted: r.Granted, RequestStatus: r.RequestStatus}
	}
	return out, nil
}

// Platform returns one catalog platform as the project sees it; a key not
// in the catalog is apperr.ErrNotFound.
func Platform(ctx context.Context, q db.DBTX, projectID int64, key string) (PlatformChoice, error) {
	all, err := PlatformChoices(ctx, q, projectID)
	if err != nil {
		return PlatformChoice{}, err
	}
	for _, p := range all {
		if p.Key == key {
			return p, nil
		}
	}
	return PlatformChoice{}, fmt.Errorf("integration: platform %q: %w", key, apperr.ErrNotFound)
}

// Health values of a granted platform in "My projects".
const (
	HealthActive        = "active"
	HealthUnhealthy     = "unhealthy"
	HealthDisabled      = "disabled"
	HealthNotConfigured = "not_configured"
)

// PlatformHealth is one granted platform of a project with the state of
// its integrations: unhealthy when any is, else active when any is, else
// disabled when all are, else not configured.
type PlatformHealth struct {
	Platform string
	Name     string
	Health   string
}

// SummaryForProjects returns, per project, its granted platforms and their
// health, for the "My projects" list. Only projects userID belongs to are
// included, whatever ids are passed.
func SummaryForProjects(ctx context.Context, q db.DBTX, userID int64, projectIDs []int64) (map[int64][]PlatformHealth, error) {
	out := map[int64][]PlatformHealth{}
	if len(projectIDs) == 0 {
		return out, nil
	}
	rows, err := dbsqlc.New(q).ListPlatformHealth(ctx, dbsqlc.ListPlatformHealthParams{UserID: userID, ProjectIds: projectIDs})
	if err != nil {
		return nil, fmt.Errorf("integration: platform summary: %w", err)
	}
	for _, r := range rows {
		h := HealthNotConfigured
		switch {
		case r.Unhealthy > 0:
			h = HealthUnhealthy
		case r.Active > 0:
			h = HealthActive
		case r.Disabled > 0:
			h = HealthDisabled
		}
		out[r.ProjectID] = append(out[r.ProjectID], PlatformHealth{Platform: r.Key, Name: r.Name, Health: h})
	}
	return out, nil
}

// Requestable reports whether the project may file a request for the
// platform now: it is available, not granted, and its newest request (if
// any) is closed (rejected or withdrawn).
func (p PlatformChoice) Requestable() bool {
	if !p.Available || p.Granted {
		return false
	}
	switch p.RequestStatus {
	case "", "rejected", "withdrawn":
		return true
	}
	return false
}

// AnyRequestable reports whether the project may request some platform
// now (the project header's "Request integration" button).
func AnyRequestable(ctx context.Context, q db.DBTX, projectID int64) (bool, error) {
	all, err := PlatformChoices(ctx, q, projectID)
	if err != nil {
		return false, err
	}
	for _, p := range all {
		if p.Requestable() {
			return true, nil
		}
	}
	return false, nil
}
