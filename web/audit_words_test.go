package web

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/web/i18n"
)

// Audit details read as words in both languages, for every detail
// internal/integration records (old rows included); a part it does not
// know stays as recorded.
func TestAuditWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ detail, en, ru string }{
		{"transfer=department:sales→operator:7",
			"Transfer target: department sales → operator 7",
			"Получатель передачи: отдел sales → оператор 7"},
		{"domain=https://salutebot.webim.ru transfer=department:sales_1",
			"Webim address: https://salutebot.webim.ru; Transfer target: department sales_1",
			"Адрес Webim: https://salutebot.webim.ru; Получатель передачи: отдел sales_1"},
		{"token=replaced domain=https://a.webim.ru→https://b.webim.ru",
			"Auth token replaced; Webim address: https://a.webim.ru → https://b.webim.ru",
			"Токен заменён; Адрес Webim: https://a.webim.ru → https://b.webim.ru"},
		{"status=active→disabled", "Status: Active → Disabled", "Состояние: Работает → Отключена"},
		{"url=https://bot.example.com/hook timeout=10s fallback=transfer visitor_language=ru",
			"Bot URL: https://bot.example.com/hook; Bot timeout: 10 s; When the bot cannot be reached: transfer to a person; Visitors' language: Russian",
			"Адрес бота: https://bot.example.com/hook; Время ожидания бота: 10 с; Если бот недоступен: передать чат человеку; Язык посетителей: русский"},
		{"timeout=10s→30s fallback_text=changed", "Bot timeout: 10 s → 30 s; message to the visitor changed",
			"Время ожидания бота: 10 с → 30 с; сообщение посетителю изменено"},
		{"no changes", "Saved without changes", "Сохранено без изменений"},
		{"previous secret valid for 24h", "The previous secret stays valid for 24 hours", "Прежний секрет действует ещё 24 часа"},
		{"grace=24h", "grace=24h", "grace=24h"},
		{"", "", ""},
	} {
		require.Equal(t, tc.en, auditWords(i18n.EN, tc.detail), tc.detail)
		require.Equal(t, tc.ru, auditWords(i18n.RU, tc.detail), tc.detail)
	}
}
