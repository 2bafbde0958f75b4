package webim

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/botapi"
)

func link(text, url string) botapi.Button { return botapi.Button{Text: text, URL: url} }
func key(id, text string) botapi.Button   { return botapi.Button{ID: id, Text: text} }

func callsJSON(t *testing.T, calls []Call) string {
	t.Helper()
	if calls == nil {
		calls = []Call{}
	}
	b, err := json.Marshal(calls)
	require.NoError(t, err)
	return string(b)
}

func TestTranslate(t *testing.T) {
	t.Parallel()
	dept := Target{DepKey: "support"}
	tests := []struct {
		name            string
		reply           botapi.Response
		target          Target
		wantCalls       string
		wantUnsupported []string
	}{
		{name: "nothing to say", reply: botapi.Response{}, target: dept, wantCalls: `[]`},
		{
			name:      "markdown text",
			reply:     botapi.Response{Replies: []botapi.Reply{{Text: "**Hi!** See [our site](https://example.com)"}}},
			target:    dept,
			wantCalls: `[{"method":"send_message","body":{"chat_id":12345,"message":{"kind":"operator","text":"Hi! See our site (https://example.com)"}}}]`,
		},
		{
			name: "text, link buttons and keyboard",
			reply: botapi.Response{Replies: []botapi.Reply{{Text: "Pick one", Buttons: [][]botapi.Button{
				{key("yes", "Yes"), link("Docs", "https://e.com/docs")},
				{link("Site", "https://e.com")},
				{key("no", "No")},
			}}}},
			target: dept,
			wantCalls: `[
				{"method":"send_message","body":{"chat_id":12345,"message":{"kind":"operator","text":"Pick one\n\nDocs: https://e.com/docs\nSite: https://e.com"}}},
				{"method":"send_message","body":{"chat_id":12345,"message":{"kind":"keyboard","buttons":[[{"id":"yes","text":"Yes"}],[{"id":"no","text":"No"}]]}}}]`,
		},
		{
			name:      "only link buttons",
			reply:     botapi.Response{Replies: []botapi.Reply{{Buttons: [][]botapi.Button{{link("Docs", "https://e.com/docs")}}}}},
			target:    dept,
			wantCalls: `[{"method":"send_message","body":{"chat_id":12345,"message":{"kind":"operator","text":"Docs: https://e.com/docs"}}}]`,
		},
		{
			name:      "only keyboard",
			reply:     botapi.Response{Replies: []botapi.Reply{{Buttons: [][]botapi.Button{{key("a", "A"), key("b", "B")}}}}},
			target:    dept,
			wantCalls: `[{"method":"send_message","body":{"chat_id":12345,"message":{"kind":"keyboard","buttons":[[{"id":"a","text":"A"},{"id":"b","text":"B"}]]}}}]`,
		},
		{
			name: "text, file, keyboard in one reply",
			reply: botapi.Response{Replies: []botapi.Reply{{Text: "Here", File: &botapi.File{URL: "https://e.com/a.png", Name: "a.png", MediaType: "image/png"},
				Buttons: [][]botapi.Button{{key("ok", "OK")}}}}},
			target: dept,
			wantCalls: `[
				{"method":"send_message","body":{"chat_id":12345,"message":{"kind":"operator","text":"Here"}}},
				{"method":"send_message","body":{"chat_id":12345,"message":{"kind":"file_operator","data":{"url":"https://e.com/a.png","name":"a.png","media_type":"image/png"}}}},
				{"method":"send_message","body":{"chat_id":12345,"message":{"kind":"keyboard","buttons":[[{"id":"ok","text":"OK"}]]}}}]`,
		},
		{
			name:   "several replies keep order",
			reply:  botapi.Response{Replies: []botapi.Reply{{Text: "one"}, {Text: "two"}}},
			target: dept,
			wantCalls: `[
				{"method":"send_message","body":{"chat_id":12345,"message":{"kind":"operator","text":"one"}}},
				{"method":"send_message","body":{"chat_id":12345,"message":{"kind":"operator","text":"two"}}}]`,
		},
		{
			name:   "transfer to configured department after replies",
			reply:  botapi.Response{Replies: []botapi.Reply{{Text: "Connecting you"}}, Action: &botapi.Action{Type: botapi.ActionTransfer}},
			target: dept,
			wantCalls: `[
				{"method":"send_message","body":{"chat_id":12345,"message":{"kind":"operator","text":"Connecting you"}}},
				{"method":"redirect_chat","body":{"chat_id":12345,"dep_key":"support"}}]`,
		},
		{name: "transfer to configured operator", reply: botapi.Response{Action: &botapi.Action{Type: botapi.ActionTransfer}}, target: Target{OperatorID: 240001},
			wantCalls: `[{"method":"redirect_chat","body":{"chat_id":12345,"operator_id":240001}}]`},
		{name: "transfer with no target configured", reply: botapi.Response{Action: &botapi.Action{Type: botapi.ActionTransfer}}, target: Target{},
			wantCalls: `[{"method":"redirect_chat","body":{"chat_id":12345}}]`},
		{name: "action names department", reply: botapi.Response{Action: &botapi.Action{Type: botapi.ActionTransfer, Department: "sales"}}, target: Target{OperatorID: 1},
			wantCalls: `[{"method":"redirect_chat","body":{"chat_id":12345,"dep_key":"sales"}}]`},
		{name: "action names operator", reply: botapi.Response{Action: &botapi.Action{Type: botapi.ActionTransfer, OperatorID: 42}}, target: dept,
			wantCalls: `[{"method":"redirect_chat","body":{"chat_id":12345,"operator_id":42}}]`},
		{name: "action asks for queue", reply: botapi.Response{Action: &botapi.Action{Type: botapi.ActionTransfer, Queue: true}}, target: dept,
			wantCalls: `[{"method":"redirect_chat","body":{"chat_id":12345}}]`},
		{name: "close", reply: botapi.Response{Replies: []botapi.Reply{{Text: "Bye"}}, Action: &botapi.Action{Type: botapi.ActionClose}}, target: dept,
			wantCalls: `[
				{"method":"send_message","body":{"chat_id":12345,"message":{"kind":"operator","text":"Bye"}}},
				{"method":"close_chat","body":{"chat_id":12345}}]`},
		{
			name:            "send_data_to_operator unsupported",
			reply:           botapi.Response{Replies: []botapi.Reply{{Text: "Sending"}}, Action: &botapi.Action{Type: botapi.ActionSendDataToOperator, Data: json.RawMessage(`{"phone":"+7"}`)}},
			target:          dept,
			wantCalls:       `[{"method":"send_message","body":{"chat_id":12345,"message":{"kind":"operator","text":"Sending"}}}]`,
			wantUnsupported: []string{botapi.ActionSendDataToOperator},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Translate(tt.reply, IntChat(12345), tt.target, recentWebim)
			require.NoError(t, err)
			require.JSONEq(t, tt.wantCalls, callsJSON(t, p.Calls))
			require.Equal(t, tt.wantUnsupported, p.Unsupported)
			require.Empty(t, p.Notes)
		})
	}
}

func TestTranslateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		reply  botapi.Response
		chatID ChatRef
		target Target
		want   string
	}{
		{name: "invalid reply", reply: botapi.Response{Replies: []botapi.Reply{{}}}, chatID: IntChat(1), want: "needs text, buttons or a file"},
		{name: "invalid action", reply: botapi.Response{Action: &botapi.Action{Type: "dance"}}, chatID: IntChat(1), want: "action.type"},
		{name: "unquoted id that is no integer", reply: botapi.Response{Replies: []botapi.Reply{{Text: "x"}}}, chatID: ChatRef{ID: "0b7e1f7a-3c5d"}, want: "not an integer"},
		{name: "target with both", reply: botapi.Response{}, chatID: IntChat(1), target: Target{DepKey: "a", OperatorID: 1}, want: "both a department and an operator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Translate(tt.reply, tt.chatID, tt.target, Options{})
			require.ErrorIs(t, err, apperr.ErrInvalid)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestLinkLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rows [][]botapi.Button
		want []string
	}{
		{name: "none", rows: nil, want: nil},
		{name: "only keyboard", rows: [][]botapi.Button{{key("a", "A")}}, want: nil},
		{name: "reading order", rows: [][]botapi.Button{{link("One", "https://1"), key("a", "A"), link(" Two ", "https://2")}, {link("Three", "https://3")}},
			want: []string{"One: https://1", "Two: https://2", "Three: https://3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, linkLines(tt.rows))
		})
	}
}

