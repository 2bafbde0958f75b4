package botapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
)

func TestParseResponseValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want Response
	}{
		{name: "empty body", body: "", want: Response{}},
		{name: "whitespace", body: " \n\t", want: Response{}},
		{name: "empty object", body: "{}", want: Response{}},
		{name: "null action", body: `{"action":null,"replies":null}`, want: Response{}},
		{
			name: "text and buttons",
			body: `{"replies":[{"text":"**Hi**","buttons":[[{"id":"yes","text":"Yes"},{"text":"Docs","url":"https://example.com/docs"}]]}]}`,
			want: Response{Replies: []Reply{{Text: "**Hi**", Buttons: [][]Button{{{ID: "yes", Text: "Yes"}, {Text: "Docs", URL: "https://example.com/docs"}}}}}},
		},
		{
			name: "file only",
			body: `{"replies":[{"file":{"url":"https://e.com/a.png","name":"a.png","media_type":"image/png"}}]}`,
			want: Response{Replies: []Reply{{File: &File{URL: "https://e.com/a.png", Name: "a.png", MediaType: "image/png"}}}},
		},
		{name: "transfer default", body: `{"action":{"type":"transfer"}}`, want: Response{Action: &Action{Type: ActionTransfer}}},
		{name: "transfer department", body: `{"action":{"type":"transfer","department":"sales"}}`, want: Response{Action: &Action{Type: ActionTransfer, Department: "sales"}}},
		{name: "transfer operator", body: `{"action":{"type":"transfer","operator_id":42}}`, want: Response{Action: &Action{Type: ActionTransfer, OperatorID: 42}}},
		{name: "transfer queue", body: `{"action":{"type":"transfer","queue":true}}`, want: Response{Action: &Action{Type: ActionTransfer, Queue: true}}},
		{name: "queue false is not a target", body: `{"action":{"type":"transfer","department":"d","queue":false}}`, want: Response{Action: &Action{Type: ActionTransfer, Department: "d"}}},
		{name: "close", body: `{"action":{"type":"close"}}`, want: Response{Action: &Action{Type: ActionClose}}},
		{name: "send data", body: `{"action":{"type":"send_data_to_operator","data":{"a":1}}}`, want: Response{Action: &Action{Type: ActionSendDataToOperator, Data: json.RawMessage(`{"a":1}`)}}},
		{name: "data null dropped", body: `{"action":{"type":"send_data_to_operator","data":null}}`, want: Response{Action: &Action{Type: ActionSendDataToOperator}}},
		{
			name: "unknown keys tolerated",
			body: `{"version":3,"replies":[{"text":"x","typing_ms":300}],"action":{"type":"close","why":"done"}}`,
			want: Response{Replies: []Reply{{Text: "x"}}, Action: &Action{Type: ActionClose}},
		},
		{name: "uppercase scheme", body: `{"replies":[{"buttons":[[{"text":"a","url":"HTTPS://e.com"}]]}]}`, want: Response{Replies: []Reply{{Buttons: [][]Button{{{Text: "a", URL: "HTTPS://e.com"}}}}}}},
		{name: "text at limit", body: `{"replies":[{"text":"` + strings.Repeat("я", MaxTextLen) + `"}]}`, want: Response{Replies: []Reply{{Text: strings.Repeat("я", MaxTextLen)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseResponse([]byte(tt.body))
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseResponseInvalid(t *testing.T) {
	t.Parallel()
	row := func(n int) string {
		bs := make([]string, n)
		for i := range bs {
			bs[i] = `{"id":"b","text":"B"}`
		}
		return "[" + strings.Join(bs, ",") + "]"
	}
	rows := func(n int) string {
		rs := make([]string, n)
		for i := range rs {
			rs[i] = row(1)
		}
		return strings.Join(rs, ",")
	}
	replies := func(n int) string {
		rs := make([]string, n)
		for i := range rs {
			rs[i] = `{"text":"x"}`
		}
		return strings.Join(rs, ",")
	}
	tests := []struct {
		name string
		body string
		want string // substring of the error
	}{
		{name: "array", body: `[]`, want: "must be a JSON object"},
		{name: "null", body: `null`, want: "must be a JSON object"},
		{name: "string", body: `"hi"`, want: "must be a JSON object"},
		{name: "malformed", body: `{"replies":`, want: "malformed JSON"},
		{name: "trailing garbage", body: `{} {}`, want: "malformed JSON"},
		{name: "invalid utf8", body: "{\"replies\":[{\"text\":\"\xff\"}]}", want: "UTF-8"},
		{name: "too large", body: `{"replies":[{"text":"` + strings.Repeat("a", MaxResponseBytes) + `"}]}`, want: "larger than"},
		{name: "text is number", body: `{"replies":[{"text":5}]}`, want: "replies.text must be a string, not number"},
		{name: "replies is object", body: `{"replies":{}}`, want: "replies must be an array, not object"},
		{name: "buttons not rows", body: `{"replies":[{"buttons":[{"id":"a","text":"A"}]}]}`, want: "must be an array, not object"},
		{name: "operator id string", body: `{"action":{"type":"transfer","operator_id":"42"}}`, want: "action.operator_id must be an integer, not string"},
		{name: "operator id fraction", body: `{"action":{"type":"transfer","operator_id":4.2}}`, want: "action.operator_id must be an integer, not number 4.2"},
		{name: "operator id zero", body: `{"action":{"type":"transfer","operator_id":0}}`, want: "action.operator_id: must be a positive integer"},
		{name: "operator id negative", body: `{"action":{"type":"transfer","operator_id":-3}}`, want: "action.operator_id: must be a positive integer"},
		{name: "queue string", body: `{"action":{"type":"transfer","queue":"yes"}}`, want: "action.queue must be a boolean"},
		{name: "empty reply", body: `{"replies":[{}]}`, want: "replies[0]: needs text, buttons or a file"},
		{name: "blank text only", body: `{"replies":[{"text":"  "}]}`, want: "replies[0]: needs text"},
		{name: "text too long", body: `{"replies":[{"text":"` + strings.Repeat("a", MaxTextLen+1) + `"}]}`, want: "replies[0].text: at most 4096 characters"},
		{name: "too many replies", body: `{"replies":[` + replies(MaxReplies+1) + `]}`, want: "replies: at most 20 replies"},
		{name: "too many rows", body: `{"replies":[{"buttons":[` + rows(MaxButtonRows+1) + `]}]}`, want: "replies[0].buttons: at most 10 rows"},
		{name: "too many per row", body: `{"replies":[{"buttons":[` + row(MaxButtonsPerRow+1) + `]}]}`, want: "replies[0].buttons[0]: at most 10 buttons per row"},
		{name: "empty row", body: `{"replies":[{"buttons":[[]]}]}`, want: "replies[0].buttons[0]: row is empty"},
		{name: "button without text", body: `{"replies":[{"buttons":[[{"id":"a"}]]}]}`, want: "replies[0].buttons[0][0].text: is required"},
		{name: "button text too long", body: `{"replies":[{"buttons":[[{"id":"a","text":"` + strings.Repeat("b", MaxButtonTextLen+1) + `"}]]}]}`, want: "at most 256 characters"},
		{name: "button id and url", body: `{"replies":[{"buttons":[[{"id":"a","text":"A","url":"https://e.com"}]]}]}`, want: "has both id and url"},
		{name: "button neither", body: `{"replies":[{"buttons":[[{"text":"A"}]]}]}`, want: "needs an id (keyboard button) or a url"},
		{name: "button blank id", body: `{"replies":[{"buttons":[[{"id":" ","text":"A"}]]}]}`, want: ".id: must not be blank"},
		{name: "button id too long", body: `{"replies":[{"buttons":[[{"id":"` + strings.Repeat("i", MaxButtonIDLen+1) + `","text":"A"}]]}]}`, want: ".id: at most 256 bytes"},
		{name: "ftp url", body: `{"replies":[{"buttons":[[{"text":"A","url":"ftp://e.com/x"}]]}]}`, want: "must be an http or https URL"},
		{name: "javascript url", body: `{"replies":[{"buttons":[[{"text":"A","url":"javascript:alert(1)"}]]}]}`, want: "must be an http or https URL"},
		{name: "relative url", body: `{"replies":[{"buttons":[[{"text":"A","url":"/docs"}]]}]}`, want: "must be an http or https URL"},
		{name: "url without host", body: `{"replies":[{"buttons":[[{"text":"A","url":"https:///x"}]]}]}`, want: "must have a host"},
		{name: "url with space", body: `{"replies":[{"buttons":[[{"text":"A","url":"https://e.com/a b"}]]}]}`, want: "must not contain spaces"},
		{name: "url too long", body: `{"replies":[{"buttons":[[{"text":"A","url":"https://e.com/` + strings.Repeat("a", MaxURLLen) + `"}]]}]}`, want: "at most 2048 bytes"},
		{name: "file without url", body: `{"replies":[{"file":{"name":"a.png"}}]}`, want: "replies[0].file.url: is required"},
		{name: "file bad media type", body: `{"replies":[{"file":{"url":"https://e.com/a","media_type":"png"}}]}`, want: "media_type: must look like type/subtype"},
		{name: "file name too long", body: `{"replies":[{"file":{"url":"https://e.com/a","name":"` + strings.Repeat("n", MaxFileNameLen+1) + `"}}]}`, want: "file.name: at most 255"},
		{name: "action without type", body: `{"action":{}}`, want: "action.type: is required"},
		{name: "unknown action", body: `{"action":{"type":"explode"}}`, want: "action.type: must be one of transfer, close, send_data_to_operator"},
		{name: "two targets", body: `{"action":{"type":"transfer","department":"a","operator_id":1}}`, want: "transfer names at most one of"},
		{name: "department and queue", body: `{"action":{"type":"transfer","department":"a","queue":true}}`, want: "transfer names at most one of"},
		{name: "blank department", body: `{"action":{"type":"transfer","department":"  "}}`, want: "action.department"},
		{name: "close with target", body: `{"action":{"type":"close","department":"a"}}`, want: "only apply to transfer"},
		{name: "data on transfer", body: `{"action":{"type":"transfer","data":{}}}`, want: "action.data: only applies to send_data_to_operator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseResponse([]byte(tt.body))
			require.ErrorIs(t, err, apperr.ErrInvalid)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestParseResponseReportsEveryField(t *testing.T) {
	t.Parallel()
	_, err := ParseResponse([]byte(`{"replies":[{"buttons":[[{"text":"A"}]]},{}],"action":{"type":"nope"}}`))
	fields := apperr.Fields(err)
	require.Len(t, fields, 3)
	require.Contains(t, fields, "replies[0].buttons[0][0]")
	require.Contains(t, fields, "replies[1]")
	require.Contains(t, fields, "action.type")
}

func TestResponseValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		resp Response
		ok   bool
	}{
		{name: "zero", resp: Response{}, ok: true},
		{name: "text", resp: Response{Replies: []Reply{{Text: "hi"}}}, ok: true},
		{name: "negative operator", resp: Response{Action: &Action{Type: ActionTransfer, OperatorID: -1}}},
		{name: "bad button", resp: Response{Replies: []Reply{{Buttons: [][]Button{{{Text: "x"}}}}}}},
		{name: "file negative size", resp: Response{Replies: []Reply{{File: &File{URL: "https://e.com/a", Size: -1}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.resp.Validate()
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, apperr.ErrInvalid)
		})
	}
}

func TestResponseHelpers(t *testing.T) {
	t.Parallel()
	require.True(t, Response{}.IsEmpty())
	require.False(t, Response{Action: &Action{Type: ActionClose}}.IsEmpty())
	require.False(t, Response{Replies: []Reply{{Text: "x"}}}.IsEmpty())
	require.True(t, Button{Text: "a", URL: "https://e.com"}.IsLink())
	require.False(t, Button{Text: "a", ID: "a"}.IsLink())
}

func TestResponseRoundTrip(t *testing.T) {
	t.Parallel()
	in := Response{
		Replies: []Reply{{Text: "hi", Buttons: [][]Button{{{ID: "a", Text: "A"}}}}, {File: &File{URL: "https://e.com/f.pdf"}}},
		Action:  &Action{Type: ActionTransfer, OperatorID: 7},
	}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"replies":[{"text":"hi","buttons":[[{"id":"a","text":"A"}]]},{"file":{"url":"https://e.com/f.pdf"}}],"action":{"type":"transfer","operator_id":7}}`, string(b))
	out, err := ParseResponse(b)
	require.NoError(t, err)
	require.Equal(t, in, out)
}
