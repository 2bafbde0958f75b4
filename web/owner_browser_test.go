package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/demobot"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/browsertest"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/webtest"
)

// underscoreCheck measures, in the page, whether the field's "_" fits in
// its line box: an input's "normal" line box is the font's ascent +
// descent, and a font that draws "_" below its descent gets it clipped
// away (the Debian Chromium bug of issue 16). It also reports what the
// same font would do with line-height normal, so the test shows it
// measures the bug it guards against.
const underscoreCheck = `((sel) => {
	const el = document.querySelector(sel);
	const cs = getComputedStyle(el);
	const c = document.createElement("canvas").getContext("2d");
	c.font = cs.fontStyle + " " + cs.fontWeight + " " + cs.fontSize + " " + cs.fontFamily;
	const m = c.measureText("_");
	const box = m.fontBoundingBoxAscent + m.fontBoundingBoxDescent;
	const lh = cs.lineHeight === "normal" ? box : parseFloat(cs.lineHeight);
	const bottom = (lh - box) / 2 + m.fontBoundingBoxAscent + m.actualBoundingBoxDescent;
	return {Family: cs.fontFamily, LineHeight: cs.lineHeight, Box: lh, Bottom: bottom,
		Ink: m.actualBoundingBoxRight + m.actualBoundingBoxLeft,
		NormalBottom: m.fontBoundingBoxAscent + m.actualBoundingBoxDescent, NormalBox: box,
		Value: el.value || el.textContent};
})`

type underscoreFit struct {
	Family, LineHeight, Value                 string
	Box, Bottom, Ink, NormalBottom, NormalBox float64
}

func checkUnderscore(t *testing.T, b context.Context, sel string) {
	t.Helper()
	var fit underscoreFit
	browsertest.Run(t, b, "measure _ in "+sel, chromedp.Evaluate(underscoreCheck+`("`+sel+`")`, &fit))
	// The value need not hold one (a random webhook key may not): the
	// glyph is measured in the field's font, which is what decides.
	require.NotEmpty(t, fit.Value)
	require.False(t, strings.HasPrefix(fit.Family, "ui-monospace"), "Chromium on Linux does not know ui-monospace: %s", fit.Family)
	require.True(t, strings.HasPrefix(fit.Family, `"DejaVu Sans Mono"`), "a font with a visible underscore first: %s", fit.Family)
	require.Positive(t, fit.Ink, "the font draws the underscore")
	require.LessOrEqual(t, fit.Bottom, fit.Box, "the underscore fits in the line box of %s (line-height %s)", sel, fit.LineHeight)
	// What the bug was: with line-height normal the same glyph falls out.
	require.Greater(t, fit.NormalBottom, fit.NormalBox, "line-height normal would clip the underscore")
}

// shot saves a screenshot for the eye (RU and EN, wide and 360 px).
func shot(t *testing.T, b context.Context, name string) {
	t.Helper()
	var png []byte
	browsertest.Run(t, b, "screenshot "+name, chromedp.FullScreenshot(&png, 100))
	require.NoError(t, os.WriteFile("/tmp/owner-"+name+".png", png, 0o644))
}

func setupState(t *testing.T, b context.Context, url string) []string {
	t.Helper()
	var done []string
	browsertest.Run(t, b, "read the checklist",
		chromedp.Navigate(url),
		chromedp.WaitVisible("#setup", chromedp.ByID),
		chromedp.Evaluate(`[...document.querySelectorAll("ol.setup li")].map(li => li.id + "=" + li.dataset.done)`, &done),
	)
	return done
}

func wantSteps(n int) []string {
	keys := []string{"request_filed", "approved", "integration_added", "bot_set", "first_event", "first_reply"}
	out := make([]string, len(keys))
	for i, k := range keys {
		v := "false"
		if i < n {
			v = "true"
		}
		out[i] = "setup-" + k + "=" + v
	}
	return out
}

