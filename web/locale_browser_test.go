package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/browsertest"
	"github.com/botbridge/botbridge/web/webtest"
)

// byLabel is the form control whose <label> starts with text: the test
// finds fields the way a Russian reader does.
func byLabel(text string) string {
	return fmt.Sprintf(`//*[self::input or self::textarea or self::select][@id=//label[starts-with(normalize-space(.), %q)]/@for]`, text)
}

// fill types value into the control labelled text.
func fill(label, value string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var id string
		if err := chromedp.Evaluate(fmt.Sprintf(`document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue.id`, byLabel(label)), &id).Do(ctx); err != nil {
			return fmt.Errorf("no field labelled %q: %w", label, err)
		}
		return chromedp.SendKeys("#"+id, value, chromedp.ByQuery).Do(ctx)
	})
}

// click clicks the element an XPath finds.
func click(xpath string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var ok bool
		if err := chromedp.Evaluate(fmt.Sprintf(`(() => { const e = document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue; if (!e) return false; e.click(); return true })()`, xpath), &ok).Do(ctx); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("nothing to click at %s", xpath)
		}
		return nil
	})
}

// button is the button (or link styled as one) in the page's content
// reading exactly text.
func button(text string) string {
	return fmt.Sprintf(`//main//*[self::button or self::a][normalize-space(.)=%q]`, text)
}

