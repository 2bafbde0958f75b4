//go:build ignore

// generate writes the hostile webhook corpus: one file per body and
// manifest.json saying how each is sent and what botbridge must answer.
// The corpus is checked in; run this only to change it:
//
//	go run ./testdata/webhooks/generate.go
//
// Every body but the "valid" ones is malformed, truncated, oversized or
// hostile, and none of those may leave anything in the database. The valid
// ones are shapes real Webim accounts send beyond the sample bot's (see
// docs/webim.md): each must be answered 200 and store exactly its Stores
// events, however often it is sent. Statuses follow the ingress contract
// (web/webhook_webim.go): 400 for anything that does not parse as a Webim
// event, 413 above 1 MiB, 404 for a key no integration has, 405 for a
// method the route does not take, and 200 {"result":"ok"} for well-formed
// events whose name Webim may add later (acknowledged, logged, not stored).
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

type entry struct {
	File        string            `json:"file"`
	Status      int               `json:"status"`
	Method      string            `json:"method,omitempty"`
	ContentType string            `json:"content_type,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
	Path        string            `json:"path,omitempty"`
	Key         string            `json:"key,omitempty"`
	Why         string            `json:"why"`
	// Stores is how many events a valid body stores (once, however often
	// it is sent); 0 for every hostile body.
	Stores int `json:"stores,omitempty"`
}

const (
	newMessage = `{"event":"new_message","chat_id":4242,"message":{"id":"m-1","kind":"visitor","text":"Hello, I need help with my order №5 — где он?"}}`
	newChat    = `{"event":"new_chat","chat":{"id":4242},"visitor":{"id":"v-1","fields":{"name":"Ann","phone":"+100","email":"a@example.com"}},"messages":[{"id":"m-0","kind":"visitor","text":"hi"}]}`
)

var (
	out     []entry
	dir     = "testdata/webhooks"
	written = map[string]bool{}
)

func add(e entry, body []byte) {
	if written[e.File] {
		panic("duplicate file " + e.File)
	}
	written[e.File] = true
	if err := os.WriteFile(filepath.Join(dir, "bodies", e.File), body, 0o644); err != nil {
		panic(err)
	}
	out = append(out, e)
}

func bad(file, why, body string) { add(entry{File: file, Status: 400, Why: why}, []byte(body)) }

func ignored(file, why, body string) { add(entry{File: file, Status: 200, Why: why}, []byte(body)) }

// valid is a well-formed event that must be stored (stores events).
func valid(file, why, body string, stores int) {
	add(entry{File: file, Status: 200, Why: why, Stores: stores}, []byte(body))
}

// validMsg is a new_message of its own chat (chat_id 9000+n) whose message
// object is m.
func validMsg(n int, m string) string {
	return fmt.Sprintf(`{"event":"new_message","chat_id":%d,"message":%s}`, 9000+n, m)
}

// msg is a new_message whose message object is m (raw JSON).
func msg(m string) string { return `{"event":"new_message","chat_id":4242,"message":` + m + `}` }

func main() {
	if _, err := os.Stat(filepath.Join(dir, "generate.go")); err != nil {
		fmt.Fprintln(os.Stderr, "run from the repository root: go run ./testdata/webhooks/generate.go")
		os.Exit(2)
	}
	_ = os.RemoveAll(filepath.Join(dir, "bodies"))
	if err := os.MkdirAll(filepath.Join(dir, "bodies"), 0o755); err != nil {
		panic(err)
	}

	// Truncated: a real event cut anywhere.
	for _, n := range []int{1, 9, 20, 36, 60, len(newMessage) - 1} {
		bad(fmt.Sprintf("truncated-new-message-at-%d.json", n), "new_message cut short", newMessage[:n])
	}
	for _, n := range []int{15, 50, 100, len(newChat) - 1} {
		bad(fmt.Sprintf("truncated-new-chat-at-%d.json", n), "new_chat cut short", newChat[:n])
	}
	bad("truncated-in-escape.json", "cut inside a \\u escape", msg(`{"id":"x","kind":"visitor","text":"\u00`))
	i := strings.Index(newMessage, "где")
	bad("truncated-mid-rune.json", "cut inside a two-byte UTF-8 character", newMessage[:i+1])

	// Not a JSON object at all.
	bad("empty.json", "empty body", "")
	bad("whitespace.json", "only whitespace", " \n\t\r ")
	bad("array.json", "an array", `[{"event":"new_chat","chat":{"id":1}}]`)
	bad("null.json", "null", `null`)
	bad("string.json", "a string", `"new_chat"`)
	bad("number.json", "a number", `4242`)
	bad("true.json", "a boolean", `true`)
	bad("two-objects.json", "two objects back to back", `{"event":"bogus"}{"event":"new_chat","chat":{"id":1}}`)
	bad("trailing-garbage.json", "an object followed by junk", newChat+`,]`)
	bad("bom.json", "a UTF-8 byte order mark before the object", "\uFEFF"+newChat)
	bad("single-quotes.json", "JavaScript, not JSON", `{'event':'new_chat','chat':{'id':1}}`)
	bad("comments.json", "JSON with comments", "{/* hi */\"event\":\"new_chat\",\"chat\":{\"id\":1}}")
	bad("nan.json", "NaN is not JSON", `{"event":"new_message","chat_id":NaN,"message":{"id":"1","kind":"visitor"}}`)

	// Wrong types for known keys.
	bad("event-number.json", "event is a number", `{"event":5,"chat_id":1}`)
	bad("event-null.json", "event is null", `{"event":null,"chat_id":1}`)
	bad("event-empty.json", "event is empty", `{"event":"","chat_id":1}`)
	bad("event-array.json", "event is an array", `{"event":["new_chat"],"chat":{"id":1}}`)
	bad("event-object.json", "event is an object", `{"event":{"name":"new_chat"},"chat":{"id":1}}`)
	bad("event-missing.json", "no event key", `{"chat":{"id":1},"visitor":{"id":"v"}}`)
	bad("chat-id-float.json", "chat_id is fractional", `{"event":"new_message","chat_id":42.5,"message":{"id":"1","kind":"visitor"}}`)
	bad("chat-id-overflow.json", "chat_id beyond int64", `{"event":"new_message","chat_id":9223372036854775808,"message":{"id":"1","kind":"visitor"}}`)
	bad("chat-id-exponent.json", "chat_id 1e400", `{"event":"new_message","chat_id":1e400,"message":{"id":"1","kind":"visitor"}}`)
	bad("chat-id-bool.json", "chat_id is a boolean", `{"event":"new_message","chat_id":true,"message":{"id":"1","kind":"visitor"}}`)
	bad("chat-id-missing.json", "new_message without chat_id", `{"event":"new_message","message":{"id":"1","kind":"visitor","text":"hi"}}`)
	bad("chat-object-id.json", "chat.id is an object", `{"event":"new_chat","chat":{"id":{"$gt":0}},"messages":[]}`)
	bad("chat-missing.json", "new_chat without chat", `{"event":"new_chat","visitor":{"id":"v"},"messages":[]}`)
	bad("messages-object.json", "messages is an object", `{"event":"new_chat","chat":{"id":1},"messages":{"0":{"id":"1","kind":"visitor"}}}`)
	bad("visitor-id-bool.json", "visitor.id is a boolean", `{"event":"new_chat","chat":{"id":1},"visitor":{"id":true},"messages":[]}`)
	bad("visitor-name-number.json", "visitor.fields.name is a number", `{"event":"new_chat","chat":{"id":1},"visitor":{"id":"v","fields":{"name":7}},"messages":[]}`)
	bad("message-missing.json", "new_message without message", `{"event":"new_message","chat_id":4242}`)
	bad("message-string.json", "message is a string", `{"event":"new_message","chat_id":4242,"message":"hi"}`)
	bad("message-id-object.json", "message.id is an object", msg(`{"id":{"a":1},"kind":"visitor","text":"hi"}`))
	bad("message-id-float.json", "message.id is fractional", msg(`{"id":1.5,"kind":"visitor","text":"hi"}`))
	bad("message-id-too-long.json", "message.id longer than 256 bytes", msg(`{"id":"`+strings.Repeat("x", 300)+`","kind":"visitor","text":"hi"}`))
	bad("kind-missing.json", "message without kind", msg(`{"id":"1","text":"hi"}`))
	bad("kind-number.json", "kind is a number", msg(`{"id":"1","kind":1,"text":"hi"}`))
	bad("text-number.json", "text is a number", msg(`{"id":"1","kind":"visitor","text":12}`))
	bad("file-size-string.json", "file size is a string", msg(`{"id":"1","kind":"file_visitor","data":{"url":"https://x","size":"big"}}`))
	bad("button-missing.json", "keyboard_response without button", msg(`{"id":"1","kind":"keyboard_response","data":{"request":{"messageId":"k"}}}`))
	bad("button-id-empty.json", "keyboard_response with an empty button id", msg(`{"id":"1","kind":"keyboard_response","data":{"button":{"id":"","text":"x"}}}`))
	bad("button-id-array.json", "button id is an array", msg(`{"id":"1","kind":"keyboard_response","data":{"button":{"id":["a"],"text":"x"}}}`))

	// Encodings.
	bad("invalid-utf8.json", "a byte that is not UTF-8 inside a string", msg("{\"id\":\"1\",\"kind\":\"visitor\",\"text\":\"caf\xe9\"}"))
	bad("overlong-utf8.json", "an overlong UTF-8 encoding of '/'", msg("{\"id\":\"1\",\"kind\":\"visitor\",\"text\":\"\xc0\xaf\"}"))
	bad("lone-continuation.json", "UTF-8 continuation bytes alone", "{\"event\":\"\x80\x80\"}")
	bad("utf16.json", "UTF-16LE with NUL bytes between characters", string(utf16le(newChat)))
	bad("nul-raw-in-string.json", "a raw NUL byte inside a string", msg("{\"id\":\"1\",\"kind\":\"visitor\",\"text\":\"a\x00b\"}"))
	bad("nul-raw-outside.json", "a raw NUL byte between tokens", "{\"event\":\x00\"new_chat\",\"chat\":{\"id\":1}}")

	// Depth and size.
	bad("deep-array.json", "20 000 nested arrays inside an unknown key", `{"event":"new_chat","chat":{"id":1},"x":`+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+`}`)
	bad("deep-object.json", "20 000 nested objects", `{"event":"new_chat","chat":{"id":1},"x":`+strings.Repeat(`{"a":`, 20000)+`1`+strings.Repeat("}", 20000)+`}`)
	bad("deep-name.json", "visitor name nested 500 deep where a string belongs", `{"event":"new_chat","chat":{"id":1},"visitor":{"id":"v","fields":{"name":`+strings.Repeat(`{"a":`, 500)+`"x"`+strings.Repeat("}", 500)+`}},"messages":[]}`)
	bad("huge-chat-id.json", "a 500 000-digit chat_id", `{"event":"new_message","chat_id":`+strings.Repeat("9", 500000)+`,"message":{"id":"1","kind":"visitor"}}`)
	bad("many-keys.json", "50 000 unknown keys, then no chat", `{"event":"new_chat",`+manyKeys(50000)+`"messages":[]}`)
	add(entry{File: "oversized-2mib.json", Status: 413, Why: "2 MiB: over the 1 MiB limit"},
		[]byte(msg(`{"id":"1","kind":"visitor","text":"`+strings.Repeat("B", 2<<20)+`"}`)))
	over := msg(`{"id":"1","kind":"visitor","text":"`)
	over += strings.Repeat("C", (1<<20)+1-len(over)-2) + `"}`
	add(entry{File: "oversized-1mib-plus-1.json", Status: 413, Why: "one byte over 1 MiB"}, []byte(over))

	// Content types other than JSON, with bodies to match.
	add(entry{File: "form-urlencoded.txt", Status: 400, ContentType: "application/x-www-form-urlencoded", Why: "a form post"},
		[]byte("event=new_message&chat_id=4242&message[id]=1&message[kind]=visitor"))
	add(entry{File: "multipart.txt", Status: 400, ContentType: "multipart/form-data; boundary=XyZ", Why: "a multipart upload"},
		[]byte("--XyZ\r\nContent-Disposition: form-data; name=\"event\"\r\n\r\nnew_chat\r\n--XyZ--\r\n"))
	add(entry{File: "xml.txt", Status: 400, ContentType: "text/xml", Why: "XML"},
		[]byte(`<?xml version="1.0"?><event name="new_chat"><chat id="1"/></event>`))
	add(entry{File: "plain-text.txt", Status: 400, ContentType: "text/plain", Why: "plain text"}, []byte("hello bot"))
	add(entry{File: "gzip.bin", Status: 400, ContentType: "application/json", Headers: map[string]string{"Content-Encoding": "gzip"},
		Why: "a gzip-compressed event (the ingress does not decompress)"}, gz(newChat))
	add(entry{File: "no-content-type.txt", Status: 400, ContentType: "-", Why: "no Content-Type, not JSON"}, []byte("event: new_chat"))

	// Prototype-pollution and mass-assignment style keys.
	ignored("proto-event.json", "__proto__ as the event name", `{"__proto__":{"event":"new_chat","chat":{"id":1}},"event":"__proto__"}`)
	ignored("constructor-event.json", "constructor.prototype as the event", `{"event":"constructor","constructor":{"prototype":{"isAdmin":true}}}`)
	bad("proto-message.json", "the message smuggled under __proto__", `{"event":"new_message","chat_id":4242,"__proto__":{"message":{"id":"1","kind":"visitor"}}}`)
	bad("proto-chat-id.json", "chat.id under __proto__", `{"event":"new_chat","chat":{"__proto__":{"id":1}},"messages":[]}`)
	valid("proto-message-id.json", "message.id under __proto__: just a message without id", validMsg(15, `{"__proto__":{"id":"1"},"kind":"visitor","text":"hi"}`), 1)
	bad("mass-assignment.json", "database columns as keys, no chat", `{"event":"new_chat","project_id":1,"integration_id":1,"status":"done","visitor":{"id":"v"},"messages":[]}`)

	// SQL-ish strings where they could matter.
	ignored("sql-event.json", "SQL in the event name", `{"event":"'; DROP TABLE bridge_events; --","chat_id":1}`)
	ignored("sql-event-or.json", "a tautology in the event name", `{"event":"new_message' OR '1'='1","chat_id":1,"message":{"id":"1","kind":"visitor"}}`)
	valid("sql-kind.json", "SQL in kind: an unknown kind, stored as data (message.other)", validMsg(16, `{"id":"1","kind":"visitor'); DELETE FROM users; --","text":"x"}`), 1)
	bad("sql-id-too-long.json", "a long SQL payload as message.id", msg(`{"id":"`+strings.Repeat("1' OR 1=1; ", 30)+`","kind":"visitor"}`))

	// Unicode edge cases in the event name: all unknown, all acknowledged.
	ignored("event-fullwidth.json", "new_chat in fullwidth letters", `{"event":"ｎｅｗ＿ｃｈａｔ","chat":{"id":1}}`)
	ignored("event-rtl-override.json", "a right-to-left override before new_chat", `{"event":"\u202enew_chat","chat":{"id":1}}`)
	ignored("event-zero-width.json", "new_chat with a zero-width space", `{"event":"new_chat\u200b","chat":{"id":1}}`)
	ignored("event-upper.json", "NEW_CHAT in capitals", `{"event":"NEW_CHAT","chat":{"id":1}}`)
	ignored("event-lone-surrogate.json", "a lone UTF-16 surrogate escape", `{"event":"\ud800","chat":{"id":1}}`)
	ignored("event-escaped-nul.json", "new_chat followed by an escaped NUL", `{"event":"new_chat\u0000","chat":{"id":1}}`)
	ignored("event-emoji.json", "emoji and combining marks", `{"event":"💥ne̷w̷_chat🔥","chat":{"id":1}}`)
	ignored("event-huge.json", "a 900 KiB event name", `{"event":"`+strings.Repeat("x", 900<<10)+`"}`)
	bad("key-escaped.json", "the event key spelled with an escape (it is still event: new_chat, without chat)", `{"\u0065vent":"new_chat","visitor":{"id":"v"}}`)
	ignored("duplicate-event-key.json", "new_chat, then the key again with another name (the last wins)", `{"event":"new_chat","chat":{"id":1},"event":"bogus"}`)
	bad("duplicate-event-key-2.json", "a bogus name, then new_message without message", `{"event":"bogus","event":"new_message","chat_id":4242}`)

	// Versions: headers and URL suffixes that do not fit the body.
	add(entry{File: "version-3.json", Status: 400, Headers: map[string]string{"X-Bot-API-Version": "3.0"}, Why: "an unknown Bot API version"}, []byte(newChat))
	add(entry{File: "version-junk.json", Status: 400, Headers: map[string]string{"X-Bot-API-Version": "2.0; DROP TABLE chats"}, Why: "junk in the version header"}, []byte(newChat))
	add(entry{File: "v1-header-v2-body.json", Status: 400, Headers: map[string]string{"X-Bot-API-Version": "1.0"}, Why: "1.0 declared, integer chat id of 2.0"}, []byte(newChat))
	add(entry{File: "v1-path-v2-message.json", Status: 400, Path: "/v1", Why: "the /v1 URL with a 2.0 new_message (no chat.id)"}, []byte(newMessage))
	add(entry{File: "v2-path-truncated.json", Status: 400, Path: "/v2", Why: "the /v2 URL, truncated body"}, []byte(newChat[:40]))

	// Valid: what real accounts send beyond the sample bot. Never refused.
	valid("valid-sticker.json", "a sticker: message.other", validMsg(1, `{"id":"s1","kind":"sticker_visitor","data":{"id":"st-5","url":"https://acc.webim.ru/sticker/5.png"}}`), 1)
	valid("valid-contacts.json", "shared contacts: message.other with text", validMsg(2, `{"id":"c1","kind":"contacts","text":"+7 900","data":{"phone":"+7 900","name":"Ann"}}`), 1)
	valid("valid-apple-chat-response.json", "an Apple Messages answer without data", validMsg(3, `{"id":"a1","kind":"apple_chat_response"}`), 1)
	valid("valid-kind-operator.json", "an operator kind as new_message (not expected, still no reason to refuse)", validMsg(4, `{"id":"o1","kind":"operator","text":"hi"}`), 1)
	valid("valid-chat-id-string.json", "chat_id as a JSON string in 2.0", `{"event":"new_message","chat_id":"9005","message":{"id":"1","kind":"visitor","text":"hi"}}`, 1)
	valid("valid-chat-id-string-sql.json", "a string chat id that looks like SQL is just an id", `{"event":"new_message","chat_id":"1; DELETE FROM chats","message":{"id":"1","kind":"visitor"}}`, 1)
	valid("valid-new-chat-string-id.json", "new_chat with a string chat.id", `{"event":"new_chat","chat":{"id":"c-9007"},"visitor":{"id":"v7"},"messages":[{"id":"h1","kind":"visitor","text":"hi"}]}`, 2)
	valid("valid-message-id-missing.json", "a message without id (deduplicated by the body)", validMsg(8, `{"kind":"visitor","text":"hi"}`), 1)
	valid("valid-message-id-empty.json", "an empty message id (as if missing)", validMsg(9, `{"id":"","kind":"visitor","text":"hi"}`), 1)
	valid("valid-file-without-data.json", "file_visitor without data", validMsg(10, `{"id":"1","kind":"file_visitor"}`), 1)
	valid("valid-file-without-url.json", "file_visitor without url", validMsg(11, `{"id":"1","kind":"file_visitor","data":{"name":"x.pdf"}}`), 1)
	valid("valid-huge-text-no-id.json", "1 MiB minus a little of text in a message without id", validMsg(12, `{"kind":"visitor","text":"`+strings.Repeat("A", 1<<20-200)+`"}`), 1)
	valid("valid-history-operator.json", "new_chat whose history holds operator and system messages", `{"event":"new_chat","chat":{"id":9013},"visitor":{"id":"v13"},"messages":[{"id":"h1","kind":"visitor","text":"hi"},{"id":"h2","kind":"operator","text":"Hello, Anna here"},{"id":"h3","kind":"info","text":"chat transferred"}]}`, 2)
	add(entry{File: "valid-version-2-1.json", Status: 200, Headers: map[string]string{"X-Bot-API-Version": "2.1", "X-Webim-Version": "10.5.62"},
		Why: "a 2.x minor version is 2.0", Stores: 1}, []byte(validMsg(14, `{"id":"1","kind":"visitor","text":"hi"}`)))

	// Keys and methods: the route itself refuses.
	add(entry{File: "unknown-key.json", Status: 404, Key: "no-integration-has-this-key", Why: "a key nobody has"}, []byte(newChat))
	add(entry{File: "long-key.json", Status: 404, Key: strings.Repeat("K", 4000), Why: "a 4 000-character key"}, []byte(newChat))
	add(entry{File: "sql-key.json", Status: 404, Key: "x'%20OR%20'1'%3D'1", Why: "SQL in the key"}, []byte(newChat))
	add(entry{File: "nul-key.json", Status: 404, Key: "abc%00def", Why: "an escaped NUL in the key"}, []byte(newChat))
	add(entry{File: "get.json", Status: 405, Method: "GET", Why: "GET on the webhook URL"}, nil)
	add(entry{File: "put.json", Status: 405, Method: "PUT", Why: "PUT with a real event"}, []byte(newChat))

	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		panic(err)
	}
	fmt.Printf("wrote %d bodies and manifest.json\n", len(out))
}

func utf16le(s string) []byte {
	var b bytes.Buffer
	for _, r := range s {
		if r > 0xFFFF {
			r = '?'
		}
		b.WriteByte(byte(r))
		b.WriteByte(byte(r >> 8))
	}
	return b.Bytes()
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.Bytes()
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `"k%d":%d,`, i, i)
	}
	return b.String()
}
