package web_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web/browsertest"
	"github.com/botbridge/botbridge/web/webtest"
)

// End to end in Chromium: an owner invites a colleague from the Members
// tab; the colleague opens the link from the e-mail (read from the
// outbox), signs up from it, lands in the project, and sees its
// integration without the webhook URL, the token or the bot endpoint.
// Screenshots in English and Russian (and at 360 px) go to /tmp/teams-*.png.
func TestBrowserInviteColleague(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	const (
		ownerEmail = "lead@shop.example"
		ownerPass  = "lead password 1"
		mateEmail  = "colleague@shop.example"
		matePass   = "salute and cheers 1"
	)
	kr := testfactory.Keyring(t, webtest.Config(t, nil).SecretKey)
	tenant := testfactory.NewTenant(ctx, t, pool, &testfactory.TenantOpts{
		Owner:       &testfactory.UserOpts{Email: testfactory.Ptr(ownerEmail), Password: testfactory.Ptr(ownerPass)},
		ProjectName: testfactory.Ptr("Salute shop"), Keyring: kr,
		Bot: testfactory.Ptr(testfactory.DefaultBotInput()),
	})
	tmVerify(ctx, t, pool, tenant.Owner.ID)
	p := tenant.Project
	in := tenant.Integration()
	srv := webtest.Server(t, pool)
	b := browsertest.New(t, 3*time.Minute)
	t.Cleanup(func() { _ = chromedp.Cancel(b) })
	q := chromedp.ByQuery
	proj := srv.URL + "/projects/" + itoa(p.ID)
	integrationPage := proj + "/settings/integrations/" + itoa(in.ID)

	shot := func(name string) {
		var buf []byte
		browsertest.Run(t, b, "screenshot "+name, chromedp.FullScreenshot(&buf, 100))
		require.NoError(t, os.WriteFile("/tmp/teams-"+name+".png", buf, 0o644))
	}
	absent := func(sel string) bool {
		var none bool
		browsertest.Run(t, b, "look for "+sel, chromedp.Evaluate(`document.querySelector(`+"`"+sel+"`"+`) === null`, &none))
		return none
	}

	browsertest.Run(t, b, "owner logs in",
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(`#f-email`, q),
		chromedp.SendKeys(`#f-email`, ownerEmail, q),
		chromedp.SendKeys(`#f-password`, ownerPass, q),
		chromedp.Click(`main form button[type="submit"]`, q),
		chromedp.WaitVisible(`.topnav .account`, q),
	)
	// The owner's integration page has the secrets the colleague must not see.
	browsertest.Run(t, b, "owner sees the webhook URL", chromedp.Navigate(integrationPage), chromedp.WaitVisible(`#webhook-url`, q))
	require.False(t, absent("#integration-token"))

	var flash string
	browsertest.Run(t, b, "invite from the Members tab",
		chromedp.Navigate(proj),
		chromedp.Click(`nav.tabs a[href$="/members"]`, q),
		chromedp.WaitVisible(`#invite-form`, q),
		chromedp.SendKeys(`#f-email`, mateEmail, q),
		chromedp.SetValue(`#f-role`, "member", q),
		chromedp.Click(`#invite-form button[type="submit"]`, q),
		chromedp.WaitVisible(`.flash`, q),
		chromedp.Text(`.flash`, &flash, q),
	)
	require.Equal(t, "Invitation sent.", strings.TrimSpace(flash))
	shot("members-owner-en")

	var body string
	require.NoError(t, pool.QueryRow(ctx, "SELECT body FROM mail_outbox WHERE to_addr = $1 ORDER BY id DESC LIMIT 1", mateEmail).Scan(&body))
	m := regexp.MustCompile(`http://bridge\.test(/invitations/[A-Za-z0-9_-]+)`).FindStringSubmatch(body)
	require.NotNil(t, m, body)
	link := srv.URL + m[1]

	browsertest.Run(t, b, "owner logs out",
		chromedp.Click(`form[action="/logout"] button`, q),
		chromedp.WaitVisible(`.topnav a[href="/login"]`, q),
	)
	var text string
	browsertest.Run(t, b, "colleague opens the link",
		chromedp.Navigate(link),
		chromedp.WaitVisible(`#invitation-text`, q),
		chromedp.Text(`#invitation-text`, &text, q),
	)
	require.Equal(t, "lead@shop.example invites you to the project «Salute shop» as Member.", strings.TrimSpace(text))
	shot("invitation-en")

	var h1 string
	browsertest.Run(t, b, "sign up from the link",
		chromedp.Click(`#invitation-signup`, q),
		chromedp.WaitVisible(`#invitation-signup-form`, q),
	)
	shot("signup-en")
	browsertest.Run(t, b, "fill the sign-up",
		chromedp.SendKeys(`#f-password`, matePass, q),
		chromedp.SendKeys(`#f-confirm`, matePass, q),
		chromedp.Click(`#invitation-signup-form button[type="submit"]`, q),
		chromedp.WaitVisible(`nav.tabs`, q),
		chromedp.Text(`.page-head h1`, &h1, q),
		chromedp.Text(`.flash`, &flash, q),
	)
	require.Equal(t, "Salute shop", strings.TrimSpace(h1))
	require.Equal(t, "Welcome to the project!", strings.TrimSpace(flash))

	var page string
	browsertest.Run(t, b, "the colleague's integration page",
		chromedp.Navigate(integrationPage),
		chromedp.WaitVisible(`#integration-domain`, q),
		chromedp.OuterHTML(`html`, &page, q),
	)
	require.True(t, absent("#webhook-url"), "no webhook URL")
	require.True(t, absent("#integration-token"), "no token")
	require.True(t, absent(`a[href$="/edit"]`), "no edit")
	require.NotContains(t, page, "/webhooks/webim/", "the key is nowhere on the page")
	shot("integration-member-en")

	browsertest.Run(t, b, "the colleague's Settings", chromedp.Navigate(proj+"/settings"), chromedp.WaitVisible(`#integrations`, q))
	require.True(t, absent("#bot"), "no bot endpoint")

	browsertest.Run(t, b, "switch to Russian",
		chromedp.Navigate(proj+"/members"),
		chromedp.WaitVisible(`#members`, q),
		chromedp.Click(`form[action="/language"] button[value="ru"]`, q),
		chromedp.WaitVisible(`form[action="/language"] button[value="en"]`, q),
		chromedp.Text(`nav.tabs a.active`, &text, q),
	)
	require.Equal(t, "Участники", strings.TrimSpace(text))
	shot("members-member-ru")
	browsertest.Run(t, b, "Russian integration page", chromedp.Navigate(integrationPage), chromedp.WaitVisible(`#webhook-owners-only`, q),
		chromedp.Text(`#webhook-owners-only`, &text, q))
	require.Contains(t, text, "видят только владельцы проекта")
	shot("integration-member-ru")
	browsertest.Run(t, b, "narrow", chromedp.EmulateViewport(360, 800), chromedp.Navigate(proj+"/members"), chromedp.WaitVisible(`#members`, q))
	shot("members-member-ru-360")

	// The owner's side in Russian, with the colleague in the list.
	browsertest.Run(t, b, "owner again",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Click(`form[action="/logout"] button`, q),
		chromedp.WaitVisible(`.topnav a[href="/login"]`, q),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(`#f-email`, q),
		chromedp.SendKeys(`#f-email`, ownerEmail, q),
		chromedp.SendKeys(`#f-password`, ownerPass, q),
		chromedp.Click(`main form button[type="submit"]`, q),
		chromedp.WaitVisible(`.topnav .account`, q),
		chromedp.Navigate(proj+"/members"),
		chromedp.WaitVisible(`#invite-form`, q),
	)
	var lang string
	browsertest.Run(t, b, "owner's language", chromedp.AttributeValue("html", "lang", &lang, nil, q))
	if lang != "ru" {
		browsertest.Run(t, b, "owner switches to Russian",
			chromedp.Click(`form[action="/language"] button[value="ru"]`, q),
			chromedp.WaitVisible(`form[action="/language"] button[value="en"]`, q),
		)
	}
	browsertest.Run(t, b, "members in Russian", chromedp.Text(`#members`, &text, q))
	require.Contains(t, text, mateEmail)
	shot("members-owner-ru")
	var width int
	browsertest.Run(t, b, "owner narrow", chromedp.EmulateViewport(360, 800), chromedp.Navigate(proj+"/members"), chromedp.WaitVisible(`#invite-form`, q),
		chromedp.Evaluate(`document.documentElement.scrollWidth`, &width))
	require.LessOrEqual(t, width, 360, "no sideways scrolling at 360 px (wide tables scroll inside their frame)")
	shot("members-owner-ru-360")
	browsertest.Run(t, b, "settings with rename", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(proj+"/settings"), chromedp.WaitVisible(`#rename`, q))
	shot("settings-owner-ru")
	browsertest.Run(t, b, "the used link in Russian", chromedp.Navigate(link), chromedp.WaitVisible(`#invitation-closed`, q),
		chromedp.Text(`#invitation-closed`, &text, q))
	require.Equal(t, "Это приглашение уже принято.", strings.TrimSpace(text))
	shot("invitation-used-ru")
	_ = integration.AuditLimit
}
