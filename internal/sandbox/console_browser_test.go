package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
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

// consoleTexts are what a person reads on the page, per language.
type consoleTexts struct {
	withBot, transferred, console, sticker, operator, notice, returned, closed, closeStatus string
}

var consoleLangs = map[string]consoleTexts{
	"ru": {"С ботом", "У оператора", "Пульт оператора", "Стикер №1", "Оператор", "Чат переведён в отдел sales",
		"Оператор вернул чат боту", "Оператор закрыл чат", "Событие chat_closed доставлено по адресу для событий чатов (200)."},
	"en": {"With the bot", "Transferred", "Operator console", "Sticker #1", "Operator", "Transferred to department sales",
		"The operator returned the chat to the bot", "The operator closed the chat", "chat_closed delivered to the chat events URL (200)."},
}

// A person in a real browser, in Russian and in English: sends a sticker,
// sees a keyboard with a text and a link button, then plays the operator:
// answers, returns the chat to the bot (which hears the history), and
// after another transfer closes it, which reaches the chat events URL.
// Screenshots of both languages go to $SANDBOX_SCREENSHOTS when set.
func TestBrowserOperatorConsole(t *testing.T) {
	t.Parallel()
	for lang, want := range consoleLangs {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			browserConsole(t, lang, want)
		})
	}
}

