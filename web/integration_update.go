package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/integration"
)

// IntegrationUpdate saves the edit form. If someone changed the
// integration since the form was shown, nothing is saved and the form
// comes back with the current settings and a notice.
func (h *Handler) IntegrationUpdate(c echo.Context) error {
	p, in, err := h.loadIntegration(c)
	if err != nil {
		return err
	}
	version, err := strconv.ParseInt(c.FormValue("version"), 10, 32)
	if err != nil || version <= 0 {
		return fmt.Errorf("web: integration %d: bad version field: %w", in.ID, apperr.ErrInvalid)
	}
	values := webimInput(c)
	err = integration.Update(c.Request().Context(), h.DB, h.integrationEnv(), p.ID, in.ID, currentUser(c).ID, int32(version), values)
	if errs := apperr.Fields(err); errs != nil {
		return h.renderWebimEdit(c, p, in, int32(version), formStatus(err), values, errs, false)
	}
	if errors.Is(err, apperr.ErrConflict) {
		cur, gerr := integration.Get(c.Request().Context(), h.DB, p.ID, in.ID)
		if gerr != nil {
			return gerr
		}
		return h.renderWebimEdit(c, p, cur, cur.Version, http.StatusConflict, savedInput(cur), nil, true)
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "settings.flash.integration_saved")
	return c.Redirect(http.StatusSeeOther, integrationURL(p, in.ID))
}
