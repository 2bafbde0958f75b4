package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/internal/webim"
)

// newSandboxWith is newSandbox with a configuration of its own.
func newSandboxWith(t *testing.T, h *hook, cfg sandbox.Config) (*sandbox.Server, *httptest.Server) {
	t.Helper()
	cfg.Token = token
	if h != nil {
		cfg.WebhookURL = h.srv.URL + "/webhooks/webim/key123"
	}
	sb := sandbox.New(cfg)
	srv := httptest.NewServer(sb)
	t.Cleanup(func() {
		sb.Close()
		srv.Close()
	})
	return sb, srv
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal(b, &v), string(b))
	return v
}

// With string chat ids the webhooks carry chat.id and chat_id as JSON
// strings, and the API takes exactly that form for those chats, as it
// takes only integers for integer chats.
func TestStringChatIDs(t *testing.T) {
	t.Parallel()
	h := newHook(t)
	sb, srv := newSandboxWith(t, h, sandbox.Config{StringChatIDs: true})
	ctx := ctxT(t)
	id, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	require.True(t, sb.Transcript(id).StringID)
	require.NoError(t, sb.SendText(ctx, id, "hi"))
	got := h.received()
	require.Len(t, got, 2)
	c := itoa(id)
	require.Equal(t, `"`+c+`"`, string(mustRaw(t, got[0].Body, "chat", "id")))
	require.Equal(t, `"`+c+`"`, string(mustRaw(t, got[1].Body, "chat_id")))
	for _, r := range got {
		ev, err := webim.ParseWebhook("2.0", r.Body)
		require.NoError(t, err)
		require.Equal(t, c, ev.ChatID)
		require.True(t, ev.ChatIDQuoted)
	}

	a := call(t, srv, "Token "+token, "send_message", `{"chat_id":`+c+`,"message":{"kind":"operator","text":"x"}}`)
	require.Equal(t, http.StatusBadRequest, a.Status)
	require.Contains(t, a.Desc, "chat_id must be a string here")
	body, _ := json.Marshal(webim.NewTextMessage(webim.ChatRef{ID: c, Quoted: true}, "Hello").Body)
	a = call(t, srv, "Token "+token, "send_message", string(body))
	require.Equal(t, http.StatusOK, a.Status, a.Desc)
	require.Equal(t, []string{"Hello"}, sb.Transcript(id).BotTexts())
	require.Equal(t, id, sb.AcceptedCalls()[0].ChatID, "the call log reads string ids too")

	// Switched off at runtime: chats started afterwards use integers, the
	// string chat keeps its form.
	st := sb.Settings()
	st.StringChatIDs = false
	require.NoError(t, sb.SetSettings(st))
	id2, err := sb.StartChat(ctx, "Bob")
	require.NoError(t, err)
	require.Equal(t, itoa(id2), string(mustRaw(t, h.received()[2].Body, "chat", "id")))
	a = call(t, srv, "Token "+token, "close_chat", `{"chat_id":"`+itoa(id2)+`"}`)
	require.Equal(t, http.StatusBadRequest, a.Status)
	require.Contains(t, a.Desc, "chat_id must be an integer here")
	require.Equal(t, http.StatusOK, call(t, srv, "Token "+token, "close_chat", `{"chat_id":"`+c+`"}`).Status)
}

// mustRaw digs a raw JSON value out of a body by keys.
func mustRaw(t *testing.T, body []byte, keys ...string) json.RawMessage {
	t.Helper()
	raw := json.RawMessage(body)
	for _, k := range keys {
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &m))
		var ok bool
		raw, ok = m[k]
		require.True(t, ok, "no %q in %s", k, raw)
	}
	return raw
}

// With NoMessageIDs a new_message carries no id; the bridge then
// deduplicates by the body.
func TestMessagesWithoutIDs(t *testing.T) {
	t.Parallel()
	h := newHook(t)
	sb, _ := newSandboxWith(t, h, sandbox.Config{NoMessageIDs: true})
	ctx := ctxT(t)
	id, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	require.NoError(t, sb.SendText(ctx, id, "no id"))
	require.NoError(t, sb.SendSticker(ctx, id, 3))
	for _, r := range h.received()[1:] {
		msg := decode(t, mustRaw(t, r.Body, "message"))
		require.NotContains(t, msg, "id", string(r.Body))
		ev, err := webim.ParseWebhook("2.0", r.Body)
		require.NoError(t, err)
		require.Empty(t, ev.Messages[0].ID)
		require.Contains(t, webim.DedupKey(ev), ":sha256:")
	}
	require.NotEmpty(t, sb.Transcript(id).Messages[0].ID, "the transcript still names each message")
}

