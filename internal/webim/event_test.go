package webim

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
)

// Payload shapes from docs/webim-bot-api.md, shared with the fuzz seeds.
const (
	newChatV2 = `{"event": "new_chat",
 "chat": {"id": 1},
 "visitor": {"id": "9f1c", "fields": {"name": "John", "phone": "+79990000000", "email": null,
             "display_name": null, "login": null, "profile_url": null,
             "avatar_url": null, "comment": null, "info": null}},
 "messages": [{"id": "m1", "kind": "visitor", "text": "привет"}]}`
	newMessageV2     = `{"event": "new_message", "chat_id": 12345, "message": {"id": "f1fee54f", "kind": "visitor", "text": "hello"}}`
	fileMessageV2    = `{"event": "new_message", "chat_id": 12345, "message": {"id": "f2", "kind": "file_visitor", "data": {"url": "https://acc.webim.ru/api/bot/v2/file/7?hash=ab", "name": "t.txt", "media_type": "text/plain", "size": 24}}}`
	keyboardRespV2   = `{"event": "new_message", "chat_id": 12345, "message": {"id": "f3", "kind": "keyboard_response", "data": {"button": {"id": "hi", "text": "привет"}, "request": {"messageId": "k1"}}}}`
	newChatV1        = `{"event":"new_chat","chat":{"id":"0b7e1f7a-3c5d-4e6f-8a9b-0c1d2e3f4a5b"},"visitor":{"id":"v1"},"messages":[{"kind":"visitor","text":"hi"}]}`
	newMessageV1     = `{"event":"new_message","chat":{"id":"0b7e1f7a-3c5d-4e6f-8a9b-0c1d2e3f4a5b"},"kind":"visitor","text":"hello"}`
	keyboardRespV1   = `{"event":"new_message","chat":{"id":"0b7e1f7a-3c5d-4e6f-8a9b-0c1d2e3f4a5b"},"kind":"keyboard_response","response":{"button":{"id":"b1","text":"One"}}}`
	unknownEventBody = `{"event":"chat_closed","chat_id":"whatever","anything":[1,2,3]}`
)

func TestParseWebhookValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		version string
		body    string
		want    Event // BodyHash is checked separately
	}{
		{
			name: "new_chat 2.0", version: Version2, body: newChatV2,
			want: Event{Version: Version2, Name: EventNewChat, ChatID: "1",
				Visitor:  Visitor{ID: "9f1c", Name: "John", Phone: "+79990000000"},
				Messages: []Message{{ID: "m1", Kind: KindVisitor, Text: "привет"}}},
		},
		{
			name: "new_chat 2.0 minimal", version: Version2, body: `{"event":"new_chat","chat":{"id":7}}`,
			want: Event{Version: Version2, Name: EventNewChat, ChatID: "7"},
		},
		{
			name: "new_chat display_name fallback and numeric visitor id", version: Version2,
			body: `{"event":"new_chat","chat":{"id":7},"visitor":{"id":42,"fields":{"display_name":"Ann","extra":{"x":1}}}}`,
			want: Event{Version: Version2, Name: EventNewChat, ChatID: "7", Visitor: Visitor{ID: "42", Name: "Ann"}},
		},
		{
			name: "new_chat history keeps every kind", version: Version2,
			body: `{"event":"new_chat","chat":{"id":7},"messages":[{"id":"a","kind":"operator","text":"hello"},{"id":"b","kind":"visitor","text":"hi"},{"id":"c","kind":"info","text":"x","data":{"k":1}}]}`,
			want: Event{Version: Version2, Name: EventNewChat, ChatID: "7", Messages: []Message{
				{ID: "a", Kind: KindOperatorMessage, Text: "hello"}, {ID: "b", Kind: KindVisitor, Text: "hi"},
				{ID: "c", Kind: "info", Text: "x", Data: json.RawMessage(`{"k":1}`)}}},
		},
		{
			name: "new_chat 2.0 string chat id", version: Version2, body: `{"event":"new_chat","chat":{"id":"c-77"}}`,
			want: Event{Version: Version2, Name: EventNewChat, ChatID: "c-77", ChatIDQuoted: true},
		},
		{
			name: "new_chat history file without url", version: Version2, body: `{"event":"new_chat","chat":{"id":1},"messages":[{"kind":"file_visitor","data":{}}]}`,
			want: Event{Version: Version2, Name: EventNewChat, ChatID: "1", Messages: []Message{{Kind: KindFileVisitor, File: &File{}}}},
		},
		{
			name: "2.0 chat_id string", version: Version2, body: `{"event":"new_message","chat_id":"12345","message":{"id":"a","kind":"visitor","text":"x"}}`,
			want: Event{Version: Version2, Name: EventNewMessage, ChatID: "12345", ChatIDQuoted: true, Messages: []Message{{ID: "a", Kind: KindVisitor, Text: "x"}}},
		},
		{
			name: "2.0 message without id", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"kind":"visitor","text":"x"}}`,
			want: Event{Version: Version2, Name: EventNewMessage, ChatID: "1", Messages: []Message{{Kind: KindVisitor, Text: "x"}}},
		},
		{
			name: "sticker", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"sticker_visitor","data":{"id":"st-5","url":"https://x/s.png"}}}`,
			want: Event{Version: Version2, Name: EventNewMessage, ChatID: "1", Messages: []Message{{ID: "a", Kind: "sticker_visitor", Data: json.RawMessage(`{"id":"st-5","url":"https://x/s.png"}`)}}},
		},
		{
			name: "contacts with text", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"contacts","text":"+7 900","data":{"phone":"+7 900"}}}`,
			want: Event{Version: Version2, Name: EventNewMessage, ChatID: "1", Messages: []Message{{ID: "a", Kind: "contacts", Text: "+7 900", Data: json.RawMessage(`{"phone":"+7 900"}`)}}},
		},
		{
			name: "unknown kind without data", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"apple_chat_response"}}`,
			want: Event{Version: Version2, Name: EventNewMessage, ChatID: "1", Messages: []Message{{ID: "a", Kind: "apple_chat_response"}}},
		},
		{
			name: "file without data", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"file_visitor"}}`,
			want: Event{Version: Version2, Name: EventNewMessage, ChatID: "1", Messages: []Message{{ID: "a", Kind: KindFileVisitor, File: &File{}}}},
		},
		{
			name: "file without url", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"file_visitor","data":{"name":"x"}}}`,
			want: Event{Version: Version2, Name: EventNewMessage, ChatID: "1", Messages: []Message{{ID: "a", Kind: KindFileVisitor, File: &File{Name: "x"}}}},
		},
		{
			name: "NUL inside unknown data is dropped", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"sticker_visitor","data":{"n":"a\u0000b"}}}`,
			want: Event{Version: Version2, Name: EventNewMessage, ChatID: "1", Messages: []Message{{ID: "a", Kind: "sticker_visitor", Data: json.RawMessage(`{"n":"ab"}`)}}},
		},
		{
			name: "new_message 2.0", version: Version2, body: newMessageV2,
			want: Event{Version: Version2, Name: EventNewMessage, ChatID: "12345", Messages: []Message{{ID: "f1fee54f", Kind: KindVisitor, Text: "hello"}}},
		},
		{
			name: "file_visitor 2.0", version: Version2, body: fileMessageV2,
			want: Event{Version: Version2, Name: EventNewMessage, ChatID: "12345", Messages: []Message{{ID: "f2", Kind: KindFileVisitor,
				File: &File{URL: "https://acc.webim.ru/api/bot/v2/file/7?hash=ab", Name: "t.txt", MediaType: "text/plain", Size: 24}}}},
		},
		{
			name: "keyboard_response 2.0", version: Version2, body: keyboardRespV2,
			want: Event{Version: Version2, Name: EventNewMessage, ChatID: "12345", Messages: []Message{{ID: "f3", Kind: KindKeyboardResponse,
				Text: "привет", Button: &Button{ID: "hi", Text: "привет"}, ReplyToMessageID: "k1"}}},
		},
		{
			name: "numeric message id and large chat id", version: Version2,
			body: `{"event":"new_message","chat_id":9007199254740993,"message":{"id":77,"kind":"visitor","text":"x"}}`,
			want: Event{Version: Version2, Name: EventNewMessage, ChatID: "9007199254740993", Messages: []Message{{ID: "77", Kind: KindVisitor, Text: "x"}}},
		},
		{
			name: "extra keys tolerated", version: Version2,
			body: `{"event":"new_message","chat_id":1,"ts":1.5,"message":{"id":"a","kind":"visitor","text":"x","created_at":"now","data":{"z":1}}}`,
			want: Event{Version: Version2, Name: EventNewMessage, ChatID: "1", Messages: []Message{{ID: "a", Kind: KindVisitor, Text: "x"}}},
		},
		{
			name: "new_chat 1.0", version: Version1, body: newChatV1,
			want: Event{Version: Version1, Name: EventNewChat, ChatID: "0b7e1f7a-3c5d-4e6f-8a9b-0c1d2e3f4a5b", Visitor: Visitor{ID: "v1"},
				Messages: []Message{{Kind: KindVisitor, Text: "hi"}}},
		},
		{
			name: "new_message 1.0 flat", version: Version1, body: newMessageV1,
			want: Event{Version: Version1, Name: EventNewMessage, ChatID: "0b7e1f7a-3c5d-4e6f-8a9b-0c1d2e3f4a5b", Messages: []Message{{Kind: KindVisitor, Text: "hello"}}},
		},
		{
			name: "keyboard_response 1.0", version: Version1, body: keyboardRespV1,
			want: Event{Version: Version1, Name: EventNewMessage, ChatID: "0b7e1f7a-3c5d-4e6f-8a9b-0c1d2e3f4a5b",
				Messages: []Message{{Kind: KindKeyboardResponse, Text: "One", Button: &Button{ID: "b1", Text: "One"}}}},
		},
		{
			name: "unknown event 2.0", version: Version2, body: unknownEventBody,
			want: Event{Version: Version2, Name: "chat_closed"},
		},
		{
			name: "unknown event 1.0", version: Version1, body: `{"event":"ping"}`,
			want: Event{Version: Version1, Name: "ping"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseWebhook(tt.version, []byte(tt.body))
			require.NoError(t, err)
			require.Len(t, got.BodyHash, 64)
			got.BodyHash = ""
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseWebhookInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		version string
		body    string
		want    string
	}{
		{name: "bad version", version: "3.0", body: newMessageV2, want: `unsupported version "3.0"`},
		{name: "invalid utf8", version: Version2, body: "{\"event\":\"new_message\",\"chat_id\":1,\"message\":{\"id\":\"a\",\"kind\":\"visitor\",\"text\":\"\xc3\x28\"}}", want: "not valid UTF-8"},
		{name: "empty", version: Version2, body: "", want: "must be a JSON object"},
		{name: "array", version: Version2, body: "[]", want: "must be a JSON object"},
		{name: "malformed", version: Version2, body: `{"event":`, want: "malformed JSON"},
		{name: "trailing data", version: Version2, body: `{"event":"x"}{}`, want: "malformed JSON"},
		{name: "too large", version: Version2, body: `{"event":"x","pad":"` + strings.Repeat("a", MaxWebhookBytes) + `"}`, want: "larger than"},
		{name: "no event", version: Version2, body: `{"chat_id":1}`, want: "event is required"},
		{name: "empty event", version: Version2, body: `{"event":""}`, want: "event is required"},
		{name: "event not string", version: Version2, body: `{"event":5}`, want: "event must be a string, not number"},
		{name: "2.0 chat_id fraction", version: Version2, body: `{"event":"new_message","chat_id":1.5,"message":{"id":"a","kind":"visitor","text":"x"}}`, want: "chat_id must be a string or an integer"},
		{name: "2.0 chat_id missing", version: Version2, body: `{"event":"new_message","message":{"id":"a","kind":"visitor","text":"x"}}`, want: "chat_id is required"},
		{name: "2.0 message missing", version: Version2, body: `{"event":"new_message","chat_id":1}`, want: "message is required"},
		{name: "message id bool", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":true,"kind":"visitor"}}`, want: "message.id must be a string or an integer"},
		{name: "message id too long", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"` + strings.Repeat("i", 257) + `","kind":"visitor"}}`, want: "message.id is too long"},
		{name: "text number", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"visitor","text":5}}`, want: "message.text must be a string, not number"},
		{name: "kind missing", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","text":"x"}}`, want: "message.kind is required"},
		{name: "file size string", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"file_visitor","data":{"url":"u","size":"24"}}}`, want: "size must be an integer, not string"},
		{name: "file data array", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"file_visitor","data":[]}}`, want: "must be an object, not array"},
		{name: "keyboard without button", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"keyboard_response","data":{}}}`, want: "data.button is required"},
		{name: "keyboard without data", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"keyboard_response"}}`, want: "button is required"},
		{name: "keyboard button id missing", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"keyboard_response","data":{"button":{"text":"t"}}}}`, want: "button.id is required"},
		{name: "keyboard button text number", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"keyboard_response","data":{"button":{"id":"b","text":1}}}}`, want: "must be a string, not number"},
		{name: "keyboard messageId object", version: Version2, body: `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"keyboard_response","data":{"button":{"id":"b"},"request":{"messageId":{}}}}}`, want: "request.messageId must be a string or an integer"},
		{name: "new_chat chat missing", version: Version2, body: `{"event":"new_chat","visitor":{"id":"v"}}`, want: "chat.id is required"},
		{name: "new_chat visitor field number", version: Version2, body: `{"event":"new_chat","chat":{"id":1},"visitor":{"id":"v","fields":{"name":5}}}`, want: "visitor.fields.name must be a string"},
		{name: "new_chat messages object", version: Version2, body: `{"event":"new_chat","chat":{"id":1},"messages":{}}`, want: "messages must be an array"},
		{name: "1.0 chat id integer", version: Version1, body: `{"event":"new_message","chat":{"id":5},"kind":"visitor","text":"x"}`, want: "chat.id must be a string, not number"},
		{name: "1.0 chat missing", version: Version1, body: `{"event":"new_message","kind":"visitor","text":"x"}`, want: "chat.id is required"},
		{name: "1.0 chat id empty", version: Version1, body: `{"event":"new_chat","chat":{"id":""}}`, want: "chat.id is required"},
		{name: "1.0 keyboard without response", version: Version1, body: `{"event":"new_message","chat":{"id":"c"},"kind":"keyboard_response"}`, want: "response.button is required"},
		{name: "2.0 body as 1.0", version: Version1, body: newMessageV2, want: "chat.id is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseWebhook(tt.version, []byte(tt.body))
			require.ErrorIs(t, err, apperr.ErrInvalid)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestParseWebhookErrorsHidePayload(t *testing.T) {
	t.Parallel()
	// Visitor text may be personal data; a type error must not echo it.
	_, err := ParseWebhook(Version2, []byte(`{"event":"new_message","chat_id":"secret-value","message":{}}`))
	require.Error(t, err)
	require.NotContains(t, err.Error(), "secret-value")
}

func TestIsKnown(t *testing.T) {
	t.Parallel()
	require.True(t, Event{Name: EventNewChat}.IsKnown())
	require.True(t, Event{Name: EventNewMessage}.IsKnown())
	require.False(t, Event{Name: "chat_closed"}.IsKnown())
}

func TestDedupKey(t *testing.T) {
	t.Parallel()
	parse := func(version, body string) Event {
		ev, err := ParseWebhook(version, []byte(body))
		require.NoError(t, err)
		return ev
	}
	v1 := parse(Version1, newMessageV1)
	unknown := parse(Version2, unknownEventBody)
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{name: "new_chat", ev: parse(Version2, newChatV2), want: "chat:1"},
		{name: "new_chat 1.0", ev: parse(Version1, newChatV1), want: "chat:0b7e1f7a-3c5d-4e6f-8a9b-0c1d2e3f4a5b"},
		{name: "new_message", ev: parse(Version2, newMessageV2), want: "msg:12345:f1fee54f"},
		{name: "1.0 message with id", ev: parse(Version1, `{"event":"new_message","chat":{"id":"c"},"id":"m9","kind":"visitor","text":"x"}`), want: "msg:c:m9"},
		{name: "1.0 message without id", ev: v1, want: "msg:0b7e1f7a-3c5d-4e6f-8a9b-0c1d2e3f4a5b:sha256:" + v1.BodyHash},
		{name: "unknown event", ev: unknown, want: "event:chat_closed:sha256:" + unknown.BodyHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, DedupKey(tt.ev))
		})
	}
	// The same body always gives the same key; another body another key.
	require.Equal(t, DedupKey(v1), DedupKey(parse(Version1, newMessageV1)))
	require.NotEqual(t, DedupKey(v1), DedupKey(parse(Version1, strings.Replace(newMessageV1, "hello", "hello!", 1))))
}

// U+0000 is legal JSON but cannot be stored by PostgreSQL: it is dropped
// from every string rather than failing the webhook for ever.
func TestParseWebhookStripsNUL(t *testing.T) {
	t.Parallel()
	ev, err := ParseWebhook(Version2, []byte(`{"event":"new_chat","chat":{"id":1},"visitor":{"id":"v\u00001","fields":{"name":"Jo\u0000hn"}},"messages":[{"id":"m\u00001","kind":"visitor","text":"hi\u0000!"}]}`))
	require.NoError(t, err)
	require.Equal(t, "v1", ev.Visitor.ID)
	require.Equal(t, "John", ev.Visitor.Name)
	require.Equal(t, "m1", ev.Messages[0].ID)
	require.Equal(t, "hi!", ev.Messages[0].Text)
	ev, err = ParseWebhook(Version2, []byte(`{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"keyboard_response","data":{"button":{"id":"b\u0000","text":"\u0000x"}}}}`))
	require.NoError(t, err)
	require.Equal(t, "b", ev.Messages[0].Button.ID)
	require.Equal(t, "x", ev.Messages[0].Button.Text)
}
