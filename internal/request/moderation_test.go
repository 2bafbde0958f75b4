package request_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/internal/testfactory"
)

// approved files, takes and approves a request for a new project.
func approved(t *testing.T, f *fixture, name string) (request.Request, int64) {
	t.Helper()
	pid := newProject(t, f, name)
	r, err := request.Submit(f.ctx, f.conn, f.n, f.owner.ID, pid, validInput())
	require.NoError(t, err)
	r, err = request.Take(f.ctx, f.conn, f.n, r.ID, r.Version, f.mod.ID)
	require.NoError(t, err)
	r, err = request.Approve(f.ctx, f.conn, f.n, r.ID, r.Version, f.admin.ID)
	require.NoError(t, err)
	return r, pid
}

// Two moderators revoke at once, or approve at once: exactly one wins, the
// other is told the request changed (ErrStale), and the effects happen once.
func TestConcurrentRevokeAndApprove(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewDatabase(t)
	f := setup(t, pool)
	mod2 := testfactory.User(f.ctx, t, pool, &testfactory.UserOpts{Email: testfactory.Ptr(uniq(t, "mod2")), Password: testfactory.Ptr("moderator password 2"), Role: testfactory.Ptr(auth.RoleModerator)})
	race := func(a, b func() error) []error {
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, fn := range []func() error{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = fn()
			}()
		}
		close(start)
		wg.Wait()
		return errs
	}
	oneWins := func(errs []error, round int) {
		t.Helper()
		wins := 0
		for _, e := range errs {
			if e == nil {
				wins++
			} else {
				require.ErrorIs(t, e, request.ErrStale, "round %d: the loser is told it changed", round)
			}
		}
		require.Equal(t, 1, wins, "round %d: %v", round, errs)
	}
	for i := 0; i < 5; i++ {
		r, pid := approved(t, f, "Revoke race "+itoa(int64(i)))
		before := lastMailID(t, pool)
		errs := race(
			func() error {
				_, err := request.Revoke(context.Background(), pool, f.n, r.ID, r.Version, f.mod.ID, "Spam.")
				return err
			},
			func() error {
				_, err := request.Revoke(context.Background(), pool, f.n, r.ID, r.Version, mod2.ID, "Abuse.")
				return err
			})
		oneWins(errs, i)
		var revocations int
		require.NoError(t, pool.QueryRow(f.ctx, `SELECT count(*) FROM request_events WHERE request_id = $1 AND to_status = 'revoked'`, r.ID).Scan(&revocations))
		require.Equal(t, 1, revocations)
		granted, err := request.IsGranted(f.ctx, pool, pid, "webim")
		require.NoError(t, err)
		require.False(t, granted)
		require.Len(t, outbox(t, pool, before), 2, "one mail to the contact, one to the owner")
	}
	for i := 0; i < 5; i++ {
		pid := newProject(t, f, "Approve race "+itoa(int64(i)))
		r, err := request.Submit(f.ctx, pool, f.n, f.owner.ID, pid, validInput())
		require.NoError(t, err)
		r, err = request.Take(f.ctx, pool, f.n, r.ID, r.Version, f.mod.ID)
		require.NoError(t, err)
		errs := race(
			func() error {
				_, err := request.Approve(context.Background(), pool, f.n, r.ID, r.Version, f.mod.ID)
				return err
			},
			func() error {
				_, err := request.Approve(context.Background(), pool, f.n, r.ID, r.Version, mod2.ID)
				return err
			})
		oneWins(errs, i)
	}
}

