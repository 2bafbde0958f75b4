package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// ModerationProject is the read-only moderator view of a project: its name,
// its members' e-mail addresses and its requests with their history. It
// never reads the project's settings, integrations or secrets.
func (h *Handler) ModerationProject(c echo.Context) error {
	l := langOf(c)
	ctx := c.Request().Context()
	id, err := paramID(c, "project")
	if err != nil {
		return err
	}
	q := dbsqlc.New(h.DB)
	name, err := q.GetProjectName(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("moderation: project %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return err
	}
	members, err := q.ListProjectMembersForModeration(ctx, id)
	if err != nil {
		return err
	}
	reqs, err := request.ListForProject(ctx, h.DB, id)
	if err != nil {
		return err
	}
	hist, err := request.HistoryForProject(ctx, h.DB, id)
	if err != nil {
		return err
	}
	m := view.ModerationProjectPage{Name: name}
	for _, mb := range members {
		m.Members = append(m.Members, view.ProjectMemberRow{Email: mb.Email, Role: l.Enum(i18n.ProjectRole, mb.Role)})
	}
	for _, r := range reqs {
		m.Requests = append(m.Requests, view.ModerationProjectRequest{
			URL: moderationURL(r.ID), Title: l.T("request.heading", view.Itoa(r.ID), r.PlatformName),
			Status: string(r.Status), StatusLabel: statusLabel(l, r.Status), CreatedAt: r.CreatedAt,
			History: historyItems(l, hist[r.ID], false),
		})
	}
	title := l.T("moderation.project.title", name)
	return render(c, http.StatusOK, view.ModerationProject(h.page(c, title, moderationCrumbs(l, title)...), m))
}
