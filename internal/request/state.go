// Package request is the approval workflow for integration requests: an
// owner asks for a chat platform for a project, a moderator takes the
// request into work and approves or rejects it, and approval grants the
// platform to the project. Every change is one transaction: the status
// (guarded by an optimistic-lock version), its history row, the grant and
// the e-mail in the outbox commit together or not at all.
package request

import (
	"fmt"

	"github.com/botbridge/botbridge/internal/apperr"
)

// Status is where a request is in its life.
type Status string

// The states of a request. Submitted and InReview are "open": at most one
// open request per project and platform.
const (
	Submitted Status = "submitted"
	InReview  Status = "in_review"
	Approved  Status = "approved"
	Rejected  Status = "rejected"
	Withdrawn Status = "withdrawn"
	// Revoked: approved once, then a moderator took the grant back (with a
	// reason); the project may file a new request.
	Revoked Status = "revoked"
)

// Statuses lists every state in workflow order (for filters and tests).
var Statuses = []Status{Submitted, InReview, Approved, Rejected, Withdrawn, Revoked}

// OpenStatuses are the undecided states, the moderation queue's default.
var OpenStatuses = []Status{Submitted, InReview}

// ParseStatus accepts only the known state names.
func ParseStatus(s string) (Status, bool) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, true
		}
	}
	return "", false
}

// Open reports whether the request still awaits a decision.
func (s Status) Open() bool { return s == Submitted || s == InReview }

// Decided reports whether s is final.
func (s Status) Decided() bool {
	return s == Approved || s == Rejected || s == Withdrawn || s == Revoked
}

// Role is who acts on a request: the project's owner side or a moderator
// (admins act as moderators).
type Role string

// Roles in the state machine.
const (
	ByOwner     Role = "owner"
	ByModerator Role = "moderator"
)

// transitions is the whole state machine: from → to → who may do it.
var transitions = map[Status]map[Status]Role{
	Submitted: {InReview: ByModerator, Rejected: ByModerator, Withdrawn: ByOwner},
	InReview:  {Approved: ByModerator, Rejected: ByModerator, Withdrawn: ByOwner},
	Approved:  {Revoked: ByModerator},
	// A rejected request is edited and sent again (Resubmit): the same
	// request, so its history keeps the rejection and the answer to it.
	Rejected: {Submitted: ByOwner},
}

// TransitionError is an illegal move (e.g. approving a withdrawn request).
// It is a conflict: the request is not in a state that allows it.
type TransitionError struct {
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("request: cannot go from %s to %s", e.From, e.To)
}

// Is makes errors.Is(err, apperr.ErrConflict) true.
func (e *TransitionError) Is(target error) bool { return target == apperr.ErrConflict }

// Check is the state machine as a pure function: nil when by may move a
// request from one state to the other, a *TransitionError when no one may,
// and apperr.ErrForbidden when only the other role may.
func Check(from, to Status, by Role) error {
	who, ok := transitions[from][to]
	if !ok {
		return &TransitionError{From: from, To: to}
	}
	if who != by {
		return fmt.Errorf("request: %s may not move %s to %s: %w", by, from, to, apperr.ErrForbidden)
	}
	return nil
}
