package faulttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/internal/stack"
)

// corpusDir is the hostile webhook corpus (go run ./testdata/webhooks/generate.go).
const corpusDir = "../../testdata/webhooks"

// corpusEntry is one line of manifest.json: how a body is sent and what
// botbridge must answer.
type corpusEntry struct {
	File        string            `json:"file"`
	Status      int               `json:"status"`
	Method      string            `json:"method"`
	ContentType string            `json:"content_type"`
	Headers     map[string]string `json:"headers"`
	Path        string            `json:"path"`
	Key         string            `json:"key"`
	Why         string            `json:"why"`
	// Stores: the events a valid body stores, once however often sent.
	Stores int `json:"stores"`

	body []byte
}

func loadCorpus(t *testing.T) []corpusEntry {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(corpusDir, "manifest.json"))
	require.NoError(t, err)
	var entries []corpusEntry
	require.NoError(t, json.Unmarshal(raw, &entries))
	require.GreaterOrEqual(t, len(entries), 40)
	files, err := os.ReadDir(filepath.Join(corpusDir, "bodies"))
	require.NoError(t, err)
	require.Len(t, files, len(entries), "every body has a manifest line and the other way round")
	for i := range entries {
		e := &entries[i]
		e.body, err = os.ReadFile(filepath.Join(corpusDir, "bodies", e.File))
		require.NoError(t, err)
		require.NotEmpty(t, e.Why, e.File)
		require.Contains(t, []int{200, 400, 404, 405, 413}, e.Status, e.File)
	}
	return entries
}

// send replays one entry against the webhook URL of the integration whose
// key is key.
func (e corpusEntry) send(ctx context.Context, base, key string) (int, string, error) {
	if e.Key != "" {
		key = e.Key
	}
	method := e.Method
	if method == "" {
		method = http.MethodPost
	}
	var body io.Reader
	if e.body != nil {
		body = bytes.NewReader(e.body)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+"/webhooks/webim/"+key+e.Path, body)
	if err != nil {
		return 0, "", err
	}
	switch e.ContentType {
	case "":
		req.Header.Set("Content-Type", "application/json")
	case "-":
	default:
		req.Header.Set("Content-Type", e.ContentType)
	}
	for k, v := range e.Headers {
		req.Header.Set(k, v)
	}
	resp, err := httpc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(b), err
}

// The hostile corpus replayed at full speed, concurrently, against a
// running botbridge: every body gets its status, nothing hostile is stored
// (only the valid shapes, each once with its own chat), and the server is
// still up and working afterwards.
func testHostileCorpus(t *testing.T, bin string) {
	entries := loadCorpus(t)
	e := newEnv(t, bin, stack.Options{})
	p := e.serve("botbridge", nil)
	hook := e.s.Accounts[0].WebhookURL
	key := hook[strings.LastIndexByte(hook, '/')+1:]
	events, chats := `SELECT count(*) FROM bridge_events`, `SELECT count(*) FROM chats`
	eventsBefore, chatsBefore := count(t, e.pool, events), count(t, e.pool, chats)
	wantEvents, wantChats := 0, 0
	for _, c := range entries {
		require.True(t, c.Stores == 0 || c.Status == http.StatusOK, "%s: only a 200 stores", c.File)
		if c.Stores > 0 {
			wantEvents += c.Stores
			wantChats++ // every valid body has a chat of its own
		}
	}

	const rounds, senders = 4, 16
	var work []corpusEntry
	for range rounds {
		work = append(work, entries...)
	}
	rand.Shuffle(len(work), func(i, j int) { work[i], work[j] = work[j], work[i] })
	jobs := make(chan corpusEntry)
	var mu sync.Mutex
	var problems []string
	var wg sync.WaitGroup
	start := time.Now()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				status, body, err := c.send(ctx, e.base, key)
				cancel()
				var problem string
				switch {
				case err != nil:
					problem = fmt.Sprintf("%s: %v", c.File, err)
				case status != c.Status:
					problem = fmt.Sprintf("%s (%s): answered %d, want %d: %.200s", c.File, c.Why, status, c.Status, body)
				case status == http.StatusOK && !strings.Contains(body, `"result":"ok"`):
					problem = fmt.Sprintf("%s: 200 without {\"result\":\"ok\"}: %.200s", c.File, body)
				case status >= 400 && strings.Contains(body, "<html"):
					problem = fmt.Sprintf("%s: %d answered with an HTML page instead of JSON", c.File, status)
				}
				if problem != "" {
					mu.Lock()
					problems = append(problems, problem)
					mu.Unlock()
				}
			}
		}()
	}
	for _, c := range work {
		jobs <- c
	}
	close(jobs)
	wg.Wait()
	took := time.Since(start)
	require.Empty(t, problems, "wrong answers")
	t.Logf("%d hostile requests (%d bodies × %d rounds, %d at a time) answered in %s", len(work), len(entries), rounds, senders, took.Round(time.Millisecond))

	// Hostile input stored nothing; every valid shape was stored once; the
	// process is alive, ready and still serving real conversations.
	require.Equal(t, eventsBefore+wantEvents, count(t, e.pool, events), "events: the valid bodies' only, each once")
	require.Equal(t, chatsBefore+wantChats, count(t, e.pool, chats), "chats: one per valid body, none of hostile input")
	code, err := get(e.base + "/readyz")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
	require.True(t, p.running())
	require.False(t, p.logContains("panic"), "no handler panicked")
	sb := e.s.Sandbox()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	chat, err := sb.StartChat(ctx, "After the storm")
	require.NoError(t, err)
	require.NoError(t, sb.SendText(ctx, chat, "still there?"))
	_, err = sb.WaitFor(ctx, chat, sandbox.HasBotText(echoOf("still there?")))
	require.NoError(t, err)
}
