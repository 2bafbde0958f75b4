package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/lifecycle"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/webtest"
)

const lcPassword = "lifecycle password 1"

// lcWorld is two tenants with a Webim integration each behind one server
// whose webhooks store through a real engine (jobs only inserted), the
// owner of each logged in, and a plain member of A.
type lcWorld struct {
	pool           *pgxpool.Pool
	srv            string
	a, b           *testfactory.Tenant
	ownerA, ownerB *webtest.Client
	memberA        *webtest.Client
}

func newLCWorld(t *testing.T) *lcWorld {
	t.Helper()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	kr := testfactory.Keyring(t, webtest.Config(t, nil).SecretKey)
	w := &lcWorld{pool: pool}
	for _, x := range []struct {
		tn   **testfactory.Tenant
		name string
	}{{&w.a, "A"}, {&w.b, "B"}} {
		*x.tn = testfactory.NewTenant(ctx, t, pool, &testfactory.TenantOpts{
			Owner:       &testfactory.UserOpts{Email: testfactory.Ptr("owner-" + x.name + "@example.com"), Password: testfactory.Ptr(lcPassword)},
			ProjectName: testfactory.Ptr("Shop " + x.name), Keyring: kr,
		})
	}
	member := testfactory.User(ctx, t, pool, &testfactory.UserOpts{Email: testfactory.Ptr("member-a@example.com"), Password: testfactory.Ptr(lcPassword)})
	require.NoError(t, dbsqlc.New(pool).AddProjectMember(ctx, dbsqlc.AddProjectMemberParams{ProjectID: w.a.Project.ID, UserID: member.ID, Role: project.RoleMember}))
	ins, err := jobs.InsertOnly(bridge.NewEngine(bridge.Config{}).Workers())
	require.NoError(t, err)
	engine := bridge.NewEngine(bridge.Config{Pool: pool, Keyring: kr, Jobs: ins})
	srv := webtest.Server(t, pool, func(d *web.Deps) { d.Bridge = engine; d.Keyring = kr })
	w.srv = srv.URL
	login := func(email string) *webtest.Client {
		c := webtest.NewClient(t, srv)
		c.Login(email, lcPassword)
		return c
	}
	w.ownerA, w.ownerB, w.memberA = login("owner-a@example.com"), login("owner-b@example.com"), login("member-a@example.com")
	return w
}

func (w *lcWorld) hook(t *testing.T, tn *testfactory.Tenant, body string) int {
	t.Helper()
	status, _ := post(t, w.srv+"/webhooks/webim/"+tn.Integration().WebhookKey, body, nil)
	return status
}

func (w *lcWorld) visitorChat(t *testing.T, tn *testfactory.Tenant, chat int, visitor string) {
	t.Helper()
	require.Equal(t, http.StatusOK, w.hook(t, tn, fmt.Sprintf(
		`{"event":"new_chat","chat":{"id":%d},"visitor":{"id":%q,"fields":{"name":"N %s"}},"messages":[{"id":"m%d","kind":"visitor","text":"hello"}]}`,
		chat, visitor, visitor, chat)))
}

func (w *lcWorld) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, w.pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

func settingsOf(tn *testfactory.Tenant) string {
	return "/projects/" + itoa(tn.Project.ID) + "/settings"
}

