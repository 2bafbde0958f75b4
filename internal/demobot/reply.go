package demobot

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/clip"
)

// Keyboard button ids of the greeting.
const (
	ButtonPrices = "menu_prices"
	ButtonHuman  = "menu_human"
)

// Link used by the link buttons and the Markdown sample.
const siteURL = "https://example.com"

// Fixed texts, exported so tests elsewhere can wait for them.
const (
	// ContactFailedText answers action.failed for send_data_to_operator.
	ContactFailedText = "Sorry, I can't pass your contact details to an operator on this channel."
	// EchoPrefix starts the answer to any text the bot does not know.
	EchoPrefix = "You said: "
	// PressedPrefix starts the answer to a button press.
	PressedPrefix = "You pressed "
)

// MarkdownSample is the answer to "markdown": bold, a link, a list and code.
const MarkdownSample = "**Markdown sample**\n\n" +
	"This is **bold**, this is _italic_, and here is [a link](" + siteURL + ").\n\n" +
	"- a list item\n" +
	"- another one, with `inline code`\n\n" +
	"1. numbered\n" +
	"2. list"

// maxEcho bounds the echoed text (in runes) so the reply stays under
// botapi.MaxTextLen even when every character needs escaping.
const maxEcho = 2000

// Reply is the demo bot's whole scenario: the answer to one event. It is a
// pure function of the event.
//
//   - chat.started: a greeting with two keyboard buttons and a link button;
//   - message.text: "operator"/"person"/"оператор" → transfer; "bye" → close;
//     "contact" → send_data_to_operator; "markdown"/"md" → MarkdownSample
//     with a link button; "file" → a file; "queue" → transfer to the queue;
//     "dept X" → transfer to department X; "op N" → transfer to operator N;
//     "help"/"menu" → the greeting again; anything else is echoed;
//   - message.button: "You pressed <text>" (menu_human also transfers);
//   - message.file: a thank-you naming the file;
//   - action.failed: an apology (ContactFailedText for send_data_to_operator).
func Reply(ev botapi.Event) botapi.Response {
	switch ev.Type {
	case botapi.TypeChatStarted:
		return greeting(ev.User.Name)
	case botapi.TypeMessageText:
		text := ""
		if ev.Message != nil {
			text = ev.Message.Text
		}
		return replyText(ev, text)
	case botapi.TypeMessageButton:
		return replyButton(ev.Message)
	case botapi.TypeMessageFile:
		name := "you sent"
		if ev.Message != nil && ev.Message.File != nil && ev.Message.File.Name != "" {
			name = ev.Message.File.Name
		}
		return say("Thanks for the file " + escape(clip.Text(name, 200)) + ". I can't read files, but a person could: type *operator*.")
	case botapi.TypeActionFailed:
		if ev.Action == botapi.ActionSendDataToOperator {
			return say(ContactFailedText)
		}
		return say("Sorry, I couldn't do that (" + escape(clip.Text(ev.Action, 100)) + ": " + escape(clip.Text(ev.Reason, 100)) + ").")
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

func greeting(name *string) botapi.Response {
	hi := "Hi!"
	if name != nil && strings.TrimSpace(*name) != "" {
		hi = "Hi " + escape(clip.Text(strings.TrimSpace(*name), 100)) + "!"
	}
	text := hi + " I'm the **botbridge demo bot**.\n\n" +
		"Type anything and I'll echo it, or try: `operator`, `bye`, `contact`, `markdown`, `file`, " +
		"`queue`, `dept sales`, `op 42`."
	return botapi.Response{Replies: []botapi.Reply{{
		Text: text,
		Buttons: [][]botapi.Button{
			{{ID: ButtonPrices, Text: "Prices"}, {ID: ButtonHuman, Text: "Talk to a person"}},
			{{Text: "Our website", URL: siteURL}},
		},
	}}}
}

func replyText(ev botapi.Event, text string) botapi.Response {
	words := strings.Fields(text)
	if len(words) == 0 {
		return say("You sent an empty message. Type *help* to see what I can do.")
	}
	cmd := strings.ToLower(words[0])
	switch {
	case len(words) == 1 && (cmd == "operator" || cmd == "person" || cmd == "human" || cmd == "оператор"):
		return transfer("Connecting you to a person…", botapi.Action{})
	case len(words) == 1 && (cmd == "bye" || cmd == "пока"):
		return botapi.Response{Replies: []botapi.Reply{{Text: "Bye! Thanks for chatting."}},
			Action: &botapi.Action{Type: botapi.ActionClose}}
	case len(words) == 1 && cmd == "contact":
		data, _ := json.Marshal(map[string]any{"name": ev.User.Name, "phone": ev.User.Phone, "email": ev.User.Email, "source": "demobot"})
		return botapi.Response{Replies: []botapi.Reply{{Text: "Let me pass your contact details to an operator."}},
			Action: &botapi.Action{Type: botapi.ActionSendDataToOperator, Data: data}}
	case len(words) == 1 && (cmd == "markdown" || cmd == "md"):
		return botapi.Response{Replies: []botapi.Reply{{
			Text:    MarkdownSample,
			Buttons: [][]botapi.Button{{{Text: "Open example.com", URL: siteURL}}},
		}}}
	case len(words) == 1 && cmd == "file":
		return botapi.Response{Replies: []botapi.Reply{
			{Text: "Here is our price list."},
			{File: &botapi.File{URL: siteURL + "/price-list.pdf", Name: "price-list.pdf", MediaType: "application/pdf"}},
		}}
	case len(words) == 1 && cmd == "queue":
		return transfer("Putting you in the queue: the first free operator will answer.", botapi.Action{Queue: true})
	case cmd == "dept":
		if len(words) != 2 || len(words[1]) > botapi.MaxDepartmentLen {
			return say("Which department? Try: `dept sales`")
		}
		return transfer("Transferring you to department "+escape(words[1])+"…", botapi.Action{Department: words[1]})
	case cmd == "op":
		n, err := strconv.ParseInt(strings.Join(words[1:], ""), 10, 64)
		if len(words) != 2 || err != nil || n <= 0 {
			return say("Operator ids are positive integers. Try: `op 42`")
		}
		return transfer("Transferring you to operator "+strconv.FormatInt(n, 10)+"…", botapi.Action{OperatorID: n})
	case len(words) == 1 && (cmd == "help" || cmd == "menu" || cmd == "start"):
		return greeting(ev.User.Name)
	}
	return say(EchoPrefix + escape(clip.Text(strings.TrimSpace(text), maxEcho)))
}

func replyButton(m *botapi.Message) botapi.Response {
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
	answer := PressedPrefix + escape(clip.Text(text, 200))
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
