package integration_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/internal/testfactory"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var dns = outbound.StaticResolver{
	"salutebot.webim.ru": {"93.184.215.14"},
	"other.webim.ru":     {"93.184.215.15"},
	"bot.example.com":    {"93.184.215.16"},
	"sneaky.example.com": {"93.184.215.17", "127.0.0.1"},
}

func newEnv(t *testing.T, allowLocal bool) integration.Env {
	t.Helper()
	kr, err := secret.NewKeyring("integration-test-key-0123456789abcdef")
	require.NoError(t, err)
	return integration.Env{Keyring: kr, Outbound: outbound.Policy{AllowLocal: allowLocal}, Resolver: dns}
}

type fixture struct {
	ctx     context.Context
	tx      pgx.Tx
	env     integration.Env
	owner   int64
	project int64
}

var seq atomic.Int64

func setup(t *testing.T, grant bool) fixture {
	t.Helper()
	f := fixture{ctx: context.Background(), tx: dbtest.Tx(t), env: newEnv(t, false)}
	return f.tenant(t, grant)
}

// tenant adds another owner with a project in the same transaction.
func (f fixture) tenant(t *testing.T, grant bool) fixture {
	t.Helper()
	tenant := testfactory.NewTenant(f.ctx, t, f.tx, &testfactory.TenantOpts{
		Owner:        &testfactory.UserOpts{Email: testfactory.Ptr(fmt.Sprintf("owner%d@example.com", seq.Add(1))), Password: testfactory.Ptr("owner password 1")},
		ProjectName:  testfactory.Ptr("Shop project"),
		NoGrant:      !grant,
		Integrations: []integration.Input{}, // integration.Create is what these tests test
	})
	f.owner, f.project = tenant.Owner.ID, tenant.Project.ID
	return f
}

const token = "wbm-TOKEN-9f8e7d6c5b4a"

func goodInput() integration.Input {
	return integration.Input{Token: token, Domain: "https://SaluteBot.webim.ru/", TransferTo: "department", DepartmentID: "sales_1"}
}

func (f fixture) create(t *testing.T, in integration.Input) integration.Integration {
	t.Helper()
	it, err := integration.Create(f.ctx, f.tx, f.env, f.project, f.owner, integration.PlatformWebim, in)
	require.NoError(t, err)
	return it
}

func TestCreateStoresNormalisedSettings(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	it := f.create(t, goodInput())
	require.Equal(t, "https://salutebot.webim.ru", it.Domain)
	require.Equal(t, integration.StatusActive, it.Status)
	require.Equal(t, "department", it.TransferTo)
	require.Equal(t, "sales_1", it.DepartmentID)
	require.Zero(t, it.OperatorID)
	require.Equal(t, "••••5b4a", it.TokenMask())
	require.NotEmpty(t, it.CreatedByEmail)

	got, err := integration.Token(f.ctx, f.env.Keyring, it)
	require.NoError(t, err)
	require.Equal(t, token, got)

	entries, err := integration.IntegrationAudit(f.ctx, f.tx, f.project, it.ID, 10)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, integration.ActionCreated, entries[0].Action)
	require.Equal(t, "domain=https://salutebot.webim.ru transfer=department:sales_1", entries[0].Detail)
}

func TestCreateRefusesUngrantedPlatformWithoutSideEffects(t *testing.T) {
	t.Parallel()
	f := setup(t, false)
	_, err := integration.Create(f.ctx, f.tx, f.env, f.project, f.owner, integration.PlatformWebim, goodInput())
	require.ErrorIs(t, err, integration.ErrNotGranted)
	require.ErrorIs(t, err, apperr.ErrForbidden)
	_, err = integration.Create(f.ctx, f.tx, f.env, f.project, f.owner, "jivo", goodInput())
	require.ErrorIs(t, err, apperr.ErrNotFound)
	var n int
	require.NoError(t, f.tx.QueryRow(f.ctx, "SELECT count(*) FROM integrations").Scan(&n))
	require.Zero(t, n)
	require.NoError(t, f.tx.QueryRow(f.ctx, "SELECT count(*) FROM integration_audit").Scan(&n))
	require.Zero(t, n)
}

