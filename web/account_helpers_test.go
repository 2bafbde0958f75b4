package web_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/mail"
)

// mailLinkRE finds a botbridge link in a mail body (webtest's BASE_URL).
var mailLinkRE = regexp.MustCompile(`http://bridge\.test(/(?:verify|password/reset)/[A-Za-z0-9_-]+)`)

// mailLink is the path of the link (under prefix, e.g. "/verify/") in the
// newest outbox message to addr; the test fails when there is none.
func mailLink(t testing.TB, q db.DBTX, to, prefix string) string {
	t.Helper()
	sent, err := mail.ListRecent(context.Background(), q, 200)
	require.NoError(t, err)
	for _, m := range sent { // newest first
		if m.To != to {
			continue
		}
		for _, l := range mailLinkRE.FindAllStringSubmatch(m.Body, -1) {
			if len(l[1]) > len(prefix) && l[1][:len(prefix)] == prefix {
				return l[1]
			}
		}
	}
	t.Fatalf("no %s link in the mail to %s", prefix, to)
	return ""
}
