package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web/webtest"
)

// chatEventsPost calls a chat events URL as Webim would: the credentials
// written into the URL become Basic auth (Go's client does that too).
func chatEventsPost(t *testing.T, srvURL, shown, body string) int {
	t.Helper()
	u, err := url.Parse(shown)
	require.NoError(t, err)
	s, err := url.Parse(srvURL)
	require.NoError(t, err)
	u.Scheme, u.Host = s.Scheme, s.Host // the page names BASE_URL; the test server listens elsewhere
	status, _ := post(t, u.String(), body, nil)
	return status
}

func (h *hookEnv) page() string {
	return fmt.Sprintf("/projects/%d/settings/integrations/%d", h.projectID, h.integID)
}

func (h *hookEnv) owner(t *testing.T) *webtest.Client {
	c := webtest.NewClient(t, h.srv)
	c.Login("hook-owner@example.com", "owner password")
	return c
}

// The chat events credentials: only an owner creates them, with CSRF; the
// URL with them written in is shown to its maker (page views do not use
// the display up, another browser never sees it) until they confirm they
// copied it, then only the user name and a masked password; rotating
// makes the old URL answer 401 and the new one 200.
func TestChatEventsCredentials(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	ctx := context.Background()
	page := h.page()
	owner := h.owner(t)

	r := owner.Get(page)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, 1, r.Doc.Find("#chat-events-none").Length())
	require.Equal(t, "Create credentials", r.Text("#chat-events-rotate"))
	require.Contains(t, r.Text("#chat-events"), "chat_started, chat_assigned and chat_closed")
	require.Contains(t, r.Text("#chat-events"), "https://user:password@host/")

	// Without the CSRF token nothing happens.
	r = owner.PostRaw(page+"/chat-events/rotate", url.Values{})
	require.Equal(t, http.StatusForbidden, r.StatusCode)
	in, err := integration.Get(ctx, h.pool, h.projectID, h.integID)
	require.NoError(t, err)
	require.Empty(t, in.ChatEventsUser)

	r = owner.Post(page+"/chat-events/rotate", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, page+"#chat-events", r.Location())
	r = owner.Get(page)
	require.Contains(t, r.Text(".flash"), "Copy the chat events URL now")
	first, _ := r.Doc.Find("#chat-events-url").Attr("value")
	u, err := url.Parse(first)
	require.NoError(t, err)
	pass, ok := u.User.Password()
	require.True(t, ok, first)
	user := u.User.Username()
	in, err = integration.Get(ctx, h.pool, h.projectID, h.integID)
	require.NoError(t, err)
	require.Equal(t, in.ChatEventsUser, user)
	require.True(t, strings.HasPrefix(first, "http://"+user+":"+pass+"@bridge.test/webhooks/webim/"), first)
	require.True(t, strings.HasSuffix(first, integration.ChatEventsPath), first)
	require.Equal(t, "Rotate credentials", r.Text("#chat-events-rotate"))

	// A page view does not use the display up; another browser of the
	// same account never sees it.
	r = owner.Get(page)
	again, _ := r.Doc.Find("#chat-events-url").Attr("value")
	require.Equal(t, first, again)
	r = h.owner(t).Get(page)
	require.Zero(t, r.Doc.Find("#chat-events-url").Length())
	require.Equal(t, user, r.Text("#chat-events-user"))
	require.NotContains(t, r.Body, pass)

	// Webim calls the URL with the credentials in it.
	require.Equal(t, http.StatusOK, chatEventsPost(t, h.srv.URL, first, `{"event":"chat_started","chat_id":7}`))
	noCreds := *u
	noCreds.User = nil
	require.Equal(t, http.StatusUnauthorized, chatEventsPost(t, h.srv.URL, noCreds.String(), `{"event":"chat_started","chat_id":7}`))
	wrong := *u
	wrong.User = url.UserPassword(user, pass+"x")
	require.Equal(t, http.StatusUnauthorized, chatEventsPost(t, h.srv.URL, wrong.String(), `{"event":"chat_started","chat_id":7}`))

	// Copied: from now on the user name and a masked password only.
	r = owner.PostRaw(page+"/chat-events/hide", url.Values{})
	require.Equal(t, http.StatusForbidden, r.StatusCode, "hide needs CSRF too")
	r = owner.Post(page+"/chat-events/hide", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = owner.Get(page)
	require.Zero(t, r.Doc.Find("#chat-events-url").Length())
	require.Equal(t, user, r.Text("#chat-events-user"))
	require.Contains(t, r.Text("#chat-events-password"), "••••••••")
	require.Equal(t, noCreds.String(), r.Text("#chat-events-address"))
	require.NotContains(t, r.Body, pass)
	// The Webim side block saw the chat event.
	require.NotContains(t, r.Text("#seen-chat-events-chat_started + dd"), "never")
	require.Equal(t, "never", r.Text("#seen-chat-events-chat_closed + dd"))

	// Rotating from another browser: the old URL stops working at once,
	// the new one works, and the first browser's display (were it still
	// open) shows nothing stale.
	third := h.owner(t)
	r = third.Post(page+"/chat-events/rotate", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = third.Get(page)
	second, _ := r.Doc.Find("#chat-events-url").Attr("value")
	require.NotEmpty(t, second)
	require.NotEqual(t, first, second)
	require.Equal(t, http.StatusUnauthorized, chatEventsPost(t, h.srv.URL, first, `{"event":"chat_closed","chat_id":7}`))
	require.Equal(t, http.StatusOK, chatEventsPost(t, h.srv.URL, second, `{"event":"chat_closed","chat_id":7}`))

	stale := h.owner(t)
	require.Equal(t, http.StatusSeeOther, stale.Post(page+"/chat-events/rotate", nil).StatusCode)
	staleURL, _ := stale.Get(page).Doc.Find("#chat-events-url").Attr("value")
	require.NotEmpty(t, staleURL)
	require.Equal(t, http.StatusSeeOther, third.Post(page+"/chat-events/rotate", nil).StatusCode)
	r = stale.Get(page)
	require.Zero(t, r.Doc.Find("#chat-events-url").Length(), "credentials rotated since: nothing to show")

	// Every rotation is in the audit log, worded.
	var n int
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT count(*) FROM integration_audit WHERE integration_id = $1 AND action = 'chat_events_rotated'`, h.integID).Scan(&n))
	require.Equal(t, 4, n)
	require.Contains(t, r.Text("table.audit"), "Chat events credentials created")

	// Russian.
	r = withLang(h.owner(t), "ru").Get(page)
	require.Equal(t, "Заменить учётные данные", r.Text("#chat-events-rotate"))
	require.Contains(t, r.Text("#chat-events"), "«Общие настройки» → «Интеграция» → «Обработчики событий чата»")
	require.Contains(t, r.Text("table.audit"), "Созданы учётные данные для событий чата")
}

// A plain member sees the chat events section and the link-button mode
// but can change neither; another tenant reaches nothing.
func TestChatEventsAndLinkButtonsOwnersOnly(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	ctx := context.Background()
	page := h.page()

	mu, err := auth.CreateUser(ctx, h.pool, "member@example.com", "member password", auth.RoleOwner)
	require.NoError(t, err)
	require.NoError(t, dbsqlc.New(h.pool).AddProjectMember(ctx, dbsqlc.AddProjectMemberParams{ProjectID: h.projectID, UserID: mu.ID, Role: "member"}))
	member := webtest.NewClient(t, h.srv)
	member.Login("member@example.com", "member password")

	other, err := auth.CreateUser(ctx, h.pool, "other@example.com", "other password", auth.RoleOwner)
	require.NoError(t, err)
	otherProject := testfactory.Project(ctx, t, h.pool, &testfactory.ProjectOpts{Name: testfactory.Ptr("Other shop"), OwnerID: &other.ID})
	otherC := webtest.NewClient(t, h.srv)
	otherC.Login("other@example.com", "other password")

	r := member.Get(page)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, 1, r.Doc.Find("#chat-events").Length())
	require.Zero(t, r.Doc.Find("#chat-events-rotate").Length())
	require.Contains(t, r.Text("#chat-events"), "Only the project's owners")
	require.Zero(t, r.Doc.Find(`#link-buttons form`).Length())
	require.Contains(t, r.Text("#link-buttons-state"), "Off")

	posts := map[string]url.Values{
		page + "/chat-events/rotate": nil,
		page + "/chat-events/hide":   nil,
		page + "/link-buttons":       {"link_buttons": {"yes"}},
	}
	for path, form := range posts {
		// A member knows the project: the refusal says it is for owners.
		require.Equal(t, http.StatusForbidden, member.Post(path, cloneForm(form)).StatusCode, "member POST %s", path)
		require.Equal(t, http.StatusNotFound, otherC.Post(path, cloneForm(form)).StatusCode, "other tenant POST %s", path)
		// This integration's id under the other tenant's own project.
		mine := strings.Replace(path, fmt.Sprintf("/projects/%d/", h.projectID), fmt.Sprintf("/projects/%d/", otherProject.ID), 1)
		require.Equal(t, http.StatusNotFound, otherC.Post(mine, cloneForm(form)).StatusCode, "other tenant POST %s", mine)
	}
	require.Equal(t, http.StatusNotFound, otherC.Get(page).StatusCode)
	in, err := integration.Get(ctx, h.pool, h.projectID, h.integID)
	require.NoError(t, err)
	require.Empty(t, in.ChatEventsUser)
	require.False(t, in.LinkButtons)
	var n int
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT count(*) FROM integration_audit WHERE integration_id = $1 AND action IN ('chat_events_rotated', 'link_buttons_changed')`, h.integID).Scan(&n))
	require.Zero(t, n)
}

// The experimental link-button switch: off by default, a CSRF-protected
// POST turns it on and off, each change audited once.
func TestLinkButtonsSwitch(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t, true)
	page := w.add(stForm(stToken, "salutebot.webim.ru", "department", "sales", ""))
	id := w.integrationID(page)

	r := w.owner.Get(page)
	box := r.Doc.Find("#f-link_buttons")
	require.Equal(t, 1, box.Length())
	_, checked := box.Attr("checked")
	require.False(t, checked, "off by default")
	require.Contains(t, r.Text("#link-buttons"), "Send link buttons as Webim buttons (experimental)")
	require.Contains(t, r.Text("#link-buttons"), "unconfirmed")

	r = w.owner.PostRaw(page+"/link-buttons", url.Values{"link_buttons": {"yes"}})
	require.Equal(t, http.StatusForbidden, r.StatusCode)
	require.False(t, w.row(id).LinkButtons)

	audits := func() int {
		var n int
		require.NoError(t, w.tx.QueryRow(w.ctx, `SELECT count(*) FROM integration_audit WHERE integration_id = $1 AND action = 'link_buttons_changed'`, id).Scan(&n))
		return n
	}
	r = w.owner.Post(page+"/link-buttons", url.Values{"link_buttons": {"yes"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, page+"#link-buttons", r.Location())
	require.True(t, w.row(id).LinkButtons)
	require.Equal(t, 1, audits())
	r = w.owner.Get(page)
	_, checked = r.Doc.Find("#f-link_buttons").Attr("checked")
	require.True(t, checked)
	require.Contains(t, r.Text("table.audit"), "Link button mode changed")
	require.Contains(t, r.Text("table.audit"), "Webim buttons (experimental)")

	// The same value again changes nothing and records nothing.
	require.Equal(t, http.StatusSeeOther, w.owner.Post(page+"/link-buttons", url.Values{"link_buttons": {"yes"}}).StatusCode)
	require.Equal(t, 1, audits())

	// An unticked box sends nothing: off.
	require.Equal(t, http.StatusSeeOther, w.owner.Post(page+"/link-buttons", url.Values{}).StatusCode)
	require.False(t, w.row(id).LinkButtons)
	require.Equal(t, 2, audits())

	require.Equal(t, http.StatusBadRequest, w.owner.Post(page+"/link-buttons", url.Values{"link_buttons": {"maybe"}}).StatusCode)
	require.False(t, w.row(id).LinkButtons)

	r = withLang(w.owner, "ru").Get(page)
	require.Contains(t, r.Text("#link-buttons"), "Отправлять кнопки-ссылки как кнопки Webim (экспериментально)")
	require.Contains(t, r.Text("#link-buttons"), "не подтверждено")
	require.Contains(t, r.Text("table.audit"), "Изменён режим кнопок-ссылок")
}