// A sticker is a kind botbridge does not model: sticker_visitor with data.
func TestSticker(t *testing.T) {
	t.Parallel()
	h := newHook(t)
	sb, srv := newSandbox(t, h)
	ctx := ctxT(t)
	id, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	require.NoError(t, sb.SendSticker(ctx, id, 7))
	m := sb.Transcript(id).Messages[0]
	require.Equal(t, sandbox.KindSticker, m.Kind)
	require.JSONEq(t, `{"stickerId":7}`, string(m.Data))
	got := h.received()
	require.JSONEq(t, `{"event":"new_message","chat_id":`+itoa(id)+`,"message":{"id":"`+m.ID+`","kind":"sticker_visitor","data":{"stickerId":7}}}`, string(got[1].Body))
	ev, err := webim.ParseWebhook("2.0", got[1].Body)
	require.NoError(t, err)
	typ, msg, ok := webim.BotMessage(ev.Messages[0])
	require.True(t, ok)
	require.Equal(t, botapi.TypeMessageOther, typ)
	require.Equal(t, "sticker_visitor", msg.Kind)
	require.JSONEq(t, `{"stickerId":7}`, string(msg.Data))

	require.ErrorIs(t, sb.SendSticker(ctx, id, 0), sandbox.ErrInvalid)
	require.NoError(t, sb.SendOther(ctx, id, "contacts", json.RawMessage(`{"phone":"+79990000000"}`)))
	require.Equal(t, "contacts", decode(t, mustRaw(t, h.received()[2].Body, "message"))["kind"])
	require.ErrorIs(t, sb.SendOther(ctx, id, "contacts", json.RawMessage(`[1]`)), sandbox.ErrInvalid)

	// The page's endpoint.
	resp, err := http.Post(srv.URL+"/sandbox/chats/"+itoa(id)+"/stickers?lang=en", "application/json", strings.NewReader(`{"sticker_id":2}`))
	require.NoError(t, err)
	v := decodeBody(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode, v)
	require.Equal(t, "Delivered to botbridge (200).", v["webhook"].(map[string]any)["note"])
	require.Len(t, h.received(), 4)
}

func decodeBody(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return decode(t, b)
}

// X-Webim-Version is configurable; without one (a Webim older than 10.3)
// no version header is sent at all.
func TestWebimVersionHeader(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, version, want string
	}{
		{"default", "", sandbox.WebimVersion},
		{"configured", "10.3.7", "10.3.7"},
		{"none", sandbox.NoVersion, ""},
	} {
		h := newHook(t)
		sb, _ := newSandboxWith(t, h, sandbox.Config{WebimVersion: tc.version})
		_, err := sb.StartChat(ctxT(t), "Ann")
		require.NoError(t, err, tc.name)
		r := h.received()[0]
		require.Equal(t, tc.want, r.Header.Get("X-Webim-Version"), tc.name)
		if tc.want == "" {
			require.Empty(t, r.Header.Get("X-Bot-API-Version"), "%s: old Webim sends no headers", tc.name)
			require.Empty(t, r.Header.Get("X-Bot-API-Dialect"), tc.name)
		} else {
			require.Equal(t, "2.0", r.Header.Get("X-Bot-API-Version"), tc.name)
		}
		require.Equal(t, tc.want, sb.Settings().WebimVersion, tc.name)
	}
}