// Owners see and change the retention in Settings; a bad value is refused
// beside the field with what was typed kept; members see no Data card and
// may not post; another tenant's project is 404.
func TestLifecycleRetentionForm(t *testing.T) {
	t.Parallel()
	w := newLCWorld(t)
	page := w.ownerA.Get(settingsOf(w.a))
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Equal(t, "30", page.Value("retention_days"))
	require.Contains(t, page.Text("#data"), "400 days")

	for _, bad := range []string{"0", "366", "abc", ""} {
		r := w.ownerA.Post(settingsOf(w.a)+"/retention", url.Values{"retention_days": {bad}})
		require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, bad)
		require.NotEmpty(t, r.FieldError("retention_days"), bad)
		require.Equal(t, bad, r.Value("retention_days"), "what was typed is kept")
	}
	r := w.ownerA.Post(settingsOf(w.a)+"/retention", url.Values{"retention_days": {"7"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	page = w.ownerA.Follow(r)
	require.Equal(t, "7", page.Value("retention_days"))
	require.Contains(t, page.Text(".audit"), "Chat retention changed")
	days, err := lifecycle.RetentionDays(context.Background(), w.pool, w.a.Project.ID)
	require.NoError(t, err)
	require.Equal(t, 7, days)

	require.Zero(t, w.memberA.Get(settingsOf(w.a)).Doc.Find("#data, #danger").Length(), "members do not see the cards")
	require.Equal(t, http.StatusForbidden, w.memberA.Post(settingsOf(w.a)+"/retention", url.Values{"retention_days": {"1"}}).StatusCode)
	require.Equal(t, http.StatusNotFound, w.ownerB.Post(settingsOf(w.a)+"/retention", url.Values{"retention_days": {"1"}}).StatusCode)
	days, err = lifecycle.RetentionDays(context.Background(), w.pool, w.a.Project.ID)
	require.NoError(t, err)
	require.Equal(t, 7, days, "refused requests changed nothing")
}

// The erasure form removes one visitor of this project and nothing else;
// an unknown id, or another project's chat, is refused beside the field;
// another tenant posting to this project gets 404; members get 403.
func TestLifecycleErasureForm(t *testing.T) {
	t.Parallel()
	w := newLCWorld(t)
	w.visitorChat(t, w.a, 1, "v1")
	w.visitorChat(t, w.a, 2, "v2")
	w.visitorChat(t, w.b, 1, "v1")
	erasures := "/projects/" + itoa(w.a.Project.ID) + "/erasures"
	bRows := w.count(t, `SELECT count(*) FROM bridge_events e JOIN chats c ON c.id = e.chat_id WHERE c.project_id = $1`, w.b.Project.ID)
	require.Positive(t, bRows)

	require.Equal(t, http.StatusNotFound, w.ownerB.Post(erasures, url.Values{"by": {"visitor"}, "value": {"v1"}}).StatusCode)
	require.Equal(t, http.StatusForbidden, w.memberA.Post(erasures, url.Values{"by": {"visitor"}, "value": {"v1"}}).StatusCode)
	r := w.ownerA.Post(erasures, url.Values{"by": {"visitor"}, "value": {"nobody"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Contains(t, r.FieldError("value"), "no chat with this ID")
	require.Equal(t, "nobody", r.Value("value"))
	var bChat int64
	require.NoError(t, w.pool.QueryRow(context.Background(), `SELECT id FROM chats WHERE project_id = $1`, w.b.Project.ID).Scan(&bChat))
	r = w.ownerA.Post(erasures, url.Values{"by": {"chat_ref"}, "value": {itoa(bChat)}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, "another project's chat is not found")
	require.Equal(t, 2, w.count(t, `SELECT count(*) FROM chats WHERE project_id = $1`, w.a.Project.ID), "nothing erased yet")

	r = w.ownerA.Post(erasures, url.Values{"by": {"visitor"}, "value": {"v1"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	page := w.ownerA.Follow(r)
	require.Contains(t, page.Text(".flash, [role=status]"), "erased")
	require.Contains(t, page.Text(".audit"), "Visitor's data erased")
	require.Zero(t, w.count(t, `SELECT count(*) FROM chats WHERE project_id = $1 AND visitor_id = 'v1'`, w.a.Project.ID))
	require.Equal(t, 1, w.count(t, `SELECT count(*) FROM chats WHERE project_id = $1 AND visitor_id = 'v2'`, w.a.Project.ID))
	require.Equal(t, bRows, w.count(t, `SELECT count(*) FROM bridge_events e JOIN chats c ON c.id = e.chat_id WHERE c.project_id = $1`, w.b.Project.ID))

	// By Webim chat id.
	require.Equal(t, http.StatusSeeOther, w.ownerA.Post(erasures, url.Values{"by": {"chat"}, "value": {"2"}}).StatusCode)
	require.Zero(t, w.count(t, `SELECT count(*) FROM chats WHERE project_id = $1`, w.a.Project.ID))
}

// A conversation view offers its owner "Erase this visitor's data": all of
// the visitor's chats when Webim named the visitor, this chat alone when
// it did not; it returns to the conversation list. Members see no form,
// and a "back" address outside the project is not followed.
func TestLifecycleErasureFromConversation(t *testing.T) {
	t.Parallel()
	w := newLCWorld(t)
	ctx := context.Background()
	w.visitorChat(t, w.a, 1, "v1")
	w.visitorChat(t, w.a, 2, "v1")
	w.visitorChat(t, w.a, 3, "v2")
	require.Equal(t, http.StatusOK, w.hook(t, w.a, `{"event":"new_chat","chat":{"id":4},"messages":[{"id":"m4","kind":"visitor","text":"no id"}]}`))
	chatOf := func(platformID string) int64 {
		var id int64
		require.NoError(t, w.pool.QueryRow(ctx, `SELECT id FROM chats WHERE project_id = $1 AND platform_chat_id = $2`, w.a.Project.ID, platformID).Scan(&id))
		return id
	}
	base := settingsOf(w.a) + "/integrations/" + itoa(w.a.Integration().ID) + "/activity"
	chatPage := func(platformID string) string { return base + "/chats/" + itoa(chatOf(platformID)) }

	m := w.memberA.Get(chatPage("1"))
	require.Equal(t, http.StatusOK, m.StatusCode)
	require.Zero(t, m.Doc.Find("#erase").Length(), "members may not erase")

	page := w.ownerA.Get(chatPage("1"))
	require.Equal(t, http.StatusOK, page.StatusCode)
	form := page.Doc.Find("#erase form")
	require.Equal(t, 1, form.Length())
	require.Contains(t, page.Text("#erase"), "every chat of this visitor")
	field := func(name string) string { return form.Find(`input[name="`+name+`"]`).AttrOr("value", "") }
	require.Equal(t, "visitor", field("by"))
	require.Equal(t, "v1", field("value"))
	require.Equal(t, base, field("back"))
	r := w.ownerA.Post(form.AttrOr("action", ""), url.Values{"by": {field("by")}, "value": {field("value")}, "back": {field("back")}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, base, r.Location())
	list := w.ownerA.Follow(r)
	require.Contains(t, list.Text(".flash, [role=status]"), "erased")
	require.Zero(t, w.count(t, `SELECT count(*) FROM chats WHERE project_id = $1 AND visitor_id = 'v1'`, w.a.Project.ID), "both of v1's chats")
	require.Equal(t, 2, w.count(t, `SELECT count(*) FROM chats WHERE project_id = $1`, w.a.Project.ID))

	// No visitor id: this chat only, by botbridge's chat id.
	page = w.ownerA.Get(chatPage("4"))
	form = page.Doc.Find("#erase form")
	require.Equal(t, "chat_ref", field("by"))
	require.Equal(t, itoa(chatOf("4")), field("value"))
	require.Contains(t, page.Text("#erase"), "did not send this visitor's ID")
	r = w.ownerA.Post(form.AttrOr("action", ""), url.Values{"by": {field("by")}, "value": {field("value")}, "back": {field("back")}})
	require.Equal(t, base, r.Location())
	require.Equal(t, 1, w.count(t, `SELECT count(*) FROM chats WHERE project_id = $1`, w.a.Project.ID), "v2's chat is kept")

	// A back address outside the project's own pages is not followed.
	for i, bad := range []string{"https://evil.example/", "//evil.example/x", settingsOf(w.b), base + "/../../../../x", base + "?x=1", `/projects/` + itoa(w.a.Project.ID) + `/\\evil.example`} {
		chat := strconv.Itoa(10 + i)
		require.Equal(t, http.StatusOK, w.hook(t, w.a, `{"event":"new_chat","chat":{"id":`+chat+`},"messages":[{"id":"m`+chat+`","kind":"visitor","text":"x"}]}`))
		r = w.ownerA.Post(form.AttrOr("action", ""), url.Values{"by": {"chat_ref"}, "value": {itoa(chatOf(chat))}, "back": {bad}})
		require.Equal(t, http.StatusSeeOther, r.StatusCode, bad)
		require.Equal(t, settingsOf(w.a)+"#audit-title", r.Location(), bad)
	}
}

// Deleting a project: a wrong name is refused (nothing changes); the
// right one answers its webhooks 404 at once, makes every page of it 404
// to its members, and after the purge no row of it is left, while the
// other project works and keeps its data.
func TestLifecycleProjectDelete(t *testing.T) {
	t.Parallel()
	w := newLCWorld(t)
	ctx := context.Background()
	w.visitorChat(t, w.a, 1, "v1")
	w.visitorChat(t, w.b, 1, "v1")
	del := "/projects/" + itoa(w.a.Project.ID) + "/delete"
	bEvents := w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1`, w.b.Integration().ID)

	require.Equal(t, http.StatusNotFound, w.ownerB.Post(del, url.Values{"confirm_name": {"Shop A"}}).StatusCode)
	require.Equal(t, http.StatusForbidden, w.memberA.Post(del, url.Values{"confirm_name": {"Shop A"}}).StatusCode)
	r := w.ownerA.Post(del, url.Values{"confirm_name": {"Shop"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Contains(t, r.FieldError("confirm_name"), "does not match")
	require.Equal(t, "Shop", r.Value("confirm_name"))
	require.Equal(t, http.StatusOK, w.hook(t, w.a, `{"event":"new_message","chat_id":1,"message":{"id":"x","kind":"visitor","text":"still"}}`))

	r = w.ownerA.Post(del, url.Values{"confirm_name": {"Shop A"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, "/projects", r.Location())
	require.Equal(t, http.StatusNotFound, w.hook(t, w.a, `{"event":"new_message","chat_id":1,"message":{"id":"y","kind":"visitor","text":"late"}}`))
	for _, c := range []*webtest.Client{w.ownerA, w.memberA} {
		for _, path := range []string{"/projects/" + itoa(w.a.Project.ID), settingsOf(w.a),
			settingsOf(w.a) + "/integrations/" + itoa(w.a.Integration().ID) + "/activity"} {
			require.Equal(t, http.StatusNotFound, c.Get(path).StatusCode, path)
		}
		require.NotContains(t, c.Get("/projects").Text("main"), "Shop A")
	}

	done, _, err := lifecycle.Purge(ctx, w.pool, w.a.Project.ID, time.Minute)
	require.NoError(t, err)
	require.True(t, done)
	for _, q := range []string{`SELECT count(*) FROM projects WHERE id = $1`, `SELECT count(*) FROM chats WHERE project_id = $1`,
		`SELECT count(*) FROM integrations WHERE project_id = $1`, `SELECT count(*) FROM integration_audit WHERE project_id = $1`} {
		require.Zero(t, w.count(t, q, w.a.Project.ID), q)
	}
	require.Zero(t, w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1`, w.a.Integration().ID))

	require.Equal(t, bEvents, w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1`, w.b.Integration().ID))
	require.Equal(t, http.StatusOK, w.hook(t, w.b, `{"event":"new_message","chat_id":1,"message":{"id":"z","kind":"visitor","text":"fine"}}`))
	require.Equal(t, http.StatusOK, w.ownerB.Get(settingsOf(w.b)).StatusCode)
}
