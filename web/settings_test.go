package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/webtest"
)

func init() {
	web.SettingsResolver = outbound.StaticResolver{
		"salutebot.webim.ru":   {"93.184.215.14"},
		"other.webim.ru":       {"93.184.215.15"},
		"bot.example.com":      {"93.184.215.16"},
		"loopback.example.com": {"127.0.0.1"},
		"private.example.com":  {"93.184.215.20", "10.1.2.3"},
	}
}

const (
	stPassword = "settings password 1"
	stToken    = "webim-token-ABCD-1234-wxyz"
)

// stWorld is one owner with a project (granted Webim or not) on a server.
type stWorld struct {
	t       *testing.T
	ctx     context.Context
	tx      pgx.Tx
	srv     string
	owner   *webtest.Client
	ownerID int64
	project project.Project
	base    string
	kr      *secret.Keyring
	server  func() *webtest.Client
}

func newSettingsWorld(t *testing.T, grant bool, mutate ...func(*web.Deps)) *stWorld {
	t.Helper()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	tenant := testfactory.NewTenant(ctx, t, tx, &testfactory.TenantOpts{
		Owner:        &testfactory.UserOpts{Email: testfactory.Ptr("owner@example.com"), Password: testfactory.Ptr(stPassword)},
		ProjectName:  testfactory.Ptr("Salute shop"),
		NoGrant:      !grant,
		Integrations: []integration.Input{}, // the tests add theirs through the forms
	})
	u, p := tenant.Owner, tenant.Project
	kr := testfactory.Keyring(t, webtest.Config(t, nil).SecretKey)
	srv := webtest.Server(t, tx, mutate...)
	c := webtest.NewClient(t, srv)
	c.Login("owner@example.com", stPassword)
	return &stWorld{t: t, ctx: ctx, tx: tx, srv: srv.URL, owner: c, ownerID: u.ID, project: p, kr: kr,
		base:   "/projects/" + itoa(p.ID) + "/settings",
		server: func() *webtest.Client { return webtest.NewClient(t, srv) }}
}

func stGrant(t *testing.T, tx pgx.Tx, projectID, ownerID int64) {
	t.Helper()
	testfactory.Grant(context.Background(), t, tx, &testfactory.GrantOpts{ProjectID: projectID, GrantedBy: ownerID})
}

// user makes another account and logs it in.
func (w *stWorld) user(email string, role auth.Role) (*webtest.Client, auth.User) {
	w.t.Helper()
	u := testfactory.User(w.ctx, w.t, w.tx, &testfactory.UserOpts{Email: &email, Password: testfactory.Ptr(stPassword), Role: &role})
	c := w.server()
	c.Login(email, stPassword)
	return c, u
}

func stForm(token, domain, transfer, dep, op string) url.Values {
	return url.Values{"platform": {"webim"}, "token": {token}, "domain": {domain}, "transfer_to": {transfer},
		"department_id": {dep}, "operator_id": {op}}
}

// add creates an integration through the form and returns its page URL.
func (w *stWorld) add(form url.Values) string {
	w.t.Helper()
	r := w.owner.Post(w.base+"/integrations/new?platform=webim", form)
	require.Equal(w.t, http.StatusSeeOther, r.StatusCode, r.Text(".error-summary"))
	require.Regexp(w.t, `^`+regexp.QuoteMeta(w.base)+`/integrations/\d+$`, r.Location())
	return r.Location()
}

func (w *stWorld) integrationID(pageURL string) int64 {
	id, err := strconv.ParseInt(pageURL[strings.LastIndex(pageURL, "/")+1:], 10, 64)
	require.NoError(w.t, err)
	return id
}

func (w *stWorld) row(id int64) dbsqlc.Integration {
	w.t.Helper()
	r, err := dbsqlc.New(w.tx).GetIntegrationByID(w.ctx, id)
	require.NoError(w.t, err)
	return r
}

func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func (w *stWorld) count(table string) int {
	w.t.Helper()
	var n int
	require.NoError(w.t, w.tx.QueryRow(w.ctx, "SELECT count(*) FROM "+table).Scan(&n))
	return n
}

