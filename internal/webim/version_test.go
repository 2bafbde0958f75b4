package webim

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
)

func TestDetectVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, header, suffix, want string
		wantErr                    bool
	}{
		{name: "default", want: Version2},
		{name: "header 2.0", header: "2.0", want: Version2},
		{name: "header 1.0", header: "1.0", want: Version1},
		{name: "header padded", header: " 1.0 ", want: Version1},
		{name: "header beats suffix", header: "2.0", suffix: "v1", want: Version2},
		{name: "suffix v1", suffix: "v1", want: Version1},
		{name: "suffix v2", suffix: "v2", want: Version2},
		{name: "suffix with slashes", suffix: "/V1/", want: Version1},
		{name: "header unknown", header: "3.0", wantErr: true},
		{name: "header short form", header: "2", want: Version2},
		{name: "header 2.1 is 2.0", header: "2.1", want: Version2},
		{name: "header 2.x is 2.0", header: "2.x", want: Version2},
		{name: "header 1.5.3 is 1.0", header: "1.5.3", want: Version1},
		{name: "header with words", header: "2.0 beta", wantErr: true},
		{name: "header major only garbage", header: "2.", wantErr: true},
		{name: "header unknown even with suffix", header: "x", suffix: "v1", wantErr: true},
		{name: "suffix unknown", suffix: "v3", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DetectVersion(tt.header, tt.suffix)
			if tt.wantErr {
				require.ErrorIs(t, err, apperr.ErrInvalid)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestSupportsQueueTransfer(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]bool{
		"": false, "10.4": true, "10.4.0": true, "10.5.62": true, "11.0": true, "12": true, "10": false,
		"10.3.9": false, "9.12": false, "ten": false, "10.x": false,
	} {
		require.Equal(t, want, SupportsQueueTransfer(v), "version %q", v)
	}
}
