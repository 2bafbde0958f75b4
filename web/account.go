package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/account"
	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// accountZones are the time zones the form suggests: Russia's, its
// neighbours' and a few more; any IANA name can be typed.
var accountZones = []string{
	"Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk", "Asia/Novosibirsk",
	"Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka",
	"Europe/Minsk", "Asia/Almaty", "Asia/Tashkent", "Asia/Bishkek", "Asia/Tbilisi", "Asia/Yerevan", "Asia/Baku",
	"Europe/Istanbul", "Europe/Berlin", "Europe/London", "America/New_York", "UTC",
}

func accountForm(c echo.Context, in account.Locale, errs apperr.Validation) view.AccountForm {
	l := langOf(c)
	f := view.AccountForm{Email: currentUser(c).Email, Zones: accountZones}
	f.Language = field(l, "language", "account.language.label", in.Language, errs)
	f.Language.Hint = l.T("account.language.hint")
	f.Languages = []view.Option{{Value: "", Label: l.T("account.language.browser"), Selected: in.Language == ""}}
	for _, lang := range i18n.Langs {
		f.Languages = append(f.Languages, view.Option{Value: string(lang), Label: lang.Name(), Selected: in.Language == string(lang)})
	}
	f.TimeZone = field(l, "time_zone", "account.time_zone.label", in.TimeZone, errs)
	f.TimeZone.MaxLength, f.TimeZone.Placeholder = account.MaxTimeZone, i18n.DefaultZone
	zone := zoneOf(c)
	f.TimeZone.Hint = l.T("account.time_zone.hint", zone.String(), l.DateTime(time.Now(), zone))
	return f
}

// AccountShow is the account page: language and time zone, password,
// e-mail and sessions (account_page.go builds it).
func (h *Handler) AccountShow(c echo.Context) error {
	return h.renderAccount(c, http.StatusOK, func(*view.AccountPage) {})
}

// AccountSave saves the language and time zone.
func (h *Handler) AccountSave(c echo.Context) error {
	u := currentUser(c)
	in := account.Locale{Language: c.FormValue("language"), TimeZone: c.FormValue("time_zone")}
	err := account.SetLocale(c.Request().Context(), h.DB, u.ID, in)
	if errs := apperr.Fields(err); errs != nil {
		return h.renderAccount(c, formStatus(err), func(a *view.AccountPage) { a.Prefs = accountForm(c, in, errs) })
	}
	if err != nil {
		return err
	}
	if l, ok := i18n.Parse(in.Language); ok {
		h.setLangCookie(c, l)
	}
	h.setFlash(c, "flash.account_saved")
	return c.Redirect(http.StatusSeeOther, "/account")
}

// SwitchLanguage is the header's language switch: a POST (nothing changes
// on GET) that saves the choice on the account, or for a visitor in a
// cookie, and returns to the page it came from.
func (h *Handler) SwitchLanguage(c echo.Context) error {
	l, ok := i18n.Parse(c.FormValue("lang"))
	if !ok {
		return apperr.Validation{"lang": "account.language.invalid"}
	}
	if u := currentUser(c); u != nil {
		if err := account.SetLanguage(c.Request().Context(), h.DB, u.ID, string(l)); err != nil {
			return err
		}
	}
	h.setLangCookie(c, l)
	next := safeNext(c.FormValue("next"))
	if next == "" {
		next = "/"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// accountRoutes is the routes table for the account's own preferences.
func (h *Handler) accountRoutes(r *Router) {
	r.Public.POST("/language", h.SwitchLanguage)
	r.User.GET("/account", h.AccountShow)
	r.User.POST("/account", h.AccountSave)
	r.User.POST("/account/password", h.AccountPassword)
	r.User.POST("/account/email", h.AccountEmail)
	r.User.POST("/account/verify", h.VerifyResend)
	r.User.POST("/account/sessions/:session/revoke", h.SessionRevoke)
	r.User.POST("/account/sessions/revoke-others", h.SessionRevokeOthers)
	r.Public.GET("/password/reset", h.ResetRequestForm)
	r.Public.POST("/password/reset", h.ResetRequest)
	r.Public.GET("/password/reset/:token", h.ResetForm)
	r.Public.POST("/password/reset/:token", h.Reset)
	r.Public.GET("/verify/:token", h.VerifyForm)
	r.Public.POST("/verify/:token", h.Verify)
}