// The raw row holds the token in no form: not in clear, not as hex or
// base64, and the webhook key only as its hash and a ciphertext.
func TestEncryptionAtRest(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	it := f.create(t, goodInput())
	key, err := integration.WebhookKey(f.env.Keyring, it)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(key), 32, "at least 24 random bytes in base64url")

	rows, err := f.tx.Query(f.ctx, "SELECT * FROM integrations WHERE id = $1", it.ID)
	require.NoError(t, err)
	row, err := pgx.CollectOneRow(rows, pgx.RowToMap)
	require.NoError(t, err)
	require.NotEmpty(t, row["token_ciphertext"])

	forbidden := map[string]string{}
	for name, s := range map[string]string{"token": token, "webhook key": key} {
		forbidden[name] = s
		forbidden[name+" hex"] = hex.EncodeToString([]byte(s))
		forbidden[name+" base64"] = base64.StdEncoding.EncodeToString([]byte(s))
		forbidden[name+" base64url"] = base64.RawURLEncoding.EncodeToString([]byte(s))
	}
	for col, val := range row {
		var text []string
		switch v := val.(type) {
		case []byte:
			text = []string{string(v), hex.EncodeToString(v), base64.StdEncoding.EncodeToString(v)}
		default:
			text = []string{fmt.Sprint(v)}
		}
		for _, s := range text {
			for name, bad := range forbidden {
				require.NotContains(t, s, bad, "column %s holds the %s", col, name)
			}
			require.NotContains(t, s, token[:len(token)-4], "column %s holds most of the token", col)
		}
	}
	require.Equal(t, "5b4a", row["token_last4"])
	require.Equal(t, secret.HashToken(key), row["webhook_key_hash"])

	// The ciphertext is bound to its row: copied onto another integration
	// it does not decrypt.
	other := f.create(t, integration.Input{Token: "another-token-1234", Domain: "other.webim.ru", TransferTo: "operator", OperatorID: "7"})
	_, err = f.tx.Exec(f.ctx, "UPDATE integrations SET token_ciphertext = $1, token_key_id = $2 WHERE id = $3",
		row["token_ciphertext"], row["token_key_id"], other.ID)
	require.NoError(t, err)
	other, err = integration.Get(f.ctx, f.tx, f.project, other.ID)
	require.NoError(t, err)
	_, err = integration.Token(f.ctx, f.env.Keyring, other)
	require.ErrorIs(t, err, secret.ErrDecrypt)
}

func TestRotationInvalidatesOldKey(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	it := f.create(t, goodInput())
	oldKey, err := integration.WebhookKey(f.env.Keyring, it)
	require.NoError(t, err)
	found, err := integration.LookupByWebhookKey(f.ctx, f.tx, oldKey)
	require.NoError(t, err)
	require.Equal(t, it.ID, found.ID)

	newKey, err := integration.RotateWebhook(f.ctx, f.tx, f.env.Keyring, f.project, it.ID, f.owner, 0)
	require.NoError(t, err)
	require.NotEqual(t, oldKey, newKey)

	_, err = integration.LookupByWebhookKey(f.ctx, f.tx, oldKey)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	found, err = integration.LookupByWebhookKey(f.ctx, f.tx, newKey)
	require.NoError(t, err)
	require.Equal(t, it.ID, found.ID)
	tok, err := integration.Token(f.ctx, f.env.Keyring, found)
	require.NoError(t, err)
	require.Equal(t, token, tok)

	it, err = integration.Get(f.ctx, f.tx, f.project, it.ID)
	require.NoError(t, err)
	shown, err := integration.WebhookKey(f.env.Keyring, it)
	require.NoError(t, err)
	require.Equal(t, newKey, shown, "the page shows the new URL")

	// Another project cannot rotate it.
	g := f.tenant(t, true)
	_, err = integration.RotateWebhook(f.ctx, f.tx, f.env.Keyring, g.project, it.ID, g.owner, 0)
	require.ErrorIs(t, err, apperr.ErrNotFound)
}

