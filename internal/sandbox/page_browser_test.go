package sandbox_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/internal/webim"
	"github.com/botbridge/botbridge/web/browsertest"
)

// A person uses the chat page in a real browser: starts a chat, reads the
// greeting, types, presses a keyboard button and sees the transfer. The
// "botbridge" here is a stub that answers through the sandbox's API the
// way the bridge would.
func TestBrowserChat(t *testing.T) {
	t.Parallel()
	h := newHook(t)
	sb, srv := newSandbox(t, h)
	apiCall := func(c webim.Call) {
		body, _ := json.Marshal(c.Body)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+c.Path(), strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Token "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", c.Method, resp.StatusCode)
		}
	}
	var bot sync.WaitGroup
	h.mu.Lock()
	h.onEvent = func(ev webim.Event) {
		id, err := webim.NewChatRef(ev.ChatID, ev.ChatIDQuoted)
		if err != nil {
			t.Error(err)
			return
		}
		bot.Add(1)
		go func() { // answer later, like Webim 2.0 bots do
			defer bot.Done()
			switch {
			case ev.Name == webim.EventNewChat:
				apiCall(webim.NewTextMessage(id, "Hello "+ev.Visitor.Name+", see https://example.com/help"))
				apiCall(webim.NewKeyboardMessage(id, [][]webim.Button{{{ID: "a", Text: "Pick A"}, {ID: "b", Text: "<b>B</b>"}}}))
			case ev.Messages[0].Button != nil:
				apiCall(webim.NewTextMessage(id, "You pressed "+ev.Messages[0].Button.Text))
				apiCall(webim.NewRedirectToDepartment(id, "sales"))
			default:
				apiCall(webim.NewTextMessage(id, "echo: "+ev.Messages[0].Text))
			}
		}()
	}
	h.mu.Unlock()
	t.Cleanup(bot.Wait)

	ctx := browsertest.New(t, 90*time.Second)
	// Close Chromium gracefully before its profile directory is removed;
	// a killed browser may still be writing to it.
	t.Cleanup(func() { _ = chromedp.Cancel(ctx) })
	var jsErrors []string
	var jsMu sync.Mutex
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			jsMu.Lock()
			jsErrors = append(jsErrors, e.ExceptionDetails.Error())
			jsMu.Unlock()
		}
	})
	waitText := func(sel, want string) chromedp.Action {
		js := `(document.querySelector(` + jsString(sel) + `)?.textContent || "").includes(` + jsString(want) + `)`
		return chromedp.Poll(js, nil, chromedp.WithPollingTimeout(15*time.Second))
	}

	browsertest.Run(t, ctx, "open the page",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible("#start-form", chromedp.ByQuery),
	)
	browsertest.Run(t, ctx, "start a chat",
		chromedp.SetValue("#visitor-name", "Ann", chromedp.ByQuery),
		chromedp.Click("#start-form button", chromedp.ByQuery),
		chromedp.WaitVisible("#chat", chromedp.ByQuery),
		waitText("#messages", "Hello Ann, see https://example.com/help"),
		chromedp.WaitVisible(`.kb-button[data-button-id="a"]`, chromedp.ByQuery),
		waitText("#chat-state", "With the bot"),
	)
	var linkHref, bLabel string
	var ok bool
	browsertest.Run(t, ctx, "bot output is shown safely",
		chromedp.AttributeValue(`#messages a`, "href", &linkHref, &ok, chromedp.ByQuery),
		chromedp.Text(`.kb-button[data-button-id="b"]`, &bLabel, chromedp.ByQuery),
	)
	require.Equal(t, "https://example.com/help", linkHref, "URLs in text become links")
	require.Equal(t, "<b>B</b>", bLabel, "button text is text, never HTML")

	browsertest.Run(t, ctx, "type a message",
		chromedp.SetValue("#text", "hi there", chromedp.ByQuery),
		chromedp.Click("#send", chromedp.ByQuery),
		waitText("#messages", "echo: hi there"),
		waitText("#status", "Delivered to botbridge (200)."),
	)
	browsertest.Run(t, ctx, "press a button",
		chromedp.Click(`.kb-button[data-button-id="a"]`, chromedp.ByQuery),
		waitText("#messages", "You pressed Pick A"),
		waitText("#messages", "Transferred to department sales"),
		waitText("#chat-state", "Transferred"),
	)

	h.set(http.StatusNotFound, "")
	sb.SetWebhookURL(h.srv.URL + "/webhooks/webim/wrong")
	browsertest.Run(t, ctx, "a refused webhook is explained",
		chromedp.Click("#new-chat", chromedp.ByQuery),
		chromedp.WaitVisible("#start-form", chromedp.ByQuery),
		chromedp.Click("#start-form button", chromedp.ByQuery),
		waitText("#status", "botbridge answered 404: check the webhook URL"),
	)

	tr := sb.Transcript(sb.Chats()[1].ChatID)
	require.Equal(t, "Ann", tr.Visitor.Name)
	require.Equal(t, sandbox.StateTransferred, tr.State)
	jsMu.Lock()
	defer jsMu.Unlock()
	require.Empty(t, jsErrors, "the page's script ran without errors")
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
