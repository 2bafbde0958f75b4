package botapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/docexample"
)

// docExamples returns the examples of docs/bot-protocol.md by kind.
func docExamples(t *testing.T) map[string][]string {
	t.Helper()
	ex, err := docexample.Load("../../docs/bot-protocol.md")
	require.NoError(t, err)
	return ex
}

func TestDocExamples(t *testing.T) {
	t.Parallel()
	ex := docExamples(t)
	require.NotEmpty(t, ex["request"])
	require.NotEmpty(t, ex["response"])
	known := map[string]bool{TypeChatStarted: true, TypeMessageText: true, TypeMessageButton: true, TypeMessageFile: true,
		TypeMessageOther: true, TypeChatReturned: true, TypeChatAssigned: true, TypeChatClosed: true, TypeActionFailed: true}
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
		require.Equal(t, ev.Type == TypeChatReturned, ev.Messages != nil, "request example %d: messages only on chat.returned", i)
		require.Equal(t, ev.Type == TypeMessageOther, ev.Message != nil && ev.Message.Kind != "", "request example %d: kind only on message.other", i)
	}
	for i, body := range ex["response"] {
		_, err := ParseResponse([]byte(body))
		require.NoError(t, err, "response example %d", i)
	}
}
