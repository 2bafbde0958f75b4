package web

import (
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/account"
	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

func signupForm(l i18n.Lang, email string, errs apperr.Validation) view.SignupForm {
	e := field(l, "email", "auth.email.label", email, errs)
	e.Type, e.Required, e.Autocomplete = "email", true, "username"
	p := field(l, "password", "auth.password.label", "", errs)
	p.Type, p.Required, p.Autocomplete, p.Hint = "password", true, "new-password", l.T("account.password.hint")
	cf := field(l, "confirm", "auth.confirm.label", "", errs)
	cf.Type, cf.Required, cf.Autocomplete = "password", true, "new-password"
	return view.SignupForm{Email: e, Password: p, Confirm: cf}
}

// SignupForm shows the sign-up page.
func (h *Handler) SignupForm(c echo.Context) error {
	l := langOf(c)
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/projects")
	}
	return render(c, http.StatusOK, view.Signup(h.page(c, l.T("auth.signup.title")), signupForm(l, "", nil)))
}

// Signup creates an owner account and logs it in.
func (h *Handler) Signup(c echo.Context) error {
	l := langOf(c)
	ctx := c.Request().Context()
	in := auth.SignUp{Email: c.FormValue("email"), Password: c.FormValue("password"), Confirm: c.FormValue("confirm")}
	u, err := h.Throttle.SignUp(ctx, h.DB, in, c.RealIP())
	if errs := apperr.Fields(err); errs != nil {
		return render(c, formStatus(err), view.Signup(h.page(c, l.T("auth.signup.title")), signupForm(l, in.Email, errs)))
	}
	var rl *auth.RateLimitError
	if errors.As(err, &rl) {
		f := signupForm(l, in.Email, nil)
		f.Error = l.T("auth.signup.throttled", rl.Minutes())
		setRetryAfter(c, rl.Wait())
		return render(c, http.StatusTooManyRequests, view.Signup(h.page(c, l.T("auth.signup.title")), f))
	}
	if err != nil {
		return err
	}
	// The language chosen with the switch and the browser's time zone
	// become the account's.
	if err := account.SetLocale(ctx, h.DB, u.ID, account.Locale{Language: browserLang(c), TimeZone: browserZone(c)}); err != nil {
		return err
	}
	// The new account proves its address with the link in this mail; it
	// can look around meanwhile but not file requests.
	if err := db.InTx(ctx, h.DB, func(tx pgx.Tx) error { return h.accounts().SendVerification(ctx, tx, u, u.Email) }); err != nil {
		return err
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	h.setFlash(c, "flash.signed_up_verify")
	return c.Redirect(http.StatusSeeOther, "/projects")
}
