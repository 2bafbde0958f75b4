package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/mail"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/webtest"
)

// Counts per status, each a filter link; "assigned to me" and "unassigned";
// the assignee in the row; the row's link — against seeded requests.
func TestModerationCountsFiltersAssignee(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)
	var ids []int64
	for i := 0; i < 5; i++ {
		p := testfactory.Project(e.ctx, t, e.tx, &testfactory.ProjectOpts{Name: testfactory.Ptr("Count shop " + itoa(int64(i))), OwnerID: &e.owner.ID})
		r, err := request.Submit(e.ctx, e.tx, e.n, e.owner.ID, p.ID, rqInput())
		require.NoError(t, err)
		ids = append(ids, r.ID)
	}
	// 0, 1: submitted; 2: in review by mod; 3: approved by admin; 4: rejected.
	_, err := request.Take(e.ctx, e.tx, e.n, ids[2], 1, e.mod.ID)
	require.NoError(t, err)
	_, err = request.Take(e.ctx, e.tx, e.n, ids[3], 1, e.adm.ID)
	require.NoError(t, err)
	_, err = request.Approve(e.ctx, e.tx, e.n, ids[3], 2, e.adm.ID)
	require.NoError(t, err)
	_, err = request.Reject(e.ctx, e.tx, e.n, ids[4], 1, e.mod.ID, "Not enough detail.")
	require.NoError(t, err)

	r := e.modC.Get("/moderation")
	require.Equal(t, http.StatusOK, r.StatusCode)
	counts := map[string]string{}
	r.Doc.Find(".counts a.count").Each(func(_ int, s *goquery.Selection) {
		st := ""
		for _, c := range strings.Fields(s.AttrOr("class", "")) {
			if _, ok := request.ParseStatus(c); ok {
				st = c
			}
		}
		counts[st] = strings.TrimSpace(s.Find(".count-n").Text())
		require.Contains(t, s.AttrOr("href", ""), "status="+st)
	})
	require.Equal(t, map[string]string{"submitted": "2", "in_review": "1", "approved": "1", "rejected": "1", "withdrawn": "0", "revoked": "0"}, counts)

	// Assignee and age in the row; the whole row is the request's link.
	row := r.Doc.Find(`tr[data-request="` + itoa(ids[2]) + `"]`)
	require.Equal(t, e.mod.Email, strings.TrimSpace(row.Find("td.assignee").Text()))
	require.Equal(t, "Nobody yet", strings.TrimSpace(r.Doc.Find(`tr[data-request="`+itoa(ids[0])+`"] td.assignee`).Text()))
	require.True(t, row.HasClass("row-link"))
	require.Equal(t, "/moderation/requests/"+itoa(ids[2]), row.Find("td.request-id a").AttrOr("href", ""))
	require.NotEmpty(t, strings.TrimSpace(row.Find("td.age").Text()))

	// A count is a filter and shows as the active one.
	r = e.modC.Get(r.Doc.Find(".counts a.count.approved").AttrOr("href", ""))
	require.Equal(t, []string{itoa(ids[3])}, rowIDs(r))
	require.Equal(t, "true", r.Doc.Find(".counts a.count.approved").AttrOr("aria-current", ""))
	require.Equal(t, e.adm.Email, r.Text(`td.assignee`))

	require.Equal(t, []string{itoa(ids[2])}, rowIDs(e.modC.Get("/moderation?assigned=me")))
	require.Equal(t, []string{itoa(ids[0]), itoa(ids[1])}, rowIDs(e.modC.Get("/moderation?assigned=none")))
	require.Equal(t, []string{itoa(ids[3])}, rowIDs(e.admC.Get("/moderation?assigned=me&status=approved")))
	require.Empty(t, rowIDs(e.admC.Get("/moderation?assigned=me")), "the admin's request is decided, no longer open")
	require.Equal(t, "me", e.modC.Get("/moderation?assigned=me").Doc.Find(`select[name="assigned"] option[selected]`).AttrOr("value", ""))
	require.Equal(t, http.StatusBadRequest, e.modC.Get("/moderation?assigned=someone").StatusCode)

	// The request page names who took it.
	require.Equal(t, e.mod.Email, e.modC.Get("/moderation/requests/"+itoa(ids[2])).Text("dd.assignee"))
}

