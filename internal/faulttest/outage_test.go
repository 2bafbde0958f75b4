package faulttest

import "testing"

// TestOutages runs the real binary through outages that last: PostgreSQL
// restarted under load and a tenant whose bot answers at its timeout.
func TestOutages(t *testing.T) {
	bin := buildBinary(t)
	t.Run("PostgresRestarted", func(t *testing.T) { t.Parallel(); limit(t); testPostgresRestart(t, bin) })
	t.Run("SlowBotTenant", func(t *testing.T) { t.Parallel(); limitAlone(t); testSlowTenant(t, bin) })
}
