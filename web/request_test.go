package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/webtest"
)

var rqSeq atomic.Int64

// rqEmail is unique across parallel tests (their rolled-back transactions
// would otherwise wait on each other's unique e-mail).
func rqEmail(t testing.TB, who string) string {
	name := strings.ToLower(strings.NewReplacer("/", "-", "_", "-", " ", "-").Replace(t.Name()))
	return fmt.Sprintf("%s-%s-%d@example.com", who, name, rqSeq.Add(1))
}

const rqPassword = "a long password 1"

// rqEnv is two tenants, a moderator and an admin, each with a browser.
type rqEnv struct {
	t                      *testing.T
	ctx                    context.Context
	tx                     pgx.Tx
	srv                    *httptest.Server
	owner, other, mod, adm auth.User
	proj, otherProj        project.Project
	ownerC, otherC         *webtest.Client
	modC, admC, anonC      *webtest.Client
	n                      request.Notifier
}

func newRqEnv(t *testing.T) *rqEnv {
	t.Helper()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	e := &rqEnv{t: t, ctx: ctx, tx: tx}
	mk := func(who string, role auth.Role) auth.User {
		return testfactory.User(ctx, t, tx, &testfactory.UserOpts{Email: testfactory.Ptr(rqEmail(t, who)), Password: testfactory.Ptr(rqPassword), Role: &role})
	}
	e.owner, e.other, e.mod, e.adm = mk("owner", auth.RoleOwner), mk("other", auth.RoleOwner), mk("mod", auth.RoleModerator), mk("admin", auth.RoleAdmin)
	e.proj = testfactory.Project(ctx, t, tx, &testfactory.ProjectOpts{Name: testfactory.Ptr("Acme Shop"), OwnerID: &e.owner.ID})
	e.otherProj = testfactory.Project(ctx, t, tx, &testfactory.ProjectOpts{Name: testfactory.Ptr("Other Corp"), OwnerID: &e.other.ID})
	e.srv = webtest.Server(t, tx)
	e.n = request.Notifier{Jobs: webtest.Jobs(t), BaseURL: "http://bridge.test", T: i18n.Text, DefaultLang: "en"}
	login := func(u auth.User) *webtest.Client {
		c := webtest.NewClient(t, e.srv)
		c.Login(u.Email, rqPassword)
		return c
	}
	e.ownerC, e.otherC, e.modC, e.admC = login(e.owner), login(e.other), login(e.mod), login(e.adm)
	e.anonC = webtest.NewClient(t, e.srv)
	return e
}

func rqInput() request.Input {
	return request.Input{Platform: "webim", ContactEmail: "support@acme.example", Organisation: "Acme Ltd",
		Description: "Answers questions about orders and hands over to a person.", WebimDomain: "acme.webim.ru", AccessRequested: true}
}

func (e *rqEnv) submit() request.Request {
	e.t.Helper()
	r, err := request.Submit(e.ctx, e.tx, e.n, e.owner.ID, e.proj.ID, rqInput())
	require.NoError(e.t, err)
	return r
}

func (e *rqEnv) get(id int64) request.Request {
	e.t.Helper()
	r, err := request.Get(e.ctx, e.tx, request.AsModerator(), id)
	require.NoError(e.t, err)
	return r
}

func (e *rqEnv) projURL() string { return "/projects/" + itoa(e.proj.ID) }

type rqMail struct{ To, Subject, Body string }

func (e *rqEnv) mailAfter(after int64) []rqMail {
	e.t.Helper()
	rows, err := e.tx.Query(e.ctx, `SELECT to_addr, subject, body FROM mail_outbox WHERE id > $1 ORDER BY id`, after)
	require.NoError(e.t, err)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (rqMail, error) {
		var m rqMail
		return m, r.Scan(&m.To, &m.Subject, &m.Body)
	})
	require.NoError(e.t, err)
	return out
}

func (e *rqEnv) lastMail() int64 {
	e.t.Helper()
	var id int64
	require.NoError(e.t, e.tx.QueryRow(e.ctx, `SELECT coalesce(max(id), 0) FROM mail_outbox`).Scan(&id))
	return id
}

// rqState is what a refused post must leave untouched.
type rqState struct {
	Status   string
	Version  int32
	Events   int
	Grants   int
	Mail     int
	Requests int
}

