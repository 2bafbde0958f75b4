package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/internal/webim"
)

const token = "test-token"

// received is one webhook the fake botbridge got.
type received struct {
	Path    string
	Header  http.Header
	Body    []byte
	Version string
}

// hook is a fake botbridge: it records webhooks and answers with status
// (200 {"result":"ok"} by default) or with answer when set.
type hook struct {
	mu      sync.Mutex
	got     []received
	status  int
	answer  string
	onEvent func(webim.Event)
	srv     *httptest.Server
}

func newHook(t *testing.T) *hook {
	t.Helper()
	h := &hook{status: http.StatusOK}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		version := r.Header.Get(webim.HeaderVersion)
		if version == "" && strings.HasSuffix(r.URL.Path, "/v1") {
			version = webim.Version1
		}
		h.mu.Lock()
		h.got = append(h.got, received{Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Version: version})
		status, answer, on := h.status, h.answer, h.onEvent
		h.mu.Unlock()
		if on != nil && status == http.StatusOK {
			ev, err := webim.ParseWebhook(version, body)
			if err == nil {
				on(ev)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if answer != "" {
			_, _ = io.WriteString(w, answer)
		} else if status == http.StatusOK {
			_, _ = io.WriteString(w, `{"result":"ok"}`)
		} else {
			_, _ = io.WriteString(w, `{"error":"nope"}`)
		}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) received() []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]received(nil), h.got...)
}

func (h *hook) set(status int, answer string) {
	h.mu.Lock()
	h.status, h.answer = status, answer
	h.mu.Unlock()
}

// newSandbox runs a sandbox over real HTTP whose webhooks go to h.
func newSandbox(t *testing.T, h *hook) (*sandbox.Server, *httptest.Server) {
	t.Helper()
	url := ""
	if h != nil {
		url = h.srv.URL + "/webhooks/webim/key123"
	}
	sb := sandbox.New(sandbox.Config{Token: token, WebhookURL: url})
	srv := httptest.NewServer(sb)
	t.Cleanup(func() {
		sb.Close()
		srv.Close()
	})
	return sb, srv
}

type apiAnswer struct {
	Status     int
	Header     http.Header
	Result     string `json:"result"`
	Error      string `json:"error"`
	Desc       string `json:"desc"`
	RetryAfter string
}

func call(t *testing.T, srv *httptest.Server, auth, method, body string) apiAnswer {
	t.Helper()
	return callWith(t, http.DefaultClient, srv, auth, method, body)
}

func callWith(t *testing.T, c *http.Client, srv *httptest.Server, auth, method, body string) apiAnswer {
	t.Helper()
	a, err := tryCallWith(c, srv, auth, method, body)
	require.NoError(t, err)
	return a
}

// tryCall is call for goroutines other than the test's: the error goes
// back to the caller, who asserts on the test goroutine.
func tryCall(srv *httptest.Server, auth, method, body string) (apiAnswer, error) {
	return tryCallWith(http.DefaultClient, srv, auth, method, body)
}

