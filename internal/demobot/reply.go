package demobot

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/clip"
	"github.com/botbridge/botbridge/web/i18n"
)

// Keyboard button ids of the greeting.
const (
	ButtonPrices = "menu_prices"
	ButtonHuman  = "menu_human"
)

// Link used by the link buttons and the Markdown sample.
const siteURL = "https://example.com"

// Fixed English texts, exported so tests elsewhere can wait for them; the
// catalog's English (web/i18n/demobot_en.go) says the same, Russian its own.
const (
	// ContactFailedText answers action.failed for send_data_to_operator.
	ContactFailedText = "Sorry, I can't pass your contact details to an operator on this channel."
	// EchoPrefix starts the answer to any text the bot does not know.
	EchoPrefix = "You said: "
	// PressedPrefix starts the answer to a button press.
	PressedPrefix = "You pressed "
)

// MarkdownSample is the English answer to "markdown": bold, a link, a
// list and code.
var MarkdownSample = i18n.EN.T("demobot.markdown", siteURL)

// maxEcho bounds the echoed text (in runes) so the reply stays under
// botapi.MaxTextLen even when every character needs escaping.
const maxEcho = 2000

// Reply is the demo bot's whole scenario: the answer to one event, in
// lang (Russian or English). It is a pure function of its arguments.
//
//   - chat.started: a greeting with two keyboard buttons and a link button;
//   - message.text: "operator"/"person"/"оператор" → transfer; "bye"/"пока" →
//     close; "contact" → send_data_to_operator; "markdown"/"md" →
//     MarkdownSample with a link button; "file"/"файл" → a file;
//     "queue"/"очередь" → transfer to the queue; "dept X" → transfer to
//     department X; "op N" → transfer to operator N; "help"/"menu"/"помощь"
//     → the greeting again; anything else is echoed;
//   - message.button: "You pressed <text>" (menu_human also transfers);
//   - message.file: a thank-you naming the file;
//   - message.other: "I can't read stickers yet", naming the kind;
//   - chat.returned: welcome back, quoting the operator's last message;
//   - ping (the owner's test event): a short "pong";
//   - chat.assigned, chat.closed: nothing to say (an empty answer);
//   - action.failed: an apology (ContactFailedText for send_data_to_operator).
func Reply(lang i18n.Lang, ev botapi.Event) botapi.Response {
	t := lang.T
	switch ev.Type {
	case botapi.TypeChatStarted:
		return greeting(lang, ev.User.Name)
	case botapi.TypeMessageText:
		text := ""
		if ev.Message != nil {
			text = ev.Message.Text
		}
		return replyText(lang, ev, text)
	case botapi.TypeMessageButton:
		return replyButton(lang, ev.Message)
	case botapi.TypeMessageFile:
		if ev.Message != nil && ev.Message.File != nil && ev.Message.File.Name != "" {
			return say(t("demobot.file.thanks", escape(clip.Text(ev.Message.File.Name, 200))))
		}
		return say(t("demobot.file.thanks_unnamed"))
	case botapi.TypeMessageOther:
		kind := ""
		if ev.Message != nil {
			kind = ev.Message.Kind
		}
		switch kind {
		case "sticker_visitor":
			return say(t("demobot.other.sticker"))
		case "contacts":
			return say(t("demobot.other.contacts"))
		}
		return say(t("demobot.other.kind", escape(clip.Text(kind, 60))))
	case botapi.TypeChatReturned:
		text := t("demobot.returned")
		for i := len(ev.Messages) - 1; i >= 0; i-- {
			if m := ev.Messages[i]; m.Kind == "operator" && strings.TrimSpace(m.Text) != "" {
				text += "\n\n" + t("demobot.returned.last", escape(clip.Text(strings.TrimSpace(m.Text), 300)))
				break
			}
		}
		return say(text)
	case botapi.TypePing:
		// The owner's "Send a test event": a normal reply, never shown
		// to a visitor.
		return say(t("demobot.ping"))
	case botapi.TypeChatAssigned, botapi.TypeChatClosed:
		// Nothing to say: a person has the chat, or it is over.
		return botapi.Response{}
	case botapi.TypeActionFailed:
		if ev.Action == botapi.ActionSendDataToOperator {
			return say(t("demobot.contact.failed"))
		}
		return say(t("demobot.action.failed", escape(clip.Text(ev.Action, 100)), escape(clip.Text(ev.Reason, 100))))
	}
	// Unknown event types: bots must ignore what they do not know.
	return botapi.Response{}
}

func say(text string) botapi.Response {
	return botapi.Response{Replies: []botapi.Reply{{Text: text}}}
}