func TestSettingsPlatformChoice(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t, false)
	r := w.owner.Get(w.base)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "Settings", r.Text(".tabs a.active"))
	form := r.Doc.Find("form#platform-choice")
	require.Equal(t, "get", form.AttrOr("method", ""))
	require.Equal(t, w.base+"/integrations/new", form.AttrOr("action", ""))
	webim := r.Doc.Find(`input[type=radio][name=platform][value=webim]`)
	require.Equal(t, 1, webim.Length())
	_, disabled := webim.Attr("disabled")
	require.True(t, disabled, "not granted yet")
	require.Equal(t, "/projects/"+itoa(w.project.ID)+"/requests/new?platform=webim", r.Doc.Find("#platform-webim").Closest("li").Find("a.request-access").AttrOr("href", ""))
	jivo := r.Doc.Find(`input[name=platform][value=jivo]`)
	_, disabled = jivo.Attr("disabled")
	require.True(t, disabled)
	require.Equal(t, "Coming soon", strings.TrimSpace(jivo.Closest("li").Find(".badge").Text()))
	require.Equal(t, "Next", strings.TrimSpace(form.Find("button[type=submit]").Text()))
	require.Contains(t, r.Text("#integrations-title + .empty-note"), "No integrations yet")

	// An open request shows its status instead of the link.
	_, err := w.tx.Exec(w.ctx, `INSERT INTO integration_requests (project_id, platform, status, contact_email, organisation,
		description, access_requested, created_by) VALUES ($1, 'webim', 'in_review', 'o@example.com', 'Org',
		'A bot that answers questions.', true, $2)`, w.project.ID, w.ownerID)
	require.NoError(t, err)
	r = w.owner.Get(w.base)
	li := r.Doc.Find("#platform-webim").Closest("li")
	require.Equal(t, "In review", strings.TrimSpace(li.Find(".badge.in_review").Text()))
	require.Zero(t, li.Find("a.request-access").Length())

	// Tampered or premature choices are refused without side effects.
	r = w.owner.Get(w.base + "/integrations/new?platform=webim")
	require.Equal(t, http.StatusForbidden, r.StatusCode)
	require.Equal(t, "This platform has not been granted to this project yet. Request access first; you can choose it once a moderator approves the request.", r.Text("#f-platform-error"))
	r = w.owner.Post(w.base+"/integrations/new?platform=webim", stForm(stToken, "salutebot.webim.ru", "department", "sales", ""))
	require.Equal(t, http.StatusForbidden, r.StatusCode)
	require.Zero(t, w.count("integrations"))
	r = w.owner.Get(w.base + "/integrations/new?platform=jivo")
	require.Equal(t, http.StatusForbidden, r.StatusCode)
	require.Equal(t, "This platform is not available yet.", r.Text("#f-platform-error"))
	r = w.owner.Get(w.base + "/integrations/new?platform=nope")
	require.Equal(t, http.StatusNotFound, r.StatusCode)
	r = w.owner.Get(w.base + "/integrations/new")
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "Choose a chat platform.", r.Text("#f-platform-error"))

	// Once granted, Webim is selectable (and preselected as the only one).
	stGrant(t, w.tx, w.project.ID, w.ownerID)
	r = w.owner.Get(w.base)
	webim = r.Doc.Find("#platform-webim")
	_, disabled = webim.Attr("disabled")
	require.False(t, disabled)
	_, checked := webim.Attr("checked")
	require.True(t, checked)
	r = w.owner.Get(w.base + "/integrations/new?platform=webim")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "Add a Webim integration", r.Text("h2"))
	for id, label := range map[string]string{"f-token": "Auth token", "f-domain": "Domain address", "f-department_id": "Department ID", "f-operator_id": "Operator ID"} {
		require.Equal(t, label, strings.TrimSpace(r.Doc.Find(`label[for="`+id+`"]`).Contents().First().Text()), id)
	}
	require.Equal(t, "Transfer to", strings.TrimSpace(r.Doc.Find("#webim-form fieldset legend").Contents().First().Text()))
	require.Equal(t, "password", r.Doc.Find("#f-token").AttrOr("type", ""))
	require.Equal(t, "Transfer to department", strings.TrimSpace(r.Doc.Find(`label[for="f-transfer_to"]`).Text()))
	require.Equal(t, "Transfer to operator", strings.TrimSpace(r.Doc.Find(`label[for="f-transfer_to-operator"]`).Text()))
	_, checked = r.Doc.Find("#f-transfer_to").Attr("checked")
	require.True(t, checked, "department is the default")
	require.Equal(t, "Add", strings.TrimSpace(r.Doc.Find("#webim-form button[type=submit]").Text()))
	require.Equal(t, "department", r.Doc.Find("#department-field").AttrOr("data-show-when", ""))
	require.Equal(t, "operator", r.Doc.Find("#operator-field").AttrOr("data-show-when", ""))
}

