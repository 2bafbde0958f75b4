package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/web/browsertest"
	"github.com/botbridge/botbridge/web/webtest"
)

// End to end in Chromium: an owner signs up, creates a project and submits
// a Webim request through the form; a moderator logs in in the same
// browser, takes the request into work and approves it; the owner then
// finds Webim selectable in the project's Settings.
func TestRequestFlowInBrowser(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewDatabase(t)
	ctx := context.Background()
	const (
		ownerEmail = "owner@shop.example"
		ownerPass  = "tea and biscuits 1"
		modEmail   = "moderator@botbridge.example"
		modPass    = "moderator password 1"
	)
	_, err := auth.CreateUser(ctx, pool, modEmail, modPass, auth.RoleModerator)
	require.NoError(t, err)
	srv := webtest.Server(t, pool)
	b := browsertest.New(t, 3*time.Minute)
	// Close Chromium gracefully before the profile directory is removed;
	// a killed browser may still be writing to it.
	t.Cleanup(func() { _ = chromedp.Cancel(b) })
	q := chromedp.ByQuery

	text := func(sel string) string {
		var s string
		browsertest.Run(t, b, "read "+sel, chromedp.WaitVisible(sel, q), chromedp.Text(sel, &s, q))
		return strings.TrimSpace(s)
	}
	login := func(step, email, pass string) {
		browsertest.Run(t, b, step,
			chromedp.Navigate(srv.URL+"/login"),
			chromedp.WaitVisible(`#f-email`, q),
			chromedp.SendKeys(`#f-email`, email, q),
			chromedp.SendKeys(`#f-password`, pass, q),
			chromedp.Click(`main form button[type="submit"]`, q),
			chromedp.WaitVisible(`.topnav .account`, q),
		)
	}
	logout := func(step string) {
		browsertest.Run(t, b, step,
			chromedp.Click(`form[action="/logout"] button`, q),
			chromedp.WaitVisible(`.topnav a[href="/login"]`, q),
		)
	}

	// The owner signs up and creates a project.
	browsertest.Run(t, b, "sign up",
		chromedp.Navigate(srv.URL+"/signup"),
		chromedp.WaitVisible(`#f-email`, q),
		chromedp.SendKeys(`#f-email`, ownerEmail, q),
		chromedp.SendKeys(`#f-password`, ownerPass, q),
		chromedp.SendKeys(`#f-confirm`, ownerPass, q),
		chromedp.Click(`main form button[type="submit"]`, q),
		chromedp.WaitVisible(`a[href="/projects/new"]`, q),
	)
	// Filing requests needs a confirmed address: the link from the mail.
	browsertest.Run(t, b, "confirm the address",
		chromedp.Navigate(srv.URL+mailLink(t, pool, ownerEmail, "/verify/")),
		chromedp.Click(`main section.card form button[type="submit"]`, q),
		chromedp.WaitVisible(`.flash`, q),
	)
	require.Equal(t, "E-mail address confirmed.", text(".flash"))
	browsertest.Run(t, b, "back to the projects", chromedp.Navigate(srv.URL+"/projects"), chromedp.WaitVisible(`a[href="/projects/new"]`, q))
	var projectURL string
	browsertest.Run(t, b, "create project",
		chromedp.Click(`.page-head a[href="/projects/new"]`, q),
		chromedp.WaitVisible(`#f-name`, q),
		chromedp.SendKeys(`#f-name`, "Browser Shop", q),
		chromedp.Click(`main form button[type="submit"]`, q),
		chromedp.WaitVisible(`.tabs a.active`, q),
		chromedp.Location(&projectURL),
	)
	require.Equal(t, "Browser Shop", text("h1"))

	// The Request integration form, submitted with Webim preselected.
	browsertest.Run(t, b, "open the request form",
		chromedp.Click(`.page-head a[href$="/requests/new"]`, q),
		chromedp.WaitVisible(`#f-organisation`, q),
	)
	var platform, contact string
	browsertest.Run(t, b, "read defaults",
		chromedp.Value(`#f-platform`, &platform, q),
		chromedp.Value(`#f-contact_email`, &contact, q),
	)
	require.Equal(t, "webim", platform)
	require.Equal(t, ownerEmail, contact)
	browsertest.Run(t, b, "submit the request",
		chromedp.SendKeys(`#f-organisation`, "Browser Shop Ltd", q),
		chromedp.SendKeys(`#f-description`, "Answers order questions and hands over to an operator when asked.", q),
		chromedp.WaitVisible(`#f-webim_domain`, q),
		chromedp.SendKeys(`#f-webim_domain`, "browsershop.webim.ru", q),
		chromedp.Click(`#f-access_requested`, q),
		chromedp.Click(`main form[novalidate] button.primary`, q),
		chromedp.WaitVisible(`.flash`, q),
	)
	require.Contains(t, text(".flash"), "Your request has been submitted")
	require.Equal(t, "Submitted", text(`section.request .page-head .badge`))
	logout("owner logs out")

	// The moderator takes it into work and approves it.
	login("moderator logs in", modEmail, modPass)
	browsertest.Run(t, b, "open the queue",
		chromedp.Click(`.topnav a[href="/moderation"]`, q),
		chromedp.WaitVisible(`table.queue`, q),
	)
	require.Equal(t, "Browser Shop", text(`table.queue tbody tr:first-child td:nth-child(2)`))
	browsertest.Run(t, b, "open the request",
		chromedp.Click(`table.queue tbody tr:first-child a`, q),
		chromedp.WaitVisible(`#take`, q),
	)
	require.Equal(t, "Browser Shop", text(`.project-name`))
	browsertest.Run(t, b, "take into work",
		chromedp.Click(`#take`, q),
		chromedp.WaitVisible(`#approve`, q),
	)
	require.Equal(t, "In review", text(`.page-head .badge`))
	// Approve asks for confirmation (a dialog with JS on); accept it.
	dialogs := make(chan string, 1)
	chromedp.ListenTarget(b, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs <- d.Message
			go func() { _ = chromedp.Run(b, page.HandleJavaScriptDialog(true)) }()
		}
	})
	browsertest.Run(t, b, "approve",
		chromedp.Click(`#approve`, q),
		chromedp.WaitVisible(`.badge.approved`, q),
	)
	require.Equal(t, `Approve Webim for "Browser Shop"? The project can set up the platform at once.`, <-dialogs)
	require.Equal(t, "/moderation/next", func() string {
		var href string
		var ok bool
		browsertest.Run(t, b, "next link", chromedp.AttributeValue(`#next-request`, "href", &href, &ok, q))
		return href
	}(), "after a decision, Next request is offered")
	require.Equal(t, "Approved", text(`.page-head .badge`))
	logout("moderator logs out")

	// The owner finds Webim selectable in Settings.
	login("owner logs in again", ownerEmail, ownerPass)
	browsertest.Run(t, b, "open the project",
		chromedp.Navigate(projectURL+"/requests"),
		chromedp.WaitVisible(`.badge.approved`, q),
	)
	// Follow the Settings tab's link (Navigate waits for the page to load).
	var settingsHref string
	var ok bool
	browsertest.Run(t, b, "find the Settings tab",
		chromedp.AttributeValue(`.tabs a[href$="/settings"]`, "href", &settingsHref, &ok, q))
	require.True(t, ok)
	var enabled string
	browsertest.Run(t, b, "open Settings",
		chromedp.Navigate(srv.URL+settingsHref),
		chromedp.Evaluate(`(() => {
			const r = document.querySelector('form#platform-choice input[type="radio"][name="platform"][value="webim"]');
			if (!r) return "missing: " + location.pathname + " " + document.title;
			return r.disabled ? "disabled" : "enabled";
		})()`, &enabled),
	)
	require.Equal(t, "enabled", enabled, "Webim is selectable in Settings after approval")
}