func (e *rqEnv) state(id int64) rqState {
	e.t.Helper()
	var s rqState
	require.NoError(e.t, e.tx.QueryRow(e.ctx, `
SELECT coalesce((SELECT status FROM integration_requests WHERE id = $1), ''),
       coalesce((SELECT version FROM integration_requests WHERE id = $1), 0),
       (SELECT count(*) FROM request_events WHERE request_id = $1),
       (SELECT count(*) FROM platform_grants),
       (SELECT count(*) FROM mail_outbox),
       (SELECT count(*) FROM integration_requests)`, id).Scan(&s.Status, &s.Version, &s.Events, &s.Grants, &s.Mail, &s.Requests))
	return s
}

func rqForm(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func rqValidForm() url.Values {
	return rqForm("platform", "webim", "contact_email", "support@acme.example", "organisation", "Acme Ltd",
		"description", "Answers questions about orders and hands over to a person.", "webim_domain", "acme.webim.ru",
		"access_requested", "yes")
}

func TestRequestFormPreselectsAndLists(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)

	r := e.ownerC.Get(e.projURL() + "/requests/new")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "Request integration", r.Text("h2"))
	require.Equal(t, "Requests", r.Text(".tabs a.active"))
	sel := r.Doc.Find(`select[name="platform"]`)
	require.Equal(t, "webim", sel.Find("option[selected]").AttrOr("value", ""), "the only available platform is preselected")
	jivo := sel.Find(`option[value="jivo"]`)
	require.Equal(t, "Jivo (coming soon)", strings.TrimSpace(jivo.Text()))
	_, disabled := jivo.Attr("disabled")
	require.True(t, disabled, "coming-soon platforms cannot be chosen")
	require.Equal(t, e.owner.Email, r.Value("contact_email"), "contact defaults to the account's address")
	require.Equal(t, 1, r.Doc.Find(`input[type="checkbox"][name="access_requested"][value="yes"]`).Length())
	require.Equal(t, e.projURL()+"/requests/new", r.Doc.Find("form[novalidate]").AttrOr("action", ""))
	require.Equal(t, 1, r.Doc.Find(`form[novalidate] input[name="_csrf"]`).Length())

	// Settings links here with ?platform=KEY.
	r = e.ownerC.Get(e.projURL() + "/requests/new?platform=webim")
	require.Equal(t, "webim", r.Doc.Find(`select[name="platform"] option[selected]`).AttrOr("value", ""))
	for _, q := range []string{"jivo", "nope", "%27%3E"} {
		r = e.ownerC.Get(e.projURL() + "/requests/new?platform=" + q)
		require.Equal(t, http.StatusOK, r.StatusCode)
		require.Equal(t, "", r.Doc.Find(`select[name="platform"] option[selected]`).AttrOr("value", "x"), "%s is not preselected", q)
	}

	// The empty Requests tab says what to do.
	r = e.ownerC.Get(e.projURL() + "/requests")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Contains(t, r.Text(".empty"), "no integration requests yet")
	require.Equal(t, e.projURL()+"/requests/new", r.Doc.Find(".empty a").AttrOr("href", ""))
}