// The owner's whole way in Russian, in a real browser whose Accept-Language
// is English: switch to Russian, sign up, create a project, file the
// request; a moderator approves it in English; then Settings → Webim →
// «Далее» → the form by its Russian labels → «Добавить» → the webhook URL.
func TestBrowserOwnerFlowInRussian(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	_, err := auth.CreateUser(ctx, pool, "ru-moderator@example.com", stPassword, auth.RoleModerator)
	require.NoError(t, err)
	srv := webtest.Server(t, pool, func(d *web.Deps) { d.Config.DefaultLanguage = "en" })
	const owner = "ru-owner@example.com"

	b := browsertest.New(t, 120*time.Second)
	var lang, h1 string
	browsertest.Run(t, b, "switch the sign-up page to Russian",
		chromedp.Navigate(srv.URL+"/signup"),
		chromedp.WaitVisible("#f-email", chromedp.ByID),
		chromedp.Click(`form[action="/language"] button[value="ru"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/language"] button[value="en"]`, chromedp.ByQuery),
		chromedp.AttributeValue("html", "lang", &lang, nil, chromedp.ByQuery),
		chromedp.Text("h1", &h1, chromedp.ByQuery),
	)
	require.Equal(t, "ru", lang)
	require.Equal(t, "Регистрация", h1)

	var flash string
	browsertest.Run(t, b, "sign up",
		fill("Электронная почта", owner),
		fill("Пароль", stPassword),
		fill("Повторите пароль", stPassword),
		click(button("Зарегистрироваться")),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
		chromedp.Text(".flash", &flash, chromedp.ByQuery),
	)
	require.Contains(t, flash, "Добро пожаловать в botbridge")

	// Filing requests needs a confirmed address: the link from the mail,
	// whose page and button speak Russian too.
	var banner string
	browsertest.Run(t, b, "confirm the address",
		chromedp.Text(".verify-banner p", &banner, chromedp.ByQuery),
		chromedp.Navigate(srv.URL+mailLink(t, pool, owner, "/verify/")),
		chromedp.WaitVisible("main form", chromedp.ByQuery),
		click(button("Подтвердить адрес")),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
		chromedp.Text(".flash", &flash, chromedp.ByQuery),
		chromedp.Navigate(srv.URL+"/projects"),
		chromedp.WaitVisible(".page-head", chromedp.ByQuery),
	)
	require.Contains(t, banner, "Подтвердите адрес электронной почты")
	require.Equal(t, "Адрес электронной почты подтверждён.", flash)

	browsertest.Run(t, b, "new project",
		click(button("Новый проект")),
		chromedp.WaitVisible("#f-name", chromedp.ByID),
		fill("Название проекта", "Магазин чая"),
		click(button("Создать проект")),
		chromedp.WaitVisible(`.tabs a.active`, chromedp.ByQuery),
		chromedp.Text(".flash", &flash, chromedp.ByQuery),
	)
	require.Equal(t, "Проект создан.", flash)

	browsertest.Run(t, b, "request «Разработка ботов с интеграцией Webim»",
		click(button("Оформить заявку")),
		chromedp.WaitVisible(`#f-description`, chromedp.ByID),
		chromedp.SetValue("#f-platform", "webim", chromedp.ByID),
		fill("Название организации", "ООО «Чайный дом»"),
		fill("Что будет делать бот", "Отвечает на вопросы о заказах и зовёт сотрудника по просьбе."),
		click(byLabel("Я запросил(а) доступ к Webim")),
		click(button("Отправить заявку")),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
		chromedp.Text(".flash", &flash, chromedp.ByQuery),
		chromedp.Text(`[id^="request-"] h2`, &h1, chromedp.ByQuery),
	)
	require.Contains(t, flash, "Заявка отправлена")
	require.Contains(t, h1, "Разработка ботов с интеграцией Webim")

	// The moderator reads English (his browser asks for it) and approves.
	u, err := auth.GetUserByEmail(ctx, pool, owner)
	require.NoError(t, err)
	require.Equal(t, "ru", u.Language, "the choice made before signing up is the account's")
	var reqID int64
	require.NoError(t, pool.QueryRow(ctx, `SELECT id FROM integration_requests WHERE created_by = $1`, u.ID).Scan(&reqID))
	mod := withLang(webtest.NewClient(t, srv), "en-US,en;q=0.9")
	mod.Login("ru-moderator@example.com", stPassword)
	page := mod.Get("/moderation/requests/" + itoa(reqID))
	require.Equal(t, "en", htmlLang(page))
	require.Equal(t, "Request #"+itoa(reqID), page.Text("h1"))
	for _, act := range []string{"take", "approve"} {
		r, err := request.Get(ctx, pool, request.AsModerator(), reqID)
		require.NoError(t, err)
		resp := mod.Post("/moderation/requests/"+itoa(reqID)+"/"+act, url.Values{"version": {fmt.Sprint(r.Version)}})
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, act)
	}
	require.Contains(t, mod.Get("/moderation/requests/"+itoa(reqID)).Text(".flash"), "has been approved")
	var subject, body string
	require.NoError(t, pool.QueryRow(ctx, `SELECT subject, body FROM mail_outbox WHERE to_addr = $1 AND topic LIKE '%:approved'`, owner).Scan(&subject, &body))
	require.Equal(t, "Webim для «Магазин чая»: заявка согласована", subject, "the owner is mailed in Russian")
	require.Contains(t, body, "выберите Webim и нажмите «Далее»")

	var webhookURL, status string
	var labels []string
	browsertest.Run(t, b, "Настройки → Webim → Далее",
		click(`//nav[contains(@class,"tabs")]//a[normalize-space(.)="Настройки"]`),
		chromedp.WaitVisible("#platform-choice", chromedp.ByID),
		chromedp.Click("#platform-webim", chromedp.ByID),
		click(button("Далее")),
		chromedp.WaitVisible("#webim-form", chromedp.ByID),
		chromedp.Evaluate(`[...document.querySelectorAll("#webim-form label")].map(l => l.textContent.split("*")[0].trim())`, &labels),
	)
	for _, want := range []string{"Токен авторизации", "Адрес домена", "Переводить на отдел", "Переводить на оператора", "ID отдела", "ID оператора"} {
		require.Contains(t, labels, want)
	}
	browsertest.Run(t, b, "the form by its Russian labels, «Добавить»",
		fill("Токен авторизации", stToken),
		fill("Адрес домена", "http://127.0.0.1:9"),
		click(byLabel("Переводить на оператора")),
		chromedp.WaitVisible(`#f-operator_id`, chromedp.ByID),
		fill("ID оператора", "42"),
		click(button("Добавить")),
		chromedp.WaitVisible("#webhook-url", chromedp.ByID),
		chromedp.Value("#webhook-url", &webhookURL, chromedp.ByID),
		chromedp.Text("#integration-status", &status, chromedp.ByID),
		chromedp.Text(".flash", &flash, chromedp.ByQuery),
		chromedp.Text("#webhook-title", &h1, chromedp.ByID),
	)
	require.Regexp(t, `^http://bridge\.test/webhooks/webim/[A-Za-z0-9_-]{32}$`, webhookURL)
	require.Equal(t, "Адрес вебхука", h1)
	require.Contains(t, status, "Ждёт первого события")
	require.Contains(t, flash, "Интеграция добавлена")
	in, err := integration.LookupByWebhookKey(ctx, pool, webhookURL[strings.LastIndex(webhookURL, "/")+1:])
	require.NoError(t, err)
	require.Equal(t, int64(42), in.OperatorID)
}