func rowIDs(r *webtest.Response) []string {
	var out []string
	r.Doc.Find("tr[data-request]").Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("data-request", "")) })
	return out
}

// A moderator who belongs to the project cannot take, approve, reject or
// revoke its request: a clear message, nothing changed.
func TestModerationSeparationOfDuties(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)
	req := e.submit()
	mu := "/moderation/requests/" + itoa(req.ID)
	require.NoError(t, dbsqlc.New(e.tx).AddProjectMember(e.ctx, dbsqlc.AddProjectMemberParams{ProjectID: e.proj.ID, UserID: e.mod.ID, Role: "member"}))

	page := e.modC.Get(mu)
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Contains(t, page.Text(".own-project"), "You are a member of this project")
	require.Zero(t, page.Doc.Find("#take, #approve, #reject, #revoke").Length(), "no decision buttons")

	before := e.state(req.ID)
	m0 := e.lastMail()
	r := e.modC.Post(mu+"/take", rqForm("version", "1"))
	require.Equal(t, http.StatusForbidden, r.StatusCode)
	require.Equal(t, "You are a member of this project, so you cannot take, approve, reject or revoke its requests. Another moderator must decide.", r.Text(".notice[role=alert]"))
	r = e.modC.Post(mu+"/reject", rqForm("version", "1", "reason", "Mine."))
	require.Equal(t, http.StatusForbidden, r.StatusCode)
	require.Equal(t, before, e.state(req.ID))
	require.Empty(t, e.mailAfter(m0))

	// Another moderator may; then approving stays refused for the member.
	_, err := request.Take(e.ctx, e.tx, e.n, req.ID, 1, e.adm.ID)
	require.NoError(t, err)
	before = e.state(req.ID)
	require.Equal(t, http.StatusForbidden, e.modC.Post(mu+"/approve", rqForm("version", "2")).StatusCode)
	require.Equal(t, before, e.state(req.ID))
	_, err = request.Approve(e.ctx, e.tx, e.n, req.ID, 2, e.mod.ID)
	require.ErrorIs(t, err, request.ErrOwnProject)

	// "Next request" skips the moderator's own project.
	other, err := request.Submit(e.ctx, e.tx, e.n, e.other.ID, e.otherProj.ID, rqInput())
	require.NoError(t, err)
	r = e.modC.Get("/moderation/next")
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, "/moderation/requests/"+itoa(other.ID), r.Location())
}

// Internal notes: on the moderator's page, marked; never on the owner's
// pages, never in any mail.
func TestModerationNotesNeverReachOwners(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)
	req := e.submit()
	mu := "/moderation/requests/" + itoa(req.ID)
	const secretNote = "Checked their Webim account by phone; the owner seemed unsure."
	m0 := e.lastMail()

	r := e.modC.Post(mu+"/notes", rqForm("note", "  "))
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "Enter the note.", r.FieldError("note"))
	r = e.modC.Post(mu+"/notes", rqForm("note", secretNote))
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	page := e.modC.Follow(r)
	note := page.Doc.Find(".history li.note")
	require.Equal(t, 1, note.Length())
	require.Contains(t, note.Text(), secretNote)
	require.Contains(t, note.Find(".badge.note").Text(), "Internal")

	// Decisions mail the owner afterwards; none carries the note.
	_, err := request.Take(e.ctx, e.tx, e.n, req.ID, 1, e.mod.ID)
	require.NoError(t, err)
	_, err = request.Reject(e.ctx, e.tx, e.n, req.ID, 2, e.mod.ID, "Please add the Webim account name.")
	require.NoError(t, err)
	mails := e.mailAfter(m0)
	require.Len(t, mails, 2)
	for _, m := range mails {
		require.NotContains(t, m.Body+m.Subject, secretNote)
	}

	owner := e.ownerC.Get(e.projURL() + "/requests")
	require.Equal(t, http.StatusOK, owner.StatusCode)
	require.NotContains(t, owner.Doc.Text(), secretNote)
	require.NotContains(t, owner.Doc.Text(), "internal note")
	require.Zero(t, owner.Doc.Find(".history li.note").Length())
	// The resubmission form shows the owner the reason, not the note.
	form := e.ownerC.Get(e.projURL() + "/requests/" + itoa(req.ID) + "/resubmit")
	require.Equal(t, http.StatusOK, form.StatusCode)
	require.NotContains(t, form.Doc.Text(), secretNote)
	// Owners cannot post notes.
	require.Equal(t, http.StatusForbidden, e.ownerC.Post(mu+"/notes", rqForm("note", "x")).StatusCode)
}

