package request

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/project"
)

// ErrStale means the request changed after the actor loaded it (its
// version moved on): nothing was changed; show the current state and let
// the actor decide again.
var ErrStale = fmt.Errorf("request: changed by someone else in the meantime: %w", apperr.ErrConflict)

// ErrOwnProject is separation of duties: a moderator who is a member of
// the request's project may not take, approve, reject or revoke it;
// another moderator must. Nothing is changed.
var ErrOwnProject = fmt.Errorf("request: moderator belongs to the request's project: %w", apperr.ErrForbidden)

// Take moves a submitted request into review (moderators) and e-mails the
// contact address. version is the one the moderator saw.
func Take(ctx context.Context, conn db.Conn, n Notifier, requestID int64, version int32, moderatorID int64) (Request, error) {
	return move(ctx, conn, n, AsModerator(), requestID, version, moderatorID, InReview, "")
}

// Approve approves a request in review, grants the platform to the project
// and e-mails the contact address, all in one transaction.
func Approve(ctx context.Context, conn db.Conn, n Notifier, requestID int64, version int32, moderatorID int64) (Request, error) {
	return move(ctx, conn, n, AsModerator(), requestID, version, moderatorID, Approved, "")
}

// Reject rejects an open request with a reason (required; the owner sees
// it) and e-mails the contact address.
func Reject(ctx context.Context, conn db.Conn, n Notifier, requestID int64, version int32, moderatorID int64, reason string) (Request, error) {
	return move(ctx, conn, n, AsModerator(), requestID, version, moderatorID, Rejected, text(reason))
}

// Revoke takes back the platform an approved request granted, with a
// reason the owner reads: the grant is deleted (the platform leaves the
// project's Settings), the project's integrations of the platform are
// disabled (their webhooks answer 404 and the bridge fails events still in
// flight with a reason), each in the integration audit log, and the owner
// is e-mailed, in one transaction. A new request can be filed afterwards.
func Revoke(ctx context.Context, conn db.Conn, n Notifier, requestID int64, version int32, moderatorID int64, reason string) (Request, error) {
	return move(ctx, conn, n, AsModerator(), requestID, version, moderatorID, Revoked, text(reason))
}

// checkText returns a validation error for field when s is empty or longer
// than limit characters.
func checkText(field, s string, limit int) error {
	switch k := utf8.RuneCountInString(s); {
	case k == 0:
		return apperr.Validation{field: "request." + field + ".required"}
	case k > limit:
		return apperr.Validation{field: "request." + field + ".long"}
	}
	return nil
}

// Withdraw lets a member of the request's project take back an open request.
func Withdraw(ctx context.Context, conn db.Conn, n Notifier, projectID, requestID int64, version int32, userID int64) (Request, error) {
	return move(ctx, conn, n, InProject(projectID), requestID, version, userID, Withdrawn, "")
}

// authorize checks, inside the transaction, that the actor may act through
// scope: a moderator account, or a member of the project.
func authorize(ctx context.Context, tx pgx.Tx, scope Scope, actorID int64) error {
	if !scope.valid() {
		return fmt.Errorf("request: no scope: %w", apperr.ErrNotFound)
	}
	if !scope.moderator {
		_, err := project.Get(ctx, tx, actorID, scope.projectID)
		return err
	}
	u, err := dbsqlc.New(tx).GetUserByID(ctx, actorID)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && (u.DisabledAt != nil || !auth.Role(u.Role).CanModerate()) {
		return fmt.Errorf("request: user %d may not moderate: %w", actorID, apperr.ErrForbidden)
	}
	if err != nil {
		return fmt.Errorf("request: actor: %w", err)
	}
	return nil
}