func TestLookupFollowsStatus(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	it := f.create(t, goodInput())
	key, err := integration.WebhookKey(f.env.Keyring, it)
	require.NoError(t, err)

	_, err = integration.LookupByWebhookKey(f.ctx, f.tx, "")
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = integration.LookupByWebhookKey(f.ctx, f.tx, key+"x")
	require.ErrorIs(t, err, apperr.ErrNotFound)

	require.NoError(t, integration.Disable(f.ctx, f.tx, f.project, it.ID, f.owner))
	_, err = integration.LookupByWebhookKey(f.ctx, f.tx, key)
	require.ErrorIs(t, err, apperr.ErrNotFound, "disabled")
	require.ErrorIs(t, integration.Disable(f.ctx, f.tx, f.project, it.ID, f.owner), apperr.ErrConflict)

	require.NoError(t, integration.Enable(f.ctx, f.tx, f.project, it.ID, f.owner))
	_, err = integration.LookupByWebhookKey(f.ctx, f.tx, key)
	require.NoError(t, err)
	require.ErrorIs(t, integration.Enable(f.ctx, f.tx, f.project, it.ID, f.owner), apperr.ErrConflict)

	changed, err := integration.MarkUnhealthy(f.ctx, f.tx, it.ID, "Webim answered 401")
	require.NoError(t, err)
	require.True(t, changed)
	changed, err = integration.MarkUnhealthy(f.ctx, f.tx, it.ID, "Webim answered 401")
	require.NoError(t, err)
	require.False(t, changed, "the same reason again is no change")
	found, err := integration.LookupByWebhookKey(f.ctx, f.tx, key)
	require.NoError(t, err, "unhealthy integrations still receive")
	require.Equal(t, integration.StatusUnhealthy, found.Status)
	require.Equal(t, "Webim answered 401", found.UnhealthyReason)
	require.True(t, found.AcceptsWebhooks())

	// The query has no caller in botbridge yet (an owner's configuration
	// change is what returns an integration to active, see Update), so the
	// test reaches it directly.
	n, err := dbsqlc.New(f.tx).MarkIntegrationHealthy(f.ctx, it.ID)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	n, err = dbsqlc.New(f.tx).MarkIntegrationHealthy(f.ctx, it.ID)
	require.NoError(t, err)
	require.EqualValues(t, 0, n, "only an unhealthy integration is marked healthy")

	require.NoError(t, integration.Delete(f.ctx, f.tx, f.project, it.ID, f.owner))
	_, err = integration.LookupByWebhookKey(f.ctx, f.tx, key)
	require.ErrorIs(t, err, apperr.ErrNotFound, "deleted")
	_, err = integration.Get(f.ctx, f.tx, f.project, it.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = integration.MarkUnhealthy(f.ctx, f.tx, it.ID, "x")
	require.ErrorIs(t, err, apperr.ErrNotFound)
	gone, err := integration.GetByID(f.ctx, f.tx, it.ID)
	require.NoError(t, err)
	require.NotNil(t, gone.DeletedAt)
	require.False(t, gone.AcceptsWebhooks())
	_, err = integration.Token(f.ctx, f.env.Keyring, gone)
	require.ErrorIs(t, err, apperr.ErrNotFound, "the token is wiped on delete")

	entries, err := integration.IntegrationAudit(f.ctx, f.tx, f.project, it.ID, 50)
	require.NoError(t, err)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	require.Equal(t, []string{"deleted", "marked_healthy", "marked_unhealthy", "enabled", "disabled", "created"}, actions)
	require.Empty(t, entries[1].ActorEmail, "botbridge itself marked it")
}

// The transfer target that does not apply is never stored, whatever the
// form sent.
func TestTransferTargetSwitch(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	it := f.create(t, integration.Input{Token: token, Domain: "salutebot.webim.ru", TransferTo: "operator", OperatorID: " 42 ", DepartmentID: "sales"})
	var dep *string
	var op *int64
	require.NoError(t, f.tx.QueryRow(f.ctx, "SELECT department_id, operator_id FROM integrations WHERE id = $1", it.ID).Scan(&dep, &op))
	require.Nil(t, dep, "department ignored for operator")
	require.Equal(t, int64(42), *op)

	in := integration.Input{Domain: "salutebot.webim.ru", TransferTo: "department", DepartmentID: "support-2", OperatorID: "not a number"}
	require.NoError(t, integration.Update(f.ctx, f.tx, f.env, f.project, it.ID, f.owner, it.Version, in))
	require.NoError(t, f.tx.QueryRow(f.ctx, "SELECT department_id, operator_id FROM integrations WHERE id = $1", it.ID).Scan(&dep, &op))
	require.Equal(t, "support-2", *dep)
	require.Nil(t, op, "operator ignored for department")

	got, err := integration.Get(f.ctx, f.tx, f.project, it.ID)
	require.NoError(t, err)
	tok, err := integration.Token(f.ctx, f.env.Keyring, got)
	require.NoError(t, err)
	require.Equal(t, token, tok, "a blank token keeps the old one")
	entries, err := integration.IntegrationAudit(f.ctx, f.tx, f.project, it.ID, 1)
	require.NoError(t, err)
	require.Equal(t, "transfer=operator:42→department:support-2", entries[0].Detail)
}

func TestUpdateReplacesTokenAndDetectsConflicts(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	it := f.create(t, goodInput())
	_, err := integration.MarkUnhealthy(f.ctx, f.tx, it.ID, "401")
	require.NoError(t, err)

	// Moving the stored token to another host needs the token typed again.
	in := goodInput()
	in.Token = ""
	in.Domain = "other.webim.ru"
	err = integration.Update(f.ctx, f.tx, f.env, f.project, it.ID, f.owner, it.Version, in)
	require.Equal(t, "integration.token.domain_changed", apperr.Fields(err)["token"])
	unchanged, err := integration.Get(f.ctx, f.tx, f.project, it.ID)
	require.NoError(t, err)
	require.Equal(t, "https://salutebot.webim.ru", unchanged.Domain)

	in.Token = "new-token-abcd-WXYZ"
	require.NoError(t, integration.Update(f.ctx, f.tx, f.env, f.project, it.ID, f.owner, it.Version, in))
	got, err := integration.Get(f.ctx, f.tx, f.project, it.ID)
	require.NoError(t, err)
	require.Equal(t, "WXYZ", got.TokenLast4)
	require.Equal(t, "https://other.webim.ru", got.Domain)
	require.Equal(t, integration.StatusActive, got.Status, "an edit gives an unhealthy integration another chance")
	require.Equal(t, it.Version+1, got.Version)
	tok, err := integration.Token(f.ctx, f.env.Keyring, got)
	require.NoError(t, err)
	require.Equal(t, "new-token-abcd-WXYZ", tok)
	entries, err := integration.IntegrationAudit(f.ctx, f.tx, f.project, it.ID, 1)
	require.NoError(t, err)
	require.Equal(t, "token=replaced domain=https://salutebot.webim.ru→https://other.webim.ru", entries[0].Detail)
	require.NotContains(t, entries[0].Detail, "new-token")

	// A form rendered before that edit is stale now.
	err = integration.Update(f.ctx, f.tx, f.env, f.project, it.ID, f.owner, it.Version, goodInput())
	require.ErrorIs(t, err, apperr.ErrConflict)
	// Another tenant's project never finds it.
	g := f.tenant(t, true)
	err = integration.Update(f.ctx, f.tx, f.env, g.project, it.ID, g.owner, got.Version, goodInput())
	require.ErrorIs(t, err, apperr.ErrNotFound)
	require.ErrorIs(t, integration.Delete(f.ctx, f.tx, g.project, it.ID, g.owner), apperr.ErrNotFound)
	require.ErrorIs(t, integration.Disable(f.ctx, f.tx, g.project, it.ID, g.owner), apperr.ErrNotFound)
	_, err = integration.Get(f.ctx, f.tx, g.project, it.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
}

func TestValidateKeys(t *testing.T) {
	t.Parallel()
	env := newEnv(t, false)
	ctx := context.Background()
	long := strings.Repeat("a", 513)
	cases := []struct {
		name  string
		in    integration.Input
		field string
		key   string
	}{
		{"token missing", integration.Input{Domain: "salutebot.webim.ru", TransferTo: "department", DepartmentID: "a"}, "token", "integration.token.required"},
		{"token short", integration.Input{Token: "1234567", Domain: "salutebot.webim.ru", TransferTo: "department", DepartmentID: "a"}, "token", "integration.token.short"},
		{"token long", integration.Input{Token: long, Domain: "salutebot.webim.ru", TransferTo: "department", DepartmentID: "a"}, "token", "integration.token.long"},
		{"token space", integration.Input{Token: "abcd efgh", Domain: "salutebot.webim.ru", TransferTo: "department", DepartmentID: "a"}, "token", "integration.token.chars"},
		{"token control", integration.Input{Token: "abcd\x01efgh", Domain: "salutebot.webim.ru", TransferTo: "department", DepartmentID: "a"}, "token", "integration.token.chars"},
		{"token unicode", integration.Input{Token: "abcdéfghij", Domain: "salutebot.webim.ru", TransferTo: "department", DepartmentID: "a"}, "token", "integration.token.chars"},
		{"domain loopback", integration.Input{Token: token, Domain: "https://127.0.0.1", TransferTo: "department", DepartmentID: "a"}, "domain", "integration.domain.forbidden"},
		{"domain resolves to loopback", integration.Input{Token: token, Domain: "sneaky.example.com", TransferTo: "department", DepartmentID: "a"}, "domain", "integration.domain.forbidden"},
		{"domain unknown", integration.Input{Token: token, Domain: "nowhere.example.com", TransferTo: "department", DepartmentID: "a"}, "domain", "integration.domain.not_found"},
		{"domain too long", integration.Input{Token: token, Domain: strings.Repeat("a", 2049), TransferTo: "department", DepartmentID: "a"}, "domain", "integration.domain.long"},
		{"transfer tampered", integration.Input{Token: token, Domain: "salutebot.webim.ru", TransferTo: "queue"}, "transfer_to", "integration.transfer_to.invalid"},
		{"department missing", integration.Input{Token: token, Domain: "salutebot.webim.ru", TransferTo: "department"}, "department_id", "integration.department_id.required"},
		{"department bad", integration.Input{Token: token, Domain: "salutebot.webim.ru", TransferTo: "department", DepartmentID: "отдел"}, "department_id", "integration.department_id.invalid"},
		{"department long", integration.Input{Token: token, Domain: "salutebot.webim.ru", TransferTo: "department", DepartmentID: strings.Repeat("d", 65)}, "department_id", "integration.department_id.long"},
		{"operator missing", integration.Input{Token: token, Domain: "salutebot.webim.ru", TransferTo: "operator"}, "operator_id", "integration.operator_id.required"},
		{"operator zero", integration.Input{Token: token, Domain: "salutebot.webim.ru", TransferTo: "operator", OperatorID: "0"}, "operator_id", "integration.operator_id.invalid"},
		{"operator negative", integration.Input{Token: token, Domain: "salutebot.webim.ru", TransferTo: "operator", OperatorID: "-3"}, "operator_id", "integration.operator_id.invalid"},
		{"operator huge", integration.Input{Token: token, Domain: "salutebot.webim.ru", TransferTo: "operator", OperatorID: "99999999999999999999"}, "operator_id", "integration.operator_id.invalid"},
	}
	for _, tc := range cases {
		_, err := tc.in.Validate(ctx, env, true)
		errs := apperr.Fields(err)
		require.NotNil(t, errs, tc.name)
		require.Equal(t, tc.key, errs[tc.field], tc.name)
	}
	s, err := integration.Input{Token: " " + token + "\n", Domain: "SALUTEBOT.webim.ru:443", TransferTo: "operator", OperatorID: "42"}.Validate(ctx, env, true)
	require.NoError(t, err)
	require.Equal(t, integration.Settings{Token: token, Domain: "https://salutebot.webim.ru", TransferTo: "operator", OperatorID: 42}, s)
}

// Every message outbound can give maps to its own catalog key, so a form
// never shows a bare "invalid" for a problem that has a better message.
func TestEveryOutboundProblemHasAKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	strict := newEnv(t, false)
	local := newEnv(t, true)
	cases := []struct {
		env    integration.Env
		domain string
		key    string
	}{
		{strict, "", "integration.domain.empty"},
		{strict, "a b.ru", "integration.domain.spaces"},
		{strict, "https://%zz", "integration.domain.invalid"},
		{strict, "http://salutebot.webim.ru", "integration.domain.https"},
		{local, "ftp://salutebot.webim.ru", "integration.domain.https_or_http"},
		{strict, "https://user:pw@salutebot.webim.ru", "integration.domain.userinfo"},
		{strict, "https://:443", "integration.domain.no_host"},
		{strict, "https://bad_host.ru", "integration.domain.bad_host"},
		{strict, "https://intranet", "integration.domain.short_host"},
		{strict, "https://salutebot.webim.ru:99999", "integration.domain.port"},
		{strict, "https://salutebot.webim.ru:22", "integration.domain.port_not_allowed"},
		{strict, "https://salutebot.webim.ru/#x", "integration.domain.fragment"},
		{strict, "https://salutebot.webim.ru/path", "integration.domain.path"},
		{strict, "https://salutebot.webim.ru/?q=1", "integration.domain.query"},
		{strict, "https://10.0.0.1", "integration.domain.forbidden"},
		{strict, "https://nowhere.example.com", "integration.domain.not_found"},
	}
	for _, tc := range cases {
		_, err := integration.Input{Token: token, Domain: tc.domain, TransferTo: "department", DepartmentID: "a"}.Validate(ctx, tc.env, true)
		require.Equal(t, tc.key, apperr.Fields(err)["domain"], tc.domain)
	}
	failing := integration.Env{Keyring: strict.Keyring, Resolver: failingDNS{}}
	_, err := integration.Input{Token: token, Domain: "salutebot.webim.ru", TransferTo: "department", DepartmentID: "a"}.Validate(ctx, failing, true)
	require.Equal(t, "integration.domain.lookup_failed", apperr.Fields(err)["domain"])
}

type failingDNS struct{}

func (failingDNS) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return nil, &net.DNSError{Err: "server misbehaving", IsTemporary: true}
}