// A rejected request is edited and sent again: the same request, fields
// pre-filled, history continued, moderators mailed.
func TestRequestResubmit(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)
	req := e.submit()
	_, err := request.Reject(e.ctx, e.tx, e.n, req.ID, 1, e.mod.ID, "Name the Webim account.")
	require.NoError(t, err)
	ru := e.projURL() + "/requests/" + itoa(req.ID)

	list := e.ownerC.Get(e.projURL() + "/requests")
	require.Equal(t, ru+"/resubmit", list.Doc.Find("#request-"+itoa(req.ID)+" a.resubmit").AttrOr("href", ""))

	form := e.ownerC.Get(ru + "/resubmit")
	require.Equal(t, http.StatusOK, form.StatusCode)
	require.Equal(t, "Acme Ltd", form.Value("organisation"))
	require.Equal(t, "https://acme.webim.ru", form.Value("webim_domain"))
	require.Contains(t, form.Text(".reject-reason"), "Name the Webim account.")
	require.Equal(t, "2", form.Doc.Find(`input[name="version"]`).AttrOr("value", ""))

	// Errors keep the input; a stale version is refused.
	bad := rqValidForm()
	bad.Set("version", "2")
	bad.Set("description", "short")
	r := e.ownerC.Post(ru+"/resubmit", bad)
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.NotEmpty(t, r.FieldError("description"))
	require.Equal(t, "short", r.Doc.Find(`textarea[name="description"]`).Text())
	before := e.state(req.ID)
	stale := rqValidForm()
	stale.Set("version", "1")
	r = e.ownerC.Post(ru+"/resubmit", stale)
	require.Equal(t, http.StatusConflict, r.StatusCode)
	require.Contains(t, r.Text(".notice"), "changed by someone else")
	require.Equal(t, before, e.state(req.ID))

	m0 := e.lastMail()
	good := rqValidForm()
	good.Set("version", "2")
	good.Set("organisation", "Acme Retail Ltd")
	r = e.ownerC.Post(ru+"/resubmit", good)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	got := e.get(req.ID)
	require.Equal(t, request.Submitted, got.Status)
	require.Equal(t, "Acme Retail Ltd", got.Organisation)
	require.Empty(t, got.RejectReason)
	require.Equal(t, before.Requests, e.state(req.ID).Requests, "no new request: the same one continues")
	hist, err := request.History(e.ctx, e.tx, request.AsModerator(), req.ID)
	require.NoError(t, err)
	require.Len(t, hist, 3)
	require.Equal(t, request.Rejected, hist[2].From)
	require.Equal(t, request.Submitted, hist[2].To)
	mails := e.mailAfter(m0)
	require.NotEmpty(t, mails)
	require.Contains(t, mails[0].Subject, "New integration request #"+itoa(req.ID))
	// Only rejected requests can be resubmitted.
	require.Equal(t, http.StatusNotFound, e.ownerC.Get(ru+"/resubmit").StatusCode)
	// Another tenant's request is not found.
	require.Equal(t, http.StatusNotFound, e.otherC.Get("/projects/"+itoa(e.otherProj.ID)+"/requests/"+itoa(req.ID)+"/resubmit").StatusCode)
}

// The request form shows the open request before anything is typed, and
// does not offer granted platforms.
func TestRequestFormShowsOpenRequestAndHidesGranted(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)
	req := e.submit()
	r := e.ownerC.Get(e.projURL() + "/requests/new")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Contains(t, r.Text(".notice"), "already")
	require.Equal(t, e.projURL()+"/requests#request-"+itoa(req.ID), r.Doc.Find(".notice a").AttrOr("href", ""))

	_, err := request.Take(e.ctx, e.tx, e.n, req.ID, 1, e.mod.ID)
	require.NoError(t, err)
	_, err = request.Approve(e.ctx, e.tx, e.n, req.ID, 2, e.mod.ID)
	require.NoError(t, err)
	r = e.ownerC.Get(e.projURL() + "/requests/new")
	require.Zero(t, r.Doc.Find(`select[name="platform"] option[value="webim"]`).Length(), "Webim is granted: not offered")
	require.Zero(t, r.Doc.Find(".notice").Length())
}

