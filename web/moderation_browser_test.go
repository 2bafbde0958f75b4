package web_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web/browsertest"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/webtest"
)

// The moderation pages in Chromium, English and Russian, wide and 360 px:
// a click anywhere on a queue row opens the request; on a phone the queue
// is a list that still shows status and age. Screenshots go to
// /tmp/moderation-*.png for a person to look at.
func TestModerationPagesInBrowser(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewDatabase(t)
	ctx := context.Background()
	n := request.Notifier{Jobs: webtest.Jobs(t), BaseURL: "http://bridge.test", T: i18n.Text, DefaultLang: "en"}
	const pass = "browser password 1"
	mk := func(email string, role auth.Role) auth.User {
		return testfactory.User(ctx, t, pool, &testfactory.UserOpts{Email: testfactory.Ptr(email), Password: testfactory.Ptr(pass), Role: &role})
	}
	owner, mod, mod2 := mk("owner@shop.example", auth.RoleOwner), mk("moderator@botbridge.example", auth.RoleModerator), mk("second@botbridge.example", auth.RoleModerator)
	var ids []int64
	for i, name := range []string{"Flower Shop", "Book Club", "Pizza Place", "Bike Repair"} {
		p := testfactory.Project(ctx, t, pool, &testfactory.ProjectOpts{Name: testfactory.Ptr(name), OwnerID: &owner.ID})
		in := request.Input{Platform: "webim", ContactEmail: "support@" + strings.ToLower(strings.ReplaceAll(name, " ", "")) + ".example",
			Organisation: name + " Ltd", Description: "Answers questions about orders and hands over to a person.",
			WebimDomain: "shop" + itoa(int64(i)) + ".webim.ru", AccessRequested: true}
		r, err := request.Submit(ctx, pool, n, owner.ID, p.ID, in)
		require.NoError(t, err)
		ids = append(ids, r.ID)
	}
	_, err := request.Take(ctx, pool, n, ids[1], 1, mod2.ID)
	require.NoError(t, err)
	_, err = request.Take(ctx, pool, n, ids[2], 1, mod.ID)
	require.NoError(t, err)
	_, err = request.Approve(ctx, pool, n, ids[2], 2, mod.ID)
	require.NoError(t, err)
	_, err = request.AddNote(ctx, pool, ids[2], mod.ID, "Called the owner to confirm the Webim account.")
	require.NoError(t, err)
	c := request.Checker{Resolver: outbound.StaticResolver{"shop2.webim.ru": {"10.0.0.5"}}}
	require.NoError(t, request.RunEvidence(ctx, pool, c, ids[2]))

	srv := webtest.Server(t, pool)
	b := browsertest.New(t, 3*time.Minute)
	t.Cleanup(func() { _ = chromedp.Cancel(b) })
	q := chromedp.ByQuery
	shot := func(name string) {
		var buf []byte
		browsertest.Run(t, b, "screenshot "+name, chromedp.FullScreenshot(&buf, 100))
		require.NoError(t, os.WriteFile("/tmp/moderation-"+name+".png", buf, 0o644))
	}
	browsertest.Run(t, b, "log in",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(`#f-email`, q),
		chromedp.SendKeys(`#f-email`, mod.Email, q),
		chromedp.SendKeys(`#f-password`, pass, q),
		chromedp.Click(`main form button[type="submit"]`, q),
		chromedp.WaitVisible(`.topnav .account`, q),
		chromedp.Navigate(srv.URL+"/moderation"),
		chromedp.WaitVisible(`.counts`, q),
	)
	shot("queue-en")
	// Clicking the project cell (not the link) opens the request.
	var loc string
	browsertest.Run(t, b, "row click",
		chromedp.Click(`tr[data-request="`+itoa(ids[1])+`"] td.project`, q),
		chromedp.WaitVisible(`section.card h2`, q),
		chromedp.Location(&loc),
	)
	require.True(t, strings.HasSuffix(loc, "/moderation/requests/"+itoa(ids[1])), loc)
	browsertest.Run(t, b, "approved request", chromedp.Navigate(srv.URL+"/moderation/requests/"+itoa(ids[2])), chromedp.WaitVisible(`#evidence`, q))
	shot("request-en")

	browsertest.Run(t, b, "russian",
		chromedp.Click(`form[action="/language"] button[value="ru"]`, q),
		chromedp.WaitVisible(`form[action="/language"] button[value="en"]`, q),
		chromedp.WaitVisible(`#evidence`, q),
	)
	shot("request-ru")
	browsertest.Run(t, b, "queue ru", chromedp.Navigate(srv.URL+"/moderation"), chromedp.WaitVisible(`.counts`, q))
	shot("queue-ru")
	var statusShown, ageShown bool
	browsertest.Run(t, b, "phone",
		chromedp.EmulateViewport(360, 780),
		chromedp.Navigate(srv.URL+"/moderation"),
		chromedp.WaitVisible(`.counts`, q),
		chromedp.Evaluate(`(() => { const r = document.querySelector('tr[data-request] td.status'); return r && r.offsetWidth > 0 })()`, &statusShown),
		chromedp.Evaluate(`(() => { const r = document.querySelector('tr[data-request] td.age'); return r && r.offsetWidth > 0 })()`, &ageShown),
	)
	require.True(t, statusShown)
	require.True(t, ageShown)
	var overflow bool
	browsertest.Run(t, b, "no sideways scroll", chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow))
	require.False(t, overflow, "the queue fits 360 px")
	shot("queue-ru-360")
	browsertest.Run(t, b, "request 360", chromedp.Navigate(srv.URL+"/moderation/requests/"+itoa(ids[2])), chromedp.WaitVisible(`#evidence`, q))
	shot("request-ru-360")
	browsertest.Run(t, b, "project view", chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(srv.URL+"/moderation/projects/"+itoa(projectOf(t, pool, ids[2]))), chromedp.WaitVisible(`.members`, q))
	shot("project-ru")

	// The owner's side: a revoked request and a rejected one to send again.
	_, err = request.Reject(ctx, pool, n, ids[0], 1, mod.ID, "Please name the Webim account you will connect.")
	require.NoError(t, err)
	_, err = request.Revoke(ctx, pool, n, ids[2], 3, mod.ID, "The bot sent advertising to visitors.")
	require.NoError(t, err)
	browsertest.Run(t, b, "owner logs in",
		chromedp.Click(`form[action="/logout"] button`, q),
		chromedp.WaitVisible(`.topnav a[href="/login"]`, q),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(`#f-email`, q),
		chromedp.SendKeys(`#f-email`, owner.Email, q),
		chromedp.SendKeys(`#f-password`, pass, q),
		chromedp.Click(`main form button[type="submit"]`, q),
		chromedp.WaitVisible(`.topnav .account`, q),
		chromedp.Navigate(srv.URL+"/projects/"+itoa(projectOf(t, pool, ids[2]))+"/requests"),
		chromedp.WaitVisible(`a.new-request`, q),
	)
	shot("owner-revoked-ru")
	var noteShown bool
	browsertest.Run(t, b, "no notes for owners", chromedp.Evaluate(`document.body.innerText.includes("Called the owner")`, &noteShown))
	require.False(t, noteShown)
	browsertest.Run(t, b, "resubmit form",
		chromedp.Navigate(srv.URL+"/projects/"+itoa(projectOf(t, pool, ids[0]))+"/requests/"+itoa(ids[0])+"/resubmit"),
		chromedp.WaitVisible(`.reject-reason`, q),
	)
	shot("owner-resubmit-ru")
	browsertest.Run(t, b, "english",
		chromedp.Click(`form[action="/language"] button[value="en"]`, q),
		chromedp.WaitVisible(`form[action="/language"] button[value="ru"]`, q),
		chromedp.WaitVisible(`.reject-reason`, q),
	)
	shot("owner-resubmit-en")
	browsertest.Run(t, b, "send again",
		chromedp.Click(`main form[novalidate] button.primary`, q),
		chromedp.WaitVisible(`.flash`, q),
	)
	var flash string
	browsertest.Run(t, b, "flash", chromedp.Text(`.flash`, &flash, q))
	require.Contains(t, flash, "sent again")
}

func projectOf(t *testing.T, pool *pgxpool.Pool, requestID int64) int64 {
	t.Helper()
	r, err := request.Get(context.Background(), pool, request.AsModerator(), requestID)
	require.NoError(t, err)
	return r.ProjectID
}
