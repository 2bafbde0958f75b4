package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/view"
)

// verifyLinkInvalid is the page of a used, expired or unknown
// verification link.
func (h *Handler) verifyLinkInvalid(c echo.Context, msgKey string) error {
	l := langOf(c)
	again, label := "/login", l.T("nav.login")
	if currentUser(c) != nil {
		again, label = "/account", l.T("nav.account")
	}
	return render(c, http.StatusNotFound, view.LinkInvalid(h.page(c, l.T("link.invalid.title")), l.T(msgKey), again, label))
}

// VerifyForm is the page a verification link opens: a button that uses
// it (a GET changes nothing, so link scanners do not use links up).
func (h *Handler) VerifyForm(c echo.Context) error {
	l := langOf(c)
	token := c.Param("token")
	link, err := auth.PeekLink(c.Request().Context(), h.DB, auth.PurposeVerify, token)
	if errors.Is(err, auth.ErrLinkInvalid) {
		return h.verifyLinkInvalid(c, "verify.invalid")
	}
	if err != nil {
		return err
	}
	f := view.VerifyForm{Action: "/verify/" + token, Email: link.Email, Change: link.Email != link.User.Email}
	return render(c, http.StatusOK, view.Verify(h.page(c, l.T("verify.title")), f))
}

// Verify uses the link: the address is confirmed, or an e-mail change
// takes effect.
func (h *Handler) Verify(c echo.Context) error {
	u, err := auth.Verify(c.Request().Context(), h.DB, c.Param("token"))
	switch {
	case errors.Is(err, auth.ErrLinkInvalid):
		return h.verifyLinkInvalid(c, "verify.invalid")
	case errors.Is(err, auth.ErrEmailTaken):
		return h.verifyLinkInvalid(c, "verify.taken")
	case err != nil:
		return err
	}
	h.setFlash(c, "flash.email_verified")
	if cu := currentUser(c); cu != nil && cu.ID == u.ID {
		return c.Redirect(http.StatusSeeOther, "/account")
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}
