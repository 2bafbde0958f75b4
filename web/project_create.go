package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

func newProjectForm(l i18n.Lang, name string, errs apperr.Validation) view.NewProjectForm {
	f := field(l, "name", "project.name.label", name, errs)
	f.Required, f.Hint, f.MaxLength = true, l.T("project.name.hint"), project.MaxNameLen
	return view.NewProjectForm{Name: f}
}

func projectCrumbs(l i18n.Lang) []view.Crumb {
	return []view.Crumb{{Label: l.T("project.list.title"), URL: "/projects"}}
}

// ProjectNewForm shows the "New project" form.
func (h *Handler) ProjectNewForm(c echo.Context) error {
	l := langOf(c)
	crumbs := append(projectCrumbs(l), view.Crumb{Label: l.T("project.new.title")})
	return render(c, http.StatusOK, view.NewProject(h.page(c, l.T("project.new.title"), crumbs...), newProjectForm(l, "", nil)))
}

// ProjectCreate creates a project owned by the current user.
func (h *Handler) ProjectCreate(c echo.Context) error {
	l := langOf(c)
	name := c.FormValue("name")
	p, err := project.Create(c.Request().Context(), h.DB, currentUser(c).ID, name)
	if errs := apperr.Fields(err); errs != nil {
		crumbs := append(projectCrumbs(l), view.Crumb{Label: l.T("project.new.title")})
		return render(c, formStatus(err), view.NewProject(h.page(c, l.T("project.new.title"), crumbs...), newProjectForm(l, name, errs)))
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash.project_created")
	return c.Redirect(http.StatusSeeOther, "/projects/"+view.Itoa(p.ID))
}
