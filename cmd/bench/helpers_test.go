package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/webim"
)

// The generated webhooks are what Webim sends: the product's parser reads
// them, with the chat, message id and text the benchmark chose.
func TestWebhookBodiesParse(t *testing.T) {
	t.Parallel()
	ev, err := webim.ParseWebhook(webim.Version2, newMessageBody(42, "m-1", `say "hi"`))
	require.NoError(t, err)
	require.Equal(t, webim.EventNewMessage, ev.Name)
	require.Equal(t, "42", ev.ChatID)
	require.Len(t, ev.Messages, 1)
	require.Equal(t, "m-1", ev.Messages[0].ID)
	require.Equal(t, `say "hi"`, ev.Messages[0].Text)

	ev, err = webim.ParseWebhook(webim.Version2, newChatBody(7, "v7", "Ann"))
	require.NoError(t, err)
	require.Equal(t, webim.EventNewChat, ev.Name)
	require.Equal(t, "7", ev.ChatID)
	require.Equal(t, "Ann", ev.Visitor.Name)
}

// Every message of a run is distinct, every integration gets traffic, and
// two senders never write to the same chat (no queueing on one chat row).
func TestIngestTargetsAreDistinct(t *testing.T) {
	t.Parallel()
	const senders, accounts = 8, 5
	msgs := map[string]bool{}
	chatOwner := map[int64]int64{}
	perAccount := map[int]int{}
	for seq := range int64(4000) {
		acct, chat, msg := ingestTarget("r", seq, senders, accounts)
		require.False(t, msgs[msg], "message %s twice", msg)
		msgs[msg] = true
		perAccount[acct]++
		sender := seq % senders
		if owner, ok := chatOwner[chat]; ok {
			require.Equal(t, owner, sender, "chat %d shared by senders", chat)
		}
		chatOwner[chat] = sender
	}
	require.Len(t, perAccount, accounts)
	require.Len(t, chatOwner, senders*chatsPerSender)
	_, _, other := ingestTarget("other", 0, senders, accounts)
	require.False(t, msgs[other], "runs use distinct message ids")
}

// The sandbox wrapper timestamps the bot's echo of a benchmark message and
// passes every call on unchanged.
func TestReceiptsTimestampEchoes(t *testing.T) {
	t.Parallel()
	rc := newReceipts()
	var seen []string
	h := rc.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		_, _ = b.ReadFrom(r.Body)
		seen = append(seen, b.String())
	}))
	post := func(path, body string) {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
	}
	before := time.Now()
	post("/api/bot/v2/send_message", `{"chat_id":1,"message":{"kind":"operator","text":"You said: e2e 17"}}`)
	post("/api/bot/v2/send_message", `{"chat_id":1,"message":{"kind":"operator","text":"Hi Ann!"}}`)
	post("/api/bot/v2/redirect_chat", `{"chat_id":1,"dep_key":"x"}`)
	require.Len(t, seen, 3)
	require.Contains(t, seen[0], "e2e 17", "the body reaches the sandbox")
	at, ok := rc.get(17)
	require.True(t, ok)
	require.False(t, at.Before(before))
	_, ok = rc.get(0)
	require.False(t, ok)

	// A waiter is woken by the reply; a missing one times out.
	go post("/api/bot/v2/send_message", `{"chat_id":1,"message":{"kind":"operator","text":"You said: e2e 18"}}`)
	_, ok = rc.wait(context.Background(), 18, 10*time.Second)
	require.True(t, ok)
	_, ok = rc.wait(context.Background(), 19, time.Millisecond)
	require.False(t, ok)
}

func TestReportPrintsEveryFigure(t *testing.T) {
	t.Parallel()
	r := newReport(quick, machine{CPU: "test cpu", Cores: 2})
	r.set("ingest_ratio", 1.07)
	r.set("ingest_p99_ms", 31)
	var out bytes.Buffer
	r.print(&out)
	for _, f := range figures {
		require.Regexp(t, "(?m)^"+f.Name+"=", out.String())
	}
	require.Contains(t, out.String(), "\ningest_ratio=1.07\n")
	require.True(t, strings.HasPrefix(out.String(), "ingest_rps=NA\n"))
	require.Regexp(t, `ingest_ratio\s+1.07\s+≥ 1.0\s+ok`, out.String())
	require.Regexp(t, `ingest_p99_ms\s+31.0\s+ms\s+≤ 25\s+MISSED`, out.String())
	require.False(t, r.complete())
	require.Panics(t, func() { r.set("no_such_figure", 1) })
}