// Revocation: grant gone, integrations disabled with an audit entry and not
// enabled again, owners mailed with the reason, history recorded, and a
// new request accepted.
func TestRevoke(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	f := setup(t, tx)
	r, pid := approved(t, f, "Revoked shop")
	integ := testfactory.NewIntegration(f.ctx, t, tx, &testfactory.IntegrationOpts{ProjectID: pid, ActorID: f.owner.ID})
	require.True(t, integ.AcceptsWebhooks())

	before := snap(t, tx, r.ID)
	_, err := request.Revoke(f.ctx, tx, f.n, r.ID, r.Version, f.mod.ID, "  ")
	require.Error(t, err)
	require.Equal(t, before, snap(t, tx, r.ID))
	_, err = request.Revoke(f.ctx, tx, f.n, r.ID, r.Version, f.owner.ID, "Owner tries.")
	require.ErrorIs(t, err, apperr.ErrForbidden)

	m0 := lastMailID(t, tx)
	out, err := request.Revoke(f.ctx, tx, f.n, r.ID, r.Version, f.mod.ID, "The bot sends spam.")
	require.NoError(t, err)
	require.Equal(t, request.Revoked, out.Status)
	require.Equal(t, "The bot sends spam.", out.RejectReason)
	got, err := integration.Get(f.ctx, tx, pid, integ.ID)
	require.NoError(t, err)
	require.Equal(t, integration.StatusDisabled, got.Status)
	require.False(t, got.AcceptsWebhooks())
	_, err = integration.LookupByWebhookKey(f.ctx, tx, integ.WebhookKey)
	require.Error(t, err, "the webhook key no longer finds it")
	require.ErrorIs(t, integration.Enable(f.ctx, tx, pid, integ.ID, f.owner.ID), integration.ErrNotGranted)
	entries, err := integration.ProjectAudit(f.ctx, tx, pid, 10)
	require.NoError(t, err)
	require.Equal(t, integration.ActionDisabled, entries[0].Action)
	require.Contains(t, entries[0].Detail, "grant_revoked=request#"+itoa(r.ID))

	mails := outbox(t, tx, m0)
	require.Len(t, mails, 2)
	require.Equal(t, "support@acme.example", mails[0].To)
	require.Equal(t, f.owner.Email, mails[1].To)
	require.Equal(t, `Access to Webim revoked for "Revoked shop"`, mails[0].Subject)
	require.Contains(t, mails[0].Body, "Reason:\nThe bot sends spam.")

	hist, err := request.History(f.ctx, tx, request.InProject(pid), r.ID)
	require.NoError(t, err)
	last := hist[len(hist)-1]
	require.Equal(t, request.Approved, last.From)
	require.Equal(t, request.Revoked, last.To)
	require.Equal(t, "The bot sends spam.", last.Comment)

	again, err := request.Submit(f.ctx, tx, f.n, f.owner.ID, pid, validInput())
	require.NoError(t, err, "a new request can be filed after a revocation")
	require.Equal(t, request.Submitted, again.Status)
}

// The evidence check against a real local HTTPS server (allowed as
// OUTBOUND_ALLOW_LOCAL allows it), and refused for private addresses in
// production mode without any connection.
func TestEvidenceCheck(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`<html><script src="/js/button.js" data-webim-account="acme"></script></html>`))
	}))
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	domain := srv.URL // https://127.0.0.1:PORT
	ctx := context.Background()
	results := func(steps []request.CheckStep) map[string]string {
		out := map[string]string{}
		for _, s := range steps {
			out[s.Name] = s.Result
		}
		return out
	}

	dev := request.Checker{Policy: outbound.Policy{AllowLocal: true}, TLS: &tls.Config{RootCAs: roots}}
	steps, ok := dev.Run(ctx, domain)
	require.Equal(t, map[string]string{"resolve": "ok", "public": "local", "https": "ok", "certificate": "ok", "webim": "ok"}, results(steps))
	require.True(t, ok)
	require.Equal(t, "200", steps[2].Arg)
	require.Equal(t, int64(1), hits.Load())

	// Without trusting the test's certificate it is not valid.
	steps, ok = request.Checker{Policy: outbound.Policy{AllowLocal: true}}.Run(ctx, domain)
	require.False(t, ok)
	require.Equal(t, "fail", results(steps)["certificate"])

	// A page that does not mention Webim on a host not named like it.
	plain := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("hello")) }))
	t.Cleanup(plain.Close)
	roots.AddCert(plain.Certificate())
	steps, ok = dev.Run(ctx, plain.URL)
	require.False(t, ok)
	require.Equal(t, "fail", results(steps)["webim"])

	// Production: a name that resolves to loopback, a private literal, a
	// name that does not exist. Nothing is connected to.
	hits.Store(0)
	port := domain[strings.LastIndex(domain, ":"):]
	prod := request.Checker{Policy: outbound.Policy{AllowedPorts: []uint16{443}}, TLS: &tls.Config{RootCAs: roots},
		Resolver: outbound.StaticResolver{"acme.webim.test": {"127.0.0.1"}}}
	steps, ok = prod.Run(ctx, "https://acme.webim.test"+port)
	require.False(t, ok)
	require.Equal(t, map[string]string{"resolve": "ok", "public": "fail", "https": "skip", "certificate": "skip", "webim": "skip"}, results(steps))
	require.Equal(t, "127.0.0.1", steps[1].Arg)
	steps, _ = prod.Run(ctx, "https://10.1.2.3")
	require.Equal(t, "fail", results(steps)["public"])
	steps, _ = prod.Run(ctx, "https://missing.webim.test")
	require.Equal(t, "fail", results(steps)["resolve"])
	require.Zero(t, hits.Load(), "production mode never connects to a private address")
}