func TestRequestSubmitValidation(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)
	target := e.projURL() + "/requests/new"

	with := func(kv ...string) url.Values {
		f := rqValidForm()
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "<delete>" {
				f.Del(kv[i])
			} else {
				f.Set(kv[i], kv[i+1])
			}
		}
		return f
	}
	cases := []struct {
		name  string
		form  url.Values
		field string
		msg   string
	}{
		{"no platform", with("platform", ""), "platform", "Choose a chat platform."},
		{"tampered platform", with("platform", "telegram"), "platform", "Choose a chat platform from the list."},
		{"coming soon", with("platform", "jivo"), "platform", "This platform is coming soon and cannot be requested yet."},
		{"bad e-mail", with("contact_email", "nobody"), "contact_email", "Enter a valid e-mail address, like name@example.com."},
		{"no organisation", with("organisation", " "), "organisation", "Enter the name of your organisation."},
		{"long organisation", with("organisation", strings.Repeat("o", 201)), "organisation", "The organisation name must be at most 200 characters long."},
		{"short description", with("description", "Too short."), "description", "The description must be at least 20 characters long."},
		{"long description", with("description", strings.Repeat("d", 2001)), "description", "The description must be at most 2000 characters long."},
		{"domain path", with("webim_domain", "acme.webim.ru/x"), "webim_domain", "Enter the domain only, without a path, like salutebot.webim.ru."},
		{"domain local", with("webim_domain", "127.0.0.1"), "webim_domain", "This address points to a private or local network, which is not allowed."},
		{"domain port", with("webim_domain", "acme.webim.ru:22"), "webim_domain", "This port is not allowed. Leave the port out to use the standard one (443)."},
		{"no tick", with("access_requested", "<delete>"), "access_requested", "Confirm that you have requested access to Webim."},
		{"tampered tick", with("access_requested", "on"), "access_requested", "Confirm that you have requested access to Webim."},
	}
	before := e.state(0)
	for _, tc := range cases {
		r := e.ownerC.Post(target, tc.form)
		require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, tc.name)
		require.Equal(t, tc.msg, r.FieldError(tc.field), tc.name)
		require.Contains(t, r.Text(".error-summary"), tc.msg, tc.name)
		desc := r.Doc.Find("#f-"+tc.field).AttrOr("aria-describedby", "")
		require.Contains(t, desc, "f-"+tc.field+"-error", tc.name)
		// What was typed is kept.
		require.Equal(t, tc.form.Get("organisation"), r.Value("organisation"), tc.name)
		require.Equal(t, tc.form.Get("contact_email"), r.Value("contact_email"), tc.name)
		require.Equal(t, tc.form.Get("webim_domain"), r.Value("webim_domain"), tc.name)
		require.Equal(t, strings.ReplaceAll(tc.form.Get("description"), "\r\n", "\n"), r.Doc.Find(`textarea[name="description"]`).Text(), tc.name)
	}
	require.Equal(t, before, e.state(0), "refused submissions wrote nothing (no request, no mail)")

	// Everything wrong at once: every field says so.
	r := e.ownerC.Post(target, rqForm("platform", "", "contact_email", "x", "organisation", "", "description", "", "webim_domain", "http://x.ru"))
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	for _, f := range []string{"platform", "contact_email", "organisation", "description", "webim_domain", "access_requested"} {
		require.NotEmpty(t, r.FieldError(f), f)
	}
	require.Equal(t, 6, r.Doc.Find(".error-summary li").Length())
}

func TestRequestSubmitAndDuplicate(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)
	mail0 := e.lastMail()

	r := e.ownerC.Post(e.projURL()+"/requests/new", rqValidForm())
	require.Equal(t, http.StatusSeeOther, r.StatusCode, r.Text(".error-summary"))
	require.Regexp(t, `^/projects/\d+/requests#request-\d+$`, r.Location())
	var id int64
	_, err := fmt.Sscanf(r.Location()[strings.Index(r.Location(), "#request-")+len("#request-"):], "%d", &id)
	require.NoError(t, err)
	got := e.get(id)
	require.Equal(t, e.proj.ID, got.ProjectID)
	require.Equal(t, "https://acme.webim.ru", got.WebimDomain)

	r = e.ownerC.Follow(r)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Contains(t, r.Text(".flash"), "Your request has been submitted")
	card := r.Doc.Find("#request-" + itoa(id))
	require.Equal(t, 1, card.Length())
	require.Equal(t, "Submitted", strings.TrimSpace(card.Find(".badge.submitted").First().Text()))
	require.Contains(t, card.Find(".history").Text(), "submitted the request")
	require.Contains(t, card.Find(".history").Text(), e.owner.Email)
	require.Equal(t, 1, card.Find(`form[action$="/withdraw"][data-confirm]`).Length())
	require.Equal(t, itoa(int64(got.Version)), card.Find(`form[action$="/withdraw"] input[name="version"]`).AttrOr("value", ""))

	// The moderators were told, in the same transaction.
	mails := e.mailAfter(mail0)
	require.Len(t, mails, 2)
	to := []string{mails[0].To, mails[1].To}
	require.ElementsMatch(t, []string{e.mod.Email, e.adm.Email}, to)
	require.Contains(t, mails[0].Subject, `New integration request #`+itoa(id)+`: Webim for "Acme Shop"`)
	require.Contains(t, mails[0].Body, "http://bridge.test/moderation/requests/"+itoa(id))

	// A second one for the same platform: a clear message and a link.
	before := e.state(id)
	r = e.ownerC.Post(e.projURL()+"/requests/new", rqValidForm())
	require.Equal(t, http.StatusConflict, r.StatusCode)
	require.Contains(t, r.Text(".notice"), "This project already has an open request for Webim.")
	require.Equal(t, e.projURL()+"/requests#request-"+itoa(id), r.Doc.Find(".notice a").AttrOr("href", ""))
	require.Equal(t, "View request #"+itoa(id), r.Text(".notice a"))
	require.Equal(t, "Acme Ltd", r.Value("organisation"), "input kept")
	require.Equal(t, before, e.state(id))
}

