package i18n

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every security message exists in English and Russian.
func TestSecurityMessagesInBothLanguages(t *testing.T) {
	t.Parallel()
	require.Equal(t, slices.Sorted(maps.Keys(securityEN)), slices.Sorted(maps.Keys(securityRU)))
	for k, v := range securityRU {
		require.NotEmpty(t, v, k)
		require.NotEqual(t, securityEN[k], v, "%s is not translated", k)
	}
}
