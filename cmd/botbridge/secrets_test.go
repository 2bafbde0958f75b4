package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/internal/testfactory"
)

// The rotation procedure from the command line: with the old key only in
// SECRET_KEY_OLD, reencrypt reseals everything and says the old key can
// go; without the old key it fails, naming what is left.
func TestSecretsReencryptCommand(t *testing.T) {
	t.Parallel()
	pool, url := dbtest.NewDatabase(t)
	ctx := context.Background()
	const oldKey, newKey = "cli-old-secret-key-0123456789abcdef01", "cli-new-secret-key-0123456789abcdef01"
	tn := testfactory.NewTenant(ctx, t, pool, &testfactory.TenantOpts{Keyring: testfactory.Keyring(t, oldKey)})
	cli := func(env map[string]string) (int, string, string) {
		env["DATABASE_URL"], env["APP_ENV"] = url, "development"
		var out, errb bytes.Buffer
		code := run(ctx, []string{"secrets", "reencrypt"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}

	code, _, errOut := cli(map[string]string{"SECRET_KEY": newKey})
	require.Equal(t, 1, code, "the old key is missing: nothing can be resealed")
	require.Contains(t, errOut, "still need an old key")

	code, out, errOut := cli(map[string]string{"SECRET_KEY": newKey, "SECRET_KEY_OLD": oldKey})
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "resealed 1")
	require.Contains(t, out, "SECRET_KEY_OLD can be removed")

	newOnly, err := secret.NewKeyring(newKey)
	require.NoError(t, err)
	in, err := integration.GetByID(ctx, pool, tn.Integration().ID)
	require.NoError(t, err)
	token, err := integration.Token(ctx, newOnly, in)
	require.NoError(t, err)
	require.Equal(t, testfactory.WebimToken, token)
}
