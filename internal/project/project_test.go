package project_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/project"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestValidateName(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                      "project.name.required",
		"ab":                    "project.name.short",
		"abc":                   "",
		"Магазин":               "",
		strings.Repeat("x", 80): "",
		strings.Repeat("x", 81): "project.name.long",
		strings.Repeat("я", 80): "",
	}
	for in, want := range cases {
		require.Equal(t, want, project.ValidateName(in), in)
	}
}

func TestIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	a, err := auth.CreateUser(ctx, tx, "a@example.com", "password-a-123", auth.RoleOwner)
	require.NoError(t, err)
	b, err := auth.CreateUser(ctx, tx, "b@example.com", "password-b-123", auth.RoleOwner)
	require.NoError(t, err)

	pa, err := project.Create(ctx, tx, a.ID, "  Shop   of A ")
	require.NoError(t, err)
	require.Equal(t, "Shop of A", pa.Name)
	require.Equal(t, project.RoleOwner, pa.MemberRole)

	got, err := project.Get(ctx, tx, a.ID, pa.ID)
	require.NoError(t, err)
	require.Equal(t, pa.ID, got.ID)

	_, err = project.Get(ctx, tx, b.ID, pa.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)

	list, err := project.ListForUser(ctx, tx, b.ID)
	require.NoError(t, err)
	require.Empty(t, list)
	list, err = project.ListForUser(ctx, tx, a.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)

	_, err = project.Create(ctx, tx, a.ID, "x")
	require.Equal(t, "project.name.short", apperr.Fields(err)["name"])
}

func TestEnsureNamedIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u, err := auth.CreateUser(ctx, tx, "demo@example.com", "password-demo-1", auth.RoleOwner)
	require.NoError(t, err)
	p1, created, err := project.EnsureNamed(ctx, tx, u.ID, "Demo shop")
	require.NoError(t, err)
	require.True(t, created)
	p2, created, err := project.EnsureNamed(ctx, tx, u.ID, "Demo shop")
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, p1.ID, p2.ID)
}
