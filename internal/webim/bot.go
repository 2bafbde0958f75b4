package webim

import "github.com/botbridge/botbridge/internal/botapi"

// BotMessage maps a visitor message to the bot event type and message it
// becomes, so the engine needs no knowledge of Webim's kinds. ok is false
// for kinds the bot protocol has no event for.
func BotMessage(m Message) (eventType string, msg botapi.Message, ok bool) {
	msg = botapi.Message{ID: m.ID, Text: m.Text}
	switch m.Kind {
	case KindVisitor:
		return botapi.TypeMessageText, msg, true
	case KindFileVisitor:
		if m.File == nil {
			return "", botapi.Message{}, false
		}
		msg.File = &botapi.File{URL: m.File.URL, Name: m.File.Name, MediaType: m.File.MediaType, Size: m.File.Size}
		return botapi.TypeMessageFile, msg, true
	case KindKeyboardResponse:
		if m.Button == nil {
			return "", botapi.Message{}, false
		}
		msg.Button = &botapi.Button{ID: m.Button.ID, Text: m.Button.Text}
		return botapi.TypeMessageButton, msg, true
	}
	return "", botapi.Message{}, false
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