func tryCallWith(c *http.Client, srv *httptest.Server, auth, method, body string) (apiAnswer, error) {
	var a apiAnswer
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/bot/v2/"+method, strings.NewReader(body))
	if err != nil {
		return a, err
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.Do(req)
	if err != nil {
		return a, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("%s: answer %q: %w", method, raw, err)
	}
	a.Status, a.Header = resp.StatusCode, resp.Header
	// The bridge classifies answers with webim.ParseAPIResult: the
	// sandbox's must classify the same way Webim's would.
	switch err := webim.ParseAPIResult(a.Status, raw); {
	case a.Status == http.StatusOK && err != nil:
		return a, fmt.Errorf("%s: 200 classified as an error: %w", method, err)
	case a.Status != http.StatusOK && err == nil:
		return a, fmt.Errorf("%s: %d classified as success", method, a.Status)
	}
	return a, nil
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestAPIRequiresToken(t *testing.T) {
	t.Parallel()
	sb, srv := newSandbox(t, newHook(t))
	id, err := sb.StartChat(ctxT(t), "Ann")
	require.NoError(t, err)
	body := `{"chat_id":` + itoa(id) + `,"message":{"kind":"operator","text":"hi"}}`
	for _, auth := range []string{"", "Token wrong", "Bearer " + token, token, "Token"} {
		a := call(t, srv, auth, "send_message", body)
		require.Equal(t, http.StatusUnauthorized, a.Status, "auth %q", auth)
		require.Equal(t, "unauthorized", a.Error)
		require.NotEmpty(t, a.Desc)
	}
	require.Empty(t, sb.Transcript(id).BotMessages(), "refused calls change nothing")
	a := call(t, srv, "Token "+token, "send_message", body)
	require.Equal(t, http.StatusOK, a.Status, a.Desc)
	require.Equal(t, "ok", a.Result)
	require.Equal(t, sandbox.Stats{Received: 6, Accepted: 1, Failed: 5}, sb.Stats())
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestAPIValidation(t *testing.T) {
	t.Parallel()
	sb, srv := newSandbox(t, newHook(t))
	ctx := ctxT(t)
	id, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	closed, err := sb.StartChat(ctx, "Bob")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, call(t, srv, "Token "+token, "close_chat", `{"chat_id":`+itoa(closed)+`}`).Status)
	moved, err := sb.StartChat(ctx, "Cid")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, call(t, srv, "Token "+token, "redirect_chat", `{"chat_id":`+itoa(moved)+`,"dep_key":"sales"}`).Status)
	before := sb.Stats().Accepted

	c := itoa(id)
	cases := []struct {
		name, method, body, code, desc string
	}{
		{"not JSON", "send_message", `hello`, "bad_request", "JSON object"},
		{"array", "send_message", `[1]`, "bad_request", "JSON object"},
		{"truncated", "send_message", `{"chat_id":` + c, "bad_request", ""},
		{"trailing data", "close_chat", `{"chat_id":` + c + `} {}`, "bad_request", "after the JSON"},
		{"no chat_id", "send_message", `{"message":{"kind":"operator","text":"x"}}`, "bad_request", "chat_id is required"},
		{"chat_id string", "send_message", `{"chat_id":"` + c + `","message":{"kind":"operator","text":"x"}}`, "bad_request", "chat_id must be an integer"},
		{"chat_id fraction", "close_chat", `{"chat_id":1.5}`, "bad_request", "chat_id must be an integer"},
		{"chat_id null", "close_chat", `{"chat_id":null}`, "bad_request", "chat_id must not be null"},
		{"unknown chat", "close_chat", `{"chat_id":999999}`, "chat_not_found", "999999"},
		{"closed chat", "send_message", `{"chat_id":` + itoa(closed) + `,"message":{"kind":"operator","text":"x"}}`, "chat_closed", ""},
		{"transferred chat", "close_chat", `{"chat_id":` + itoa(moved) + `}`, "chat_transferred", "department sales"},
		{"unknown field", "close_chat", `{"chat_id":` + c + `,"reason":"x"}`, "bad_request", `unknown field "reason"`},
		{"no message", "send_message", `{"chat_id":` + c + `}`, "bad_request", "message is required"},
		{"message null", "send_message", `{"chat_id":` + c + `,"message":null}`, "bad_request", "message must not be null"},
		{"no kind", "send_message", `{"chat_id":` + c + `,"message":{"text":"x"}}`, "bad_request", "message.kind is required"},
		{"unknown kind", "send_message", `{"chat_id":` + c + `,"message":{"kind":"visitor","text":"x"}}`, "bad_request", "message.kind must be"},
		{"operator without text", "send_message", `{"chat_id":` + c + `,"message":{"kind":"operator","text":"  "}}`, "bad_request", "message.text is required"},
		{"text a number", "send_message", `{"chat_id":` + c + `,"message":{"kind":"operator","text":5}}`, "bad_request", "text must be a string"},
		{"operator with buttons", "send_message", `{"chat_id":` + c + `,"message":{"kind":"operator","text":"x","buttons":[[{"id":"a","text":"A"}]]}}`, "bad_request", "not allowed"},
		{"keyboard without buttons", "send_message", `{"chat_id":` + c + `,"message":{"kind":"keyboard"}}`, "bad_request", "at least one row"},
		{"keyboard empty row", "send_message", `{"chat_id":` + c + `,"message":{"kind":"keyboard","buttons":[[]]}}`, "bad_request", "buttons[0] is an empty row"},
		{"button without id", "send_message", `{"chat_id":` + c + `,"message":{"kind":"keyboard","buttons":[[{"text":"A"}]]}}`, "bad_request", "buttons[0][0].id is required"},
		{"button without text", "send_message", `{"chat_id":` + c + `,"message":{"kind":"keyboard","buttons":[[{"id":"a"}]]}}`, "bad_request", "buttons[0][0].text is required"},
		{"link button", "send_message", `{"chat_id":` + c + `,"message":{"kind":"keyboard","buttons":[[{"id":"a","text":"A","url":"https://x"}]]}}`, "bad_request", `unknown field "url"`},
		{"keyboard with data", "send_message", `{"chat_id":` + c + `,"message":{"kind":"keyboard","data":{"url":"https://x/a","name":"a","media_type":"a/b"},"buttons":[[{"id":"a","text":"A"}]]}}`, "bad_request", "not allowed"},
		{"link button without link", "send_message", `{"chat_id":` + c + `,"message":{"kind":"keyboard","buttons":[[{"id":"a","text":"A","params":{"type":"url"}}]]}}`, "bad_request", "config.link must be"},
		{"link button bad link", "send_message", `{"chat_id":` + c + `,"message":{"kind":"keyboard","buttons":[[{"id":"a","text":"A","config":{"link":"javascript:alert(1)"},"params":{"type":"url"}}]]}}`, "bad_request", "config.link must be"},
		{"button unknown config", "send_message", `{"chat_id":` + c + `,"message":{"kind":"keyboard","buttons":[[{"id":"a","text":"A","config":{"href":"https://x"}}]]}}`, "bad_request", `unknown field "href"`},
		{"file without data", "send_message", `{"chat_id":` + c + `,"message":{"kind":"file_operator"}}`, "bad_request", "message.data is required"},
		{"file bad url", "send_message", `{"chat_id":` + c + `,"message":{"kind":"file_operator","data":{"url":"ftp://x/a.png","name":"a.png","media_type":"image/png"}}}`, "bad_request", "http or https"},
		{"file no name", "send_message", `{"chat_id":` + c + `,"message":{"kind":"file_operator","data":{"url":"https://x/a.png","media_type":"image/png"}}}`, "bad_request", "data.name is required"},
		{"file bad media type", "send_message", `{"chat_id":` + c + `,"message":{"kind":"file_operator","data":{"url":"https://x/a.png","name":"a.png","media_type":"png"}}}`, "bad_request", "media_type"},
		{"redirect both targets", "redirect_chat", `{"chat_id":` + c + `,"dep_key":"sales","operator_id":42}`, "bad_request", "not both"},
		{"redirect empty dep", "redirect_chat", `{"chat_id":` + c + `,"dep_key":""}`, "bad_request", "dep_key must not be empty"},
		{"redirect operator string", "redirect_chat", `{"chat_id":` + c + `,"operator_id":"42"}`, "bad_request", "operator_id must be an integer"},
		{"redirect operator zero", "redirect_chat", `{"chat_id":` + c + `,"operator_id":0}`, "bad_request", "positive"},
		{"redirect unknown field", "redirect_chat", `{"chat_id":` + c + `,"department":"sales"}`, "bad_request", "unknown field"},
	}
	for _, tc := range cases {
		a := call(t, srv, "Token "+token, tc.method, tc.body)
		require.Equal(t, http.StatusBadRequest, a.Status, tc.name)
		require.Equal(t, tc.code, a.Error, "%s: %s", tc.name, a.Desc)
		require.Contains(t, a.Desc, tc.desc, tc.name)
	}
	require.Equal(t, before, sb.Stats().Accepted, "nothing refused was applied")
	require.Empty(t, sb.Transcript(id).Messages)
	require.Equal(t, sandbox.StateBot, sb.Transcript(id).State)

	a := call(t, srv, "Token "+token, "frobnicate", `{}`)
	require.Equal(t, http.StatusNotFound, a.Status)
	require.Equal(t, "unknown_method", a.Error)

	resp, err := http.Get(srv.URL + "/api/bot/v2/send_message")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	big := `{"chat_id":` + c + `,"message":{"kind":"operator","text":"` + strings.Repeat("x", 1<<20) + `"}}`
	require.Equal(t, http.StatusRequestEntityTooLarge, call(t, srv, "Token "+token, "send_message", big).Status)
}

// Accepted calls build the visitor's transcript, in order.
func TestAPIRecordsTranscript(t *testing.T) {
	t.Parallel()
	sb, srv := newSandbox(t, newHook(t))
	ctx := ctxT(t)
	auth := "Token " + token
	id, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	c := itoa(id)

	for _, b := range []string{
		`{"chat_id":` + c + `,"message":{"kind":"operator","text":"Hello"}}`,
		`{"chat_id":` + c + `,"message":{"kind":"keyboard","buttons":[[{"id":"a","text":"A"},{"id":"b","text":"B"}],[{"id":"c","text":"C"}]]}}`,
		`{"chat_id":` + c + `,"message":{"kind":"file_operator","data":{"url":"https://example.com/a.png","name":"a.png","media_type":"image/png"}}}`,
	} {
		a := call(t, srv, auth, "send_message", b)
		require.Equal(t, http.StatusOK, a.Status, a.Desc)
	}
	require.NoError(t, sb.PressButton(ctx, id, "c"))
	require.Equal(t, http.StatusOK, call(t, srv, auth, "redirect_chat", `{"chat_id":`+c+`,"dep_key":"sales","allow_redirect_to_offline_dep":true}`).Status)
	require.NoError(t, sb.SendText(ctx, id, "anyone there?"), "after a transfer the visitor still writes, but nothing is sent")

	tr := sb.Transcript(id)
	require.Equal(t, sandbox.StateTransferred, tr.State)
	require.Equal(t, "department sales", tr.Target)
	require.Equal(t, &webim.RedirectChat{ChatID: webim.IntChat(id), DepKey: "sales"}, tr.Transfer)
	require.Equal(t, []string{"Hello"}, tr.BotTexts())
	require.Equal(t, [][][]webim.Button{{{{ID: "a", Text: "A"}, {ID: "b", Text: "B"}}, {{ID: "c", Text: "C"}}}}, tr.Keyboards())
	require.Equal(t, []webim.FileData{{URL: "https://example.com/a.png", Name: "a.png", MediaType: "image/png"}}, tr.Files())
	require.Equal(t, []string{"Transferred to department sales"}, tr.Notices())
	kinds := []string{}
	for _, m := range tr.Messages {
		kinds = append(kinds, m.From+":"+m.Kind)
		require.NotEmpty(t, m.ID)
	}
	require.Equal(t, []string{"bot:operator", "bot:keyboard", "bot:file_operator", "visitor:keyboard_response", "system:transfer", "visitor:visitor"}, kinds)
	last := tr.Messages[len(tr.Messages)-1]
	require.Contains(t, last.Delivery.Note, "Not sent to the bot")
	require.Equal(t, tr.Messages[1].ID, tr.Messages[3].ReplyTo, "the press names its keyboard")

	// Operator and queue transfers, and closing, on fresh chats.
	op, _ := sb.StartChat(ctx, "Bob")
	require.Equal(t, http.StatusOK, call(t, srv, auth, "redirect_chat", `{"chat_id":`+itoa(op)+`,"operator_id":42}`).Status)
	require.Equal(t, []string{"Transferred to operator 42"}, sb.Transcript(op).Notices())
	q, _ := sb.StartChat(ctx, "Cid")
	require.Equal(t, http.StatusOK, call(t, srv, auth, "redirect_chat", `{"chat_id":`+itoa(q)+`}`).Status)
	require.Equal(t, []string{"Transferred to the queue"}, sb.Transcript(q).Notices())
	cl, _ := sb.StartChat(ctx, "Dee")
	require.Equal(t, http.StatusOK, call(t, srv, auth, "close_chat", `{"chat_id":`+itoa(cl)+`}`).Status)
	require.Equal(t, sandbox.StateClosed, sb.Transcript(cl).State)
	require.Equal(t, []string{"Chat closed"}, sb.Transcript(cl).Notices())
	require.ErrorIs(t, sb.SendText(ctx, cl, "hello?"), sandbox.ErrChatClosed)

	calls := sb.AcceptedCalls()
	require.Len(t, calls, 7)
	require.Equal(t, "send_message", calls[0].Method)
	require.Equal(t, id, calls[0].ChatID)
	require.JSONEq(t, `{"chat_id":`+c+`,"message":{"kind":"operator","text":"Hello"}}`, calls[0].Body)
	require.Equal(t, "close_chat", calls[6].Method)
}

// The API accepts exactly what the webim package's call builders produce.
func TestAPIAcceptsWebimCalls(t *testing.T) {
	t.Parallel()
	sb, srv := newSandbox(t, newHook(t))
	ctx := ctxT(t)
	id, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	calls := []webim.Call{
		webim.NewTextMessage(webim.IntChat(id), "Hi"),
		webim.NewKeyboardMessage(webim.IntChat(id), [][]webim.Button{{{ID: "y", Text: "Yes"}}}),
		webim.NewFileMessage(webim.IntChat(id), webim.FileData{URL: "https://example.com/a.pdf", Name: "a.pdf", MediaType: "application/pdf"}),
		webim.NewRedirectToOperator(webim.IntChat(id), 7),
	}
	for _, c := range calls {
		body, err := json.Marshal(c.Body)
		require.NoError(t, err)
		a := call(t, srv, "Token "+token, c.Method, string(body))
		require.Equal(t, http.StatusOK, a.Status, "%s: %s", c.Method, a.Desc)
	}
	require.Equal(t, "operator 7", sb.Transcript(id).Target)
	for _, c := range []webim.Call{webim.NewRedirectToDepartment(webim.IntChat(id+1), "x"), webim.NewRedirectToQueue(webim.IntChat(id + 1)), webim.NewCloseChat(webim.IntChat(id + 1))} {
		body, _ := json.Marshal(c.Body)
		require.Equal(t, "chat_not_found", call(t, srv, "Token "+token, c.Method, string(body)).Error)
	}
}

// The visitor's actions reach the webhook URL as the documented Webim 2.0
// payloads, and botbridge's parser reads them as the expected events.
func TestWebhooksAreWebimPayloads(t *testing.T) {
	t.Parallel()
	h := newHook(t)
	sb, srv := newSandbox(t, h)
	ctx := ctxT(t)

	id, err := sb.StartChat(ctx, "John")
	require.NoError(t, err)
	require.NoError(t, sb.SendText(ctx, id, "привет"))
	c := itoa(id)
	require.Equal(t, http.StatusOK, call(t, srv, "Token "+token, "send_message",
		`{"chat_id":`+c+`,"message":{"kind":"keyboard","buttons":[[{"id":"hi","text":"Hello there"}]]}}`).Status)
	require.NoError(t, sb.PressButton(ctx, id, "hi"))
	require.ErrorIs(t, sb.PressButton(ctx, id, "nope"), sandbox.ErrUnknownButton)
	require.ErrorIs(t, sb.SendText(ctx, 424242, "x"), sandbox.ErrChatNotFound)
	require.ErrorIs(t, sb.SendText(ctx, id, "  "), sandbox.ErrInvalid)

	got := h.received()
	require.Len(t, got, 3)
	tr := sb.Transcript(id)
	for _, r := range got {
		require.Equal(t, "/webhooks/webim/key123", r.Path)
		require.Equal(t, "application/json", r.Header.Get("Content-Type"))
		require.Equal(t, "2.0", r.Header.Get("X-Bot-API-Version"))
		require.Equal(t, "Webim Standard", r.Header.Get("X-Bot-API-Dialect"))
		require.NotEmpty(t, r.Header.Get("X-Webim-Version"))
	}

	// new_chat, exactly as documented.
	require.JSONEq(t, `{"event":"new_chat","chat":{"id":`+c+`},"visitor":{"id":"`+tr.Visitor.ID+`","fields":{"name":"John"}},"messages":[]}`, string(got[0].Body))
	ev, err := webim.ParseWebhook("2.0", got[0].Body)
	require.NoError(t, err)
	require.Equal(t, webim.EventNewChat, ev.Name)
	require.Equal(t, c, ev.ChatID)
	require.Equal(t, webim.Visitor{ID: tr.Visitor.ID, Name: "John"}, ev.Visitor)
	require.Empty(t, ev.Messages)

	// new_message, visitor text.
	text := tr.Messages[0]
	require.JSONEq(t, `{"event":"new_message","chat_id":`+c+`,"message":{"id":"`+text.ID+`","kind":"visitor","text":"привет"}}`, string(got[1].Body))
	ev, err = webim.ParseWebhook("2.0", got[1].Body)
	require.NoError(t, err)
	require.Equal(t, []webim.Message{{ID: text.ID, Kind: webim.KindVisitor, Text: "привет"}}, ev.Messages)
	require.Equal(t, "msg:"+c+":"+text.ID, webim.DedupKey(ev))

	// new_message, keyboard_response naming the keyboard message.
	kb, press := tr.Messages[1], tr.Messages[2]
	require.Equal(t, webim.KindKeyboard, kb.Kind)
	require.JSONEq(t, `{"event":"new_message","chat_id":`+c+`,"message":{"id":"`+press.ID+`","kind":"keyboard_response",
		"data":{"button":{"id":"hi","text":"Hello there"},"request":{"messageId":"`+kb.ID+`"}}}}`, string(got[2].Body))
	ev, err = webim.ParseWebhook("2.0", got[2].Body)
	require.NoError(t, err)
	require.Len(t, ev.Messages, 1)
	require.Equal(t, &webim.Button{ID: "hi", Text: "Hello there"}, ev.Messages[0].Button)
	require.Equal(t, kb.ID, ev.Messages[0].ReplyToMessageID)

	// Chat ids are small increasing integers; message ids never repeat.
	id2, err := sb.StartChat(ctx, "")
	require.NoError(t, err)
	require.Equal(t, id+1, id2)
	require.Equal(t, "Visitor", sb.Transcript(id2).Visitor.Name)
	require.NotEqual(t, text.ID, press.ID)
}

// botbridge's answer is reported: the chat exists, the error says why.
func TestWebhookFailuresAreReported(t *testing.T) {
	t.Parallel()
	h := newHook(t)
	sb, _ := newSandbox(t, h)
	ctx := ctxT(t)

	h.set(http.StatusNotFound, `{"error":"not found"}`)
	id, err := sb.StartChat(ctx, "Ann")
	var we *sandbox.WebhookError
	require.ErrorAs(t, err, &we)
	require.NotZero(t, id)
	require.Equal(t, http.StatusNotFound, we.Result.Status)
	require.Contains(t, we.Result.Note, "botbridge answered 404: check the webhook URL")
	require.False(t, sb.Transcript(id).StartDelivery.OK)

	h.set(http.StatusBadRequest, `{"error":"invalid","desc":"chat.id is required"}`)
	err = sb.SendText(ctx, id, "hi")
	require.ErrorAs(t, err, &we)
	require.Contains(t, we.Result.Note, "(400)")
	require.Contains(t, we.Result.Note, "chat.id is required")
	require.False(t, sb.Transcript(id).Messages[0].Delivery.OK)

	h.set(http.StatusOK, `{"result":"maybe"}`)
	require.ErrorAs(t, sb.SendText(ctx, id, "hi"), &we)
	require.Contains(t, we.Result.Note, `without {"result":"ok"}`)

	h.set(http.StatusServiceUnavailable, "")
	require.ErrorAs(t, sb.SendText(ctx, id, "hi"), &we)
	require.Contains(t, we.Result.Note, "503: see its log")

	h.set(http.StatusOK, "")
	require.NoError(t, sb.SendText(ctx, id, "hi"))
	require.True(t, sb.Transcript(id).Messages[3].Delivery.OK)

	sb.SetWebhookURL("http://127.0.0.1:1/webhooks/webim/secretkey")
	require.ErrorAs(t, sb.SendText(ctx, id, "hi"), &we)
	require.Contains(t, we.Result.Note, "Could not reach botbridge at http://127.0.0.1:1")
	require.NotContains(t, we.Result.Note, "secretkey", "the webhook key stays out of notes")

	sb.SetWebhookURL("")
	require.ErrorAs(t, sb.SendText(ctx, id, "hi"), &we)
	require.Contains(t, we.Result.Note, "No webhook URL is set")
}

func TestFaultRateIsDeterministic(t *testing.T) {
	t.Parallel()
	sb, srv := newSandbox(t, newHook(t))
	id, err := sb.StartChat(ctxT(t), "Ann")
	require.NoError(t, err)
	body := `{"chat_id":` + itoa(id) + `,"message":{"kind":"operator","text":"x"}}`
	pattern := func() string {
		var b strings.Builder
		for range 200 {
			a := call(t, srv, "Token "+token, "send_message", body)
			switch a.Status {
			case http.StatusOK:
				b.WriteByte('.')
			case http.StatusInternalServerError:
				require.Equal(t, "internal_error", a.Error)
				b.WriteByte('x')
			default:
				t.Fatalf("unexpected status %d", a.Status)
			}
		}
		return b.String()
	}
	sb.SetFaults(sandbox.Faults{Rate: 0.3, Seed: 7})
	first := pattern()
	fails := strings.Count(first, "x")
	require.InDelta(t, 60, fails, 25, "about 30%% of 200 calls fail")
	sb.SetFaults(sandbox.Faults{Rate: 0.3, Seed: 7})
	require.Equal(t, first, pattern(), "the same seed fails the same calls")
	sb.SetFaults(sandbox.Faults{Rate: 0.3, Seed: 8})
	require.NotEqual(t, first, pattern(), "another seed fails other calls")

	st := sb.Stats()
	require.Equal(t, 600, st.Received)
	require.Equal(t, st.Received, st.Accepted+st.Failed)
	require.Equal(t, st.Failed, st.Injected)
	require.Len(t, sb.Transcript(id).BotMessages(), st.Accepted, "failed calls are not applied")

	sb.SetFaults(sandbox.Faults{Rate: 1})
	require.Equal(t, http.StatusInternalServerError, call(t, srv, "Token "+token, "send_message", body).Status)
	sb.SetFaults(sandbox.Faults{})
	require.Equal(t, http.StatusOK, call(t, srv, "Token "+token, "send_message", body).Status)
}

func TestFaultModes(t *testing.T) {
	t.Parallel()
	sb, srv := newSandbox(t, newHook(t))
	ctx := ctxT(t)
	id, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	c := itoa(id)
	text := `{"chat_id":` + c + `,"message":{"kind":"operator","text":"x"}}`
	auth := "Token " + token

	// 429 with Retry-After, as the bridge reads it.
	sb.SetFaults(sandbox.Faults{Mode: sandbox.FaultRateLimit, Rate: 1, RetryAfter: 7})
	a := call(t, srv, auth, "send_message", text)
	require.Equal(t, http.StatusTooManyRequests, a.Status)
	require.Equal(t, "7", a.Header.Get("Retry-After"))
	require.Equal(t, 7*time.Second, outbound.RetryAfter(a.Header, time.Now()))

	// Count: fail the next two calls, then behave.
	sb.SetFaults(sandbox.Faults{Rate: 1, Count: 2})
	require.Equal(t, 500, call(t, srv, auth, "send_message", text).Status)
	require.Equal(t, 500, call(t, srv, auth, "send_message", text).Status)
	require.Equal(t, 200, call(t, srv, auth, "send_message", text).Status)

	// Methods: only redirect_chat fails.
	sb.SetFaults(sandbox.Faults{Rate: 1, Methods: []string{"redirect_chat"}})
	require.Equal(t, 200, call(t, srv, auth, "send_message", text).Status)
	require.Equal(t, 500, call(t, srv, auth, "redirect_chat", `{"chat_id":`+c+`}`).Status)

	// Token revoked.
	sb.SetFaults(sandbox.Faults{Unauthorized: true})
	a = call(t, srv, auth, "send_message", text)
	require.Equal(t, http.StatusUnauthorized, a.Status)
	require.ErrorIs(t, webim.ParseAPIResult(a.Status, []byte(`{"error":"`+a.Error+`"}`)), webim.ErrUnauthorized)

	// Latency.
	sb.SetFaults(sandbox.Faults{Latency: 150 * time.Millisecond})
	start := time.Now()
	require.Equal(t, 200, call(t, srv, auth, "send_message", text).Status)
	require.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)

	// Timeout: the call outlives the client's timeout and is not applied.
	sb.SetFaults(sandbox.Faults{Mode: sandbox.FaultTimeout, Rate: 1, Delay: 5 * time.Second})
	n := len(sb.Transcript(id).BotMessages())
	client := &http.Client{Timeout: 200 * time.Millisecond}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/bot/v2/send_message", strings.NewReader(text))
	req.Header.Set("Authorization", auth)
	start = time.Now()
	_, err = client.Do(req)
	require.Error(t, err)
	require.Less(t, time.Since(start), 3*time.Second)
	sb.SetFaults(sandbox.Faults{})
	require.Eventually(t, func() bool {
		calls := sb.Calls()
		return calls[len(calls)-1].Fault == sandbox.FaultTimeout
	}, 5*time.Second, 10*time.Millisecond, "the stalled call ends when its caller leaves")
	require.Len(t, sb.Transcript(id).BotMessages(), n)

	faults := 0
	for _, c := range sb.Calls() {
		if c.Fault != "" {
			faults++
		}
	}
	require.Equal(t, 6, faults)
	require.Equal(t, 6, sb.Stats().Injected)
}