func browserConsole(t *testing.T, lang string, want consoleTexts) {
	h := newHook(t)
	ce := newChatEvents(t)
	sb, srv := newSandboxWith(t, h, sandbox.Config{ChatEventsURL: ce.url("u", "p")})
	apiCall := func(c webim.Call) {
		body, _ := json.Marshal(c.Body)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+c.Path(), bytes.NewReader(body))
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
		go func() {
			defer bot.Done()
			switch {
			case ev.Name == webim.EventNewChat && len(ev.Messages) > 0:
				apiCall(webim.NewTextMessage(id, "bot: welcome back, history of "+strconv.Itoa(len(ev.Messages))))
			case ev.Name == webim.EventNewChat:
				apiCall(webim.NewTextMessage(id, "bot: hello"))
				apiCall(webim.NewKeyboardMessage(id, [][]webim.Button{{{ID: "a", Text: "Pick A"},
					{ID: "docs", Text: "Docs", Config: &webim.ButtonConfig{Link: "https://example.com/docs"}, Params: &webim.ButtonParams{Type: "url"}}}}))
			case ev.Messages[0].Kind == sandbox.KindSticker:
				apiCall(webim.NewTextMessage(id, "bot: got a sticker"))
			case ev.Messages[0].Text == "transfer":
				apiCall(webim.NewRedirectToDepartment(id, "sales"))
			default:
				apiCall(webim.NewTextMessage(id, "bot: echo "+ev.Messages[0].Text))
			}
		}()
	}
	h.mu.Unlock()
	t.Cleanup(bot.Wait)

	ctx := browsertest.New(t, 90*time.Second)
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
	waitText := func(sel, text string) chromedp.Action {
		js := `(document.querySelector(` + jsString(sel) + `)?.textContent || "").includes(` + jsString(text) + `)`
		return chromedp.Poll(js, nil, chromedp.WithPollingTimeout(15*time.Second))
	}
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(c2 context.Context) error {
			dir := os.Getenv("SANDBOX_SCREENSHOTS")
			if dir == "" {
				return nil
			}
			var buf []byte
			if err := chromedp.FullScreenshot(&buf, 100).Do(c2); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "sandbox-"+lang+"-"+name+".png"), buf, 0o644)
		})
	}

	browsertest.Run(t, ctx, "open the page",
		chromedp.Navigate(srv.URL+"/?lang="+lang),
		chromedp.WaitVisible("#start-form", chromedp.ByQuery),
		chromedp.Click("details.settings summary", chromedp.ByQuery),
		chromedp.WaitVisible("#settings-form", chromedp.ByQuery),
		shot("start"),
		chromedp.Click("details.settings summary", chromedp.ByQuery),
	)
	browsertest.Run(t, ctx, "start a chat",
		chromedp.SetValue("#visitor-name", "Ann", chromedp.ByQuery),
		chromedp.Click("#start-form button", chromedp.ByQuery),
		waitText("#messages", "bot: hello"),
		chromedp.WaitVisible(`.kb-button[data-button-id="a"]`, chromedp.ByQuery),
		waitText("#chat-state", want.withBot),
	)
	var href string
	var ok bool
	browsertest.Run(t, ctx, "a link button is a link",
		chromedp.AttributeValue(`a.kb-link`, "href", &href, &ok, chromedp.ByQuery))
	require.Equal(t, "https://example.com/docs", href)

	browsertest.Run(t, ctx, "send a sticker",
		chromedp.Click("#sticker", chromedp.ByQuery),
		waitText("#messages", want.sticker),
		waitText("#messages", "bot: got a sticker"),
	)
	var consoleHidden bool
	browsertest.Run(t, ctx, "the console waits for a transfer",
		chromedp.Evaluate(`document.getElementById("console").hidden`, &consoleHidden))
	require.True(t, consoleHidden)

	browsertest.Run(t, ctx, "the bot transfers",
		chromedp.SetValue("#text", "transfer", chromedp.ByQuery),
		chromedp.Click("#send", chromedp.ByQuery),
		waitText("#messages", want.notice),
		waitText("#chat-state", want.transferred),
		chromedp.WaitVisible("#console", chromedp.ByQuery),
		waitText("#console-title", want.console),
	)
	browsertest.Run(t, ctx, "the operator answers",
		chromedp.SetValue("#operator-text", "Anna here, how can I help?", chromedp.ByQuery),
		chromedp.Click("#operator-send", chromedp.ByQuery),
		waitText(".from-operator", "Anna here, how can I help?"),
		waitText(".from-operator .sender", want.operator),
		chromedp.SetValue("#text", "my order?", chromedp.ByQuery),
		chromedp.Click("#send", chromedp.ByQuery),
		waitText("#messages", "my order?"),
		shot("console"),
	)
	browsertest.Run(t, ctx, "the operator returns the chat",
		chromedp.Click("#operator-return", chromedp.ByQuery),
		waitText("#messages", want.returned),
		waitText("#messages", "bot: welcome back, history of 7"),
		waitText("#chat-state", want.withBot),
		chromedp.WaitNotVisible("#console", chromedp.ByQuery),
		shot("returned"),
	)
	browsertest.Run(t, ctx, "transfer again and close",
		chromedp.SetValue("#text", "transfer", chromedp.ByQuery),
		chromedp.Click("#send", chromedp.ByQuery),
		chromedp.WaitVisible("#console", chromedp.ByQuery),
		chromedp.Click("#operator-close", chromedp.ByQuery),
		waitText("#messages", want.closed),
		waitText("#status", want.closeStatus),
	)
	var sendDisabled bool
	browsertest.Run(t, ctx, "a closed chat takes nothing",
		chromedp.Evaluate(`document.getElementById("send").disabled && document.getElementById("sticker").disabled`, &sendDisabled))
	require.True(t, sendDisabled)

	tr := sb.Transcript(sb.Chats()[0].ChatID)
	require.Equal(t, sandbox.StateClosed, tr.State)
	require.Equal(t, []string{"Anna here, how can I help?"}, tr.OperatorTexts())
	got, users := ce.received()
	require.Len(t, got, 1)
	require.Equal(t, []string{"u:p"}, users)
	require.Contains(t, string(got[0].Body), `"chat_closed"`)
	// History: hello, keyboard, sticker, bot reply, "transfer", operator, "my order?".
	require.True(t, strings.Contains(strings.Join(tr.BotTexts(), "\n"), "history of 7"))
	jsMu.Lock()
	defer jsMu.Unlock()
	require.Empty(t, jsErrors, "the page's script ran without errors")
}