// The moderator view of a project: name, members' addresses, requests and
// history; no settings or secrets; moderators only.
func TestModerationProjectView(t *testing.T) {
	t.Parallel()
	e := newRqEnv(t)
	req := e.submit()
	p := e.modC.Get("/moderation/requests/" + itoa(req.ID))
	href := p.Doc.Find("a.project-name").AttrOr("href", "")
	require.Equal(t, "/moderation/projects/"+itoa(e.proj.ID), href)
	r := e.modC.Get(href)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "Acme Shop", r.Text("h1"))
	require.Contains(t, r.Text(".members"), e.owner.Email)
	require.Contains(t, r.Doc.Find(".project-request a").AttrOr("href", ""), "/moderation/requests/"+itoa(req.ID))
	require.NotContains(t, r.Doc.Text(), "Auth token")
	require.Equal(t, http.StatusForbidden, e.ownerC.Get(href).StatusCode)
	require.Equal(t, http.StatusNotFound, e.modC.Get("/moderation/projects/999999999").StatusCode)

	// The owner's other requests are listed on the request page.
	other, err := request.Submit(e.ctx, e.tx, e.n, e.owner.ID,
		testfactory.Project(e.ctx, t, e.tx, &testfactory.ProjectOpts{Name: testfactory.Ptr("Second shop"), OwnerID: &e.owner.ID}).ID, rqInput())
	require.NoError(t, err)
	p = e.modC.Get("/moderation/requests/" + itoa(req.ID))
	require.Equal(t, "/moderation/requests/"+itoa(other.ID), p.Doc.Find(".other-requests a").AttrOr("href", ""))
}

// smtpSink is a real SMTP server collecting what it is sent.
type smtpSink struct {
	mu   sync.Mutex
	msgs []netmail.Message
	bods []string
}

func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct{ s *smtpSink }

func (*sinkSession) Reset()                               {}
func (*sinkSession) Logout() error                        { return nil }
func (*sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (*sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := netmail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, *m)
	ss.s.bods = append(ss.s.bods, string(b))
	ss.s.mu.Unlock()
	return nil
}

func (s *smtpSink) find(to, subjectPart string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, m := range s.msgs {
		if strings.Contains(m.Header.Get("To"), to) && strings.Contains(s.bods[i], subjectPart) {
			return s.bods[i]
		}
	}
	return ""
}