// Who may reach what: owners their own project's requests, moderators and
// admins the moderation pages, nobody else anything.
func TestRequestRoutesByRole(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)
	req := e.submit()
	pu := e.projURL()
	ru := pu + "/requests/" + itoa(req.ID)
	mu := "/moderation/requests/" + itoa(req.ID)
	v := itoa(int64(req.Version))

	type check struct {
		method, path string
		form         url.Values
	}
	checks := []check{
		{"GET", pu + "/requests", nil},
		{"GET", pu + "/requests/new", nil},
		{"POST", pu + "/requests/new", rqValidForm()},
		{"POST", ru + "/withdraw", rqForm("version", v)},
		{"POST", ru + "/comments", rqForm("version", v, "comment", "hello")},
		{"GET", "/moderation", nil},
		{"GET", mu, nil},
		{"POST", mu + "/take", rqForm("version", v)},
		{"POST", mu + "/approve", rqForm("version", v)},
		{"POST", mu + "/reject", rqForm("version", v, "reason", "no")},
		{"POST", mu + "/comments", rqForm("version", v, "comment", "hello")},
		{"GET", pu + "/settings", nil},
	}
	ownerPage := func(c check) bool { return strings.HasPrefix(c.path, "/projects/") }
	do := func(cl *webtest.Client, c check) *webtest.Response {
		if c.method == "GET" {
			return cl.Get(c.path)
		}
		form := url.Values{}
		for k, v := range c.form {
			form[k] = append([]string(nil), v...)
		}
		return cl.Post(c.path, form)
	}
	before := e.state(req.ID)
	for _, c := range checks {
		// Another tenant: project pages are 404, moderation pages 403.
		want := http.StatusForbidden
		if ownerPage(c) {
			want = http.StatusNotFound
		}
		require.Equal(t, want, do(e.otherC, c).StatusCode, "other owner: %s %s", c.method, c.path)
		// The owner is no moderator either.
		if !ownerPage(c) {
			require.Equal(t, http.StatusForbidden, do(e.ownerC, c).StatusCode, "owner: %s %s", c.method, c.path)
		}
		// Moderators and admins are not project members: 404 on every
		// project page (settings included, so never a secret).
		if ownerPage(c) {
			require.Equal(t, http.StatusNotFound, do(e.modC, c).StatusCode, "moderator: %s %s", c.method, c.path)
			require.Equal(t, http.StatusNotFound, do(e.admC, c).StatusCode, "admin: %s %s", c.method, c.path)
		}
		// Anonymous visitors are sent to log in.
		r := do(e.anonC, c)
		require.Equal(t, http.StatusSeeOther, r.StatusCode, "anonymous: %s %s", c.method, c.path)
		require.True(t, strings.HasPrefix(r.Location(), "/login"), "anonymous: %s %s → %s", c.method, c.path, r.Location())
	}
	require.Equal(t, before, e.state(req.ID), "no refused request changed anything")

	// The allowed readers.
	require.Equal(t, http.StatusOK, e.ownerC.Get(pu+"/requests").StatusCode)
	require.Equal(t, http.StatusOK, e.ownerC.Get(pu+"/requests/new").StatusCode)
	for _, c := range []*webtest.Client{e.modC, e.admC} {
		require.Equal(t, http.StatusOK, c.Get("/moderation").StatusCode)
		require.Equal(t, http.StatusOK, c.Get(mu).StatusCode)
	}
	// The moderation link shows only for those who may use it.
	require.Equal(t, 1, e.modC.Get("/projects").Doc.Find(`.topnav a[href="/moderation"]`).Length())
	require.Equal(t, 0, e.ownerC.Get("/projects").Doc.Find(`.topnav a[href="/moderation"]`).Length())
}