// Webim before 10.4 cannot transfer to the general queue: redirect_chat
// without dep_key or operator_id is refused, targeted ones pass.
func TestQueueTransferNeedsWebim104(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		version string
		queueOK bool
	}{{"10.3.7", false}, {sandbox.NoVersion, false}, {"10.4", true}, {"11.0.1", true}, {"", true}} {
		sb, srv := newSandboxWith(t, newHook(t), sandbox.Config{WebimVersion: tc.version})
		ctx := ctxT(t)
		id, err := sb.StartChat(ctx, "Ann")
		require.NoError(t, err)
		a := call(t, srv, "Token "+token, "redirect_chat", `{"chat_id":`+itoa(id)+`}`)
		if tc.queueOK {
			require.Equal(t, http.StatusOK, a.Status, "%s: %s", tc.version, a.Desc)
			continue
		}
		require.Equal(t, http.StatusBadRequest, a.Status, tc.version)
		require.Equal(t, sandbox.ErrCodeQueueUnsupported, a.Error)
		require.Contains(t, a.Desc, "10.4")
		require.Equal(t, sandbox.StateBot, sb.Transcript(id).State, "nothing happened")
		a = call(t, srv, "Token "+token, "redirect_chat", `{"chat_id":`+itoa(id)+`,"dep_key":"sales"}`)
		require.Equal(t, http.StatusOK, a.Status, a.Desc)
	}
}

// Keyboards with a text above them and link buttons in Webim's own shape
// are not known to be refused by Webim, so the sandbox takes them.
func TestKeyboardTextAndLinkButtons(t *testing.T) {
	t.Parallel()
	sb, srv := newSandbox(t, newHook(t))
	ctx := ctxT(t)
	id, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	body := `{"chat_id":` + itoa(id) + `,"message":{"kind":"keyboard","text":"Pick one","buttons":[
		[{"id":"a","text":"A"},{"id":"docs","text":"Docs","config":{"link":"https://example.com/docs"},"params":{"type":"url"}}],
		[{"id":"b","text":"B","config":{"active":true,"hide_after_response":false},"params":{"type":"action","action":"x","color":"blue"}}]]}}`
	a := call(t, srv, "Token "+token, "send_message", body)
	require.Equal(t, http.StatusOK, a.Status, a.Desc)
	m := sb.Transcript(id).Messages[0]
	require.Equal(t, "Pick one", m.Text)
	require.Equal(t, [][]webim.Button{
		{{ID: "a", Text: "A"}, {ID: "docs", Text: "Docs", Config: &webim.ButtonConfig{Link: "https://example.com/docs"}, Params: &webim.ButtonParams{Type: "url"}}},
		{{ID: "b", Text: "B"}},
	}, m.Buttons)
	require.ErrorIs(t, sb.PressButton(ctx, id, "docs"), sandbox.ErrUnknownButton, "a link button opens its page, it sends nothing")
	require.NoError(t, sb.PressButton(ctx, id, "b"))

	// What the webim package builds for link buttons passes too.
	call2, _ := json.Marshal(webim.NewKeyboardMessage(webim.IntChat(id), [][]webim.Button{{{ID: "l", Text: "Site",
		Config: &webim.ButtonConfig{Link: "https://example.com"}, Params: &webim.ButtonParams{Type: "url"}}}}).Body)
	require.Equal(t, http.StatusOK, call(t, srv, "Token "+token, "send_message", string(call2)).Status)
}

