// Package browsertest drives Debian's Chromium (headless) with chromedp
// against a real botbridge server, for end-to-end tests. .ci/run installs
// Chromium; without it the tests fail with a message saying how to get it.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser: $CHROMIUM_PATH, then the Debian binary.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts a headless browser and returns a tab context that lives until
// the test ends (bounded by timeout).
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Fatal("browsertest: Chromium not found: run `apt-get install -y chromium` (bash .ci/run does) or set CHROMIUM_PATH")
	}
	// The profile is removed by hand after the browser has gone: Chromium
	// may still be flushing it when t.TempDir's cleanup would run.
	profile, err := os.MkdirTemp("", "botbridge-chromium-")
	if err != nil {
		t.Fatalf("browsertest: profile dir: %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("browsertest: start Chromium (%s): %v", path, err)
	}
	return ctx
}

// Run runs actions and fails the test on error, naming the step.
func Run(t testing.TB, ctx context.Context, step string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("browser step %q: %v", step, err)
	}
}
