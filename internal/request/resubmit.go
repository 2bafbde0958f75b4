package request

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/project"
)

// Resubmit sends a rejected request again with the owner's edits: the same
// request goes back to submitted, so the moderators read the rejection,
// the answer to it and the new text in one history (a new request would
// split that conversation in two). The platform cannot change. Like
// Submit, it is refused when the platform is granted meanwhile or another
// request for it is open (*OpenRequestError), and it e-mails every
// moderator and queues the Webim domain check.
func Resubmit(ctx context.Context, conn db.Conn, n Notifier, userID, projectID, requestID int64, version int32, in Input) (Request, error) {
	if err := n.check(); err != nil {
		return Request{}, err
	}
	var out Request
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		p, err := project.Get(ctx, tx, userID, projectID)
		if err != nil {
			return err
		}
		r, err := Get(ctx, tx, InProject(p.ID), requestID)
		if err != nil {
			return err
		}
		if r.Version != version {
			return ErrStale
		}
		if err := Check(r.Status, Submitted, ByOwner); err != nil {
			return err
		}
		user, err := q.GetUserByID(ctx, userID)
		if err != nil {
			return fmt.Errorf("request: submitter: %w", err)
		}
		in.Platform = r.Platform
		in, v := in.clean(user.Email)
		if err := v.Err(); err != nil {
			return err
		}
		granted, err := IsGranted(ctx, tx, p.ID, r.Platform)
		if err != nil {
			return err
		}
		if granted {
			return apperr.Validation{"platform": "request.platform.granted"}
		}
		open, err := q.FindOpenRequest(ctx, dbsqlc.FindOpenRequestParams{ProjectID: p.ID, Platform: r.Platform})
		switch {
		case err == nil:
			return &OpenRequestError{RequestID: open, Platform: r.Platform}
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("request: find open request: %w", err)
		}
		_, err = q.ResubmitRequest(ctx, dbsqlc.ResubmitRequestParams{
			ContactEmail: in.ContactEmail, Organisation: in.Organisation, Description: in.Description,
			WebimDomain: in.WebimDomain, AccessRequested: in.AccessRequested,
			Search: strings.ToLower(p.Name + " " + in.Organisation + " " + in.ContactEmail),
			ID:     r.ID, ProjectID: p.ID, Version: version,
		})
		if errors.Is(err, pgx.ErrNoRows) {
			return classify(ctx, tx, InProject(p.ID), r.ID, version, Submitted)
		}
		if err != nil {
			return fmt.Errorf("request: resubmit: %w", err)
		}
		from, to := string(Rejected), string(Submitted)
		if err := q.InsertRequestEvent(ctx, dbsqlc.InsertRequestEventParams{
			RequestID: r.ID, ActorID: &userID, Kind: KindTransition, FromStatus: &from, ToStatus: &to,
		}); err != nil {
			return fmt.Errorf("request: history: %w", err)
		}
		if out, err = Get(ctx, tx, InProject(p.ID), r.ID); err != nil {
			return err
		}
		if err := n.queueEvidence(ctx, tx, out); err != nil {
			return err
		}
		return n.moved(ctx, tx, out, Submitted)
	})
	if err != nil {
		return Request{}, err
	}
	return out, nil
}