// The operator console: write as the operator, hand the chat back to the
// bot (a second new_chat with the whole history), transfer and close.
func TestOperatorConsole(t *testing.T) {
	t.Parallel()
	h := newHook(t)
	sb, srv := newSandbox(t, h)
	ctx := ctxT(t)
	auth := "Token " + token
	id, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	c := itoa(id)
	require.ErrorIs(t, sb.OperatorSay(id, "too early"), sandbox.ErrNotWithOperator)
	require.ErrorIs(t, sb.ReturnToBot(ctx, id), sandbox.ErrNotWithOperator)
	require.ErrorIs(t, sb.CloseByOperator(ctx, id), sandbox.ErrNotWithOperator)

	require.NoError(t, sb.SendText(ctx, id, "hello"))
	for _, b := range []string{
		`{"chat_id":` + c + `,"message":{"kind":"operator","text":"Hi Ann"}}`,
		`{"chat_id":` + c + `,"message":{"kind":"keyboard","buttons":[[{"id":"p","text":"Prices"}]]}}`,
	} {
		require.Equal(t, http.StatusOK, call(t, srv, auth, "send_message", b).Status)
	}
	require.NoError(t, sb.PressButton(ctx, id, "p"))
	require.Equal(t, http.StatusOK, call(t, srv, auth, "send_message", `{"chat_id":`+c+`,"message":{"kind":"operator","text":"Connecting you"}}`).Status)
	require.Equal(t, http.StatusOK, call(t, srv, auth, "redirect_chat", `{"chat_id":`+c+`,"dep_key":"sales"}`).Status)

	require.NoError(t, sb.OperatorSay(id, "I'm Anna, how can I help?"))
	require.NoError(t, sb.SendText(ctx, id, "my order is late"))
	require.NoError(t, sb.SendSticker(ctx, id, 4))
	require.NoError(t, sb.OperatorSay(id, "It ships today"))
	require.ErrorIs(t, sb.OperatorSay(id, " "), sandbox.ErrInvalid)
	require.Equal(t, []string{"I'm Anna, how can I help?", "It ships today"}, sb.Transcript(id).OperatorTexts())
	require.Equal(t, http.StatusBadRequest, call(t, srv, auth, "send_message", `{"chat_id":`+c+`,"message":{"kind":"operator","text":"x"}}`).Status,
		"the bot does not own the chat while the operator has it")
	before := len(h.received())
	require.Equal(t, 3, before, "new_chat, hello, the press: nothing after the transfer reached the bot")

	require.NoError(t, sb.ReturnToBot(ctx, id))
	tr := sb.Transcript(id)
	require.Equal(t, sandbox.StateBot, tr.State)
	require.Empty(t, tr.Target)
	require.Len(t, tr.Returns, 1)
	require.True(t, tr.Returns[0].OK)
	require.Equal(t, "The operator returned the chat to the bot", tr.Notices()[1])
	got := h.received()
	require.Len(t, got, before+1)
	body := got[before].Body
	require.Equal(t, "new_chat", decode(t, body)["event"])
	require.Equal(t, c, string(mustRaw(t, body, "chat", "id")), "the same chat")

	// The history: every message so far but the notices, in order, each
	// with its id; the bot's as operator messages, as Webim lists them.
	var history []struct {
		ID      string          `json:"id"`
		Kind    string          `json:"kind"`
		Text    string          `json:"text"`
		Buttons json.RawMessage `json:"buttons"`
		Data    json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(mustRaw(t, body, "messages"), &history))
	var shape []string
	ids := map[string]bool{}
	for i, m := range history {
		require.NotEmpty(t, m.ID, i)
		ids[m.ID] = true
		shape = append(shape, m.Kind+":"+m.Text)
	}
	require.Len(t, ids, len(history), "ids are distinct")
	require.Equal(t, []string{
		"visitor:hello",
		"operator:Hi Ann",
		"keyboard:",
		"keyboard_response:",
		"operator:Connecting you",
		"operator:I'm Anna, how can I help?",
		"visitor:my order is late",
		"sticker_visitor:",
		"operator:It ships today",
	}, shape)
	require.JSONEq(t, `[[{"id":"p","text":"Prices"}]]`, string(history[2].Buttons))
	require.JSONEq(t, `{"button":{"id":"p","text":"Prices"},"request":{"messageId":"`+history[2].ID+`"}}`, string(history[3].Data))
	require.JSONEq(t, `{"stickerId":4}`, string(history[7].Data))
	for i, m := range tr.Messages[:len(history)] {
		if m.From != sandbox.FromSystem {
			require.Equal(t, m.ID, history[i].ID, "history ids are the transcript's")
		}
		if i == 4 {
			break // the transfer notice comes next
		}
	}
	ev, err := webim.ParseWebhook("2.0", body)
	require.NoError(t, err)
	require.Len(t, ev.Messages, len(history))
	require.Equal(t, "Ann", ev.Visitor.Name)

	// The bot owns the chat again.
	require.Equal(t, http.StatusOK, call(t, srv, auth, "send_message", `{"chat_id":`+c+`,"message":{"kind":"operator","text":"Welcome back"}}`).Status)
	require.NoError(t, sb.SendText(ctx, id, "thanks"))
	require.Len(t, h.received(), before+2)

	// Transfer again; the operator closes it.
	require.Equal(t, http.StatusOK, call(t, srv, auth, "redirect_chat", `{"chat_id":`+c+`,"operator_id":42}`).Status)
	require.NoError(t, sb.CloseByOperator(ctx, id), "no chat events URL: nothing to call, no error")
	tr = sb.Transcript(id)
	require.Equal(t, sandbox.StateClosed, tr.State)
	require.Equal(t, "The operator closed the chat", tr.Notices()[len(tr.Notices())-1])
	require.Empty(t, tr.ChatEvents)
	require.ErrorIs(t, sb.SendText(ctx, id, "hello?"), sandbox.ErrChatClosed)
	require.ErrorIs(t, sb.OperatorSay(id, "x"), sandbox.ErrChatClosed)
	require.ErrorIs(t, sb.ReturnToBot(ctx, 999999), sandbox.ErrChatNotFound)
}

