package browsertest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/web/browsertest"
)

// The browser starts, runs our script (served, not inline) and reads the DOM.
func TestBrowserRunsPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`<!doctype html><title>t</title><p id="p">hello</p>`))
	}))
	defer srv.Close()
	ctx := browsertest.New(t, 60*time.Second)
	var text string
	browsertest.Run(t, ctx, "open", chromedp.Navigate(srv.URL), chromedp.Text("#p", &text))
	require.Equal(t, "hello", text)
	_ = context.Background
}
