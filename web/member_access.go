package web

import (
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/project"
)

// ctxProject caches the project a route's permission check loaded, so the
// handler's CurrentProject does not read it again.
const ctxProject = "bb.project"

// Project is the area of routes under /projects/:project that perform a:
// the visitor must be logged in and a member of the project (anyone else
// gets 404, as for a missing project), and the member's role must allow a
// (project.Can; a plain member gets 403 saying it is for owners). Every
// project route is registered through here, naming its action, so the
// routes tables read as the permission map of the web.
func (r *Router) Project(a project.Action) *ProjectArea {
	return &ProjectArea{area: r.User.with(r.H.requireAction(a)), action: a}
}

// ProjectArea registers project routes of one action. Each route is named
// "project:<action>" (echo.Route.Name), so a test can check that no route
// under /projects/:project skips the permission check.
type ProjectArea struct {
	area   *Area
	action project.Action
}

// RoutePrefix names the routes ProjectArea registers.
const RoutePrefix = "project:"

// GET registers a GET route.
func (p *ProjectArea) GET(path string, h echo.HandlerFunc) {
	p.area.e.GET(path, h, p.area.mws...).Name = RoutePrefix + string(p.action)
}

// POST registers a POST route.
func (p *ProjectArea) POST(path string, h echo.HandlerFunc) {
	p.area.e.POST(path, h, p.area.mws...).Name = RoutePrefix + string(p.action)
}

func (h *Handler) requireAction(a project.Action) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, err := h.CurrentProject(c)
			if err != nil {
				return err
			}
			if err := project.Authorize(p, a); err != nil {
				return err
			}
			c.Set(ctxProject, p)
			return next(c)
		}
	}
}

// can reports whether the current project's member may perform a, for
// views that show or hide what the role allows.
func can(p project.Project, a project.Action) bool { return project.Can(p.MemberRole, a) }
