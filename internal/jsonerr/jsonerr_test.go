package jsonerr

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReason(t *testing.T) {
	t.Parallel()
	type msg struct {
		ChatID int64    `json:"chat_id"`
		Text   string   `json:"text"`
		OK     bool     `json:"ok"`
		Score  float64  `json:"score"`
		Tags   []string `json:"tags"`
		Data   struct{} `json:"data"`
	}
	cases := map[string]string{
		`{"chat_id":"12"}`: "chat_id must be an integer, not string",
		`{"text":5}`:       "text must be a string, not number",
		`{"ok":"yes"}`:     "ok must be a boolean, not string",
		`{"score":"high"}`: "score must be a number, not string",
		`{"tags":{}}`:      "tags must be an array, not object",
		`{"data":[]}`:      "data must be an object, not array",
		`{"chat_id":`:      "malformed JSON at byte 11",
		`{"chat_id":1,}`:   "malformed JSON at byte 14",
	}
	for in, want := range cases {
		var m msg
		err := json.Unmarshal([]byte(in), &m)
		require.Error(t, err, in)
		require.Equal(t, want, Reason(err), in)
	}
	var m msg
	dec := json.NewDecoder(bytes.NewReader([]byte(`{"nope":1}`)))
	dec.DisallowUnknownFields()
	require.Equal(t, `unknown field "nope"`, Reason(dec.Decode(&m)))
	dec = json.NewDecoder(bytes.NewReader([]byte(`{"text":"a`)))
	require.Equal(t, "truncated JSON", Reason(dec.Decode(&m)))
	require.Equal(t, "malformed JSON", Reason(errors.New("other")))
	require.Equal(t, "value must be an integer, not string", Reason(json.Unmarshal([]byte(`"x"`), new(int))))
}
