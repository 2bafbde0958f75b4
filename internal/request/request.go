package request

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// Request is one integration request with the names a page shows.
type Request struct {
	ID              int64
	ProjectID       int64
	ProjectName     string
	Platform        string
	PlatformName    string
	Status          Status
	ContactEmail    string
	Organisation    string
	Description     string
	WebimDomain     string
	AccessRequested bool
	RejectReason    string
	// Version is the optimistic-lock counter every action form sends back.
	Version        int32
	CreatedBy      int64
	CreatedByEmail string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DecidedAt      *time.Time
	// AssignedTo is the moderator who took the request into work (0: nobody);
	// AssignedEmail their address ("" when nobody or the account is gone).
	AssignedTo    int64
	AssignedEmail string
	// Language is the language the request was filed in ("ru", "en"): its
	// mail to a contact address without an account is written in it.
	Language string
}

// Event kinds in a request's history.
const (
	KindTransition = "transition"
	KindComment    = "comment"
	// KindNote is an internal moderator note: moderators only, never shown
	// or mailed to the project's people.
	KindNote = "note"
)

// Event is one entry of a request's history: a transition or a comment.
type Event struct {
	ID        int64
	RequestID int64
	Kind      string
	// From is empty for the submission itself.
	From, To Status
	Comment  string
	// ActorEmail is empty when the account was deleted.
	ActorEmail string
	// ActorIsMember is true for the project's own people, false for
	// moderators (owners see "Moderator" instead of their address).
	ActorIsMember bool
	CreatedAt     time.Time
}

// Scope says through whom a request is reached: an owner through one
// project (another project's request is not found), or a moderator across
// all projects. The zero Scope reaches nothing.
type Scope struct {
	projectID int64
	moderator bool
}

// InProject scopes reads and changes to one project (the owner's view).
func InProject(projectID int64) Scope { return Scope{projectID: projectID} }

// AsModerator reaches every project's requests (moderation only).
func AsModerator() Scope { return Scope{moderator: true} }

func (s Scope) role() Role {
	if s.moderator {
		return ByModerator
	}
	return ByOwner
}

func (s Scope) valid() bool { return s.moderator || s.projectID > 0 }

// Get loads one request through scope; outside it, apperr.ErrNotFound.
func Get(ctx context.Context, q db.DBTX, scope Scope, id int64) (Request, error) {
	if !scope.valid() {
		return Request{}, fmt.Errorf("request %d: no scope: %w", id, apperr.ErrNotFound)
	}
	var (
		row dbsqlc.GetRequestForModerationRow
		err error
	)
	if scope.moderator {
		row, err = dbsqlc.New(q).GetRequestForModeration(ctx, id)
	} else {
		var r dbsqlc.GetRequestInProjectRow
		r, err = dbsqlc.New(q).GetRequestInProject(ctx, dbsqlc.GetRequestInProjectParams{ID: id, ProjectID: scope.projectID})
		row = dbsqlc.GetRequestForModerationRow(r)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return Request{}, fmt.Errorf("request %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return Request{}, fmt.Errorf("request: get: %w", err)
	}
	return fromRow(row), nil
}

func fromRow(r dbsqlc.GetRequestForModerationRow) Request {
	var assigned int64
	if r.AssignedTo != nil {
		assigned = *r.AssignedTo
	}
	return Request{
		AssignedTo: assigned, AssignedEmail: r.AssignedEmail,
		ID: r.ID, ProjectID: r.ProjectID, ProjectName: r.ProjectName, Platform: r.Platform, PlatformName: r.PlatformName,
		Status: Status(r.Status), ContactEmail: r.ContactEmail, Organisation: r.Organisation, Description: r.Description,
		WebimDomain: r.WebimDomain, AccessRequested: r.AccessRequested, RejectReason: r.RejectReason, Version: r.Version, Language: r.Language,
		CreatedBy: r.CreatedBy, CreatedByEmail: r.CreatedByEmail, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, DecidedAt: r.DecidedAt,
	}
}

// ListForProject returns a project's requests, newest first.
func ListForProject(ctx context.Context, q db.DBTX, projectID int64) ([]Request, error) {
	rows, err := dbsqlc.New(q).ListRequestsForProject(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("request: list: %w", err)
	}
	out := make([]Request, len(rows))
	for i, r := range rows {
		out[i] = fromRow(dbsqlc.GetRequestForModerationRow(r))
	}
	return out, nil
}

// HistoryForProject returns the history of every request of a project,
// keyed by request id, oldest entry first.
func HistoryForProject(ctx context.Context, q db.DBTX, projectID int64) (map[int64][]Event, error) {
	rows, err := dbsqlc.New(q).ListEventsForProject(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("request: history: %w", err)
	}
	out := map[int64][]Event{}
	for _, r := range rows {
		out[r.RequestID] = append(out[r.RequestID], eventFromRow(dbsqlc.ListEventsForRequestRow(r)))
	}
	return out, nil
}

// History returns one request's history, oldest first, through scope;
// internal notes only for a moderator.
func History(ctx context.Context, q db.DBTX, scope Scope, requestID int64) ([]Event, error) {
	r, err := Get(ctx, q, scope, requestID)
	if err != nil {
		return nil, err
	}
	rows, err := dbsqlc.New(q).ListEventsForRequest(ctx, dbsqlc.ListEventsForRequestParams{RequestID: r.ID, ProjectID: r.ProjectID, IncludeNotes: scope.moderator})
	if err != nil {
		return nil, fmt.Errorf("request: history: %w", err)
	}
	out := make([]Event, len(rows))
	for i, row := range rows {
		out[i] = eventFromRow(row)
	}
	return out, nil
}

func eventFromRow(r dbsqlc.ListEventsForRequestRow) Event {
	e := Event{ID: r.ID, RequestID: r.RequestID, Kind: r.Kind, Comment: r.Comment, ActorEmail: r.ActorEmail,
		ActorIsMember: r.ActorIsMember, CreatedAt: r.CreatedAt}
	if r.FromStatus != nil {
		e.From = Status(*r.FromStatus)
	}
	if r.ToStatus != nil {
		e.To = Status(*r.ToStatus)
	}
	return e
}
