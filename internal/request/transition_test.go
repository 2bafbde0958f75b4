package request_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/internal/testfactory"
)

func TestTakeAndApprove(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	f := setup(t, tx)
	r := f.submit(t)

	before := lastMailID(t, tx)
	r, err := request.Take(f.ctx, tx, f.n, r.ID, r.Version, f.mod.ID)
	require.NoError(t, err)
	require.Equal(t, request.InReview, r.Status)
	require.Equal(t, int32(2), r.Version)
	require.Nil(t, r.DecidedAt)
	mails := outbox(t, tx, before)
	require.Len(t, mails, 1)
	require.Equal(t, "support@acme.example", mails[0].To)
	require.Equal(t, `Your Webim request for "Acme Shop" is in review`, mails[0].Subject)
	require.Contains(t, mails[0].Body, `a moderator has taken your request #`+itoa(r.ID)+` for Webim in the project "Acme Shop" into work`)
	require.Contains(t, mails[0].Body, "What happens next")
	require.Contains(t, mails[0].Body, "https://bridge.example/projects/"+itoa(f.proj.ID)+"/requests")
	require.Equal(t, "request:"+itoa(r.ID)+":in_review", mails[0].Topic)

	granted, err := request.IsGranted(f.ctx, tx, f.proj.ID, "webim")
	require.NoError(t, err)
	require.False(t, granted)

	before = lastMailID(t, tx)
	r, err = request.Approve(f.ctx, tx, f.n, r.ID, r.Version, f.mod.ID)
	require.NoError(t, err)
	require.Equal(t, request.Approved, r.Status)
	require.NotNil(t, r.DecidedAt)
	mails = outbox(t, tx, before)
	require.Len(t, mails, 1)
	require.Equal(t, "support@acme.example", mails[0].To)
	require.Equal(t, `Webim approved for "Acme Shop"`, mails[0].Subject)
	require.Contains(t, mails[0].Body, `your request #`+itoa(r.ID)+` for Webim in the project "Acme Shop" has been approved`)
	require.Contains(t, mails[0].Body, "open the project's Settings, choose Webim and click Next")
	require.Contains(t, mails[0].Body, "https://bridge.example/projects/"+itoa(f.proj.ID)+"/settings")

	// The grant, linked to the request and the moderator.
	var reqID, by int64
	require.NoError(t, tx.QueryRow(f.ctx, `SELECT request_id, granted_by FROM platform_grants WHERE project_id = $1 AND platform = 'webim'`, f.proj.ID).Scan(&reqID, &by))
	require.Equal(t, r.ID, reqID)
	require.Equal(t, f.mod.ID, by)
	granted, err = request.IsGranted(f.ctx, tx, f.proj.ID, "webim")
	require.NoError(t, err)
	require.True(t, granted)
	gp, err := request.GrantedPlatforms(f.ctx, tx, f.proj.ID)
	require.NoError(t, err)
	require.Equal(t, []request.Platform{{Key: "webim", Name: "Webim", Available: true}}, gp)
	names, err := request.GrantedPlatformNames(f.ctx, tx, []int64{f.proj.ID, f.otherProj.ID})
	require.NoError(t, err)
	require.Equal(t, map[int64][]string{f.proj.ID: {"Webim"}}, names)

	st, err := request.PlatformStatuses(f.ctx, tx, f.proj.ID)
	require.NoError(t, err)
	require.Len(t, st, 3)
	require.Equal(t, request.PlatformStatus{Platform: request.Platform{Key: "webim", Name: "Webim", Available: true}, Granted: true, RequestID: r.ID, RequestStatus: request.Approved}, st[0])
	require.Equal(t, "jivo", st[1].Key)
	require.False(t, st[1].Granted)
	require.False(t, st[1].Available)
	require.Zero(t, st[1].RequestID)
	// The other project has nothing.
	st, err = request.PlatformStatuses(f.ctx, tx, f.otherProj.ID)
	require.NoError(t, err)
	require.False(t, st[0].Granted)
	require.Zero(t, st[0].RequestID)

	hist, err := request.History(f.ctx, tx, request.AsModerator(), r.ID)
	require.NoError(t, err)
	require.Len(t, hist, 3)
	require.Equal(t, []request.Status{"", request.Submitted, request.InReview}, []request.Status{hist[0].From, hist[1].From, hist[2].From})
	require.Equal(t, []request.Status{request.Submitted, request.InReview, request.Approved}, []request.Status{hist[0].To, hist[1].To, hist[2].To})
	require.Equal(t, f.mod.Email, hist[2].ActorEmail)
	require.False(t, hist[2].ActorIsMember, "moderators are not members")
}

