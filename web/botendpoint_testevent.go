package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/web/view"
)

// BotEndpointTest is "Send a test event": a signed ping (or, with
// kind=message, a message.text with the sample text) to the project's
// bot, and the bot page again with what came back and how Webim would
// show it. Nothing is stored and nothing reaches Webim.
func (h *Handler) BotEndpointTest(c echo.Context) error {
	l := langOf(c)
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	sample := strings.TrimSpace(c.FormValue("sample"))
	if c.FormValue("kind") != "message" {
		sample = ""
	} else if sample == "" {
		sample = l.T("owner.test.sample.default")
	}
	res, err := h.Bridge.TestEvent(c.Request().Context(), p.ID, sample)
	if errors.Is(err, apperr.ErrNotFound) {
		h.setFlash(c, "owner.flash.test_no_bot")
		return c.Redirect(http.StatusSeeOther, settingsURL(p)+"/bot")
	}
	if err != nil {
		return err
	}
	t := view.TestEventView{
		Action: settingsURL(p) + "/bot/test", Sample: c.FormValue("sample"), Ran: true, Type: res.Type,
		Status: res.Status, LatencyMS: res.Latency.Milliseconds(), Raw: res.Raw, Truncated: res.Truncated, Sent: res.Sent,
		Preview: PreviewView(l, res.Preview), Unsupported: res.Unsupported,
	}
	if res.Problem != "" {
		t.Detail = res.Problem
		switch {
		case res.Invalid:
			t.Problem = l.T("owner.test.problem.invalid")
		case res.Status == 0:
			t.Problem = l.T("owner.test.problem.unreachable")
		case res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden:
			t.Problem = l.T("owner.test.problem.signature", res.Status)
		case res.Status < 200 || res.Status > 299:
			t.Problem = l.T("owner.test.problem.status", res.Status)
		default:
			t.Problem = l.T("owner.test.problem.other")
		}
	}
	return h.renderBotPage(c, p, http.StatusOK, nil, nil, &t)
}