func TestWebhookURL(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("https://bridge.example.com/")
	require.Equal(t, "https://bridge.example.com/webhooks/webim/abc", integration.WebhookURL(base, "abc"))
	base, _ = url.Parse("https://example.com/bb?x=1")
	require.Equal(t, "https://example.com/bb/webhooks/webim/abc", integration.WebhookURL(base, "abc"))
}

func TestPlatformChoicesAndSummary(t *testing.T) {
	t.Parallel()
	f := setup(t, false)
	choices, err := integration.PlatformChoices(f.ctx, f.tx, f.project)
	require.NoError(t, err)
	require.Equal(t, "webim", choices[0].Key)
	require.False(t, choices[0].Granted)
	require.Empty(t, choices[0].RequestStatus)
	require.False(t, choices[1].Available, "jivo is coming soon")

	insertRequest := func(status string, at time.Time) {
		_, err := f.tx.Exec(f.ctx, `INSERT INTO integration_requests (project_id, platform, status, contact_email, organisation,
			description, access_requested, reject_reason, created_by, created_at)
			VALUES ($1, 'webim', $2, 'o@example.com', 'Org', 'A bot that answers questions.', true, 'no', $3, $4)`,
			f.project, status, f.owner, at)
		require.NoError(t, err)
	}
	insertRequest("rejected", time.Now().Add(-time.Hour))
	insertRequest("in_review", time.Now())
	p, err := integration.Platform(f.ctx, f.tx, f.project, "webim")
	require.NoError(t, err)
	require.Equal(t, "in_review", p.RequestStatus, "the newest request counts")
	require.False(t, p.Configurable())
	_, err = integration.Platform(f.ctx, f.tx, f.project, "nope")
	require.ErrorIs(t, err, apperr.ErrNotFound)

	sum, err := integration.SummaryForProjects(f.ctx, f.tx, f.owner, []int64{f.project})
	require.NoError(t, err)
	require.Empty(t, sum[f.project], "nothing granted yet")

	testfactory.Grant(f.ctx, t, f.tx, &testfactory.GrantOpts{ProjectID: f.project, GrantedBy: f.owner})
	p, err = integration.Platform(f.ctx, f.tx, f.project, "webim")
	require.NoError(t, err)
	require.True(t, p.Configurable())
	sum, err = integration.SummaryForProjects(f.ctx, f.tx, f.owner, []int64{f.project})
	require.NoError(t, err)
	require.Equal(t, []integration.PlatformHealth{{Platform: "webim", Name: "Webim", Health: "not_configured"}}, sum[f.project])

	a := f.create(t, goodInput())
	b := f.create(t, goodInput())
	require.NoError(t, integration.Disable(f.ctx, f.tx, f.project, a.ID, f.owner))
	sum, err = integration.SummaryForProjects(f.ctx, f.tx, f.owner, []int64{f.project})
	require.NoError(t, err)
	require.Equal(t, "active", sum[f.project][0].Health)
	_, err = integration.MarkUnhealthy(f.ctx, f.tx, b.ID, "401")
	require.NoError(t, err)
	sum, err = integration.SummaryForProjects(f.ctx, f.tx, f.owner, []int64{f.project})
	require.NoError(t, err)
	require.Equal(t, "unhealthy", sum[f.project][0].Health)

	// Another user asking for this project's id learns nothing.
	g := f.tenant(t, true)
	sum, err = integration.SummaryForProjects(f.ctx, f.tx, g.owner, []int64{f.project, g.project})
	require.NoError(t, err)
	require.Empty(t, sum[f.project])
	require.Len(t, sum[g.project], 1)
}

