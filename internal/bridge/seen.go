package bridge

import (
	"context"
	"fmt"
	"time"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// SeenKind is when the integration's Webim account last made one kind of
// call (a webhook event such as new_chat, a chat event handler call such
// as chat_assigned, "other" for chat events of no known name, or a webhook
// event name botbridge does not know), and the release it reported then.
type SeenKind struct {
	Kind         string
	WebimVersion string
	LastSeenAt   time.Time
}

// IntegrationSeen is what botbridge has seen of an integration's Webim side.
type IntegrationSeen struct {
	// Kinds are ordered by name.
	Kinds []SeenKind
	// WebimVersion is the release the account reported last ("" if it never
	// sent X-Webim-Version).
	WebimVersion string
	// VersionSeenAt is when it reported WebimVersion.
	VersionSeenAt time.Time
}

// Seen reads when the integration's Webim account last called, per kind,
// scoped by project: another tenant's integration id finds nothing.
func Seen(ctx context.Context, q db.DBTX, projectID, integrationID int64) (IntegrationSeen, error) {
	rows, err := dbsqlc.New(q).ListIntegrationSeenInProject(ctx, dbsqlc.ListIntegrationSeenInProjectParams{
		IntegrationID: integrationID, ProjectID: projectID})
	if err != nil {
		return IntegrationSeen{}, fmt.Errorf("bridge: seen: %w", err)
	}
	var out IntegrationSeen
	for _, r := range rows {
		out.Kinds = append(out.Kinds, SeenKind{Kind: r.Kind, WebimVersion: r.WebimVersion, LastSeenAt: r.LastSeenAt})
		if r.WebimVersion != "" && r.LastSeenAt.After(out.VersionSeenAt) {
			out.WebimVersion, out.VersionSeenAt = r.WebimVersion, r.LastSeenAt
		}
	}
	return out, nil
}

// ActivityDetail is what the activity log shows of an event beyond
// Activity: the platform's message kind (message.other), how many messages
// a chat.returned carried, the operator a chat.assigned named, and the
// action an action.failed reports.
type ActivityDetail struct {
	Kind         string
	Carried      int
	OperatorName string
	OperatorID   string
	Action       string
	Reason       string
}

// ActivityDetails reads the details of the given events, scoped by project
// so ids of another tenant's events find nothing.
func ActivityDetails(ctx context.Context, q db.DBTX, projectID int64, eventIDs []int64) (map[int64]ActivityDetail, error) {
	out := make(map[int64]ActivityDetail, len(eventIDs))
	if len(eventIDs) == 0 {
		return out, nil
	}
	rows, err := dbsqlc.New(q).ListActivityDetails(ctx, dbsqlc.ListActivityDetailsParams{EventIds: eventIDs, ProjectID: projectID})
	if err != nil {
		return nil, fmt.Errorf("bridge: activity details: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = ActivityDetail{Kind: r.Kind, Carried: int(r.Carried), OperatorName: r.OperatorName, OperatorID: r.OperatorID,
			Action: r.Action, Reason: r.Reason}
	}
	return out, nil
}