// Owner B cannot list, open, withdraw or comment on owner A's requests,
// neither through A's project nor by putting A's request id under B's own.
func TestRequestTenantIsolation(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)
	req := e.submit()
	v := itoa(int64(req.Version))
	before := e.state(req.ID)

	r := e.otherC.Get("/projects/" + itoa(e.otherProj.ID) + "/requests")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, 0, r.Doc.Find("#request-"+itoa(req.ID)).Length())
	require.NotContains(t, r.Body, "support@acme.example")

	own := "/projects/" + itoa(e.otherProj.ID) + "/requests/" + itoa(req.ID)
	require.Equal(t, http.StatusNotFound, e.otherC.Post(own+"/withdraw", rqForm("version", v)).StatusCode)
	require.Equal(t, http.StatusNotFound, e.otherC.Post(own+"/comments", rqForm("version", v, "comment", "mine now")).StatusCode)
	require.Equal(t, http.StatusNotFound, e.otherC.Post(own+"/comments", rqForm("version", v, "comment", "")).StatusCode, "a tampered id is a 404 before any form error")
	require.Equal(t, http.StatusNotFound, e.otherC.Get(e.projURL()+"/requests").StatusCode)
	// Junk ids are 404 too.
	require.Equal(t, http.StatusNotFound, e.ownerC.Post(e.projURL()+"/requests/abc/withdraw", rqForm("version", v)).StatusCode)
	require.Equal(t, http.StatusNotFound, e.ownerC.Post(e.projURL()+"/requests/-1/withdraw", rqForm("version", v)).StatusCode)
	require.Equal(t, http.StatusNotFound, e.modC.Get("/moderation/requests/999999999").StatusCode)
	require.Equal(t, before, e.state(req.ID))
}

func TestModerationTakeApprove(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)
	req := e.submit()
	mu := "/moderation/requests/" + itoa(req.ID)

	r := e.modC.Get(mu)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "Request #"+itoa(req.ID), r.Text("h1"))
	require.Equal(t, "Acme Shop", r.Text(".project-name"))
	facts := r.Text("dl.facts")
	for _, s := range []string{"Webim", "Acme Ltd", "support@acme.example", "https://acme.webim.ru", "Answers questions about orders", e.owner.Email, "Yes"} {
		require.Contains(t, facts, s)
	}
	require.Contains(t, r.Text(".history"), e.owner.Email)
	require.Equal(t, 1, r.Doc.Find("#take").Length())
	require.Equal(t, 0, r.Doc.Find("#approve").Length(), "a submitted request must be taken first")
	require.Equal(t, 1, r.Doc.Find("#reject").Length())
	require.Equal(t, "1", r.Doc.Find(`form[action$="/take"] input[name="version"]`).AttrOr("value", ""))
	require.NotContains(t, r.Body, "/settings", "moderators are never pointed at project settings")

	// Junk versions are refused outright.
	before := e.state(req.ID)
	for _, v := range []string{"", "x", "0", "-1", "99999999999"} {
		require.Equal(t, http.StatusBadRequest, e.modC.Post(mu+"/take", rqForm("version", v)).StatusCode, "version %q", v)
	}
	require.Equal(t, before, e.state(req.ID))

	m0 := e.lastMail()
	r = e.modC.Post(mu+"/take", rqForm("version", "1"))
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, mu, r.Location())
	r = e.modC.Follow(r)
	require.Contains(t, r.Text(".flash"), "The request is now in review")
	require.Equal(t, "In review", r.Text(".page-head .badge"))
	require.Equal(t, 1, r.Doc.Find("#approve").Length())
	require.Equal(t, 0, r.Doc.Find("#take").Length())
	require.Contains(t, r.Text(".history"), e.mod.Email)
	mails := e.mailAfter(m0)
	require.Len(t, mails, 1)
	require.Equal(t, "support@acme.example", mails[0].To)
	require.Equal(t, `Your Webim request for "Acme Shop" is in review`, mails[0].Subject)
	require.Contains(t, mails[0].Body, "What happens next")

	// A second moderator still holding the old page loses cleanly.
	before = e.state(req.ID)
	r = e.admC.Post(mu+"/take", rqForm("version", "1"))
	require.Equal(t, http.StatusConflict, r.StatusCode)
	require.Equal(t, "This request was changed by someone else in the meantime; review it and try again.", r.Text(".notice"))
	require.Equal(t, "In review", r.Text(".page-head .badge"), "the page shows the current state")
	require.Equal(t, "2", r.Doc.Find(`form[action$="/approve"] input[name="version"]`).AttrOr("value", ""), "and the current version to retry with")
	r = e.admC.Post(mu+"/approve", rqForm("version", "1"))
	require.Equal(t, http.StatusConflict, r.StatusCode)
	require.Contains(t, r.Text(".notice"), "changed by someone else")
	require.Equal(t, before, e.state(req.ID))

	m0 = e.lastMail()
	r = e.admC.Post(mu+"/approve", rqForm("version", "2"))
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = e.admC.Follow(r)
	require.Equal(t, "Approved", r.Text(".page-head .badge"))
	require.Contains(t, r.Text(".flash"), "approved")
	require.Equal(t, 0, r.Doc.Find("#approve, #take, #reject").Length(), "nothing left to decide")
	mails = e.mailAfter(m0)
	require.Len(t, mails, 1)
	require.Equal(t, `Webim approved for "Acme Shop"`, mails[0].Subject)
	require.Contains(t, mails[0].Body, "http://bridge.test/projects/"+itoa(e.proj.ID)+"/settings")

	granted, err := request.IsGranted(e.ctx, e.tx, e.proj.ID, "webim")
	require.NoError(t, err)
	require.True(t, granted)

	// Approving again is an illegal transition, explained.
	before = e.state(req.ID)
	r = e.modC.Post(mu+"/approve", rqForm("version", "3"))
	require.Equal(t, http.StatusConflict, r.StatusCode)
	require.Equal(t, "A request that is Approved cannot be approved.", r.Text(".notice"))
	require.Equal(t, before, e.state(req.ID))

	// The owner sees the decision, who made it (as "Moderator") and where to go next.
	r = e.ownerC.Get(e.projURL() + "/requests")
	card := r.Doc.Find("#request-" + itoa(req.ID))
	require.Equal(t, "Approved", strings.TrimSpace(card.Find(".page-head .badge").Text()))
	hist := card.Find(".history").Text()
	require.Contains(t, hist, "Moderator")
	require.NotContains(t, hist, e.mod.Email, "owners do not see moderators' addresses")
	require.Equal(t, 3, card.Find(".history li").Length())
	require.Equal(t, e.projURL()+"/settings", card.Find(`a[href$="/settings"]`).AttrOr("href", ""))
	require.Equal(t, 0, card.Find(`form[action$="/withdraw"]`).Length(), "decided requests cannot be withdrawn")

	// And cannot ask for Webim again.
	r = e.ownerC.Post(e.projURL()+"/requests/new", rqValidForm())
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "This project already has this platform. Configure it under Settings.", r.FieldError("platform"))
}

