package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/mail"
	"github.com/botbridge/botbridge/web/view"
)

// devMailLimit is how many outbox messages the dev page shows.
const devMailLimit = 50

// DevMail lists the newest outbox messages (development only; see devRoutes).
func (h *Handler) DevMail(c echo.Context) error {
	l := langOf(c)
	sent, err := mail.ListRecent(c.Request().Context(), h.DB, devMailLimit)
	if err != nil {
		return err
	}
	rows := make([]view.DevMailRow, len(sent))
	for i, m := range sent {
		rows[i] = view.DevMailRow{To: m.To, Subject: m.Subject, Topic: m.Topic, Body: m.Body, CreatedAt: m.CreatedAt,
			Status: m.Status(), Attempts: m.Attempts, LastError: m.LastError}
	}
	return render(c, http.StatusOK, view.DevMail(h.page(c, l.T("dev.mail.title")), rows))
}