func TestBotEndpointSecrets(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	_, err := integration.GetBotSettings(f.ctx, f.tx, f.project)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = integration.BotEndpoint(f.ctx, f.tx, f.env.Keyring, f.project)
	require.ErrorIs(t, err, apperr.ErrNotFound)

	in := integration.DefaultBotInput("")
	in.URL = "bot.example.com/hook?x=1"
	created, err := integration.SaveBot(f.ctx, f.tx, f.env, f.project, f.owner, in)
	require.NoError(t, err)
	require.True(t, created)

	// Somebody else's first view does not consume (or see) the secret.
	other := testfactory.User(f.ctx, t, f.tx, &testfactory.UserOpts{Email: testfactory.Ptr(fmt.Sprintf("member%d@example.com", time.Now().UnixNano())), Password: testfactory.Ptr("member password 1")})
	_, ok, err := integration.RevealBotSecret(f.ctx, f.tx, f.env.Keyring, f.project, other.ID)
	require.NoError(t, err)
	require.False(t, ok)

	first, ok, err := integration.RevealBotSecret(f.ctx, f.tx, f.env.Keyring, f.project, f.owner)
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, strings.HasPrefix(first, "whsec_"))
	again, ok, err := integration.RevealBotSecret(f.ctx, f.tx, f.env.Keyring, f.project, f.owner)
	require.NoError(t, err)
	require.True(t, ok, "reading does not consume the display")
	require.Equal(t, first, again)
	require.NoError(t, integration.HideBotSecret(f.ctx, f.tx, f.project, f.owner))
	_, ok, err = integration.RevealBotSecret(f.ctx, f.tx, f.env.Keyring, f.project, f.owner)
	require.NoError(t, err)
	require.False(t, ok, "hidden once confirmed")

	bot, err := integration.BotEndpoint(f.ctx, f.tx, f.env.Keyring, f.project)
	require.NoError(t, err)
	require.Equal(t, integration.Bot{URL: "https://bot.example.com/hook?x=1", Timeout: 10 * time.Second, FallbackMode: "transfer",
		FallbackText: integration.DefaultFallbackText("ru"), Secrets: []string{first}}, bot)

	settings, err := integration.GetBotSettings(f.ctx, f.tx, f.project)
	require.NoError(t, err)
	require.Equal(t, "••••"+first[len(first)-4:], settings.SecretMask())
	require.Nil(t, settings.PreviousValidUntil)

	// Saving again keeps the secret.
	in.Timeout = "30"
	created, err = integration.SaveBot(f.ctx, f.tx, f.env, f.project, f.owner, in)
	require.NoError(t, err)
	require.False(t, created)
	_, ok, err = integration.RevealBotSecret(f.ctx, f.tx, f.env.Keyring, f.project, f.owner)
	require.NoError(t, err)
	require.False(t, ok)

	require.NoError(t, integration.RotateBotSecret(f.ctx, f.tx, f.env.Keyring, f.project, f.owner))
	second, ok, err := integration.RevealBotSecret(f.ctx, f.tx, f.env.Keyring, f.project, f.owner)
	require.NoError(t, err)
	require.True(t, ok)
	require.NotEqual(t, first, second)
	bot, err = integration.BotEndpoint(f.ctx, f.tx, f.env.Keyring, f.project)
	require.NoError(t, err)
	require.Equal(t, []string{second, first}, bot.Secrets, "the previous secret verifies during the overlap")
	require.Equal(t, 30*time.Second, bot.Timeout)
	settings, err = integration.GetBotSettings(f.ctx, f.tx, f.project)
	require.NoError(t, err)
	require.NotNil(t, settings.PreviousValidUntil)
	require.WithinDuration(t, time.Now().Add(24*time.Hour), *settings.PreviousValidUntil, time.Minute)

	_, err = f.tx.Exec(f.ctx, "UPDATE project_bots SET previous_valid_until = now() - interval '1 second' WHERE project_id = $1", f.project)
	require.NoError(t, err)
	bot, err = integration.BotEndpoint(f.ctx, f.tx, f.env.Keyring, f.project)
	require.NoError(t, err)
	require.Equal(t, []string{second}, bot.Secrets, "expired after the overlap")

	// No secret in clear in the raw row.
	rows, err := f.tx.Query(f.ctx, "SELECT * FROM project_bots WHERE project_id = $1", f.project)
	require.NoError(t, err)
	row, err := pgx.CollectOneRow(rows, pgx.RowToMap)
	require.NoError(t, err)
	for col, val := range row {
		s := fmt.Sprint(val)
		if b, ok := val.([]byte); ok {
			s = string(b) + hex.EncodeToString(b)
		}
		for _, sec := range []string{first, second, strings.TrimPrefix(first, "whsec_"), strings.TrimPrefix(second, "whsec_")} {
			require.NotContains(t, s, sec, "column %s", col)
		}
	}

	entries, err := integration.ProjectAudit(f.ctx, f.tx, f.project, 50)
	require.NoError(t, err)
	require.Equal(t, "bot_secret_rotated", entries[0].Action)
	require.Equal(t, "timeout=10s→30s", entries[1].Detail)
	require.Equal(t, "url=https://bot.example.com/hook?x=1 timeout=10s fallback=transfer visitor_language=ru", entries[2].Detail)
}

