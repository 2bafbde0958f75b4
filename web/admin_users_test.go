package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web/webtest"
)

type adminEnv struct {
	ctx                    context.Context
	admin, mod, owner, tgt auth.User
	adminC, modC, ownerC   *webtest.Client
	tgtC                   *webtest.Client
	srv                    func() *webtest.Client
}

func newAdminEnv(t *testing.T) *adminEnv {
	t.Helper()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	mk := func(email string, role auth.Role) auth.User {
		return testfactory.User(ctx, t, tx, &testfactory.UserOpts{Email: testfactory.Ptr(email), Role: &role})
	}
	e := &adminEnv{ctx: ctx}
	e.admin = mk("boss-"+t.Name()+"@example.com", auth.RoleAdmin)
	e.mod = mk("mod-"+t.Name()+"@example.com", auth.RoleModerator)
	e.owner = mk("owner-"+t.Name()+"@example.com", auth.RoleOwner)
	e.tgt = mk("target-"+t.Name()+"@example.com", auth.RoleOwner)
	testfactory.Project(ctx, t, tx, &testfactory.ProjectOpts{Name: testfactory.Ptr("Target's shop"), OwnerID: &e.tgt.ID})
	srv := webtest.Server(t, tx)
	e.srv = func() *webtest.Client { return webtest.NewClient(t, srv) }
	login := func(u auth.User) *webtest.Client {
		c := e.srv()
		c.Login(u.Email, testfactory.Password)
		return c
	}
	e.adminC, e.modC, e.ownerC, e.tgtC = login(e.admin), login(e.mod), login(e.owner), login(e.tgt)
	return e
}

func userURL(u auth.User) string { return "/admin/users/" + strconv.FormatInt(u.ID, 10) }

// Non-admins do not see the admin pages at all (404), and their POSTs
// change nothing; the top bar links Users for admins only.
func TestAdminUsersHiddenFromOthers(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	for name, c := range map[string]*webtest.Client{"moderator": e.modC, "owner": e.ownerC} {
		require.Equal(t, http.StatusNotFound, c.Get("/admin/users").StatusCode, name)
		require.Equal(t, http.StatusNotFound, c.Get(userURL(e.tgt)).StatusCode, name)
		require.Equal(t, http.StatusNotFound, c.Post(userURL(e.tgt)+"/disable", nil).StatusCode, name)
		require.Equal(t, http.StatusNotFound, c.Post(userURL(e.owner)+"/role", url.Values{"role": {"admin"}}).StatusCode, name)
		require.Zero(t, c.Get("/projects").Doc.Find(`.topnav a[href="/admin/users"]`).Length(), name)
	}
	require.Equal(t, http.StatusOK, e.tgtC.Get("/projects").StatusCode, "the target was not disabled")
	require.Equal(t, http.StatusForbidden, e.ownerC.Get("/moderation").StatusCode, "the owner was not made admin")
	anon := e.srv()
	require.Equal(t, http.StatusSeeOther, anon.Get("/admin/users").StatusCode, "anonymous: to the log-in page")

	r := e.adminC.Get("/projects")
	require.Equal(t, "Users", r.Text(`.topnav a[href="/admin/users"]`))
}

