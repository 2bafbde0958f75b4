package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/web/view"
)

// RequestEditForm shows a rejected request's form pre-filled, with the
// reason for the rejection above it, to edit and send again.
func (h *Handler) RequestEditForm(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	id, err := paramID(c, "request")
	if err != nil {
		return err
	}
	r, err := request.Get(c.Request().Context(), h.DB, request.InProject(p.ID), id)
	if err != nil {
		return err
	}
	if r.Status != request.Rejected {
		return fmt.Errorf("web: request %d is %s, not rejected: %w", r.ID, r.Status, apperr.ErrNotFound)
	}
	in := request.Input{Platform: r.Platform, ContactEmail: r.ContactEmail, Organisation: r.Organisation,
		Description: r.Description, WebimDomain: r.WebimDomain, AccessRequested: r.AccessRequested}
	return h.renderResubmitForm(c, http.StatusOK, p, r, in, nil, "")
}

// RequestResubmit sends the edited rejected request again: the same
// request, back to Submitted, its history continued.
func (h *Handler) RequestResubmit(c echo.Context) error {
	l := langOf(c)
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
	ctx := c.Request().Context()
	r, err := request.Get(ctx, h.DB, request.InProject(p.ID), id)
	if err != nil {
		return err
	}
	in := request.Input{
		Platform: r.Platform, ContactEmail: c.FormValue("contact_email"), Organisation: c.FormValue("organisation"),
		Description: c.FormValue("description"), WebimDomain: c.FormValue("webim_domain"),
		AccessRequested: c.FormValue("access_requested") == "yes", Language: string(l),
	}
	_, err = request.Resubmit(ctx, h.DB, h.notifier(), currentUser(c).ID, p.ID, id, version, in)
	if errs := apperr.Fields(err); errs != nil {
		return h.renderResubmitForm(c, formStatus(err), p, r, in, errs, "")
	}
	var open *request.OpenRequestError
	if errors.As(err, &open) {
		return h.renderResubmitForm(c, http.StatusConflict, p, r, in, nil, "",
			openRequestLink(l, p, r.PlatformName, open.RequestID))
	}
	if msg := refusal(l, err); msg != "" {
		return h.renderResubmitForm(c, http.StatusConflict, p, r, in, nil, msg)
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash.request_resubmitted")
	return c.Redirect(http.StatusSeeOther, requestsURL(p)+"#"+requestAnchor(id))
}

func (h *Handler) renderResubmitForm(c echo.Context, status int, p project.Project, r request.Request, in request.Input,
	errs map[string]string, notice string, open ...*view.OpenRequestLink) error {
	l := langOf(c)
	platforms := []request.Platform{{Key: r.Platform, Name: r.PlatformName, Available: true}}
	f := requestForm(l, p, platforms, in, errs)
	f.Action = requestsURL(p) + "/" + view.Itoa(r.ID) + "/resubmit"
	f.Version = r.Version
	f.Heading = l.T("request.resubmit.title", view.Itoa(r.ID))
	f.Intro = l.T("request.resubmit.intro")
	f.SubmitLabel = l.T("request.resubmit.submit")
	f.RejectReason = r.RejectReason
	f.Notice = notice
	if len(open) > 0 {
		f.OpenRequest = open[0]
	}
	return render(c, status, view.RequestNew(h.page(c, f.Heading, requestCrumbs(l, p, f.Heading)...), f))
}
