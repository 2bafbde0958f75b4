package webim

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/botapi"
)

// The calls as the bridge stores them (raw JSON bodies) preview the same
// as the typed calls Translate returns.
func TestPreviewStoredCallsEqualTyped(t *testing.T) {
	t.Parallel()
	plan, err := Translate(botapi.Response{
		Replies: []botapi.Reply{{Text: "Pick", Buttons: [][]botapi.Button{{key("a", "A"), link("Docs", "https://e.com")}}}},
		Action:  &botapi.Action{Type: botapi.ActionClose},
	}, IntChat(5), Target{}, Options{LinkButtons: true})
	require.NoError(t, err)
	typed, err := Preview(plan.Calls)
	require.NoError(t, err)
	b, err := json.Marshal(plan.Calls)
	require.NoError(t, err)
	var stored []struct {
		Method string          `json:"method"`
		Body   json.RawMessage `json:"body"`
	}
	require.NoError(t, json.Unmarshal(b, &stored))
	var calls []Call
	for _, c := range stored {
		calls = append(calls, Call{Method: c.Method, Body: c.Body})
	}
	raw, err := Preview(calls)
	require.NoError(t, err)
	require.Equal(t, typed, raw)
	require.Equal(t, []PreviewItem{
		{Kind: PreviewText, Text: "Pick"},
		{Kind: PreviewKeyboard, Buttons: [][]Button{{{ID: "a", Text: "A"},
			{ID: "link-1", Text: "Docs", Config: &ButtonConfig{Link: "https://e.com"}, Params: &ButtonParams{Type: "url"}}}}},
		{Kind: PreviewClose},
	}, raw)
}

func TestPreviewRefusesWhatItCannotShow(t *testing.T) {
	t.Parallel()
	for _, c := range []Call{
		{Method: "delete_everything", Body: json.RawMessage(`{}`)},
		{Method: MethodSendMessage, Body: json.RawMessage(`{"message":{"kind":"sticker"}}`)},
		{Method: MethodSendMessage, Body: json.RawMessage(`[1]`)},
	} {
		_, err := Preview([]Call{c})
		require.ErrorIs(t, err, apperr.ErrInvalid, c.Method)
	}
	items, err := Preview(nil)
	require.NoError(t, err)
	require.Empty(t, items)
}
