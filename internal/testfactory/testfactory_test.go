package testfactory_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/internal/testfactory"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The defaults make a complete tenant that the domain packages read back
// as they would production data.
func TestNewTenantDefaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	tenant := testfactory.NewTenant(ctx, t, tx, &testfactory.TenantOpts{Bot: testfactory.Ptr(testfactory.DefaultBotInput())})

	require.Equal(t, auth.RoleOwner, tenant.Owner.Role)
	u, err := auth.DefaultThrottle.Authenticate(ctx, tx, tenant.Owner.Email, testfactory.Password, "127.0.0.1")
	require.NoError(t, err)
	require.Equal(t, tenant.Owner.ID, u.ID)
	require.Equal(t, testfactory.ProjectName, tenant.Project.Name)
	granted, err := request.IsGranted(ctx, tx, tenant.Project.ID, integration.PlatformWebim)
	require.NoError(t, err)
	require.True(t, granted)

	require.Len(t, tenant.Integrations, 1)
	found, err := integration.LookupByWebhookKey(ctx, tx, tenant.Integration().WebhookKey)
	require.NoError(t, err)
	require.Equal(t, tenant.Integration().ID, found.ID)
	require.Equal(t, testfactory.WebimDomain, found.Domain)
	require.Equal(t, testfactory.Department, found.DepartmentID)
	tok, err := integration.Token(ctx, testfactory.Keyring(t, ""), found)
	require.NoError(t, err)
	require.Equal(t, testfactory.WebimToken, tok)

	require.NotNil(t, tenant.Bot)
	require.Equal(t, testfactory.BotURL, tenant.Bot.URL)
	require.Len(t, tenant.Bot.Secrets, 1)
}

// Options override the defaults; an empty Integrations makes none, and
// NoGrant leaves the platform off.
func TestNewTenantOptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	tenant := testfactory.NewTenant(ctx, t, tx, &testfactory.TenantOpts{
		Owner:        &testfactory.UserOpts{Email: testfactory.Ptr("factory-opts@example.com"), Role: testfactory.Ptr(auth.RoleAdmin)},
		ProjectName:  testfactory.Ptr("Other name"),
		NoGrant:      true,
		Integrations: []integration.Input{},
	})
	require.Equal(t, "factory-opts@example.com", tenant.Owner.Email)
	require.Equal(t, auth.RoleAdmin, tenant.Owner.Role)
	require.Equal(t, "Other name", tenant.Project.Name)
	require.Empty(t, tenant.Integrations)
	require.Nil(t, tenant.Bot)
	granted, err := request.IsGranted(ctx, tx, tenant.Project.ID, integration.PlatformWebim)
	require.NoError(t, err)
	require.False(t, granted)

	// Users made without an address get distinct ones.
	a := testfactory.User(ctx, t, tx, nil)
	b := testfactory.User(ctx, t, tx, nil)
	require.NotEqual(t, a.Email, b.Email)
	// A project without an owner gets a new one.
	p := testfactory.Project(ctx, t, tx, nil)
	require.NotZero(t, p.ID)
}

// Only tests import the factory: it fails tests instead of returning
// errors, and its defaults are test data.
func TestOnlyTestsImportIt(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go") // go test puts its own go first on PATH
	require.NoError(t, err)
	// .Imports lists what a package's non-test files import.
	out, err := exec.Command(goTool, "list", "-f", `{{.ImportPath}}:{{range .Imports}} {{.}}{{end}}`, "github.com/botbridge/botbridge/...").CombinedOutput()
	require.NoError(t, err, "%s", out)
	const self = "github.com/botbridge/botbridge/internal/testfactory"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		require.NotContains(t, strings.Fields(imports), self, "%s is not a test but imports testfactory", pkg)
	}
}