func TestKeyboardRows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rows [][]botapi.Button
		want [][]Button
	}{
		{name: "none", rows: nil, want: nil},
		{name: "rows kept", rows: [][]botapi.Button{{key("a", "A"), key("b", "B")}, {key("c", "C")}}, want: [][]Button{{{ID: "a", Text: "A"}, {ID: "b", Text: "B"}}, {{ID: "c", Text: "C"}}}},
		{name: "links removed, empty rows dropped", rows: [][]botapi.Button{{link("L", "https://l")}, {key("a", "A"), link("M", "https://m")}, {}},
			want: [][]Button{{{ID: "a", Text: "A"}}}},
		{name: "only links", rows: [][]botapi.Button{{link("L", "https://l")}}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, keyboardRows(tt.rows, false))
		})
	}
}

func TestReplyText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		reply botapi.Reply
		extra []string
		want  string
	}{
		{name: "text only", reply: botapi.Reply{Text: "_hi_"}, want: "hi"},
		{name: "links only", reply: botapi.Reply{Buttons: [][]botapi.Button{{link("A", "https://a")}}}, want: "A: https://a"},
		{name: "text and links", reply: botapi.Reply{Text: "hi", Buttons: [][]botapi.Button{{link("A", "https://a"), link("B", "https://b")}}}, want: "hi\n\nA: https://a\nB: https://b"},
		{name: "extra lines", reply: botapi.Reply{Text: "hi"}, extra: []string{"a.png: https://a"}, want: "hi\n\na.png: https://a"},
		{name: "nothing", reply: botapi.Reply{Buttons: [][]botapi.Button{{key("a", "A")}}}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, replyText(tt.reply, tt.extra))
		})
	}
}

func TestFileData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file botapi.File
		want FileData
	}{
		{name: "complete", file: botapi.File{URL: "https://e.com/x", Name: "a.png", MediaType: "image/png"}, want: FileData{URL: "https://e.com/x", Name: "a.png", MediaType: "image/png"}},
		{name: "name from url", file: botapi.File{URL: "https://e.com/files/report.PDF?sig=1"}, want: FileData{URL: "https://e.com/files/report.PDF?sig=1", Name: "report.PDF", MediaType: "application/pdf"}},
		{name: "no path", file: botapi.File{URL: "https://e.com"}, want: FileData{URL: "https://e.com", Name: "file", MediaType: "application/octet-stream"}},
		{name: "root path", file: botapi.File{URL: "https://e.com/"}, want: FileData{URL: "https://e.com/", Name: "file", MediaType: "application/octet-stream"}},
		{name: "unknown extension", file: botapi.File{URL: "https://e.com/a.xyz"}, want: FileData{URL: "https://e.com/a.xyz", Name: "a.xyz", MediaType: "application/octet-stream"}},
		{name: "given type kept", file: botapi.File{URL: "https://e.com/a.bin", MediaType: "image/heic"}, want: FileData{URL: "https://e.com/a.bin", Name: "a.bin", MediaType: "image/heic"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, fileData(tt.file))
		})
	}
}