// chatEvents is a fake botbridge chat events URL.
type chatEvents struct {
	mu     sync.Mutex
	got    []received
	users  []string
	status int
	srv    *httptest.Server
}

func newChatEvents(t *testing.T) *chatEvents {
	ce := &chatEvents{status: http.StatusOK}
	ce.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		user, pass, ok := r.BasicAuth()
		ce.mu.Lock()
		defer ce.mu.Unlock()
		ce.got = append(ce.got, received{Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		if ok {
			ce.users = append(ce.users, user+":"+pass)
		} else {
			ce.users = append(ce.users, "")
		}
		w.WriteHeader(ce.status)
		_, _ = io.WriteString(w, `{"result":"ok"}`)
	}))
	t.Cleanup(ce.srv.Close)
	return ce
}

// url is the chat events URL with Basic credentials in it, as an owner
// pastes it into Webim.
func (ce *chatEvents) url(user, pass string) string {
	return strings.Replace(ce.srv.URL, "http://", "http://"+user+":"+pass+"@", 1) + "/webhooks/webim/key123/chat-events"
}

func (ce *chatEvents) received() ([]received, []string) {
	ce.mu.Lock()
	defer ce.mu.Unlock()
	return append([]received(nil), ce.got...), append([]string(nil), ce.users...)
}