func TestWaitFor(t *testing.T) {
	t.Parallel()
	sb, srv := newSandbox(t, newHook(t))
	ctx := ctxT(t)
	id, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	late := make(chan error, 1)
	go func() {
		time.Sleep(50 * time.Millisecond)
		_, err := tryCall(srv, "Token "+token, "send_message", `{"chat_id":`+itoa(id)+`,"message":{"kind":"operator","text":"late hello"}}`)
		if err == nil {
			_, err = tryCall(srv, "Token "+token, "close_chat", `{"chat_id":`+itoa(id)+`}`)
		}
		late <- err
	}()
	tr, err := sb.WaitFor(ctx, id, sandbox.InState(sandbox.StateClosed))
	require.NoError(t, <-late, "the late calls")
	require.NoError(t, err)
	require.True(t, sandbox.HasBotText("late")(tr))

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = sb.WaitFor(short, id, sandbox.HasBotText("never"))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Contains(t, err.Error(), `"late hello"`, "the error shows the transcript")
}

// Visitor actions over the JSON endpoints the page uses.
func TestVisitorEndpoints(t *testing.T) {
	t.Parallel()
	h := newHook(t)
	sb, srv := newSandbox(t, h)

	post := func(path, body string) (int, map[string]any) {
		if !strings.Contains(path, "?") {
			path += "?lang=en"
		}
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		var v map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
		return resp.StatusCode, v
	}
	status, v := post("/sandbox/chats", `{"name":"Ann"}`)
	require.Equal(t, http.StatusCreated, status)
	id := int64(v["chat_id"].(float64))
	require.Equal(t, true, v["webhook"].(map[string]any)["ok"])
	require.Equal(t, "Ann", v["transcript"].(map[string]any)["visitor"].(map[string]any)["name"])

	cp := "/sandbox/chats/" + itoa(id)
	status, v = post(cp+"/messages", `{"text":"hello"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "Delivered to botbridge (200).", v["webhook"].(map[string]any)["note"])
	status, v = post(cp+"/messages?lang=ru", `{"text":"привет"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "Доставлено в botbridge (200).", v["webhook"].(map[string]any)["note"], "notes follow the page's language")
	require.Equal(t, "Delivered to botbridge (200).", sb.Transcript(id).Messages[1].Delivery.Note, "the Go API stays English")

	status, _ = post(cp+"/buttons", `{"button_id":"nope"}`)
	require.Equal(t, http.StatusBadRequest, status)
	call(t, srv, "Token "+token, "send_message", `{"chat_id":`+itoa(id)+`,"message":{"kind":"keyboard","buttons":[[{"id":"a","text":"A"}]]}}`)
	kbID := sb.Transcript(id).Messages[2].ID
	status, _ = post(cp+"/buttons", `{"button_id":"a","message_id":"other"}`)
	require.Equal(t, http.StatusBadRequest, status, "the button must be on the named keyboard")
	status, _ = post(cp+"/buttons", `{"button_id":"a","message_id":"`+kbID+`"}`)
	require.Equal(t, http.StatusOK, status)

	h.set(http.StatusNotFound, "")
	status, v = post(cp+"/messages", `{"text":"lost"}`)
	require.Equal(t, http.StatusOK, status, "the message was sent; botbridge refused it")
	require.Contains(t, v["webhook"].(map[string]any)["note"], "botbridge answered 404: check the webhook URL")

	status, _ = post("/sandbox/chats/999999/messages", `{"text":"x"}`)
	require.Equal(t, http.StatusNotFound, status)
	status, _ = post(cp+"/messages", `{"text":""}`)
	require.Equal(t, http.StatusBadRequest, status)
	status, _ = post(cp+"/messages", `{"txt":"x"}`)
	require.Equal(t, http.StatusBadRequest, status)
	resp, err := http.Post(srv.URL+cp+"/messages", "text/plain", strings.NewReader(`{"text":"x"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode, "plain cross-site forms cannot post here")

	resp, err = http.Get(srv.URL + cp)
	require.NoError(t, err)
	var tr sandbox.Transcript
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tr))
	resp.Body.Close()
	require.Equal(t, id, tr.ChatID)
	require.Equal(t, sandbox.StateBot, tr.State)
	require.Len(t, tr.Messages, 5)
	require.Equal(t, "hello", tr.Messages[0].Text)

	resp, err = http.Get(srv.URL + "/sandbox/chats/999999")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	call(t, srv, "Token "+token, "close_chat", `{"chat_id":`+itoa(id)+`}`)
	status, v = post(cp+"/messages", `{"text":"x"}`)
	require.Equal(t, http.StatusConflict, status)
	require.Equal(t, "chat_closed", v["error"])

	// Webhook URL can be changed at runtime.
	status, _ = post("/sandbox/webhook", `{"url":"ftp://nope"}`)
	require.Equal(t, http.StatusBadRequest, status)
	status, _ = post("/sandbox/webhook", `{"url":"http://127.0.0.1:9/webhooks/webim/k"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "http://127.0.0.1:9/webhooks/webim/k", sb.WebhookURL())
}

// Faults can be set from another process.
func TestFaultsEndpoint(t *testing.T) {
	t.Parallel()
	sb, srv := newSandbox(t, newHook(t))
	ctx := ctxT(t)
	require.NoError(t, sandbox.SetFaultsAt(ctx, nil, srv.URL, sandbox.Faults{Mode: sandbox.FaultRateLimit, Rate: 0.5, Seed: 3, RetryAfter: 2, Latency: 20 * time.Millisecond}))
	f := sb.Faults()
	require.Equal(t, sandbox.FaultRateLimit, f.Mode)
	require.Equal(t, 0.5, f.Rate)
	require.Equal(t, uint64(3), f.Seed)
	require.Equal(t, 2, f.RetryAfter)
	require.Equal(t, 20*time.Millisecond, f.Latency)

	for _, bad := range []sandbox.Faults{{Rate: 2}, {Mode: "explode", Rate: 1}, {Methods: []string{"delete_chat"}}, {Count: -1}} {
		err := sandbox.SetFaultsAt(ctx, nil, srv.URL, bad)
		require.Error(t, err, "%+v", bad)
		require.Contains(t, err.Error(), "400")
	}
	require.NoError(t, sandbox.SetFaultsAt(ctx, nil, srv.URL, sandbox.Faults{}))
	require.Zero(t, sb.Faults().Rate)

	resp, err := http.Get(srv.URL + "/sandbox/faults")
	require.NoError(t, err)
	var got struct {
		Faults map[string]any `json:"faults"`
		Stats  sandbox.Stats  `json:"stats"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	resp.Body.Close()
	require.Equal(t, float64(0), got.Faults["rate"])

	call(t, srv, "nope", "close_chat", `{}`)
	resp, err = http.Get(srv.URL + "/sandbox/calls")
	require.NoError(t, err)
	var calls struct {
		Calls []sandbox.RecordedCall `json:"calls"`
		Stats sandbox.Stats          `json:"stats"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&calls))
	resp.Body.Close()
	require.Len(t, calls.Calls, 1)
	require.Equal(t, http.StatusUnauthorized, calls.Calls[0].Status)
	require.Equal(t, sandbox.Stats{Received: 1, Failed: 1}, calls.Stats)
}

// 1.0 webhooks go to the /v1 URL and the synchronous answer comes back parsed.
func TestV1Webhooks(t *testing.T) {
	t.Parallel()
	h := newHook(t)
	sb, _ := newSandbox(t, h)
	ctx := ctxT(t)
	h.set(http.StatusOK, `{"has_answer":true,"messages":[{"kind":"operator","text":"You said: hi"},{"kind":"keyboard","buttons":[[{"id":"y","text":"Yes"}]]}]}`)

	ans, err := sb.SendTextV1(ctx, "9c2b-uuid", "hi")
	require.NoError(t, err)
	require.Equal(t, webim.V1Answer{HasAnswer: true, Messages: []webim.OutMessage{
		{Kind: "operator", Text: "You said: hi"},
		{Kind: "keyboard", Buttons: [][]webim.Button{{{ID: "y", Text: "Yes"}}}},
	}}, ans)

	h.set(http.StatusOK, `{"has_answer":false}`)
	ans, err = sb.PressButtonV1(ctx, "9c2b-uuid", webim.Button{ID: "y", Text: "Yes"})
	require.NoError(t, err)
	require.False(t, ans.HasAnswer)
	_, err = sb.StartChatV1(ctx, "9c2b-uuid", "John")
	require.NoError(t, err)

	h.set(http.StatusOK, `{"result":"ok"}`)
	_, err = sb.SendTextV1(ctx, "9c2b-uuid", "hi")
	var we *sandbox.WebhookError
	require.ErrorAs(t, err, &we)
	require.Contains(t, we.Result.Note, "has_answer is missing")

	got := h.received()
	require.Len(t, got, 4)
	for _, r := range got {
		require.Equal(t, "/webhooks/webim/key123/v1", r.Path)
		require.Empty(t, r.Header.Get("X-Bot-API-Version"), "1.0 imitates an old Webim: the suffix marks the version")
	}
	ev, err := webim.ParseWebhook("1.0", got[0].Body)
	require.NoError(t, err)
	require.Equal(t, webim.EventNewMessage, ev.Name)
	require.Equal(t, "9c2b-uuid", ev.ChatID)
	require.Equal(t, "hi", ev.Messages[0].Text)
	require.NotEmpty(t, ev.Messages[0].ID)
	ev, err = webim.ParseWebhook("1.0", got[1].Body)
	require.NoError(t, err)
	require.Equal(t, &webim.Button{ID: "y", Text: "Yes"}, ev.Messages[0].Button)
	ev, err = webim.ParseWebhook("1.0", got[2].Body)
	require.NoError(t, err)
	require.Equal(t, webim.EventNewChat, ev.Name)
	require.Equal(t, "John", ev.Visitor.Name)

	require.Equal(t, "http://h/w/k/v1", sandbox.V1URL("http://h/w/k"))
	require.Equal(t, "http://h/w/k/v1", sandbox.V1URL("http://h/w/k/v2"))
	require.Equal(t, "http://h/w/k/v1", sandbox.V1URL("http://h/w/k/v1/"))
}

func TestPageRenders(t *testing.T) {
	t.Parallel()
	_, srv := newSandbox(t, newHook(t))
	resp, err := http.Get(srv.URL + "/?lang=en")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	csp := resp.Header.Get("Content-Security-Policy")
	require.Contains(t, csp, "script-src 'self'")
	require.NotContains(t, csp, "unsafe-inline")
	page := string(body)
	require.Contains(t, page, `<form id="start-form"`)
	require.Contains(t, page, `id="visitor-name"`)
	require.Contains(t, page, ">Start chat</button>")
	require.Contains(t, page, `id="send-form"`)
	require.Contains(t, page, `<script src="/static/sandbox.js" defer></script>`)
	require.Contains(t, page, "/webhooks/webim/key123", "the page shows where events go")

	// CSP-friendly: every script has a src, no inline handlers or styles.
	require.Equal(t, strings.Count(page, "<script"), strings.Count(page, `<script src="`))
	for _, bad := range []string{" onclick=", " onsubmit=", " onload=", " style=", "<style", "javascript:"} {
		require.NotContains(t, strings.ToLower(page), bad)
	}

	for path, ct := range map[string]string{"/static/sandbox.js": "text/javascript", "/static/sandbox.css": "text/css"} {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		require.Contains(t, resp.Header.Get("Content-Type"), ct)
		require.NotEmpty(t, b)
		require.NotContains(t, string(b), "innerHTML", "the script builds the DOM with textContent only")
	}
	for _, path := range []string{"/static/nope.js", "/nope"} {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
}

// The page escapes what it shows (the webhook URL comes from configuration).
func TestPageEscapes(t *testing.T) {
	t.Parallel()
	sb, srv := newSandbox(t, nil)
	sb.SetWebhookURL(`http://x/"><script>alert(1)</script>`)
	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NotContains(t, string(body), "<script>alert")
	require.True(t, bytes.Contains(body, []byte("&lt;script&gt;")) || bytes.Contains(body, []byte(`\u003cscript`)))
}

// Visitor actions of one chat leave in order even when sent concurrently
// with API calls; different chats do not block each other.
func TestConcurrentChats(t *testing.T) {
	t.Parallel()
	h := newHook(t)
	sb, srv := newSandbox(t, h)
	ctx := ctxT(t)
	var wg sync.WaitGroup
	ids := make([]int64, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := sb.StartChat(ctx, "V")
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = id
			for j := range 5 {
				if err := sb.SendText(ctx, id, "m"+itoa(int64(j))); err != nil {
					t.Error(err)
				}
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/bot/v2/send_message",
					strings.NewReader(`{"chat_id":`+itoa(id)+`,"message":{"kind":"operator","text":"r"}}`))
				req.Header.Set("Authorization", "Token "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					continue
				}
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, id := range ids {
		require.False(t, seen[id])
		seen[id] = true
		tr := sb.Transcript(id)
		require.Len(t, tr.Messages, 10)
		require.Len(t, tr.BotTexts(), 5)
	}
	require.Len(t, h.received(), 8*6)
	// Per chat, the webhooks arrived in the order of the transcript.
	order := map[string][]string{}
	for _, r := range h.received() {
		ev, err := webim.ParseWebhook("2.0", r.Body)
		require.NoError(t, err)
		if ev.Name == webim.EventNewMessage {
			order[ev.ChatID] = append(order[ev.ChatID], ev.Messages[0].Text)
		}
	}
	for _, texts := range order {
		require.Equal(t, []string{"m0", "m1", "m2", "m3", "m4"}, texts)
	}
}