// Every field of the Webim form and of the bot endpoint form, good and bad
// values, with the exact message; everything typed is kept except the token.
func TestSettingsFormFieldsTable(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t, true, func(d *web.Deps) { d.Outbound = outbound.Policy{AllowLocal: false} })
	good := map[string]string{"token": stToken, "domain": "salutebot.webim.ru", "transfer_to": "department", "department_id": "sales", "operator_id": ""}
	cases := []struct {
		field, value, msg string
		extra             map[string]string
	}{
		{"token", "", "Enter the auth token.", nil},
		{"token", "1234567", "The auth token must be at least 8 characters long.", nil},
		{"token", strings.Repeat("t", 513), "The auth token must be at most 512 characters long.", nil},
		{"token", "abcd efgh", "The auth token may contain only letters, digits and symbols, without spaces.", nil},
		{"token", "токен-12345", "The auth token may contain only letters, digits and symbols, without spaces.", nil},
		{"token", "12345678", "", nil},
		{"token", strings.Repeat("t", 512), "", nil},
		{"domain", "", "Enter the domain address of your Webim account.", nil},
		{"domain", "salute bot.webim.ru", "The domain address must not contain spaces.", nil},
		{"domain", "http://salutebot.webim.ru", "The domain address must start with https://.", nil},
		{"domain", "ftp://salutebot.webim.ru", "The domain address must start with https://.", nil},
		{"domain", "https://user:pw@salutebot.webim.ru", "The domain address must not contain a user name or password.", nil},
		{"domain", "https://salutebot.webim.ru/chat", "Enter the domain only, without a path, like salutebot.webim.ru.", nil},
		{"domain", "https://salutebot.webim.ru/?a=1", "Enter the domain only, without a ? part.", nil},
		{"domain", "https://salutebot.webim.ru#top", "The domain address must not contain a # part.", nil},
		{"domain", "https://salutebot.webim.ru:70000", "The port must be a number from 1 to 65535.", nil},
		{"domain", "https://sale_bot.webim.ru", "The host name is not valid. Enter a domain address like salutebot.webim.ru.", nil},
		{"domain", "webim", "Enter the full domain address, like salutebot.webim.ru.", nil},
		{"domain", "missing.webim.ru", "This domain could not be found. Check the spelling.", nil},
		{"domain", "https://" + strings.Repeat("a", 2050) + ".ru", "The domain address must be at most 2048 characters long.", nil},
		{"domain", "salutebot.webim.ru", "", nil},
		{"domain", "https://SaluteBot.webim.ru/", "", nil},
		{"domain", "salutebot.webim.ru:443", "", nil},
		{"transfer_to", "queue", "Choose whether to transfer chats to a department or to an operator.", nil},
		{"transfer_to", "", "Choose whether to transfer chats to a department or to an operator.", nil},
		{"department_id", "", "Enter the department ID.", nil},
		{"department_id", "отдел", "The department ID may contain only Latin letters, digits, _ and -.", nil},
		{"department_id", "sales team", "The department ID may contain only Latin letters, digits, _ and -.", nil},
		{"department_id", strings.Repeat("d", 65), "The department ID must be at most 64 characters long.", nil},
		{"department_id", strings.Repeat("d", 64), "", nil},
		{"department_id", "Sales_2-b", "", nil},
		{"operator_id", "", "Enter the operator ID.", map[string]string{"transfer_to": "operator"}},
		{"operator_id", "0", "The operator ID must be a whole number greater than 0, like 42.", map[string]string{"transfer_to": "operator"}},
		{"operator_id", "-5", "The operator ID must be a whole number greater than 0, like 42.", map[string]string{"transfer_to": "operator"}},
		{"operator_id", "4.2", "The operator ID must be a whole number greater than 0, like 42.", map[string]string{"transfer_to": "operator"}},
		{"operator_id", "12345678901234567890", "The operator ID must be a whole number greater than 0, like 42.", map[string]string{"transfer_to": "operator"}},
		{"operator_id", "42", "", map[string]string{"transfer_to": "operator"}},
	}
	for _, tc := range cases {
		vals := url.Values{"platform": {"webim"}}
		for k, v := range good {
			vals.Set(k, v)
		}
		for k, v := range tc.extra {
			vals.Set(k, v)
		}
		vals.Set(tc.field, tc.value)
		before := w.count("integrations")
		r := w.owner.Post(w.base+"/integrations/new?platform=webim", vals)
		name := tc.field + "=" + tc.value
		if len(name) > 60 {
			name = name[:60]
		}
		if tc.msg == "" {
			require.Equal(t, http.StatusSeeOther, r.StatusCode, "%s: %s", name, r.Text(".error-summary"))
			require.Equal(t, before+1, w.count("integrations"), name)
			continue
		}
		require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, name)
		require.Equal(t, before, w.count("integrations"), "%s: nothing saved", name)
		require.Equal(t, tc.msg, r.FieldError(tc.field), name)
		require.Contains(t, r.Text(".error-summary"), tc.msg, name)
		require.Empty(t, r.Value("token"), "%s: the token is never echoed", name)
		require.NotContains(t, r.Body, stToken, name)
		for _, f := range []string{"domain", "department_id", "operator_id"} {
			require.Equal(t, vals.Get(f), r.Value(f), "%s: %s kept", name, f)
		}
		if tc.field != "transfer_to" {
			_, checked := r.Doc.Find(`input[name=transfer_to][value="` + vals.Get("transfer_to") + `"]`).Attr("checked")
			require.True(t, checked, "%s: transfer choice kept", name)
			desc := r.Doc.Find("#f-"+tc.field).AttrOr("aria-describedby", "")
			require.Contains(t, desc, "f-"+tc.field+"-error", name)
		}
	}

	botCases := []struct {
		field, value, msg string
	}{
		{"endpoint_url", "", "Enter the endpoint URL of your bot."},
		{"endpoint_url", "http://bot.example.com/hook", "The endpoint URL must start with https://."},
		{"endpoint_url", "https://bot.example.com/a b", "The endpoint URL must not contain spaces."},
		{"endpoint_url", "https://u:p@bot.example.com/hook", "The endpoint URL must not contain a user name or password."},
		{"endpoint_url", "https://bot.example.com/hook#x", "The endpoint URL must not contain a # part."},
		{"endpoint_url", "https://nobot.example.com/hook", "This host name could not be found. Check the spelling."},
		{"endpoint_url", "https://bot.example.com/hook?token=1", ""},
		{"timeout", "", "Enter the reply timeout."},
		{"timeout", "0", "The reply timeout must be a whole number of seconds from 1 to 30."},
		{"timeout", "31", "The reply timeout must be a whole number of seconds from 1 to 30."},
		{"timeout", "2.5", "The reply timeout must be a whole number of seconds from 1 to 30."},
		{"timeout", "1", ""},
		{"timeout", "30", ""},
		{"fallback_mode", "ignore", "Choose what happens when the bot cannot be reached."},
		{"fallback_text", "  ", "Enter the message the visitor receives."},
		{"fallback_text", strings.Repeat("ж", 501), "The message must be at most 500 characters long."},
		{"fallback_text", strings.Repeat("ж", 500), ""},
	}
	for _, tc := range botCases {
		vals := url.Values{"endpoint_url": {"https://bot.example.com/hook"}, "timeout": {"10"}, "fallback_mode": {"transfer"},
			"fallback_text": {integration.DefaultFallbackText("ru")}}
		vals.Set(tc.field, tc.value)
		r := w.owner.Post(w.base+"/bot", vals)
		name := "bot " + tc.field + "=" + tc.value
		if len(name) > 60 {
			name = name[:60]
		}
		if tc.msg == "" {
			require.Equal(t, http.StatusSeeOther, r.StatusCode, "%s: %s", name, r.Text(".error-summary"))
			continue
		}
		require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, name)
		if tc.field == "fallback_mode" {
			require.Equal(t, tc.msg, r.Text("#f-fallback_mode-error"), name)
		} else {
			require.Equal(t, tc.msg, r.FieldError(tc.field), name)
			if tc.field == "fallback_text" {
				require.Equal(t, vals.Get(tc.field), r.Doc.Find("#f-fallback_text").Text(), "%s: kept", name)
			} else {
				require.Equal(t, vals.Get(tc.field), r.Value(tc.field), "%s: kept", name)
			}
		}
		require.Contains(t, r.Text(".error-summary"), tc.msg, name)
	}
}