// The Overview checklist goes green step by step as a new owner files the
// request (in the browser), a moderator approves it, the owner adds the
// Webim integration and the bot endpoint (in the browser), Webim (the
// sandbox) sends the first event and the demo bot's first reply reaches
// the visitor through the real engine. On the way: the header's "Request
// integration" button goes once nothing is left to request, and the
// webhook URL and whsec_ secret fields show their underscores.
func TestBrowserSetupChecklist(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	kr := testfactory.Keyring(t, webtest.Config(t, nil).SecretKey)
	tenant := testfactory.NewTenant(ctx, t, pool, &testfactory.TenantOpts{
		Owner:        &testfactory.UserOpts{Email: testfactory.Ptr("setup-owner@example.com"), Password: testfactory.Ptr(stPassword)},
		ProjectName:  testfactory.Ptr("Setup shop"),
		Keyring:      kr,
		NoGrant:      true,
		Integrations: []integration.Input{},
	})
	p := tenant.Project
	mod, err := auth.CreateUser(ctx, pool, "setup-mod@example.com", "moderator password", auth.RoleModerator)
	require.NoError(t, err)

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine := bridge.NewEngine(bridge.Config{Pool: pool, Keyring: kr, HTTP: outbound.NewClient(outbound.Policy{AllowLocal: true}, 5*time.Second),
		Retry: bridge.Retry{BotAttempts: 2, WebimAttempts: 2, Base: 20 * time.Millisecond, Max: 50 * time.Millisecond}, Log: quiet})
	river, err := jobs.New(pool, jobs.Options{RunWorkers: true, Queues: map[string]int{bridge.Queue: 2}, FetchPollInterval: 50 * time.Millisecond,
		SkipUnknownJobCheck: true, Log: quiet}, engine.Workers())
	require.NoError(t, err)
	engine.Jobs = river
	require.NoError(t, river.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = river.Stop(sctx)
	})
	srv := webtest.Server(t, pool, func(d *web.Deps) { d.Bridge = engine; d.Keyring = kr })

	// The demo bot learns the project's secret when it is asked (the
	// owner creates it half-way through).
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ep, err := integration.BotEndpoint(r.Context(), pool, kr, p.ID)
		if err != nil {
			http.Error(w, "no bot endpoint yet", http.StatusServiceUnavailable)
			return
		}
		demobot.New(demobot.Config{Secrets: ep.Secrets, Language: "en"}).ServeHTTP(w, r)
	}))
	t.Cleanup(bot.Close)
	const sbToken = "setup-sandbox-token-0123"
	sb := sandbox.New(sandbox.Config{Token: sbToken, Log: quiet})
	sbSrv := httptest.NewServer(sb)
	t.Cleanup(sbSrv.Close)
	t.Cleanup(sb.Close)

	overview := srv.URL + "/projects/" + itoa(p.ID)
	b := browsertest.New(t, 120*time.Second)
	browsertest.Run(t, b, "log in",
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible("#f-email", chromedp.ByID),
		chromedp.SendKeys("#f-email", "setup-owner@example.com", chromedp.ByID),
		chromedp.SendKeys("#f-password", stPassword, chromedp.ByID),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`a[href="/projects/new"]`, chromedp.ByQuery),
	)
	require.Equal(t, wantSteps(0), setupState(t, b, overview))
	var header int
	browsertest.Run(t, b, "header button", chromedp.Evaluate(`document.querySelectorAll("#request-integration").length`, &header))
	require.Equal(t, 1, header, "Webim can be requested")
	shot(t, b, "overview-start-en")

	// 1. The request, filed in the browser from the checklist's link.
	browsertest.Run(t, b, "file the request",
		chromedp.Click("#setup-request_filed a", chromedp.ByQuery),
		chromedp.WaitVisible("#f-contact_email", chromedp.ByID),
		chromedp.SetValue("#f-contact_email", "support@setup.example", chromedp.ByID),
		chromedp.SendKeys("#f-organisation", "Setup Ltd", chromedp.ByID),
		chromedp.SendKeys("#f-description", "Answers questions about orders and hands over to a person.", chromedp.ByID),
		chromedp.Click("#f-access_requested", chromedp.ByID),
	)
	browsertest.Run(t, b, "submit the request",
		chromedp.Submit("#f-contact_email", chromedp.ByID),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
	)
	require.Equal(t, wantSteps(1), setupState(t, b, overview))
	browsertest.Run(t, b, "header button", chromedp.Evaluate(`document.querySelectorAll("#request-integration").length`, &header))
	require.Zero(t, header, "nothing left to request: the header's button is gone")

	// 2. A moderator approves it.
	reqs, err := request.ListForProject(ctx, pool, p.ID)
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	n := request.Notifier{Jobs: webtest.Jobs(t), BaseURL: "http://bridge.test", T: i18n.Text, DefaultLang: "en"}
	taken, err := request.Take(ctx, pool, n, reqs[0].ID, reqs[0].Version, mod.ID)
	require.NoError(t, err)
	_, err = request.Approve(ctx, pool, n, taken.ID, taken.Version, mod.ID)
	require.NoError(t, err)
	require.Equal(t, wantSteps(2), setupState(t, b, overview))

	// 3. The Webim integration, added in the browser.
	var webhookURL string
	browsertest.Run(t, b, "add the Webim integration",
		chromedp.Click("#setup-integration_added a", chromedp.ByQuery),
		chromedp.WaitVisible("#platform-choice", chromedp.ByID),
		chromedp.Click("#platform-webim", chromedp.ByID),
		chromedp.Click(`#platform-choice button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible("#webim-form", chromedp.ByID),
		chromedp.WaitVisible("#webim-guide", chromedp.ByID),
		chromedp.SendKeys("#f-token", sbToken, chromedp.ByID),
		chromedp.SendKeys("#f-domain", sbSrv.URL, chromedp.ByID),
		chromedp.SendKeys("#f-department_id", "support", chromedp.ByID),
		chromedp.Click(`#webim-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible("#webhook-url", chromedp.ByID),
		chromedp.Value("#webhook-url", &webhookURL, chromedp.ByID),
	)
	require.Contains(t, webhookURL, "/webhooks/webim/")
	checkUnderscore(t, b, "#webhook-url")
	var waiting string
	browsertest.Run(t, b, "waiting", chromedp.Text("#health-state", &waiting, chromedp.ByID))
	require.Contains(t, waiting, "Waiting for the first event")
	require.Equal(t, wantSteps(3), setupState(t, b, overview))

	// 4. The bot endpoint, saved in the browser; its secret is shown once.
	browsertest.Run(t, b, "set the bot endpoint",
		chromedp.Click("#setup-bot_set a", chromedp.ByQuery),
		chromedp.WaitVisible("#f-endpoint_url", chromedp.ByID),
		chromedp.SendKeys("#f-endpoint_url", bot.URL+"/bot", chromedp.ByID),
		chromedp.Submit("#f-endpoint_url", chromedp.ByID),
		chromedp.WaitVisible("#bot-secret", chromedp.ByID),
	)
	checkUnderscore(t, b, "#bot-secret")
	var secret string
	browsertest.Run(t, b, "secret", chromedp.Value("#bot-secret", &secret, chromedp.ByID))
	require.True(t, strings.HasPrefix(secret, "whsec_"))
	require.Equal(t, wantSteps(4), setupState(t, b, overview))

	// 5 and 6. Webim (the sandbox) gets botbridge's webhook URL; a visitor
	// starts a chat, the demo bot's greeting reaches them.
	sb.SetWebhookURL(strings.Replace(webhookURL, "http://bridge.test", srv.URL, 1))
	chat, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = sb.WaitFor(wctx, chat, sandbox.HasKeyboardButton(demobot.ButtonPrices))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return strings.Join(setupState(t, b, overview), " ") == strings.Join(wantSteps(6), " ")
	}, 20*time.Second, 200*time.Millisecond, "every step green")
	shot(t, b, "overview-done-en")

	// The project list says it works; the pages in Russian and at 360 px.
	var health string
	browsertest.Run(t, b, "my projects",
		chromedp.Navigate(srv.URL+"/projects"),
		chromedp.Text("td.project-health", &health, chromedp.ByQuery),
	)
	require.Equal(t, "Working", strings.TrimSpace(health))
	list, err := integration.List(ctx, pool, p.ID)
	require.NoError(t, err)
	integPage := srv.URL + "/projects/" + itoa(p.ID) + "/settings/integrations/" + itoa(list[0].ID)
	browsertest.Run(t, b, "integration page", chromedp.Navigate(integPage), chromedp.WaitVisible("#status", chromedp.ByID))
	shot(t, b, "integration-en")
	browsertest.Run(t, b, "test event", chromedp.Navigate(overview+"/settings/bot"), chromedp.WaitVisible("#test-event", chromedp.ByID),
		chromedp.SetValue("#f-sample", "markdown", chromedp.ByID), chromedp.Click("#send-message", chromedp.ByID),
		chromedp.WaitVisible("#test-preview", chromedp.ByID))
	shot(t, b, "testevent-en")
	browsertest.Run(t, b, "webim form", chromedp.Navigate(overview+"/settings/integrations/new?platform=webim"), chromedp.WaitVisible("#webim-guide", chromedp.ByID))
	shot(t, b, "webimform-en")
	browsertest.Run(t, b, "to Russian",
		chromedp.Navigate(overview),
		chromedp.Click(`.lang-switch button[value="ru"]`, chromedp.ByQuery),
		chromedp.WaitReady(`html[lang="ru"] #setup-title`, chromedp.ByQuery),
	)
	var title string
	browsertest.Run(t, b, "russian title", chromedp.Text("#setup-title", &title, chromedp.ByID))
	require.Equal(t, "С чего начать", title)
	shot(t, b, "overview-done-ru")
	browsertest.Run(t, b, "integration ru", chromedp.Navigate(integPage), chromedp.WaitVisible("#status", chromedp.ByID))
	shot(t, b, "integration-ru")
	browsertest.Run(t, b, "test event ru", chromedp.Navigate(overview+"/settings/bot"), chromedp.WaitVisible("#test-event", chromedp.ByID),
		chromedp.Click("#send-ping", chromedp.ByID), chromedp.WaitVisible("#test-preview", chromedp.ByID))
	shot(t, b, "testevent-ru")
	browsertest.Run(t, b, "webim form ru", chromedp.Navigate(overview+"/settings/integrations/new?platform=webim"), chromedp.WaitVisible("#webim-guide", chromedp.ByID))
	shot(t, b, "webimform-ru")
	var png []byte
	browsertest.Run(t, b, "narrow", chromedp.EmulateViewport(360, 800), chromedp.Navigate(integPage), chromedp.WaitVisible("#status", chromedp.ByID),
		chromedp.ScrollIntoView("#rotate-webhook", chromedp.ByID), chromedp.CaptureScreenshot(&png))
	require.NoError(t, os.WriteFile("/tmp/owner-integration-ru-360.png", png, 0o644))
	browsertest.Run(t, b, "narrow overview", chromedp.Navigate(overview), chromedp.WaitVisible("#setup", chromedp.ByID))
	shot(t, b, "overview-ru-360")
}
