package request

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/outbound"
)

// The evidence check of a request's Webim domain: on submission (and on a
// moderator's "Check again") a River job looks at the domain the owner
// named and stores what it found for the moderators. It only reads the
// domain's public front page, through the same SSRF-safe client as every
// other outbound call, so a tenant cannot make botbridge probe a private
// network with it.

// Names of the steps, in order; each has a result.
const (
	CheckResolve = "resolve"
	CheckPublic  = "public"
	CheckHTTPS   = "https"
	CheckCert    = "certificate"
	CheckWebim   = "webim"
)

// Results of one step. ResultLocal: not a public address, but the
// operator allows local ones (OUTBOUND_ALLOW_LOCAL, development).
const (
	ResultOK    = "ok"
	ResultFail  = "fail"
	ResultSkip  = "skip"
	ResultLocal = "local"
)

// CheckStep is one step's result; Arg is a plain datum for the sentence
// (addresses, a status code, a date), never a secret.
type CheckStep struct {
	Name   string `json:"name"`
	Result string `json:"result"`
	Arg    string `json:"arg,omitempty"`
}

// Evidence is the latest check of a request's domain.
type Evidence struct {
	Domain string
	// Pending: a check is queued or running; Steps are the previous run's.
	Pending     bool
	OK          bool
	Steps       []CheckStep
	RequestedAt time.Time
	CheckedAt   *time.Time
}

// EvidenceArgs is the River job that checks one request's domain.
type EvidenceArgs struct {
	RequestID int64 `json:"request_id"`
}

// Kind names the job in River.
func (EvidenceArgs) Kind() string { return "request_evidence" }

// InsertOpts: a few quick attempts; a domain that does not answer is a
// result, not an error, so retries only cover botbridge's own trouble.
func (EvidenceArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 3} }

// queueEvidence marks the request's check pending and queues the job, in
// the caller's transaction; a request without a Webim domain has none.
func (n Notifier) queueEvidence(ctx context.Context, tx pgx.Tx, r Request) error {
	if r.WebimDomain == "" {
		return nil
	}
	if err := dbsqlc.New(tx).UpsertEvidencePending(ctx, dbsqlc.UpsertEvidencePendingParams{RequestID: r.ID, Domain: r.WebimDomain}); err != nil {
		return fmt.Errorf("request: evidence: %w", err)
	}
	if _, err := n.Jobs.InsertTx(ctx, tx, EvidenceArgs{RequestID: r.ID}, nil); err != nil {
		return fmt.Errorf("request: queue evidence: %w", err)
	}
	return nil
}

// CheckAgain queues a new check of the request's domain (moderators).
// A request without a Webim domain is apperr.ErrInvalid.
func CheckAgain(ctx context.Context, conn db.Conn, n Notifier, requestID, moderatorID int64) error {
	if err := n.check(); err != nil {
		return err
	}
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		if err := authorize(ctx, tx, AsModerator(), moderatorID); err != nil {
			return err
		}
		r, err := Get(ctx, tx, AsModerator(), requestID)
		if err != nil {
			return err
		}
		if r.WebimDomain == "" {
			return fmt.Errorf("request %d has no Webim domain: %w", r.ID, apperr.ErrInvalid)
		}
		return n.queueEvidence(ctx, tx, r)
	})
}

// GetEvidence returns the latest check of a request (moderators' page);
// ok false when none was ever queued.
func GetEvidence(ctx context.Context, q db.DBTX, requestID int64) (Evidence, bool, error) {
	row, err := dbsqlc.New(q).GetEvidence(ctx, requestID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Evidence{}, false, nil
	}
	if err != nil {
		return Evidence{}, false, fmt.Errorf("request: evidence: %w", err)
	}
	ev := Evidence{Domain: row.Domain, Pending: row.State == "pending", OK: row.Ok, RequestedAt: row.RequestedAt, CheckedAt: row.CheckedAt}
	if err := json.Unmarshal(row.Checks, &ev.Steps); err != nil {
		return Evidence{}, false, fmt.Errorf("request: evidence steps: %w", err)
	}
	return ev, true, nil
}

// Checker runs the steps against one domain.
type Checker struct {
	// Policy is the operator's outbound policy (OUTBOUND_ALLOW_LOCAL…).
	Policy outbound.Policy
	// Resolver looks host names up; nil is net.DefaultResolver.
	Resolver outbound.Resolver
	// TLS overrides the certificate roots (tests); nil is the system's.
	TLS *tls.Config
	// Timeout bounds the HTTPS request; 0 is 10 seconds.
	Timeout time.Duration
}

// maxPage bounds how much of the front page is read for Webim's marks.
const maxPage = 256 << 10