// Department vs operator on the server: the target that does not apply is
// ignored and not stored, on add and on edit.
func TestSettingsTransferSwitchServerSide(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t, true)
	page := w.add(stForm(stToken, "salutebot.webim.ru", "operator", "sales", "42"))
	id := w.integrationID(page)
	row := w.row(id)
	require.Equal(t, "operator", row.TransferTo)
	require.Nil(t, row.DepartmentID, "department ignored")
	require.Equal(t, int64(42), *row.OperatorID)
	r := w.owner.Follow(w.owner.Get(page))
	require.Equal(t, "Operator 42", r.Text("#integration-target"))

	r = w.owner.Get(page + "/edit")
	require.Equal(t, http.StatusOK, r.StatusCode)
	_, checked := r.Doc.Find(`#f-transfer_to-operator`).Attr("checked")
	require.True(t, checked)
	require.Equal(t, "42", r.Value("operator_id"))
	require.Empty(t, r.Value("token"))
	require.Equal(t, "Leave blank to keep the current token (••••wxyz).", r.Text("#f-token-hint"))
	version := r.Value("version")

	// Switching to department with a junk operator id: the junk is ignored.
	form := stForm("", "salutebot.webim.ru", "department", "support", "not-a-number")
	form.Set("version", version)
	r = w.owner.Post(page+"/edit", form)
	require.Equal(t, http.StatusSeeOther, r.StatusCode, r.Text(".error-summary"))
	row = w.row(id)
	require.Equal(t, "support", *row.DepartmentID)
	require.Nil(t, row.OperatorID, "operator ignored")
	in, err := integration.Get(w.ctx, w.tx, w.project.ID, id)
	require.NoError(t, err)
	tok, err := integration.Token(w.ctx, w.kr, in)
	require.NoError(t, err)
	require.Equal(t, stToken, tok, "blank token kept the old one")

	// Errors on edit keep the input, and the edit form still needs no token.
	form = stForm("", "salutebot.webim.ru", "operator", "support", "")
	form.Set("version", itoa(int64(row.Version)))
	r = w.owner.Post(page+"/edit", form)
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "Enter the operator ID.", r.FieldError("operator_id"))
	require.Empty(t, r.FieldError("token"))
	require.Equal(t, "support", r.Value("department_id"))
}

