package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// requestForm builds the "Request integration" form: the platform catalog
// (coming-soon ones listed but disabled), what was typed and the errors.
func requestForm(l i18n.Lang, p project.Project, platforms []request.Platform, in request.Input, errs apperr.Validation) view.RequestForm {
	f := view.RequestForm{
		Header: view.ProjectHeader{ID: p.ID, Name: p.Name, Active: "requests"},
		Action: requestsURL(p) + "/new",
	}
	f.Platform = field(l, "platform", "request.platform.label", in.Platform, errs)
	f.Platform.Required = true
	known := false
	for _, pl := range platforms {
		known = known || pl.Key == in.Platform
	}
	f.Platforms = append(f.Platforms, view.Option{Value: "", Label: l.T("request.platform.choose"), Selected: !known})
	for _, pl := range platforms {
		o := view.Option{Value: pl.Key, Label: pl.Name, Selected: pl.Key == in.Platform}
		if !pl.Available {
			o.Label, o.Disabled = l.T("request.platform.coming_soon", pl.Name), true
		}
		f.Platforms = append(f.Platforms, o)
	}
	f.ContactEmail = field(l, "contact_email", "request.contact_email.label", in.ContactEmail, errs)
	f.ContactEmail.Type, f.ContactEmail.Autocomplete, f.ContactEmail.Hint = "email", "email", l.T("request.contact_email.hint")
	f.Organisation = field(l, "organisation", "request.organisation.label", in.Organisation, errs)
	f.Organisation.Required, f.Organisation.MaxLength, f.Organisation.Autocomplete = true, request.MaxOrganisation, "organization"
	f.Description = field(l, "description", "request.description.label", in.Description, errs)
	f.Description.Required, f.Description.MaxLength, f.Description.Hint = true, request.MaxDescription, l.T("request.description.hint")
	f.WebimDomain = field(l, "webim_domain", "request.webim_domain.label", in.WebimDomain, errs)
	f.WebimDomain.Hint, f.WebimDomain.Placeholder, f.WebimDomain.MaxLength = l.T("request.webim_domain.hint"), "yourcompany.webim.ru", request.MaxDomain
	ticked := ""
	if in.AccessRequested {
		ticked = "yes"
	}
	f.AccessRequested = field(l, "access_requested", "request.access_requested.label", ticked, errs)
	f.AccessRequested.Required, f.AccessRequested.Hint = true, l.T("request.access_requested.hint")
	return f
}

// offered is the catalog minus the platforms the project already has (a
// request for those is pointless), with the project's open request for
// one of them, if any: the form shows it before the owner types anything.
func (h *Handler) offered(c echo.Context, p project.Project, chosen string) ([]request.Platform, *view.OpenRequestLink, error) {
	l := langOf(c)
	sts, err := request.PlatformStatuses(c.Request().Context(), h.DB, p.ID)
	if err != nil {
		return nil, nil, err
	}
	var out []request.Platform
	var open *view.OpenRequestLink
	for _, st := range sts {
		if st.Granted {
			continue
		}
		out = append(out, st.Platform)
		if st.RequestID != 0 && st.RequestStatus.Open() && (open == nil || st.Key == chosen) {
			open = openRequestLink(l, p, st.Name, st.RequestID)
		}
	}
	return out, open, nil
}

func openRequestLink(l i18n.Lang, p project.Project, platformName string, id int64) *view.OpenRequestLink {
	return &view.OpenRequestLink{
		Message: l.T("request.open_exists", platformName),
		Label:   l.T("request.open_exists.link", view.Itoa(id)),
		URL:     requestsURL(p) + "#" + requestAnchor(id),
	}
}

func (h *Handler) renderRequestForm(c echo.Context, status int, p project.Project, in request.Input, errs apperr.Validation, open *view.OpenRequestLink) error {
	l := langOf(c)
	platforms, pending, err := h.offered(c, p, in.Platform)
	if err != nil {
		return err
	}
	f := requestForm(l, p, platforms, in, errs)
	f.OpenRequest = open
	if f.OpenRequest == nil {
		f.OpenRequest = pending
	}
	title := l.T("request.new.title")
	return render(c, status, view.RequestNew(h.page(c, title, requestCrumbs(l, p, title)...), f))
}

// RequestNewForm shows the "Request integration" form. ?platform=KEY
// preselects a platform (Settings links here); otherwise the only
// requestable platform is preselected.
func (h *Handler) RequestNewForm(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	platforms, _, err := h.offered(c, p, "")
	if err != nil {
		return err
	}
	in := request.Input{ContactEmail: currentUser(c).Email}
	want := c.QueryParam("platform")
	var available []string
	for _, pl := range platforms {
		if pl.Available {
			available = append(available, pl.Key)
			if pl.Key == want {
				in.Platform = want
			}
		}
	}
	if in.Platform == "" && want == "" && len(available) == 1 {
		in.Platform = available[0]
	}
	return h.renderRequestForm(c, http.StatusOK, p, in, nil, nil)
}
