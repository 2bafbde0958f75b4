package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

func resetRequestForm(l i18n.Lang, email string, errs apperr.Validation) view.ResetRequestForm {
	e := field(l, "email", "auth.email.label", email, errs)
	e.Type, e.Required, e.Autocomplete = "email", true, "username"
	return view.ResetRequestForm{Email: e}
}

// ResetRequestForm is the "Forgot password?" page.
func (h *Handler) ResetRequestForm(c echo.Context) error {
	l := langOf(c)
	return render(c, http.StatusOK, view.ResetRequest(h.page(c, l.T("reset.request.title")), resetRequestForm(l, "", nil)))
}

// ResetRequest mails a reset link when the address has an account and
// answers exactly the same either way, no sooner than ResetPad, so neither
// the page nor its timing tells whether the address has an account.
func (h *Handler) ResetRequest(c echo.Context) error {
	l := langOf(c)
	acc := h.accounts()
	start := time.Now()
	email := strings.TrimSpace(c.FormValue("email"))
	err := acc.RequestReset(c.Request().Context(), h.DB, email, c.RealIP())
	if errs := apperr.Fields(err); errs != nil {
		return render(c, formStatus(err), view.ResetRequest(h.page(c, l.T("reset.request.title")), resetRequestForm(l, email, errs)))
	}
	var rl *auth.RateLimitError
	if errors.As(err, &rl) {
		f := resetRequestForm(l, email, nil)
		f.Error = l.T("reset.request.throttled", rl.Minutes())
		setRetryAfter(c, rl.Wait())
		return render(c, http.StatusTooManyRequests, view.ResetRequest(h.page(c, l.T("reset.request.title")), f))
	}
	if err != nil {
		return err
	}
	if wait := acc.ResetPad - time.Since(start); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-c.Request().Context().Done():
			t.Stop()
		}
	}
	return render(c, http.StatusOK, view.ResetSent(h.page(c, l.T("reset.sent.title")), auth.NormalizeEmail(email)))
}
