package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// CurrentProject loads the :project path parameter through the current
// user's membership: another tenant's project is a plain 404.
func (h *Handler) CurrentProject(c echo.Context) (project.Project, error) {
	if p, ok := c.Get(ctxProject).(project.Project); ok {
		return p, nil
	}
	id, err := paramID(c, "project")
	if err != nil {
		return project.Project{}, err
	}
	return project.Get(c.Request().Context(), h.DB, currentUser(c).ID, id)
}

// ProjectCrumbs is the breadcrumb trail down to a project tab.
func ProjectCrumbs(l i18n.Lang, p project.Project, tail ...view.Crumb) []view.Crumb {
	crumbs := append(projectCrumbs(l), view.Crumb{Label: p.Name, URL: "/projects/" + view.Itoa(p.ID)})
	if len(tail) == 0 {
		crumbs[len(crumbs)-1].URL = ""
	}
	return append(crumbs, tail...)
}

// ProjectShow is the project's Overview tab.
func (h *Handler) ProjectShow(c echo.Context) error {
	l := langOf(c)
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	m := view.ProjectOverview{
		Header:    view.ProjectHeader{ID: p.ID, Name: p.Name, Active: "overview"},
		CreatedAt: p.CreatedAt,
		Role:      p.MemberRole,
	}
	return render(c, http.StatusOK, view.ProjectShow(h.page(c, p.Name, ProjectCrumbs(l, p)...), m))
}