func TestReject(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	f := setup(t, tx)
	r := f.submit(t)

	s0 := snap(t, tx, r.ID)
	for _, reason := range []string{"", "  \r\n ", strings.Repeat("x", 2001)} {
		_, err := request.Reject(f.ctx, tx, f.n, r.ID, r.Version, f.mod.ID, reason)
		require.ErrorIs(t, err, apperr.ErrInvalid)
		require.Contains(t, apperr.Fields(err), "reason")
		require.Equal(t, s0, snap(t, tx, r.ID), "refused reject changed nothing")
	}

	// Straight from submitted, by an admin.
	before := lastMailID(t, tx)
	r, err := request.Reject(f.ctx, tx, f.n, r.ID, r.Version, f.admin.ID, "  The description does not say\r\nwhen the bot hands over.  ")
	require.NoError(t, err)
	require.Equal(t, request.Rejected, r.Status)
	require.Equal(t, "The description does not say\nwhen the bot hands over.", r.RejectReason)
	mails := outbox(t, tx, before)
	require.Len(t, mails, 1)
	require.Equal(t, "support@acme.example", mails[0].To)
	require.Equal(t, `Your Webim request for "Acme Shop" was rejected`, mails[0].Subject)
	require.Contains(t, mails[0].Body, "Reason:\nThe description does not say\nwhen the bot hands over.")
	require.Contains(t, mails[0].Body, "https://bridge.example/projects/"+itoa(f.proj.ID)+"/requests/new?platform=webim")

	granted, err := request.IsGranted(f.ctx, tx, f.proj.ID, "webim")
	require.NoError(t, err)
	require.False(t, granted)
	hist, err := request.History(f.ctx, tx, request.InProject(f.proj.ID), r.ID)
	require.NoError(t, err)
	require.Equal(t, request.Rejected, hist[len(hist)-1].To)
	require.Equal(t, r.RejectReason, hist[len(hist)-1].Comment)
}

// Every refused action leaves the row, its history, the grants and the
// outbox exactly as they were.
func TestRefusedTransitionsChangeNothing(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	f := setup(t, tx)
	n := f.n
	submitted := f.submit(t)

	third := newProject(t, f, "Third Shop")
	inReview, err := request.Submit(f.ctx, tx, n, f.owner.ID, third, validInput())
	require.NoError(t, err)
	inReview, err = request.Take(f.ctx, tx, n, inReview.ID, inReview.Version, f.mod.ID)
	require.NoError(t, err)

	disabled, err := auth.CreateUser(f.ctx, tx, uniq(t, "gone"), "disabled password", auth.RoleModerator)
	require.NoError(t, err)
	_, err = auth.DisableUser(f.ctx, tx, disabled.Email)
	require.NoError(t, err)

	type call func() error
	cases := []struct {
		name string
		id   int64
		do   call
		want error
	}{
		{"stale take", submitted.ID, func() error {
			_, err := request.Take(f.ctx, tx, n, submitted.ID, submitted.Version+1, f.mod.ID)
			return err
		}, request.ErrStale},
		{"tampered old version", inReview.ID, func() error {
			_, err := request.Approve(f.ctx, tx, n, inReview.ID, inReview.Version-1, f.mod.ID)
			return err
		}, request.ErrStale},
		{"negative version", inReview.ID, func() error {
			_, err := request.Approve(f.ctx, tx, n, inReview.ID, -5, f.mod.ID)
			return err
		}, request.ErrStale},
		{"approve submitted", submitted.ID, func() error {
			_, err := request.Approve(f.ctx, tx, n, submitted.ID, submitted.Version, f.mod.ID)
			return err
		}, &request.TransitionError{From: request.Submitted, To: request.Approved}},
		{"take in review", inReview.ID, func() error {
			_, err := request.Take(f.ctx, tx, n, inReview.ID, inReview.Version, f.mod.ID)
			return err
		}, &request.TransitionError{From: request.InReview, To: request.InReview}},
		{"owner takes", submitted.ID, func() error {
			_, err := request.Take(f.ctx, tx, n, submitted.ID, submitted.Version, f.owner.ID)
			return err
		}, apperr.ErrForbidden},
		{"disabled moderator", submitted.ID, func() error {
			_, err := request.Take(f.ctx, tx, n, submitted.ID, submitted.Version, disabled.ID)
			return err
		}, apperr.ErrForbidden},
		{"unknown request", submitted.ID, func() error {
			_, err := request.Take(f.ctx, tx, n, 1<<50, 1, f.mod.ID)
			return err
		}, apperr.ErrNotFound},
		{"withdraw through another project", submitted.ID, func() error {
			_, err := request.Withdraw(f.ctx, tx, n, f.otherProj.ID, submitted.ID, submitted.Version, f.other.ID)
			return err
		}, apperr.ErrNotFound},
		{"withdraw by a non-member", submitted.ID, func() error {
			_, err := request.Withdraw(f.ctx, tx, n, f.proj.ID, submitted.ID, submitted.Version, f.other.ID)
			return err
		}, apperr.ErrNotFound},
		{"withdraw by moderator", submitted.ID, func() error {
			_, err := request.Withdraw(f.ctx, tx, n, f.proj.ID, submitted.ID, submitted.Version, f.mod.ID)
			return err
		}, apperr.ErrNotFound},
		{"comment by outsider", submitted.ID, func() error {
			_, err := request.Comment(f.ctx, tx, request.InProject(f.otherProj.ID), submitted.ID, submitted.Version, f.other.ID, "hello there")
			return err
		}, apperr.ErrNotFound},
		{"stale comment", submitted.ID, func() error {
			_, err := request.Comment(f.ctx, tx, request.AsModerator(), submitted.ID, submitted.Version+1, f.mod.ID, "hello there")
			return err
		}, request.ErrStale},
		{"empty comment", submitted.ID, func() error {
			_, err := request.Comment(f.ctx, tx, request.AsModerator(), submitted.ID, submitted.Version, f.mod.ID, " \n ")
			return err
		}, apperr.ErrInvalid},
		{"zero scope", submitted.ID, func() error {
			_, err := request.Comment(f.ctx, tx, request.Scope{}, submitted.ID, submitted.Version, f.owner.ID, "hello there")
			return err
		}, apperr.ErrNotFound},
		{"rolled back: mail cannot be queued", inReview.ID, func() error {
			broken := n
			broken.Jobs = failingJobs{}
			_, err := request.Approve(f.ctx, tx, broken, inReview.ID, inReview.Version, f.mod.ID)
			return err
		}, nil},
	}
	for _, tc := range cases {
		before := snap(t, tx, tc.id)
		err := tc.do()
		require.Error(t, err, tc.name)
		var te *request.TransitionError
		switch want := tc.want.(type) {
		case nil:
		case *request.TransitionError:
			require.True(t, errors.As(err, &te), "%s: %v", tc.name, err)
			require.Equal(t, *want, *te, tc.name)
		default:
			require.ErrorIs(t, err, want, tc.name)
		}
		require.Equal(t, before, snap(t, tx, tc.id), "%s changed something", tc.name)
	}
	granted, err := request.IsGranted(f.ctx, tx, third, "webim")
	require.NoError(t, err)
	require.False(t, granted, "the rolled-back approval granted nothing")
}

