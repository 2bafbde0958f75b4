package traffic

import (
	"context"
	"fmt"
	"time"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// Span is a chart's period.
type Span string

// The spans the charts page offers: hourly points for a day, daily ones
// for a week and a month.
const (
	Span24h Span = "24h"
	Span7d  Span = "7d"
	Span30d Span = "30d"
)

// Spans lists the spans in the order the page offers them.
var Spans = []Span{Span24h, Span7d, Span30d}

// ParseSpan reads a span, defaulting to a day.
func ParseSpan(s string) Span {
	for _, sp := range Spans {
		if string(sp) == s {
			return sp
		}
	}
	return Span24h
}

// steps returns the point width and count of a span.
func (s Span) steps() (time.Duration, int) {
	switch s {
	case Span7d:
		return 24 * time.Hour, 7
	case Span30d:
		return 24 * time.Hour, 30
	}
	return time.Hour, 24
}

// Latency is a call duration distribution's summary; Calls 0: no data.
type Latency struct {
	Calls int
	// P50 and P95 are the upper edges (ms) of the buckets holding the
	// median and the 95th percentile: the true value is at most this and
	// above the bucket's lower edge.
	P50, P95 int
}

// Point is one hour or day of an integration's traffic.
type Point struct {
	Start  time.Time
	Events int
	Failed int
	Bot    Latency
	Webim  Latency
}

// Series is an integration's traffic over a span.
type Series struct {
	Span   Span
	Step   time.Duration
	Points []Point
	// Total sums the points (latency over the whole span).
	Total Point
	// RolledAt is when the rollup last ran (nil: never): newer events are
	// not in the figures yet.
	RolledAt *time.Time
}

// histogram counts calls per bucket.
type histogram map[int16]int

func (h histogram) summary() Latency {
	total := 0
	for _, n := range h {
		total += n
	}
	if total == 0 {
		return Latency{}
	}
	return Latency{Calls: total, P50: h.quantile(total, 0.50), P95: h.quantile(total, 0.95)}
}

// quantile is the upper edge of the bucket holding the q-th call (by rank
// ceil(q·total), as percentile_disc counts).
func (h histogram) quantile(total int, q float64) int {
	rank := int(q*float64(total) + 0.999999)
	if rank < 1 {
		rank = 1
	}
	seen := 0
	for b := int16(0); int(b) <= len(Bounds); b++ {
		seen += h[b]
		if seen >= rank {
			return UpperEdge(b)
		}
	}
	return UpperEdge(int16(len(Bounds)))
}

// UpperEdge is the upper edge (ms) of bucket b; the last bucket is open,
// so its lower edge stands for it.
func UpperEdge(b int16) int {
	if int(b) >= len(Bounds) {
		return int(Bounds[len(Bounds)-1])
	}
	return int(Bounds[b])
}

// BucketOf is the bucket a duration falls in (SQL width_bucket).
func BucketOf(ms int) int16 {
	b := int16(0)
	for i, lo := range Bounds {
		if int32(ms) >= lo {
			b = int16(i + 1)
		}
	}
	return b
}

// Load reads an integration's traffic over span ending at now, scoped by
// project: one index range over at most 720 hourly rows, never the events.
// Days run from midnight in zone (hours are whole in every zone botbridge
// offers; a zone with a half-hour offset puts each hour in the day it
// starts in).
func Load(ctx context.Context, q db.DBTX, projectID, integrationID int64, span Span, now time.Time, zone *time.Location) (Series, error) {
	step, n := span.steps()
	end := now.UTC().Truncate(time.Hour).Add(time.Hour)
	if step == 24*time.Hour {
		y, m, d := now.In(zone).Date()
		end = time.Date(y, m, d+1, 0, 0, 0, 0, zone)
	}
	since := end.Add(-time.Duration(n) * step)
	s := Series{Span: span, Step: step, Points: make([]Point, n)}
	for i := range s.Points {
		s.Points[i].Start = since.Add(time.Duration(i) * step)
	}
	index := func(t time.Time) int {
		i := int(t.Sub(since) / step)
		if i < 0 || i >= n {
			return -1
		}
		return i
	}
	qs := dbsqlc.New(q)
	hours, err := qs.ListTrafficHours(ctx, dbsqlc.ListTrafficHoursParams{IntegrationID: integrationID, ProjectID: projectID, Since: since})
	if err != nil {
		return s, fmt.Errorf("traffic: hours: %w", err)
	}
	for _, h := range hours {
		if i := index(h.Hour); i >= 0 {
			s.Points[i].Events += int(h.Events)
			s.Points[i].Failed += int(h.Failed)
			s.Total.Events += int(h.Events)
			s.Total.Failed += int(h.Failed)
		}
	}
	lat, err := qs.ListTrafficLatency(ctx, dbsqlc.ListTrafficLatencyParams{IntegrationID: integrationID, ProjectID: projectID, Since: since})
	if err != nil {
		return s, fmt.Errorf("traffic: latency: %w", err)
	}
	bot, webim := make([]histogram, n), make([]histogram, n)
	totBot, totWebim := histogram{}, histogram{}
	for _, l := range lat {
		i := index(l.Hour)
		if i < 0 {
			continue
		}
		h, tot := bot, totBot
		if l.Target == "webim" {
			h, tot = webim, totWebim
		}
		if h[i] == nil {
			h[i] = histogram{}
		}
		h[i][l.Bucket] += int(l.Calls)
		tot[l.Bucket] += int(l.Calls)
	}
	for i := range s.Points {
		s.Points[i].Bot, s.Points[i].Webim = bot[i].summary(), webim[i].summary()
	}
	s.Total.Bot, s.Total.Webim = totBot.summary(), totWebim.summary()
	if s.RolledAt, err = qs.TrafficRolledAt(ctx); err != nil {
		return s, fmt.Errorf("traffic: rolled at: %w", err)
	}
	return s, nil
}
