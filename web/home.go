package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Home sends people where they most likely want to go.
func (h *Handler) Home(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/projects")
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}
