package demobot_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/demobot"
	"github.com/botbridge/botbridge/internal/webim"
	"github.com/botbridge/botbridge/web/i18n"
)

func returned(msgs ...botapi.Message) botapi.Event {
	ev := event(botapi.TypeChatReturned, nil)
	ev.Messages = msgs
	return ev
}

// The events of real Webim: kinds the bridge does not model, a chat the
// operator handed back, and the chat events the bot need not answer.
func TestReplyToRealWebimEvents(t *testing.T) {
	t.Parallel()
	sticker := event(botapi.TypeMessageOther, &botapi.Message{ID: "s", Kind: "sticker_visitor", Data: json.RawMessage(`{"stickerId":7}`)})
	contacts := event(botapi.TypeMessageOther, &botapi.Message{ID: "c", Kind: "contacts"})
	odd := event(botapi.TypeMessageOther, &botapi.Message{ID: "o", Kind: "apple_chat_response"})
	back := returned(
		botapi.Message{ID: "1", Kind: "operator", Text: "Hi, I'm Anna"},
		botapi.Message{ID: "2", Kind: "visitor", Text: "where is my order?"},
		botapi.Message{ID: "3", Kind: "operator", Text: "It ships *today*"},
		botapi.Message{ID: "4", Kind: "visitor", Text: "thanks"},
	)
	cases := []struct {
		name   string
		ev     botapi.Event
		en, ru string
	}{
		{"sticker", sticker, "I can't read stickers yet.", "Стикеры я пока не понимаю."},
		{"contacts", contacts, "I can't read contact cards yet.", "Карточки контактов я пока не читаю."},
		{"other kind, named", odd, "I can't read messages of the kind “apple_chat_response” yet.", "Сообщения типа «apple_chat_response» я пока не понимаю."},
		{"returned, quoting the operator", back, "The operator's last message: “It ships *today*”", "Последнее сообщение оператора: «It ships *today*»"},
		{"returned, welcome", back, "Welcome back, it's the bot again.", "И снова здравствуйте, с вами опять бот."},
		{"returned with nothing said", returned(), "Welcome back", "И снова здравствуйте"},
	}
	for _, tc := range cases {
		for lang, want := range map[i18n.Lang]string{i18n.EN: tc.en, i18n.RU: tc.ru} {
			r := demobot.Reply(lang, tc.ev)
			require.Len(t, r.Replies, 1, tc.name)
			require.Nil(t, r.Action, tc.name)
			require.Contains(t, webim.MarkdownToText(r.Replies[0].Text), want, "%s (%s)", tc.name, lang)
			require.NoError(t, r.Validate(), tc.name)
		}
	}
	require.NotContains(t, demobot.Reply(i18n.EN, returned()).Replies[0].Text, "last message")
	require.NotContains(t, demobot.Reply(i18n.EN, returned(botapi.Message{ID: "1", Kind: "visitor", Text: "hi"})).Replies[0].Text,
		"last message", "only an operator's message is quoted")
	for _, typ := range []string{botapi.TypeChatAssigned, botapi.TypeChatClosed} {
		ev := event(typ, nil)
		ev.Operator = &botapi.Operator{ID: "42", Name: "Anna"}
		require.Equal(t, botapi.Response{}, demobot.Reply(i18n.RU, ev), typ)
	}
}

// Russian replies: the same scenario, the same actions.
func TestReplyInRussian(t *testing.T) {
	t.Parallel()
	cases := []struct {
		ev   botapi.Event
		text string
		act  string
	}{
		{event(botapi.TypeChatStarted, nil), "Здравствуйте, John! Я демо-бот botbridge.", ""},
		{text("привет"), "Вы написали: привет", ""},
		{text("оператор"), "Соединяю с оператором…", botapi.ActionTransfer},
		{text("пока"), "До свидания!", botapi.ActionClose},
		{text("очередь"), "Ставлю вас в очередь", botapi.ActionTransfer},
		{text("файл"), "Вот наш прайс-лист.", ""},
		{text("помощь"), "Я демо-бот botbridge", ""},
		{text("markdown"), "Пример Markdown", ""},
		{text("dept"), "В какой отдел?", ""},
		{text("op 7"), "Перевожу вас на оператора 7…", botapi.ActionTransfer},
		{press(demobot.ButtonPrices, "Цены"), "Вы нажали «Цены»", ""},
		{text(" "), "Сообщение пустое.", ""},
	}
	for _, tc := range cases {
		r := demobot.Reply(i18n.RU, tc.ev)
		require.Contains(t, webim.MarkdownToText(r.Replies[0].Text), tc.text)
		if tc.act == "" {
			require.Nil(t, r.Action, tc.text)
		} else {
			require.Equal(t, tc.act, r.Action.Type, tc.text)
		}
		require.NoError(t, r.Validate())
	}
	g := demobot.Reply(i18n.RU, event(botapi.TypeChatStarted, nil)).Replies[0]
	require.Equal(t, [][]botapi.Button{
		{{ID: demobot.ButtonPrices, Text: "Цены"}, {ID: demobot.ButtonHuman, Text: "Позвать оператора"}},
		{{Text: "Наш сайт", URL: "https://example.com"}},
	}, g.Buttons, "the same button ids in every language")
}

// The exported English texts are the catalog's.
func TestEnglishConstants(t *testing.T) {
	t.Parallel()
	require.Equal(t, demobot.EchoPrefix+"x", i18n.EN.T("demobot.echo", "x"))
	require.Equal(t, demobot.PressedPrefix+"x", i18n.EN.T("demobot.pressed", "x"))
	require.Equal(t, demobot.ContactFailedText, i18n.EN.T("demobot.contact.failed"))
	require.True(t, strings.HasPrefix(demobot.MarkdownSample, "**Markdown sample**"))
}

// The bot answers in its configured language, and in the event's when the
// event names one.
func TestBotLanguage(t *testing.T) {
	t.Parallel()
	reply := func(bot *demobot.Bot, body []byte) string {
		srv := httptest.NewServer(bot)
		defer srv.Close()
		resp := signed(t, srv.URL, []string{secret}, time.Now(), body)
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, string(raw))
		r, err := botapi.ParseResponse(raw)
		require.NoError(t, err)
		return r.Replies[0].Text
	}
	body, _ := json.Marshal(text("hi"))
	require.Equal(t, "Вы написали: hi", reply(demobot.New(demobot.Config{Secrets: []string{secret}}), body), "Russian by default")
	en := demobot.New(demobot.Config{Secrets: []string{secret}, Language: "EN"})
	require.Equal(t, i18n.EN, en.Language())
	require.Equal(t, "You said: hi", reply(en, body))
	require.Equal(t, i18n.RU, demobot.New(demobot.Config{Language: "de"}).Language(), "an unknown language is Russian")

	withLang := strings.Replace(string(body), `"type"`, `"language":"ru-RU","type"`, 1)
	require.Equal(t, "Вы написали: hi", reply(en, []byte(withLang)), "the event's language wins")
	withUser := strings.Replace(string(body), `"channel"`, `"language":"en","channel"`, 1)
	require.Equal(t, "You said: hi", reply(demobot.New(demobot.Config{Secrets: []string{secret}}), []byte(withUser)))
}
