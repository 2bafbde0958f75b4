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
	// Event types and what the log says of them beyond status and calls.
	Register(RU, map[string]string{
		"activity.type.chat_started":         "Диалог передан боту",
		"activity.type.message_text":         "Сообщение",
		"activity.type.message_button":       "Нажата кнопка",
		"activity.type.message_file":         "Файл",
		"activity.type.message_other":        "Сообщение другого типа",
		"activity.type.chat_returned":        "Диалог вернулся к боту",
		"activity.type.chat_assigned":        "Диалог назначен оператору",
		"activity.type.chat_closed":          "Диалог закрыт",
		"activity.type.action_failed":        "Действие не выполнено",
		"activity.type.webim_chat_started":   "Webim: диалог начат",
		"activity.kind":                      "Тип сообщения в Webim: %s",
		"activity.operator":                  "Оператор: %s",
		"activity.failed_action":             "Действие: %s",
		"activity.note.queue_replaced":       "Webim %s не умеет переводить диалог в общую очередь, поэтому диалог передан получателю из настроек интеграции.",
		"activity.note.queue_replaced_plain": "Эта версия Webim не умеет переводить диалог в общую очередь (это возможно с версии 10.4), поэтому диалог передан получателю из настроек интеграции.",
		"activity.note.other":                "Примечание: %s",
		"activity.operator_data":             "Данные для оператора",
		"activity.operator_data.hint":        "Бот хотел передать их оператору (send_data_to_operator), но Webim так не умеет — поэтому они сохранены здесь.",
	})
	RegisterPlurals(RU, map[string]Plural{
		"activity.carried": {Arg: 1, One: "С момента перевода — %d сообщение", Few: "С момента перевода — %d сообщения",
			Many: "С момента перевода — %d сообщений", Other: "С момента перевода — %d сообщения"},
	})
}