func TestModerationRejectAndIllegal(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)
	req := e.submit()
	mu := "/moderation/requests/" + itoa(req.ID)

	// Approve straight from submitted is not a legal move.
	before := e.state(req.ID)
	r := e.modC.Post(mu+"/approve", rqForm("version", "1"))
	require.Equal(t, http.StatusConflict, r.StatusCode)
	require.Equal(t, "A request that is Submitted cannot be approved.", r.Text(".notice"))
	require.Equal(t, before, e.state(req.ID))

	// The reason is required; what was typed elsewhere survives.
	for _, reason := range []string{"", "   ", strings.Repeat("r", 2001)} {
		r = e.modC.Post(mu+"/reject", rqForm("version", "1", "reason", reason))
		require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
		require.NotEmpty(t, r.FieldError("reason"))
		require.Contains(t, r.Doc.Find("#f-reason").AttrOr("aria-describedby", ""), "f-reason-error")
		require.Equal(t, before, e.state(req.ID))
	}
	require.Equal(t, "Enter the reason for the rejection; the owner will see it.",
		e.modC.Post(mu+"/reject", rqForm("version", "1", "reason", "")).FieldError("reason"))

	// A stale reject keeps the reason typed.
	r = e.modC.Post(mu+"/reject", rqForm("version", "7", "reason", "Too vague."))
	require.Equal(t, http.StatusConflict, r.StatusCode)
	require.Contains(t, r.Text(".notice"), "changed by someone else")
	require.Equal(t, "Too vague.", r.Doc.Find(`textarea[name="reason"]`).Text())
	require.Equal(t, before, e.state(req.ID))

	m0 := e.lastMail()
	r = e.modC.Post(mu+"/reject", rqForm("version", "1", "reason", "Please describe when the bot hands over."))
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	mails := e.mailAfter(m0)
	require.Len(t, mails, 1)
	require.Equal(t, "support@acme.example", mails[0].To)
	require.Equal(t, `Your Webim request for "Acme Shop" was rejected`, mails[0].Subject)
	require.Contains(t, mails[0].Body, "Reason:\nPlease describe when the bot hands over.")

	r = e.ownerC.Get(e.projURL() + "/requests")
	card := r.Doc.Find("#request-" + itoa(req.ID))
	require.Equal(t, "Rejected", strings.TrimSpace(card.Find(".page-head .badge").Text()))
	require.Contains(t, card.Find(".reject-reason").Text(), "Please describe when the bot hands over.")

	// Moderator comments land in the history; empty ones are refused.
	r = e.modC.Post(mu+"/comments", rqForm("version", "2", "comment", ""))
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "Enter a comment.", r.FieldError("comment"))
	r = e.modC.Post(mu+"/comments", rqForm("version", "2", "comment", "Happy to look again."))
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = e.modC.Follow(r)
	require.Contains(t, r.Text(".history"), "Happy to look again.")
	require.Contains(t, e.ownerC.Get(e.projURL()+"/requests").Text("#request-"+itoa(req.ID)+" .history"), "Happy to look again.")
}

