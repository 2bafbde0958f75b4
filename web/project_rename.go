package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/team"
	"github.com/botbridge/botbridge/web/view"
)

func (h *Handler) renderRename(c echo.Context, p project.Project, status int, value string, errs apperr.Validation) error {
	l := langOf(c)
	f := view.RenameForm{Header: settingsHeader(p), Action: settingsURL(p) + "/name", CancelURL: settingsURL(p)}
	f.Name = field(l, "name", "project.name.label", value, errs)
	f.Name.Required, f.Name.MaxLength, f.Name.Autocomplete = true, project.MaxNameLen, "off"
	title := l.T("team.rename.title")
	return render(c, status, view.Rename(h.page(c, title, settingsCrumbs(l, p, view.Crumb{Label: title})...), f))
}

// ProjectRenameForm is the rename page in Settings (owners only).
func (h *Handler) ProjectRenameForm(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	return h.renderRename(c, p, http.StatusOK, p.Name, nil)
}

// ProjectRename renames the project under the rules of a new project's
// name; a bad name comes back beside the field with what was typed.
func (h *Handler) ProjectRename(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	typed := c.FormValue("name")
	if _, err := team.Rename(c.Request().Context(), h.DB, p.ID, currentUser(c).ID, typed); err != nil {
		if errs := apperr.Fields(err); errs != nil {
			return h.renderRename(c, p, http.StatusUnprocessableEntity, typed, errs)
		}
		return err
	}
	h.setFlash(c, "team.flash.renamed")
	return c.Redirect(http.StatusSeeOther, settingsURL(p))
}
