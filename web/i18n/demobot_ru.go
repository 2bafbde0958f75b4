package i18n

// The demo bot's replies (internal/demobot): Markdown, as bots write it.
func init() {
	Register(RU, map[string]string{
		"demobot.hi":      "Здравствуйте!",
		"demobot.hi.name": "Здравствуйте, %s!",
		"demobot.greeting": "%s Я **демо-бот botbridge**.\n\n" +
			"Напишите что угодно — я повторю. Или попробуйте команды: `оператор`, `пока`, `контакты`, `markdown`, `файл`, `очередь`, `dept sales`, `op 42`.",
		"demobot.button.prices":    "Цены",
		"demobot.button.human":     "Позвать оператора",
		"demobot.button.site":      "Наш сайт",
		"demobot.button.open_site": "Открыть example.com",
		"demobot.empty":            "Сообщение пустое. Напишите *помощь* — расскажу, что я умею.",
		"demobot.transfer":         "Соединяю с оператором…",
		"demobot.bye":              "До свидания! Спасибо, что написали.",
		"demobot.contact":          "Передам ваши контакты оператору.",
		"demobot.contact.failed":   "К сожалению, в этом канале я не могу передать ваши контакты оператору.",
		"demobot.markdown": "**Пример Markdown**\n\n" +
			"Это **жирный**, это _курсив_, а вот [ссылка](%s).\n\n" +
			"- пункт списка\n" +
			"- ещё один, с `кодом`\n\n" +
			"1. нумерованный\n" +
			"2. список",
		"demobot.file":                "Вот наш прайс-лист.",
		"demobot.file.thanks":         "Спасибо за файл %s. Сам я файлы читать не умею, а оператор сможет — напишите *оператор*.",
		"demobot.file.thanks_unnamed": "Спасибо за файл. Сам я файлы читать не умею, а оператор сможет — напишите *оператор*.",
		"demobot.queue":               "Ставлю вас в очередь — ответит первый освободившийся оператор.",
		"demobot.dept.ask":            "В какой отдел? Например: `dept sales`",
		"demobot.dept":                "Перевожу вас в отдел %s…",
		"demobot.op.ask":              "Номер оператора — целое положительное число. Например: `op 42`",
		"demobot.op":                  "Перевожу вас на оператора %s…",
		"demobot.echo":                "Вы написали: %s",
		"demobot.pressed":             "Вы нажали «%s»",
		"demobot.other.sticker":       "Стикеры я пока не понимаю. Напишите словами или наберите *оператор*.",
		"demobot.other.contacts":      "Карточки контактов я пока не читаю. Напишите номер телефона текстом или наберите *оператор*.",
		"demobot.other.kind":          "Сообщения типа «%s» я пока не понимаю. Напишите словами или наберите *оператор*.",
		"demobot.returned":            "И снова здравствуйте, с вами опять бот. Напишите *помощь* — расскажу, что я умею.",
		"demobot.returned.last":       "Последнее сообщение оператора: «%s»",
		"demobot.action.failed":       "Не получилось (%s: %s), извините.",
	})
}
