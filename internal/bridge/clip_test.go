package bridge_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
)

// An error text longer than the stored bound and made of multi-byte
// characters (Webim's own words, quoted back) used to be cut in the middle
// of a character: PostgreSQL refused the UPDATE (SQLSTATE 22021), the
// event's attempts never advanced and, since a chat delivers in order, the
// chat was stuck for good. Now the event ends failed with a readable error
// and the chat's next event is delivered.
func TestLongMultiByteErrorDoesNotBlockTheChat(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(ev botapi.Event) (int, string) {
		return 200, `{"replies":[{"text":"ответ на ` + ev.Message.Text + `"}]}`
	})
	// Code (100 × 2 bytes) and desc (300 × 4 bytes): byte 1000 of the
	// error text falls inside a character.
	code, desc := strings.Repeat("ж", 100), strings.Repeat("😀", 300)
	answer, _ := json.Marshal(map[string]string{"error": code, "desc": desc})
	f.webim.setFail(func(n int, c webimCall) (int, http.Header) {
		switch {
		case textOf(c) != "ответ на первое":
			return 0, nil
		case n == 1:
			return http.StatusInternalServerError, nil // retryable: the retry is recorded
		default:
			return http.StatusBadRequest, nil // permanent: the event fails
		}
	})
	f.webim.setBody(string(answer))

	first := f.ingest(t, `{"event":"new_message","chat_id":91,"message":{"id":"m-1","kind":"visitor","text":"первое"}}`)
	second := f.ingest(t, `{"event":"new_message","chat_id":91,"message":{"id":"m-2","kind":"visitor","text":"второе"}}`)

	f.waitStatus(t, second.EventIDs[0], "done") // the chat's next event is delivered

	status, _, lastError := f.eventStatus(t, first.EventIDs[0])
	require.Equal(t, "failed", status)
	require.True(t, utf8.ValidString(lastError))
	require.Contains(t, lastError, "webim: api 400 "+code+": 😀😀😀")
	require.LessOrEqual(t, utf8.RuneCountInString(lastError), 1001)

	var callErrors []string
	rows, err := f.pool.Query(context.Background(), `SELECT error FROM bridge_calls WHERE event_id = $1 AND NOT ok ORDER BY id`, first.EventIDs[0])
	require.NoError(t, err)
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		callErrors = append(callErrors, s)
	}
	require.NoError(t, rows.Err())
	require.Len(t, callErrors, 2, "both failed calls are recorded")
	require.Contains(t, callErrors[0], "webim: api 500 "+code)
	require.Contains(t, callErrors[1], "webim: api 400 "+code)

	var texts []string
	for _, c := range f.webim.Calls() {
		texts = append(texts, textOf(c))
	}
	require.Equal(t, []string{"ответ на второе"}, texts)
}
