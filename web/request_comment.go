package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/request"
)

// RequestComment adds the owner's comment to a request's history.
func (h *Handler) RequestComment(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	id, err := paramID(c, "request")
	if err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	text := c.FormValue("comment")
	_, err = request.Comment(c.Request().Context(), h.DB, request.InProject(p.ID), id, version, currentUser(c).ID, text)
	if errs := apperr.Fields(err); errs != nil {
		return h.renderRequestList(c, formStatus(err), p, cardState{RequestID: id, Comment: text, Errs: errs})
	}
	if msg := refusal(err); msg != "" {
		return h.renderRequestList(c, http.StatusConflict, p, cardState{RequestID: id, Notice: msg, Comment: text})
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash.request_commented")
	return c.Redirect(http.StatusSeeOther, requestsURL(p)+"#"+requestAnchor(id))
}
