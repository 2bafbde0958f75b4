package botapi

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// docExamples returns the ```json blocks of the protocol doc that follow a
// "<!-- example: kind -->" comment, by kind. A marker without a block is an
// error, so a broken doc cannot silently skip its checks.
func docExamples(t *testing.T) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile("../../docs/bot-protocol.md")
	require.NoError(t, err)
	lines := strings.Split(string(raw), "\n")
	out := map[string][]string{}
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, "<!-- example:") || !strings.HasSuffix(l, "-->") {
			continue
		}
		kind := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(l, "<!-- example:"), "-->"))
		j := i + 1
		for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
			j++
		}
		require.Less(t, j, len(lines), "line %d: marker at end of file", i+1)
		require.Equal(t, "```json", strings.TrimSpace(lines[j]), "line %d: marker not followed by a ```json block", i+1)
		var block []string
		for j++; j < len(lines) && strings.TrimSpace(lines[j]) != "```"; j++ {
			block = append(block, lines[j])
		}
		require.Less(t, j, len(lines), "line %d: unterminated block", i+1)
		out[kind] = append(out[kind], strings.Join(block, "\n"))
		i = j
	}
	return out
}

func TestDocExamples(t *testing.T) {
	t.Parallel()
	ex := docExamples(t)
	require.NotEmpty(t, ex["request"])
	require.NotEmpty(t, ex["response"])
	known := map[string]bool{TypeChatStarted: true, TypeMessageText: true, TypeMessageButton: true, TypeMessageFile: true, TypeActionFailed: true}
	for i, body := range ex["request"] {
		// Strict here, unlike ParseResponse: a field the doc shows must
		// exist in Event, or the doc describes a protocol we do not send.
		dec := json.NewDecoder(bytes.NewReader([]byte(body)))
		dec.DisallowUnknownFields()
		var ev Event
		require.NoError(t, dec.Decode(&ev), "request example %d", i)
		require.True(t, known[ev.Type], "request example %d: type %q", i, ev.Type)
		require.NotEmpty(t, ev.ID, "request example %d", i)
		require.Equal(t, ChannelWebim, ev.Request.UserChannel, "request example %d", i)
		require.Equal(t, ChannelWebim, ev.User.Channel, "request example %d", i)
		require.Equal(t, ev.Type == TypeActionFailed, ev.Action != "", "request example %d", i)
		require.Equal(t, strings.HasPrefix(ev.Type, "message."), ev.Message != nil, "request example %d", i)
	}
	for i, body := range ex["response"] {
		_, err := ParseResponse([]byte(body))
		require.NoError(t, err, "response example %d", i)
	}
}
