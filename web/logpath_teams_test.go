package web

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// An invitation's token is its credential: it never reaches the logs.
func TestLogPathHidesInvitationTokens(t *testing.T) {
	t.Parallel()
	const token = "abcdefghijklmnopqrstuvwxyzABCDEF" // no digit: not caught by the key heuristic
	for in, want := range map[string]string{
		"/invitations/" + token:             "/invitations/[token]",
		"/invitations/" + token + "/accept": "/invitations/[token]/accept",
		"/invitations/" + token + "/signup": "/invitations/[token]/signup",
		"/invitations%2F" + token:           "/invitations/[token]",
		"/Invitations/short":                "/Invitations/[token]",
		"/projects/3/members/invitations":   "/projects/3/members/invitations",
	} {
		require.Equal(t, want, logPath(in), in)
	}
}
