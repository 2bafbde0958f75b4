package webim

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
)

// docExamples returns the ```json blocks of docs/bot-protocol.md that
// follow a "<!-- example: kind -->" comment, by kind. (botapi's test has
// the same helper; test code is not worth a shared package.)
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
		chatID, target := "12345", Target{DepKey: "support"}
		if ex.ChatID != "" {
			chatID = ex.ChatID
		}
		if ex.Target != nil {
			target = Target{DepKey: ex.Target.DepKey, OperatorID: ex.Target.OperatorID}
		}
		reply, err := botapi.ParseResponse(ex.Reply)
		require.NoError(t, err, "translate example %d", i)
		calls, unsupported, err := Translate(reply, chatID, target)
		require.NoError(t, err, "translate example %d", i)
		require.JSONEq(t, string(ex.Calls), callsJSON(t, calls), "translate example %d", i)
		require.Equal(t, ex.Unsupported, unsupported, "translate example %d", i)
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
