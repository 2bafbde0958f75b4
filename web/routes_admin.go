package web

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
)

// adminRoutes is the routes table of the admins' user pages. To anyone but
// an admin they answer 404, as if they did not exist: the admin area is
// not advertised.
func (h *Handler) adminRoutes(r *Router) {
	admin := r.User.with(h.adminOnly)
	admin.GET("/admin/users", h.AdminUsers)
	admin.GET("/admin/users/:user", h.AdminUser)
	admin.POST("/admin/users/:user/disable", h.AdminUserDisable)
	admin.POST("/admin/users/:user/enable", h.AdminUserEnable)
	admin.POST("/admin/users/:user/role", h.AdminUserRole)
}

// adminOnly answers 404 to anyone but admins.
func (h *Handler) adminOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u := currentUser(c); u == nil || u.Role != auth.RoleAdmin {
			return fmt.Errorf("web: admin page: %w", apperr.ErrNotFound)
		}
		return next(c)
	}
}
