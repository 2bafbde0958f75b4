package request

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// Platform is one entry of the chat-platform catalog.
type Platform struct {
	Key  string
	Name string
	// Available false means "coming soon": listed, not requestable.
	Available bool
}

// Platforms returns the catalog in display order.
func Platforms(ctx context.Context, q db.DBTX) ([]Platform, error) {
	rows, err := dbsqlc.New(q).ListPlatforms(ctx)
	if err != nil {
		return nil, fmt.Errorf("request: platforms: %w", err)
	}
	out := make([]Platform, len(rows))
	for i, r := range rows {
		out[i] = Platform{Key: r.Key, Name: r.Name, Available: r.Available}
	}
	return out, nil
}

// GetPlatform looks a platform up by key; unknown keys are not found.
func GetPlatform(ctx context.Context, q db.DBTX, key string) (Platform, error) {
	r, err := dbsqlc.New(q).GetPlatform(ctx, key)
	if errors.Is(err, pgx.ErrNoRows) {
		return Platform{}, fmt.Errorf("platform %q: %w", key, apperr.ErrNotFound)
	}
	if err != nil {
		return Platform{}, fmt.Errorf("request: platform: %w", err)
	}
	return Platform{Key: r.Key, Name: r.Name, Available: r.Available}, nil
}

// Grant lets a project configure a platform without a request: the demo
// seed, an operator's script, tests. Approval grants through the same
// statement, with its request. Granting twice changes nothing.
func Grant(ctx context.Context, q db.DBTX, projectID int64, platform string, grantedBy int64) error {
	if err := dbsqlc.New(q).InsertGrant(ctx, dbsqlc.InsertGrantParams{ProjectID: projectID, Platform: platform, GrantedBy: &grantedBy}); err != nil {
		return fmt.Errorf("request: grant %s: %w", platform, err)
	}
	return nil
}

// GrantedPlatforms returns the platforms a project may configure (granted
// by an approved request), in catalog order.
func GrantedPlatforms(ctx context.Context, q db.DBTX, projectID int64) ([]Platform, error) {
	rows, err := dbsqlc.New(q).ListGrantedPlatforms(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("request: granted platforms: %w", err)
	}
	out := make([]Platform, len(rows))
	for i, r := range rows {
		out[i] = Platform{Key: r.Key, Name: r.Name, Available: r.Available}
	}
	return out, nil
}

// IsGranted reports whether the project may configure the platform.
func IsGranted(ctx context.Context, q db.DBTX, projectID int64, platform string) (bool, error) {
	ok, err := dbsqlc.New(q).IsPlatformGranted(ctx, dbsqlc.IsPlatformGrantedParams{ProjectID: projectID, Platform: platform})
	if err != nil {
		return false, fmt.Errorf("request: is granted: %w", err)
	}
	return ok, nil
}

// GrantedPlatformNames maps each of the given projects to the names of its
// granted platforms (for "My projects"; fits web.Deps.Platforms). Callers
// pass only ids the user may see.
func GrantedPlatformNames(ctx context.Context, q db.DBTX, projectIDs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(projectIDs) == 0 {
		return out, nil
	}
	rows, err := dbsqlc.New(q).GrantedPlatformNames(ctx, projectIDs)
	if err != nil {
		return nil, fmt.Errorf("request: granted platform names: %w", err)
	}
	for _, r := range rows {
		out[r.ProjectID] = append(out[r.ProjectID], r.Name)
	}
	return out, nil
}

// PlatformStatus is one catalog platform as a project sees it in Settings.
type PlatformStatus struct {
	Platform
	// Granted: an approved request gave the project this platform.
	Granted bool
	// RequestID and RequestStatus describe the project's newest request
	// for the platform; RequestID is 0 when there is none.
	RequestID     int64
	RequestStatus Status
}

// PlatformStatuses lists every catalog platform for a project with its
// grant and newest request, in catalog order. The caller has checked that
// the user may see the project.
func PlatformStatuses(ctx context.Context, q db.DBTX, projectID int64) ([]PlatformStatus, error) {
	rows, err := dbsqlc.New(q).PlatformStatuses(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("request: platform statuses: %w", err)
	}
	out := make([]PlatformStatus, len(rows))
	for i, r := range rows {
		out[i] = PlatformStatus{
			Platform:      Platform{Key: r.Key, Name: r.Name, Available: r.Available},
			Granted:       r.Granted,
			RequestID:     r.RequestID,
			RequestStatus: Status(r.RequestStatus),
		}
	}
	return out, nil
}
