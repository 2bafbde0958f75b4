package i18n

func init() {
	Register(RU, map[string]string{
		"activity.title":               "Журнал диалогов · %s",
		"activity.crumb":               "Журнал диалогов",
		"activity.back":                "К интеграции",
		"activity.empty":               "Диалогов пока нет. Как только Webim отправит первое сообщение на адрес вебхука, оно появится здесь.",
		"activity.col.time":            "Получено",
		"activity.col.chat":            "Диалог",
		"activity.col.event":           "Событие",
		"activity.col.status":          "Статус",
		"activity.col.calls":           "Вызовы",
		"activity.attempts":            "Попыток: %d",
		"activity.next_attempt":        "Следующая попытка",
		"activity.retry":               "Повторить",
		"activity.pages":               "Страницы журнала",
		"activity.newest":              "Новые",
		"activity.older":               "Более ранние события",
		"activity.status.pending":      "Получено",
		"activity.status.replied":      "Отправляется в Webim",
		"activity.status.done":         "Готово",
		"activity.status.failed":       "Ошибка",
		"activity.outcome.replied":     "Бот ответил",
		"activity.outcome.transferred": "Передан сотруднику",
		"activity.outcome.closed":      "Диалог закрыт",
		"activity.outcome.fallback":    "Бот недоступен: резервный перевод",
		"activity.outcome.nothing":     "Боту нечего ответить",
		"activity.outcome.unsupported": "Действие не поддерживается Webim: бот уведомлён",
		"flash.event_retried":          "Событие снова поставлено в очередь.",
	})
}
