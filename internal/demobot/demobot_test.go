package demobot_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/demobot"
	"github.com/botbridge/botbridge/internal/webim"
	"github.com/botbridge/botbridge/web/i18n"
)

func str(s string) *string { return &s }

func event(typ string, msg *botapi.Message) botapi.Event {
	return botapi.Event{
		ID: "evt_1", Type: typ, OccurredAt: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
		Project:     botapi.Project{ID: "prj_7"},
		Integration: botapi.Integration{ID: "int_3", Platform: "webim"},
		Chat:        botapi.Chat{ID: "cht_42", PlatformChatID: "12345"},
		User:        botapi.User{ID: "usr_9", Channel: botapi.ChannelWebim, Name: str("John"), Phone: str("+79990000000")},
		Request:     botapi.Request{UserChannel: botapi.ChannelWebim},
		Message:     msg,
	}
}

func text(s string) botapi.Event {
	return event(botapi.TypeMessageText, &botapi.Message{ID: "m1", Text: s})
}

func press(id, label string) botapi.Event {
	return event(botapi.TypeMessageButton, &botapi.Message{ID: "m2", Text: label, Button: &botapi.Button{ID: id, Text: label}})
}

func transfer(a botapi.Action) *botapi.Action {
	a.Type = botapi.ActionTransfer
	return &a
}

func TestReply(t *testing.T) {
	t.Parallel()
	failed := event(botapi.TypeActionFailed, nil)
	failed.Action, failed.Reason = botapi.ActionSendDataToOperator, botapi.ReasonUnsupportedByPlatform
	otherFailed := event(botapi.TypeActionFailed, nil)
	otherFailed.Action, otherFailed.Reason = "close", "gone"
	anonymous := event(botapi.TypeChatStarted, nil)
	anonymous.User.Name = nil
	file := event(botapi.TypeMessageFile, &botapi.Message{ID: "f", File: &botapi.File{URL: "https://x/t.txt", Name: "t.txt"}})

	cases := []struct {
		name string
		ev   botapi.Event
		// text is the plain text the visitor sees for the first reply
		// (after Markdown rendering); action is the expected action.
		text   string
		action *botapi.Action
	}{
		{"greeting", event(botapi.TypeChatStarted, nil), "Hi John! I'm the botbridge demo bot.", nil},
		{"greeting without name", anonymous, "Hi! I'm the botbridge demo bot.", nil},
		{"echo", text("hello"), "You said: hello", nil},
		{"echo keeps Markdown literal", text("1. *hi* <b>x</b> [a](b) # h"), "You said: 1. *hi* <b>x</b> [a](b) # h", nil},
		{"operator", text("operator"), "Connecting you to a person…", transfer(botapi.Action{})},
		{"operator any case", text("  OPERATOR "), "Connecting you to a person…", transfer(botapi.Action{})},
		{"person", text("Person"), "Connecting you to a person…", transfer(botapi.Action{})},
		{"оператор", text("Оператор"), "Connecting you to a person…", transfer(botapi.Action{})},
		{"operator in a sentence is echoed", text("no operator please"), "You said: no operator please", nil},
		{"bye", text("bye"), "Bye! Thanks for chatting.", &botapi.Action{Type: botapi.ActionClose}},
		{"contact", text("contact"), "Let me pass your contact details to an operator.", &botapi.Action{Type: botapi.ActionSendDataToOperator,
			Data: json.RawMessage(`{"email":null,"name":"John","phone":"+79990000000","source":"demobot"}`)}},
		{"markdown", text("markdown"), "Markdown sample", nil},
		{"md", text("MD"), "Markdown sample", nil},
		{"queue", text("queue"), "Putting you in the queue", transfer(botapi.Action{Queue: true})},
		{"dept", text("dept sales"), "Transferring you to department sales…", transfer(botapi.Action{Department: "sales"})},
		{"dept without key", text("dept"), "Which department? Try: dept sales", nil},
		{"op", text("op 42"), "Transferring you to operator 42…", transfer(botapi.Action{OperatorID: 42})},
		{"op not a number", text("op x"), "Operator ids are positive integers. Try: op 42", nil},
		{"op zero", text("op 0"), "Operator ids are positive integers. Try: op 42", nil},
		{"file", text("file"), "Here is our price list.", nil},
		{"help", text("help"), "Hi John! I'm the botbridge demo bot.", nil},
		{"empty", text("   "), "You sent an empty message.", nil},
		{"button", press(demobot.ButtonPrices, "Prices"), "You pressed Prices", nil},
		{"human button", press(demobot.ButtonHuman, "Talk to a person"), "You pressed Talk to a person", transfer(botapi.Action{})},
		{"file from visitor", file, "Thanks for the file t.txt.", nil},
		{"contact refused", failed, demobot.ContactFailedText, nil},
		{"other action refused", otherFailed, "Sorry, I couldn't do that (close: gone).", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := demobot.Reply(i18n.EN, tc.ev)
			require.NotEmpty(t, r.Replies)
			require.Contains(t, webim.MarkdownToText(r.Replies[0].Text), tc.text)
			if tc.action != nil && tc.action.Data != nil {
				require.NotNil(t, r.Action)
				require.JSONEq(t, string(tc.action.Data), string(r.Action.Data))
				r.Action.Data = tc.action.Data
			}
			require.Equal(t, tc.action, r.Action)
			// Every answer is valid bot protocol, on the wire too.
			require.NoError(t, r.Validate())
			body, err := json.Marshal(r)
			require.NoError(t, err)
			parsed, err := botapi.ParseResponse(body)
			require.NoError(t, err)
			require.Equal(t, len(r.Replies), len(parsed.Replies))
		})
	}
	require.Equal(t, botapi.Response{}, demobot.Reply(i18n.EN, event("chat.unknown", nil)), "unknown events get an empty answer")
}

