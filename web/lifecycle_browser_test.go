package web_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/web/browsertest"
)

// The Data and Danger zone cards in a real browser, in English and
// Russian, wide and at 360 px: a retention out of range is refused beside
// the field, and a mistyped project name too. Screenshots go to
// /tmp/lifecycle-*.png for a person to look at.
func TestBrowserLifecycleSettings(t *testing.T) {
	t.Parallel()
	w := newLCWorld(t)
	b := browsertest.New(t, 120*time.Second)
	shot := func(name, sel string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var buf []byte
			if err := chromedp.Screenshot(sel, &buf, chromedp.ByQuery).Do(ctx); err != nil {
				return err
			}
			return os.WriteFile("/tmp/lifecycle-"+name+".png", buf, 0o644)
		})
	}
	settings := w.srv + settingsOf(w.a)
	browsertest.Run(t, b, "log in",
		chromedp.Navigate(w.srv+"/login"),
		chromedp.WaitVisible("#f-email", chromedp.ByID),
		chromedp.SendKeys("#f-email", "owner-a@example.com", chromedp.ByID),
		chromedp.SendKeys("#f-password", lcPassword, chromedp.ByID),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`a[href="/projects/new"]`, chromedp.ByQuery),
	)
	for _, lang := range []string{"en", "ru"} {
		var retErr, nameErr, typed string
		browsertest.Run(t, b, lang+": the cards",
			chromedp.EmulateViewport(1280, 900),
			chromedp.Navigate(settings),
			chromedp.WaitVisible("#data", chromedp.ByID),
			shot(lang+"-data", "#data"),
			shot(lang+"-danger", "#danger"),
		)
		browsertest.Run(t, b, lang+": retention out of range",
			chromedp.SetValue("#f-retention_days", "400", chromedp.ByID),
			chromedp.Submit("#f-retention_days", chromedp.ByID),
			chromedp.WaitVisible("#f-retention_days-error", chromedp.ByID),
			chromedp.Text("#f-retention_days-error", &retErr, chromedp.ByID),
			shot(lang+"-retention-error", "#data"),
		)
		browsertest.Run(t, b, lang+": wrong project name",
			chromedp.SendKeys("#f-confirm_name", "Shop", chromedp.ByID),
			chromedp.Click("#delete-project", chromedp.ByID),
			chromedp.WaitVisible("#f-confirm_name-error", chromedp.ByID),
			chromedp.Text("#f-confirm_name-error", &nameErr, chromedp.ByID),
			chromedp.Value("#f-confirm_name", &typed, chromedp.ByID),
		)
		require.NotEmpty(t, retErr)
		require.NotEmpty(t, nameErr)
		require.Equal(t, "Shop", typed)
		if lang == "ru" {
			require.True(t, strings.Contains(retErr, "дней"), retErr)
			require.Contains(t, nameErr, "Название не совпадает")
		} else {
			require.Contains(t, nameErr, "does not match")
		}
		browsertest.Run(t, b, lang+": 360 px",
			chromedp.EmulateViewport(360, 800),
			chromedp.Navigate(settings+"#data"),
			chromedp.WaitVisible("#danger", chromedp.ByID),
			shot(lang+"-360-data", "#data"),
			shot(lang+"-360-danger", "#danger"),
		)
		if lang == "en" {
			browsertest.Run(t, b, "switch to Russian",
				chromedp.Click(`form[action="/language"] button[value="ru"]`, chromedp.ByQuery),
				chromedp.WaitVisible(`form[action="/language"] button[value="en"]`, chromedp.ByQuery),
			)
		}
	}
}