func TestBotValidation(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	cases := []struct {
		name  string
		edit  func(*integration.BotInput)
		field string
		key   string
	}{
		{"url missing", func(in *integration.BotInput) { in.URL = "" }, "endpoint_url", "bot.endpoint_url.empty"},
		{"url http", func(in *integration.BotInput) { in.URL = "http://bot.example.com" }, "endpoint_url", "bot.endpoint_url.https"},
		{"url metadata", func(in *integration.BotInput) { in.URL = "https://169.254.169.254/latest" }, "endpoint_url", "bot.endpoint_url.forbidden"},
		{"url rebinding name", func(in *integration.BotInput) { in.URL = "https://sneaky.example.com/" }, "endpoint_url", "bot.endpoint_url.forbidden"},
		{"timeout missing", func(in *integration.BotInput) { in.Timeout = " " }, "timeout", "bot.timeout.required"},
		{"timeout zero", func(in *integration.BotInput) { in.Timeout = "0" }, "timeout", "bot.timeout.invalid"},
		{"timeout big", func(in *integration.BotInput) { in.Timeout = "31" }, "timeout", "bot.timeout.invalid"},
		{"timeout text", func(in *integration.BotInput) { in.Timeout = "ten" }, "timeout", "bot.timeout.invalid"},
		{"mode tampered", func(in *integration.BotInput) { in.FallbackMode = "drop" }, "fallback_mode", "bot.fallback_mode.invalid"},
		{"text missing", func(in *integration.BotInput) { in.FallbackText = "  " }, "fallback_text", "bot.fallback_text.required"},
		{"text long", func(in *integration.BotInput) { in.FallbackText = strings.Repeat("я", 501) }, "fallback_text", "bot.fallback_text.long"},
		{"visitor language tampered", func(in *integration.BotInput) { in.VisitorLanguage = "de" }, "visitor_language", "bot.visitor_language.invalid"},
	}
	for _, tc := range cases {
		in := integration.DefaultBotInput("")
		in.URL = "https://bot.example.com/hook"
		tc.edit(&in)
		_, err := integration.SaveBot(f.ctx, f.tx, f.env, f.project, f.owner, in)
		require.Equal(t, tc.key, apperr.Fields(err)[tc.field], tc.name)
	}
	_, err := integration.GetBotSettings(f.ctx, f.tx, f.project)
	require.ErrorIs(t, err, apperr.ErrNotFound, "nothing saved by bad input")
}