// Closing a chat calls the chat events URL with chat_closed and the URL's
// Basic credentials; a transfer may report chat_assigned. botbridge's
// parser reads both.
func TestCloseCallsChatEvents(t *testing.T) {
	t.Parallel()
	ce := newChatEvents(t)
	sb, srv := newSandboxWith(t, newHook(t), sandbox.Config{ChatEventsURL: ce.url("webim-7-abc", "s3cr%2Ft"), ChatAssigned: true})
	ctx := ctxT(t)
	auth := "Token " + token

	id, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, call(t, srv, auth, "redirect_chat", `{"chat_id":`+itoa(id)+`,"operator_id":42}`).Status)
	_, err = sb.WaitFor(ctx, id, sandbox.HasChatEvent(webim.ChatEventAssigned))
	require.NoError(t, err)
	require.NoError(t, sb.CloseByOperator(ctx, id))

	got, users := ce.received()
	require.Len(t, got, 2)
	require.Equal(t, []string{"webim-7-abc:s3cr/t", "webim-7-abc:s3cr/t"}, users, "Basic credentials from the URL, unescaped")
	for _, r := range got {
		require.Equal(t, "/webhooks/webim/key123/chat-events", r.Path)
		require.Equal(t, "application/json", r.Header.Get("Content-Type"))
		require.Equal(t, sandbox.WebimVersion, r.Header.Get("X-Webim-Version"))
	}
	require.JSONEq(t, `{"event":"chat_assigned","chat":{"id":`+itoa(id)+`},"operator":{"id":42,"name":"Operator 42"}}`, string(got[0].Body))
	require.JSONEq(t, `{"event":"chat_closed","chat":{"id":`+itoa(id)+`}}`, string(got[1].Body))
	ev, err := webim.ParseChatEvent("", got[0].Body)
	require.NoError(t, err)
	require.Equal(t, webim.ChatEvent{Name: "chat_assigned", ChatID: itoa(id), OperatorID: "42", OperatorName: "Operator 42",
		Raw: ev.Raw, BodyHash: ev.BodyHash}, ev)
	ev, err = webim.ParseChatEvent("", got[1].Body)
	require.NoError(t, err)
	require.Equal(t, webim.ChatEventClosed, ev.Name)
	require.Equal(t, itoa(id), ev.ChatID)
	tr := sb.Transcript(id)
	require.Len(t, tr.ChatEvents, 2)
	require.True(t, tr.ChatEvents[1].OK)
	require.Equal(t, "chat_closed delivered to the chat events URL (200).", tr.ChatEvents[1].Note)

	// A department transfer names the console's operator; a string chat
	// sends its id as a string.
	require.NoError(t, sb.SetSettings(sandbox.Settings{StringChatIDs: true, WebimVersion: "10.5.62", ChatEventsURL: ce.url("u", "p"), ChatAssigned: true}))
	id2, err := sb.StartChat(ctx, "Bob")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, call(t, srv, auth, "redirect_chat", `{"chat_id":"`+itoa(id2)+`","dep_key":"sales"}`).Status)
	_, err = sb.WaitFor(ctx, id2, sandbox.HasChatEvent(webim.ChatEventAssigned))
	require.NoError(t, err)
	got, _ = ce.received()
	require.JSONEq(t, `{"event":"chat_assigned","chat":{"id":"`+itoa(id2)+`"},"operator":{"id":240001,"name":"Anna (sandbox operator)"}}`, string(got[2].Body))

	// Wrong credentials: the chat is closed all the same, the error says why.
	ce.mu.Lock()
	ce.status = http.StatusUnauthorized
	ce.mu.Unlock()
	err = sb.CloseByOperator(ctx, id2)
	var cerr *sandbox.ChatEventError
	require.True(t, errors.As(err, &cerr), "%v", err)
	require.Equal(t, http.StatusUnauthorized, cerr.Result.Status)
	require.Contains(t, cerr.Result.Note, "401")
	require.Equal(t, sandbox.StateClosed, sb.Transcript(id2).State)

	// The page's endpoint reports the call in the page's language.
	require.NoError(t, sb.SetSettings(sandbox.Settings{WebimVersion: "10.5.62", ChatEventsURL: ce.url("u", "p")}))
	ce.mu.Lock()
	ce.status = http.StatusOK
	ce.mu.Unlock()
	id3, err := sb.StartChat(ctx, "Cid")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, call(t, srv, auth, "redirect_chat", `{"chat_id":`+itoa(id3)+`}`).Status)
	resp, err := http.Post(srv.URL+"/sandbox/chats/"+itoa(id3)+"/operator/close?lang=ru", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	v := decodeBody(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode, v)
	require.Equal(t, "Событие chat_closed доставлено по адресу для событий чатов (200).", v["chat_event"].(map[string]any)["note"])
	got, _ = ce.received()
	require.Len(t, got, 5, "no chat_assigned once it is switched off")
}

// The operator console's JSON endpoints, as the page uses them.
func TestOperatorEndpoints(t *testing.T) {
	t.Parallel()
	h := newHook(t)
	sb, srv := newSandbox(t, h)
	ctx := ctxT(t)
	id, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	cp := srv.URL + "/sandbox/chats/" + itoa(id) + "/operator/"
	post := func(url, body string) (int, map[string]any) {
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		v := decodeBody(t, resp)
		return resp.StatusCode, v
	}
	status, v := post(cp+"messages?lang=en", `{"text":"hi"}`)
	require.Equal(t, http.StatusConflict, status)
	require.Equal(t, "Only a chat the bot has transferred is with the operator.", v["desc"])
	status, v = post(cp+"messages?lang=ru", `{"text":"hi"}`)
	require.Equal(t, http.StatusConflict, status)
	require.Equal(t, "Оператору доступен только чат, который перевёл бот.", v["desc"])

	require.Equal(t, http.StatusOK, call(t, srv, "Token "+token, "redirect_chat", `{"chat_id":`+itoa(id)+`,"dep_key":"sales"}`).Status)
	status, v = post(cp+"messages?lang=ru", `{"text":"Здравствуйте!"}`)
	require.Equal(t, http.StatusOK, status, v)
	msgs := v["transcript"].(map[string]any)["messages"].([]any)
	require.Equal(t, "Чат переведён в отдел sales", msgs[0].(map[string]any)["text"], "notices in the page's language")
	require.Equal(t, "operator", msgs[1].(map[string]any)["from"])
	status, v = post(cp+"return?lang=en", `{}`)
	require.Equal(t, http.StatusOK, status, v)
	require.Equal(t, "Delivered to botbridge (200).", v["webhook"].(map[string]any)["note"])
	require.Equal(t, "bot", v["transcript"].(map[string]any)["state"])
	status, _ = post(cp+"close", `{}`)
	require.Equal(t, http.StatusConflict, status, "the bot has the chat again")
	status, _ = post(srv.URL+"/sandbox/chats/999999/operator/return", `{}`)
	require.Equal(t, http.StatusNotFound, status)
}

