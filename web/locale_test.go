package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/webtest"
)

// withLang makes c send Accept-Language: header on every request.
func withLang(c *webtest.Client, header string) *webtest.Client {
	c.HTTP.Transport = addHeader{name: "Accept-Language", value: header, next: http.DefaultTransport}
	return c
}

func htmlLang(r *webtest.Response) string {
	l, _ := r.Doc.Find("html").Attr("lang")
	return l
}

// Logged-out pages follow Accept-Language (q-values honoured), else
// DEFAULT_LANGUAGE; <html lang> says which.
func TestAcceptLanguage(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	srv := webtest.Server(t, tx)
	cases := []struct{ header, lang, h1 string }{
		{"ru", "ru", "Вход"},
		{"ru-RU,ru;q=0.9,en;q=0.8", "ru", "Вход"},
		{"en-US,en;q=0.9", "en", "Log in"},
		{"en;q=0.2, ru;q=0.9", "ru", "Вход"},
		{"de", "en", "Log in"}, // neither: DEFAULT_LANGUAGE (en in these tests)
	}
	for _, c := range cases {
		r := withLang(webtest.NewClient(t, srv), c.header).Get("/login")
		require.Equal(t, http.StatusOK, r.StatusCode)
		require.Equal(t, c.lang, htmlLang(r), c.header)
		require.Equal(t, c.h1, r.Text("h1"), c.header)
		require.Equal(t, c.lang, r.Header.Get("Content-Language"), c.header)
	}

	// DEFAULT_LANGUAGE=ru (the default) for a browser that asks nothing.
	ruSrv := webtest.Server(t, tx, func(d *web.Deps) { d.Config.DefaultLanguage = "ru" })
	r := webtest.NewClient(t, ruSrv).Get("/signup")
	require.Equal(t, "ru", htmlLang(r))
	require.Equal(t, "Регистрация", r.Text("h1"))
	require.Contains(t, r.Text(`label[for="f-email"]`), "Электронная почта")

	// Error pages too, even where no route matched.
	r = withLang(webtest.NewClient(t, srv), "ru").Get("/no/such/page")
	require.Equal(t, http.StatusNotFound, r.StatusCode)
	require.Equal(t, "ru", htmlLang(r))
	require.Equal(t, "Страница не найдена", r.Text("h1"))

	// Form errors come back translated.
	r = withLang(webtest.NewClient(t, srv), "ru").Post("/signup", url.Values{"email": {"x"}, "password": {"short"}, "confirm": {"other"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "Пароль должен быть не короче 10 символов.", r.FieldError("password"))
}

// A visitor's switch is a cookie that beats Accept-Language and returns to
// the same page; GET never switches.
func TestLanguageSwitchVisitor(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	c := withLang(webtest.NewClient(t, webtest.Server(t, tx)), "en")
	r := c.Get("/login?next=%2Fprojects")
	require.Equal(t, "en", htmlLang(r))
	btn := r.Doc.Find(`form[action="/language"] button[name="lang"]`)
	require.Equal(t, 1, btn.Length(), "one other language to switch to")
	v, _ := btn.Attr("value")
	require.Equal(t, "ru", v)
	require.Equal(t, "Русский", btn.Text(), "each language in its own name")
	next, _ := r.Doc.Find(`form[action="/language"] input[name="next"]`).Attr("value")
	require.Equal(t, "/login?next=%2Fprojects", next)

	require.Equal(t, http.StatusMethodNotAllowed, c.Get("/language?lang=ru").StatusCode, "no GET that changes state")

	r = c.Post("/language", url.Values{"lang": {"ru"}, "next": {next}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, "/login?next=%2Fprojects", r.Location(), "back to the same page")
	require.Equal(t, "ru", c.Cookie("bb_lang"))
	r = c.Follow(r)
	require.Equal(t, "ru", htmlLang(r), "the cookie beats Accept-Language: en")
	require.Equal(t, "Вход", r.Text("h1"))

	r = c.Post("/language", url.Values{"lang": {"en"}, "next": {"https://evil.example/"}})
	require.Equal(t, "/", r.Location(), "only local pages")
	require.Equal(t, http.StatusBadRequest, c.Post("/language", url.Values{"lang": {"de"}}).StatusCode)
	require.Equal(t, http.StatusForbidden, c.PostRaw("/language", url.Values{"lang": {"ru"}}).StatusCode, "CSRF-protected")
}

// A logged-in user's switch is saved on the account: it holds in another
// browser whatever that one asks for, and new accounts keep the choice
// made before signing up.
func TestLanguageSwitchAccount(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	srv := webtest.Server(t, tx)
	ctx := context.Background()
	u, err := auth.CreateUser(ctx, tx, "lang@example.com", "lang password 1", auth.RoleOwner)
	require.NoError(t, err)
	p, err := project.Create(ctx, tx, u.ID, "Магазин")
	require.NoError(t, err)

	c := withLang(webtest.NewClient(t, srv), "en")
	c.Login("lang@example.com", "lang password 1")
	r := c.Get("/projects/" + itoa(p.ID))
	require.Equal(t, "en", htmlLang(r))
	require.Equal(t, "Overview", r.Text(".tabs a.active"))
	r = c.Post("/language", url.Values{"lang": {"ru"}, "next": {"/projects/" + itoa(p.ID)}})
	require.Equal(t, "/projects/"+itoa(p.ID), r.Location())
	r = c.Follow(r)
	require.Equal(t, "ru", htmlLang(r))
	require.Equal(t, "Обзор", r.Text(".tabs a.active"))

	got, err := auth.GetUserByEmail(ctx, tx, "lang@example.com")
	require.NoError(t, err)
	require.Equal(t, "ru", got.Language, "saved on the account")

	other := withLang(webtest.NewClient(t, srv), "en-GB,en;q=0.9")
	other.Login("lang@example.com", "lang password 1")
	r = other.Get("/projects")
	require.Equal(t, "ru", htmlLang(r), "the account's choice beats the browser")
	require.Equal(t, "Мои проекты", r.Text("h1"))

	// The account page sets language and time zone.
	r = other.Get("/account")
	require.Equal(t, "Настройки аккаунта", r.Text("h1"))
	r = other.Post("/account", url.Values{"language": {"en"}, "time_zone": {"Mars/Olympus"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "Укажите часовой пояс из списка, например Europe/Moscow.", r.FieldError("time_zone"))
	r = other.Post("/account", url.Values{"language": {"en"}, "time_zone": {"Asia/Vladivostok"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = other.Follow(r)
	require.Equal(t, "en", htmlLang(r))
	require.Equal(t, "Your settings have been saved.", r.Text(".flash"))
	require.Contains(t, r.Text("#f-time_zone-hint"), "Asia/Vladivostok")
	got, err = auth.GetUserByEmail(ctx, tx, "lang@example.com")
	require.NoError(t, err)
	require.Equal(t, "Asia/Vladivostok", got.TimeZone)

	// Sign-up keeps the language chosen before it.
	v := withLang(webtest.NewClient(t, srv), "en")
	v.Get("/signup")
	v.Post("/language", url.Values{"lang": {"ru"}, "next": {"/signup"}})
	r = v.Post("/signup", url.Values{"email": {"new-ru@example.com"}, "password": {"new password 1"}, "confirm": {"new password 1"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	got, err = auth.GetUserByEmail(ctx, tx, "new-ru@example.com")
	require.NoError(t, err)
	require.Equal(t, "ru", got.Language)
	require.Contains(t, v.Follow(r).Text(".flash"), "Добро пожаловать в botbridge")
}
