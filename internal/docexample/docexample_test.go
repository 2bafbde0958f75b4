package docexample

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	t.Parallel()
	doc := "# Doc\n<!-- example: event -->\n\n```json\n{\"a\": 1}\n```\ntext\n```json\n{\"not\": \"marked\"}\n```\n" +
		"  <!-- example: event -->\n```json\n{\"b\": 2,\n \"c\": 3}\n```\n<!-- example: reply -->\n```json\n{}\n```\n"
	got, err := Parse(doc)
	require.NoError(t, err)
	require.Equal(t, map[string][]string{
		"event": {`{"a": 1}`, "{\"b\": 2,\n \"c\": 3}"},
		"reply": {`{}`},
	}, got)

	for name, bad := range map[string]string{
		"marker at the end":  "x\n<!-- example: event -->\n\n",
		"no json block":      "<!-- example: event -->\nsome text\n```json\n{}\n```\n",
		"other language":     "<!-- example: event -->\n```js\n{}\n```\n",
		"block never closed": "<!-- example: event -->\n```json\n{}\n",
	} {
		_, err := Parse(bad)
		require.Error(t, err, name)
	}
}