func TestSettingsIntegrationLifecycle(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t, true)
	page := w.add(stForm(stToken, "https://SaluteBot.webim.ru/", "department", "sales", ""))
	id := w.integrationID(page)

	r := w.owner.Get(page)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "Integration added. Now paste its webhook URL into Webim.", r.Text(".flash"))
	hook := r.Doc.Find("#webhook-url")
	_, readonly := hook.Attr("readonly")
	require.True(t, readonly)
	webhookURL := hook.AttrOr("value", "")
	require.Regexp(t, `^http://bridge\.test/webhooks/webim/[A-Za-z0-9_-]{32}$`, webhookURL)
	require.Equal(t, "#webhook-url", r.Doc.Find("button[data-copy]").AttrOr("data-copy", ""))
	require.Contains(t, r.Text(".checklist"), "External API URL")
	// Honest: nothing from Webim yet, so not "Active" but waiting.
	require.Equal(t, "Waiting for the first event", r.Text("#integration-status .badge.state-waiting"))
	require.Equal(t, "https://salutebot.webim.ru", r.Text("#integration-domain"))
	require.Equal(t, "Department sales", r.Text("#integration-target"))
	require.Equal(t, "••••wxyz", r.Text("#integration-token"))
	require.NotContains(t, r.Body, stToken)
	require.Contains(t, r.Body, "by owner@example.com")
	require.Equal(t, "Integration added", r.Text("table.audit tbody tr td:nth-child(3)"))
	key := webhookURL[strings.LastIndex(webhookURL, "/")+1:]
	found, err := integration.LookupByWebhookKey(w.ctx, w.tx, key)
	require.NoError(t, err)
	require.Equal(t, id, found.ID)

	// A second Webim account in the same project gets its own URL.
	page2 := w.add(stForm("second-token-5678", "other.webim.ru", "operator", "", "7"))
	r = w.owner.Get(page2)
	require.NotEqual(t, webhookURL, r.Doc.Find("#webhook-url").AttrOr("value", ""))
	r = w.owner.Get(w.base)
	require.Equal(t, 2, r.Doc.Find("table#integrations tbody tr").Length())

	// Destructive actions ask first and say what stops working.
	r = w.owner.Get(page)
	require.Contains(t, r.Doc.Find(`form[action$="/rotate-webhook"]`).AttrOr("data-confirm", ""), "must paste the new URL into Webim")
	require.Contains(t, r.Doc.Find(`form[action$="/delete"]`).AttrOr("data-confirm", ""), "webhook URL stops working")

	r = w.owner.Post(page+"/disable", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = w.owner.Follow(r)
	require.Equal(t, "Disabled", r.Text("#integration-status .badge.state-disabled"))
	_, err = integration.LookupByWebhookKey(w.ctx, w.tx, key)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	r = w.owner.Post(page+"/disable", nil)
	require.Equal(t, http.StatusConflict, r.StatusCode, "already disabled")
	r = w.owner.Post(page+"/enable", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	_, err = integration.LookupByWebhookKey(w.ctx, w.tx, key)
	require.NoError(t, err)

	r = w.owner.Post(page+"/rotate-webhook", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = w.owner.Follow(r)
	require.Equal(t, "New webhook URL created. The old one no longer works: update it in Webim.", r.Text(".flash"))
	newURL := r.Doc.Find("#webhook-url").AttrOr("value", "")
	require.NotEqual(t, webhookURL, newURL)
	_, err = integration.LookupByWebhookKey(w.ctx, w.tx, key)
	require.ErrorIs(t, err, apperr.ErrNotFound, "the old key stops at once")
	_, err = integration.LookupByWebhookKey(w.ctx, w.tx, newURL[strings.LastIndex(newURL, "/")+1:])
	require.NoError(t, err)

	r = w.owner.Post(page+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, w.base, r.Location())
	r = w.owner.Follow(r)
	require.Equal(t, "Integration deleted. Its webhook URL no longer works.", r.Text(".flash"))
	require.Equal(t, 1, r.Doc.Find("table#integrations tbody tr").Length())
	require.Equal(t, http.StatusNotFound, w.owner.Get(page).StatusCode)
	_, err = integration.LookupByWebhookKey(w.ctx, w.tx, newURL[strings.LastIndex(newURL, "/")+1:])
	require.ErrorIs(t, err, apperr.ErrNotFound)

	// The owner's audit log on Settings has every change, newest first.
	var actions []string
	r.Doc.Find("table.audit tbody tr").Each(func(_ int, s *goquery.Selection) {
		actions = append(actions, strings.TrimSpace(s.Find("td").Eq(2).Contents().First().Text()))
	})
	require.Equal(t, []string{"Integration deleted", "Webhook URL rotated", "Integration enabled", "Integration disabled",
		"Integration added", "Integration added"}, actions)
	require.NotContains(t, r.Body, stToken)

	// "My projects" shows the platform and its health.
	r = w.owner.Get("/projects")
	require.Contains(t, r.Text("tbody td:nth-child(3)"), "Webim · Active")
	// Webim has not called yet: the project waits for it.
	require.Equal(t, "Waiting for Webim", r.Text("tbody td.project-health .badge.health-waiting"))
}

func TestSettingsEditConflict(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t, true)
	page := w.add(stForm(stToken, "salutebot.webim.ru", "department", "sales", ""))
	version := w.owner.Get(page + "/edit").Value("version")

	// A new domain with the token left blank: the token must be typed again.
	form := stForm("", "other.webim.ru", "department", "sales", "")
	form.Set("version", version)
	r := w.owner.Post(page+"/edit", form)
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "Enter the Auth token again: it is needed when the domain address changes.", r.FieldError("token"))
	require.Equal(t, "https://salutebot.webim.ru", w.row(w.integrationID(page)).Domain, "nothing saved")

	form = stForm(stToken, "other.webim.ru", "department", "sales", "")
	form.Set("version", version)
	r = w.owner.Post(page+"/edit", form)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)

	form = stForm("", "salutebot.webim.ru", "department", "late", "")
	form.Set("version", version)
	r = w.owner.Post(page+"/edit", form)
	require.Equal(t, http.StatusConflict, r.StatusCode)
	require.Contains(t, r.Text(".error-summary"), "Someone changed this integration while you were editing it.")
	require.Equal(t, "https://other.webim.ru", r.Value("domain"), "the form shows what is saved now")
	require.Equal(t, "sales", *w.row(w.integrationID(page)).DepartmentID, "the stale edit changed nothing")

	form.Set("version", "junk")
	require.Equal(t, http.StatusBadRequest, w.owner.Post(page+"/edit", form).StatusCode)
}

