package web_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web/browsertest"
	"github.com/botbridge/botbridge/web/webtest"
)

// shot saves a full-page screenshot to /tmp/accounts-<name>.png for a
// person to look at (the test asserts on the DOM, not on pixels).
func accountShot(t *testing.T, name string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var buf []byte
		if err := chromedp.FullScreenshot(&buf, 100).Do(ctx); err != nil {
			return err
		}
		if err := os.WriteFile("/tmp/accounts-"+name+".png", buf, 0o644); err != nil {
			t.Logf("screenshot %s: %v", name, err)
		}
		return nil
	})
}

// The reset flow in Russian in a real browser: «Забыли пароль?» on the
// log-in page, the mail's link, the new password, logged in; then the
// account page with its sessions and the admins' user pages, wide and at
// 360 px.
func TestPasswordResetAndAccountInBrowserRussian(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	const email = "zabyvchivy@example.com"
	admin := auth.RoleAdmin
	testfactory.User(ctx, t, pool, &testfactory.UserOpts{Email: testfactory.Ptr(email), Role: &admin})
	other := testfactory.User(ctx, t, pool, &testfactory.UserOpts{Email: testfactory.Ptr("kollega@example.com"), Unverified: true})
	testfactory.Project(ctx, t, pool, &testfactory.ProjectOpts{Name: testfactory.Ptr("Чайная лавка"), OwnerID: &other.ID})
	srv := webtest.Server(t, pool)

	b := browsertest.New(t, 120*time.Second)
	t.Cleanup(func() { _ = chromedp.Cancel(b) })
	q := chromedp.ByQuery
	var h1, flash, body string
	browsertest.Run(t, b, "«Забыли пароль?»",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(`a[href="/password/reset"]`, q),
		chromedp.Click(`form[action="/language"] button[value="ru"]`, q),
		chromedp.WaitVisible(`form[action="/language"] button[value="en"]`, q),
		click(`//main//a[normalize-space(.)="Забыли пароль?"]`),
		chromedp.WaitVisible(`#f-email`, q),
		chromedp.Text("h1", &h1, q),
	)
	require.Equal(t, "Сброс пароля", h1)
	browsertest.Run(t, b, "ask for the link",
		fill("Электронная почта", email),
		click(button("Прислать ссылку")),
		// The form page links to /login too: wait for the answer's own title,
		// or the reads below race the navigation.
		chromedp.WaitVisible(`//h1[normalize-space(.)="Проверьте почту"]`, chromedp.BySearch),
		chromedp.Text("h1", &h1, q),
		chromedp.Text("main", &body, q),
		accountShot(t, "reset-sent-ru"),
	)
	require.Equal(t, "Проверьте почту", h1)
	require.Contains(t, body, "Если на адрес "+email+" зарегистрирован аккаунт")

	link := mailLink(t, pool, email, "/password/reset/")
	var passErr string
	browsertest.Run(t, b, "a common password is refused",
		chromedp.Navigate(srv.URL+link),
		chromedp.WaitVisible(`#f-password`, q),
		fill("Новый пароль", "qwertyuiop"),
		fill("Повторите пароль", "qwertyuiop"),
		click(button("Сбросить пароль")),
		chromedp.WaitVisible(`#f-password-error`, q),
		chromedp.Text(`#f-password-error`, &passErr, q),
		accountShot(t, "reset-form-error-ru"),
	)
	require.Equal(t, "Это один из самых распространённых паролей, его легко подобрать. Придумайте другой.", passErr)
	browsertest.Run(t, b, "the new password",
		fill("Новый пароль", "самовар и баранки 7"),
		fill("Повторите пароль", "самовар и баранки 7"),
		click(button("Сбросить пароль")),
		chromedp.WaitVisible(`.flash`, q),
		chromedp.Text(`.flash`, &flash, q),
	)
	require.Contains(t, flash, "Пароль сброшен, вы вошли в аккаунт")

	var sessions, adminList string
	var wide int
	browsertest.Run(t, b, "the account page",
		chromedp.Navigate(srv.URL+"/account"),
		chromedp.WaitVisible(`table.sessions`, q),
		chromedp.Text(`table.sessions`, &sessions, q),
		chromedp.Text("h1", &h1, q),
		accountShot(t, "account-ru"),
		chromedp.EmulateViewport(360, 800),
		chromedp.Evaluate(`document.documentElement.scrollWidth`, &wide),
		accountShot(t, "account-ru-360"),
	)
	require.LessOrEqual(t, wide, 360, "the page fits a 360 px phone (the sessions table scrolls inside its frame)")
	require.Equal(t, "Настройки аккаунта", h1)
	require.Contains(t, sessions, "Это устройство")
	require.Contains(t, sessions, "Chrome", "HeadlessChrome reads as Chrome")

	browsertest.Run(t, b, "the admins' user list",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(srv.URL+"/projects"),
		click(`//header//a[normalize-space(.)="Пользователи"]`),
		chromedp.WaitVisible(`form[role="search"]`, q),
		chromedp.Text(`main table`, &adminList, q),
		accountShot(t, "admin-users-ru"),
		click(`//main//a[normalize-space(.)="kollega@example.com"]`),
		chromedp.WaitVisible(`#actions-title`, q),
		chromedp.Text("main", &body, q),
		accountShot(t, "admin-user-ru"),
		chromedp.EmulateViewport(360, 800),
		accountShot(t, "admin-user-ru-360"),
	)
	require.Contains(t, adminList, "Адрес не подтверждён")
	require.Contains(t, adminList, "ни разу")
	require.Contains(t, body, "Чайная лавка")
	require.True(t, strings.Contains(body, "Заблокировать"), body)
}

// The verification banner and the account page in English, as an
// unverified account sees them.
func TestVerifyBannerInBrowserEnglish(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	u := testfactory.User(ctx, t, pool, &testfactory.UserOpts{Unverified: true})
	srv := webtest.Server(t, pool)
	b := browsertest.New(t, 60*time.Second)
	t.Cleanup(func() { _ = chromedp.Cancel(b) })
	q := chromedp.ByQuery
	var banner, flash string
	browsertest.Run(t, b, "log in",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(`#f-email`, q),
		chromedp.SendKeys(`#f-email`, u.Email, q),
		chromedp.SendKeys(`#f-password`, testfactory.Password, q),
		chromedp.Click(`main section form button[type="submit"]`, q),
		chromedp.WaitVisible(`.verify-banner`, q),
		chromedp.Text(`.verify-banner p`, &banner, q),
		accountShot(t, "banner-en"),
		chromedp.EmulateViewport(360, 800),
		accountShot(t, "banner-en-360"),
		chromedp.Click(`.verify-banner button`, q),
		chromedp.WaitVisible(`.flash`, q),
		chromedp.Text(`.flash`, &flash, q),
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(srv.URL+"/account"),
		chromedp.WaitVisible(`table.sessions`, q),
		accountShot(t, "account-en"),
	)
	require.Contains(t, banner, "Confirm your e-mail address")
	require.Equal(t, "We sent a new confirmation link.", flash)
}
