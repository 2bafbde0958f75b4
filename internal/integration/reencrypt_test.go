package integration_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/internal/testfactory"
)

const (
	oldSecretKey = "reencrypt-old-key-0123456789abcdef0123"
	newSecretKey = "reencrypt-new-key-0123456789abcdef0123"
)

// Key rotation: secrets sealed under the old SECRET_KEY are resealed under
// the new one (the new key current, the old one given as old); afterwards
// a keyring with the new key alone opens every secret, and nothing needs
// the old key any more. A second run finds nothing to do.
func TestReencryptUnderTheNewKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	oldKR := testfactory.Keyring(t, oldSecretKey)
	bot := testfactory.DefaultBotInput()
	tenants := []*testfactory.Tenant{}
	for range 3 {
		tenants = append(tenants, testfactory.NewTenant(ctx, t, tx, &testfactory.TenantOpts{Keyring: oldKR, Bot: &bot}))
	}
	// One bot secret rotated, so it has a previous secret too.
	require.NoError(t, integration.RotateBotSecret(ctx, tx, oldKR, tenants[0].Project.ID, tenants[0].Owner.ID))

	both, err := secret.NewKeyring(newSecretKey, oldSecretKey)
	require.NoError(t, err)
	rep, err := integration.Reencrypt(ctx, tx, both, 2) // batches smaller than the rows
	require.NoError(t, err)
	require.Equal(t, 6, rep.Resealed, "3 integrations and 3 bot endpoints")
	require.Zero(t, rep.Skipped)
	require.Zero(t, rep.Remaining)

	newOnly, err := secret.NewKeyring(newSecretKey)
	require.NoError(t, err)
	for _, tn := range tenants {
		in, err := integration.GetByID(ctx, tx, tn.Integration().ID)
		require.NoError(t, err)
		token, err := integration.Token(ctx, newOnly, in)
		require.NoError(t, err)
		require.Equal(t, testfactory.DefaultInput().Token, token)
		key, err := integration.WebhookKey(newOnly, in)
		require.NoError(t, err)
		require.Equal(t, tn.Integration().WebhookKey, key)
		b, err := integration.BotEndpoint(ctx, tx, newOnly, tn.Project.ID)
		require.NoError(t, err)
		require.NotEmpty(t, b.Secrets)
	}
	b, err := integration.BotEndpoint(ctx, tx, newOnly, tenants[0].Project.ID)
	require.NoError(t, err)
	require.Len(t, b.Secrets, 2, "the previous secret is resealed too")

	again, err := integration.Reencrypt(ctx, tx, both, 2)
	require.NoError(t, err)
	require.Equal(t, integration.ReencryptReport{}, again)
}

// A secret whose key is not in the keyring is skipped and counted, never
// lost, and the run reports it as remaining.
func TestReencryptSkipsWhatItCannotOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	testfactory.NewTenant(ctx, t, tx, &testfactory.TenantOpts{Keyring: testfactory.Keyring(t, oldSecretKey)})
	newOnly, err := secret.NewKeyring(newSecretKey)
	require.NoError(t, err)
	rep, err := integration.Reencrypt(ctx, tx, newOnly, 10)
	require.NoError(t, err)
	require.Zero(t, rep.Resealed)
	require.Equal(t, 1, rep.Skipped)
	require.EqualValues(t, 1, rep.Remaining)
}