// SSRF: private, loopback and link-local targets are refused on both forms
// when OUTBOUND_ALLOW_LOCAL is off, including a name that resolves there.
func TestSettingsSSRFRefusals(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t, true, func(d *web.Deps) { d.Outbound = outbound.Policy{AllowLocal: false} })
	const msg = "This address points to a private or local network, which is not allowed."
	for _, host := range []string{"127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "loopback.example.com", "private.example.com", "localhost", "[fe80::1]", "192.168.1.10"} {
		r := w.owner.Post(w.base+"/integrations/new?platform=webim", stForm(stToken, "https://"+host, "department", "sales", ""))
		require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, host)
		require.Equal(t, msg, r.FieldError("domain"), host)

		r = w.owner.Post(w.base+"/bot", url.Values{"endpoint_url": {"https://" + host + "/hook"}, "timeout": {"10"},
			"fallback_mode": {"transfer"}, "fallback_text": {"Bye"}})
		require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, host)
		require.Equal(t, msg, r.FieldError("endpoint_url"), host)
	}
	require.Zero(t, w.count("integrations"))
	require.Zero(t, w.count("project_bots"))

	// Plain http is for development only.
	r := w.owner.Post(w.base+"/integrations/new?platform=webim", stForm(stToken, "http://salutebot.webim.ru", "department", "sales", ""))
	require.Equal(t, "The domain address must start with https://.", r.FieldError("domain"))
}