func transfer(text string, a botapi.Action) botapi.Response {
	a.Type = botapi.ActionTransfer
	return botapi.Response{Replies: []botapi.Reply{{Text: text}}, Action: &a}
}

func greeting(lang i18n.Lang, name *string) botapi.Response {
	hi := lang.T("demobot.hi")
	if name != nil && strings.TrimSpace(*name) != "" {
		hi = lang.T("demobot.hi.name", escape(clip.Text(strings.TrimSpace(*name), 100)))
	}
	return botapi.Response{Replies: []botapi.Reply{{
		Text: lang.T("demobot.greeting", hi),
		Buttons: [][]botapi.Button{
			{{ID: ButtonPrices, Text: lang.T("demobot.button.prices")}, {ID: ButtonHuman, Text: lang.T("demobot.button.human")}},
			{{Text: lang.T("demobot.button.site"), URL: siteURL}},
		},
	}}}
}

func replyText(lang i18n.Lang, ev botapi.Event, text string) botapi.Response {
	t := lang.T
	words := strings.Fields(text)
	if len(words) == 0 {
		return say(t("demobot.empty"))
	}
	cmd := strings.ToLower(words[0])
	one := len(words) == 1
	switch {
	case one && (cmd == "operator" || cmd == "person" || cmd == "human" || cmd == "оператор" || cmd == "человек"):
		return transfer(t("demobot.transfer"), botapi.Action{})
	case one && (cmd == "bye" || cmd == "пока"):
		return botapi.Response{Replies: []botapi.Reply{{Text: t("demobot.bye")}},
			Action: &botapi.Action{Type: botapi.ActionClose}}
	case one && (cmd == "contact" || cmd == "контакты"):
		data, _ := json.Marshal(map[string]any{"name": ev.User.Name, "phone": ev.User.Phone, "email": ev.User.Email, "source": "demobot"})
		return botapi.Response{Replies: []botapi.Reply{{Text: t("demobot.contact")}},
			Action: &botapi.Action{Type: botapi.ActionSendDataToOperator, Data: data}}
	case one && (cmd == "markdown" || cmd == "md"):
		return botapi.Response{Replies: []botapi.Reply{{
			Text:    t("demobot.markdown", siteURL),
			Buttons: [][]botapi.Button{{{Text: t("demobot.button.open_site"), URL: siteURL}}},
		}}}
	case one && (cmd == "file" || cmd == "файл"):
		return botapi.Response{Replies: []botapi.Reply{
			{Text: t("demobot.file")},
			{File: &botapi.File{URL: siteURL + "/price-list.pdf", Name: "price-list.pdf", MediaType: "application/pdf"}},
		}}
	case one && (cmd == "queue" || cmd == "очередь"):
		return transfer(t("demobot.queue"), botapi.Action{Queue: true})
	case cmd == "dept" || cmd == "отдел":
		if len(words) != 2 || len(words[1]) > botapi.MaxDepartmentLen {
			return say(t("demobot.dept.ask"))
		}
		return transfer(t("demobot.dept", escape(words[1])), botapi.Action{Department: words[1]})
	case cmd == "op":
		n, err := strconv.ParseInt(strings.Join(words[1:], ""), 10, 64)
		if len(words) != 2 || err != nil || n <= 0 {
			return say(t("demobot.op.ask"))
		}
		return transfer(t("demobot.op", strconv.FormatInt(n, 10)), botapi.Action{OperatorID: n})
	case one && (cmd == "help" || cmd == "menu" || cmd == "start" || cmd == "помощь" || cmd == "меню"):
		return greeting(lang, ev.User.Name)
	}
	return say(t("demobot.echo", escape(clip.Text(strings.TrimSpace(text), maxEcho))))
}

func replyButton(lang i18n.Lang, m *botapi.Message) botapi.Response {
	var id, text string
	if m != nil {
		text = m.Text
		if m.Button != nil {
			id = m.Button.ID
			if m.Button.Text != "" {
				text = m.Button.Text
			}
		}
	}
	if text == "" {
		text = id
	}
	answer := lang.T("demobot.pressed", escape(clip.Text(text, 200)))
	if id == ButtonHuman {
		return transfer(answer, botapi.Action{})
	}
	return say(answer)
}

// escape makes text show literally when rendered as Markdown: every
// character Markdown could treat as syntax gets a backslash (CommonMark
// allows escaping any ASCII punctuation).
func escape(s string) string {
	const special = "\\`*_{}[]()#+-.!<>&~|="
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < 0x80 && strings.ContainsRune(special, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
