package webim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/botbridge/botbridge/internal/apperr"
)

// FuzzParseWebhook checks that no body crashes the ingress and that every
// outcome is either a well-formed event or an ErrInvalid.
func FuzzParseWebhook(f *testing.F) {
	for _, body := range []string{
		newChatV2, newMessageV2, fileMessageV2, keyboardRespV2,
		newChatV1, newMessageV1, keyboardRespV1, unknownEventBody,
		`{"event":"new_chat","chat":{"id":1},"visitor":{"id":"v","fields":{"name":"n","phone":"p","email":"e","extra":{}}},"messages":[]}`,
		`{"event":"new_chat","chat":{"id":1},"messages":[{"id":"f","kind":"file_visitor","data":{"url":"u","name":"n","media_type":"m","size":1}},{"id":"k","kind":"keyboard_response","data":{"button":{"id":"b","text":"t"},"request":{"messageId":"m"}}}]}`,
		`{"event":"new_message","chat":{"id":"c"},"kind":"file_visitor","data":{"url":"u"}}`,
		`{"event":"new_message","chat_id":"1"}`, `{"event":5}`, `[]`, `null`, ``, "\xff",
		`{"event":"new_message","chat_id":"c-1","message":{"kind":"sticker_visitor","data":{"id":"s","n":"a\u0000b"}}}`,
		`{"event":"new_message","chat_id":1,"message":{"id":"c","kind":"contacts","text":"+7","data":{"phone":"+7"}}}`,
		`{"event":"new_message","chat_id":1,"message":{"kind":"file_visitor"}}`,
		`{"event":"new_chat","chat":{"id":"7"},"messages":[{"id":"a","kind":"operator","text":"hi"},{"kind":"info","data":[1]}]}`,
	} {
		f.Add(Version2, []byte(body))
		f.Add(Version1, []byte(body))
	}
	f.Fuzz(func(t *testing.T, version string, body []byte) {
		ev, err := ParseWebhook(version, body)
		// The one-decoding path for 2.0 new_message says exactly what the
		// two decodings said, event or error.
		twoPasses.Store(true)
		slow, slowErr := ParseWebhook(version, body)
		twoPasses.Store(false)
		if fmt.Sprint(err) != fmt.Sprint(slowErr) || !reflect.DeepEqual(ev, slow) {
			t.Fatalf("one decoding: %+v, %v; two: %+v, %v", ev, err, slow, slowErr)
		}
		if err != nil {
			if !errors.Is(err, apperr.ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		if ev.Name == "" || (ev.Version != Version1 && ev.Version != Version2) {
			t.Fatalf("accepted event without name or version: %+v", ev)
		}
		if strings.Contains(ev.ChatID, "\x00") {
			t.Fatalf("NUL in chat id %q", ev.ChatID)
		}
		if ev.IsKnown() && ev.ChatID == "" {
			t.Fatalf("known event without chat id: %+v", ev)
		}
		if ev.Name == EventNewMessage && len(ev.Messages) != 1 {
			t.Fatalf("new_message with %d messages", len(ev.Messages))
		}
		key := DedupKey(ev)
		if !utf8.ValidString(key) || !strings.Contains(key, ":") {
			t.Fatalf("bad dedup key %q", key)
		}
		for _, m := range ev.Messages {
			if m.Kind == KindFileVisitor && m.File == nil {
				t.Fatalf("file message without a file: %+v", m)
			}
			if len(m.Data) > 0 && (!json.Valid(m.Data) || bytes.Contains(m.Data, []byte(`\u0000`))) {
				t.Fatalf("unstorable data: %s", m.Data)
			}
			if m.Kind == KindKeyboardResponse && (m.Button == nil || m.Button.ID == "") {
				t.Fatalf("button press without button: %+v", m)
			}
		}
	})
}

// FuzzMarkdownToText: bot text is untrusted too; rendering must not panic
// and must stay valid UTF-8 when the input is.
func FuzzMarkdownToText(f *testing.F) {
	for _, s := range []string{"**b** _i_ [l](https://e.com)", "- a\n- b\n\n1. x", "```\ncode\n```", "<div>x</div>", "&amp; \\* <br>", "> q\n>> qq", "![a](u)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		out := MarkdownToText(md)
		if utf8.ValidString(md) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 output for %q", md)
		}
		if strings.TrimRight(out, " \t\n") != out {
			t.Fatalf("trailing whitespace in %q", out)
		}
	})
}