func TestTransferCall(t *testing.T) {
	t.Parallel()
	tr := botapi.Action{Type: botapi.ActionTransfer}
	tests := []struct {
		name   string
		action botapi.Action
		target Target
		want   RedirectChat
	}{
		{name: "configured department", action: tr, target: Target{DepKey: "d"}, want: RedirectChat{ChatID: IntChat(5), DepKey: "d"}},
		{name: "configured operator", action: tr, target: Target{OperatorID: 9}, want: RedirectChat{ChatID: IntChat(5), OperatorID: 9}},
		{name: "nothing configured", action: tr, want: RedirectChat{ChatID: IntChat(5)}},
		{name: "own department wins", action: botapi.Action{Type: botapi.ActionTransfer, Department: "x"}, target: Target{OperatorID: 9}, want: RedirectChat{ChatID: IntChat(5), DepKey: "x"}},
		{name: "own operator wins", action: botapi.Action{Type: botapi.ActionTransfer, OperatorID: 3}, target: Target{DepKey: "d"}, want: RedirectChat{ChatID: IntChat(5), OperatorID: 3}},
		{name: "queue wins", action: botapi.Action{Type: botapi.ActionTransfer, Queue: true}, target: Target{DepKey: "d"}, want: RedirectChat{ChatID: IntChat(5)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, note := transferCall(IntChat(5), tt.action, tt.target, recentWebim)
			require.Nil(t, note)
			require.Equal(t, MethodRedirectChat, c.Method)
			require.Equal(t, tt.want, c.Body)
		})
	}
}

func TestTranslateV1(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		reply           botapi.Response
		want            string
		wantUnsupported []string
	}{
		{name: "nothing to say keeps the chat", reply: botapi.Response{}, want: `{"has_answer":true,"messages":[]}`},
		{
			name:  "text and keyboard",
			reply: botapi.Response{Replies: []botapi.Reply{{Text: "**Hi**", Buttons: [][]botapi.Button{{key("a", "A"), link("Docs", "https://e.com/d")}}}}},
			want:  `{"has_answer":true,"messages":[{"kind":"operator","text":"Hi\n\nDocs: https://e.com/d"},{"kind":"keyboard","buttons":[[{"id":"a","text":"A"}]]}]}`,
		},
		{
			name:  "file becomes a line",
			reply: botapi.Response{Replies: []botapi.Reply{{File: &botapi.File{URL: "https://e.com/a.png", Name: "a.png"}}, {Text: "see", File: &botapi.File{URL: "https://e.com/r.pdf"}}}},
			want:  `{"has_answer":true,"messages":[{"kind":"operator","text":"a.png: https://e.com/a.png"},{"kind":"operator","text":"see\n\nr.pdf: https://e.com/r.pdf"}]}`,
		},
		{name: "transfer hands to queue", reply: botapi.Response{Replies: []botapi.Reply{{Text: "bye"}}, Action: &botapi.Action{Type: botapi.ActionTransfer, Department: "sales"}}, want: `{"has_answer":false}`},
		{name: "close ignored", reply: botapi.Response{Replies: []botapi.Reply{{Text: "bye"}}, Action: &botapi.Action{Type: botapi.ActionClose}}, want: `{"has_answer":true,"messages":[{"kind":"operator","text":"bye"}]}`},
		{
			name:            "send data unsupported",
			reply:           botapi.Response{Action: &botapi.Action{Type: botapi.ActionSendDataToOperator}},
			want:            `{"has_answer":true,"messages":[]}`,
			wantUnsupported: []string{botapi.ActionSendDataToOperator},
		},
		{name: "hand-built invalid parts skipped", reply: botapi.Response{Replies: []botapi.Reply{{}, {File: &botapi.File{}}}}, want: `{"has_answer":true,"messages":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ans := TranslateV1(tt.reply)
			b, err := json.Marshal(ans)
			require.NoError(t, err)
			require.JSONEq(t, tt.want, string(b))
			require.Equal(t, tt.wantUnsupported, ans.Unsupported)
		})
	}
}

func TestBotMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		msg      Message
		wantType string
		want     botapi.Message
		ok       bool
	}{
		{name: "text", msg: Message{ID: "m", Kind: KindVisitor, Text: "hi"}, wantType: botapi.TypeMessageText, want: botapi.Message{ID: "m", Text: "hi"}, ok: true},
		{name: "file", msg: Message{ID: "m", Kind: KindFileVisitor, File: &File{URL: "u", Name: "n", MediaType: "t", Size: 3}}, wantType: botapi.TypeMessageFile,
			want: botapi.Message{ID: "m", File: &botapi.File{URL: "u", Name: "n", MediaType: "t", Size: 3}}, ok: true},
		{name: "button", msg: Message{ID: "m", Kind: KindKeyboardResponse, Text: "One", Button: &Button{ID: "b1", Text: "One"}}, wantType: botapi.TypeMessageButton,
			want: botapi.Message{ID: "m", Text: "One", Button: &botapi.Button{ID: "b1", Text: "One"}}, ok: true},
		{name: "unknown kind is message.other", msg: Message{ID: "m", Kind: "sticker_visitor", Data: json.RawMessage(`{"id":"s1"}`)}, wantType: botapi.TypeMessageOther,
			want: botapi.Message{ID: "m", Kind: "sticker_visitor", Data: json.RawMessage(`{"id":"s1"}`)}, ok: true},
		{name: "file without data still a file", msg: Message{ID: "m", Kind: KindFileVisitor}, wantType: botapi.TypeMessageFile,
			want: botapi.Message{ID: "m", File: &botapi.File{}}, ok: true},
		{name: "no kind", msg: Message{ID: "m"}},
		{name: "press without button", msg: Message{Kind: KindKeyboardResponse}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			typ, msg, ok := BotMessage(tt.msg)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.wantType, typ)
			require.Equal(t, tt.want, msg)
		})
	}
}

func TestBotUser(t *testing.T) {
	t.Parallel()
	u := BotUser(Visitor{ID: "v", Name: "John"})
	b, err := json.Marshal(u)
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"v","channel":"webim","name":"John","phone":null,"email":null}`, string(b))
}

