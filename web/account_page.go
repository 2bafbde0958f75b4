package web

import (
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/account"
	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

func passwordForm(l i18n.Lang, errs apperr.Validation) view.PasswordForm {
	cur := field(l, "current", "account.current.label", "", errs)
	cur.Type, cur.Required, cur.Autocomplete = "password", true, "current-password"
	pw := field(l, "password", "account.password.new", "", errs)
	pw.Type, pw.Required, pw.Autocomplete, pw.Hint = "password", true, "new-password", l.T("account.password.hint")
	cf := field(l, "confirm", "auth.confirm.label", "", errs)
	cf.Type, cf.Required, cf.Autocomplete = "password", true, "new-password"
	return view.PasswordForm{Current: cur, Password: pw, Confirm: cf}
}

func emailForm(l i18n.Lang, email string, errs apperr.Validation) view.EmailForm {
	e := field(l, "email", "account.email.new", email, errs)
	e.Type, e.Required, e.Autocomplete = "email", true, "email"
	cur := field(l, "current_email", "account.current.label", "", errs)
	cur.Type, cur.Required, cur.Autocomplete = "password", true, "current-password"
	return view.EmailForm{Email: e, Current: cur}
}

// renderAccount renders the account page with every form fresh, after
// mutate has put in the one that failed (with its errors and input).
func (h *Handler) renderAccount(c echo.Context, status int, mutate func(*view.AccountPage)) error {
	ctx := c.Request().Context()
	l := langOf(c)
	u := currentUser(c)
	token, _ := c.Get(ctxToken).(string)
	sessions, err := h.Sessions.List(ctx, h.DB, u.ID, token)
	if err != nil {
		return err
	}
	pending, err := auth.PendingEmail(ctx, h.DB, u.ID)
	if err != nil {
		return err
	}
	a := view.AccountPage{
		Email: u.Email, Verified: u.Verified, Pending: pending,
		Prefs:    accountForm(c, account.Locale{Language: u.Language, TimeZone: u.TimeZone}, nil),
		Password: passwordForm(l, nil),
		EmailChg: emailForm(l, "", nil),
	}
	for _, s := range sessions {
		a.Sessions = append(a.Sessions, view.SessionRow{ID: s.ID, Device: describeDevice(l, s.UserAgent), IP: s.IP,
			Started: s.CreatedAt, LastSeen: s.LastSeenAt, Current: s.Current})
	}
	mutate(&a)
	return render(c, status, view.Account(h.page(c, l.T("account.title")), a))
}
