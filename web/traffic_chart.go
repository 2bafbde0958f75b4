package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/botbridge/botbridge/internal/traffic"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// Chart geometry in SVG user units: the chart scales to its box's width,
// the labels with it.
const (
	chartW, chartH        = 640.0, 220.0
	chartLeft, chartRight = 56.0, 8.0
	chartTop, chartBottom = 10.0, 28.0
	plotW                 = chartW - chartLeft - chartRight
	plotH                 = chartH - chartTop - chartBottom
	chartTicks            = 4
)

// axisTop is the top of an axis with chartTicks steps of a round size
// that reaches v.
func axisTop(v int) int { return niceCeil((v+chartTicks-1)/chartTicks) * chartTicks }

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (at least 1), so
// the axis reads in round numbers.
func niceCeil(v int) int {
	if v <= 1 {
		return 1
	}
	p := 1
	for p*10 < v {
		p *= 10
	}
	for _, m := range []int{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// pointLabel names a point's hour or day in the page's zone.
func pointLabel(l i18n.Lang, s traffic.Series, t time.Time, zone *time.Location) string {
	t = t.In(zone)
	if s.Step == time.Hour {
		return t.Format("15:04")
	}
	return t.Format("02.01")
}

// xTicks labels every few points so the axis stays legible at 360 px.
func xTicks(l i18n.Lang, s traffic.Series, zone *time.Location) []view.ChartTick {
	every := 6
	switch s.Span {
	case traffic.Span7d:
		every = 1
	case traffic.Span30d:
		every = 5
	}
	slot := plotW / float64(len(s.Points))
	var out []view.ChartTick
	for i, p := range s.Points {
		if i%every == 0 {
			out = append(out, view.ChartTick{Pos: f1(chartLeft + slot*float64(i) + slot/2), Label: pointLabel(l, s, p.Start, zone)})
		}
	}
	return out
}

func yTicks(top int, unit func(int) string) []view.ChartTick {
	out := make([]view.ChartTick, 0, chartTicks+1)
	for i := 0; i <= chartTicks; i++ {
		v := top * i / chartTicks
		out = append(out, view.ChartTick{Pos: f1(chartTop + plotH - plotH*float64(i)/chartTicks), Label: unit(v)})
	}
	return out
}

// eventsChart: a bar per hour or day, its failed part drawn over it.
func eventsChart(l i18n.Lang, s traffic.Series, zone *time.Location) view.Chart {
	c := view.Chart{ID: "chart-events", Title: l.T("traffic.chart.events"), W: f1(chartW), H: f1(chartH),
		Left: f1(chartLeft), Right: f1(chartW - chartRight), Base: f1(chartTop + plotH),
		Legend: []view.ChartLegend{{Class: "events", Label: l.T("traffic.legend.events")}, {Class: "failed", Label: l.T("traffic.legend.failed")}}}
	top := 0
	for _, p := range s.Points {
		top = max(top, p.Events, p.Failed)
	}
	top = axisTop(top)
	slot := plotW / float64(len(s.Points))
	bw := max(slot*0.7, 1)
	for i, p := range s.Points {
		x := chartLeft + slot*float64(i) + (slot-bw)/2
		label := pointLabel(l, s, p.Start, zone)
		c.Rows = append(c.Rows, view.ChartRow{Label: label, Values: []string{strconv.Itoa(p.Events), strconv.Itoa(p.Failed)}})
		for _, b := range []struct {
			n          int
			class, tip string
		}{{p.Events, "events", "traffic.tip.events"}, {p.Failed, "failed", "traffic.tip.failed"}} {
			if b.n == 0 {
				continue
			}
			h := plotH * float64(b.n) / float64(top)
			c.Bars = append(c.Bars, view.ChartBar{X: f1(x), Y: f1(chartTop + plotH - h), W: f1(bw), H: f1(h), Class: b.class,
				Title: label + ": " + l.T(b.tip, b.n)})
		}
	}
	c.YTicks = yTicks(top, strconv.Itoa)
	c.XTicks = xTicks(l, s, zone)
	c.Columns = []string{l.T("traffic.col.when"), l.T("traffic.legend.events"), l.T("traffic.legend.failed")}
	c.Summary = l.T("traffic.summary.events", s.Total.Events, s.Total.Failed)
	return c
}

// latencyChart: p50 and p95 lines of one call target; hours without calls
// break the lines.
func latencyChart(l i18n.Lang, s traffic.Series, zone *time.Location, id, title string, pick func(traffic.Point) traffic.Latency, total traffic.Latency) view.Chart {
	c := view.Chart{ID: id, Title: title, W: f1(chartW), H: f1(chartH),
		Left: f1(chartLeft), Right: f1(chartW - chartRight), Base: f1(chartTop + plotH),
		Legend: []view.ChartLegend{{Class: "p50", Label: l.T("traffic.legend.p50")}, {Class: "p95", Label: l.T("traffic.legend.p95")}}}
	top := 0
	for _, p := range s.Points {
		top = max(top, pick(p).P95)
	}
	top = axisTop(top)
	slot := plotW / float64(len(s.Points))
	ms := func(v int) string { return l.T("traffic.ms", v) }
	for _, class := range []string{"p50", "p95"} {
		tip := map[string]string{"p50": "traffic.tip.p50", "p95": "traffic.tip.p95"}[class]
		var seg []string
		flush := func() {
			if len(seg) > 0 {
				c.Lines = append(c.Lines, view.ChartLine{Class: class, Points: strings.Join(seg, " "), Single: len(seg) == 1})
			}
			seg = nil
		}
		for i, p := range s.Points {
			lat := pick(p)
			if lat.Calls == 0 {
				flush()
				continue
			}
			v := lat.P50
			if class == "p95" {
				v = lat.P95
			}
			x := chartLeft + slot*float64(i) + slot/2
			y := chartTop + plotH - plotH*float64(v)/float64(top)
			seg = append(seg, f1(x)+","+f1(y))
			c.Dots = append(c.Dots, view.ChartDot{X: f1(x), Y: f1(y), Class: class,
				Title: pointLabel(l, s, p.Start, zone) + ": " + l.T(tip, v, lat.Calls)})
		}
		flush()
	}
	for _, p := range s.Points {
		lat := pick(p)
		row := view.ChartRow{Label: pointLabel(l, s, p.Start, zone), Values: []string{"—", "—", "0"}}
		if lat.Calls > 0 {
			row.Values = []string{ms(lat.P50), ms(lat.P95), strconv.Itoa(lat.Calls)}
		}
		c.Rows = append(c.Rows, row)
	}
	c.YTicks = yTicks(top, ms)
	c.XTicks = xTicks(l, s, zone)
	c.Columns = []string{l.T("traffic.col.when"), l.T("traffic.legend.p50"), l.T("traffic.legend.p95"), l.T("traffic.col.calls")}
	if total.Calls > 0 {
		c.Summary = l.T("traffic.summary.latency", total.P50, total.P95, total.Calls)
	} else {
		c.Summary = l.T("traffic.summary.no_calls")
	}
	return c
}
