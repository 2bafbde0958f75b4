package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/request"
)

// RequestCreate files an integration request for the current project.
func (h *Handler) RequestCreate(c echo.Context) error {
	l := langOf(c)
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	// Only an account that proved its address may file requests.
	if err := requireVerified(c); err != nil {
		return err
	}
	in := request.Input{
		Platform:        c.FormValue("platform"),
		ContactEmail:    c.FormValue("contact_email"),
		Organisation:    c.FormValue("organisation"),
		Description:     c.FormValue("description"),
		WebimDomain:     c.FormValue("webim_domain"),
		AccessRequested: c.FormValue("access_requested") == "yes",
		Language:        string(langOf(c)),
	}
	r, err := request.Submit(c.Request().Context(), h.DB, h.notifier(), currentUser(c).ID, p.ID, in)
	if errs := apperr.Fields(err); errs != nil {
		return h.renderRequestForm(c, formStatus(err), p, in, errs, nil)
	}
	var open *request.OpenRequestError
	if errors.As(err, &open) {
		name := open.Platform
		if pl, perr := request.GetPlatform(c.Request().Context(), h.DB, open.Platform); perr == nil {
			name = pl.Name
		}
		return h.renderRequestForm(c, http.StatusConflict, p, in, nil, openRequestLink(l, p, name, open.RequestID))
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash.request_submitted")
	return c.Redirect(http.StatusSeeOther, requestsURL(p)+"#"+requestAnchor(r.ID))
}
