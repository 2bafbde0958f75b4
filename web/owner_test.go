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

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/demobot"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/web/webtest"
)

// scriptedBot answers as the test says: the demo bot (verifying the
// project's secret, read when asked) or a fixed status and body.
type scriptedBot struct {
	srv    *httptest.Server
	status atomic.Int32
	body   atomic.Value
}

func newScriptedBot(t *testing.T, h **hookEnv) *scriptedBot {
	b := &scriptedBot{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st := int(b.status.Load()); st != 0 {
			w.WriteHeader(st)
			_, _ = w.Write([]byte(b.body.Load().(string)))
			return
		}
		e := *h
		ep, err := integration.BotEndpoint(r.Context(), e.pool, e.env.Keyring, e.projectID)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		demobot.New(demobot.Config{Secrets: ep.Secrets, Language: "en"}).ServeHTTP(w, r)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *scriptedBot) answer(status int, body string) {
	b.body.Store(body)
	b.status.Store(int32(status))
}

// "Send a test event" against the demo bot shows the status, latency, raw
// reply and the preview; against bots answering garbage or errors it says
// clearly what is wrong, with the raw reply and no preview.
func TestSendTestEvent(t *testing.T) {
	t.Parallel()
	var h *hookEnv
	bot := newScriptedBot(t, &h)
	h = newHookEnv(t, bot.srv.URL+"/bot")
	owner := webtest.NewClient(t, h.srv)
	owner.Login("hook-owner@example.com", "owner password")
	botPage := fmt.Sprintf("/projects/%d/settings/bot", h.projectID)
	test := botPage + "/test"

	r := owner.Get(botPage)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, 1, r.Doc.Find(`#test-event form[action$="/bot/test"]`).Length())
	require.Zero(t, r.Doc.Find("#test-result").Length(), "no result before a test")

	r = owner.Post(test, url.Values{"kind": {"ping"}})
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "The bot answered with a valid reply.", r.Text("#test-ok"))
	require.Equal(t, "200", r.Text("#test-status"))
	require.Regexp(t, `^\d+ ms$`, r.Text("#test-latency"))
	require.Contains(t, r.Text("#test-raw"), "Pong!")
	require.Equal(t, demoPong, r.Text("#test-preview .preview-text"))
	require.Contains(t, r.Text("#test-result details pre"), `"type":"ping"`, "what was sent is shown")

	// A sample message: the demo bot's Markdown answer, translated as the
	// bridge translates it (no markers, the link written out).
	r = owner.Post(test, url.Values{"kind": {"message"}, "sample": {"markdown"}})
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Contains(t, r.Text("#test-raw"), "**", "the bot sent Markdown")
	preview := r.Text("#test-preview .preview-text")
	require.NotContains(t, preview, "**")
	require.Contains(t, preview, "https://example.com")
	require.Equal(t, "markdown", r.Doc.Find("#f-sample").AttrOr("value", ""), "the sample is kept")

	// A reply with a transfer shows what happens to the chat.
	r = owner.Post(test, url.Values{"kind": {"message"}, "sample": {"operator"}})
	require.Contains(t, r.Text("#test-preview .preview-system"), "transferred")

	garbage := []struct {
		name, body, problem, detail string
		status                      int
	}{
		{"mistyped field", `{"replies":"nope"}`, "not valid for the bot protocol", "replies", 200},
		{"not JSON", `<html>oops</html>`, "not valid for the bot protocol", "JSON object", 200},
		{"server error", `{"error":"boom"}`, "answered with an error (HTTP 500)", "500", 500},
		{"signature refused", `bad signature`, "refused the request (HTTP 401)", "401", 401},
	}
	for _, g := range garbage {
		bot.answer(g.status, g.body)
		r = owner.Post(test, url.Values{"kind": {"ping"}})
		require.Equal(t, http.StatusOK, r.StatusCode, g.name)
		require.Contains(t, r.Text("#test-problem"), g.problem, g.name)
		require.Contains(t, r.Text("#test-problem .mono"), g.detail, g.name)
		require.Equal(t, g.body, r.Text("#test-raw"), g.name)
		require.Equal(t, fmt.Sprint(g.status), r.Text("#test-status"), g.name)
		require.Zero(t, r.Doc.Find("#test-preview").Length(), g.name)
	}
	bot.srv.Close()
	r = owner.Post(test, url.Values{"kind": {"ping"}})
	require.Contains(t, r.Text("#test-problem"), "could not be reached")
	require.Equal(t, "No answer", r.Text("#test-status"))

	// Another tenant cannot test this project's bot.
	_, err := auth.CreateUser(context.Background(), h.pool, "other-test@example.com", "other password", auth.RoleOwner)
	require.NoError(t, err)
	other := webtest.NewClient(t, h.srv)
	other.Login("other-test@example.com", "other password")
	require.Equal(t, http.StatusNotFound, other.Post(test, url.Values{"kind": {"ping"}}).StatusCode)
}