// recentWebim is an account that can transfer to the general queue.
var recentWebim = Options{WebimVersion: "10.5.62"}

// An account older than 10.4 (or sending no version: older than 10.3)
// cannot transfer to the general queue: the chat goes to the configured
// target, with a note for the activity log.
func TestTranslateQueueOnOldWebim(t *testing.T) {
	t.Parallel()
	queue := botapi.Response{Action: &botapi.Action{Type: botapi.ActionTransfer, Queue: true}}
	p, err := Translate(queue, IntChat(5), Target{DepKey: "sales"}, Options{WebimVersion: "10.3.2"})
	require.NoError(t, err)
	require.JSONEq(t, `[{"method":"redirect_chat","body":{"chat_id":5,"dep_key":"sales"}}]`, callsJSON(t, p.Calls))
	require.Equal(t, []Note{{Code: NoteQueueReplaced, WebimVersion: "10.3.2"}}, p.Notes)

	p, err = Translate(queue, IntChat(5), Target{DepKey: "sales"}, Options{})
	require.NoError(t, err)
	require.JSONEq(t, `[{"method":"redirect_chat","body":{"chat_id":5,"dep_key":"sales"}}]`, callsJSON(t, p.Calls), "no X-Webim-Version: before 10.3")
	require.Equal(t, []Note{{Code: NoteQueueReplaced}}, p.Notes)

	p, err = Translate(queue, IntChat(5), Target{DepKey: "sales"}, recentWebim)
	require.NoError(t, err)
	require.JSONEq(t, `[{"method":"redirect_chat","body":{"chat_id":5}}]`, callsJSON(t, p.Calls))
	require.Empty(t, p.Notes)
}

// Opted in, link buttons go as keyboard buttons in Webim's link shape
// instead of text lines.
func TestTranslateLinkButtonsExperimental(t *testing.T) {
	t.Parallel()
	reply := botapi.Response{Replies: []botapi.Reply{{Text: "See", Buttons: [][]botapi.Button{{key("a", "A"), link("Docs", "https://e.com/d")}}}}}
	p, err := Translate(reply, ChatRef{ID: "7", Quoted: true}, Target{}, Options{LinkButtons: true})
	require.NoError(t, err)
	require.JSONEq(t, `[
		{"method":"send_message","body":{"chat_id":"7","message":{"kind":"operator","text":"See"}}},
		{"method":"send_message","body":{"chat_id":"7","message":{"kind":"keyboard","buttons":[[{"id":"a","text":"A"},
			{"id":"link-1","text":"Docs","config":{"link":"https://e.com/d"},"params":{"type":"url"}}]]}}}]`, callsJSON(t, p.Calls))
}
