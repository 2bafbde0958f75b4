package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/view"
)

// adminPageSize is how many accounts one page of the list shows.
const adminPageSize = 50

// AdminUsers lists accounts, searchable by e-mail, with role, verification,
// last log-in and how many projects each is in.
func (h *Handler) AdminUsers(c echo.Context) error {
	l := langOf(c)
	search := c.QueryParam("q")
	if utf8.RuneCountInString(search) > 254 {
		return fmt.Errorf("web: user search too long: %w", apperr.ErrInvalid)
	}
	page := 1
	if s := c.QueryParam("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100000 {
			return fmt.Errorf("web: user list page %q: %w", s, apperr.ErrInvalid)
		}
		page = n
	}
	rows, total, err := auth.ListAccounts(c.Request().Context(), h.DB, search, adminPageSize, (page-1)*adminPageSize)
	if err != nil {
		return err
	}
	m := view.AdminUsersPage{Search: search, Total: total}
	for _, r := range rows {
		m.Rows = append(m.Rows, view.AdminUserRow{ID: r.ID, Email: r.Email, RoleLabel: label(l, roleKeys, r.Role, string(r.Role)), Verified: r.Verified,
			Disabled: r.Disabled, LastLogin: r.LastLoginAt, Projects: r.Projects})
	}
	link := func(p int) string {
		q := url.Values{}
		if search != "" {
			q.Set("q", search)
		}
		if p > 1 {
			q.Set("page", strconv.Itoa(p))
		}
		if len(q) == 0 {
			return "/admin/users"
		}
		return "/admin/users?" + q.Encode()
	}
	if page > 1 {
		m.PrevURL = link(page - 1)
	}
	if page*adminPageSize < total {
		m.NextURL = link(page + 1)
	}
	return render(c, http.StatusOK, view.AdminUsers(h.page(c, l.T("admin.users.title")), m))
}
