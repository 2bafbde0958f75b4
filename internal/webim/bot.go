package webim

import "github.com/botbridge/botbridge/internal/botapi"

// BotMessage maps a visitor message to the bot event type and message it
// becomes, so the engine needs no knowledge of Webim's kinds: kinds it does
// not model become message.other. ok is false only for a message without a
// kind and a press without a button, which carry nothing to deliver.
func BotMessage(m Message) (eventType string, msg botapi.Message, ok bool) {
	msg = botapi.Message{ID: m.ID, Text: m.Text}
	switch m.Kind {
	case KindVisitor:
		return botapi.TypeMessageText, msg, true
	case KindFileVisitor:
		// A file whose data Webim left out still reaches the bot, with what
		// is known of it.
		f := File{}
		if m.File != nil {
			f = *m.File
		}
		msg.File = &botapi.File{URL: f.URL, Name: f.Name, MediaType: f.MediaType, Size: f.Size}
		return botapi.TypeMessageFile, msg, true
	case KindKeyboardResponse:
		if m.Button == nil {
			return "", botapi.Message{}, false
		}
		msg.Button = &botapi.Button{ID: m.Button.ID, Text: m.Button.Text}
		return botapi.TypeMessageButton, msg, true
	case "":
		return "", botapi.Message{}, false
	}
	msg.Kind, msg.Data = m.Kind, m.Data
	return botapi.TypeMessageOther, msg, true
}

// HistoryMessage is one message of a chat's history as the bot sees it in
// chat.returned: every kind, the kind always named.
func HistoryMessage(m Message) botapi.Message {
	_, msg, _ := BotMessage(m)
	msg.ID, msg.Kind, msg.Text = m.ID, m.Kind, m.Text
	if m.Kind != KindFileVisitor && m.Kind != KindKeyboardResponse {
		msg.Data = m.Data
	}
	return msg
}

// BotUser maps the visitor to the bot protocol's user. ID is Webim's
// visitor id; the engine may replace it with its own stable user id.
// Channel is always "webim" because Webim never reveals the original one.
func BotUser(v Visitor) botapi.User {
	return botapi.User{
		ID:      v.ID,
		Channel: botapi.ChannelWebim,
		Name:    botapi.NullString(v.Name),
		Phone:   botapi.NullString(v.Phone),
		Email:   botapi.NullString(v.Email),
	}
}