// Settings can be changed from the page (and another process).
func TestSettingsEndpoint(t *testing.T) {
	t.Parallel()
	sb, srv := newSandbox(t, newHook(t))
	resp, err := http.Get(srv.URL + "/sandbox/settings")
	require.NoError(t, err)
	v := decodeBody(t, resp)
	require.Equal(t, map[string]any{"string_chat_ids": false, "no_message_ids": false, "webim_version": "10.5.62",
		"chat_events_url": "", "chat_assigned": false}, v)
	resp, err = http.Post(srv.URL+"/sandbox/settings", "application/json", strings.NewReader(
		`{"string_chat_ids":true,"no_message_ids":true,"webim_version":"10.3.1","chat_events_url":"https://u:p@example.com/x/chat-events","chat_assigned":true}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, sandbox.Settings{StringChatIDs: true, NoMessageIDs: true, WebimVersion: "10.3.1",
		ChatEventsURL: "https://u:p@example.com/x/chat-events", ChatAssigned: true}, sb.Settings())
	for _, bad := range []string{`{"chat_events_url":"ftp://x"}`, `{"webim_version":"` + strings.Repeat("1", 40) + `"}`, `{"nope":1}`} {
		resp, err = http.Post(srv.URL+"/sandbox/settings", "application/json", strings.NewReader(bad))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, bad)
	}
	require.Error(t, sb.SetChatEventsURL("not a url"))
}

// The page speaks Russian or English: ?lang= (remembered in a cookie),
// else Accept-Language, else the configured language, else Russian.
func TestPageLanguage(t *testing.T) {
	t.Parallel()
	_, srv := newSandbox(t, newHook(t))
	_, srvEN := newSandboxWith(t, newHook(t), sandbox.Config{Language: "en"})
	get := func(url, acceptLang, cookie string) (string, *http.Response) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if acceptLang != "" {
			req.Header.Set("Accept-Language", acceptLang)
		}
		if cookie != "" {
			req.Header.Set("Cookie", "sandbox_lang="+cookie)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(b), resp
	}
	page, resp := get(srv.URL+"/", "", "")
	require.Contains(t, page, `<html lang="ru">`)
	require.Contains(t, page, ">Начать чат</button>")
	require.Contains(t, page, ">Пульт оператора</h2>")
	require.Contains(t, page, `href="/?lang=en"`)
	require.Equal(t, "ru", resp.Header.Get("Content-Language"))
	page, _ = get(srv.URL+"/", "en-GB,en;q=0.9", "")
	require.Contains(t, page, `<html lang="en">`)
	require.Contains(t, page, ">Start chat</button>")
	require.Contains(t, page, ">Operator console</h2>")
	require.Contains(t, page, "Sticker #%s", "the script's texts come with the page")
	page, _ = get(srvEN.URL+"/", "", "")
	require.Contains(t, page, `<html lang="en">`, "the configured language")
	page, resp = get(srv.URL+"/?lang=en", "ru", "")
	require.Contains(t, page, `<html lang="en">`)
	require.Contains(t, resp.Header.Get("Set-Cookie"), "sandbox_lang=en")
	page, _ = get(srv.URL+"/", "en", "ru")
	require.Contains(t, page, `<html lang="ru">`, "the switch beats the browser")
	require.Contains(t, page, "Стикер №%s")
}

// Chat event calls in flight do not outlive Close.
func TestCloseWaitsForChatEvents(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	sb := sandbox.New(sandbox.Config{Token: token, WebhookURL: newHook(t).srv.URL, ChatEventsURL: slow.URL, ChatAssigned: true})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	id, err := sb.StartChat(context.Background(), "Ann")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, call(t, srv, "Token "+token, "redirect_chat", `{"chat_id":`+itoa(id)+`,"dep_key":"x"}`).Status)
	start := time.Now()
	sb.Close()
	require.Less(t, time.Since(start), 3*time.Second, "Close cancels the call")
}
