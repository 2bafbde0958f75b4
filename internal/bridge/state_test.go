package bridge_test

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/db/dbtest"
)

// checkValues reads the values a column's CHECK (col IN (…)) constraint
// allows, from the migrated schema.
func checkValues(t *testing.T, table, column string) []string {
	t.Helper()
	var def string
	require.NoError(t, dbtest.Pool(t).QueryRow(context.Background(), `
		SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
		WHERE c.conrelid = $1::regclass AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%' || $2 || '%'`,
		table, "("+column+" ").Scan(&def))
	var out []string
	for _, m := range regexp.MustCompile(`'([a-z_]+)'::text`).FindAllStringSubmatch(def, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return out
}

// The typed states are the schema's: a constant the table refuses (or a
// state the code cannot name) fails here, not in production.
func TestStatesMatchSchema(t *testing.T) {
	t.Parallel()
	var statuses, states []string
	for _, s := range bridge.Statuses {
		statuses = append(statuses, string(s))
	}
	for _, s := range bridge.ChatStates {
		states = append(states, string(s))
	}
	slices.Sort(statuses)
	slices.Sort(states)
	require.Equal(t, checkValues(t, "bridge_events", "status"), statuses)
	require.Equal(t, checkValues(t, "chats", "state"), states)
}
