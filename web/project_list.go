package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web/view"
)

// ProjectPlatforms lets a later area (granted platforms) decorate the
// project list without the core knowing about it; nil shows none.
type ProjectPlatforms func(c echo.Context, projectIDs []int64) (map[int64][]string, error)

// ProjectList shows "My projects".
func (h *Handler) ProjectList(c echo.Context) error {
	l := langOf(c)
	u := currentUser(c)
	ps, err := project.ListForUser(c.Request().Context(), h.DB, u.ID)
	if err != nil {
		return err
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	var platforms map[int64][]string
	if h.Platforms != nil {
		if platforms, err = h.Platforms(c, ids); err != nil {
			return err
		}
	}
	health, err := integration.ProjectHealth(c.Request().Context(), h.DB, u.ID, ids)
	if err != nil {
		return err
	}
	rows := make([]view.ProjectRow, len(ps))
	for i, p := range ps {
		rows[i] = view.ProjectRow{ID: p.ID, Name: p.Name, Role: p.MemberRole, CreatedAt: p.CreatedAt, Platforms: platforms[p.ID]}
		if hl, ok := health[p.ID]; ok {
			rows[i].Health, rows[i].HealthLabel = hl, projectHealthLabel(l, hl)
		}
	}
	return render(c, http.StatusOK, view.ProjectList(h.page(c, l.T("project.list.title")), rows))
}
