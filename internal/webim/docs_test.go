package webim

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/docexample"

	"github.com/botbridge/botbridge/internal/botapi"
)

// docExamples returns the examples of docs/bot-protocol.md by kind.
func docExamples(t *testing.T) map[string][]string {
	t.Helper()
	ex, err := docexample.Load("../../docs/bot-protocol.md")
	require.NoError(t, err)
	return ex
}

// strictDecode rejects keys the example format does not define, so a typo
// in the doc ("call" for "calls") fails instead of testing nothing.
func strictDecode(t *testing.T, body string, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v))
}

func TestDocTranslateExamples(t *testing.T) {
	t.Parallel()
	examples := docExamples(t)["translate"]
	require.NotEmpty(t, examples)
	for i, body := range examples {
		var ex struct {
			ChatID string `json:"chat_id"`
			Target *struct {
				DepKey     string `json:"dep_key"`
				OperatorID int64  `json:"operator_id"`
			} `json:"target"`
			Reply       json.RawMessage `json:"reply"`
			Calls       json.RawMessage `json:"calls"`
			Unsupported []string        `json:"unsupported"`
		}
		strictDecode(t, body, &ex)
		require.NotEmpty(t, ex.Calls, "translate example %d has no calls", i)
		chatID, target := IntChat(12345), Target{DepKey: "support"}
		if ex.ChatID != "" {
			var err error
			chatID, err = NewChatRef(ex.ChatID, false)
			require.NoError(t, err, "translate example %d", i)
		}
		if ex.Target != nil {
			target = Target{DepKey: ex.Target.DepKey, OperatorID: ex.Target.OperatorID}
		}
		reply, err := botapi.ParseResponse(ex.Reply)
		require.NoError(t, err, "translate example %d", i)
		p, err := Translate(reply, chatID, target, Options{WebimVersion: "10.5.62"}) // an account that can use the queue
		require.NoError(t, err, "translate example %d", i)
		require.JSONEq(t, string(ex.Calls), callsJSON(t, p.Calls), "translate example %d", i)
		require.Equal(t, ex.Unsupported, p.Unsupported, "translate example %d", i)
	}
}

func TestDocTranslateV1Examples(t *testing.T) {
	t.Parallel()
	examples := docExamples(t)["translate-v1"]
	require.NotEmpty(t, examples)
	for i, body := range examples {
		var ex struct {
			Reply  json.RawMessage `json:"reply"`
			Answer json.RawMessage `json:"answer"`
		}
		strictDecode(t, body, &ex)
		require.NotEmpty(t, ex.Answer, "translate-v1 example %d has no answer", i)
		reply, err := botapi.ParseResponse(ex.Reply)
		require.NoError(t, err, "translate-v1 example %d", i)
		got, err := json.Marshal(TranslateV1(reply))
		require.NoError(t, err)
		require.JSONEq(t, string(ex.Answer), string(got), "translate-v1 example %d", i)
	}
}