// newProject adds another project of the fixture's owner.
func newProject(t testing.TB, f *fixture, name string) int64 {
	t.Helper()
	return testfactory.Project(f.ctx, t, f.conn, &testfactory.ProjectOpts{Name: &name, OwnerID: &f.owner.ID}).ID
}

func TestWithdrawAndComments(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	f := setup(t, tx)
	r := f.submit(t)

	ev, err := request.Comment(f.ctx, tx, request.InProject(f.proj.ID), r.ID, r.Version, f.owner.ID, "  We also need\r\nweekend hours. ")
	require.NoError(t, err)
	require.Equal(t, "We also need\nweekend hours.", ev.Comment)
	_, err = request.Comment(f.ctx, tx, request.AsModerator(), r.ID, r.Version, f.mod.ID, "Noted.")
	require.NoError(t, err)
	again, err := request.Get(f.ctx, tx, request.InProject(f.proj.ID), r.ID)
	require.NoError(t, err)
	require.Equal(t, r.Version, again.Version, "comments do not move the version")

	before := lastMailID(t, tx)
	w, err := request.Withdraw(f.ctx, tx, f.n, f.proj.ID, r.ID, r.Version, f.owner.ID)
	require.NoError(t, err)
	require.Equal(t, request.Withdrawn, w.Status)
	require.Empty(t, outbox(t, tx, before), "withdrawing sends no mail")

	// Withdrawn is final for everyone.
	_, err = request.Take(f.ctx, tx, f.n, w.ID, w.Version, f.mod.ID)
	require.ErrorIs(t, err, apperr.ErrConflict)
	_, err = request.Withdraw(f.ctx, tx, f.n, f.proj.ID, w.ID, w.Version, f.owner.ID)
	require.ErrorIs(t, err, apperr.ErrConflict)

	hist, err := request.HistoryForProject(f.ctx, tx, f.proj.ID)
	require.NoError(t, err)
	h := hist[r.ID]
	require.Len(t, h, 4)
	require.Equal(t, request.KindComment, h[1].Kind)
	require.True(t, h[1].ActorIsMember)
	require.Equal(t, request.KindComment, h[2].Kind)
	require.Equal(t, "Noted.", h[2].Comment)
	require.False(t, h[2].ActorIsMember)
	require.Equal(t, request.Withdrawn, h[3].To)
	require.Equal(t, f.owner.Email, h[3].ActorEmail)

	// The other tenant sees none of it.
	hist, err = request.HistoryForProject(f.ctx, tx, f.otherProj.ID)
	require.NoError(t, err)
	require.Empty(t, hist)
	list, err := request.ListForProject(f.ctx, tx, f.otherProj.ID)
	require.NoError(t, err)
	require.Empty(t, list)
	_, err = request.Get(f.ctx, tx, request.InProject(f.otherProj.ID), r.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = request.History(f.ctx, tx, request.InProject(f.otherProj.ID), r.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
}

// Two moderators decide the same request at the same moment, on separate
// connections: exactly one wins, the other is told it changed, and the
// history and outbox hold exactly one decision.
func TestConcurrentDecisions(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewDatabase(t)
	f := setup(t, pool)
	mod2 := testfactory.User(f.ctx, t, pool, &testfactory.UserOpts{Email: testfactory.Ptr(uniq(t, "mod2")), Password: testfactory.Ptr("moderator password 2"), Role: testfactory.Ptr(auth.RoleModerator)})

	const rounds = 8
	for i := 0; i < rounds; i++ {
		pid := newProject(t, f, "Race "+itoa(int64(i)))
		r, err := request.Submit(f.ctx, pool, f.n, f.owner.ID, pid, validInput())
		require.NoError(t, err)
		r, err = request.Take(f.ctx, pool, f.n, r.ID, r.Version, f.mod.ID)
		require.NoError(t, err)
		before := lastMailID(t, pool)

		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			_, errs[0] = request.Approve(context.Background(), pool, f.n, r.ID, r.Version, f.mod.ID)
		}()
		go func() {
			defer wg.Done()
			<-start
			_, errs[1] = request.Reject(context.Background(), pool, f.n, r.ID, r.Version, mod2.ID, "Not this time.")
		}()
		close(start)
		wg.Wait()

		wins := 0
		for _, e := range errs {
			if e == nil {
				wins++
			} else {
				require.ErrorIs(t, e, request.ErrStale, "round %d: the loser is told it changed", i)
			}
		}
		require.Equal(t, 1, wins, "round %d: exactly one decision wins (%v)", i, errs)

		var decisions int
		require.NoError(t, pool.QueryRow(f.ctx, `SELECT count(*) FROM request_events WHERE request_id = $1 AND to_status IN ('approved', 'rejected')`, r.ID).Scan(&decisions))
		require.Equal(t, 1, decisions, "round %d", i)
		mails := outbox(t, pool, before)
		require.Len(t, mails, 1, "round %d: one decision mail", i)
		final, err := request.Get(f.ctx, pool, request.AsModerator(), r.ID)
		require.NoError(t, err)
		require.Equal(t, r.Version+1, final.Version)
		granted, err := request.IsGranted(f.ctx, pool, pid, "webim")
		require.NoError(t, err)
		if errs[0] == nil {
			require.Equal(t, request.Approved, final.Status)
			require.True(t, granted)
			require.Contains(t, mails[0].Subject, "approved")
		} else {
			require.Equal(t, request.Rejected, final.Status)
			require.False(t, granted)
			require.Contains(t, mails[0].Subject, "rejected")
		}
	}
}

// A grant without a request (demo seed, scripts) makes the platform
// configurable; granting again changes nothing; an unknown platform is
// refused by the catalog.
func TestGrantWithoutRequest(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	f := setup(t, tx)
	require.NoError(t, request.Grant(f.ctx, tx, f.proj.ID, "webim", f.admin.ID))
	require.NoError(t, request.Grant(f.ctx, tx, f.proj.ID, "webim", f.mod.ID))
	granted, err := request.IsGranted(f.ctx, tx, f.proj.ID, "webim")
	require.NoError(t, err)
	require.True(t, granted)
	var reqID *int64
	var by int64
	require.NoError(t, tx.QueryRow(f.ctx, `SELECT request_id, granted_by FROM platform_grants WHERE project_id = $1`, f.proj.ID).Scan(&reqID, &by))
	require.Nil(t, reqID)
	require.Equal(t, f.admin.ID, by, "the first grant stays")
	require.Error(t, request.Grant(f.ctx, tx, f.proj.ID, "no-such-platform", f.admin.ID))
}