func TestSettingsBotEndpoint(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t, true)
	r := w.owner.Get(w.base)
	require.Contains(t, r.Text("#bot .empty-note"), "No bot endpoint yet")
	r = w.owner.Get(w.base + "/bot")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "10", r.Value("timeout"))
	require.Equal(t, integration.DefaultFallbackText("ru"), r.Doc.Find("#f-fallback_text").Text())
	require.Contains(t, r.Text("#secret"), "A signing secret is created when you first save the bot endpoint.")

	r = w.owner.Post(w.base+"/bot", url.Values{"endpoint_url": {"https://bot.example.com/hook"}, "timeout": {"12"},
		"fallback_mode": {"transfer"}, "fallback_text": {"One moment, a person will help you."}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode, r.Text(".error-summary"))
	r = w.owner.Follow(r)
	require.Equal(t, "Bot endpoint saved. Copy the signing secret below now: once you confirm you copied it, it is never shown again.", r.Text(".flash"))
	first := r.Doc.Find("#bot-secret").AttrOr("value", "")
	require.Regexp(t, `^whsec_[A-Za-z0-9+/]{43}=$`, first)
	require.Equal(t, "#bot-secret", r.Doc.Find("#secret button[data-copy]").AttrOr("data-copy", ""))
	require.Equal(t, "12", r.Value("timeout"))

	// Viewing again (a prefetch, a second tab) does not lose it; only the
	// owner's confirmation ends the display.
	r = w.owner.Get(w.base + "/bot")
	require.Equal(t, first, r.Doc.Find("#bot-secret").AttrOr("value", ""), "a page view changes nothing")
	r = w.owner.Post(w.base+"/bot/hide-secret", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = w.owner.Get(w.base + "/bot")
	require.Zero(t, r.Doc.Find("#bot-secret").Length(), "hidden after confirmation")
	require.NotContains(t, r.Body, first)
	require.Equal(t, "••••"+first[len(first)-4:], r.Text("#bot-secret-mask"))
	r = w.owner.Get(w.base)
	require.Equal(t, "https://bot.example.com/hook", r.Text("#bot dd.mono"))
	require.NotContains(t, r.Body, first)
	require.Contains(t, r.Body, "••••"+first[len(first)-4:])

	// Rotation: the new secret once, the old one still verifies for 24 h.
	require.Contains(t, r.Doc.Find("#bot a.button").AttrOr("href", ""), "/settings/bot")
	r = w.owner.Get(w.base + "/bot")
	require.Contains(t, r.Doc.Find(`form[action$="/bot/rotate-secret"]`).AttrOr("data-confirm", ""), "keeps working for 24 hours")
	r = w.owner.Post(w.base+"/bot/rotate-secret", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = w.owner.Follow(r)
	second := r.Doc.Find("#bot-secret").AttrOr("value", "")
	require.Regexp(t, `^whsec_`, second)
	require.NotEqual(t, first, second)
	require.Contains(t, r.Text("#secret .hint"), "The previous secret keeps working until")
	bot, err := integration.BotEndpoint(w.ctx, w.tx, w.kr, w.project.ID)
	require.NoError(t, err)
	require.Equal(t, []string{second, first}, bot.Secrets)
	require.Equal(t, "One moment, a person will help you.", bot.FallbackText)

	require.Equal(t, http.StatusSeeOther, w.owner.Post(w.base+"/bot/hide-secret", nil).StatusCode)
	// A second save keeps the secret and says so plainly.
	r = w.owner.Post(w.base+"/bot", url.Values{"endpoint_url": {"https://bot.example.com/v2"}, "timeout": {"5"},
		"fallback_mode": {"transfer"}, "fallback_text": {"Bye"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = w.owner.Follow(r)
	require.Equal(t, "Bot endpoint saved.", r.Text(".flash"))
	require.Zero(t, r.Doc.Find("#bot-secret").Length())
	r = w.owner.Get(w.base)
	var actions []string
	r.Doc.Find("table.audit tbody tr").Each(func(_ int, s *goquery.Selection) {
		actions = append(actions, strings.TrimSpace(s.Find("td").Eq(2).Text()))
	})
	require.Equal(t, []string{"Bot endpoint saved", "Bot signing secret rotated", "Bot endpoint saved"}, actions)
	require.Contains(t, r.Text("table.audit tbody tr td:nth-child(4)"), "Bot URL: https://bot.example.com/hook → https://bot.example.com/v2", "in words")
}

// Every settings route answers 404 to another owner and to a moderator, and
// sends anonymous visitors to log in; none of them changes anything.
func TestSettingsTenantIsolation(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t, true)
	page := w.add(stForm(stToken, "salutebot.webim.ru", "department", "sales", ""))
	r := w.owner.Post(w.base+"/bot", url.Values{"endpoint_url": {"https://bot.example.com/hook"}, "timeout": {"10"},
		"fallback_mode": {"transfer"}, "fallback_text": {"Bye"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	version := w.owner.Get(page + "/edit").Value("version")
	before := w.row(w.integrationID(page))
	auditBefore := w.count("integration_audit")

	other, otherUser := w.user("other@example.com", auth.RoleOwner)
	otherProject := testfactory.Project(w.ctx, t, w.tx, &testfactory.ProjectOpts{Name: testfactory.Ptr("Other shop"), OwnerID: &otherUser.ID})
	stGrant(t, w.tx, otherProject.ID, otherUser.ID)
	mod, _ := w.user("mod@example.com", auth.RoleModerator)
	anon := w.server()

	edit := stForm(stToken, "other.webim.ru", "operator", "", "9")
	edit.Set("version", version)
	gets := []string{w.base, w.base + "/integrations/new?platform=webim", page, page + "/edit", w.base + "/bot"}
	posts := map[string]url.Values{
		w.base + "/integrations/new?platform=webim": stForm(stToken, "salutebot.webim.ru", "department", "x", ""),
		page + "/edit":                edit,
		page + "/disable":             nil,
		page + "/enable":              nil,
		page + "/delete":              nil,
		page + "/rotate-webhook":      nil,
		page + "/chat-events/rotate":  nil,
		page + "/chat-events/hide":    nil,
		page + "/link-buttons":        {"link_buttons": {"yes"}},
		w.base + "/bot":               {"endpoint_url": {"https://bot.example.com/evil"}, "timeout": {"3"}, "fallback_mode": {"transfer"}, "fallback_text": {"x"}},
		w.base + "/bot/rotate-secret": nil,
		w.base + "/bot/hide-secret":   nil,
	}
	for who, c := range map[string]*webtest.Client{"other owner": other, "moderator": mod} {
		for _, path := range gets {
			require.Equal(t, http.StatusNotFound, c.Get(path).StatusCode, "%s GET %s", who, path)
		}
		for path, form := range posts {
			// Post stamps its CSRF token into the form: each client gets a copy.
			require.Equal(t, http.StatusNotFound, c.Post(path, cloneForm(form)).StatusCode, "%s POST %s", who, path)
		}
	}
	for _, path := range gets {
		r := anon.Get(path)
		require.Equal(t, http.StatusSeeOther, r.StatusCode, "anonymous GET %s", path)
		require.True(t, strings.HasPrefix(r.Location(), "/login?next="), path)
	}
	for path, form := range posts {
		r := anon.Post(path, cloneForm(form))
		require.Equal(t, http.StatusSeeOther, r.StatusCode, "anonymous POST %s", path)
		require.Equal(t, "/login", r.Location(), path)
	}
	// The other owner's own project cannot reach this integration either.
	otherBase := "/projects/" + itoa(otherProject.ID) + "/settings/integrations/" + itoa(w.integrationID(page))
	require.Equal(t, http.StatusNotFound, other.Get(otherBase).StatusCode)
	require.Equal(t, http.StatusNotFound, other.Post(otherBase+"/delete", nil).StatusCode)
	require.Equal(t, http.StatusNotFound, other.Get("/projects/"+itoa(w.project.ID)+"/settings/integrations/junk").StatusCode)

	after := w.row(w.integrationID(page))
	require.Equal(t, before.Version, after.Version)
	require.Equal(t, before.Status, after.Status)
	require.Equal(t, before.WebhookKeyHash, after.WebhookKeyHash)
	require.Equal(t, before.ChatEventsUser, after.ChatEventsUser)
	require.Equal(t, before.LinkButtons, after.LinkButtons)
	require.Nil(t, after.DeletedAt)
	require.Equal(t, auditBefore, w.count("integration_audit"))
	require.Equal(t, 1, w.count("integrations"))
	bot, err := integration.GetBotSettings(w.ctx, w.tx, w.project.ID)
	require.NoError(t, err)
	require.Equal(t, "https://bot.example.com/hook", bot.URL)

	// A plain member sees and uses Settings, but the audit log is the owner's.
	member, memberUser := w.user("member@example.com", auth.RoleOwner)
	_, err = w.tx.Exec(w.ctx, "INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, 'member')", w.project.ID, memberUser.ID)
	require.NoError(t, err)
	r = member.Get(w.base)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, 1, r.Doc.Find("table#integrations tbody tr").Length())
	require.Zero(t, r.Doc.Find("table.audit").Length())
	require.Zero(t, member.Get(page).Doc.Find("table.audit").Length())
	require.NotZero(t, w.owner.Get(page).Doc.Find("table.audit").Length())
}

// Every catalog key the settings code can produce exists, so no page ever
// shows a bare key.
func TestSettingsCatalogComplete(t *testing.T) {
	t.Parallel()
	var keys []string
	for _, p := range []string{"empty", "spaces", "invalid", "https", "https_or_http", "userinfo", "no_host", "bad_host",
		"short_host", "port", "port_not_allowed", "fragment", "path", "query", "forbidden", "not_found", "lookup_failed", "long"} {
		keys = append(keys, "integration.domain."+p, "bot.endpoint_url."+p)
	}
	keys = append(keys, "integration.token.required", "integration.token.short", "integration.token.long", "integration.token.chars",
		"integration.transfer_to.invalid", "integration.department_id.required", "integration.department_id.long",
		"integration.department_id.invalid", "integration.operator_id.required", "integration.operator_id.invalid",
		"bot.timeout.required", "bot.timeout.invalid", "bot.fallback_mode.invalid", "bot.fallback_text.required", "bot.fallback_text.long")
	for _, a := range []string{integration.ActionCreated, integration.ActionUpdated, integration.ActionDisabled, integration.ActionEnabled,
		integration.ActionDeleted, integration.ActionWebhookRotated, integration.ActionMarkedUnhealthy, integration.ActionMarkedHealthy,
		integration.ActionBotEndpointSaved, integration.ActionBotSecretRotated, integration.ActionChatEventsRotated,
		integration.ActionLinkButtonsChanged} {
		keys = append(keys, "settings.audit.action."+a)
	}
	for _, s := range []string{integration.StatusActive, integration.StatusDisabled, integration.StatusUnhealthy} {
		keys = append(keys, "integration.status."+s)
	}
	for _, s := range []string{"submitted", "in_review", "approved", "rejected", "withdrawn"} {
		keys = append(keys, "settings.request_status."+s)
	}
	for _, h := range []string{integration.HealthActive, integration.HealthUnhealthy, integration.HealthDisabled, integration.HealthNotConfigured} {
		keys = append(keys, "settings.summary."+h)
	}
	for _, k := range keys {
		require.True(t, i18n.Has(k), k)
	}
}