func TestOwnerWithdrawAndComment(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)
	req := e.submit()
	ru := e.projURL() + "/requests/" + itoa(req.ID)
	before := e.state(req.ID)

	r := e.ownerC.Post(ru+"/comments", rqForm("version", "1", "comment", "  "))
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "Enter a comment.", r.Text("#f-comment-"+itoa(req.ID)+"-error"))
	r = e.ownerC.Post(ru+"/comments", rqForm("version", "1", "comment", strings.Repeat("c", 2001)))
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, strings.Repeat("c", 2001), r.Doc.Find("#f-comment-"+itoa(req.ID)).Text(), "input kept")
	r = e.ownerC.Post(ru+"/comments", rqForm("version", "9", "comment", "Any news?"))
	require.Equal(t, http.StatusConflict, r.StatusCode)
	require.Contains(t, r.Text("#request-"+itoa(req.ID)+" .notice"), "changed by someone else")
	require.Equal(t, "Any news?", r.Doc.Find("#f-comment-"+itoa(req.ID)).Text())
	require.Equal(t, http.StatusBadRequest, e.ownerC.Post(ru+"/comments", rqForm("comment", "Any news?")).StatusCode)
	require.Equal(t, before, e.state(req.ID))

	r = e.ownerC.Post(ru+"/comments", rqForm("version", "1", "comment", "Any news?"))
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = e.ownerC.Follow(r)
	require.Contains(t, r.Text(".flash"), "comment has been added")
	require.Contains(t, r.Text("#request-"+itoa(req.ID)+" .history"), "Any news?")

	// The moderator took it meanwhile: the owner's withdraw with the old
	// version is refused and explained; with the new one it works.
	_, err := request.Take(e.ctx, e.tx, e.n, req.ID, 1, e.mod.ID)
	require.NoError(t, err)
	before = e.state(req.ID)
	r = e.ownerC.Post(ru+"/withdraw", rqForm("version", "1"))
	require.Equal(t, http.StatusConflict, r.StatusCode)
	require.Equal(t, "This request was changed by someone else in the meantime; review it and try again.", r.Text("#request-"+itoa(req.ID)+" .notice"))
	require.Equal(t, before, e.state(req.ID))

	m0 := e.lastMail()
	r = e.ownerC.Post(ru+"/withdraw", rqForm("version", "2"))
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = e.ownerC.Follow(r)
	require.Contains(t, r.Text(".flash"), "withdrawn")
	card := r.Doc.Find("#request-" + itoa(req.ID))
	require.Equal(t, "Withdrawn", strings.TrimSpace(card.Find(".page-head .badge").Text()))
	require.Empty(t, e.mailAfter(m0))

	before = e.state(req.ID)
	r = e.ownerC.Post(ru+"/withdraw", rqForm("version", "3"))
	require.Equal(t, http.StatusConflict, r.StatusCode)
	require.Equal(t, "A request that is Withdrawn cannot be withdrawn.", r.Text("#request-"+itoa(req.ID)+" .notice"))
	require.Equal(t, before, e.state(req.ID))
}

