package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/web/i18n"
)

// Flash messages travel in a short-lived cookie holding a catalog key. Only
// known keys are shown, so a forged cookie cannot put text on the page.
const flashCookie = "bb_flash"

func (h *Handler) setFlash(c echo.Context, key string) {
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: key, Path: "/", HttpOnly: true,
		Secure: h.Config.SecureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

// takeFlash reads and clears the flash message.
func (h *Handler) takeFlash(c echo.Context) string {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return ""
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: h.Config.SecureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: -1})
	if !i18n.Has(ck.Value) {
		return ""
	}
	return langOf(c).T(ck.Value)
}
