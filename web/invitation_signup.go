package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/account"
	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/team"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

func invitationSignupForm(l i18n.Lang, token string, link team.Link, errs apperr.Validation) view.InvitationSignupForm {
	pw := field(l, "password", "auth.password.label", "", errs)
	pw.Type, pw.Required, pw.Autocomplete, pw.Hint = "password", true, "new-password", l.T("auth.password.hint")
	cf := field(l, "confirm", "auth.confirm.label", "", errs)
	cf.Type, cf.Required, cf.Autocomplete = "password", true, "new-password"
	f := view.InvitationSignupForm{
		Action: invitationPath(token) + "/signup", ProjectName: link.ProjectName, Email: link.Email,
		Password: pw, Confirm: cf, LoginURL: "/login?next=" + invitationPath(token),
	}
	if k, ok := errs["email"]; ok {
		f.EmailError = l.T(k)
		if k == "auth.email.taken" {
			f.EmailError = l.T("team.signup.taken")
		}
	}
	return f
}

// openLink finds a working invitation for the sign-up pages; anything
// else shows the invitation page, which says what is wrong.
func (h *Handler) openLink(c echo.Context) (team.Link, bool, error) {
	link, err := team.Lookup(c.Request().Context(), h.DB, c.Param("token"))
	if err != nil || link.Err != nil || currentUser(c) != nil {
		return link, false, h.InvitationShow(c)
	}
	return link, true, nil
}

// InvitationSignupForm signs up the invited address from the link (no
// choice of address: the invitation names it).
func (h *Handler) InvitationSignupForm(c echo.Context) error {
	l := langOf(c)
	link, ok, err := h.openLink(c)
	if !ok {
		return err
	}
	return render(c, http.StatusOK, view.InvitationSignup(h.page(c, l.T("team.signup.title")), invitationSignupForm(l, c.Param("token"), link, nil)))
}

// InvitationSignup creates the invited address's account (the sign-up's
// own rules and limits apply), counts the address as verified because the
// link came by e-mail to it, accepts the invitation and logs in.
func (h *Handler) InvitationSignup(c echo.Context) error {
	l := langOf(c)
	ctx := c.Request().Context()
	token := c.Param("token")
	link, ok, err := h.openLink(c)
	if !ok {
		return err
	}
	in := auth.SignUp{Email: link.Email, Password: c.FormValue("password"), Confirm: c.FormValue("confirm")}
	u, err := h.Throttle.SignUp(ctx, h.DB, in, c.RealIP())
	title := l.T("team.signup.title")
	if errs := apperr.Fields(err); errs != nil {
		return render(c, formStatus(err), view.InvitationSignup(h.page(c, title), invitationSignupForm(l, token, link, errs)))
	}
	var rl *auth.RateLimitError
	if errors.As(err, &rl) {
		f := invitationSignupForm(l, token, link, nil)
		f.Error = l.T("auth.signup.throttled", rl.Minutes())
		setRetryAfter(c, rl.Wait())
		return render(c, http.StatusTooManyRequests, view.InvitationSignup(h.page(c, title), f))
	}
	if err != nil {
		return err
	}
	if err := account.SetLocale(ctx, h.DB, u.ID, account.Locale{Language: browserLang(c), TimeZone: browserZone(c)}); err != nil {
		return err
	}
	projectID, acceptErr := team.Accept(ctx, h.DB, token, u)
	if err := h.startSession(c, u); err != nil {
		return err
	}
	if acceptErr != nil {
		// Revoked or replaced between the page and the form: the account
		// stays, and the invitation page says what happened.
		h.setFlash(c, "flash.signed_up")
		return c.Redirect(http.StatusSeeOther, invitationPath(token))
	}
	h.setFlash(c, "team.flash.joined")
	return c.Redirect(http.StatusSeeOther, "/projects/"+view.Itoa(projectID))
}