func TestModerationQueuePage(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)
	_, err := e.tx.Exec(e.ctx, `UPDATE platforms SET available = true WHERE key = 'jivo'`)
	require.NoError(t, err)
	var ids []int64
	for i := 0; i < 30; i++ {
		p := testfactory.Project(e.ctx, t, e.tx, &testfactory.ProjectOpts{Name: testfactory.Ptr(fmt.Sprintf("Shop %02d", i)), OwnerID: &e.owner.ID})
		in := rqInput()
		in.Organisation = fmt.Sprintf("Org %02d", i)
		if i%3 == 0 {
			in.Platform = "jivo"
		}
		r, err := request.Submit(e.ctx, e.tx, e.n, e.owner.ID, p.ID, in)
		require.NoError(t, err)
		ids = append(ids, r.ID)
		// Spread the creation times: oldest first must follow them.
		_, err = e.tx.Exec(e.ctx, `UPDATE integration_requests SET created_at = now() - make_interval(days => 40 - $2::int) WHERE id = $1`, r.ID, i)
		require.NoError(t, err)
	}
	_, err = request.Take(e.ctx, e.tx, e.n, ids[1], 1, e.mod.ID)
	require.NoError(t, err)
	_, err = request.Reject(e.ctx, e.tx, e.n, ids[2], 1, e.mod.ID, "No.")
	require.NoError(t, err)

	rowIDs := func(r *webtest.Response) []string {
		var out []string
		r.Doc.Find("tr[data-request]").Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("data-request", "")) })
		return out
	}
	want := func(idx ...int) []string {
		var out []string
		for _, i := range idx {
			out = append(out, itoa(ids[i]))
		}
		return out
	}
	rng := func(from, to int, skip ...int) []int {
		var out []int
		for i := from; i < to; i++ {
			skipped := false
			for _, s := range skip {
				skipped = skipped || s == i
			}
			if !skipped {
				out = append(out, i)
			}
		}
		return out
	}

	r := e.modC.Get("/moderation")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "Moderation queue", r.Text("h1"))
	require.Equal(t, want(rng(0, 26, 2)...), rowIDs(r), "open requests, oldest first, 25 a page")
	require.Contains(t, r.Text("tbody tr:first-child"), "40 days ago", "age is shown")
	require.Equal(t, "In review", r.Text(`tr[data-request="`+itoa(ids[1])+`"] .badge`))
	require.Equal(t, "/moderation/requests/"+itoa(ids[0]), r.Doc.Find("tbody tr:first-child a").AttrOr("href", ""))
	require.Equal(t, 0, r.Doc.Find(`a[rel="prev"]`).Length())
	next := r.Doc.Find(`a[rel="next"]`)
	require.Equal(t, "Next page", strings.TrimSpace(next.Text()))

	r = e.modC.Get(next.AttrOr("href", ""))
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, want(26, 27, 28, 29), rowIDs(r))
	require.Equal(t, 0, r.Doc.Find(`a[rel="next"]`).Length())
	prev := r.Doc.Find(`a[rel="prev"]`)
	require.Equal(t, "Previous page", strings.TrimSpace(prev.Text()))
	r = e.modC.Get(prev.AttrOr("href", ""))
	require.Equal(t, want(rng(0, 26, 2)...), rowIDs(r))

	// Filters combine and survive paging.
	r = e.modC.Get("/moderation?status=in_review")
	require.Equal(t, want(1), rowIDs(r))
	require.Equal(t, "in_review", r.Doc.Find(`select[name="status"] option[selected]`).AttrOr("value", ""))
	r = e.modC.Get("/moderation?status=rejected")
	require.Equal(t, want(2), rowIDs(r))
	r = e.modC.Get("/moderation?platform=jivo")
	require.Equal(t, want(0, 3, 6, 9, 12, 15, 18, 21, 24, 27), rowIDs(r))
	r = e.modC.Get("/moderation?platform=webim&q=ORG+1")
	require.Equal(t, want(10, 11, 13, 14, 16, 17, 19), rowIDs(r))
	require.Equal(t, "ORG 1", r.Value("q"), "the search is kept in the form")
	r = e.modC.Get("/moderation?platform=webim&q=shop+01&status=in_review")
	require.Equal(t, want(1), rowIDs(r))
	r = e.modC.Get("/moderation?q=nothing+like+this")
	require.Empty(t, rowIDs(r))
	require.Contains(t, r.Text(".empty"), "No requests match these filters")

	// Tampered filters and cursors are a 400, never a 500.
	for _, q := range []string{"status=bogus", "platform=telegram", "cursor=garbage", "cursor=YTEuMg%3D%3D%3D", "q=" + strings.Repeat("x", 201)} {
		require.Equal(t, http.StatusBadRequest, e.modC.Get("/moderation?"+q).StatusCode, q)
	}
}