// Submission queues the check; the job stores the result; Check again
// queues it anew.
func TestEvidenceQueuedAndStored(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	f := setup(t, tx)
	r := f.submit(t)
	ev, ok, err := request.GetEvidence(f.ctx, tx, r.ID)
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, ev.Pending)
	require.Equal(t, "https://acme.webim.ru", ev.Domain)
	var jobs int
	require.NoError(t, tx.QueryRow(f.ctx, `SELECT count(*) FROM river_job WHERE kind = 'request_evidence' AND args->>'request_id' = $1`, itoa(r.ID)).Scan(&jobs))
	require.Equal(t, 1, jobs, "queued in the submission's transaction")

	// The job's work (production policy, fake DNS: private → refused).
	c := request.Checker{Resolver: outbound.StaticResolver{"acme.webim.ru": {"192.168.1.10"}}}
	require.NoError(t, request.RunEvidence(f.ctx, tx, c, r.ID))
	ev, _, err = request.GetEvidence(f.ctx, tx, r.ID)
	require.NoError(t, err)
	require.False(t, ev.Pending)
	require.False(t, ev.OK)
	require.NotNil(t, ev.CheckedAt)
	require.Equal(t, "public", ev.Steps[1].Name)
	require.Equal(t, "fail", ev.Steps[1].Result)

	require.NoError(t, request.CheckAgain(f.ctx, tx, f.n, r.ID, f.mod.ID))
	ev, _, err = request.GetEvidence(f.ctx, tx, r.ID)
	require.NoError(t, err)
	require.True(t, ev.Pending)
	require.NotNil(t, ev.CheckedAt, "the previous result stays visible while the new check runs")
	require.Error(t, request.CheckAgain(f.ctx, tx, f.n, r.ID, f.owner.ID), "owners cannot")

	// No domain, no check.
	in := validInput()
	in.WebimDomain = ""
	r2, err := request.Submit(f.ctx, tx, f.n, f.other.ID, f.otherProj.ID, in)
	require.NoError(t, err)
	_, ok, err = request.GetEvidence(f.ctx, tx, r2.ID)
	require.NoError(t, err)
	require.False(t, ok)
}

// The counts follow every submission, transition, resubmission and
// deletion, and compaction leaves them as they are.
func TestCountsFollowChangesAndCompaction(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	f := setup(t, tx)
	real := func() map[request.Status]int64 {
		rows, err := tx.Query(f.ctx, `SELECT status, count(*) FROM integration_requests GROUP BY status`)
		require.NoError(t, err)
		defer rows.Close()
		out := map[request.Status]int64{}
		for rows.Next() {
			var s string
			var n int64
			require.NoError(t, rows.Scan(&s, &n))
			out[request.Status(s)] = n
		}
		return out
	}
	same := func(step string) {
		t.Helper()
		got, err := request.Counts(f.ctx, tx)
		require.NoError(t, err)
		for k, v := range got {
			if v == 0 {
				delete(got, k)
			}
		}
		require.Equal(t, real(), got, step)
	}
	base, err := request.Counts(f.ctx, tx)
	require.NoError(t, err)
	require.Empty(t, base, "nothing else is visible in this transaction")
	r1, _ := approved(t, f, "Count one")
	same("approved")
	r2 := f.submit(t)
	_, err = request.Reject(f.ctx, tx, f.n, r2.ID, r2.Version, f.mod.ID, "No.")
	require.NoError(t, err)
	same("rejected")
	_, err = request.Resubmit(f.ctx, tx, f.n, f.owner.ID, f.proj.ID, r2.ID, r2.Version+1, validInput())
	require.NoError(t, err)
	same("resubmitted")
	_, err = request.Revoke(f.ctx, tx, f.n, r1.ID, r1.Version, f.mod.ID, "Spam.")
	require.NoError(t, err)
	same("revoked")
	require.NoError(t, request.CompactCounts(f.ctx, tx))
	var rows int
	require.NoError(t, tx.QueryRow(f.ctx, `SELECT count(*) FROM request_status_deltas`).Scan(&rows))
	require.LessOrEqual(t, rows, 2, "one row per status after compaction")
	same("compacted")
	_, err = tx.Exec(f.ctx, `DELETE FROM projects WHERE id = $1`, f.proj.ID)
	require.NoError(t, err)
	same("deleted with the project")
}
