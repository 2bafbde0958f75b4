package faulttest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/web/webtest"
)

// failedTexts maps each chat's platform id to the visitor texts of its
// events that ended failed.
func failedTexts(t *testing.T, p *inproc) (map[string]map[string]bool, int) {
	t.Helper()
	rows, err := p.Pool.Query(context.Background(), `
		SELECT ch.platform_chat_id, coalesce(e.message->>'text', e.type), e.last_error
		FROM bridge_events e JOIN chats ch ON ch.id = e.chat_id WHERE e.status = 'failed'`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]map[string]bool{}
	n := 0
	for rows.Next() {
		var chat, text, lastErr string
		require.NoError(t, rows.Scan(&chat, &text, &lastErr))
		require.Contains(t, lastErr, "Webim call failed", "chat %s: %q failed for another reason", chat, text)
		if out[chat] == nil {
			out[chat] = map[string]bool{}
		}
		out[chat][text] = true
		n++
	}
	require.NoError(t, rows.Err())
	return out, n
}

// Webim refuses every call (500) for a long stretch while visitors keep
// writing (the outage is 16 s here against a Webim retry budget of 7
// attempts over 4–8 s, standing for minutes against the production
// budget). Events whose budget runs out end failed, visible with a Retry
// button; the rest of each chat's backlog drains in order once Webim is
// back; nothing acknowledged is lost. The bot going down too meanwhile is
// a different failure: those visitors get the fallback (its text, then a
// transfer to a person), delivered once Webim answers again.
func TestWebimOutage(t *testing.T) {
	t.Parallel()
	limit(t)
	p := startInProcess(t, inprocOptions{
		Retry:       bridge.Retry{BotAttempts: 3, WebimAttempts: 7, Base: 250 * time.Millisecond, Max: 2 * time.Second},
		Workers:     8,
		HTTPTimeout: 2 * time.Second,
	})
	sb := p.Sandbox()
	chats := startChats(t, p.Stack, 6)
	waitAnswered(t, chats, 20*time.Second)
	l := startLoad(chats, 500*time.Millisecond)
	t.Cleanup(func() { l.halt(t) })
	time.Sleep(time.Second)

	const outage = 16 * time.Second
	down := time.Now()
	sb.SetFaults(sandbox.Faults{Rate: 1, Mode: sandbox.FaultServerError})
	t.Cleanup(func() { sb.SetFaults(sandbox.Faults{}) })
	// Past the first events' budget: they fail while Webim is still away.
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Positive(c, count(c, p.Pool, `SELECT count(*) FROM bridge_events WHERE status = 'failed'`))
	}, 12*time.Second, poll, "events past their Webim budget fail during the outage")

	// Near the outage's end the bot goes down as well; visitors who start a
	// chat now get the fallback, whose Webim calls wait for Webim like any
	// other (and come through: their budget outlasts the outage).
	time.Sleep(time.Until(down.Add(outage - 3*time.Second)))
	// Down for new chats only: the chats under way keep their bot, so what
	// happens to them stays the Webim outage's alone.
	up := map[string]bool{}
	for _, c := range chats {
		up[strconv.FormatInt(c.id, 10)] = true
	}
	p.Bot.SetDownExcept(up)
	var fallbackChats []chatRef
	for i := range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		id, err := sb.StartChat(ctx, fmt.Sprintf("Late visitor %d", i+1))
		cancel()
		require.NoError(t, err)
		fallbackChats = append(fallbackChats, chatRef{sb: sb, id: id})
	}
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, len(fallbackChats), count(c, p.Pool, `SELECT count(*) FROM bridge_events WHERE outcome = 'fallback'`))
	}, 10*time.Second, poll, "the bot's attempts run out: the fallback is planned")
	p.Bot.SetDownExcept(nil)
	time.Sleep(time.Until(down.Add(outage)))
	sb.SetFaults(sandbox.Faults{})
	back := time.Now()
	time.Sleep(2 * time.Second)
	l.halt(t)

	// The backlog drains: every event ends done or failed.
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Zero(c, count(c, p.Pool, `SELECT count(*) FROM bridge_events WHERE status IN ('pending', 'replied')`))
	}, 60*time.Second, poll, "the backlog drains once Webim is back")
	drained := time.Now()
	failed, nFailed := failedTexts(t, p)
	for _, c := range fallbackChats {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		tr, err := sb.WaitFor(ctx, c.id, sandbox.InState(sandbox.StateTransferred))
		cancel()
		require.NoError(t, err, "chat %d is transferred\n%s", c.id, sb.Transcript(c.id))
		require.Equal(t, []string{"Connecting you to a person."}, tr.BotTexts(), "the fallback text, then the transfer")
		require.NotNil(t, tr.Transfer)
		require.Equal(t, "support", tr.Transfer.DepKey)
	}

	// Nothing acknowledged is lost: each message is answered, in its chat's
	// order, or its event failed past its budget.
	o := checkChats(t, p.Pool, p.Bot, chats, expect{failed: failed})
	require.Equal(t, nFailed, o.Failed, "every failed event is a visitor message of these chats")
	require.Zero(t, o.Unacked, "the ingress never depended on Webim")
	require.Zero(t, o.WebimDup, "a refused call is never applied, so nothing repeats")
	require.Zero(t, o.BotDup, "the bot is asked once per event: only Webim calls are retried")
	require.Greater(t, o.Acked, 10*o.Failed, "most of the backlog is delivered after the outage")
	st := sb.Stats()
	t.Logf("Webim down %s; %s; %d events failed past their budget, the rest drained %s after Webim came back; %s; Webim: %d calls, %d refused by injection",
		outage, l, nFailed, drained.Sub(back).Round(time.Millisecond), o, st.Received, st.Injected)

	// Failed events are visible to the owner, with a Retry button each.
	c := webtest.NewClient(t, p.Web)
	c.Login(p.ownerEmail(t), "stack owner password")
	path := fmt.Sprintf("/projects/%d/settings/integrations/%d/activity", p.ProjectID, p.Accounts[0].IntegrationID)
	failedRows, retryButtons := 0, 0
	for _, step := range activitySteps(t, c, path) {
		if step.Find("span.badge.failed").Length() > 0 {
			failedRows++
			if strings.Contains(step.Find("form").AttrOr("action", ""), "retry") {
				retryButtons++
			}
		}
	}
	require.Equal(t, nFailed, failedRows, "failed events are listed")
	require.Equal(t, failedRows, retryButtons, "each with a Retry button")
}
