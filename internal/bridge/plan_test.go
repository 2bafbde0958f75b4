package bridge_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/webim"
)

// The preview an owner sees ("Send a test event", "what the visitor saw")
// is webim.Preview of bridge.PlanReply's calls; here it must equal the
// preview of what the engine really sent to Webim for the same reply, so
// the two cannot drift apart.
func TestPreviewEqualsWhatTheBridgeSends(t *testing.T) {
	t.Parallel()
	f := setup(t)
	const reply = `{"replies":[
		{"text":"**Hello** _there_, see [the docs](https://e.com/docs)\n\n- one\n- two",
		 "buttons":[[{"id":"yes","text":"Yes"},{"text":"Site","url":"https://e.com"}],[{"id":"no","text":"No"}]]},
		{"file":{"url":"https://e.com/price.pdf"}}],
		"action":{"type":"transfer","department":"billing"}}`
	f.bot.setReply(func(botapi.Event) (int, string) { return http.StatusOK, reply })
	f.ingest(t, `{"event":"new_message","chat_id":31,"message":{"id":"m-1","kind":"visitor","text":"hello"}}`)
	f.waitCalls(t, 4)

	var sent []webim.Call
	for _, c := range f.webim.Calls() {
		sent = append(sent, webim.Call{Method: c.Method, Body: c.Body})
	}
	got, err := webim.Preview(sent)
	require.NoError(t, err)

	parsed, err := botapi.ParseResponse([]byte(reply))
	require.NoError(t, err)
	plan, err := bridge.PlanReply(parsed, webim.IntChat(31), f.integ, botapi.TypeMessageText, recentWebim)
	require.NoError(t, err)
	want, err := webim.Preview(plan.Calls)
	require.NoError(t, err)
	require.Equal(t, want, got)

	// And what the preview says, so an empty or wrong preview cannot pass.
	require.Equal(t, []webim.PreviewItem{
		{Kind: webim.PreviewText, Text: "Hello there, see the docs (https://e.com/docs)\n\n• one\n• two\n\nSite: https://e.com"},
		{Kind: webim.PreviewKeyboard, Buttons: [][]webim.Button{{{ID: "yes", Text: "Yes"}}, {{ID: "no", Text: "No"}}}},
		{Kind: webim.PreviewFile, File: &webim.FileData{URL: "https://e.com/price.pdf", Name: "price.pdf", MediaType: "application/pdf"}},
		{Kind: webim.PreviewTransfer, DepKey: "billing"},
	}, got)
}

// A reply to chat.closed is planned to nothing, as the engine does it.
func TestPlanReplySilentAfterClose(t *testing.T) {
	t.Parallel()
	f := setup(t)
	plan, err := bridge.PlanReply(botapi.Response{Replies: []botapi.Reply{{Text: "bye"}}}, webim.IntChat(1), f.integ, botapi.TypeChatClosed, "")
	require.NoError(t, err)
	require.Empty(t, plan.Calls)
}
