package outbound

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name, value string
		want        time.Duration
	}{
		{name: "missing", value: "", want: 0},
		{name: "seconds", value: "120", want: 2 * time.Minute},
		{name: "zero", value: "0", want: 0},
		{name: "padded", value: " 5 ", want: 5 * time.Second},
		{name: "negative", value: "-5", want: 0},
		{name: "fraction", value: "1.5", want: 0},
		{name: "garbage", value: "soon", want: 0},
		{name: "capped", value: "999999999999999999999", want: MaxRetryAfter},
		{name: "over cap", value: "7200", want: MaxRetryAfter},
		{name: "http date", value: "Tue, 24 Nov 2026 10:01:30 GMT", want: 90 * time.Second},
		{name: "date in the past", value: "Tue, 24 Nov 2026 09:00:00 GMT", want: 0},
		{name: "date far ahead", value: "Wed, 24 Nov 2027 10:00:00 GMT", want: MaxRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tt.value != "" {
				h.Set("Retry-After", tt.value)
			}
			require.Equal(t, tt.want, RetryAfter(h, now))
		})
	}
}