func TestAdminUsersListAndDetail(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	r := e.adminC.Get("/admin/users")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "Users", r.Text("h1"))
	var tgtRow string
	r.Doc.Find("tbody tr").Each(func(_ int, s *goquery.Selection) {
		if s.Find("td a").Text() == e.tgt.Email {
			tgtRow = s.Text()
		}
	})
	require.Contains(t, tgtRow, "Project owner")
	require.Contains(t, tgtRow, "Active")
	require.Contains(t, tgtRow, "Confirmed")
	require.NotContains(t, tgtRow, "never", "logged in, so a last log-in")
	require.Contains(t, tgtRow, "just now")

	r = e.adminC.Get("/admin/users?q=" + url.QueryEscape("TARGET-"))
	require.Equal(t, 1, r.Doc.Find("tbody tr").Length())
	require.Equal(t, e.tgt.Email, r.Text("tbody td a"))
	require.Equal(t, "1 account", r.Text("main > p.muted"))
	r = e.adminC.Get("/admin/users?q=nobody-at-all")
	require.Contains(t, r.Text(".empty"), "No accounts match")
	require.Equal(t, http.StatusBadRequest, e.adminC.Get("/admin/users?page=-1").StatusCode)

	r = e.adminC.Get(userURL(e.tgt))
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, e.tgt.Email, r.Text("h1"))
	require.Contains(t, r.Text("#projects-title + ul"), "Target's shop")
	require.Contains(t, r.Text("#projects-title + ul"), "owner")
	require.Equal(t, http.StatusNotFound, e.adminC.Get("/admin/users/99999999").StatusCode)
	require.Equal(t, http.StatusNotFound, e.adminC.Get("/admin/users/abc").StatusCode)
}

// Disabling ends the account's sessions at once and keeps it out; enabling
// lets it back in; both are in the audit.
func TestAdminDisableEnable(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	r := e.adminC.Post(userURL(e.tgt)+"/disable", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = e.adminC.Follow(r)
	require.Equal(t, "Account disabled; its sessions have ended.", r.Text(".flash"))
	require.Contains(t, r.Text(".history"), "Disabled")
	require.Contains(t, r.Text(".history"), e.admin.Email)
	require.Equal(t, http.StatusSeeOther, e.tgtC.Get("/projects").StatusCode, "logged out at once")
	c := e.srv()
	lr := c.Post("/login", url.Values{"email": {e.tgt.Email}, "password": {testfactory.Password}})
	require.Equal(t, http.StatusUnauthorized, lr.StatusCode)

	r = e.adminC.Post(userURL(e.tgt)+"/enable", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, "Account enabled.", e.adminC.Follow(r).Text(".flash"))
	e.srv().Login(e.tgt.Email, testfactory.Password)
}

// Roles go up and back; an admin cannot change their own account; a role
// the form cannot send is refused without a change.
func TestAdminRoles(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	r := e.adminC.Post(userURL(e.owner)+"/role", url.Values{"role": {"moderator"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, "Role changed.", e.adminC.Follow(r).Text(".flash"))
	require.Equal(t, http.StatusOK, e.ownerC.Get("/moderation").StatusCode, "now a moderator")
	r = e.adminC.Post(userURL(e.owner)+"/role", url.Values{"role": {"owner"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, http.StatusForbidden, e.ownerC.Get("/moderation").StatusCode, "and back")
	r = e.adminC.Get(userURL(e.owner))
	require.Contains(t, r.Text(".history"), "owner → moderator")
	require.Contains(t, r.Text(".history"), "moderator → owner")

	for _, bad := range []string{"superuser", "Admin", ""} {
		require.Equal(t, http.StatusBadRequest, e.adminC.Post(userURL(e.owner)+"/role", url.Values{"role": {bad}}).StatusCode, bad)
	}
	require.Equal(t, http.StatusForbidden, e.ownerC.Get("/moderation").StatusCode, "tampered roles changed nothing")

	// Never themselves.
	r = e.adminC.Post(userURL(e.admin)+"/role", url.Values{"role": {"owner"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = e.adminC.Follow(r)
	require.Equal(t, "You cannot change your own account here. Ask another admin.", r.Text(".flash"))
	require.Zero(t, r.Doc.Find(`form[action$="/disable"]`).Length(), "no actions on one's own account")
	r = e.adminC.Post(userURL(e.admin)+"/disable", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, http.StatusOK, e.adminC.Get("/admin/users").StatusCode, "still an admin, still logged in")
	require.Equal(t, http.StatusNotFound, e.adminC.Post("/admin/users/99999999/role", url.Values{"role": {"admin"}}).StatusCode)
}
