package i18n

func init() {
	Register(RU, map[string]string{
		"dev.mail.title":          "Отправленная почта (разработка)",
		"dev.mail.intro":          "50 последних писем из очереди отправки. Без SMTP_URL письма не покидают этот компьютер: они пишутся в журнал и показываются здесь.",
		"dev.mail.empty":          "Писем пока нет. Они появятся, когда заявку возьмут в работу, согласуют или отклонят.",
		"dev.mail.to":             "Кому",
		"dev.mail.subject":        "Тема (нажмите, чтобы прочитать)",
		"dev.mail.created":        "В очереди с",
		"dev.mail.status":         "Доставка",
		"dev.mail.topic":          "Повод",
		"dev.mail.status.sent":    "Отправлено",
		"dev.mail.status.pending": "Ожидает",
		"dev.mail.status.failed":  "Не доставлено",
	})
	RegisterPlurals(RU, map[string]Plural{
		"dev.mail.attempts": {Arg: 1, One: "%d попытка", Few: "%d попытки", Many: "%d попыток", Other: "%d попытки"},
	})
}