// The greeting has id buttons and a link button; Markdown has a link button.
func TestReplyButtons(t *testing.T) {
	t.Parallel()
	g := demobot.Reply(i18n.EN, event(botapi.TypeChatStarted, nil)).Replies[0]
	require.Equal(t, [][]botapi.Button{
		{{ID: demobot.ButtonPrices, Text: "Prices"}, {ID: demobot.ButtonHuman, Text: "Talk to a person"}},
		{{Text: "Our website", URL: "https://example.com"}},
	}, g.Buttons)

	md := demobot.Reply(i18n.EN, text("markdown")).Replies[0]
	require.Equal(t, demobot.MarkdownSample, md.Text)
	for _, want := range []string{"**bold**", "[a link](https://example.com)", "- a list item", "`inline code`"} {
		require.Contains(t, md.Text, want)
	}
	require.Len(t, md.Buttons, 1)
	require.True(t, md.Buttons[0][0].IsLink())

	f := demobot.Reply(i18n.EN, text("file")).Replies[1].File
	require.Equal(t, &botapi.File{URL: "https://example.com/price-list.pdf", Name: "price-list.pdf", MediaType: "application/pdf"}, f)

	long := demobot.Reply(i18n.EN, text(strings.Repeat("*", 5000))).Replies[0]
	require.NoError(t, demobot.Reply(i18n.EN, text(strings.Repeat("*", 5000))).Validate(), "a long echo stays within limits")
	require.True(t, strings.HasPrefix(long.Text, demobot.EchoPrefix))
}

const (
	secret      = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	otherSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
)