// Revoke end to end: the webhook answers 404 afterwards, the integration is
// disabled (and cannot be enabled), the platform leaves Settings, the owner
// receives the mail through a real SMTP server, the history and audit log
// record it, and a new request can be filed.
func TestModerationRevokeEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	ctx := context.Background()
	n := request.Notifier{Jobs: webtest.Jobs(t), BaseURL: "http://bridge.test", T: i18n.Text, DefaultLang: "en"}
	modRole := auth.RoleModerator
	mod := testfactory.User(ctx, t, h.pool, &testfactory.UserOpts{Email: testfactory.Ptr("revoker@example.com"), Password: testfactory.Ptr(rqPassword), Role: &modRole})
	mod2 := testfactory.User(ctx, t, h.pool, &testfactory.UserOpts{Email: testfactory.Ptr("revoker2@example.com"), Password: testfactory.Ptr(rqPassword), Role: &modRole})
	// The tenant was granted Webim directly; give the grant a request.
	_, err := h.pool.Exec(ctx, `DELETE FROM platform_grants WHERE project_id = $1`, h.projectID)
	require.NoError(t, err)
	in := rqInput()
	in.ContactEmail = "hook-owner@example.com"
	req, err := request.Submit(ctx, h.pool, n, h.ownerID, h.projectID, in)
	require.NoError(t, err)
	_, err = request.Take(ctx, h.pool, n, req.ID, 1, mod.ID)
	require.NoError(t, err)
	_, err = request.Approve(ctx, h.pool, n, req.ID, 2, mod.ID)
	require.NoError(t, err)

	status, _ := post(t, h.url, `{"event":"new_chat","chat":{"id":1},"visitor":{"id":"v1","fields":{}}}`, nil)
	require.Equal(t, http.StatusOK, status, "the webhook works before")

	modC := webtest.NewClient(t, h.srv)
	modC.Login(mod.Email, rqPassword)
	mod2C := webtest.NewClient(t, h.srv)
	mod2C.Login(mod2.Email, rqPassword)
	ownerC := webtest.NewClient(t, h.srv)
	ownerC.Login("hook-owner@example.com", "owner password")
	mu := "/moderation/requests/" + itoa(req.ID)

	page := modC.Get(mu)
	require.Contains(t, page.Doc.Find("form.revoke").AttrOr("data-confirm", ""), "Its integrations stop working")
	r := modC.Post(mu+"/revoke", rqForm("version", "3", "revoke_reason", ""))
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "Enter the reason for revoking access; the owner will see it.", r.FieldError("revoke_reason"))
	r = modC.Post(mu+"/revoke", rqForm("version", "3", "revoke_reason", "The bot sent spam to visitors."))
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	// The second moderator's revoke from the same page state loses, clearly.
	r = mod2C.Post(mu+"/revoke", rqForm("version", "3", "revoke_reason", "Also spam."))
	require.Equal(t, http.StatusConflict, r.StatusCode)
	require.Equal(t, "This request was changed by someone else in the meantime; review it and try again.", r.Text(".notice[role=alert]"))

	status, _ = post(t, h.url, `{"event":"new_chat","chat":{"id":2},"visitor":{"id":"v2","fields":{}}}`, nil)
	require.Equal(t, http.StatusNotFound, status, "the webhook answers 404 after the revocation")
	var integStatus string
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT status FROM integrations WHERE id = $1`, h.integID).Scan(&integStatus))
	require.Equal(t, "disabled", integStatus)
	var audit string
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT detail FROM integration_audit WHERE integration_id = $1 ORDER BY id DESC LIMIT 1`, h.integID).Scan(&audit))
	require.Contains(t, audit, "grant_revoked=request#"+itoa(req.ID))
	// The owner cannot switch it back on while the platform is not granted.
	r = ownerC.Post("/projects/"+itoa(h.projectID)+"/integrations/"+itoa(h.integID)+"/enable", rqForm())
	require.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, r.StatusCode)
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT status FROM integrations WHERE id = $1`, h.integID).Scan(&integStatus))
	require.Equal(t, "disabled", integStatus)

	got, err := request.Get(ctx, h.pool, request.AsModerator(), req.ID)
	require.NoError(t, err)
	require.Equal(t, request.Revoked, got.Status)
	granted, err := request.IsGranted(ctx, h.pool, h.projectID, "webim")
	require.NoError(t, err)
	require.False(t, granted)
	list := ownerC.Get("/projects/" + itoa(h.projectID) + "/requests")
	card := list.Doc.Find("#request-" + itoa(req.ID))
	require.Equal(t, "Revoked", strings.TrimSpace(card.Find(".page-head .badge").Text()))
	require.Contains(t, card.Find(".reject-reason").Text(), "The bot sent spam to visitors.")
	require.Contains(t, card.Find(".history").Text(), "Revoked")
	settings := ownerC.Get("/projects/" + itoa(h.projectID) + "/settings")
	require.Equal(t, http.StatusOK, settings.StatusCode)
	require.Zero(t, settings.Doc.Find(`form#platform-choice input[name="platform"][value="webim"]:not([disabled])`).Length(),
		"Webim is no longer selectable in Settings")

	// The mail reaches the owner through a real SMTP server.
	sink := &smtpSink{}
	srv := smtp.NewServer(sink)
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	cfg := webtest.Config(t, map[string]string{"SMTP_URL": "smtp://" + ln.Addr().String()})
	sender, err := mail.NewSender(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	rc, err := jobs.New(h.pool, jobs.Options{RunWorkers: true, Queues: map[string]int{mail.Queue: 2}, SkipUnknownJobCheck: true,
		FetchPollInterval: 50 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		mail.Workers(h.pool, sender, slog.New(slog.NewTextHandler(io.Discard, nil))))
	require.NoError(t, err)
	require.NoError(t, rc.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = rc.Stop(sctx)
	})
	require.Eventually(t, func() bool { return sink.find("hook-owner@example.com", "revoked") != "" }, 20*time.Second, 20*time.Millisecond)
	body := sink.find("hook-owner@example.com", "revoked")
	require.Contains(t, body, "The bot sent spam to visitors.")

	// A new request can be filed.
	r = ownerC.Post("/projects/"+itoa(h.projectID)+"/requests/new", rqValidForm())
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
}