// Run checks domain ("https://host[:port]", as stored) step by step; a
// step that cannot run because an earlier one failed is skipped. It never
// connects to an address the policy forbids: the public step stops it
// first, and the client's dial-time check stops a name that changes its
// answer in between (DNS rebinding).
func (c Checker) Run(ctx context.Context, domain string) (steps []CheckStep, ok bool) {
	add := func(name, result, arg string) { steps = append(steps, CheckStep{Name: name, Result: result, Arg: arg}) }
	skip := func(names ...string) {
		for _, n := range names {
			add(n, ResultSkip, "")
		}
	}
	u, err := url.Parse(domain)
	if err != nil || u.Hostname() == "" {
		add(CheckResolve, ResultFail, "")
		skip(CheckPublic, CheckHTTPS, CheckCert, CheckWebim)
		return steps, false
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		res := c.Resolver
		if res == nil {
			res = net.DefaultResolver
		}
		lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		addrs, err = res.LookupNetIP(lctx, "ip", host)
		cancel()
		if err != nil || len(addrs) == 0 {
			add(CheckResolve, ResultFail, "")
			skip(CheckPublic, CheckHTTPS, CheckCert, CheckWebim)
			return steps, false
		}
	}
	names := make([]string, 0, len(addrs))
	for _, a := range addrs {
		names = append(names, a.String())
	}
	add(CheckResolve, ResultOK, strings.Join(names, ", "))

	public := ResultOK
	production := outbound.Policy{}
	for _, a := range addrs {
		if production.Allows(a) {
			continue
		}
		if !c.Policy.Allows(a) {
			add(CheckPublic, ResultFail, a.String())
			skip(CheckHTTPS, CheckCert, CheckWebim)
			return steps, false
		}
		public = ResultLocal
	}
	add(CheckPublic, public, "")

	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	// Plain http is never evidence: the check always asks over HTTPS.
	target := &url.URL{Scheme: "https", Host: u.Host, Path: "/"}
	client := outbound.NewClientTLS(c.Policy, timeout, c.TLS)
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		add(CheckHTTPS, ResultFail, "")
		skip(CheckCert, CheckWebim)
		return steps, false
	}
	req.Header.Set("User-Agent", "botbridge-evidence-check")
	resp, err := client.Do(req)
	if err != nil {
		var certErr *tls.CertificateVerificationError
		if errors.As(err, &certErr) {
			// It answered TLS, with a certificate that does not verify.
			add(CheckHTTPS, ResultOK, "")
			add(CheckCert, ResultFail, "")
		} else {
			add(CheckHTTPS, ResultFail, "")
			skip(CheckCert)
		}
		skip(CheckWebim)
		return steps, false
	}
	defer resp.Body.Close()
	add(CheckHTTPS, ResultOK, strconv.Itoa(resp.StatusCode))
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		add(CheckCert, ResultOK, resp.TLS.PeerCertificates[0].NotAfter.UTC().Format("2006-01-02"))
	} else {
		add(CheckCert, ResultFail, "")
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxPage))
	if looksLikeWebim(resp, body) {
		add(CheckWebim, ResultOK, "")
	} else {
		add(CheckWebim, ResultFail, "")
	}
	for _, s := range steps {
		if s.Result == ResultFail {
			return steps, false
		}
	}
	return steps, true
}

// looksLikeWebim is a heuristic, shown as such: Webim accounts live under
// webim.ru-style names and their pages and headers name Webim (its chat
// script, the operator panel link). A match is a hint for the moderator,
// not proof of ownership.
func looksLikeWebim(resp *http.Response, body []byte) bool {
	host := strings.ToLower(resp.Request.URL.Hostname())
	for _, suffix := range []string{".webim.ru", ".webim.chat", ".webim.me", ".webim.pro"} {
		if strings.HasSuffix(host, suffix) {
			return true
		}
	}
	for k, vs := range resp.Header {
		if strings.Contains(strings.ToLower(k), "webim") {
			return true
		}
		for _, v := range vs {
			if strings.Contains(strings.ToLower(v), "webim") {
				return true
			}
		}
	}
	return strings.Contains(strings.ToLower(string(body)), "webim")
}

// EvidenceWorker runs EvidenceArgs jobs.
type EvidenceWorker struct {
	river.WorkerDefaults[EvidenceArgs]
	Pool    *pgxpool.Pool
	Checker Checker
	Log     *slog.Logger
}

// EvidenceWorkers registers the worker, for jobs.New.
func EvidenceWorkers(pool *pgxpool.Pool, c Checker, log *slog.Logger) jobs.Register {
	w := &EvidenceWorker{Pool: pool, Checker: c, Log: log}
	return func(ws *river.Workers) { river.AddWorker(ws, w) }
}

// Timeout covers a lookup and one bounded HTTPS request.
func (w *EvidenceWorker) Timeout(*river.Job[EvidenceArgs]) time.Duration { return time.Minute }

// Work checks the domain recorded for the request and stores the steps.
// A request deleted meanwhile (its evidence row gone) is nothing to do.
func (w *EvidenceWorker) Work(ctx context.Context, job *river.Job[EvidenceArgs]) error {
	return RunEvidence(ctx, w.Pool, w.Checker, job.Args.RequestID)
}

// RunEvidence is one job's work: read the domain, run the checker, store.
func RunEvidence(ctx context.Context, q db.DBTX, c Checker, requestID int64) error {
	row, err := dbsqlc.New(q).GetEvidence(ctx, requestID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("request: evidence: %w", err)
	}
	steps, ok := c.Run(ctx, row.Domain)
	raw, err := json.Marshal(steps)
	if err != nil {
		return fmt.Errorf("request: evidence: %w", err)
	}
	if err := dbsqlc.New(q).StoreEvidence(ctx, dbsqlc.StoreEvidenceParams{RequestID: requestID, Ok: ok, Checks: raw}); err != nil {
		return fmt.Errorf("request: store evidence: %w", err)
	}
	return nil
}