// The default visitor language and its fallback text in Go and in the
// schema are the same.
func TestDefaultFallbackTextMatchesSchema(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	def := func(col string) string {
		var d string
		require.NoError(t, f.tx.QueryRow(f.ctx, `SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
			JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
			WHERE d.adrelid = 'project_bots'::regclass AND a.attname = $1`, col).Scan(&d))
		return d
	}
	require.Equal(t, "'"+integration.DefaultVisitorLanguage+"'::text", def("visitor_language"))
	require.Equal(t, "'"+integration.DefaultFallbackText(integration.DefaultVisitorLanguage)+"'::text", def("fallback_text"))
}

// Every visitor language has its own default fallback text, and a default
// text left as it was follows the visitor language when it changes; a
// text of the owner's own stays.
func TestFallbackTextPerVisitorLanguage(t *testing.T) {
	t.Parallel()
	require.NotEqual(t, integration.DefaultFallbackText("ru"), integration.DefaultFallbackText("en"))
	for _, l := range integration.VisitorLanguages {
		require.NotEmpty(t, integration.DefaultFallbackText(l), l)
	}
	require.Equal(t, integration.DefaultFallbackText("ru"), integration.DefaultFallbackText("xx"), "unknown: Russian")

	f := setup(t, true)
	in := integration.DefaultBotInput("")
	require.Equal(t, "ru", in.VisitorLanguage)
	require.Equal(t, integration.DefaultFallbackText("ru"), in.FallbackText)
	in.URL = "https://bot.example.com/hook"
	_, err := integration.SaveBot(f.ctx, f.tx, f.env, f.project, f.owner, in)
	require.NoError(t, err)
	bot, err := integration.BotEndpoint(f.ctx, f.tx, f.env.Keyring, f.project)
	require.NoError(t, err)
	require.Equal(t, "Извините, наш помощник сейчас недоступен. Соединяем вас с сотрудником.", bot.FallbackText)

	in.VisitorLanguage = "en" // the Russian default text left as it was
	_, err = integration.SaveBot(f.ctx, f.tx, f.env, f.project, f.owner, in)
	require.NoError(t, err)
	s, err := integration.GetBotSettings(f.ctx, f.tx, f.project)
	require.NoError(t, err)
	require.Equal(t, "en", s.VisitorLanguage)
	require.Equal(t, integration.DefaultFallbackText("en"), s.FallbackText)

	in = s.Input()
	in.FallbackText, in.VisitorLanguage = "Один момент, зову оператора.", "ru"
	_, err = integration.SaveBot(f.ctx, f.tx, f.env, f.project, f.owner, in)
	require.NoError(t, err)
	in.VisitorLanguage = "" // an older form: language kept
	_, err = integration.SaveBot(f.ctx, f.tx, f.env, f.project, f.owner, in)
	require.NoError(t, err)
	s, err = integration.GetBotSettings(f.ctx, f.tx, f.project)
	require.NoError(t, err)
	require.Equal(t, "ru", s.VisitorLanguage)
	require.Equal(t, "Один момент, зову оператора.", s.FallbackText, "the owner's own text stays")
}
