package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

func signupForm(email string, errs apperr.Validation) view.SignupForm {
	e := field("email", "auth.email.label", email, errs)
	e.Type, e.Required, e.Autocomplete = "email", true, "username"
	p := field("password", "auth.password.label", "", errs)
	p.Type, p.Required, p.Autocomplete, p.Hint = "password", true, "new-password", i18n.T("auth.password.hint")
	cf := field("confirm", "auth.confirm.label", "", errs)
	cf.Type, cf.Required, cf.Autocomplete = "password", true, "new-password"
	return view.SignupForm{Email: e, Password: p, Confirm: cf}
}

// SignupForm shows the sign-up page.
func (h *Handler) SignupForm(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/projects")
	}
	return render(c, http.StatusOK, view.Signup(h.page(c, i18n.T("auth.signup.title")), signupForm("", nil)))
}

// Signup creates an owner account and logs it in.
func (h *Handler) Signup(c echo.Context) error {
	ctx := c.Request().Context()
	in := auth.SignUp{Email: c.FormValue("email"), Password: c.FormValue("password"), Confirm: c.FormValue("confirm")}
	u, err := h.Throttle.SignUp(ctx, h.DB, in, c.RealIP())
	if errs := apperr.Fields(err); errs != nil {
		return render(c, formStatus(err), view.Signup(h.page(c, i18n.T("auth.signup.title")), signupForm(in.Email, errs)))
	}
	var rl *auth.RateLimitError
	if errors.As(err, &rl) {
		f := signupForm(in.Email, nil)
		f.Error = i18n.T("auth.signup.throttled", rl.Minutes())
		setRetryAfter(c, rl.Wait())
		return render(c, http.StatusTooManyRequests, view.Signup(h.page(c, i18n.T("auth.signup.title")), f))
	}
	if err != nil {
		return err
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	h.setFlash(c, "flash.signed_up")
	return c.Redirect(http.StatusSeeOther, "/projects")
}
