package bridge

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// Webhook outcomes and refusal reasons (the label values of
// botbridge_webhooks_received_total): a fixed set, whatever a sender sends.
const (
	WebhookStored    = "stored"
	WebhookDuplicate = "duplicate"
	// WebhookIgnored: a well-formed event of a name botbridge does not act on.
	WebhookIgnored = "ignored"
	WebhookRefused = "refused"

	ReasonNone           = ""
	ReasonBadVersion     = "bad_version"
	ReasonBadBody        = "bad_body"
	ReasonTooLarge       = "too_large"
	ReasonUnknownKey     = "unknown_key"
	ReasonBadCredentials = "bad_credentials"
	ReasonUnavailable    = "unavailable"
)

// Metrics are the bridge's Prometheus figures. Labels are bounded: no
// tenant ids (per-integration totals live in the database).
type Metrics struct {
	webhooks *prometheus.CounterVec
	finished *prometheus.CounterVec
	calls    *prometheus.HistogramVec
	retries  *prometheus.CounterVec
}

// NewMetrics registers the bridge's figures on reg, including the ones read
// from the database at scrape time (pending events and the oldest one's
// age, integrations by status, the mail outbox), from pool. A nil reg
// gives metrics that count but are exposed nowhere (tests).
func NewMetrics(reg prometheus.Registerer, pool *pgxpool.Pool) *Metrics {
	m := &Metrics{
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "botbridge_webhooks_received_total",
			Help: "Webhooks from Webim (bot API and chat events) by outcome; refused ones by reason.",
		}, []string{"outcome", "reason"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "botbridge_events_finished_total",
			Help: "Bridge events that reached an end state, by status (done, failed) and outcome.",
		}, []string{"status", "outcome"}),
		calls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "botbridge_outbound_request_duration_seconds",
			Help:    "Calls to bots and to Webim by target and result class (ok, client_error, server_error, network, invalid).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"target", "result"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "botbridge_outbound_retries_total",
			Help: "Calls to bots and to Webim scheduled for another attempt, by target.",
		}, []string{"target"}),
	}
	// Every bounded label combination starts at zero, so dashboards and
	// alerts see a series before its first event.
	for _, target := range []string{targetBot, targetWebim} {
		m.retries.WithLabelValues(target)
		for _, result := range []string{"ok", "client_error", "server_error", "network", "invalid"} {
			m.calls.WithLabelValues(target, result)
		}
	}
	for _, o := range []Outcome{"", OutcomeReplied, OutcomeTransferred, OutcomeClosed, OutcomeFallback, OutcomeNothing, OutcomeUnsupported} {
		m.finished.WithLabelValues(string(StatusDone), string(o))
		m.finished.WithLabelValues(string(StatusFailed), string(o))
	}
	if reg != nil {
		reg.MustRegister(m.webhooks, m.finished, m.calls, m.retries)
		if pool != nil {
			reg.MustRegister(&dbCollector{pool: pool})
		}
	}
	return m
}

// Webhook counts one webhook by outcome (reason for refusals).
func (m *Metrics) Webhook(outcome, reason string) {
	if m != nil {
		m.webhooks.WithLabelValues(outcome, reason).Inc()
	}
}

func (m *Metrics) finishedEvent(status Status, outcome Outcome) {
	if m != nil {
		m.finished.WithLabelValues(string(status), string(outcome)).Inc()
	}
}

func (m *Metrics) call(target string, status int, err error, took time.Duration) {
	if m != nil {
		m.calls.WithLabelValues(target, resultClass(status, err)).Observe(took.Seconds())
	}
}

func (m *Metrics) retry(target string) {
	if m != nil {
		m.retries.WithLabelValues(target).Inc()
	}
}

// resultClass puts a call's answer in one of five classes.
func resultClass(status int, err error) string {
	switch {
	case err == nil:
		return "ok"
	case status >= 500:
		return "server_error"
	case status >= 400:
		return "client_error"
	case status == 0:
		return "network" // no answer: unreachable, refused, timed out
	}
	return "invalid" // a 2xx whose body is not what the protocol says
}

// dbCollector reads the database's figures at scrape time, at most every
// few seconds however often /metrics is scraped.
type dbCollector struct {
	pool *pgxpool.Pool

	mu      sync.Mutex
	at      time.Time
	metrics []prometheus.Metric
}

const dbMetricsTTL = 5 * time.Second

var (
	descPending = prometheus.NewDesc("botbridge_events_pending",
		"Bridge events not yet finished (pending or waiting for their Webim calls).", nil, nil)
	descOldest = prometheus.NewDesc("botbridge_events_oldest_pending_age_seconds",
		"Age of the oldest unfinished bridge event (0 when none).", nil, nil)
	descIntegrations = prometheus.NewDesc("botbridge_integrations",
		"Integrations (not deleted) by status.", []string{"status"}, nil)
	descMailPending = prometheus.NewDesc("botbridge_mail_outbox_pending",
		"E-mails in the outbox not yet sent or given up.", nil, nil)
	descMailOldest = prometheus.NewDesc("botbridge_mail_outbox_oldest_pending_age_seconds",
		"Age of the oldest unsent e-mail (0 when none).", nil, nil)
	descScrapeError = prometheus.NewDesc("botbridge_db_metrics_up",
		"1 when the database figures could be read at the last scrape.", nil, nil)
)

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPending, descOldest, descIntegrations, descMailPending, descMailOldest, descScrapeError} {
		ch <- d
	}
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.metrics == nil || time.Since(c.at) > dbMetricsTTL {
		c.metrics, c.at = c.read(), time.Now()
	}
	for _, m := range c.metrics {
		ch <- m
	}
}

func (c *dbCollector) read() []prometheus.Metric {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	q := dbsqlc.New(c.pool)
	up := 1.0
	var out []prometheus.Metric
	if ev, err := q.PendingEventStats(ctx); err == nil {
		out = append(out, prometheus.MustNewConstMetric(descPending, prometheus.GaugeValue, float64(ev.Pending)),
			prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, ev.OldestAgeSeconds))
	} else {
		up = 0
	}
	if rows, err := q.CountIntegrationsByStatus(ctx); err == nil {
		seen := map[string]bool{}
		for _, r := range rows {
			seen[r.Status] = true
			out = append(out, prometheus.MustNewConstMetric(descIntegrations, prometheus.GaugeValue, float64(r.N), r.Status))
		}
		for _, s := range []string{"active", "unhealthy", "disabled"} {
			if !seen[s] { // a status with none is 0, not absent, so alerts see it
				out = append(out, prometheus.MustNewConstMetric(descIntegrations, prometheus.GaugeValue, 0, s))
			}
		}
	} else {
		up = 0
	}
	if mail, err := q.MailOutboxStats(ctx); err == nil {
		out = append(out, prometheus.MustNewConstMetric(descMailPending, prometheus.GaugeValue, float64(mail.Pending)),
			prometheus.MustNewConstMetric(descMailOldest, prometheus.GaugeValue, mail.OldestAgeSeconds))
	} else {
		up = 0
	}
	return append(out, prometheus.MustNewConstMetric(descScrapeError, prometheus.GaugeValue, up))
}