// move is every transition: check the version and the state machine,
// update guarded by both, record history, grant on approval and mail, in
// one transaction.
func move(ctx context.Context, conn db.Conn, n Notifier, scope Scope, id int64, version int32, actorID int64, to Status, reason string) (Request, error) {
	if err := n.check(); err != nil {
		return Request{}, err
	}
	var out Request
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		if err := authorize(ctx, tx, scope, actorID); err != nil {
			return err
		}
		r, err := Get(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if scope.moderator {
			member, err := dbsqlc.New(tx).IsProjectMember(ctx, dbsqlc.IsProjectMemberParams{ProjectID: r.ProjectID, UserID: actorID})
			if err != nil {
				return fmt.Errorf("request: membership: %w", err)
			}
			if member {
				return ErrOwnProject
			}
		}
		if r.Version != version {
			return ErrStale
		}
		if err := Check(r.Status, to, scope.role()); err != nil {
			return err
		}
		// Input is checked only once the request is known to be reachable
		// and movable, so a tampered id is a 404, not a form error.
		switch to {
		case Rejected:
			if err := checkText("reason", reason, MaxReason); err != nil {
				return err
			}
		case Revoked:
			if err := checkText("revoke_reason", reason, MaxReason); err != nil {
				return err
			}
		}
		q := dbsqlc.New(tx)
		_, err = q.TransitionRequest(ctx, dbsqlc.TransitionRequestParams{
			ToStatus: string(to), RejectReason: reason, Decided: to.Decided(),
			ID: r.ID, ProjectID: r.ProjectID, Version: version, FromStatus: string(r.Status),
		})
		if errors.Is(err, pgx.ErrNoRows) {
			// Someone else won between our read and our update.
			return classify(ctx, tx, scope, id, version, to)
		}
		if err != nil {
			return fmt.Errorf("request: update: %w", err)
		}
		from, toS := string(r.Status), string(to)
		if err := q.InsertRequestEvent(ctx, dbsqlc.InsertRequestEventParams{
			RequestID: r.ID, ActorID: &actorID, Kind: KindTransition, FromStatus: &from, ToStatus: &toS, Comment: reason,
		}); err != nil {
			return fmt.Errorf("request: history: %w", err)
		}
		switch to {
		case InReview:
			if err := q.AssignRequest(ctx, dbsqlc.AssignRequestParams{ID: r.ID, AssignedTo: &actorID}); err != nil {
				return fmt.Errorf("request: assign: %w", err)
			}
		case Revoked:
			if err := revokeGrant(ctx, q, r, actorID); err != nil {
				return err
			}
		}
		if to == Approved {
			if err := q.InsertGrant(ctx, dbsqlc.InsertGrantParams{
				ProjectID: r.ProjectID, Platform: r.Platform, RequestID: &r.ID, GrantedBy: &actorID,
			}); err != nil {
				return fmt.Errorf("request: grant: %w", err)
			}
		}
		if out, err = Get(ctx, tx, scope, id); err != nil {
			return err
		}
		return n.moved(ctx, tx, out, to)
	})
	if err != nil {
		return Request{}, err
	}
	return out, nil
}

// revokeGrant deletes the grant and disables the platform's integrations
// of the project, recording each in the integration audit log (the
// project's audit log). It changes the integration's status only: the
// webhook lookup and the bridge's delivery already treat a disabled
// integration as closed.
func revokeGrant(ctx context.Context, q *dbsqlc.Queries, r Request, actorID int64) error {
	if _, err := q.DeleteGrant(ctx, dbsqlc.DeleteGrantParams{ProjectID: r.ProjectID, Platform: r.Platform}); err != nil {
		return fmt.Errorf("request: revoke grant: %w", err)
	}
	disabled, err := q.DisablePlatformIntegrations(ctx, dbsqlc.DisablePlatformIntegrationsParams{
		ActorID: &actorID, ProjectID: r.ProjectID, Platform: r.Platform,
	})
	if err != nil {
		return fmt.Errorf("request: disable integrations: %w", err)
	}
	for _, d := range disabled {
		if err := q.InsertIntegrationAudit(ctx, dbsqlc.InsertIntegrationAuditParams{
			ProjectID: r.ProjectID, IntegrationID: &d.ID, ActorID: &actorID, Action: "disabled",
			Detail: "status=" + d.OldStatus + "→disabled grant_revoked=request#" + itoa(r.ID),
		}); err != nil {
			return fmt.Errorf("request: audit: %w", err)
		}
	}
	return nil
}

// classify explains why a guarded update matched no row: the request is
// gone (not found), moved on (stale) or not in a state that allows it.
func classify(ctx context.Context, tx pgx.Tx, scope Scope, id int64, version int32, to Status) error {
	cur, err := Get(ctx, tx, scope, id)
	if err != nil {
		return err
	}
	if cur.Version != version {
		return ErrStale
	}
	if err := Check(cur.Status, to, scope.role()); err != nil {
		return err
	}
	return ErrStale
}

// Comment adds a comment to a request's history, by an owner (scope
// InProject) or a moderator (AsModerator). version must still be current,
// so nobody comments on a state they have not seen; comments do not change
// the version.
func Comment(ctx context.Context, conn db.Conn, scope Scope, requestID int64, version int32, actorID int64, comment string) (Event, error) {
	comment = text(comment)
	var out Event
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		if err := authorize(ctx, tx, scope, actorID); err != nil {
			return err
		}
		r, err := Get(ctx, tx, scope, requestID)
		if err != nil {
			return err
		}
		if r.Version != version {
			return ErrStale
		}
		if err := checkText("comment", comment, MaxComment); err != nil {
			return err
		}
		// Lock the row so a transition cannot slip in between the check
		// above and the comment: the comment is about the version seen.
		q := dbsqlc.New(tx)
		locked, err := q.LockRequestVersion(ctx, dbsqlc.LockRequestVersionParams{ID: r.ID, ProjectID: r.ProjectID})
		if err != nil {
			return fmt.Errorf("request: lock: %w", err)
		}
		if locked != version {
			return ErrStale
		}
		if err := q.InsertRequestEvent(ctx, dbsqlc.InsertRequestEventParams{
			RequestID: r.ID, ActorID: &actorID, Kind: KindComment, Comment: comment,
		}); err != nil {
			return fmt.Errorf("request: comment: %w", err)
		}
		out = Event{RequestID: r.ID, Kind: KindComment, Comment: comment}
		return nil
	})
	return out, err
}
