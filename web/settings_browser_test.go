package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web/browsertest"
	"github.com/botbridge/botbridge/web/webtest"
)

// The full flow in a real browser: Settings → Webim → Next → fill the form
// (switching to operator hides Department ID and shows a required Operator
// ID) → Add → the integration page shows the webhook URL.
func TestBrowserSettingsWebimFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	p := testfactory.NewTenant(ctx, t, pool, &testfactory.TenantOpts{
		Owner:        &testfactory.UserOpts{Email: testfactory.Ptr("browser-owner@example.com"), Password: testfactory.Ptr(stPassword)},
		ProjectName:  testfactory.Ptr("Browser shop"),
		Integrations: []integration.Input{}, // the browser adds it
	}).Project
	srv := webtest.Server(t, pool) // OUTBOUND_ALLOW_LOCAL=true: the domain may be loopback

	b := browsertest.New(t, 90*time.Second)
	browsertest.Run(t, b, "log in",
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible("#f-email", chromedp.ByID),
		chromedp.SendKeys("#f-email", "browser-owner@example.com", chromedp.ByID),
		chromedp.SendKeys("#f-password", stPassword, chromedp.ByID),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`a[href="/projects/new"]`, chromedp.ByQuery),
	)

	var webimEnabled bool
	browsertest.Run(t, b, "Settings: choose Webim, Next",
		chromedp.Navigate(srv.URL+"/projects/"+itoa(p.ID)+"/settings"),
		chromedp.WaitVisible("#platform-choice", chromedp.ByID),
		chromedp.Evaluate(`!document.getElementById("platform-webim").disabled && document.getElementById("platform-jivo").disabled`, &webimEnabled),
		chromedp.Click("#platform-webim", chromedp.ByID),
		chromedp.Click(`#platform-choice button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible("#webim-form", chromedp.ByID),
	)
	require.True(t, webimEnabled, "Webim is selectable, Jivo is not")

	var state struct {
		DepHidden, OpHidden, DepDisabled, OpDisabled, OpRequired bool
	}
	read := `({DepHidden: document.getElementById("department-field").hidden,
		OpHidden: document.getElementById("operator-field").hidden,
		DepDisabled: document.getElementById("f-department_id").disabled,
		OpDisabled: document.getElementById("f-operator_id").disabled,
		OpRequired: document.getElementById("f-operator_id").required})`
	browsertest.Run(t, b, "department is the default", chromedp.Evaluate(read, &state))
	require.False(t, state.DepHidden, "Department ID shown for department")
	require.True(t, state.OpHidden, "Operator ID hidden for department")
	require.True(t, state.OpDisabled)

	browsertest.Run(t, b, "pick operator",
		chromedp.Click("#f-transfer_to-operator", chromedp.ByID),
		chromedp.WaitVisible("#f-operator_id", chromedp.ByID),
		chromedp.WaitNotVisible("#f-department_id", chromedp.ByID),
		chromedp.Evaluate(read, &state),
	)
	require.True(t, state.DepHidden, "Department ID disappears")
	require.True(t, state.DepDisabled, "and is neither required nor sent")
	require.False(t, state.OpHidden, "Operator ID appears")
	require.False(t, state.OpDisabled)
	require.True(t, state.OpRequired, "and is required")

	var webhookURL, status string
	browsertest.Run(t, b, "fill and Add",
		chromedp.SendKeys("#f-token", stToken, chromedp.ByID),
		chromedp.SendKeys("#f-domain", "http://127.0.0.1:9", chromedp.ByID),
		chromedp.SendKeys("#f-operator_id", "42", chromedp.ByID),
		chromedp.Click(`#webim-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible("#webhook-url", chromedp.ByID),
		chromedp.Value("#webhook-url", &webhookURL, chromedp.ByID),
		chromedp.Text("#integration-status", &status, chromedp.ByID),
	)
	require.Regexp(t, `^http://bridge\.test/webhooks/webim/[A-Za-z0-9_-]{32}$`, webhookURL)
	require.Contains(t, status, "Waiting for the first event")

	key := webhookURL[strings.LastIndex(webhookURL, "/")+1:]
	in, err := integration.LookupByWebhookKey(ctx, pool, key)
	require.NoError(t, err)
	require.Equal(t, p.ID, in.ProjectID)
	require.Equal(t, "operator", in.TransferTo)
	require.Equal(t, int64(42), in.OperatorID)
	require.Empty(t, in.DepartmentID, "the hidden field was not sent")
	require.Equal(t, "http://127.0.0.1:9", in.Domain)
}
