package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/traffic"
	"github.com/botbridge/botbridge/web/view"
)

// spanKeys name the spans.
var spanKeys = map[traffic.Span]string{traffic.Span24h: "traffic.span.24h", traffic.Span7d: "traffic.span.7d", traffic.Span30d: "traffic.span.30d"}

// Traffic shows an integration's traffic charts for the last 24 hours,
// 7 or 30 days: events and failures, bot reply and Webim call latency,
// drawn as SVG on the server (no script) from the hourly rollup.
func (h *Handler) Traffic(c echo.Context) error {
	l := langOf(c)
	p, integID, name, err := h.activityIntegration(c)
	if err != nil {
		return err
	}
	span := traffic.ParseSpan(c.QueryParam("span"))
	zone := zoneOf(c)
	s, err := traffic.Load(c.Request().Context(), h.DB, p.ID, integID, span, time.Now(), zone)
	if err != nil {
		return err
	}
	base := activityBase(p.ID, integID)
	m := view.TrafficPage{
		Header:      view.ProjectHeader{ID: p.ID, Name: p.Name, Active: "settings"},
		Integration: name, BackURL: base, ActivityURL: base + "/activity", RolledAt: s.RolledAt,
		Charts: []view.Chart{
			eventsChart(l, s, zone),
			latencyChart(l, s, zone, "chart-bot", l.T("traffic.chart.bot"), func(p traffic.Point) traffic.Latency { return p.Bot }, s.Total.Bot),
			latencyChart(l, s, zone, "chart-webim", l.T("traffic.chart.webim"), func(p traffic.Point) traffic.Latency { return p.Webim }, s.Total.Webim),
		},
	}
	for _, sp := range traffic.Spans {
		m.Spans = append(m.Spans, view.SpanLink{Label: l.T(spanKeys[sp]), URL: base + "/traffic?span=" + string(sp), Current: sp == span})
	}
	title := l.T("traffic.title", name)
	crumbs := ProjectCrumbs(l, p, view.Crumb{Label: l.T("project.tab.settings"), URL: "/projects/" + view.Itoa(p.ID) + "/settings"},
		view.Crumb{Label: name, URL: base}, view.Crumb{Label: l.T("traffic.crumb")})
	return render(c, http.StatusOK, view.Traffic(h.page(c, title, crumbs...), m))
}