func signed(t *testing.T, url string, secrets []string, ts time.Time, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if secrets != nil {
		h, err := botapi.Headers(secrets, "evt_1", ts, body)
		require.NoError(t, err)
		for k, v := range h {
			req.Header[k] = v
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	return resp
}

func TestHandler(t *testing.T) {
	t.Parallel()
	bot := demobot.New(demobot.Config{Secrets: []string{secret}})
	srv := httptest.NewServer(bot)
	defer srv.Close()
	body, err := json.Marshal(text("hello"))
	require.NoError(t, err)
	now := time.Now()

	// Signed: the answer is Reply's, as bot protocol JSON.
	resp := signed(t, srv.URL+"/bot", []string{secret}, now, body)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(raw))
	require.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	got, err := botapi.ParseResponse(raw)
	require.NoError(t, err)
	require.Equal(t, demobot.Reply(i18n.RU, text("hello")), got, "Russian unless told otherwise")

	// During a rotation the bridge signs with old and new secrets.
	resp = signed(t, srv.URL, []string{otherSecret, secret}, now, body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	for name, r := range map[string]*http.Response{
		"unsigned":     signed(t, srv.URL, nil, now, body),
		"wrong secret": signed(t, srv.URL, []string{otherSecret}, now, body),
		"too old":      signed(t, srv.URL, []string{secret}, now.Add(-10*time.Minute), body),
	} {
		r.Body.Close()
		require.Equal(t, http.StatusUnauthorized, r.StatusCode, name)
	}
	// A body changed after signing does not verify.
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(string(body)+" "))
	h, _ := botapi.Headers([]string{secret}, "evt_1", now, body)
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// Signed but not an event.
	resp = signed(t, srv.URL, []string{secret}, now, []byte(`{"type":5}`))
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	resp, err = http.Get(srv.URL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	// Down: 503 to everything, and back up.
	bot.SetDown(true)
	resp = signed(t, srv.URL, []string{secret}, now, body)
	resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	bot.SetDown(false)
	resp = signed(t, srv.URL, []string{secret}, now, body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	require.Equal(t, 10, bot.Requests())
	evs := bot.Events()
	require.Len(t, evs, 3, "only verified, parsed events are kept")
	require.Equal(t, "hello", evs[0].Message.Text)
	require.Equal(t, botapi.ChannelWebim, evs[0].User.Channel)
}

func TestFailAllAndBadSecret(t *testing.T) {
	t.Parallel()
	down := httptest.NewServer(demobot.New(demobot.Config{Secrets: []string{secret}, FailAll: true}))
	defer down.Close()
	resp := signed(t, down.URL, []string{secret}, time.Now(), []byte(`{}`))
	resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)

	broken := httptest.NewServer(demobot.New(demobot.Config{Secrets: []string{"whsec_short"}}))
	defer broken.Close()
	resp = signed(t, broken.URL, []string{secret}, time.Now(), []byte(`{}`))
	resp.Body.Close()
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode, "a misconfigured bot says so instead of blaming the caller")
}

// The request examples of docs/bot-protocol.md get valid answers.
func TestDocExamplesGetAnswers(t *testing.T) {
	t.Parallel()
	bot := demobot.New(demobot.Config{Secrets: []string{secret}})
	srv := httptest.NewServer(bot)
	defer srv.Close()
	for _, body := range []string{
		`{"id":"evt_a","type":"chat.started","occurred_at":"2026-11-24T09:59:58Z","project":{"id":"prj_7"},"integration":{"id":"int_3","platform":"webim"},"chat":{"id":"cht_42","platform_chat_id":"12345"},"user":{"id":"usr_9","channel":"webim","name":"John","phone":null,"email":null},"request":{"userChannel":"webim"}}`,
		`{"id":"evt_b","type":"message.button","occurred_at":"2026-11-24T10:00:05Z","project":{"id":"prj_7"},"integration":{"id":"int_3","platform":"webim"},"chat":{"id":"cht_42","platform_chat_id":"12345"},"user":{"id":"usr_9","channel":"webim","name":"John","phone":null,"email":null},"request":{"userChannel":"webim"},"message":{"id":"f3","text":"Yes","button":{"id":"yes","text":"Yes"}}}`,
		`{"id":"evt_c","type":"action.failed","occurred_at":"2026-11-24T10:00:10Z","project":{"id":"prj_7"},"integration":{"id":"int_3","platform":"webim"},"chat":{"id":"cht_42","platform_chat_id":"12345"},"user":{"id":"usr_9","channel":"webim","name":"John","phone":null,"email":null},"request":{"userChannel":"webim"},"action":"send_data_to_operator","reason":"unsupported_by_platform"}`,
	} {
		resp := signed(t, srv.URL, []string{secret}, time.Now(), []byte(body))
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		r, err := botapi.ParseResponse(raw)
		require.NoError(t, err)
		require.NotEmpty(t, r.Replies)
	}
	evs := bot.Events()
	require.Equal(t, "You pressed Yes", demobot.Reply(i18n.EN, evs[1]).Replies[0].Text)
	require.Equal(t, "Вы нажали «Yes»", demobot.Reply(i18n.RU, evs[1]).Replies[0].Text)
	require.Equal(t, demobot.ContactFailedText, demobot.Reply(i18n.EN, evs[2]).Replies[0].Text)
}