// demoPong is the demo bot's English answer to a ping.
const demoPong = "Pong! The demo bot is up and verified botbridge's signature."

// After a rotation with a grace period the old webhook URL keeps storing
// events until the deadline, then answers 404; without one it stops at once.
func TestWebhookRotationGracePeriod(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	ctx := context.Background()
	owner := webtest.NewClient(t, h.srv)
	owner.Login("hook-owner@example.com", "owner password")
	page := fmt.Sprintf("/projects/%d/settings/integrations/%d", h.projectID, h.integID)
	msg := func(id string) string {
		return `{"event":"new_message","chat_id":5,"message":{"id":"` + id + `","kind":"visitor","text":"hi"}}`
	}
	oldURL := h.url

	r := owner.Get(page)
	require.Zero(t, r.Doc.Find("#webhook-grace").Length())
	require.Equal(t, "1h", r.Doc.Find("#f-grace option[selected]").AttrOr("value", ""), "an hour unless the owner says otherwise")
	r = owner.Post(page+"/rotate-webhook", url.Values{"grace": {"1h"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = owner.Follow(r)
	require.Contains(t, r.Text(".flash"), "keeps working for the grace period")
	require.Contains(t, r.Text("#webhook-grace"), "still works until")
	newURL := strings.Replace(r.Doc.Find("#webhook-url").AttrOr("value", ""), "http://bridge.test", h.srv.URL, 1)
	require.NotEqual(t, oldURL, newURL)

	status, _ := post(t, oldURL, msg("a"), nil)
	require.Equal(t, http.StatusOK, status, "the old URL works during the grace period")
	status, _ = post(t, newURL, msg("b"), nil)
	require.Equal(t, http.StatusOK, status)
	var stored int
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT count(*) FROM bridge_events WHERE integration_id = $1`, h.integID).Scan(&stored))
	require.Equal(t, 2, stored, "both stored, for the same integration")
	status, _ = post(t, oldURL+"/chat-events/chat_closed", `{}`, nil)
	require.NotEqual(t, http.StatusNotFound, status, "the chat events URL under the old key works too")

	// The deadline passes.
	_, err := h.pool.Exec(ctx, `UPDATE integrations SET previous_webhook_valid_until = now() - interval '1 second' WHERE id = $1`, h.integID)
	require.NoError(t, err)
	status, _ = post(t, oldURL, msg("c"), nil)
	require.Equal(t, http.StatusNotFound, status, "after the deadline the old URL is gone")
	status, _ = post(t, newURL, msg("d"), nil)
	require.Equal(t, http.StatusOK, status)
	require.Zero(t, owner.Get(page).Doc.Find("#webhook-grace").Length())

	// Without a grace period the URL being replaced stops at once.
	r = owner.Follow(owner.Post(page+"/rotate-webhook", url.Values{"grace": {"none"}}))
	require.Equal(t, "New webhook URL created. The old one no longer works: update it in Webim.", r.Text(".flash"))
	status, _ = post(t, newURL, msg("e"), nil)
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, http.StatusBadRequest, owner.Post(page+"/rotate-webhook", url.Values{"grace": {"7d"}}).StatusCode)
}

// An unhealthy integration's page says what happened and offers Check
// again; Retry (one event or all) says it cannot run yet and why instead of
// pretending, and the status change is botbridge's, not the last editor's.
func TestUnhealthyBannerAndHonestRetry(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	ctx := context.Background()
	owner := webtest.NewClient(t, h.srv)
	owner.Login("hook-owner@example.com", "owner password")
	page := fmt.Sprintf("/projects/%d/settings/integrations/%d", h.projectID, h.integID)

	r := owner.Get(page)
	require.Contains(t, r.Text("#health-state"), "Waiting for the first event")
	require.Equal(t, 1, r.Doc.Find("#waiting-banner").Length())
	require.Contains(t, r.Text("#status-changed"), "by hook-owner@example.com")

	status, _ := post(t, h.url, `{"event":"new_message","chat_id":8,"message":{"id":"m1","kind":"visitor","text":"hello"}}`, nil)
	require.Equal(t, http.StatusOK, status)
	var eventID int64
	require.NoError(t, h.pool.QueryRow(ctx, `UPDATE bridge_events SET status = 'failed', last_error = 'Webim refused the Auth token'
		WHERE integration_id = $1 RETURNING id`, h.integID).Scan(&eventID))
	changed, err := integration.MarkUnhealthy(ctx, h.pool, h.integID, "Webim refused the Auth token (webim: api 401 unauthorized)")
	require.NoError(t, err)
	require.True(t, changed)

	r = owner.Get(page)
	require.Contains(t, r.Text("#unhealthy-banner"), "Webim refused this integration's Auth token")
	require.Contains(t, r.Text("#unhealthy-banner"), "api 401 unauthorized")
	require.Equal(t, "Check again", r.Text("#unhealthy-banner #check-again"))
	require.Contains(t, r.Text("#health-state"), "Unhealthy")
	require.Contains(t, r.Text("#status-changed"), "by botbridge itself")
	require.NotContains(t, r.Text("#status-changed"), "hook-owner@example.com")
	require.Contains(t, r.Text("#failed-count"), "1 failed event")
	require.Contains(t, r.Text("#last-error"), "Webim refused the Auth token")
	require.Equal(t, "Retry 1 failed event", r.Text("#retry-failed"))

	eventStatus := func() string {
		var s string
		require.NoError(t, h.pool.QueryRow(ctx, `SELECT status FROM bridge_events WHERE id = $1`, eventID).Scan(&s))
		return s
	}
	r = owner.Follow(owner.Post(fmt.Sprintf("%s/activity/%d/retry", page, eventID), url.Values{}))
	require.Contains(t, r.Text(".flash"), "This cannot run yet: Webim refuses the integration's token")
	require.Equal(t, "failed", eventStatus(), "not put back to fail again")
	r = owner.Follow(owner.Post(page+"/retry-failed", url.Values{}))
	require.Contains(t, r.Text(".flash"), "This cannot run yet")
	require.Equal(t, "failed", eventStatus())

	// Disabled: the same honesty, another reason.
	require.Equal(t, http.StatusSeeOther, owner.Post(page+"/disable", nil).StatusCode)
	r = owner.Follow(owner.Post(page+"/retry-failed", url.Values{}))
	require.Contains(t, r.Text(".flash"), "the integration is disabled. Enable it first.")
	require.Contains(t, owner.Get(page).Text("#status-changed"), "by hook-owner@example.com", "a person's change is theirs")

	// Enabled again: Retry failed events queues it.
	require.Equal(t, http.StatusSeeOther, owner.Post(page+"/enable", nil).StatusCode)
	r = owner.Follow(owner.Post(page+"/retry-failed", url.Values{}))
	require.Contains(t, r.Text(".flash"), "put back in the queue")
	require.Equal(t, "pending", eventStatus())

	// Another tenant: 404 on Check again and Retry failed events.
	_, err = auth.CreateUser(ctx, h.pool, "other-retry@example.com", "other password", auth.RoleOwner)
	require.NoError(t, err)
	other := webtest.NewClient(t, h.srv)
	other.Login("other-retry@example.com", "other password")
	require.Equal(t, http.StatusNotFound, other.Post(page+"/check", url.Values{}).StatusCode)
	require.Equal(t, http.StatusNotFound, other.Post(page+"/retry-failed", url.Values{}).StatusCode)
}
