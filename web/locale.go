package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/config"
	"github.com/botbridge/botbridge/web/i18n"
)

// The language and time zone of a page. Language: the account's saved
// choice; else the language switch's cookie; else the browser's
// Accept-Language (q-values honoured); else DEFAULT_LANGUAGE. Time zone: the
// account's; else the browser's, which app.js puts in a cookie; else
// Europe/Moscow.
const (
	langCookie     = "bb_lang"
	zoneCookie     = "bb_tz"
	ctxDefaultLang = "default_lang"
)

// defaultLang is DEFAULT_LANGUAGE, Russian when unset or unknown.
func defaultLang(cfg *config.Config) i18n.Lang {
	if cfg != nil {
		if l, ok := i18n.Parse(cfg.DefaultLanguage); ok {
			return l
		}
	}
	return i18n.RU
}

// localeDefaults makes DEFAULT_LANGUAGE known to every request, including
// those no route matched (their 404 page is translated too).
func (h *Handler) localeDefaults(next echo.HandlerFunc) echo.HandlerFunc {
	l := defaultLang(h.Config)
	return func(c echo.Context) error {
		c.Set(ctxDefaultLang, l)
		return next(c)
	}
}

// langOf is the language to answer c in.
func langOf(c echo.Context) i18n.Lang {
	if u := currentUser(c); u != nil {
		if l, ok := i18n.Parse(u.Language); ok {
			return l
		}
	}
	if ck, err := c.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(ck.Value); ok {
			return l
		}
	}
	if l, ok := i18n.Match(c.Request().Header.Get("Accept-Language")); ok {
		return l
	}
	if l, ok := c.Get(ctxDefaultLang).(i18n.Lang); ok {
		return l
	}
	return i18n.RU
}

// browserLang is the language a visitor's browser asked for explicitly
// (the switch's cookie), "" when it did not: what a new account saves.
func browserLang(c echo.Context) string {
	if ck, err := c.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(ck.Value); ok {
			return string(l)
		}
	}
	return ""
}

// browserZone is the time zone app.js read from the browser, "" if none.
func browserZone(c echo.Context) string {
	if ck, err := c.Cookie(zoneCookie); err == nil {
		if _, ok := i18n.LoadZone(ck.Value); ok {
			return ck.Value
		}
	}
	return ""
}

// zoneOf is the time zone to show c's dates in.
func zoneOf(c echo.Context) *time.Location {
	if u := currentUser(c); u != nil && u.TimeZone != "" {
		return i18n.Zone(u.TimeZone)
	}
	return i18n.Zone(browserZone(c))
}

func (h *Handler) setLangCookie(c echo.Context, l i18n.Lang) {
	c.SetCookie(&http.Cookie{Name: langCookie, Value: string(l), Path: "/", HttpOnly: true,
		Secure: h.Config.SecureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
}
